import { describe, expect, it } from 'vitest';

import { ListingModel } from '../listing';
import { ApiError } from '../types';
import { FakeApi, manyFiles } from './fakeApi';

function setup() {
  const api = new FakeApi();
  const model = new ListingModel(api, () => false);
  return { api, model };
}

const collection = { id: 'c1', displayName: 'Tutorial' };

describe('ListingModel', () => {
  it('says a file path is a file and clears the old folder', async () => {
    const { api, model } = setup();
    api.folders.set('/~/', [
      { name: 'notes.txt', type: 'file' },
      { name: 'data', type: 'dir' }
    ]);
    await model.open(collection, '/~/');
    model.toggleSelected(model.entries[1]);
    const longMessage =
      'Directory Listing Failed, /~/notes.txt ... /~/notes.txt ... /~/notes.txt';
    api.failures.set('listDirectory', [
      new ApiError(longMessage, 502, {
        code: 'GlobusError',
        globus_code: 'ExternalError.DirListingFailed.NotDirectory'
      })
    ]);

    await model.cd('/~/notes.txt');

    expect(model.error).toBe('/~/notes.txt is a file, not a folder.');
    expect(model.entries).toEqual([]);
    expect(model.selection.size).toBe(0);
    expect(model.total).toBeNull();
  });

  it('names a missing path once', async () => {
    const { api, model } = setup();
    api.folders.set('/~/', [{ name: 'data', type: 'dir' }]);
    await model.open(collection, '/~/');
    api.failures.set('listDirectory', [
      new ApiError('Not found: /~/nope/ on c1, /~/nope/', 404, {
        code: 'NotFound',
        globus_code: 'ClientError.NotFound'
      })
    ]);

    await model.cd('/~/nope/');

    expect(model.error).toBe('/~/nope/ was not found.');
    expect(model.entries).toEqual([]);
  });

  it('keeps the folder shown when its refresh fails', async () => {
    const { api, model } = setup();
    api.folders.set('/~/', [{ name: 'data', type: 'dir' }]);
    await model.open(collection, '/~/');
    api.failures.set('listDirectory', [
      new ApiError('Globus is unavailable.', 503, { code: 'GlobusError' })
    ]);

    await model.refresh();

    expect(model.error).toBe('Globus is unavailable.');
    expect(model.entries.map(entry => entry.name)).toEqual(['data']);
  });

  it('pages through a folder of 20,000 entries', async () => {
    const { api, model } = setup();
    api.folders.set('/big/', manyFiles(20000));

    await model.open(collection, '/big/');
    expect(model.entries).toHaveLength(200);
    expect(model.total).toBe(20000);
    expect(model.pageCount).toBe(100);
    expect(model.range).toEqual([1, 200]);

    await model.nextPage();
    expect(model.range).toEqual([201, 400]);
    expect(model.entries[0].name).toBe('file-00200');

    await model.goToPage(99);
    expect(model.range).toEqual([19801, 20000]);
    expect(model.hasNextPage).toBe(false);

    await model.goToPage(500);
    expect(model.range).toEqual([19801, 20000]);

    await model.previousPage();
    expect(model.range).toEqual([19601, 19800]);
    const limits = api
      .callsOf('listDirectory')
      .map(call => (call as { limit: number }).limit);
    expect(new Set(limits)).toEqual(new Set([200]));
  });

  it('keeps the selection across pages of one folder', async () => {
    const { api, model } = setup();
    api.folders.set('/big/', manyFiles(500));
    api.folders.set('/', [{ name: 'big', type: 'dir' }]);
    await model.open(collection, '/big/');

    model.toggleSelected(model.entries[0]);
    await model.nextPage();
    model.toggleSelected(model.entries[0]);
    expect([...model.selection.keys()]).toEqual(['file-00000', 'file-00200']);

    await model.up();
    expect(model.path).toBe('/');
    expect(model.selection.size).toBe(0);
  });

  it('enters folders and goes up to the root', async () => {
    const { api, model } = setup();
    api.folders.set('/', [
      { name: 'a', type: 'dir' },
      { name: 'f', type: 'file' }
    ]);
    api.folders.set('/a/', [{ name: 'b', type: 'dir' }]);
    await model.open(collection, '/');

    await model.enter(model.entries[1]);
    expect(model.path).toBe('/');
    await model.enter(model.entries[0]);
    expect(model.path).toBe('/a/');

    await model.up();
    expect(model.path).toBe('/');
    expect(model.isAtTop).toBe(true);
    await model.up();
    expect(api.callsOf('listDirectory')).toHaveLength(3);
  });

  it('stops going up at the Jupyter root of this server', async () => {
    const { api, model } = setup();
    const local = {
      id: 'local',
      root: '/srv/lab/',
      display_name: null,
      source: 'sandbox' as const
    };
    api.folders.set('/srv/lab/', [{ name: 'data', type: 'dir' }]);
    api.folders.set('/srv/lab/data/', []);

    await model.open({ id: 'local', displayName: 'This server', local });
    expect(model.path).toBe('/srv/lab/');
    expect(model.localPath).toBe('');
    expect(model.isAtTop).toBe(true);

    await model.enter(model.entries[0]);
    expect(model.localPath).toBe('data');
    expect(model.isAtTop).toBe(false);
  });

  it('asks for hidden files only when shown', async () => {
    const { api, model } = setup();
    api.folders.set('/', [
      { name: '.hidden', type: 'file' },
      { name: 'seen', type: 'file' }
    ]);
    await model.open(collection, '/');
    expect(model.entries.map(entry => entry.name)).toEqual(['seen']);

    await model.setShowHidden(true);

    expect(model.entries.map(entry => entry.name)).toEqual(['.hidden', 'seen']);
    expect(api.callsOf('listDirectory').at(-1)).toMatchObject({
      showHidden: true,
      offset: 0
    });
  });

  it('keeps the folder shown when a path is not found', async () => {
    const { api, model } = setup();
    api.folders.set('/', []);
    await model.open(collection, '/');

    await model.cd('/missing/');

    expect(model.path).toBe('/');
    expect(model.error).toBe('/missing/ not found.');
    expect(model.loading).toBe(false);
  });

  it('preselects entries when opened', async () => {
    const { api, model } = setup();
    api.folders.set('/d/', [{ name: 'x', type: 'file' }]);

    await model.open(collection, '/d/', [{ name: 'x', type: 'file' }]);

    expect([...model.selection.keys()]).toEqual(['x']);
  });

  it('creates a folder and opens it', async () => {
    const { api, model } = setup();
    api.folders.set('/d/', []);
    await model.open(collection, '/d/');

    expect(await model.makeDirectory(' results ')).toBe(true);
    expect(model.path).toBe('/d/results/');
    expect(api.callsOf('makeDirectory')).toEqual([
      { endpointId: 'c1', path: '/d/results/' }
    ]);

    await model.up();
    expect(model.entries.map(entry => entry.name)).toEqual(['results']);
  });

  it('reports a folder that cannot be created', async () => {
    const { api, model } = setup();
    api.folders.set('/d/', []);
    api.folders.set('/d/x/', []);
    await model.open(collection, '/d/');

    expect(await model.makeDirectory('x')).toBe(false);
    expect(model.error).toBe('/d/x/ already exists.');
    expect(model.path).toBe('/d/');
    expect(await model.makeDirectory('  ')).toBe(false);
  });
});
