"""Native-app login with PKCE: start a login, then finish it with the code.

Two flows share this core. The *paste* flow redirects to Globus Auth's own page that
shows the code, which the user pastes back. The *redirect* flow sends the browser to
the caller's callback with ``code`` and ``state``. The PKCE verifier of a pending
login stays in this process's memory, and each ``state`` is usable once, for
:data:`LOGIN_TTL_SECONDS`; a code that Globus Auth rejects leaves its login
pending, so the user can paste the right code from the same page.
"""

from __future__ import annotations

import dataclasses
import logging
import secrets
import threading
import time
import typing as t

from ..errors import LoginRequired, UsageError
from .errors import LOGIN, SESSION_PARAMETERS, is_invalid_grant, translate, translated
from .records import Identity, LoginRequest

if t.TYPE_CHECKING:
    import globus_sdk
    from globus_sdk.token_storage import TokenStorageData

    from .environment import Environment

log = logging.getLogger(__name__)

LOGIN_TTL_SECONDS = 600
MAX_PENDING_LOGINS = 64
FLOWS = ("paste", "redirect")


@dataclasses.dataclass(frozen=True)
class PendingLogin:
    """State of a started login, kept in memory: it never leaves the process."""

    state: str
    verifier: str
    client_id: str
    scopes: tuple[str, ...]
    redirect_uri: str
    flow: str
    expires_at: float
    created_at: float


class PendingLogins:
    """Started logins by ``state``, single-use and expiring; thread-safe."""

    def __init__(self) -> None:
        self._pending: dict[str, PendingLogin] = {}
        self._lock = threading.Lock()

    def add(self, pending: PendingLogin) -> None:
        with self._lock:
            self._purge()
            while len(self._pending) >= MAX_PENDING_LOGINS:
                oldest = min(self._pending.values(), key=lambda p: p.created_at)
                del self._pending[oldest.state]
            self._pending[pending.state] = pending

    def take(self, state: str | None) -> PendingLogin:
        """Remove and return the pending login for ``state``.

        With no ``state``, the newest paste-flow login is taken, which is how a
        pasted code (that carries no state) finds its login.

        :raises LoginRequired: if the login is unknown, used or expired.
        """
        with self._lock:
            self._purge()
            if state is None:
                pasted = [p for p in self._pending.values() if p.flow == "paste"]
                if not pasted:
                    raise LoginRequired(
                        "No login is in progress in this process (logins expire after "
                        f"{LOGIN_TTL_SECONDS // 60} minutes); {LOGIN}."
                    )
                state = max(pasted, key=lambda p: p.created_at).state
            pending = self._pending.pop(state, None)
        if pending is None:
            raise LoginRequired(
                "This login is unknown, was already completed or has expired (logins "
                f"expire after {LOGIN_TTL_SECONDS // 60} minutes); start a new one: "
                f"{LOGIN}."
            )
        return pending

    def restore(self, pending: PendingLogin) -> None:
        """Put back a login taken for a code that was rejected, unless it expired.

        A mistyped code must not end the login: the right code from the same
        page still has to work.
        """
        with self._lock:
            self._purge()
            if pending.expires_at > time.time():
                self._pending.setdefault(pending.state, pending)

    def _purge(self) -> None:
        now = time.time()
        for state in [s for s, p in self._pending.items() if p.expires_at <= now]:
            del self._pending[state]


def start_login(
    auth_client: globus_sdk.NativeAppAuthClient,
    environment: Environment,
    *,
    scopes: t.Sequence[str],
    redirect_uri: str | None,
    flow: str | None,
    session_requirements: t.Mapping[str, t.Any] | None,
) -> tuple[LoginRequest, PendingLogin]:
    """Start a native-app login and return its request and its pending record.

    :raises UsageError: for an unknown flow or session requirement.
    """
    if flow is None:
        flow = "paste" if redirect_uri is None else "redirect"
    if flow not in FLOWS:
        raise UsageError(
            f"Invalid login flow {flow!r}: use 'paste' or 'redirect'.", field="flow"
        )
    if flow == "redirect" and redirect_uri is None:
        raise UsageError(
            "The redirect login flow needs a redirect_uri.", field="redirect_uri"
        )
    redirect_uri = redirect_uri or environment.auth_code_url
    session = check_session_requirements(session_requirements)

    state = secrets.token_urlsafe(24)
    flow_manager = auth_client.oauth2_start_flow(
        list(scopes), redirect_uri=redirect_uri, state=state, refresh_tokens=True
    )
    url = auth_client.oauth2_get_authorize_url(**session)
    url = browser_url(url, environment)

    now = time.time()
    pending = PendingLogin(
        state=state,
        verifier=flow_manager.verifier,
        client_id=str(auth_client.client_id),
        scopes=tuple(scopes),
        redirect_uri=redirect_uri,
        flow=flow,
        expires_at=now + LOGIN_TTL_SECONDS,
        created_at=now,
    )
    request = LoginRequest(
        authorize_url=url,
        state=state,
        redirect_uri=redirect_uri,
        flow=flow,
        expires_at=int(pending.expires_at),
    )
    log.debug("Started a %s login (state hash %s)", flow, _short_hash(state))
    return request, pending


def exchange_code(
    auth_client: globus_sdk.NativeAppAuthClient, pending: PendingLogin, code: str
) -> globus_sdk.OAuthTokenResponse:
    """Exchange an authorization code for tokens.

    :raises UsageError: if the code is empty or Globus Auth rejects it.
    """
    code = "".join(code.split())
    if not code:
        raise UsageError(
            "The authorization code is empty: paste the code Globus shows after you "
            "log in.",
            field="code",
        )
    auth_client.oauth2_start_flow(
        list(pending.scopes),
        redirect_uri=pending.redirect_uri,
        state=pending.state,
        verifier=pending.verifier,
        refresh_tokens=True,
    )
    import globus_sdk

    try:
        tokens = auth_client.oauth2_exchange_code_for_tokens(code)
    except globus_sdk.GlobusAPIError as err:
        if is_invalid_grant(err) or err.http_status in (400, 401):
            raise UsageError(
                "Globus Auth rejected the authorization code: it is wrong, expired or "
                "was already used. Check the code and paste it again, or start a new "
                "login.",
                field="code",
            ) from err
        raise translate(err, action="finish the login") from err
    except globus_sdk.GlobusError as err:
        raise translate(err, action="finish the login") from err
    log.debug("Exchanged the login code (state hash %s)", _short_hash(pending.state))
    return tokens


def identity_from_tokens(tokens: globus_sdk.OAuthTokenResponse) -> Identity | None:
    """Read the identity from the id_token (checking its signature), if any."""
    if not tokens.get("id_token"):
        return None
    with translated("read the identity from the login"):
        claims = tokens.decode_id_token()
    return Identity(
        id=str(claims["sub"]),
        username=claims.get("preferred_username"),
        name=claims.get("name"),
        email=claims.get("email"),
    )


def token_data_from_response(
    tokens: globus_sdk.OAuthTokenResponse, identity_id: str | None
) -> dict[str, TokenStorageData]:
    """Turn a token response into storage records, one per resource server."""
    from globus_sdk.token_storage import TokenStorageData

    return {
        resource_server: TokenStorageData(
            resource_server=entry["resource_server"],
            identity_id=identity_id,
            scope=entry["scope"],
            access_token=entry["access_token"],
            refresh_token=entry.get("refresh_token"),
            expires_at_seconds=entry["expires_at_seconds"],
            token_type=entry.get("token_type"),
        )
        for resource_server, entry in tokens.by_resource_server.items()
    }


def check_session_requirements(
    requirements: t.Mapping[str, t.Any] | None,
) -> dict[str, t.Any]:
    """Check session requirements and return them as authorize URL parameters.

    :raises UsageError: for an unknown name or a value of the wrong type.
    """
    result: dict[str, t.Any] = {}
    for name, value in (requirements or {}).items():
        if name not in SESSION_PARAMETERS:
            raise UsageError(
                f"Unknown session requirement {name!r}: use one of "
                f"{', '.join(SESSION_PARAMETERS)}.",
                field="session_requirements",
            )
        if value is None:
            continue
        if name == "session_required_mfa" and not isinstance(value, bool):
            raise UsageError(
                f"Invalid session_required_mfa {value!r}: use true or false.",
                field="session_requirements",
            )
        if name == "prompt" and value != "login":
            raise UsageError(
                f"Invalid prompt {value!r}: the only accepted value is 'login'.",
                field="session_requirements",
            )
        if name.startswith("session_required_") and name != "session_required_mfa":
            value = [value] if isinstance(value, str) else list(value)
        result[name] = value
    return result


def browser_url(url: str, environment: Environment) -> str:
    """Rebase an Auth URL onto the address a browser uses to reach Globus Auth."""
    if environment.browser_auth_url != environment.auth_url and url.startswith(
        environment.auth_url
    ):
        return environment.browser_auth_url + url[len(environment.auth_url) :]
    return url


def _short_hash(value: str) -> str:
    from .authorizers import token_hash

    return token_hash(value)
