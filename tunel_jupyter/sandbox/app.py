"""The sandbox's tornado application and its route table."""

from __future__ import annotations

import importlib
import typing as t

import tornado.web

from . import control
from .base import NotFoundHandler
from .state import SandboxState

Route = tuple[t.Any, ...]


def make_app(state: SandboxState) -> tornado.web.Application:
    """Build the application: Auth under /auth/, Transfer under /transfer/."""
    kwargs = {"state": state}
    routes: list[Route] = [
        # Test-only control routes
        (r"/_sandbox/requests", control.RequestLogHandler, kwargs),
        (r"/_sandbox/expire-tokens", control.ExpireTokensHandler, kwargs),
        (r"/_sandbox/revoke", control.RevokeHandler, kwargs),
        (r"/_sandbox/options", control.OptionsHandler, kwargs),
        (r"/_sandbox/info", control.InfoHandler, kwargs),
    ]
    routes.extend(_transfer_routes(state))
    return tornado.web.Application(
        routes,
        default_handler_class=NotFoundHandler,
        default_handler_args=kwargs,
        sandbox_state=state,
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
        if isinstance(spec, tornado.web.URLSpec):
            pattern = spec.regex.pattern.lstrip("^").rstrip("$")
            rest: tuple[t.Any, ...] = (spec.handler_class, spec.kwargs)
        else:
            pattern, *others = spec
            rest = tuple(others)
        mounted.append(("/transfer/" + pattern.lstrip("/"), *rest))
    return mounted
