"""Helpers for the demo tests: a clean environment for the subprocesses they start."""

from __future__ import annotations

import contextlib
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil

REPO_ROOT = Path(__file__).resolve().parents[2]

# Variables of the test runner that would point a subprocess at another Globus
# environment, login or Jupyter folder.
FOREIGN_PREFIXES = ("GLOBUS_SDK_", "TUNEL_GLOBUS_", "JUPYTER_", "XDG_")


def clean_env(home: Path) -> dict[str, str]:
    """Return this process's environment with its own HOME and this venv on PATH."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(FOREIGN_PREFIXES)
    }
    env["HOME"] = str(home)
    bin_dir = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join([bin_dir, env.get("PATH", os.defpath)])
    env["PYTHONUNBUFFERED"] = "1"
    return env


START_TIMEOUT = 120
URL_PATTERN = re.compile(r"(http://\S+)/lab/tree/globus-demo\.ipynb\?token=(\w+)")


class DemoProcess:
    """A ``tunel-globus demo`` subprocess in its own process group."""

    def __init__(self, data_dir: Path, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tunel_jupyter.cli", "demo"]
            + ["--port", "0", "--no-browser", "--data-dir", str(data_dir)],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        with self.proc.stdout:
            for line in self.proc.stdout:
                self.lines.put(line)

    def wait_for_url(self) -> tuple[str, str]:
        """Return JupyterLab's base URL and token from the demo's banner."""
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=1)
            except queue.Empty:
                assert self.proc.poll() is None, "".join(self.output)
                continue
            self.output.append(line)
            match = URL_PATTERN.search(line)
            if match:
                return match.group(1) + "/", match.group(2)
        raise AssertionError("no URL within the timeout:\n" + "".join(self.output))

    def interrupt(self) -> int:
        """Send SIGINT as Ctrl-C would; return the exit status."""
        self.proc.send_signal(signal.SIGINT)
        status = self.proc.wait(60)
        while not self.lines.empty():
            self.output.append(self.lines.get())
        return status

    def cleanup(self) -> None:
        """Stop the demo and everything it started, after a test that failed.

        JupyterLab runs in a session of its own, so killing the demo's process
        group would leave it running: the demo is asked to stop first, and what
        is still alive afterwards is killed.
        """
        if self.proc.poll() is not None:
            return
        try:
            processes = psutil.Process(self.proc.pid).children(recursive=True)
        except psutil.Error:
            processes = []
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
        _, alive = psutil.wait_procs(processes, timeout=10)
        for process in alive:
            with contextlib.suppress(psutil.Error):
                process.kill()
