import { requestAPI } from './request';
import { ITranslate, untranslated } from './signal';
import type {
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
} from './types';

/** Builds a query string from the defined values, `''` when there are none. */
function query(params: Record<string, string | number | boolean | undefined>) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== '') {
      search.set(key, String(value));
    }
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** The tunel-jupyter REST API over HTTP, through the Jupyter server. */
export class RestApi implements IGlobusApi {
  constructor(private readonly _trans: ITranslate = untranslated) {}

  getStatus(): Promise<IStatus> {
    return this._get<IStatus>('status');
  }

  startLogin(request: ILoginStartRequest): Promise<ILoginStart> {
    return this._post<ILoginStart>('login', request);
  }

  finishLogin(code: string): Promise<IStatus> {
    return this._post<IStatus>('login/code', { code });
  }

  logout(): Promise<{ logged_in: false; revoked: boolean }> {
    return this._post('logout');
  }

  searchEndpoints(options: {
    scope: EndpointScope;
    search?: string;
    limit?: number;
    offset?: number;
  }): Promise<IEndpointPage> {
    return this._get<IEndpointPage>(`endpoints${query(options)}`);
  }

  getEndpoint(endpointId: string): Promise<IEndpointRecord> {
    return this._get<IEndpointRecord>(
      `endpoints/${encodeURIComponent(endpointId)}`
    );
  }

  listDirectory(
    endpointId: string,
    options: {
      path?: string;
      showHidden?: boolean;
      limit?: number;
      offset?: number;
    }
  ): Promise<IListing> {
    const search = query({
      path: options.path,
      show_hidden: options.showHidden ? 'true' : undefined,
      limit: options.limit,
      offset: options.offset
    });
    return this._get<IListing>(
      `endpoints/${encodeURIComponent(endpointId)}/ls${search}`
    );
  }

  makeDirectory(
    endpointId: string,
    path: string
  ): Promise<{ endpoint_id: string; path: string }> {
    return this._post(`endpoints/${encodeURIComponent(endpointId)}/mkdir`, {
      path
    });
  }

  submitTransfer(submission: ITransferSubmission): Promise<ITaskRecord> {
    return this._post<ITaskRecord>('transfers', submission);
  }

  async listTasks(
    options: { limit?: number; filter?: string } = {}
  ): Promise<ITaskRecord[]> {
    const body = await this._get<{ tasks: ITaskRecord[] }>(
      `tasks${query(options)}`
    );
    return body.tasks;
  }

  getTask(taskId: string): Promise<ITaskRecord> {
    return this._get<ITaskRecord>(
      `tasks/${encodeURIComponent(taskId)}${query({ events: 0 })}`
    );
  }

  cancelTask(taskId: string): Promise<{ task_id: string; message: string }> {
    return this._post(`tasks/${encodeURIComponent(taskId)}/cancel`);
  }

  private _get<T>(endPoint: string): Promise<T> {
    return requestAPI<T>(endPoint, {}, this._trans);
  }

  private _post<T>(endPoint: string, body: unknown = {}): Promise<T> {
    return requestAPI<T>(
      endPoint,
      { method: 'POST', body: JSON.stringify(body) },
      this._trans
    );
  }
}
