"""Run JupyterLab as a child process in its own process group, and stop it cleanly."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
import typing as t
import urllib.error
import urllib.request
from pathlib import Path

import psutil

from ..errors import TunelError

log = logging.getLogger(__name__)

KILL_SIGNAL = getattr(signal, "SIGKILL", signal.SIGTERM)

# Readiness checks go straight to servers of this machine, never through a proxy
# named in http_proxy and similar variables.
LOOPBACK_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))

# JupyterLab features that reach the internet (news feed, update check, the package
# index search of the extension manager) are turned off: the demo talks to nothing
# but the sandbox on loopback.
OFFLINE_OPTIONS = (
    "--LabApp.news_url=None",
    "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    "--LabApp.extension_manager=readonly",
)


def is_root() -> bool:
    """Return whether this process runs as root (JupyterLab then needs --allow-root)."""
    return hasattr(os, "geteuid") and os.geteuid() == 0


def lab_command(
    *,
    ip: str,
    port: int,
    root_dir: Path,
    extra_args: t.Sequence[str] = (),
) -> list[str]:
    """Build the ``jupyter lab`` command line of the demo.

    The server never opens a browser itself, because the demo opens the notebook's
    URL once the server responds. A busy port given explicitly fails instead of
    moving silently to another.
    """
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        f"--ServerApp.ip={ip}",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={root_dir}",
        "--ServerApp.open_browser=False",
        "--TunelGlobus.sandbox=True",
        *OFFLINE_OPTIONS,
    ]
    if is_root():
        command.append("--allow-root")
    command.extend(extra_args)
    return command


class StartCancelled(Exception):
    """A stop signal arrived before JupyterLab was ready."""


class LabProcess:
    """A ``jupyter lab`` child process in a process group of its own.

    A Ctrl-C in the terminal reaches only the foreground process group, so JupyterLab
    does not see it and ask for confirmation on stdin. The demo forwards the stop.
    """

    def __init__(
        self,
        command: t.Sequence[str],
        *,
        env: t.Mapping[str, str],
        runtime_dir: Path,
        log_path: Path,
    ) -> None:
        self.command = list(command)
        self.env = dict(env)
        self.runtime_dir = runtime_dir
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None
        self.server_info: dict[str, t.Any] = {}

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    def start(self) -> None:
        """Start JupyterLab, its output going to ``log_path``."""
        log.debug("Starting JupyterLab: %s", " ".join(self.command))
        with open(self.log_path, "ab") as log_file:
            self.proc = subprocess.Popen(
                self.command,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def poll(self) -> int | None:
        """Return the exit status, or ``None`` while JupyterLab runs."""
        return self.proc.poll() if self.proc is not None else None

    def wait_ready(
        self, *, timeout: float = 120.0, cancel: threading.Event | None = None
    ) -> dict[str, t.Any]:
        """Wait until the server responds to ``api/status`` and return its server info.

        The server info is JupyterLab's runtime file (``url``, ``port``, ``token``,
        ``base_url``), read from the demo's own runtime folder.

        :raises TunelError: JupyterLab exited or did not respond within ``timeout``
            seconds; the message ends with the last lines of its log.
        :raises StartCancelled: ``cancel`` was set while waiting.
        """
        assert self.proc is not None, "start() first"
        info_path = self.runtime_dir / f"jpserver-{self.proc.pid}.json"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if cancel is not None and cancel.is_set():
                raise StartCancelled("The demo was stopped while JupyterLab started.")
            status = self.proc.poll()
            if status is not None:
                raise TunelError(
                    f"JupyterLab exited with status {status} before it was ready."
                    + self._log_tail()
                )
            if not self.server_info:
                self.server_info = _read_json(info_path)
            if self.server_info and _is_responding(self.server_info):
                return self.server_info
            time.sleep(0.2)
        message = f"JupyterLab did not respond within {timeout:.0f} seconds."
        raise TunelError(message + self._log_tail())

    def stop(self, *, timeout: float = 20.0) -> int | None:
        """Stop JupyterLab and every process it started; return its exit status.

        SIGTERM lets the server shut its kernels down. Kernels run in sessions of their
        own, so whatever is still alive after ``timeout`` seconds, in the group or among
        the descendants found before the stop, is killed.
        """
        if self.proc is None:
            return None
        descendants = _descendants(self.proc.pid)
        if self.proc.poll() is None:
            _signal_group(self.proc, signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                log.warning(
                    "JupyterLab (PID %s) did not stop within %.0f seconds; killing it",
                    self.proc.pid,
                    timeout,
                )
                _signal_group(self.proc, KILL_SIGNAL)
                self.proc.wait(5)
        else:
            # The group may outlive its leader (a terminal's shell, for example).
            _signal_group(self.proc, signal.SIGTERM)

        _, alive = psutil.wait_procs(descendants, timeout=5)
        for process in alive:
            log.warning("Killing process %s left behind by JupyterLab", process.pid)
            _kill(process)
        psutil.wait_procs(alive, timeout=5)
        return self.proc.returncode

    def _log_tail(self, lines: int = 20) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        tail = "\n".join(text.splitlines()[-lines:])
        return f" Last lines of {self.log_path}:\n{tail}" if tail else ""


def running_labs(runtime_dir: Path) -> list[psutil.Process]:
    """Return the Jupyter servers still running that wrote into ``runtime_dir``.

    Each server writes ``jpserver-<PID>.json`` there and removes it on a clean stop,
    so a live PID whose command is a Python process is a server still running.
    """
    servers = []
    for info_path in runtime_dir.glob("jpserver-*.json"):
        try:
            process = psutil.Process(int(info_path.stem.removeprefix("jpserver-")))
            command = process.cmdline()
            alive = process.status() != psutil.STATUS_ZOMBIE
        except (ValueError, psutil.Error):
            continue
        if alive and command and "python" in Path(command[0]).name:
            servers.append(process)
    return servers


def stop_orphan(process: psutil.Process, *, timeout: float = 20.0) -> None:
    """Stop a JupyterLab that a killed demo left behind, with its kernels."""
    descendants = _descendants(process.pid)
    with contextlib.suppress(psutil.Error):
        process.terminate()
    _, alive = psutil.wait_procs([process], timeout=timeout)
    for leftover in alive:
        _kill(leftover)
    _, alive = psutil.wait_procs(descendants, timeout=5)
    for leftover in alive:
        _kill(leftover)


def _read_json(path: Path) -> dict[str, t.Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        # Not written yet, or caught half-written: the caller polls again.
        return {}
    return data if isinstance(data, dict) else {}


def _is_responding(server_info: t.Mapping[str, t.Any]) -> bool:
    url = str(server_info.get("url", "")).rstrip("/") + "/api/status"
    request = urllib.request.Request(url)
    token = server_info.get("token")
    if token:
        request.add_header("Authorization", f"token {token}")
    try:
        with LOOPBACK_OPENER.open(request, timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _descendants(pid: int) -> list[psutil.Process]:
    try:
        children = psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return []
    return t.cast(list[psutil.Process], children)


def _signal_group(proc: subprocess.Popen[bytes], signum: int) -> None:
    if not hasattr(os, "killpg"):
        # Windows has no process groups to signal: stop the server alone, and the
        # descendants are cleaned up afterwards.
        if proc.poll() is None:
            if signum == signal.SIGTERM:
                proc.terminate()
            else:
                proc.kill()
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signum)


def _kill(process: psutil.Process) -> None:
    with contextlib.suppress(psutil.Error):
        process.kill()
