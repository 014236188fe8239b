"""The Jupyter server extension: options, start-up and the route table."""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import typing as t

from jupyter_server.extension.application import ExtensionApp
from traitlets import Bool, Enum, Float, Int, TraitError, Unicode, default, validate

from .handlers import NAMESPACE, SANDBOX_NAMESPACE, redact
from .handlers.service import GlobusService

if t.TYPE_CHECKING:
    from .sandbox import Sandbox

CLIENT_ID_VARIABLE = "TUNEL_GLOBUS_CLIENT_ID"
LOCAL_COLLECTION_VARIABLE = "TUNEL_GLOBUS_LOCAL_COLLECTION_ID"
AUTH_URL_VARIABLE = "GLOBUS_SDK_SERVICE_URL_AUTH"
BROWSER_AUTH_URL_VARIABLE = "TUNEL_GLOBUS_AUTH_BROWSER_URL"


class TunelGlobus(ExtensionApp):
    """Serve the tunel-jupyter REST API for Globus under ``{base_url}tunel/globus/``."""

    name = "tunel_jupyter"
    description = "Move data with Globus from Jupyter"

    client_id = Unicode(
        None,
        allow_none=True,
        help="""The Globus Auth client ID of the native app used to log in.

        Defaults to the TUNEL_GLOBUS_CLIENT_ID environment variable, then to the
        client ID stored with the tokens of an earlier login. Register a native
        app ("thick client") at https://app.globus.org/settings/developers and
        paste its client ID here. In sandbox mode the sandbox's own client is used
        when this is not set.
        """,
    ).tag(config=True)

    client_secret = Unicode(
        None,
        allow_none=True,
        help="""The client secret, only for a confidential (portal) client.

        Leave unset for a native app. The secret is never logged or sent to the
        browser.
        """,
    ).tag(config=True)

    login_flow = Enum(
        ["paste", "redirect"],
        default_value="paste",
        help="""How a browser login returns to Jupyter.

        "paste" (the default): Globus shows an authorization code that the user
        pastes into JupyterLab. It works everywhere, including behind JupyterHub
        and on Binder. "redirect": Globus sends the browser back to this server's
        callback, {base_url}tunel/globus/login/callback; the client's registered
        redirect URIs must include that URL (see redirect_uri).
        """,
    ).tag(config=True)

    redirect_uri = Unicode(
        "",
        help="""The callback URL registered with Globus, for the redirect flow.

        Empty (the default) builds it from the scheme and host of each request
        (honouring X-Forwarded-Proto and X-Forwarded-Host when
        ServerApp.trust_xheaders is set) and the server's base_url. Set it when
        the public address differs from what requests show, for example
        "https://hub.example.org/user/ada/tunel/globus/login/callback".
        """,
    ).tag(config=True)

    sandbox = Bool(
        False,
        help="""Use the tunel-jupyter sandbox instead of the real Globus.

        When GLOBUS_SDK_SERVICE_URL_AUTH already points at a sandbox, the server
        attaches to it. Otherwise it starts one on a free loopback port, serving
        the Jupyter root directory as a collection. It exports the sandbox's
        variables, so kernels started later use the sandbox too. The sandbox's
        login pages are served under {base_url}tunel/sandbox/, so the login works
        from a browser on another machine.
        """,
    ).tag(config=True)

    local_collection_id = Unicode(
        None,
        allow_none=True,
        help="""The Globus collection that serves this server's files.

        Defaults to the TUNEL_GLOBUS_LOCAL_COLLECTION_ID environment variable.
        When unset, an installed Globus Connect Personal is used if one is found
        (~/.globusonline/lta/client-id.txt), then the sandbox's collection in
        sandbox mode. With none, the front end hides "this server".
        """,
    ).tag(config=True)

    local_collection_root = Unicode(
        None,
        allow_none=True,
        help="""The path on the local collection that is the Jupyter root directory.

        Defaults to "/" for a configured collection and for the sandbox, and to
        the absolute path of the root directory for Globus Connect Personal.
        Transfer requests that give a local path are translated with it:
        "data/a.csv" becomes "<local_collection_root>/data/a.csv".
        """,
    ).tag(config=True)

    endpoint_cache_seconds = Float(
        60.0,
        help="""How long, in seconds, to reuse an endpoint search result.

        Results are kept per Globus identity, scope and query, and dropped on
        login, logout and after a transfer. 0 turns the cache off.
        """,
    ).tag(config=True)

    request_timeout = Float(
        4.0,
        help="""Timeout in seconds of each HTTP request to Globus made for the UI.

        Together with max_retries it bounds how long a request waits for a dead
        service before the API returns GlobusTimeout or GlobusError.
        """,
    ).tag(config=True)

    max_retries = Int(
        1,
        help="""How many times a failed Globus request is retried (connection
        errors, 429 and 5xx responses). 0 disables retries.""",
    ).tag(config=True)

    data_dir = Unicode(
        help="""The Jupyter data directory; the shared token store is its
        "tunel/globus" folder.

        Defaults to the Jupyter data directory (JUPYTER_DATA_DIR, else for
        example ~/.local/share/jupyter), which kernels and the tunel-globus
        command line use too, so a login made in one place is seen in the
        others. Change it only together with their JUPYTER_DATA_DIR.
        """,
    ).tag(config=True)

    @default("log")
    def _default_log(self) -> logging.Logger:
        # A child of the server's logger, so our records use its handlers, level
        # and format (traitlets would give this app a logger without handlers).
        return logging.getLogger("ServerApp").getChild(type(self).__name__)

    @default("client_id")
    def _default_client_id(self) -> str | None:
        return os.environ.get(CLIENT_ID_VARIABLE) or None

    @default("data_dir")
    def _default_data_dir(self) -> str:
        from jupyter_core.paths import jupyter_data_dir

        return jupyter_data_dir()

    @default("local_collection_id")
    def _default_local_collection_id(self) -> str | None:
        return os.environ.get(LOCAL_COLLECTION_VARIABLE) or None

    @validate("endpoint_cache_seconds", "request_timeout")
    def _validate_non_negative(self, proposal: t.Any) -> float:
        value = float(proposal["value"])
        if value < 0:
            name = proposal["trait"].name
            raise TraitError(f"TunelGlobus.{name} must be 0 or more, not {value}")
        return value

    @validate("max_retries")
    def _validate_max_retries(self, proposal: t.Any) -> int:
        value = int(proposal["value"])
        if value < 0:
            raise TraitError(f"TunelGlobus.max_retries must be 0 or more, not {value}")
        return value

    def initialize_settings(self) -> None:
        assert self.serverapp is not None
        redact.install()
        self.service = GlobusService(
            client_id=self.client_id,
            client_secret=self.client_secret,
            data_dir=self.data_dir or None,
            http_timeout=self.request_timeout,
            max_retries=self.max_retries,
            endpoint_cache_seconds=self.endpoint_cache_seconds,
            root_dir=os.path.abspath(os.path.expanduser(self.serverapp.root_dir)),
            local_collection_id=self.local_collection_id,
            local_collection_root=self.local_collection_root,
            log=self.log,
        )
        self._sandbox: Sandbox | None = None
        self._started = False
        self._start_lock = asyncio.Lock()
        self.settings["tunel_globus_service"] = self.service
        self.log.info(
            "tunel-jupyter serves its Globus API at %s",
            self.serverapp.base_url + NAMESPACE,
        )

    def initialize_handlers(self) -> None:
        from .handlers.routes import route_table

        self.handlers.extend(route_table())

    async def _start_jupyter_server_extension(self, serverapp: t.Any) -> None:
        await self.ensure_started()

    async def ensure_started(self) -> None:
        """Start or attach to the sandbox in sandbox mode, once.

        The server calls this after its event loop starts; handlers call it too,
        because embedded servers (tests) do not run that start-up hook.
        """
        if self._started:
            # Every request calls this; once started, it takes no lock.
            return
        async with self._start_lock:
            if not self._started:
                if self.sandbox:
                    await self._start_sandbox()
                self._started = True

    async def _start_sandbox(self) -> None:
        from .globus.environment import Environment

        assert self.serverapp is not None
        if os.environ.get(AUTH_URL_VARIABLE) and Environment.current().is_sandbox:
            auth_url = Environment.current().auth_url
            self.log.info("Sandbox mode: attached to the sandbox at %s", auth_url)
        else:
            from .sandbox import Sandbox

            # Only this server's page proxy knows the key, so other local
            # processes cannot approve logins or use the control routes.
            self._sandbox = Sandbox(
                root=self.service.root_dir, page_key=secrets.token_urlsafe(32)
            )
            self.service.sandbox_page_key = self._sandbox.state.page_key
            await self._sandbox.start_async()
            # Kernels and terminals started from now on inherit these variables.
            os.environ.update(self._sandbox.env())
            auth_url = self._sandbox.auth_url
            self.service.sandbox_collection_id = self._sandbox.local_collection_id
            self.log.info("Sandbox mode: started a sandbox at %s", auth_url)

        self.service.sandbox_auth_url = auth_url
        if not self.client_id:
            self.service.client_id = os.environ.get(CLIENT_ID_VARIABLE) or None
        browser_url = self.serverapp.base_url + SANDBOX_NAMESPACE
        os.environ[BROWSER_AUTH_URL_VARIABLE] = browser_url
        self.log.info("Sandbox login pages are served at %s", browser_url)

    async def stop_extension(self) -> None:
        if self._sandbox is not None:
            await self._sandbox.stop_async()
            self._sandbox = None
        self.service.close()
