import { requestAPI } from './request';
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

function post<T>(endPoint: string, body: unknown = {}): Promise<T> {
  return requestAPI<T>(endPoint, {
    method: 'POST',
    body: JSON.stringify(body)
  });
}

/** The tunel-jupyter REST API over HTTP, through the Jupyter server. */
export class RestApi implements IGlobusApi {
  getStatus(): Promise<IStatus> {
    return requestAPI<IStatus>('status');
  }

  startLogin(request: ILoginStartRequest): Promise<ILoginStart> {
    return post<ILoginStart>('login', request);
  }

  finishLogin(code: string): Promise<IStatus> {
    return post<IStatus>('login/code', { code });
  }

  logout(): Promise<{ logged_in: false; revoked: boolean }> {
    return post('logout');
  }

  searchEndpoints(options: {
    scope: EndpointScope;
    search?: string;
    limit?: number;
    offset?: number;
  }): Promise<IEndpointPage> {
    return requestAPI<IEndpointPage>(`endpoints${query(options)}`);
  }

  getEndpoint(endpointId: string): Promise<IEndpointRecord> {
    return requestAPI<IEndpointRecord>(
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
    return requestAPI<IListing>(
      `endpoints/${encodeURIComponent(endpointId)}/ls${search}`
    );
  }

  makeDirectory(
    endpointId: string,
    path: string
  ): Promise<{ endpoint_id: string; path: string }> {
    return post(`endpoints/${encodeURIComponent(endpointId)}/mkdir`, { path });
  }

  submitTransfer(submission: ITransferSubmission): Promise<ITaskRecord> {
    return post<ITaskRecord>('transfers', submission);
  }

  async listTasks(
    options: { limit?: number; filter?: string } = {}
  ): Promise<ITaskRecord[]> {
    const body = await requestAPI<{ tasks: ITaskRecord[] }>(
      `tasks${query(options)}`
    );
    return body.tasks;
  }

  getTask(taskId: string): Promise<ITaskRecord> {
    return requestAPI<ITaskRecord>(
      `tasks/${encodeURIComponent(taskId)}${query({ events: 0 })}`
    );
  }

  cancelTask(taskId: string): Promise<{ task_id: string; message: string }> {
    return post(`tasks/${encodeURIComponent(taskId)}/cancel`);
  }
}
