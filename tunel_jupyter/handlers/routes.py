"""The route table of the REST API, in one place."""

from __future__ import annotations

import typing as t

from jupyter_server.utils import url_path_join

from ..errors import NotFound
from . import NAMESPACE, SANDBOX_NAMESPACE
from .base import TunelAPIHandler
from .endpoints import (
    DeleteHandler,
    EndpointHandler,
    EndpointSearchHandler,
    ListingHandler,
    MkdirHandler,
    RenameHandler,
)
from .login import CallbackHandler, CodeHandler, LoginHandler, LogoutHandler
from .openapi import OpenAPIHandler
from .sandbox_pages import SandboxPageHandler
from .status import StatusHandler
from .tasks import CancelHandler, TaskHandler, TaskListHandler
from .transfers import TransferHandler

_ID = r"([^/]+)"


class UnknownRouteHandler(TunelAPIHandler):
    """Answer JSON ``NotFound`` for paths under our namespace that match no route."""

    async def prepare(self) -> None:  # type: ignore[override]
        await super().prepare()
        if not self._finished:
            raise NotFound(f"No such tunel-jupyter route: {self.request.path}")


def route_table() -> list[tuple[t.Any, ...]]:
    """Return ``(pattern, handler[, kwargs])`` relative to the server's base_url."""

    def api(path: str) -> str:
        return url_path_join(NAMESPACE, path) + "/?"

    return [
        (api("status"), StatusHandler),
        (api("login"), LoginHandler),
        (api("login/callback"), CallbackHandler),
        (api("login/code"), CodeHandler),
        (api("logout"), LogoutHandler),
        (api("endpoints"), EndpointSearchHandler),
        (api(f"endpoints/{_ID}"), EndpointHandler),
        (api(f"endpoints/{_ID}/ls"), ListingHandler),
        (api(f"endpoints/{_ID}/mkdir"), MkdirHandler),
        (api(f"endpoints/{_ID}/rename"), RenameHandler),
        (api(f"endpoints/{_ID}/delete"), DeleteHandler),
        (api("transfers"), TransferHandler),
        (api("tasks"), TaskListHandler),
        (api(f"tasks/{_ID}"), TaskHandler),
        (api(f"tasks/{_ID}/cancel"), CancelHandler),
        (url_path_join(NAMESPACE, "openapi.yaml"), OpenAPIHandler, {"format": "yaml"}),
        (url_path_join(NAMESPACE, "openapi.json"), OpenAPIHandler, {"format": "json"}),
        (url_path_join(SANDBOX_NAMESPACE, "(.*)"), SandboxPageHandler),
        (url_path_join(NAMESPACE, ".*"), UnknownRouteHandler),
    ]
