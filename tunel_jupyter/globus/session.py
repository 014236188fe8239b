"""``GlobusSession``: the one object every surface uses to talk to Globus."""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import typing as t

from ..errors import ConsentRequired, LoginRequired, TunelError, UsageError
from . import endpoints, files, login, transfers
from .environment import Environment
from .errors import LOGIN, translated
from .records import Identity, LoginStatus
from .scopes import (
    AUTH_RESOURCE_SERVER,
    TRANSFER_RESOURCE_SERVER,
    data_access_scope,
    login_scopes,
    needs_data_access,
)
from .store import StoreFile

if t.TYPE_CHECKING:
    import globus_sdk

    from .records import (
        EndpointPage,
        EndpointRecord,
        Listing,
        LoginRequest,
        TaskEvent,
        TaskRecord,
        TransferRequest,
    )
    from .token_storage import SharedTokenStorage

log = logging.getLogger(__name__)

ResultT = t.TypeVar("ResultT")

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


class GlobusSession:
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
        return client_id

    def status(self) -> LoginStatus:
        """Return the login state from the store, without a network call."""
        try:
            record = self._storage.record()
        except LoginRequired as err:
            return self._status(False, reason=err.message)
        identity = Identity(**record["identity"]) if record.get("identity") else None
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
        auth_client = self._native_client(self.resolve_client_id())
        with translated("check the Globus login"):
            validation = auth_client.post(
                "/v2/oauth2/token/validate",
                data={
                    "token": token_data.refresh_token,
                    "client_id": auth_client.client_id,
                },
                encoding="form",
            )
        if not validation.get("active"):
            self._storage.mark_login_required(
                "Globus no longer accepts the stored refresh token (it was revoked or "
                f"has expired); {LOGIN.replace('log in', 'log in again')}.",
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

        auth_client = self._native_client(self.resolve_client_id())
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
        :raises UsageError: if Globus Auth rejects the code (the stored tokens stay).
        :raises LoginRequired: if the login is unknown, already used or expired.
        """
        pending = self._pending.take(state)
        auth_client = self._native_client(pending.client_id)
        tokens = login.exchange_code(auth_client, pending, code)
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

    # Transfer.

    def search_endpoints(
        self,
        *,
        scope: str = "my-endpoints",
        search: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> EndpointPage:
        """Return one page of an endpoint search under a filter scope."""
        return self._call(
            endpoints.search_endpoints,
            scope=scope,
            search=search,
            limit=limit,
            offset=offset,
        )

    def list_endpoints(
        self,
        scopes: t.Sequence[str] = ("my-endpoints", "shared-with-me"),
        *,
        search: str | None = None,
    ) -> list[EndpointRecord]:
        """Return every endpoint under ``scopes``, merged by ID."""
        return self._call(endpoints.list_endpoints, scopes, search=search)

    def get_endpoint(self, endpoint_id: str) -> EndpointRecord:
        """Return one endpoint by ID."""
        return self._call(endpoints.get_endpoint, endpoint_id)

    def resolve_endpoint(self, name_or_id: str) -> EndpointRecord:
        """Return the endpoint with this UUID or unique display name."""
        return self._call(endpoints.resolve_endpoint, name_or_id)

    def ls(
        self,
        endpoint_id: str,
        path: str | None = None,
        *,
        show_hidden: bool = False,
        limit: int | None = None,
        offset: int = 0,
    ) -> Listing:
        """List a directory (a page of it with ``limit``/``offset``)."""
        return self._call(
            files.ls,
            endpoint_id,
            path,
            show_hidden=show_hidden,
            limit=limit,
            offset=offset,
            collections=(endpoint_id,),
        )

    def mkdir(self, endpoint_id: str, path: str) -> None:
        """Create a directory."""
        self._call(files.mkdir, endpoint_id, path, collections=(endpoint_id,))

    def rename(self, endpoint_id: str, old_path: str, new_path: str) -> None:
        """Rename a file or directory."""
        self._call(
            files.rename, endpoint_id, old_path, new_path, collections=(endpoint_id,)
        )

    def delete(
        self,
        endpoint_id: str,
        paths: t.Sequence[str],
        *,
        recursive: bool = False,
        label: str | None = None,
    ) -> TaskRecord:
        """Submit a delete task."""
        return self._call(
            files.delete,
            endpoint_id,
            paths,
            recursive=recursive,
            label=label,
            collections=(endpoint_id,),
        )

    def submit_transfer(self, request: TransferRequest) -> TaskRecord:
        """Submit a transfer (checked before anything is sent) and return its task."""
        return self._call(
            transfers.submit_transfer,
            request,
            collections=(request.source_endpoint, request.destination_endpoint),
        )

    def list_tasks(
        self, *, limit: int = 20, filter: str | t.Mapping[str, t.Any] | None = None
    ) -> list[TaskRecord]:
        """Return the newest tasks."""
        return self._call(transfers.list_tasks, limit=limit, filter=filter)

    def get_task(self, task_id: str) -> TaskRecord:
        """Return a task's details."""
        return self._call(transfers.get_task, task_id)

    def task_events(self, task_id: str, *, limit: int = 20) -> list[TaskEvent]:
        """Return a task's newest events."""
        return self._call(transfers.task_events, task_id, limit=limit)

    def cancel_task(self, task_id: str) -> str:
        """Cancel a task and return Globus's message."""
        return self._call(transfers.cancel_task, task_id)

    def wait_task(
        self,
        task_id: str,
        *,
        timeout: float | None = None,
        polling_interval: float = 2,
        on_progress: t.Callable[[TaskRecord], None] | None = None,
    ) -> TaskRecord:
        """Wait for a task to end; see :func:`transfers.wait_task`."""
        return self._call(
            transfers.wait_task,
            task_id,
            timeout=timeout,
            polling_interval=polling_interval,
            on_progress=on_progress,
        )

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

    def _call(
        self,
        function: t.Callable[..., ResultT],
        *args: t.Any,
        collections: t.Sequence[str] = (),
        **kwargs: t.Any,
    ) -> ResultT:
        client = self._transfer()
        try:
            try:
                return function(client, *args, **kwargs)
            except LoginRequired as err:
                if not self._retry_after_401(client, err):
                    raise
            return function(client, *args, **kwargs)
        except LoginRequired:
            self._reset()
            raise
        except ConsentRequired as err:
            filtered = self._filter_consent(err, collections)
            if filtered is err:
                raise
            raise filtered from err

    def _retry_after_401(
        self, client: globus_sdk.TransferClient, err: LoginRequired
    ) -> bool:
        """Prepare one retry of a call that Transfer rejected with 401.

        globus-sdk renews the access token and retries a 401 itself, but counts
        that retry against ``max_retries``. So with ``max_retries=0`` the session
        retries here instead.
        """
        import globus_sdk

        cause = err.__cause__
        rejected = (
            isinstance(cause, globus_sdk.GlobusAPIError) and cause.http_status == 401
        )
        if not rejected or self._max_retries != 0 or client.authorizer is None:
            return False
        return bool(client.authorizer.handle_missing_authorization())

    def _filter_consent(
        self, err: ConsentRequired, collections: t.Sequence[str]
    ) -> ConsentRequired:
        """Drop data_access scopes for collections that do not take one.

        Only GCSv5 mapped collections take a data_access consent; asking for one
        on a guest, high-assurance or Globus Connect Personal collection would fail.
        """
        dropped = []
        for collection_id in collections:
            scope = data_access_scope(str(collection_id))
            if scope not in err.required_scopes:
                continue
            try:
                record = endpoints.get_endpoint(self._transfer(), str(collection_id))
            except TunelError:
                continue
            if not needs_data_access(record):
                dropped.append(scope)
        if not dropped:
            return err
        remaining = [s for s in err.required_scopes if s not in dropped]
        return ConsentRequired(
            err.message,
            required_scopes=remaining,
            session_requirements=err.session_requirements,
            login_url=err.login_url,
        )

    def _transfer(self) -> globus_sdk.TransferClient:
        with self._lock:
            if self._transfer_client is None:
                import globus_sdk

                self._transfer_client = globus_sdk.TransferClient(
                    base_url=self.environment.transfer_url,
                    authorizer=self._authorizer(),
                    **self._client_options(),
                )
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

    def _client_options(self, retries: int | None = None) -> dict[str, t.Any]:
        import globus_sdk

        options: dict[str, t.Any] = {}
        if self._http_timeout is not None:
            options["transport"] = globus_sdk.transport.RequestsTransport(
                http_timeout=self._http_timeout
            )
        default = globus_sdk.transport.RetryConfig()
        max_retries = (
            default.max_retries if self._max_retries is None else self._max_retries
        )
        if retries is not None:
            max_retries = min(max_retries, retries)
        options["retry_config"] = globus_sdk.transport.RetryConfig(
            max_retries=max_retries, backoff=_make_backoff(default.backoff)
        )
        return options

    def _native_client(self, client_id: str) -> globus_sdk.NativeAppAuthClient:
        import globus_sdk

        return globus_sdk.NativeAppAuthClient(
            client_id, base_url=self.environment.auth_url, **self._client_options()
        )

    def _login_client(self, retries: int | None = None) -> globus_sdk.AuthLoginClient:
        import globus_sdk

        client_id = self.resolve_client_id()
        if self.is_confidential:
            return globus_sdk.ConfidentialAppAuthClient(
                client_id,
                t.cast(str, self._client_secret),
                base_url=self.environment.auth_url,
                **self._client_options(retries),
            )
        return globus_sdk.NativeAppAuthClient(
            client_id,
            base_url=self.environment.auth_url,
            **self._client_options(retries),
        )

    def _userinfo(self, tokens: globus_sdk.OAuthTokenResponse) -> Identity:
        import globus_sdk

        auth_tokens = tokens.by_resource_server.get(AUTH_RESOURCE_SERVER)
        if not auth_tokens:
            raise TunelError(
                "Globus Auth returned no identity for this login; log in again and "
                "allow access to your identity (openid, profile, email)."
            )
        client = globus_sdk.AuthClient(
            base_url=self.environment.auth_url,
            authorizer=globus_sdk.AccessTokenAuthorizer(auth_tokens["access_token"]),
            **self._client_options(),
        )
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

        client = t.cast("globus_sdk.ConfidentialAppAuthClient", self._login_client())
        client_credentials_login(client, self._storage)
        self._reset()
        return self.status()

    def _client_credentials_authorizer(self) -> globus_sdk.authorizers.GlobusAuthorizer:
        from .confidential import StoringClientCredentialsAuthorizer

        client = t.cast("globus_sdk.ConfidentialAppAuthClient", self._login_client())
        return StoringClientCredentialsAuthorizer(client, self._storage)

    def _reset(self) -> None:
        # Drop the client so the next call builds its authorizer from the store.
        # It is not closed: another thread may still be using it.
        with self._lock:
            self._transfer_client = None


def _make_backoff(
    default: t.Callable[[globus_sdk.transport.RetryContext], float],
) -> t.Callable[[globus_sdk.transport.RetryContext], float]:
    def backoff(context: globus_sdk.transport.RetryContext) -> float:
        # A 401 is retried right after the token is renewed: waiting gains nothing.
        if context.response is not None and context.response.status_code == 401:
            return 0.0
        return default(context)

    return backoff
