"""Run the demo: the sandbox with demo data and JupyterLab configured against it."""

from __future__ import annotations

import ipaddress
import logging
import os
import signal
import sys
import threading
import typing as t
import urllib.parse
import webbrowser
from dataclasses import dataclass
from pathlib import Path

import psutil

from ..errors import UsageError
from .lab import LabProcess, StartCancelled, lab_command, running_labs, stop_orphan
from .layout import DemoLayout, install_notebook

if t.TYPE_CHECKING:
    from ..sandbox import Sandbox

log = logging.getLogger(__name__)

LAB_LOG = "jupyter-lab.log"

# Variables that could point the demo's JupyterLab and kernels at another Globus
# environment or login; the sandbox's own values replace them.
FOREIGN_PREFIXES = ("GLOBUS_SDK_", "TUNEL_GLOBUS_")


@dataclass(frozen=True)
class DemoOptions:
    """Options of ``tunel-globus demo``.

    :ivar data_dir: the demo's own folder (``None``: the default folder)
    :ivar ip: the address JupyterLab listens on; the sandbox always binds loopback
    :ivar port: JupyterLab's port, 0 for a free one
    :ivar open_browser: open the demo notebook in a browser once JupyterLab responds
    :ivar reset_notebook: replace an edited demo notebook with the packaged one
    :ivar start_timeout: seconds to wait for JupyterLab to respond
    """

    data_dir: Path | None = None
    ip: str = "127.0.0.1"
    port: int = 0
    open_browser: bool = True
    reset_notebook: bool = False
    start_timeout: float = 120.0


class Demo:
    """The running demo: a sandbox in this process and a JupyterLab child process."""

    def __init__(self, options: DemoOptions, *, out: t.TextIO | None = None) -> None:
        self.options = options
        self.out = out or sys.stdout
        self.layout = DemoLayout.at(options.data_dir)
        self.sandbox: Sandbox | None = None
        self.lab: LabProcess | None = None
        self.url: str | None = None

    def start(self, *, cancel: threading.Event | None = None) -> str:
        """Start the sandbox and JupyterLab; return the notebook's URL with its token.

        On failure, or when ``cancel`` is set before JupyterLab responds, everything
        started so far is stopped again before the error propagates.
        """
        self.layout.create()
        self._stop_leftover_labs()
        self.layout.write_lab_settings()
        notebook = install_notebook(
            self.layout.work_dir, overwrite=self.options.reset_notebook
        )
        try:
            self.sandbox = self._start_sandbox()
            self.lab = LabProcess(
                lab_command(
                    ip=self.options.ip,
                    port=self.options.port,
                    root_dir=self.layout.work_dir,
                ),
                env=self.lab_env(),
                runtime_dir=self.layout.jupyter_runtime_dir,
                log_path=self.layout.log_dir / LAB_LOG,
            )
            self.lab.start()
            info = self.lab.wait_ready(
                timeout=self.options.start_timeout, cancel=cancel
            )
        except BaseException:
            self.stop()
            raise

        self.url = notebook_url(info, notebook.name)
        return self.url

    def lab_env(self) -> dict[str, str]:
        """Return JupyterLab's environment, pointed at the sandbox and demo folders."""
        assert self.sandbox is not None
        env = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith(FOREIGN_PREFIXES)
        }
        env.update(self.layout.jupyter_env())
        env.update(self.sandbox.env())
        return env

    def stop(self) -> None:
        """Stop JupyterLab (with its kernels), then the sandbox; safe to call twice."""
        if self.lab is not None:
            self.lab.stop()
            self.lab = None
        if self.sandbox is not None:
            self.sandbox.stop()
            self.sandbox = None

    def run(self) -> int:
        """Start the demo, print where to open it, and run until a stop signal.

        SIGINT (Ctrl-C), SIGTERM and SIGHUP stop the demo and return 0. If JupyterLab
        exits by itself, the sandbox is stopped and its exit status is returned.
        """
        stop_requested = threading.Event()
        previous = _install_stop_handlers(stop_requested)
        started = False
        try:
            try:
                url = self.start(cancel=stop_requested)
            except StartCancelled:
                return 0
            started = True
            self._print_banner(url)
            if self.options.open_browser:
                webbrowser.open(url)

            status = None
            while not stop_requested.wait(0.5):
                assert self.lab is not None
                status = self.lab.poll()
                if status is not None:
                    print(f"JupyterLab exited with status {status}.", file=self.out)
                    break
            print("Stopping JupyterLab and the sandbox ...", file=self.out, flush=True)
            return 0 if status is None else (status or 1)
        finally:
            self.stop()
            _restore_handlers(previous)
            if started:
                print("Demo stopped.", file=self.out, flush=True)

    def _stop_leftover_labs(self) -> None:
        # A JupyterLab using this folder is either another demo's child, which must
        # not be disturbed, or was left behind by a demo killed with SIGKILL.
        for process in running_labs(self.layout.jupyter_runtime_dir):
            try:
                parent = process.parent()
                parent_command = parent.cmdline() if parent is not None else []
            except psutil.Error:
                parent_command = []
            is_demo = {"demo", "tunel_jupyter.demo"} & set(parent_command)
            if is_demo and parent is not None:
                raise UsageError(
                    f"Another tunel-globus demo (PID {parent.pid}) is running with "
                    f"the data folder {str(self.layout.root)!r}; stop it with Ctrl-C "
                    "first, or choose another folder with --data-dir.",
                    field="data_dir",
                )
            print(
                f"Stopping JupyterLab (PID {process.pid}) left running by an "
                "earlier demo.",
                file=self.out,
                flush=True,
            )
            stop_orphan(process)

    def _start_sandbox(self) -> Sandbox:
        # Tokens are stored per Auth URL, so the sandbox takes the port of the last
        # run when it can: a restarted demo is then still logged in.
        from ..sandbox import Sandbox

        state = self.layout.read_state()
        saved_port = state.get("sandbox_port")
        ports = [saved_port, 0] if isinstance(saved_port, int) and saved_port else [0]
        for port in ports:
            sandbox = Sandbox(
                host="127.0.0.1",
                port=port,
                root=str(self.layout.work_dir),
                state_dir=str(self.layout.sandbox_dir),
            )
            try:
                sandbox.start()
            except OSError as err:
                if port == 0:
                    raise
                print(
                    f"Sandbox port {port} of the last demo is in use ({err}); using "
                    "another port, so you need to log in again.",
                    file=self.out,
                )
                continue
            break

        state["sandbox_port"] = _port_of(sandbox.url)
        self.layout.write_state(state)
        return sandbox

    def _print_banner(self, url: str) -> None:
        assert self.sandbox is not None
        lines = [
            "tunel-jupyter demo, running against the local Globus sandbox "
            "(not the real Globus).",
            f"  Sandbox:        {self.sandbox.url}",
            f"  Working folder: {self.layout.work_dir}",
            f"  Demo data:      {self.layout.root}",
            f"  JupyterLab log: {self.layout.log_dir / LAB_LOG}",
            "",
            "Open the demo notebook in a browser:",
            f"    {url}",
            "",
            "Press Ctrl-C to stop the demo.",
        ]
        if not _is_loopback(self.options.ip):
            lines.insert(
                1,
                f"  JupyterLab listens on {self.options.ip}: anyone who can reach it "
                "and has the token can use it.",
            )
        print("\n".join(lines), file=self.out, flush=True)


def notebook_url(server_info: t.Mapping[str, t.Any], notebook: str) -> str:
    """Return the URL that opens ``notebook`` in JupyterLab, with the token."""
    base = str(server_info["url"]).rstrip("/") + "/"
    url = f"{base}lab/tree/{urllib.parse.quote(notebook)}"
    token = server_info.get("token")
    if token:
        url += "?" + urllib.parse.urlencode({"token": token})
    return url


def _port_of(url: str) -> int | None:
    return urllib.parse.urlsplit(url).port


def _is_loopback(ip: str) -> bool:
    if ip == "localhost":
        return True
    try:
        return ipaddress.ip_address(ip).is_loopback
    except ValueError:
        return False


_Handler: t.TypeAlias = t.Callable[[int, t.Any], t.Any] | int | None


def _install_stop_handlers(event: threading.Event) -> dict[int, _Handler]:
    if threading.current_thread() is not threading.main_thread():
        # signal.signal works only in the main thread; an embedding caller stops
        # the demo through Demo.stop() instead.
        return {}

    def request_stop(signum: int, frame: t.Any) -> None:
        event.set()

    previous: dict[int, _Handler] = {}
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        signum = getattr(signal, name, None)
        if signum is not None:
            previous[signum] = signal.signal(signum, request_stop)
    return previous


def _restore_handlers(previous: t.Mapping[int, _Handler]) -> None:
    for signum, handler in previous.items():
        signal.signal(signum, handler)
