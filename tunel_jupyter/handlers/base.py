"""Base handlers: authentication, JSON input, and the one place errors become JSON."""

from __future__ import annotations

import json
import typing as t
import urllib.parse
import uuid

from jupyter_server.base.handlers import APIHandler, JupyterHandler
from jupyter_server.extension.handler import ExtensionHandlerMixin
from jupyter_server.utils import url_path_join
from tornado import web

from ..errors import (
    ConsentRequired,
    GlobusFailure,
    LoginRequired,
    TunelError,
    UsageError,
)
from . import NAMESPACE

if t.TYPE_CHECKING:
    from types import TracebackType

    from ..app import TunelGlobus
    from .service import GlobusService

# Resource name for jupyter_server's Authorizer (actions: read for GET, write for POST).
AUTH_RESOURCE = "tunel_globus"

SESSION_LIST_KEYS = (
    "session_required_identities",
    "session_required_single_domain",
    "session_required_policies",
)
SESSION_KEYS = (*SESSION_LIST_KEYS, "session_required_mfa", "session_message", "prompt")

UNEXPECTED_MESSAGE = (
    "Unexpected error in the tunel-jupyter server extension; the Jupyter server "
    "log has the details."
)


class TunelHandlerMixin(ExtensionHandlerMixin):
    """Shared by every handler of ours: errors as JSON, logs without secrets."""

    auth_resource = AUTH_RESOURCE
    request: t.Any
    settings: dict[str, t.Any]

    @property
    def service(self) -> GlobusService:
        return t.cast("GlobusService", self.settings["tunel_globus_service"])

    @property
    def app(self) -> TunelGlobus:
        return t.cast("TunelGlobus", self.extensionapp)

    async def prepare(self, *args: t.Any, **kwargs: t.Any) -> None:
        await super().prepare(*args, **kwargs)  # type: ignore[misc]
        await self.app.ensure_started()

    @property
    def username(self) -> str:
        """The Jupyter user making this request."""
        user = self.current_user  # type: ignore[attr-defined]
        return str(getattr(user, "username", user))

    @property
    def login_owner(self) -> str:
        """The key a pending login is bound to: the Jupyter user who started it.

        jupyter_server's shared token names no user, and without a cookie each
        token request gets a new anonymous user, so every holder of the token
        counts as one owner.
        """
        provider = self.identity_provider  # type: ignore[attr-defined]
        cookie = self.get_cookie(provider.get_cookie_name(self))  # type: ignore[attr-defined]
        if self.token_authenticated and not cookie:  # type: ignore[attr-defined]
            return "token holder"
        return "user " + self.username

    def api_url(self, *parts: str) -> str:
        """Return the absolute path of one of our routes, e.g. ``api_url("login")``."""
        return url_path_join(self.base_url, NAMESPACE, *parts)

    def public_origin(self) -> str:
        """Return the scheme and host the browser used.

        With ServerApp.trust_xheaders, tornado takes ``protocol`` from
        X-Forwarded-Proto. The host comes from X-Forwarded-Host when a proxy
        sends one, else from Host, which JupyterHub's proxy keeps.
        """
        host = self.request.host
        if self.serverapp.trust_xheaders:
            forwarded = self.request.headers.get("X-Forwarded-Host", "")
            host = forwarded.split(",")[0].strip() or host
        return f"{self.request.protocol}://{host}"

    def login_url(
        self,
        *,
        scopes: t.Sequence[str] = (),
        session_requirements: t.Mapping[str, t.Any] | None = None,
    ) -> str:
        """Return our login route with exactly these scopes and session parameters."""
        query: list[tuple[str, str]] = []
        if scopes:
            query.append(("scopes", " ".join(scopes)))
        for key, value in (session_requirements or {}).items():
            if value is None or value == [] or value == "":
                continue
            if isinstance(value, bool):
                query.append((key, "true" if value else "false"))
            elif isinstance(value, (list, tuple)):
                query.append((key, ",".join(str(item) for item in value)))
            else:
                query.append((key, str(value)))
        url = self.api_url("login")
        return url + "?" + urllib.parse.urlencode(query) if query else url

    def error_body(self, error: TunelError) -> dict[str, t.Any]:
        """Return the JSON body for ``error``, with a ``login_url`` when one helps."""
        if isinstance(error, ConsentRequired):
            error.login_url = self.login_url(
                scopes=error.required_scopes,
                session_requirements=error.session_requirements,
            )
            return error.to_dict()
        body = error.to_dict()
        if isinstance(error, LoginRequired):
            body["login_url"] = self.login_url()
        return body

    def write_error(self, status_code: int, **kwargs: t.Any) -> None:
        exc_info = kwargs.get("exc_info")
        error = exc_info[1] if exc_info else None
        if isinstance(error, TunelError):
            self.set_status(error.http_status)  # type: ignore[attr-defined]
            body = self.error_body(error)
        elif isinstance(error, web.HTTPError):
            # Jupyter's own errors (authentication, XSRF, origin) keep their
            # status and carry no "code", so the front end never reads them as ours.
            body = {
                "message": error.log_message or error.reason or "HTTP error",
                "reason": error.reason,
            }
        else:
            self.set_status(500)  # type: ignore[attr-defined]
            body = {"message": UNEXPECTED_MESSAGE, "code": TunelError.code}
        self.set_header("Content-Type", "application/json")  # type: ignore[attr-defined]
        self.finish(json.dumps(body))  # type: ignore[attr-defined]

    def log_exception(
        self,
        typ: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # tornado's version logs the full request URI, which can carry an
        # authorization code or state; log the path only.
        where = f"{self.request.method} {self.request.path}"
        if isinstance(value, GlobusFailure):
            self.log.error(
                "%s failed: %s (%s, Globus status %s, request %s)",
                where,
                value.message,
                value.code,
                value.globus_status,
                value.request_id,
            )
        elif isinstance(value, TunelError):
            self.log.info("%s: %s (%s)", where, value.message, value.code)
        elif isinstance(value, web.HTTPError):
            self.log.warning(
                "%s: %d %s", where, value.status_code, value.log_message or ""
            )
        else:
            exc_info = t.cast(
                "tuple[type[BaseException], BaseException, TracebackType]",
                (typ, value, tb),
            )
            self.log.error("%s: unexpected error", where, exc_info=exc_info)

    def json_body(self) -> dict[str, t.Any]:
        """Return the request's JSON object (``{}`` when the body is empty)."""
        raw = self.request.body
        if not raw or not raw.strip():
            return {}
        try:
            body = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            raise UsageError(
                f"The request body is not valid JSON ({err.__class__.__name__}): "
                "send a JSON object.",
                field="body",
            ) from err
        except RecursionError as err:
            # json.loads recurses once per nesting level; no route of ours takes
            # bodies nested anywhere near Python's recursion limit.
            raise UsageError(
                "The request body is nested too deeply: send a flat JSON object.",
                field="body",
            ) from err
        if not isinstance(body, dict):
            raise UsageError("The request body must be a JSON object.", field="body")
        return body


class TunelAPIHandler(TunelHandlerMixin, APIHandler):
    """A JSON route of our REST API."""

    def int_argument(
        self, name: str, default: int | None, *, minimum: int, maximum: int
    ) -> int | None:
        """Return an integer query argument, checked against its range."""
        raw = self.get_query_argument(name, None)
        if raw is None or raw == "":
            return default
        try:
            value = int(raw)
        except ValueError:
            raise UsageError(
                f"Invalid {name} {raw!r}: give a whole number.", field=name
            ) from None
        if not minimum <= value <= maximum:
            raise UsageError(
                f"Invalid {name} {value}: give a number from {minimum} to {maximum}.",
                field=name,
            )
        return value

    def bool_argument(self, name: str, default: bool) -> bool:
        """Return a boolean query argument (true/false, 1/0, yes/no)."""
        raw = self.get_query_argument(name, None)
        if raw is None or raw == "":
            return default
        return parse_bool(raw, field=name)

    def text_argument(self, name: str) -> str | None:
        """Return a string query argument, or None when absent or empty."""
        value = self.get_query_argument(name, None)
        return value or None


class TunelPageHandler(TunelHandlerMixin, JupyterHandler):
    """A route the browser opens as a page (login callback, sandbox pages).

    Unlike API routes, an unauthenticated GET is redirected to Jupyter's login page.
    """


def parse_bool(raw: t.Any, *, field: str) -> bool:
    """Parse a JSON or query boolean, raising ``UsageError`` naming ``field``."""
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise UsageError(f"Invalid {field} {raw!r}: give true or false.", field=field)


def require_string(body: t.Mapping[str, t.Any], key: str, *, field: str = "") -> str:
    """Return the non-empty string ``body[key]``, or raise ``UsageError``."""
    value = body.get(key)
    if not isinstance(value, str) or not value.strip():
        raise UsageError(
            f"Missing or empty {key!r}: give a non-empty string.", field=field or key
        )
    return value


def check_uuid(value: str, *, field: str) -> str:
    """Return ``value`` as a canonical UUID string, or raise ``UsageError``."""
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise UsageError(
            f"Invalid {field} {value!r}: give a Globus ID (a UUID).", field=field
        ) from None


def parse_session_requirements(
    values: t.Mapping[str, t.Any], *, field_prefix: str = ""
) -> dict[str, t.Any]:
    """Return the session requirements in ``values`` (query or JSON), checked."""
    requirements: dict[str, t.Any] = {}
    for key, value in values.items():
        field = field_prefix + key
        if key not in SESSION_KEYS:
            raise UsageError(
                f"Unknown session requirement {key!r}: use one of "
                f"{', '.join(SESSION_KEYS)}.",
                field=field,
            )
        if value is None or value == "":
            continue
        if key in SESSION_LIST_KEYS:
            items = value.split(",") if isinstance(value, str) else value
            if not isinstance(items, list) or not all(
                isinstance(item, str) for item in items
            ):
                raise UsageError(f"Invalid {key}: give a list of strings.", field=field)
            requirements[key] = [item.strip() for item in items if item.strip()]
        elif key == "session_required_mfa":
            requirements[key] = parse_bool(value, field=field)
        elif key == "prompt":
            if value != "login":
                raise UsageError(
                    f"Invalid prompt {value!r}: the only value is 'login'.", field=field
                )
            requirements[key] = value
        else:
            if not isinstance(value, str):
                raise UsageError(f"Invalid {key}: give a string.", field=field)
            requirements[key] = value
    return requirements


def parse_scopes(value: t.Any, *, field: str = "scopes") -> list[str]:
    """Return scopes from a space-separated string or a list of strings."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return [scope for item in value for scope in item.split()]
    raise UsageError(
        "Invalid scopes: give a list of scope strings or one space-separated string.",
        field=field,
    )
