import { describe, expect, it } from 'vitest';

import { describeLogin } from '../session';
import { FakeApi } from './fakeApi';

function statusWith(reason: string, withIdentity: boolean) {
  const status = new FakeApi().status;
  return {
    ...status,
    logged_in: false,
    identity: withIdentity ? status.identity : null,
    reason
  };
}

describe('describeLogin', () => {
  it('says not logged in without terminal advice', () => {
    const state = describeLogin(
      statusWith(
        'Not logged in to Globus sandbox: log in with `tunel-globus login`.',
        false
      )
    );
    expect(state.summary).toBe('Not logged in to Globus.');
    expect(state.detail).toBeNull();
  });

  it('says an expired login expired and keeps the reason', () => {
    const state = describeLogin(
      statusWith(
        'Globus no longer accepts the stored refresh token (it was revoked ' +
          'or has expired); log in again with `tunel-globus login`.',
        true
      )
    );
    expect(state.summary).toBe('Your Globus login has expired or was revoked.');
    expect(state.detail).toBe(
      'Globus no longer accepts the stored refresh token (it was revoked ' +
        'or has expired).'
    );
    expect(state.detail).not.toContain('tunel-globus');
    expect(state.detail).not.toContain('`');
  });

  it('handles a status without a reason', () => {
    const state = describeLogin(statusWith('', false));
    expect(state.summary).toBe('Not logged in to Globus.');
    expect(state.detail).toBeNull();
  });
});
