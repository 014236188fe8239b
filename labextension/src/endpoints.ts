import { errorMessage, Observable } from './signal';
import type { EndpointScope, IEndpointRecord, IGlobusApi } from './types';

/** The endpoint lists the panel offers; `search` is full-text search over all. */
export type ListScope =
  'my-endpoints' | 'shared-with-me' | 'recently-used' | 'search';

export const LIST_SCOPES: ListScope[] = [
  'my-endpoints',
  'shared-with-me',
  'recently-used',
  'search'
];

/** Endpoint search returns at most 100 records a page. */
export const ENDPOINT_PAGE_SIZE = 100;

/** Globus endpoint search stops at offset + limit = 1000. */
export const ENDPOINT_SEARCH_CAP = 1000;

/** One scope's records, loaded a page at a time. */
export interface IEndpointList {
  records: IEndpointRecord[];
  hasNextPage: boolean;
  nextOffset: number | null;
  loading: boolean;
  loaded: boolean;
  error: string | null;
  /** The search text the records were loaded for (search scope only). */
  search: string;
}

function emptyList(): IEndpointList {
  return {
    records: [],
    hasNextPage: false,
    nextOffset: null,
    loading: false,
    loaded: false,
    error: null,
    search: ''
  };
}

/**
 * Endpoint lists by scope, each loaded on first view and extended with
 * `loadMore`. A response that arrives after the list was reloaded is dropped.
 */
export class EndpointListModel extends Observable {
  constructor(
    private readonly _api: IGlobusApi,
    private readonly _onError: (
      error: unknown,
      retry: () => Promise<unknown>
    ) => boolean
  ) {
    super();
    for (const scope of LIST_SCOPES) {
      this._lists.set(scope, emptyList());
    }
  }

  scope: ListScope = 'my-endpoints';
  /** The text typed into the search box (searched on `setSearch`). */
  searchText = '';

  list(scope: ListScope = this.scope): IEndpointList {
    return this._lists.get(scope)!;
  }

  /** Shows `scope`, loading it the first time. */
  async select(scope: ListScope): Promise<void> {
    this.scope = scope;
    this.notify();
    const list = this.list(scope);
    if (!list.loaded && !list.loading && (scope !== 'search' || list.search)) {
      await this.reload(scope);
    }
  }

  /** Searches all endpoints for `text`; empty text clears the results. */
  async setSearch(text: string): Promise<void> {
    this.searchText = text;
    this.scope = 'search';
    const list = this.list('search');
    list.search = text.trim();
    if (!list.search) {
      this._lists.set('search', emptyList());
      this._generation.set('search', (this._generation.get('search') ?? 0) + 1);
      this.notify();
      return;
    }
    await this.reload('search');
  }

  /** Loads the first page of `scope` again. */
  async reload(scope: ListScope = this.scope): Promise<void> {
    const search = this.list(scope).search;
    this._lists.set(scope, { ...emptyList(), search });
    await this._load(scope, 0);
  }

  /** Appends the next page of the current scope, when there is one. */
  async loadMore(): Promise<void> {
    const list = this.list();
    if (list.loading || !list.hasNextPage || list.nextOffset === null) {
      return;
    }
    await this._load(this.scope, list.nextOffset);
  }

  /** Forgets every loaded list, for example after a login or logout. */
  clear(): void {
    for (const scope of LIST_SCOPES) {
      this._lists.set(scope, {
        ...emptyList(),
        search: this.list(scope).search
      });
      this._generation.set(scope, (this._generation.get(scope) ?? 0) + 1);
    }
    this.notify();
  }

  /** Marks `scope` stale so it loads again when next shown. */
  invalidate(scope: ListScope): void {
    const list = this.list(scope);
    list.loaded = false;
    if (scope === this.scope && !list.loading) {
      void this.reload(scope);
    }
  }

  private async _load(scope: ListScope, offset: number): Promise<void> {
    const generation = (this._generation.get(scope) ?? 0) + 1;
    this._generation.set(scope, generation);
    const list = this.list(scope);
    list.loading = true;
    list.error = null;
    this.notify();

    const apiScope: EndpointScope = scope === 'search' ? 'all' : scope;
    try {
      const page = await this._api.searchEndpoints({
        scope: apiScope,
        search: scope === 'search' ? list.search : undefined,
        limit: Math.min(ENDPOINT_PAGE_SIZE, ENDPOINT_SEARCH_CAP - offset),
        offset
      });
      if (this._generation.get(scope) !== generation) {
        return;
      }
      const known = new Set(list.records.map(record => record.id));
      list.records = [
        ...list.records,
        ...page.records.filter(record => !known.has(record.id))
      ];
      list.nextOffset = page.next_offset;
      list.hasNextPage =
        page.has_next_page &&
        page.next_offset !== null &&
        page.next_offset < ENDPOINT_SEARCH_CAP;
      list.loaded = true;
    } catch (error) {
      if (this._generation.get(scope) !== generation) {
        return;
      }
      list.error = errorMessage(error);
      this._onError(error, () => this.reload(scope));
    } finally {
      if (this._generation.get(scope) === generation) {
        list.loading = false;
        this.notify();
      }
    }
  }

  private _lists = new Map<ListScope, IEndpointList>();
  private _generation = new Map<ListScope, number>();
}

/**
 * Returns the row to focus after `key` in a list of `count` rows where row
 * `index` has focus, or `null` when the key does not move focus.
 */
export function nextRowIndex(
  key: string,
  index: number,
  count: number
): number | null {
  if (count === 0) {
    return null;
  }
  switch (key) {
    case 'ArrowDown':
      return Math.min(count - 1, index + 1);
    case 'ArrowUp':
      return Math.max(0, index - 1);
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    default:
      return null;
  }
}
