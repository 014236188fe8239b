/**
 * Shapes of the tunel-jupyter REST API (`{base_url}tunel/globus/`), as described
 * by `tunel_jupyter/handlers/openapi.yaml`, and the error it raises.
 *
 * This module imports nothing, so the front-end model and its unit tests can
 * use it without a browser or JupyterLab.
 */

/** Endpoint search scopes of the Globus Transfer API. */
export type EndpointScope =
  | 'my-endpoints'
  | 'my-gcp-endpoints'
  | 'recently-used'
  | 'in-use'
  | 'shared-by-me'
  | 'shared-with-me'
  | 'administered-by-me'
  | 'all';

export interface IIdentity {
  id: string;
  username: string;
  name: string | null;
  email: string | null;
}

export interface IEnvironment {
  name: string;
  label: string;
  is_sandbox: boolean;
}

/** The Globus collection that serves the Jupyter server's root directory. */
export interface ILocalCollection {
  id: string;
  root: string;
  display_name: string | null;
  source: 'option' | 'globus_connect_personal' | 'sandbox';
}

export interface IStatus {
  logged_in: boolean;
  identity: IIdentity | null;
  expires_at: string | null;
  reason?: string | null;
  environment: IEnvironment;
  local_collection: ILocalCollection | null;
  login_flow: 'paste' | 'redirect';
}

/** Globus Auth session parameters for a login (consent or stronger session). */
export interface ISessionRequirements {
  session_required_identities?: string[];
  session_required_single_domain?: string[];
  session_required_policies?: string[];
  session_required_mfa?: boolean;
  session_message?: string;
  prompt?: 'login';
}

export interface ILoginStartRequest {
  scopes?: string[];
  session_requirements?: ISessionRequirements;
  next?: string;
}

export interface ILoginStart {
  flow: 'paste' | 'redirect';
  authorize_url: string;
  expires_at: string;
}

export interface IEndpointRecord {
  id: string;
  display_name: string;
  owner_string: string | null;
  owner_id?: string | null;
  entity_type: string | null;
  scopes: EndpointScope[];
  non_functional?: boolean;
  high_assurance?: boolean;
  gcs_version?: string | null;
  description?: string | null;
  is_globus_connect?: boolean;
  default_directory?: string | null;
}

export interface IEndpointPage {
  records: IEndpointRecord[];
  has_next_page: boolean;
  next_offset: number | null;
}

export interface IFileEntry {
  name: string;
  type: string;
  size: number | null;
  last_modified: string | null;
  permissions?: string | null;
  link_target?: string | null;
}

export interface IListing {
  endpoint_id: string;
  path: string;
  entries: IFileEntry[];
  total: number | null;
  has_next_page: boolean;
  next_offset: number | null;
}

/** One item of a transfer: a collection path or a Jupyter-root path per side. */
export interface ITransferItem {
  source_path?: string;
  source_local_path?: string;
  destination_path?: string;
  destination_local_path?: string;
  recursive?: boolean;
}

export type SyncLevel = 'exists' | 'size' | 'mtime' | 'checksum';

export interface ITransferSubmission {
  source_endpoint?: string;
  destination_endpoint?: string;
  items: ITransferItem[];
  label?: string;
  sync_level?: SyncLevel | null;
  verify_checksum?: boolean;
  preserve_timestamp?: boolean;
}

export type TaskStatus = 'ACTIVE' | 'INACTIVE' | 'SUCCEEDED' | 'FAILED';

export interface ITaskRecord {
  task_id: string;
  type: 'TRANSFER' | 'DELETE';
  status: TaskStatus;
  label: string | null;
  source_endpoint_id?: string | null;
  destination_endpoint_id?: string | null;
  request_time?: string | null;
  completion_time?: string | null;
  files?: number | null;
  files_transferred?: number | null;
  files_skipped?: number | null;
  bytes_transferred?: number | null;
  subtasks_total?: number | null;
  subtasks_succeeded?: number | null;
  subtasks_failed?: number | null;
  faults?: number | null;
  nice_status?: string | null;
  fatal_error?: { code?: string; description?: string } | null;
  progress: number | null;
  is_done: boolean;
}

/** The calls the front-end model makes; `api.ts` implements them over HTTP. */
export interface IGlobusApi {
  getStatus(): Promise<IStatus>;
  startLogin(request: ILoginStartRequest): Promise<ILoginStart>;
  finishLogin(code: string): Promise<IStatus>;
  logout(): Promise<{ logged_in: false; revoked: boolean }>;
  searchEndpoints(query: {
    scope: EndpointScope;
    search?: string;
    limit?: number;
    offset?: number;
  }): Promise<IEndpointPage>;
  getEndpoint(endpointId: string): Promise<IEndpointRecord>;
  listDirectory(
    endpointId: string,
    query: {
      path?: string;
      showHidden?: boolean;
      limit?: number;
      offset?: number;
    }
  ): Promise<IListing>;
  makeDirectory(
    endpointId: string,
    path: string
  ): Promise<{ endpoint_id: string; path: string }>;
  submitTransfer(submission: ITransferSubmission): Promise<ITaskRecord>;
  listTasks(query?: {
    limit?: number;
    filter?: string;
  }): Promise<ITaskRecord[]>;
  getTask(taskId: string): Promise<ITaskRecord>;
  cancelTask(taskId: string): Promise<{ task_id: string; message: string }>;
}

/** Error codes the server sends in the `code` field of an error body. */
export type ErrorCode =
  | 'LoginRequired'
  | 'ConsentRequired'
  | 'AuthenticationRequirements'
  | 'PermissionDenied'
  | 'NotFound'
  | 'InvalidRequest'
  | 'GlobusError'
  | 'GlobusTimeout'
  | 'TaskWaitTimeout'
  | 'TunelError';

/**
 * A failed API call.
 *
 * `code` is the server's error code, or `undefined` when the response did not
 * come from tunel-jupyter (for example Jupyter's own 403 after its login
 * expired, or a network failure).
 */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly body: Record<string, unknown> = {}
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get code(): ErrorCode | undefined {
    const code = this.body.code;
    return typeof code === 'string' ? (code as ErrorCode) : undefined;
  }

  /** Whether a new login with more consent or a stronger session is needed. */
  get needsConsent(): boolean {
    return (
      this.code === 'ConsentRequired' ||
      this.code === 'AuthenticationRequirements'
    );
  }

  get requiredScopes(): string[] {
    const scopes = this.body.required_scopes;
    return Array.isArray(scopes) ? scopes.map(String) : [];
  }

  get sessionRequirements(): ISessionRequirements {
    const requirements = this.body.session_requirements;
    return requirements && typeof requirements === 'object'
      ? (requirements as ISessionRequirements)
      : {};
  }

  get loginUrl(): string | undefined {
    const url = this.body.login_url;
    return typeof url === 'string' ? url : undefined;
  }
}
