"""Run the sandbox on a loopback port, in its own thread or on a running loop."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import threading
import typing as t
from pathlib import Path

import tornado.httpserver
import tornado.netutil

from .app import make_app
from .state import SandboxOptions, SandboxState, load_seed

log = logging.getLogger(__name__)

# Not JSON, because every *.json file of the state folder is a part of the state.
PORT_FILE = "port"


class Sandbox:
    """A local stand-in for Globus Auth and Transfer on one HTTP port.

    ``root`` adds a collection rooted at that folder (``local_collection_id``).
    ``seed`` is a seed file path or an already loaded seed dict. ``state_dir`` keeps
    tokens, consents, tasks and the port across restarts. ``page_key``, if set, must
    arrive in the ``X-Tunel-Sandbox-Key`` header of every authorize and ``/_sandbox/``
    request, so other local processes cannot approve logins or drive the sandbox.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        root: str | os.PathLike[str] | None = None,
        seed: str | os.PathLike[str] | dict[str, t.Any] | None = None,
        state_dir: str | os.PathLike[str] | None = None,
        options: SandboxOptions | None = None,
        page_key: str | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.root = Path(root) if root is not None else None
        if self.root is not None:
            self.root.mkdir(parents=True, exist_ok=True)
        seed_data = seed if isinstance(seed, dict) else load_seed(seed)
        self.state = SandboxState(
            seed=seed_data,
            root=self.root,
            state_dir=state_dir,
            options=options,
            page_key=page_key,
        )
        self._server: tornado.httpserver.HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._sockets: list[socket.socket] = []

    # Addresses

    @property
    def url(self) -> str:
        """Base URL without a trailing slash, e.g. ``http://127.0.0.1:8123``."""
        if not self._sockets:
            raise RuntimeError("the sandbox is not running; call start() first")
        return self.state.base_url

    @property
    def auth_url(self) -> str:
        return f"{self.url}/auth/"

    @property
    def transfer_url(self) -> str:
        return f"{self.url}/transfer/"

    @property
    def native_client_id(self) -> str:
        return self.state.native_client_id

    @property
    def confidential_client(self) -> tuple[str, str]:
        client = self.state.confidential_client
        assert client.secret is not None
        return client.client_id, client.secret

    @property
    def local_collection_id(self) -> str | None:
        return self.state.local_collection_id

    def env(self) -> dict[str, str]:
        """Return the environment variables that point globus-sdk and tunel here."""
        variables = {
            "GLOBUS_SDK_SERVICE_URL_AUTH": self.auth_url,
            "GLOBUS_SDK_SERVICE_URL_TRANSFER": self.transfer_url,
            "TUNEL_GLOBUS_CLIENT_ID": self.native_client_id,
        }
        if self.local_collection_id is not None:
            variables["TUNEL_GLOBUS_LOCAL_COLLECTION_ID"] = self.local_collection_id
        return variables

    # Lifecycle on a running loop

    async def start_async(self) -> None:
        """Listen on the current event loop."""
        self._listen()

    async def stop_async(self) -> None:
        """Stop listening, end open connections and close the state."""
        await self._shutdown()

    def _listen(self) -> None:
        if self._server is not None:
            raise RuntimeError("the sandbox is already running")
        self._sockets = self._bind()
        port = self._sockets[0].getsockname()[1]
        self._remember_port(port)
        host = f"[{self.host}]" if ":" in self.host else self.host
        self.state.base_url = f"http://{host}:{port}"
        self._server = tornado.httpserver.HTTPServer(make_app(self.state))
        self._server.add_sockets(self._sockets)
        log.info("Sandbox listening at %s", self.state.base_url)

    def _bind(self) -> list[socket.socket]:
        family = socket.AF_INET if _is_ipv4(self.host) else socket.AF_UNSPEC
        port = self.port
        previous = self._previous_port()
        # Logins are stored under the Auth URL, port included, so the port of the
        # last run keeps them working after a restart with the same state.
        if port == 0 and previous and _port_free(self.host, previous):
            port = previous
        return tornado.netutil.bind_sockets(port, self.host, family=family)

    def _previous_port(self) -> int | None:
        if self.state.state_dir is None:
            return None
        try:
            text = (self.state.state_dir / PORT_FILE).read_text().strip()
        except OSError:
            return None
        if not text.isdigit() or not 0 < int(text) < 65536:
            return None
        return int(text)

    def _remember_port(self, port: int) -> None:
        if self.state.state_dir is None:
            return
        try:
            (self.state.state_dir / PORT_FILE).write_text(f"{port}\n")
        except OSError as err:
            log.warning("Could not save the port in %s: %s", self.state.state_dir, err)

    async def _shutdown(self) -> None:
        if self._server is None:
            return
        self._server.stop()
        await self._server.close_all_connections()
        self._server = None
        self.state.close()
        log.info("Sandbox at %s stopped", self.state.base_url)

    # Lifecycle in a thread of its own

    def start(self) -> None:
        """Start in a new thread; return once the port is listening."""
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            self._loop = loop
            try:
                self._listen()
            except BaseException as err:
                failure.append(err)
                ready.set()
                loop.close()
                return
            ready.set()
            try:
                loop.run_forever()
            finally:
                loop.run_until_complete(self._shutdown())
                loop.close()

        self._thread = threading.Thread(target=run, name="tunel-sandbox", daemon=True)
        self._thread.start()
        ready.wait()
        if failure:
            self._thread.join()
            self._thread = None
            raise failure[0]

    def stop(self, timeout: float = 10) -> None:
        """Stop the thread started by :meth:`start` and wait for it to end."""
        if self._thread is None or self._loop is None:
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise RuntimeError(f"the sandbox thread did not stop within {timeout} s")
        self._thread = None
        self._loop = None

    def __enter__(self) -> Sandbox:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def _port_free(host: str, port: int) -> bool:
    # A failed bind in tornado's bind_sockets left its socket open (a ResourceWarning
    # in the tests). socket.create_server closes it.
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.create_server((host, port), family=family):
            return True
    except OSError as err:
        log.info("Port %s of the last run is not free (%s)", port, err)
        return False


def _is_ipv4(host: str) -> bool:
    try:
        socket.inet_pton(socket.AF_INET, host)
    except OSError:
        return False
    return True
