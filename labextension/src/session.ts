import { errorMessage, ITranslate, Observable, untranslated } from './signal';
import {
  ApiError,
  IGlobusApi,
  ILoginStart,
  ILoginStartRequest,
  ISessionRequirements,
  IStatus
} from './types';

/** A consent request from the server: the scopes and session requirements to log in with. */
export interface IConsentRequest {
  message: string;
  scopes: string[];
  sessionRequirements: ISessionRequirements;
}

/**
 * Login state: the server's status, a login in progress, and a pending
 * consent request with the actions to retry once the user has granted it.
 */
export class SessionModel extends Observable {
  constructor(
    private readonly _api: IGlobusApi,
    private readonly _trans: ITranslate = untranslated
  ) {
    super();
  }

  /** The last status from the server, or `null` before the first response. */
  status: IStatus | null = null;
  /** The login the user has started and not finished. */
  login: (ILoginStart & { request: ILoginStartRequest }) | null = null;
  consent: IConsentRequest | null = null;
  busy = false;
  error: string | null = null;

  get loggedIn(): boolean {
    return this.status?.logged_in ?? false;
  }

  /**
   * Reads the status from the server.
   *
   * @returns Whether the identity or the token expiry changed, which is how a
   *   login finished in another tab (redirect flow) becomes visible.
   */
  async refresh(): Promise<boolean> {
    const before = this.status === null ? null : this._loginKey();
    try {
      this.status = await this._api.getStatus();
      this.error = null;
    } catch (error) {
      this.error = errorMessage(error);
    }
    const changed =
      before !== null && this.loggedIn && this._loginKey() !== before;
    if (changed) {
      this.login = null;
      await this._afterLogin();
    }
    this.notify();
    return changed;
  }

  /**
   * Starts a login; with a pending consent request its scopes and session
   * requirements are requested unless `request` names others.
   */
  async startLogin(request?: ILoginStartRequest): Promise<ILoginStart> {
    const loginRequest = request ?? this._consentLoginRequest();
    this._setBusy(true);
    try {
      const started = await this._api.startLogin(loginRequest);
      this.login = { ...started, request: loginRequest };
      this.error = null;
      return started;
    } catch (error) {
      this.error = errorMessage(error);
      throw error;
    } finally {
      this._setBusy(false);
    }
  }

  /**
   * Finishes a paste-flow login with the code the authorize page showed.
   *
   * @returns Whether the login succeeded. When it did not, `error` contains the reason.
   */
  async submitCode(code: string): Promise<boolean> {
    const trimmed = code.trim();
    if (!trimmed) {
      this.error = this._trans.__(
        'Paste the authorization code that the Globus page shows.'
      );
      this.notify();
      return false;
    }
    this._setBusy(true);
    try {
      this.status = await this._api.finishLogin(trimmed);
      this.login = null;
      this.error = null;
      await this._afterLogin();
      return true;
    } catch (error) {
      this.error = errorMessage(error);
      return false;
    } finally {
      this._setBusy(false);
    }
  }

  cancelLogin(): void {
    this.login = null;
    this.error = null;
    this.notify();
  }

  async logout(): Promise<boolean> {
    this._setBusy(true);
    try {
      const result = await this._api.logout();
      this.login = null;
      this.consent = null;
      this._retries = [];
      this.error = null;
      await this.refresh();
      return result.revoked;
    } catch (error) {
      this.error = errorMessage(error);
      throw error;
    } finally {
      this._setBusy(false);
    }
  }

  /**
   * Records what a failed call needs from the user.
   *
   * `LoginRequired` marks the session as logged out. `ConsentRequired` and
   * `AuthenticationRequirements` keep `retry`, which runs after the next
   * successful login.
   *
   * @returns Whether the error was a login or consent request.
   */
  handleError(error: unknown, retry?: () => Promise<unknown>): boolean {
    if (!(error instanceof ApiError)) {
      return false;
    }
    if (error.code === 'LoginRequired') {
      if (this.status) {
        this.status = {
          ...this.status,
          logged_in: false,
          reason: error.message
        };
      }
      if (retry) {
        this._retries.push(retry);
      }
      this.notify();
      return true;
    }
    if (error.needsConsent) {
      this.consent = {
        message: error.message,
        scopes: error.requiredScopes,
        sessionRequirements: error.sessionRequirements
      };
      if (retry) {
        this._retries.push(retry);
      }
      this.notify();
      return true;
    }
    return false;
  }

  private _consentLoginRequest(): ILoginStartRequest {
    if (!this.consent) {
      return {};
    }
    const request: ILoginStartRequest = {};
    if (this.consent.scopes.length > 0) {
      request.scopes = this.consent.scopes;
    }
    if (Object.keys(this.consent.sessionRequirements).length > 0) {
      request.session_requirements = this.consent.sessionRequirements;
    }
    return request;
  }

  private async _afterLogin(): Promise<void> {
    this.consent = null;
    const retries = this._retries;
    this._retries = [];
    // A retry that fails again records its own error through handleError.
    await Promise.all(retries.map(retry => retry().catch(() => undefined)));
  }

  private _loginKey(): string {
    const status = this.status;
    if (!status?.logged_in) {
      return '';
    }
    return `${status.identity?.id ?? ''} ${status.expires_at ?? ''}`;
  }

  private _setBusy(busy: boolean): void {
    this.busy = busy;
    this.notify();
  }

  private _retries: Array<() => Promise<unknown>> = [];
}

/** The login state the panel shows: a short summary and the server's reason. */
export interface ILoginState {
  summary: string;
  /** The server's reason without its command-line advice, or `null` when it adds nothing. */
  detail: string | null;
}

// The server's reasons end with advice for the terminal ("log in with
// `tunel-globus login`"), which the panel replaces with its Log in button.
const TERMINAL_ADVICE = /[\s;:,]*log in(?: again)? with `[^`]*`\s*\.?\s*$/i;

/**
 * Describes a logged-out `status` for the panel. A status that still names an
 * identity had a login that expired or was revoked.
 */
export function describeLogin(
  status: IStatus,
  trans: ITranslate = untranslated
): ILoginState {
  const summary = status.identity
    ? trans.__('Your Globus login has expired or was revoked.')
    : trans.__('Not logged in to Globus.');
  let detail = (status.reason ?? '').replace(TERMINAL_ADVICE, '').trim();
  if (detail && !/[.!?]$/.test(detail)) {
    detail += '.';
  }
  if (!detail || /^not logged in\b/i.test(detail)) {
    return { summary, detail: null };
  }
  return { summary, detail: detail.replace(/`/g, '') };
}
