"""Login routes: start a login, finish it (redirect or paste flow), log out."""

from __future__ import annotations

import posixpath
import typing as t
import urllib.parse

from jupyter_server.auth.decorator import authorized
from jupyter_server.utils import url_path_join
from tornado import web

from ..errors import PermissionDenied, UsageError
from .base import (
    SESSION_KEYS,
    TunelAPIHandler,
    TunelHandlerMixin,
    TunelPageHandler,
    parse_scopes,
    parse_session_requirements,
    require_string,
)
from .status import iso_time, status_body

if t.TYPE_CHECKING:
    from ..globus import GlobusSession
    from ..globus.records import Identity, LoginRequest


class LoginHandler(TunelAPIHandler):
    """Start a login: GET redirects the browser, POST returns the authorize URL."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        arguments = {
            key: self.get_query_argument(key)
            for key in SESSION_KEYS
            if self.get_query_argument(key, None) is not None
        }
        request = await start_login(
            self,
            scopes=parse_scopes(" ".join(self.get_query_arguments("scopes"))),
            session_requirements=parse_session_requirements(arguments),
            next_url=self.get_query_argument("next", None),
        )
        self.redirect(request.authorize_url)

    @web.authenticated
    @authorized
    async def post(self) -> None:
        body = self.json_body()
        unknown = set(body) - {"scopes", "session_requirements", "next"}
        if unknown:
            name = sorted(unknown)[0]
            raise UsageError(
                f"Unknown field {name!r}: a login takes scopes, "
                "session_requirements and next.",
                field=name,
            )
        requirements = body.get("session_requirements") or {}
        if not isinstance(requirements, dict):
            raise UsageError(
                "Invalid session_requirements: give a JSON object.",
                field="session_requirements",
            )
        request = await start_login(
            self,
            scopes=parse_scopes(body.get("scopes")),
            session_requirements=parse_session_requirements(
                requirements, field_prefix="session_requirements."
            ),
            next_url=body.get("next"),
        )
        self.finish(
            {
                "flow": request.flow,
                "authorize_url": request.authorize_url,
                "expires_at": iso_time(request.expires_at),
            }
        )


class CallbackHandler(TunelPageHandler):
    """End of the redirect flow: store the tokens and return to JupyterLab."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        state = self.get_query_argument("state", None)
        if not state:
            raise UsageError(
                "The login callback has no state: start the Globus login again.",
                field="state",
            )
        pending = self.service.logins.take(state, owner=self.login_owner)

        error = self.get_query_argument("error", None)
        if error:
            detail = self.get_query_argument("error_description", None) or error
            raise PermissionDenied(f"The Globus login did not finish: {detail}")
        code = self.get_query_argument("code", None)
        if not code:
            raise UsageError(
                "The login callback has no authorization code: start the Globus "
                "login again.",
                field="code",
            )

        await finish_login(self, code, state=pending.state)
        self.redirect(pending.next_url or url_path_join(self.base_url, "lab"))


class CodeHandler(TunelAPIHandler):
    """End of the paste flow: exchange the code the user pasted."""

    @web.authenticated
    @authorized
    async def post(self) -> None:
        code = require_string(self.json_body(), "code").strip()
        pending = self.service.logins.take_latest(owner=self.login_owner, flow="paste")
        try:
            await finish_login(self, code, state=pending.state)
        except UsageError:
            # Globus Auth rejected the code, and the core keeps its login for the
            # right code from the same page: so does this table.
            self.service.logins.add(
                state=pending.state,
                owner=pending.owner,
                flow=pending.flow,
                next_url=pending.next_url,
                expires_at=pending.expires_at,
            )
            raise
        self.finish(await status_body(self))


class LogoutHandler(TunelAPIHandler):
    """Revoke the tokens and remove them from the shared store."""

    @web.authenticated
    @authorized
    async def post(self) -> None:
        def logout(session: GlobusSession) -> bool:
            return session.logout()

        revoked = await self.service.run(logout)
        self.service.invalidate_endpoints()
        self.log.info("Logged out of Globus (revoked by Globus: %s)", revoked)
        self.finish({"logged_in": False, "revoked": revoked})


async def start_login(
    handler: TunelHandlerMixin,
    *,
    scopes: list[str],
    session_requirements: dict[str, t.Any],
    next_url: str | None,
) -> LoginRequest:
    """Start a login in the configured flow and remember who started it."""
    next_url = check_next_url(handler, next_url)
    flow = handler.app.login_flow
    redirect_uri = None
    if flow == "redirect":
        redirect_uri = handler.app.redirect_uri or (
            handler.public_origin() + handler.api_url("login", "callback")
        )

    def start(session: GlobusSession) -> LoginRequest:
        return session.start_login(
            redirect_uri=redirect_uri,
            flow=flow,
            required_scopes=scopes,
            session_requirements=session_requirements or None,
        )

    request = await handler.service.run(start)
    handler.service.logins.add(
        state=request.state,
        owner=handler.login_owner,
        flow=request.flow,
        next_url=next_url,
        expires_at=request.expires_at,
    )
    handler.log.debug("Started a %s-flow Globus login", request.flow)
    return request


async def finish_login(handler: TunelHandlerMixin, code: str, *, state: str) -> None:
    """Exchange ``code`` for tokens, store them, and drop cached listings."""

    def finish(session: GlobusSession) -> Identity:
        return session.finish_login(code, state=state)

    identity = await handler.service.run(finish)
    handler.service.invalidate_endpoints()
    handler.log.info("Logged in to Globus as %s", identity.username or identity.id)


def check_next_url(handler: TunelHandlerMixin, next_url: t.Any) -> str | None:
    """Return ``next_url`` if it is a path on this server, else raise ``UsageError``.

    Only paths under the server's base_url are accepted, also after resolving
    ``..`` and percent-escapes, so a login link cannot send the browser to another
    site, or to another user's server behind the same proxy, after the login.
    """
    if next_url is None or next_url == "":
        return None
    if not isinstance(next_url, str):
        raise UsageError("Invalid next: give a path on this server.", field="next")
    parts = urllib.parse.urlsplit(next_url)
    base_url = handler.base_url
    resolved = posixpath.normpath(urllib.parse.unquote(parts.path)) + "/"
    if (
        parts.scheme
        or parts.netloc
        or "\\" in next_url
        or next_url.startswith("//")
        or not next_url.startswith(base_url)
        or not resolved.startswith(urllib.parse.unquote(base_url))
        or any(ord(char) < 32 for char in next_url)
    ):
        raise UsageError(
            f"Invalid next {next_url!r}: give a path on this Jupyter server, "
            f"starting with {base_url!r}.",
            field="next",
        )
    return next_url
