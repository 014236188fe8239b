"""The sandbox's tornado application and its route table."""

from __future__ import annotations

import importlib
import typing as t

import tornado.routing
import tornado.web
from tornado.log import access_log

from . import auth_api, authorize, control, oauth
from .base import NotFoundHandler
from .state import SandboxState

Route = tuple[t.Any, ...]


def make_app(state: SandboxState) -> tornado.web.Application:
    """Build the application: Auth under /auth/, Transfer under /transfer/."""
    kw = {"state": state}
    routes: list[Route] = [
        # Globus Auth
        (r"/auth/\.well-known/openid-configuration", auth_api.OpenIDConfigHandler, kw),
        (r"/auth/jwk\.json", auth_api.JWKSHandler, kw),
        (r"/auth/v2/oauth2/authorize", authorize.AuthorizeHandler, kw),
        (r"/auth/v2/web/auth-code", authorize.AuthCodePageHandler, kw),
        (r"/auth/v2/oauth2/token", oauth.TokenHandler, kw),
        (r"/auth/v2/oauth2/token/revoke", oauth.RevokeHandler, kw),
        (r"/auth/v2/oauth2/token/validate", oauth.ValidateHandler, kw),
        (r"/auth/v2/oauth2/token/introspect", oauth.IntrospectHandler, kw),
        (r"/auth/v2/oauth2/userinfo", auth_api.UserinfoHandler, kw),
        (r"/auth/v2/api/identities", auth_api.IdentitiesHandler, kw),
        (r"/auth/v2/api/identities/([^/]+)/consents", auth_api.ConsentsHandler, kw),
        (r"/auth/v2/api/clients", auth_api.ClientsHandler, kw),
        # Test-only control routes
        (r"/_sandbox/requests", control.RequestLogHandler, kw),
        (r"/_sandbox/expire-tokens", control.ExpireTokensHandler, kw),
        (r"/_sandbox/revoke", control.RevokeHandler, kw),
        (r"/_sandbox/options", control.OptionsHandler, kw),
        (r"/_sandbox/info", control.InfoHandler, kw),
    ]
    routes.extend(_transfer_routes(state))
    return tornado.web.Application(
        routes,
        default_handler_class=NotFoundHandler,
        default_handler_args=kw,
        sandbox_state=state,
        log_function=_log_request,
    )


def _log_request(handler: tornado.web.RequestHandler) -> None:
    """Log a request like tornado does, but without its query string.

    Query strings of the auth-code page and the authorize redirect carry codes and
    OAuth state, which must not reach logs.
    """
    status = handler.get_status()
    if status < 400:
        log_method = access_log.info
    elif status < 500:
        log_method = access_log.warning
    else:
        log_method = access_log.error
    log_method(
        "%d %s %s (%s) %.2fms",
        status,
        handler.request.method,
        handler.request.path,
        handler.request.remote_ip,
        1000.0 * handler.request.request_time(),
    )


def _transfer_routes(state: SandboxState) -> list[Route]:
    """Mount the Transfer side's routes (patterns relative to /transfer/)."""
    try:
        transfer = importlib.import_module(f"{__package__}.transfer")
    except ModuleNotFoundError as err:
        if err.name != f"{__package__}.transfer":
            raise
        return []
    if not hasattr(transfer, "routes"):
        return []
    mounted: list[Route] = []
    for spec in transfer.routes(state):
        if isinstance(spec, tornado.routing.URLSpec):
            pattern = spec.regex.pattern.lstrip("^").rstrip("$")
            rest: tuple[t.Any, ...] = (spec.handler_class, spec.kwargs)
        else:
            pattern, *others = spec
            rest = tuple(others)
        mounted.append(("/transfer/" + pattern.lstrip("/"), *rest))
    return mounted
