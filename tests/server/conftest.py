"""Fixtures for the server extension: a real Jupyter server with our extension,
pointed at the sandbox, and a cookie-keeping browser-like client."""

from __future__ import annotations

import asyncio
import logging
import typing as t
from pathlib import Path

import pytest
import tornado.httpserver
from jupyter_server.serverapp import ServerApp
from pytest_jupyter.jupyter_core import *  # noqa: F403
from pytest_jupyter.jupyter_server import *  # noqa: F403
from pytest_jupyter.pytest_tornasync import AsyncHTTPServerClient

from .server_helpers import Api, Browser, paste_login

# pytest-jupyter's fixtures are imported here rather than listed in pytest_plugins,
# so its autouse fixtures stay inside tests/server. Its hooks would run coroutine
# tests on a loop of their own. pytest-asyncio runs them here instead, so the
# fixtures below put the Jupyter server on that same loop.
del pytest_pycollect_makeitem, pytest_pyfunc_call  # noqa: F821


@pytest.fixture
async def jp_asyncio_loop() -> t.AsyncIterator[asyncio.AbstractEventLoop]:
    yield asyncio.get_running_loop()


@pytest.fixture
async def http_server(
    jp_asyncio_loop: t.Any, http_server_port: t.Any, jp_web_app: t.Any
) -> t.AsyncIterator[tornado.httpserver.HTTPServer]:
    # As ServerApp does: X-Forwarded-* headers count only with trust_xheaders.
    xheaders = ServerApp.instance().trust_xheaders
    server = tornado.httpserver.HTTPServer(jp_web_app, xheaders=xheaders)
    server.add_socket(http_server_port[0])
    yield server
    server.stop()


@pytest.fixture
async def http_server_client(http_server: t.Any) -> t.AsyncIterator[t.Any]:
    client = AsyncHTTPServerClient(http_server=http_server)
    yield client
    client.close()


@pytest.fixture(autouse=True)
async def jp_server_cleanup(jp_asyncio_loop: t.Any) -> t.AsyncIterator[None]:
    yield
    app = ServerApp.instance()
    await app._cleanup()
    if hasattr(app, "kernel_manager"):
        app.kernel_manager.context.destroy()
    ServerApp.clear_instance()


@pytest.fixture
def jp_root_dir(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    """The Jupyter root is the sandbox's collection root when a test uses one.

    The sandbox and its environment variables come first, so the server starts
    with them in place, as it would when started from a configured shell.
    """
    root = tmp_path / "jupyter-root"
    if "globus_env" in request.fixturenames:
        request.getfixturevalue("globus_env")
    elif "sandbox" in request.fixturenames:
        request.getfixturevalue("sandbox")
    root.mkdir(exist_ok=True)
    return root


@pytest.fixture
def tunel_config() -> dict[str, t.Any]:
    """Options of our extension (``c.TunelGlobus``); override to change them."""
    return {}


@pytest.fixture
def serverapp_config() -> dict[str, t.Any]:
    """Extra ``c.ServerApp`` options for this test; override to change."""
    return {}


@pytest.fixture
def jp_server_config(
    tunel_config: dict[str, t.Any], serverapp_config: dict[str, t.Any]
) -> dict[str, t.Any]:
    return {
        "ServerApp": {
            **serverapp_config,
            "jpserver_extensions": {
                "tunel_jupyter": True,
                "jupyter_server_terminals": False,
            },
            "allow_unauthenticated_access": False,
        },
        "TunelGlobus": tunel_config,
    }


@pytest.fixture
def log_records(jp_serverapp: t.Any) -> t.Iterator[list[logging.LogRecord]]:
    """Every log record of the test, from every logger.

    The server's logger (and our extension's, its child) does not always
    propagate to the root logger, so it is collected too.
    """
    records: list[logging.LogRecord] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if not any(record is known for known in records):
                records.append(record)

    handler = Collect(level=logging.DEBUG)
    loggers = [logging.getLogger(), logging.getLogger("ServerApp")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    yield records
    for logger, level in zip(loggers, levels, strict=True):
        logger.removeHandler(handler)
        logger.setLevel(level)


@pytest.fixture
def api(jp_fetch: t.Callable[..., t.Any]) -> Api:
    return Api(jp_fetch)


@pytest.fixture
async def browser(
    jp_serverapp: t.Any, http_server: t.Any, jp_http_port: int, jp_base_url: str
) -> t.AsyncIterator[Browser]:
    """A browser logged in to the Jupyter server with a cookie (no token header)."""
    client = Browser(f"http://127.0.0.1:{jp_http_port}")
    await client.login(jp_base_url, jp_serverapp.identity_provider.token)
    yield client


@pytest.fixture
async def logged_in(api: Api, globus_env: dict[str, str]) -> dict[str, t.Any]:
    """The server's user logged in to the sandbox through the paste flow."""
    return await paste_login(api)
