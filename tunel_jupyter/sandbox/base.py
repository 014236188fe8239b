"""Base request handler of the sandbox: JSON errors, bearer checks, logging, faults."""

from __future__ import annotations

import asyncio
import hmac
import http.client
import json
import logging
import secrets
import string
import time
import typing as t
from urllib.parse import urlencode

import tornado.web

from .state import AccessToken, SandboxState

log = logging.getLogger(__name__)

CONTROL_PREFIX = "/_sandbox/"
AUTH_PREFIX = "/auth/"
TRANSFER_PREFIX = "/transfer/"
# Header that carries the sandbox's page key (see SandboxState.page_key).
PAGE_KEY_HEADER = "X-Tunel-Sandbox-Key"

# Query parameters whose values never reach the request log.
SECRET_PARAMETERS = frozenset(
    {
        "code",
        "state",
        "code_verifier",
        "code_challenge",
        "token",
        "access_token",
        "refresh_token",
        "client_secret",
    }
)

# Transfer's error codes for plain HTTP statuses.
TRANSFER_CODES = {
    400: "ClientError.BadRequest",
    401: "AuthenticationFailed",
    403: "PermissionDenied",
    404: "ClientError.NotFound",
    405: "ClientError.BadMethod",
    409: "Conflict",
    429: "RequestLimitExceeded",
    500: "InternalError",
    502: "ExternalError",
    503: "ServiceUnavailable",
    504: "GatewayTimeout",
}


class SandboxError(tornado.web.HTTPError):
    """An error whose JSON body is sent as it is."""

    def __init__(self, status: int, body: dict[str, t.Any]) -> None:
        super().__init__(status, log_message=None)
        self.body = body


class SandboxHandler(tornado.web.RequestHandler):
    """Base of every sandbox handler, which writes JSON, errors included."""

    state: SandboxState
    # True for routes that act for the user without a token: authorize, control.
    needs_page_key = False

    def initialize(self, state: SandboxState | None = None) -> None:
        self.state = state if state is not None else self.settings["sandbox_state"]
        self.request_id = "".join(
            secrets.choice(string.ascii_letters + string.digits) for _ in range(9)
        )
        # Handlers may add non-secret details for the request log (e.g. grant_type).
        self.log_extra: dict[str, t.Any] = {}
        self._started = time.monotonic()

    def set_default_headers(self) -> None:
        self.set_header("Cache-Control", "no-store")

    @property
    def is_control(self) -> bool:
        return self.request.path.startswith(CONTROL_PREFIX)

    @property
    def is_auth(self) -> bool:
        return self.request.path.startswith(AUTH_PREFIX)

    @property
    def service_base_url(self) -> str:
        """The service's base URL as this request reached it, ending in a slash."""
        prefix = AUTH_PREFIX if self.is_auth else TRANSFER_PREFIX
        return f"{self.request.protocol}://{self.request.host}{prefix}"

    def check_xsrf_cookie(self) -> None:
        # The Globus APIs are bearer-token APIs; the one HTML form checks its own
        # token (see the authorize handler).
        return None

    async def prepare(self) -> None:
        self.check_page_key()
        if self.is_control:
            return
        options = self.state.options
        if options.latency_ms:
            await asyncio.sleep(options.latency_ms / 1000)
        if options.error_rate and self.state.random.random() < options.error_rate:
            status = self.state.random.choice(options.error_statuses)
            self.raise_status(status, "Injected failure from the sandbox options")

    def check_page_key(self) -> None:
        """Raise 403 if this route needs the page key and the request lacks it."""
        expected = self.state.page_key
        if expected is None:
            return
        if not (self.needs_page_key or self.is_control):
            return
        sent = self.request.headers.get(PAGE_KEY_HEADER, "")
        if not hmac.compare_digest(sent.encode(), expected.encode()):
            self.raise_status(
                403,
                f"This sandbox needs its key in the {PAGE_KEY_HEADER} header; open "
                "its pages through the Jupyter server that started it.",
            )

    def on_finish(self) -> None:
        query = [
            (
                name,
                "***"
                if name in SECRET_PARAMETERS
                else value.decode("utf-8", "replace"),
            )
            for name, values in self.request.query_arguments.items()
            for value in values
        ]
        entry = {
            "time": time.time(),
            "method": self.request.method,
            "path": self.request.path,
            "query": urlencode(query),
            "status": self.get_status(),
            "duration_ms": round((time.monotonic() - self._started) * 1000, 1),
            "request_id": self.request_id,
            **self.log_extra,
        }
        if not self.is_control:
            with self.state.lock:
                self.state.request_log.append(entry)
        log.debug("%(method)s %(path)s -> %(status)s", entry)

    # Answers

    def write_json(self, obj: t.Any, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(obj))

    def api_error(
        self, status: int, code: str, message: str, **extra: t.Any
    ) -> t.NoReturn:
        """Raise a Transfer-style error: ``{"code", "message", "request_id", ...}``."""
        body = {
            "code": code,
            "message": message,
            "request_id": self.request_id,
            "resource": self.request.path,
            **extra,
        }
        raise SandboxError(status, body)

    def oauth_error(self, status: int, error: str, description: str) -> t.NoReturn:
        """Raise an OAuth2 error as Globus Auth's token endpoints return it."""
        raise SandboxError(status, {"error": error, "error_description": description})

    def auth_api_error(self, status: int, code: str, detail: str) -> t.NoReturn:
        """Raise an error as Globus Auth's ``/v2/api/`` routes return it."""
        title = http.client.responses.get(status, "Error")
        body = {
            "errors": [
                {
                    "status": str(status),
                    "code": code,
                    "title": title,
                    "detail": detail,
                    "id": self.request_id,
                }
            ],
            "error": code.lower(),
            "error_description": detail,
        }
        raise SandboxError(status, body)

    def raise_status(self, status: int, message: str) -> t.NoReturn:
        """Raise the service's own error shape for a plain HTTP status."""
        if self.is_auth:
            code = http.client.responses.get(status, "Error").upper()
            self.auth_api_error(status, code.replace(" ", "_"), message)
        self.api_error(status, TRANSFER_CODES.get(status, "InternalError"), message)

    def write_error(self, status_code: int, **kwargs: t.Any) -> None:
        exc_info = kwargs.get("exc_info")
        error = exc_info[1] if exc_info else None
        if isinstance(error, SandboxError):
            self.write_json(error.body, status_code)
            return
        if isinstance(error, tornado.web.HTTPError) and error.log_message:
            message = (
                error.log_message % error.args if error.args else error.log_message
            )
        elif error is None or isinstance(error, tornado.web.HTTPError):
            message = self._reason
        else:
            message = "The sandbox failed to handle this request; see its log."
        try:
            self.raise_status(status_code, message)
        except SandboxError as err:
            self.write_json(err.body, status_code)

    # Authentication

    def authenticate(self, resource_server: str) -> AccessToken:
        """Return the valid bearer token of this request for ``resource_server``.

        Missing, unknown, expired, revoked or other-audience tokens raise 401.
        """
        header = self.request.headers.get("Authorization", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            self._unauthenticated("No bearer token in the Authorization header.")
        token = self.state.lookup_access_token(value.strip())
        if token is None:
            self._unauthenticated("Token is not active.")
        if token.revoked:
            self._unauthenticated("Token has been revoked.")
        if not token.is_valid():
            self._unauthenticated("Token has expired.")
        if token.resource_server != resource_server:
            self._unauthenticated(
                f"Token is for {token.resource_server}, not {resource_server}."
            )
        return token

    def _unauthenticated(self, message: str) -> t.NoReturn:
        if self.is_auth:
            self.auth_api_error(401, "UNAUTHORIZED", message)
        self.api_error(401, "AuthenticationFailed", message)


class NotFoundHandler(SandboxHandler):
    """Handler of every unknown path, which returns the service's own 404."""

    async def prepare(self) -> None:
        await super().prepare()
        self.raise_status(404, f"No such resource: {self.request.path}")
