"""``GlobusSession``: the one object every surface uses to talk to Globus."""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import typing as t

from ..errors import ConsentRequired, LoginRequired, TunelError, UsageError
from . import login
from .clients import ClientFactory
from .endpoints import is_uuid
from .environment import Environment
from .errors import LOGIN, LOGIN_AGAIN, client_mismatch, translated
from .operations import TransferOperations
from .records import Identity, LoginStatus
from .scopes import AUTH_RESOURCE_SERVER, TRANSFER_RESOURCE_SERVER, login_scopes
from .store import StoreFile

if t.TYPE_CHECKING:
    import globus_sdk

    from .records import LoginRequest
    from .token_storage import SharedTokenStorage

log = logging.getLogger(__name__)

CLIENT_ID_VARIABLE = "TUNEL_GLOBUS_CLIENT_ID"
_NO_CLIENT_ID = (
    "No Globus client ID is configured. Register a native app at "
    "https://app.globus.org/settings/developers: choose 'Register a thick client or "
    "script that will be installed and run by users on their devices', then put its "
    f"client ID in the {CLIENT_ID_VARIABLE} environment variable or in "
    "c.TunelGlobus.client_id of the Jupyter server configuration."
)
_NO_SANDBOX_CLIENT_ID = (
    "No client ID is configured for the tunel-jupyter sandbox at {auth_url}. Export "
    f"the {CLIENT_ID_VARIABLE} line that `tunel-globus sandbox` prints (the sandbox "
    "accepts any UUID as a native client ID)."
)


class GlobusSession(TransferOperations):
    """Log in to Globus, keep the login fresh, and use Transfer.

    Tokens live in the shared store (see :mod:`tunel_jupyter.globus.store`) under
    this session's environment, so every process of the same user and environment
    shares one login. Safe to call from several threads.

    :param client_id: the native app's client ID (or the confidential client's);
        otherwise ``TUNEL_GLOBUS_CLIENT_ID``, then the ID stored at login.
    :param client_secret: makes the client confidential: it gets tokens for itself
        by the client-credentials grant, without a browser.
    :param data_dir: the Jupyter data directory holding ``tunel/globus/``; by
        default ``jupyter_data_dir()``.
    :param environment: the Globus environment; by default
        :meth:`Environment.current`.
    :param http_timeout: seconds to wait for each HTTP response (globus-sdk's
        default is 60).
    :param max_retries: retries of a failed request (globus-sdk's default is 5).
    """

    def __init__(
        self,
        *,
        client_id: str | None = None,
        client_secret: str | None = None,
        data_dir: str | os.PathLike[str] | None = None,
        environment: Environment | None = None,
        http_timeout: float | None = None,
        max_retries: int | None = None,
    ) -> None:
        if client_secret and not client_id:
            raise UsageError(
                "A client secret needs its client ID as well.", field="client_id"
            )
        if max_retries is not None and max_retries < 0:
            raise UsageError(
                f"Invalid max_retries {max_retries}: use 0 or more.",
                field="max_retries",
            )
        self.environment = environment or Environment.current()
        self._client_id = client_id or None
        self._client_secret = client_secret or None
        self._http_timeout = http_timeout
        self._max_retries = max_retries
        store_dir = (
            None if data_dir is None else os.path.join(data_dir, "tunel", "globus")
        )
        self.store = StoreFile(store_dir)
        self._clients = ClientFactory(self.environment, http_timeout, max_retries)
        self._pending = login.PendingLogins()
        self._lock = threading.RLock()
        self._storage_object: SharedTokenStorage | None = None
        self._transfer_client: globus_sdk.TransferClient | None = None

    @property
    def is_confidential(self) -> bool:
        """Whether the session logs in with a client secret."""
        return self._client_secret is not None

    # Login state.

    def resolve_client_id(self) -> str:
        """Return the client ID: explicit, then ``TUNEL_GLOBUS_CLIENT_ID``, then stored.

        :raises UsageError: if none is set. The message explains how to register one.
        """
        client_id = self._client_id or os.environ.get(CLIENT_ID_VARIABLE, "").strip()
        if not client_id:
            try:
                client_id = self._storage.record().get("client_id") or ""
            except LoginRequired:
                client_id = ""
        if not client_id:
            if self.environment.is_sandbox:
                raise UsageError(
                    _NO_SANDBOX_CLIENT_ID.format(auth_url=self.environment.auth_url),
                    field="client_id",
                )
            raise UsageError(_NO_CLIENT_ID, field="client_id")
        if not is_uuid(client_id):
            # Checked here, a typo is named at once, not after the user has opened
            # a login page that Globus Auth rejects.
            raise UsageError(
                f"Invalid Globus client ID {client_id!r}: client IDs are UUIDs. Check "
                f"--client-id, {CLIENT_ID_VARIABLE} or c.TunelGlobus.client_id.",
                field="client_id",
            )
        return client_id

    def status(self) -> LoginStatus:
        """Return the login state from the store, without a network call."""
        try:
            record = self._storage.record()
        except LoginRequired as err:
            return self._status(False, reason=err.message)
        identity = _identity(record.get("identity"))
        transfer = (record.get("tokens") or {}).get(TRANSFER_RESOURCE_SERVER) or {}
        expires_at = transfer.get("expires_at_seconds")
        if record.get("login_required"):
            return self._status(False, identity, reason=record["login_required"])
        usable = transfer.get("refresh_token") or (
            self.is_confidential and transfer.get("access_token")
        )
        if not usable:
            return self._status(
                False,
                identity,
                reason=f"Not logged in to {self.environment.label}: {LOGIN}.",
            )
        return self._status(True, identity, expires_at)

    def check(self) -> LoginStatus:
        """Return the login state after proving with Globus Auth that it works.

        A native login is up to date only if Globus Auth still accepts its refresh
        token. A rejected token puts the store in the "log in again" state. A
        confidential client fetches fresh tokens for itself. Network failures raise
        :class:`GlobusFailure` and leave the tokens as they are.
        """
        if self.is_confidential:
            return self._client_credentials_login()
        current = self.status()
        if not current.logged_in:
            return current

        token_data = self._storage.get_token_data(TRANSFER_RESOURCE_SERVER)
        if token_data is None or not token_data.refresh_token:
            return self.status()
        client_id = self.resolve_client_id()
        auth_client = self._clients.native(client_id)
        with translated("check the login"):
            validation = auth_client.post(
                "/v2/oauth2/token/validate",
                data={
                    "token": token_data.refresh_token,
                    "client_id": auth_client.client_id,
                },
                encoding="form",
            )
        stored_client_id = self._storage.record().get("client_id")
        if not validation.get("active") and stored_client_id not in (None, client_id):
            return self._status(
                False,
                current.identity,
                reason=client_mismatch(stored_client_id, client_id),
            )
        if not validation.get("active"):
            self._storage.mark_login_required(
                "Globus no longer accepts the stored refresh token (it was revoked or "
                f"has expired); {LOGIN_AGAIN}.",
                rejected_refresh_token=token_data.refresh_token,
            )
            self._reset()
        return self.status()

    def start_login(
        self,
        *,
        redirect_uri: str | None = None,
        flow: str | None = None,
        required_scopes: t.Sequence[str] = (),
        session_requirements: t.Mapping[str, t.Any] | None = None,
    ) -> LoginRequest:
        """Start a native-app login (PKCE, refresh tokens) and return its URL.

        The requested scopes are the base scopes, the scopes of the previous login
        (which keeps data_access consents) and ``required_scopes``.
        """
        if self.is_confidential:
            raise UsageError(
                "A confidential client logs in with its secret, not in a browser: "
                "run `tunel-globus login` or call check().",
                field="client_secret",
            )
        if isinstance(required_scopes, str):
            required_scopes = required_scopes.split()
        try:
            previous = self._storage.record().get("scopes") or []
        except LoginRequired:
            previous = []
        scopes = login_scopes(previous, required_scopes)

        auth_client = self._clients.native(self.resolve_client_id())
        with translated("start the login"):
            request, pending = login.start_login(
                auth_client,
                self.environment,
                scopes=scopes,
                redirect_uri=redirect_uri,
                flow=flow,
                session_requirements=session_requirements,
            )
        self._pending.add(pending)
        log.info(
            "Started a Globus login (%s flow) at %s",
            request.flow,
            self.environment.label,
        )
        return request

    def consent_login(
        self,
        error: ConsentRequired,
        *,
        redirect_uri: str | None = None,
        flow: str | None = None,
    ) -> LoginRequest:
        """Start the login that satisfies a :class:`ConsentRequired` error."""
        return self.start_login(
            redirect_uri=redirect_uri,
            flow=flow,
            required_scopes=error.required_scopes,
            session_requirements=error.session_requirements,
        )

    def finish_login(self, code: str, *, state: str | None = None) -> Identity:
        """Exchange the code of a started login for tokens and store them.

        :param state: the login's ``state``; without it, the newest paste-flow
            login of this session is finished.
        :raises UsageError: if Globus Auth rejects the code (the stored tokens stay,
            and the login stays pending for the right code).
        :raises LoginRequired: if the login is unknown, already used or expired.
        """
        pending = self._pending.take(state)
        auth_client = self._clients.native(pending.client_id)
        try:
            tokens = login.exchange_code(auth_client, pending, code)
        except UsageError:
            # Globus Auth refused this code; the same login's right code still works.
            self._pending.restore(pending)
            raise
        identity = login.identity_from_tokens(tokens) or self._userinfo(tokens)
        token_data = login.token_data_from_response(tokens, identity.id)
        if TRANSFER_RESOURCE_SERVER not in token_data:
            raise TunelError(
                "Globus Auth returned no Transfer token for this login; log in again "
                "and allow access to Globus Transfer."
            )
        self._storage.save_login(
            client_id=pending.client_id,
            identity=identity.to_dict(),
            scopes=pending.scopes,
            token_data_by_resource_server=token_data,
        )
        self._reset()
        log.info(
            "Logged in to %s as %s",
            self.environment.label,
            identity.username or identity.id,
        )
        return identity

    def logout(self) -> bool:
        """Revoke the tokens at Globus Auth and remove them from the store.

        :returns: whether Globus confirmed every revocation; the local tokens are
            removed either way.
        """
        import globus_sdk

        try:
            tokens = self._storage.get_token_data_by_resource_server()
        except LoginRequired:
            tokens = {}
        confirmed = bool(tokens)
        values = [
            v
            for data in tokens.values()
            for v in (data.refresh_token, data.access_token)
            if v
        ]
        if values:
            try:
                auth_client = self._login_client(retries=1)
                for value in values:
                    auth_client.oauth2_revoke_token(value)
            except (globus_sdk.GlobusError, UsageError) as err:
                log.warning(
                    "Could not revoke the Globus tokens: %s", type(err).__name__
                )
                confirmed = False
        with contextlib.suppress(LoginRequired):
            self._storage.forget()
        self._reset()
        log.info("Logged out of %s", self.environment.label)
        return confirmed

    def close(self) -> None:
        """Close the HTTP connections of this session's clients."""
        with self._lock:
            client, self._transfer_client = self._transfer_client, None
        if client is not None:
            client.close()

    # Internals.

    @property
    def _storage(self) -> SharedTokenStorage:
        with self._lock:
            if self._storage_object is None:
                from .token_storage import SharedTokenStorage

                self._storage_object = SharedTokenStorage(
                    self.store, self.environment.auth_url
                )
            return self._storage_object

    def _status(
        self,
        logged_in: bool,
        identity: Identity | None = None,
        expires_at: int | None = None,
        *,
        reason: str | None = None,
    ) -> LoginStatus:
        return LoginStatus(
            logged_in=logged_in,
            identity=identity,
            expires_at=expires_at,
            environment=self.environment,
            reason=reason,
        )

    def _transfer(self) -> globus_sdk.TransferClient:
        with self._lock:
            if self._transfer_client is None:
                self._transfer_client = self._clients.transfer(self._authorizer())
            return self._transfer_client

    def _authorizer(self) -> globus_sdk.authorizers.GlobusAuthorizer:
        if self.is_confidential:
            return self._client_credentials_authorizer()
        from .authorizers import SharedRefreshTokenAuthorizer

        status = self.status()
        if not status.logged_in:
            raise LoginRequired(
                status.reason or f"Not logged in to {self.environment.label}: {LOGIN}."
            )
        return SharedRefreshTokenAuthorizer(
            self._storage, TRANSFER_RESOURCE_SERVER, self._login_client()
        )

    def _userinfo(self, tokens: globus_sdk.OAuthTokenResponse) -> Identity:
        auth_tokens = tokens.by_resource_server.get(AUTH_RESOURCE_SERVER)
        if not auth_tokens:
            raise TunelError(
                "Globus Auth returned no identity for this login; log in again and "
                "allow access to your identity (openid, profile, email)."
            )
        client = self._clients.auth(auth_tokens["access_token"])
        with translated("read the identity of the login"):
            info = client.userinfo()
        return Identity(
            id=str(info["sub"]),
            username=info.get("preferred_username"),
            name=info.get("name"),
            email=info.get("email"),
        )

    def _client_credentials_login(self) -> LoginStatus:
        from .confidential import client_credentials_login

        client_credentials_login(self._confidential_client(), self._storage)
        self._reset()
        return self.status()

    def _client_credentials_authorizer(self) -> globus_sdk.authorizers.GlobusAuthorizer:
        from .confidential import StoringClientCredentialsAuthorizer

        return StoringClientCredentialsAuthorizer(
            self._confidential_client(), self._storage
        )

    def _confidential_client(
        self, retries: int | None = None
    ) -> globus_sdk.ConfidentialAppAuthClient:
        return self._clients.confidential(
            self.resolve_client_id(), t.cast(str, self._client_secret), retries=retries
        )

    def _login_client(self, retries: int | None = None) -> globus_sdk.AuthLoginClient:
        if self.is_confidential:
            return self._confidential_client(retries)
        return self._clients.native(self.resolve_client_id(), retries=retries)

    def _reset(self) -> None:
        # Drop the client so the next call builds its authorizer from the store.
        # It is not closed: another thread may still be using it.
        with self._lock:
            self._transfer_client = None


def _identity(stored: t.Any) -> Identity | None:
    if not isinstance(stored, dict) or not stored.get("id"):
        return None
    return Identity(
        id=str(stored["id"]),
        username=stored.get("username"),
        name=stored.get("name"),
        email=stored.get("email"),
    )
