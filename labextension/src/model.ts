import { EndpointListModel, ListScope, LIST_SCOPES } from './endpoints';
import { ICollectionChoice, ISelectedEntry, ListingModel } from './listing';
import { asDirectory, fromLocalPath, parentPath } from './paths';
import { SessionModel } from './session';
import {
  Emitter,
  errorMessage,
  ITranslate,
  Observable,
  untranslated
} from './signal';
import { TaskListModel } from './tasks';
import {
  buildSubmission,
  TransferFormError,
  TransferOptions
} from './transfer';
import type { IEndpointRecord, IGlobusApi, ITaskRecord } from './types';

/** The transfer side (source or destination) that a collection is chosen for. */
export type Side = 'source' | 'destination';

/** User settings that change the model (from `schema/plugin.json`). */
export interface IModelSettings {
  defaultScope: ListScope;
  pollInterval: number;
  pageSize: number;
}

export const DEFAULT_SETTINGS: IModelSettings = {
  defaultScope: 'my-endpoints',
  pollInterval: 2000,
  pageSize: 200
};

/**
 * State of the Globus panel: login, endpoint lists, the two transfer sides,
 * transfer options and the task list.
 *
 * Every API failure goes through `session.handleError`, so a login or consent
 * request from the server becomes the panel's login steps and the failed call
 * runs again once the user has logged in.
 */
export class GlobusModel extends Observable {
  constructor(
    readonly api: IGlobusApi,
    settings: Partial<IModelSettings> = {},
    private readonly _trans: ITranslate = untranslated
  ) {
    super();
    const onError = (error: unknown, retry: () => Promise<unknown>) =>
      this.session.handleError(error, retry);
    this.session = new SessionModel(api, _trans);
    this.endpoints = new EndpointListModel(api, onError);
    this.source = new ListingModel(api, onError, _trans);
    this.destination = new ListingModel(api, onError, _trans);
    this.tasks = new TaskListModel(api, onError);
    this.options = new TransferOptions();
    this.applySettings({ ...DEFAULT_SETTINGS, ...settings });

    // Show the files a finished task wrote (or deleted) without a manual refresh.
    this.tasks.taskEnded.connect(task => {
      for (const side of [this.source, this.destination]) {
        const id = side.collection?.id;
        if (
          id &&
          (id === task.destination_endpoint_id ||
            id === task.source_endpoint_id)
        ) {
          void side.refresh();
        }
      }
    });

    for (const part of [
      this.session,
      this.endpoints,
      this.source,
      this.destination,
      this.tasks,
      this.options
    ]) {
      part.changed.connect(() => this.notify());
    }
  }

  readonly session: SessionModel;
  readonly endpoints: EndpointListModel;
  readonly source: ListingModel;
  readonly destination: ListingModel;
  readonly tasks: TaskListModel;
  readonly options: TransferOptions;
  /** Fires with each transfer submitted from the panel. */
  readonly submitted = new Emitter<ITaskRecord>();

  /** The side the endpoint table fills when the user picks a collection. */
  activeSide: Side = 'source';
  submitting = false;
  transferError: string | null = null;

  /**
   * What the user must still do before a transfer can be submitted, or `null`
   * when the form is complete.
   */
  get transferBlocker(): string | null {
    try {
      buildSubmission(this.source, this.destination, this.options, this._trans);
      return null;
    } catch (error) {
      if (error instanceof TransferFormError) {
        return error.message;
      }
      throw error;
    }
  }

  /** Sets the default scope, polling interval and page size. */
  applySettings(settings: IModelSettings): void {
    this.settings = settings;
    this.tasks.interval = settings.pollInterval;
    if (LIST_SCOPES.includes(settings.defaultScope) && !this._started) {
      this.endpoints.scope = settings.defaultScope;
    }
    for (const side of [this.source, this.destination]) {
      if (side.pageSize !== settings.pageSize) {
        void side.setPageSize(settings.pageSize);
      }
    }
  }

  settings: IModelSettings = DEFAULT_SETTINGS;

  /** Reads the status and, when logged in, loads endpoints and tasks. */
  async start(): Promise<void> {
    this._started = true;
    await this.session.refresh();
    if (this.session.loggedIn) {
      await this._loadAfterLogin();
    }
  }

  /** Reloads everything the panel shows. */
  async refresh(): Promise<void> {
    const wasLoggedIn = this.session.loggedIn;
    await this.session.refresh();
    if (!this.session.loggedIn) {
      return;
    }
    if (!wasLoggedIn) {
      await this._loadAfterLogin();
      return;
    }
    await Promise.all([
      this.endpoints.reload(),
      this.tasks.reload(),
      this.source.refresh(),
      this.destination.refresh()
    ]);
  }

  /** Finishes a paste-flow login, then loads what the panel shows. */
  async submitCode(code: string): Promise<boolean> {
    const ok = await this.session.submitCode(code);
    if (ok) {
      await this._loadAfterLogin();
    }
    return ok;
  }

  /** Checks whether a login finished in another tab (redirect flow). */
  async checkLogin(): Promise<boolean> {
    const changed = await this.session.refresh();
    if (changed) {
      await this._loadAfterLogin();
    }
    return changed;
  }

  async logout(): Promise<boolean> {
    const revoked = await this.session.logout();
    this.endpoints.clear();
    this.tasks.stop();
    this.tasks.tasks = [];
    return revoked;
  }

  /** The "this server" choice, or `null` when the server has no collection. */
  get localCollection(): ICollectionChoice | null {
    const local = this.session.status?.local_collection;
    if (!local) {
      return null;
    }
    return { id: local.id, displayName: local.display_name ?? local.id, local };
  }

  /** Opens `record` on the active side, or on `side`. */
  async chooseEndpoint(
    record: IEndpointRecord,
    side: Side = this.activeSide
  ): Promise<void> {
    const local = this.localCollection;
    const choice: ICollectionChoice =
      local && local.id === record.id
        ? local
        : { id: record.id, displayName: record.display_name };
    await this.listing(side).open(
      choice,
      record.default_directory ?? undefined
    );
  }

  /** Opens "this server" on `side` at a folder relative to the Jupyter root. */
  async chooseLocal(
    side: Side,
    localDirectory = '',
    select: ISelectedEntry[] = []
  ): Promise<void> {
    const local = this.localCollection;
    if (!local?.local) {
      throw new Error(
        this._trans.__('This Jupyter server has no Globus collection.')
      );
    }
    const directory = asDirectory(
      fromLocalPath(local.local.root, localDirectory)
    );
    await this.listing(side).open(local, directory, select);
  }

  /**
   * Opens "this server" as the source with the given Jupyter paths selected
   * (all in one folder, as the file browser selects them).
   */
  async sendLocalPaths(
    items: Array<{ path: string; type: 'file' | 'directory' }>
  ): Promise<void> {
    if (items.length === 0) {
      return;
    }
    const folder = parentPath(`/${items[0].path}`).replace(/^\/+/, '');
    const select = items.map(item => ({
      name: item.path.split('/').pop() ?? item.path,
      type: item.type === 'directory' ? 'dir' : 'file'
    }));
    this.activeSide = 'destination';
    await this.chooseLocal('source', folder, select);
    this.notify();
  }

  setActiveSide(side: Side): void {
    this.activeSide = side;
    this.notify();
  }

  listing(side: Side): ListingModel {
    return side === 'source' ? this.source : this.destination;
  }

  /** Swaps the source and destination collections and folders. */
  async swapSides(): Promise<void> {
    const source = {
      collection: this.source.collection,
      path: this.source.path
    };
    const destination = {
      collection: this.destination.collection,
      path: this.destination.path
    };
    await Promise.all([
      destination.collection
        ? this.source.open(destination.collection, destination.path)
        : Promise.resolve(),
      source.collection
        ? this.destination.open(source.collection, source.path)
        : Promise.resolve()
    ]);
  }

  /**
   * Submits a transfer of the source selection into the destination folder.
   *
   * @returns The new task, or `null` when the form is incomplete or the call
   *   failed. `transferError` contains the reason, and a call that needed
   *   consent runs again after the consent login.
   */
  async transfer(): Promise<ITaskRecord | null> {
    let submission;
    try {
      submission = buildSubmission(
        this.source,
        this.destination,
        this.options,
        this._trans
      );
    } catch (error) {
      if (!(error instanceof TransferFormError)) {
        throw error;
      }
      this.transferError = error.message;
      this.notify();
      return null;
    }

    this.submitting = true;
    this.transferError = null;
    this.notify();
    const submit = async (): Promise<ITaskRecord> => {
      const task = await this.api.submitTransfer(submission);
      this.tasks.track(task);
      // A label names one task, so the next transfer starts without one.
      this.options.update({ label: '' });
      this.endpoints.invalidate('recently-used');
      this.submitted.emit(task);
      return task;
    };
    try {
      return await submit();
    } catch (error) {
      this.transferError = errorMessage(error);
      this.session.handleError(error, async () => {
        this.transferError = null;
        await submit();
      });
      return null;
    } finally {
      this.submitting = false;
      this.notify();
    }
  }

  private async _loadAfterLogin(): Promise<void> {
    this.endpoints.clear();
    await Promise.all([
      this.endpoints.select(this.endpoints.scope),
      this.tasks.reload()
    ]);
  }

  private _started = false;
}
