"""``GET openapi.yaml`` and ``GET openapi.json``: the API's own description."""

from __future__ import annotations

import functools
import json
import pathlib
import typing as t

from jupyter_server.auth.decorator import authorized
from tornado import web

from .base import TunelAPIHandler

DOCUMENT = pathlib.Path(__file__).with_name("openapi.yaml")


@functools.cache
def document_text() -> str:
    """Return the OpenAPI document as shipped (YAML)."""
    return DOCUMENT.read_text(encoding="utf-8")


@functools.cache
def document_json() -> str:
    """Return the OpenAPI document as JSON text."""
    import yaml

    return json.dumps(yaml.safe_load(document_text()))


class OpenAPIHandler(TunelAPIHandler):
    """Serve the OpenAPI document as YAML or JSON."""

    def initialize(self, *args: t.Any, format: str = "yaml", **kwargs: t.Any) -> None:
        super().initialize(*args, **kwargs)
        self.format = format

    @web.authenticated
    @authorized
    async def get(self) -> None:
        if self.format == "json":
            self.finish(document_json())
        else:
            self.finish(document_text(), set_content_type="application/yaml")
