import { describe, expect, it } from 'vitest';

import {
  EndpointListModel,
  ENDPOINT_SEARCH_CAP,
  nextRowIndex
} from '../endpoints';
import { FakeApi, makeEndpoint, settle } from './fakeApi';

function setup() {
  const api = new FakeApi();
  const errors: unknown[] = [];
  const model = new EndpointListModel(api, error => {
    errors.push(error);
    return false;
  });
  return { api, model, errors };
}

describe('EndpointListModel', () => {
  it('loads a scope the first time it is shown', async () => {
    const { api, model } = setup();
    api.endpointsByScope.set('shared-with-me', [
      makeEndpoint('e1', 'Shared one', 'shared-with-me')
    ]);

    await model.select('shared-with-me');
    await model.select('shared-with-me');

    expect(model.list().records.map(record => record.id)).toEqual(['e1']);
    expect(api.callsOf('searchEndpoints')).toHaveLength(1);
    expect(api.callsOf('searchEndpoints')[0]).toMatchObject({
      scope: 'shared-with-me',
      offset: 0
    });
  });

  it('appends pages with loadMore', async () => {
    const { api, model } = setup();
    api.endpointsByScope.set(
      'my-endpoints',
      Array.from({ length: 250 }, (_, i) =>
        makeEndpoint(`e${i}`, `E ${i}`, 'my-endpoints')
      )
    );

    await model.select('my-endpoints');
    expect(model.list().records).toHaveLength(100);
    expect(model.list().hasNextPage).toBe(true);

    await model.loadMore();
    await model.loadMore();
    await model.loadMore();

    expect(model.list().records).toHaveLength(250);
    expect(model.list().hasNextPage).toBe(false);
    expect(
      api
        .callsOf('searchEndpoints')
        .map(call => (call as { offset: number }).offset)
    ).toEqual([0, 100, 200]);
  });

  it('stops at the search cap of Globus', async () => {
    const { api, model } = setup();
    api.endpointsByScope.set(
      'my-endpoints',
      Array.from({ length: 1500 }, (_, i) =>
        makeEndpoint(`e${i}`, `E ${i}`, 'my-endpoints')
      )
    );

    await model.select('my-endpoints');
    for (let page = 0; page < 20; page++) {
      await model.loadMore();
    }

    expect(model.list().records).toHaveLength(ENDPOINT_SEARCH_CAP);
    expect(model.list().hasNextPage).toBe(false);
  });

  it('searches all endpoints by text', async () => {
    const { api, model } = setup();
    api.endpointsByScope.set('all', [
      makeEndpoint('a', 'Tutorial One', 'all'),
      makeEndpoint('b', 'Archive', 'all')
    ]);

    await model.select('search');
    expect(api.callsOf('searchEndpoints')).toHaveLength(0);

    await model.setSearch('Tutorial');

    expect(model.scope).toBe('search');
    expect(model.list().records.map(record => record.id)).toEqual(['a']);
    expect(api.callsOf('searchEndpoints')[0]).toMatchObject({
      scope: 'all',
      search: 'Tutorial'
    });
  });

  it('drops an answer that arrives after a reload', async () => {
    const { api, model } = setup();
    api.endpointsByScope.set('my-endpoints', [
      makeEndpoint('old', 'Old', 'my-endpoints')
    ]);
    api.held.add('searchEndpoints');
    const first = model.reload('my-endpoints');
    await settle();
    api.endpointsByScope.set('my-endpoints', [
      makeEndpoint('new', 'New', 'my-endpoints')
    ]);
    const second = model.reload('my-endpoints');
    await settle();
    api.release();
    await Promise.all([first, second]);

    expect(model.list().records.map(record => record.id)).toEqual(['new']);
    expect(model.list().loading).toBe(false);
  });

  it('reports failures to the error handler', async () => {
    const { api, model, errors } = setup();
    const { ApiError } = await import('../types');
    api.failures.set('searchEndpoints', [
      new ApiError('Globus is down', 502, { code: 'GlobusError' })
    ]);

    await model.select('my-endpoints');

    expect(model.list().error).toBe('Globus is down');
    expect(errors).toHaveLength(1);
  });
});

describe('nextRowIndex', () => {
  it('moves one row with the arrow keys and stops at the ends', () => {
    expect(nextRowIndex('ArrowDown', 0, 3)).toBe(1);
    expect(nextRowIndex('ArrowDown', 2, 3)).toBe(2);
    expect(nextRowIndex('ArrowUp', 1, 3)).toBe(0);
    expect(nextRowIndex('ArrowUp', 0, 3)).toBe(0);
  });

  it('jumps to the first and last row with Home and End', () => {
    expect(nextRowIndex('Home', 2, 3)).toBe(0);
    expect(nextRowIndex('End', 0, 3)).toBe(2);
  });

  it('ignores other keys and empty tables', () => {
    expect(nextRowIndex('Tab', 0, 3)).toBeNull();
    expect(nextRowIndex('ArrowDown', 0, 0)).toBeNull();
  });
});
