import { Button } from '@jupyterlab/ui-components';
import * as React from 'react';

import type { GlobusModel } from '../model';
import { describeLogin } from '../session';
import type { IStatus } from '../types';
import { ErrorText, ITransProps, useObservable } from './common';

/**
 * Login state and identity, and the steps to log in when Globus needs a
 * login or more consent.
 */
export function LoginSection(
  props: ITransProps & { model: GlobusModel }
): JSX.Element {
  const { model, trans } = props;
  const session = model.session;
  useObservable(session);
  const status = session.status;

  if (status === null) {
    return (
      <section className="tunel-Login" aria-label={trans.__('Globus login')}>
        <p>{trans.__('Checking the Globus login…')}</p>
        <ErrorText message={session.error} />
      </section>
    );
  }

  const environment = status.environment.is_sandbox ? (
    <div className="tunel-Environment">{status.environment.label}</div>
  ) : null;

  if (status.logged_in && !session.consent) {
    const identity = status.identity;
    const identityText = identity
      ? identity.name
        ? trans.__('%1 (%2)', identity.name, identity.username)
        : identity.username
      : trans.__('unknown identity');
    return (
      <section className="tunel-Login" aria-label={trans.__('Globus login')}>
        {environment}
        <div className="tunel-Identity">
          <span className="tunel-Identity-text">
            {trans.__('Logged in as %1', identityText)}
          </span>
          <Button
            small
            minimal
            className="tunel-LogoutButton"
            onClick={() => void model.logout().catch(() => undefined)}
            disabled={session.busy}
          >
            {trans.__('Log out')}
          </Button>
        </div>
        <ErrorText message={session.error} />
      </section>
    );
  }

  return (
    <section className="tunel-Login" aria-label={trans.__('Globus login')}>
      {environment}
      {session.consent ? (
        <div className="tunel-Consent" role="status">
          <strong>{trans.__('Globus needs your consent.')}</strong>{' '}
          {session.consent.message}
        </div>
      ) : (
        <LoginReason status={status} trans={trans} />
      )}
      {session.login ? (
        <LoginSteps model={model} trans={trans} />
      ) : (
        <button
          className="jp-mod-styled jp-mod-accept tunel-Primary tunel-LoginButton"
          onClick={() => void session.startLogin().catch(() => undefined)}
          disabled={session.busy}
        >
          {session.consent
            ? trans.__('Grant consent')
            : trans.__('Log in with Globus')}
        </button>
      )}
      <ErrorText message={session.error} />
    </section>
  );
}

/** Renders why a login is needed, with the server's reason folded away. */
function LoginReason(props: ITransProps & { status: IStatus }): JSX.Element {
  const { summary, detail } = describeLogin(props.status, props.trans);
  return (
    <div className="tunel-LoginReason">
      <p>{summary}</p>
      {detail ? (
        <details className="tunel-LoginDetail">
          <summary>{props.trans.__('Details')}</summary>
          {detail}
        </details>
      ) : null}
    </div>
  );
}

/** Renders the steps of a started login: the paste flow's link and code box, or the redirect flow's link. */
function LoginSteps(props: ITransProps & { model: GlobusModel }): JSX.Element {
  const { model, trans } = props;
  const login = model.session.login!;
  const [code, setCode] = React.useState('');

  // The redirect flow ends in another tab; look for the new login on return.
  React.useEffect(() => {
    if (login.flow !== 'redirect') {
      return;
    }
    const onFocus = () => void model.checkLogin();
    window.addEventListener('focus', onFocus);
    return () => window.removeEventListener('focus', onFocus);
  }, [login.flow]);

  const link = (
    <a
      className="tunel-AuthorizeLink"
      href={login.authorize_url}
      target="_blank"
      rel="noopener noreferrer"
    >
      {trans.__('Open the Globus login page')}
    </a>
  );

  if (login.flow === 'redirect') {
    return (
      <div className="tunel-LoginSteps">
        <ol>
          <li>{link}</li>
          <li>
            {trans.__(
              'Allow access; Globus then returns that tab to JupyterLab.'
            )}
          </li>
        </ol>
        <Button small onClick={() => void model.checkLogin()}>
          {trans.__('I have logged in')}
        </Button>
        <Button small minimal onClick={() => model.session.cancelLogin()}>
          {trans.__('Cancel')}
        </Button>
      </div>
    );
  }

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    void model.submitCode(code).then(ok => {
      if (ok) {
        setCode('');
      }
    });
  };
  return (
    <form className="tunel-LoginSteps" onSubmit={submit}>
      <ol>
        <li>{link}</li>
        <li>
          {trans.__('Allow access. The page then shows an authorization code.')}
        </li>
        <li>
          <label htmlFor="tunel-auth-code">
            {trans.__('Paste the code here:')}
          </label>
          <input
            id="tunel-auth-code"
            className="jp-mod-styled tunel-CodeInput"
            type="text"
            autoComplete="off"
            spellCheck={false}
            value={code}
            onChange={event => setCode(event.target.value)}
            aria-label={trans.__('Authorization code')}
          />
        </li>
      </ol>
      <button
        type="submit"
        className="jp-mod-styled jp-mod-accept tunel-Primary"
        disabled={model.session.busy}
      >
        {trans.__('Finish login')}
      </button>
      <Button
        type="button"
        small
        minimal
        onClick={() => model.session.cancelLogin()}
      >
        {trans.__('Cancel')}
      </Button>
    </form>
  );
}
