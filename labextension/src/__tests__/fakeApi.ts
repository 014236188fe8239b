import {
  ApiError,
  EndpointScope,
  IEndpointPage,
  IEndpointRecord,
  IGlobusApi,
  IListing,
  ILoginStart,
  ILoginStartRequest,
  IStatus,
  ITaskRecord,
  ITransferSubmission
} from '../types';

/**
 * An in-memory stand-in for the REST API: the model's logic is under test
 * here, while tests/browser/ runs the real server and sandbox.
 */
export class FakeApi implements IGlobusApi {
  calls: Array<[string, unknown]> = [];
  status: IStatus = {
    logged_in: true,
    identity: {
      id: 'id-1',
      username: 'ada@example.org',
      name: 'Ada',
      email: null
    },
    expires_at: '2030-01-01T00:00:00Z',
    reason: null,
    environment: { name: 'sandbox', label: 'sandbox', is_sandbox: true },
    local_collection: {
      id: 'local-id',
      root: '/home/jovyan/',
      display_name: 'This server',
      source: 'sandbox'
    },
    login_flow: 'paste'
  };
  endpointsByScope = new Map<EndpointScope, IEndpointRecord[]>();
  folders = new Map<string, Array<{ name: string; type: string }>>();
  tasks = new Map<string, ITaskRecord>();
  /** Errors to throw from the next calls of a method, in order. */
  failures = new Map<string, ApiError[]>();
  /** When set, calls of these methods wait until `release` is called. */
  held = new Set<string>();
  private _waiting: Array<() => void> = [];
  submitted: ITransferSubmission[] = [];
  loginRequests: ILoginStartRequest[] = [];

  release(): void {
    const waiting = this._waiting;
    this._waiting = [];
    waiting.forEach(resolve => resolve());
  }

  private async _enter(method: string, args: unknown): Promise<void> {
    this.calls.push([method, args]);
    if (this.held.has(method)) {
      await new Promise<void>(resolve => this._waiting.push(resolve));
    }
    const failure = this.failures.get(method)?.shift();
    if (failure) {
      throw failure;
    }
  }

  callsOf(method: string): unknown[] {
    return this.calls
      .filter(([name]) => name === method)
      .map(([, args]) => args);
  }

  async getStatus(): Promise<IStatus> {
    await this._enter('getStatus', null);
    return { ...this.status };
  }

  async startLogin(request: ILoginStartRequest): Promise<ILoginStart> {
    await this._enter('startLogin', request);
    this.loginRequests.push(request);
    return {
      flow: 'paste',
      authorize_url: 'http://127.0.0.1:1/authorize?state=s',
      expires_at: '2030-01-01T00:10:00Z'
    };
  }

  async finishLogin(code: string): Promise<IStatus> {
    await this._enter('finishLogin', code);
    if (code !== 'good-code') {
      throw new ApiError('The authorization code is invalid or expired.', 400, {
        code: 'InvalidRequest',
        field: 'code'
      });
    }
    this.status = {
      ...this.status,
      logged_in: true,
      expires_at: `2030-01-0${this.loginRequests.length + 1}T00:00:00Z`
    };
    return { ...this.status };
  }

  async logout(): Promise<{ logged_in: false; revoked: boolean }> {
    await this._enter('logout', null);
    this.status = { ...this.status, logged_in: false, identity: null };
    return { logged_in: false, revoked: true };
  }

  async searchEndpoints(query: {
    scope: EndpointScope;
    search?: string;
    limit?: number;
    offset?: number;
  }): Promise<IEndpointPage> {
    await this._enter('searchEndpoints', query);
    let records = this.endpointsByScope.get(query.scope) ?? [];
    if (query.search) {
      records = records.filter(record =>
        record.display_name.includes(query.search!)
      );
    }
    const offset = query.offset ?? 0;
    const limit = query.limit ?? 100;
    const page = records.slice(offset, offset + limit);
    const hasNext = offset + limit < records.length;
    return {
      records: page,
      has_next_page: hasNext,
      next_offset: hasNext ? offset + limit : null
    };
  }

  async getEndpoint(endpointId: string): Promise<IEndpointRecord> {
    await this._enter('getEndpoint', endpointId);
    throw new ApiError(`Endpoint ${endpointId} not found.`, 404, {
      code: 'NotFound'
    });
  }

  async listDirectory(
    endpointId: string,
    query: {
      path?: string;
      showHidden?: boolean;
      limit?: number;
      offset?: number;
    }
  ): Promise<IListing> {
    await this._enter('listDirectory', { endpointId, ...query });
    const path = query.path ?? '/~/';
    const all = this.folders.get(path);
    if (!all) {
      throw new ApiError(`${path} not found.`, 404, { code: 'NotFound' });
    }
    const visible = query.showHidden
      ? all
      : all.filter(entry => !entry.name.startsWith('.'));
    const offset = query.offset ?? 0;
    const limit = query.limit ?? visible.length;
    const entries = visible.slice(offset, offset + limit).map(entry => ({
      ...entry,
      size: 1,
      last_modified: null
    }));
    const hasNext = offset + limit < visible.length;
    return {
      endpoint_id: endpointId,
      path,
      entries,
      total: visible.length,
      has_next_page: hasNext,
      next_offset: hasNext ? offset + limit : null
    };
  }

  async makeDirectory(
    endpointId: string,
    path: string
  ): Promise<{ endpoint_id: string; path: string }> {
    await this._enter('makeDirectory', { endpointId, path });
    if (this.folders.has(path)) {
      throw new ApiError(`${path} already exists.`, 409, {
        code: 'GlobusError'
      });
    }
    this.folders.set(path, []);
    const slash = path.slice(0, -1).lastIndexOf('/');
    const parent = this.folders.get(path.slice(0, slash + 1));
    parent?.push({ name: path.slice(slash + 1, -1), type: 'dir' });
    return { endpoint_id: endpointId, path };
  }

  async submitTransfer(submission: ITransferSubmission): Promise<ITaskRecord> {
    await this._enter('submitTransfer', submission);
    this.submitted.push(submission);
    const task = makeTask(`task-${this.submitted.length}`);
    this.tasks.set(task.task_id, task);
    return task;
  }

  async listTasks(query?: {
    limit?: number;
    filter?: string;
  }): Promise<ITaskRecord[]> {
    await this._enter('listTasks', query);
    return [...this.tasks.values()].reverse().slice(0, query?.limit ?? 20);
  }

  async getTask(taskId: string): Promise<ITaskRecord> {
    await this._enter('getTask', taskId);
    const task = this.tasks.get(taskId);
    if (!task) {
      throw new ApiError(`Task ${taskId} not found.`, 404, {
        code: 'NotFound'
      });
    }
    return { ...task };
  }

  async cancelTask(
    taskId: string
  ): Promise<{ task_id: string; message: string }> {
    await this._enter('cancelTask', taskId);
    const task = this.tasks.get(taskId);
    if (task && !task.is_done) {
      this.tasks.set(taskId, { ...task, status: 'FAILED', is_done: true });
    }
    return { task_id: taskId, message: 'The task was canceled.' };
  }
}

export function makeTask(
  taskId: string,
  overrides: Partial<ITaskRecord> = {}
): ITaskRecord {
  return {
    task_id: taskId,
    type: 'TRANSFER',
    status: 'ACTIVE',
    label: null,
    progress: 0,
    is_done: false,
    ...overrides
  };
}

export function makeEndpoint(
  id: string,
  name: string,
  scope: EndpointScope
): IEndpointRecord {
  return {
    id,
    display_name: name,
    owner_string: 'owner@example.org',
    entity_type: 'GCSv5_mapped_collection',
    scopes: [scope]
  };
}

/** Returns the entries of a folder of `count` files named file-00000 and so on. */
export function manyFiles(
  count: number
): Array<{ name: string; type: string }> {
  return Array.from({ length: count }, (_, index) => ({
    name: `file-${String(index).padStart(5, '0')}`,
    type: 'file'
  }));
}

/** Waits until pending promise callbacks have run. */
export async function settle(): Promise<void> {
  for (let round = 0; round < 5; round++) {
    await Promise.resolve();
  }
}
