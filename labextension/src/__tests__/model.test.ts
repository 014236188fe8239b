import { afterEach, describe, expect, it } from 'vitest';

import { GlobusModel } from '../model';
import { buildSubmission, TransferOptions } from '../transfer';
import { ApiError } from '../types';
import { FakeApi, makeEndpoint, makeTask } from './fakeApi';

let models: GlobusModel[] = [];

function setup() {
  const api = new FakeApi();
  api.endpointsByScope.set('my-endpoints', [
    makeEndpoint('remote', 'Tutorial', 'my-endpoints')
  ]);
  api.folders.set('/~/', [
    { name: 'data', type: 'dir' },
    { name: 'notes.txt', type: 'file' }
  ]);
  api.folders.set('/home/jovyan/', [{ name: 'results', type: 'dir' }]);
  api.folders.set('/home/jovyan/results/', [{ name: 'a.csv', type: 'file' }]);
  const model = new GlobusModel(api, { pollInterval: 1000 });
  models.push(model);
  return { api, model };
}

afterEach(() => {
  models.forEach(model => model.tasks.stop());
  models = [];
});

describe('GlobusModel', () => {
  it('loads endpoints and tasks after start when logged in', async () => {
    const { api, model } = setup();

    await model.start();

    expect(model.session.loggedIn).toBe(true);
    expect(model.endpoints.list().records.map(record => record.id)).toEqual([
      'remote'
    ]);
    expect(api.callsOf('listTasks')).toHaveLength(1);
  });

  it('loads nothing from Globus before login', async () => {
    const { api, model } = setup();
    api.status = { ...api.status, logged_in: false, identity: null };

    await model.start();

    expect(model.session.loggedIn).toBe(false);
    expect(api.callsOf('searchEndpoints')).toHaveLength(0);
  });

  it('sends a remote folder into this server with local paths', async () => {
    const { api, model } = setup();
    await model.start();
    await model.chooseEndpoint(model.endpoints.list().records[0], 'source');
    model.source.toggleSelected(model.source.entries[0]);
    model.source.toggleSelected(model.source.entries[1]);
    await model.chooseLocal('destination', 'results');
    model.options.update({
      label: 'Copy data',
      syncLevel: 'checksum',
      verifyChecksum: true
    });

    const task = await model.transfer();

    expect(task?.task_id).toBe('task-1');
    expect(api.submitted).toEqual([
      {
        source_endpoint: 'remote',
        items: [
          {
            source_path: '/~/data',
            destination_local_path: 'results/data',
            recursive: true
          },
          {
            source_path: '/~/notes.txt',
            destination_local_path: 'results/notes.txt'
          }
        ],
        label: 'Copy data',
        sync_level: 'checksum',
        verify_checksum: true
      }
    ]);
    expect(model.tasks.tasks[0].task_id).toBe('task-1');
    expect(model.tasks.polling).toBe(true);
  });

  it('clears the label after a submitted transfer', async () => {
    const { model } = setup();
    await model.start();
    await model.chooseEndpoint(model.endpoints.list().records[0], 'source');
    model.source.toggleSelected(model.source.entries[1]);
    await model.chooseLocal('destination', 'results');
    model.options.update({ label: 'First run', verifyChecksum: true });

    await model.transfer();

    expect(model.options.label).toBe('');
    expect(model.options.verifyChecksum).toBe(true);
  });

  it('lists the destination again when a task into it ends', async () => {
    const { api, model } = setup();
    await model.start();
    await model.chooseLocal('destination');
    expect(model.destination.entries.map(entry => entry.name)).toEqual([
      'results'
    ]);
    api.folders.set('/home/jovyan/', [
      { name: 'data', type: 'dir' },
      { name: 'results', type: 'dir' }
    ]);

    model.tasks.track(
      makeTask('done', {
        status: 'SUCCEEDED',
        is_done: true,
        destination_endpoint_id: 'local-id'
      })
    );
    await new Promise(resolve => setTimeout(resolve, 0));

    expect(model.destination.entries.map(entry => entry.name)).toEqual([
      'data',
      'results'
    ]);
  });

  it('opens this server with file browser paths selected', async () => {
    const { api, model } = setup();
    await model.start();

    await model.sendLocalPaths([{ path: 'results/a.csv', type: 'file' }]);

    expect(model.source.collection?.local?.id).toBe('local-id');
    expect(model.source.path).toBe('/home/jovyan/results/');
    expect([...model.source.selection.values()]).toEqual([
      { name: 'a.csv', type: 'file' }
    ]);
    expect(model.activeSide).toBe('destination');
    expect(api.callsOf('listDirectory').at(-1)).toMatchObject({
      endpointId: 'local-id'
    });
  });

  it('names what blocks a transfer until the form is complete', async () => {
    const { model } = setup();
    await model.start();

    expect(model.transferBlocker).toBe(
      'Choose a source collection and folder.'
    );
    await model.chooseEndpoint(model.endpoints.list().records[0], 'source');
    await model.chooseLocal('destination', 'results');
    expect(model.transferBlocker).toBe(
      'Select the files or folders to transfer.'
    );
    model.source.toggleSelected(model.source.entries[1]);
    expect(model.transferBlocker).toBeNull();
  });

  it('explains what is missing before a transfer', async () => {
    const { api, model } = setup();
    await model.start();

    expect(await model.transfer()).toBeNull();
    expect(model.transferError).toBe('Choose a source collection and folder.');

    await model.chooseEndpoint(model.endpoints.list().records[0], 'source');
    await model.chooseEndpoint(
      model.endpoints.list().records[0],
      'destination'
    );
    expect(await model.transfer()).toBeNull();
    expect(model.transferError).toBe(
      'Select the files or folders to transfer.'
    );

    model.source.toggleSelected(model.source.entries[0]);
    expect(await model.transfer()).toBeNull();
    expect(model.transferError).toMatch(/same folder/);
    expect(api.submitted).toHaveLength(0);
  });

  it('rejects a label longer than Globus allows', () => {
    const { model } = setup();
    const options = new TransferOptions();
    options.update({ label: 'x'.repeat(129) });
    model.source.collection = { id: 'a', displayName: 'A' };
    model.source.path = '/a/';
    model.source.selection.set('f', { name: 'f', type: 'file' });
    model.destination.collection = { id: 'b', displayName: 'B' };
    model.destination.path = '/b/';

    expect(() =>
      buildSubmission(model.source, model.destination, options)
    ).toThrow(/129 characters/);
  });

  it('asks for consent and retries the transfer after login', async () => {
    const { api, model } = setup();
    await model.start();
    await model.chooseEndpoint(model.endpoints.list().records[0], 'source');
    model.source.toggleSelected(model.source.entries[1]);
    await model.chooseLocal('destination');
    const scope =
      'urn:globus:auth:scope:transfer.api.globus.org:all[*https://auth.globus.org/scopes/remote/data_access]';
    api.failures.set('submitTransfer', [
      new ApiError('Consent is required for Tutorial.', 403, {
        code: 'ConsentRequired',
        required_scopes: [scope],
        login_url: '/tunel/globus/login?scopes=x'
      })
    ]);

    expect(await model.transfer()).toBeNull();
    expect(model.session.consent?.scopes).toEqual([scope]);
    expect(api.submitted).toHaveLength(0);

    await model.session.startLogin();
    expect(api.loginRequests).toEqual([{ scopes: [scope] }]);
    expect(await model.submitCode('good-code')).toBe(true);

    expect(model.session.consent).toBeNull();
    expect(api.submitted).toHaveLength(1);
    expect(model.transferError).toBeNull();
  });

  it('passes session requirements to the login', async () => {
    const { api, model } = setup();
    await model.start();
    api.failures.set('listDirectory', [
      new ApiError('Log in with your university identity.', 403, {
        code: 'AuthenticationRequirements',
        required_scopes: [],
        session_requirements: {
          session_required_single_domain: ['example.edu']
        }
      })
    ]);

    await model.chooseEndpoint(model.endpoints.list().records[0], 'source');
    await model.session.startLogin();

    expect(api.loginRequests).toEqual([
      {
        session_requirements: {
          session_required_single_domain: ['example.edu']
        }
      }
    ]);
    await model.submitCode('good-code');
    expect(model.source.entries.map(entry => entry.name)).toEqual([
      'data',
      'notes.txt'
    ]);
  });

  it('marks the session logged out when the server needs a login', async () => {
    const { api, model } = setup();
    await model.start();
    api.failures.set('searchEndpoints', [
      new ApiError('Log in to Globus again.', 401, { code: 'LoginRequired' })
    ]);

    await model.endpoints.reload();

    expect(model.session.loggedIn).toBe(false);
    expect(model.session.status?.reason).toBe('Log in to Globus again.');
  });

  it('keeps the login open after a wrong code', async () => {
    const { model } = setup();
    await model.start();
    await model.session.startLogin({});

    expect(await model.submitCode('')).toBe(false);
    expect(model.session.error).toMatch(/Paste the authorization code/);
    expect(await model.submitCode('bad')).toBe(false);
    expect(model.session.error).toBe(
      'The authorization code is invalid or expired.'
    );
    expect(model.session.login).not.toBeNull();
  });

  it('notices a login finished in another tab', async () => {
    const { api, model } = setup();
    api.status = {
      ...api.status,
      logged_in: false,
      identity: null,
      expires_at: null
    };
    await model.start();

    api.status = {
      ...api.status,
      logged_in: true,
      expires_at: '2031-01-01T00:00:00Z'
    };

    expect(await model.checkLogin()).toBe(true);
    expect(api.callsOf('searchEndpoints')).toHaveLength(1);
  });

  it('clears lists on logout', async () => {
    const { model } = setup();
    await model.start();

    await model.logout();

    expect(model.session.loggedIn).toBe(false);
    expect(model.endpoints.list().records).toHaveLength(0);
    expect(model.tasks.polling).toBe(false);
  });

  it('applies the default scope from the settings', () => {
    const api = new FakeApi();
    const model = new GlobusModel(api, {
      defaultScope: 'shared-with-me',
      pollInterval: 500
    });

    expect(model.endpoints.scope).toBe('shared-with-me');
    expect(model.tasks.interval).toBe(1000);
  });
});
