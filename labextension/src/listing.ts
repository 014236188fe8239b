import { asDirectory, joinPath, parentPath, toLocalPath } from './paths';
import { errorMessage, ITranslate, Observable, untranslated } from './signal';
import { ApiError, IFileEntry, IGlobusApi, ILocalCollection } from './types';

/** Entries per listing page; a 20,000-entry folder is 100 pages. */
export const DEFAULT_PAGE_SIZE = 200;

/** A collection chosen as a transfer side. */
export interface ICollectionChoice {
  id: string;
  displayName: string;
  /** Set when this is the Jupyter server's own collection ("this server"). */
  local?: ILocalCollection;
}

/** A selected file or folder, kept across pages and reloads of its folder. */
export interface ISelectedEntry {
  name: string;
  type: string;
}

/**
 * Returns a one-line message for a failed listing of `path`. Globus messages
 * repeat the path several times, so the two common failures get a short
 * message of their own.
 */
export function listingErrorMessage(
  error: unknown,
  path: string,
  trans: ITranslate = untranslated
): string {
  if (error instanceof ApiError) {
    const globusCode = error.body.globus_code;
    if (globusCode === 'ExternalError.DirListingFailed.NotDirectory') {
      return trans.__('%1 is a file, not a folder.', path);
    }
    if (globusCode === 'ClientError.NotFound') {
      return trans.__('%1 was not found.', path);
    }
  }
  return errorMessage(error);
}

/**
 * One side of a transfer: a collection, the folder shown, one page of it, and
 * the entries selected in that folder.
 */
export class ListingModel extends Observable {
  constructor(
    private readonly _api: IGlobusApi,
    private readonly _onError: (
      error: unknown,
      retry: () => Promise<unknown>
    ) => boolean,
    private readonly _trans: ITranslate = untranslated
  ) {
    super();
  }

  collection: ICollectionChoice | null = null;
  /** The folder shown, as the server returned it (absolute, trailing `/`). */
  path = '';
  entries: IFileEntry[] = [];
  offset = 0;
  pageSize = DEFAULT_PAGE_SIZE;
  total: number | null = null;
  hasNextPage = false;
  showHidden = false;
  loading = false;
  error: string | null = null;
  /** Selected entries of `path`, by name. */
  readonly selection = new Map<string, ISelectedEntry>();

  /** The first entry number shown (1-based) and the last. */
  get range(): [number, number] {
    return [
      this.entries.length ? this.offset + 1 : 0,
      this.offset + this.entries.length
    ];
  }

  get pageCount(): number | null {
    return this.total === null
      ? null
      : Math.max(1, Math.ceil(this.total / this.pageSize));
  }

  get hasPreviousPage(): boolean {
    return this.offset > 0;
  }

  /** `path` relative to the Jupyter root, for "this server"; else `null`. */
  get localPath(): string | null {
    const local = this.collection?.local;
    return local && this.path ? toLocalPath(local.root, this.path) : null;
  }

  /**
   * Shows `collection` at `path` (its default directory when absent), with
   * `select` preselected.
   */
  async open(
    collection: ICollectionChoice,
    path?: string,
    select: ISelectedEntry[] = []
  ): Promise<void> {
    this.collection = collection;
    this.path = '';
    this.entries = [];
    await this._list(
      path ??
        (collection.local ? asDirectory(collection.local.root) : undefined),
      0,
      select
    );
  }

  /** Shows another folder of the same collection. */
  async cd(path: string): Promise<void> {
    await this._list(path.trim() || undefined, 0);
  }

  async up(): Promise<void> {
    const parent = parentPath(this.path);
    if (this.isAtTop) {
      return;
    }
    await this._list(parent, 0);
  }

  /** Whether `up` would leave the folder's top: `/`, or the Jupyter root. */
  get isAtTop(): boolean {
    if (!this.path) {
      return true;
    }
    const local = this.collection?.local;
    if (local) {
      return asDirectory(this.path) === asDirectory(local.root);
    }
    return parentPath(this.path) === asDirectory(this.path);
  }

  /** Opens `entry` when it is a folder. */
  async enter(entry: IFileEntry): Promise<void> {
    if (entry.type === 'dir') {
      await this._list(asDirectory(joinPath(this.path, entry.name)), 0);
    }
  }

  /** Lists the shown page again, keeping the selection. */
  async refresh(): Promise<void> {
    if (this.collection) {
      await this._list(this.path || undefined, this.offset, [
        ...this.selection.values()
      ]);
    }
  }

  async nextPage(): Promise<void> {
    if (this.hasNextPage) {
      await this._list(this.path, this.offset + this.pageSize, [
        ...this.selection.values()
      ]);
    }
  }

  async previousPage(): Promise<void> {
    if (this.offset > 0) {
      const offset = Math.max(0, this.offset - this.pageSize);
      await this._list(this.path, offset, [...this.selection.values()]);
    }
  }

  /** Shows page `page` (0-based). */
  async goToPage(page: number): Promise<void> {
    const last = this.pageCount === null ? page : this.pageCount - 1;
    const target = Math.max(0, Math.min(page, last));
    await this._list(this.path, target * this.pageSize, [
      ...this.selection.values()
    ]);
  }

  async setShowHidden(showHidden: boolean): Promise<void> {
    this.showHidden = showHidden;
    await this._list(this.path || undefined, 0, [...this.selection.values()]);
  }

  /** Sets the page size (at least 1), starting again from the first page. */
  async setPageSize(pageSize: number): Promise<void> {
    this.pageSize = Math.max(1, Math.floor(pageSize));
    if (this.collection) {
      await this._list(this.path || undefined, 0, [...this.selection.values()]);
    }
  }

  /**
   * Creates the folder `name` in the folder shown and opens it.
   *
   * @returns Whether the folder was created; `error` contains the reason when not.
   */
  async makeDirectory(name: string): Promise<boolean> {
    const collection = this.collection;
    const trimmed = name.trim();
    if (!collection || !this.path || !trimmed) {
      return false;
    }
    const path = asDirectory(joinPath(this.path, trimmed));
    try {
      await this._api.makeDirectory(collection.id, path);
    } catch (error) {
      this.error = errorMessage(error);
      this._onError(error, () => this.makeDirectory(name));
      this.notify();
      return false;
    }
    await this._list(path, 0);
    return true;
  }

  toggleSelected(entry: IFileEntry): void {
    if (this.selection.has(entry.name)) {
      this.selection.delete(entry.name);
    } else {
      this.selection.set(entry.name, { name: entry.name, type: entry.type });
    }
    this.notify();
  }

  clearSelection(): void {
    this.selection.clear();
    this.notify();
  }

  private async _list(
    path: string | undefined,
    offset: number,
    select: ISelectedEntry[] = []
  ): Promise<void> {
    const collection = this.collection;
    if (!collection) {
      return;
    }
    const request = ++this._request;
    this.loading = true;
    this.error = null;
    this.notify();

    try {
      const listing = await this._api.listDirectory(collection.id, {
        path,
        showHidden: this.showHidden,
        limit: this.pageSize,
        offset
      });
      if (request !== this._request) {
        return;
      }
      const folderChanged =
        asDirectory(listing.path) !== asDirectory(this.path);
      this.path = asDirectory(listing.path);
      this.entries = listing.entries;
      this.offset = offset;
      this.total = listing.total;
      this.hasNextPage = listing.has_next_page;
      if (folderChanged) {
        this.selection.clear();
      }
      for (const entry of select) {
        this.selection.set(entry.name, entry);
      }
    } catch (error) {
      if (request !== this._request) {
        return;
      }
      this.error = listingErrorMessage(error, path ?? this.path, this._trans);
      // The entries shown belong to the previous folder, not to `path`.
      if (path !== undefined && asDirectory(path) !== asDirectory(this.path)) {
        this.entries = [];
        this.offset = 0;
        this.total = null;
        this.hasNextPage = false;
        this.selection.clear();
      }
      this._onError(error, () => this._list(path, offset, select));
    } finally {
      if (request === this._request) {
        this.loading = false;
        this.notify();
      }
    }
  }

  private _request = 0;
}
