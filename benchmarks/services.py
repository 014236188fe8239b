"""Start the sandbox and Jupyter servers as child processes on loopback ports."""

from __future__ import annotations

import json
import os
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import time
import typing as t
from pathlib import Path

import requests

BIN = Path(sys.executable).parent
DEFAULT_SEED = Path(__file__).parent.parent / "tunel_jupyter" / "sandbox" / "seed.json"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_seed(path: Path, *, generate: dict[str, int]) -> Path:
    """Write the default seed with more generated collections (for example 1,000
    of the user's own) to ``path``."""
    seed = json.loads(DEFAULT_SEED.read_text())
    seed["collections"]["generate"] = dict(generate)
    path.write_text(json.dumps(seed))
    return path


class SandboxProcess:
    """``tunel-globus sandbox`` in a child process; ``env`` has its export lines."""

    def __init__(self, *, seed: Path, state_dir: Path, root: Path) -> None:
        root.mkdir(parents=True, exist_ok=True)
        command = [
            str(BIN / "tunel-globus"),
            "sandbox",
            "--port",
            "0",
            "--seed",
            str(seed),
            "--state",
            str(state_dir),
            "--root",
            str(root),
        ]
        self.log = open(state_dir.parent / "sandbox.log", "w")  # noqa: SIM115
        self.process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
            start_new_session=True,
        )
        self.env: dict[str, str] = {}
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.startswith("export "):
                name, _, value = line[len("export ") :].strip().partition("=")
                self.env[name] = shlex.split(value)[0] if value else ""
            elif "ready" in line:
                break
        else:
            raise RuntimeError("the sandbox exited before it was ready")
        self.url = self.env["GLOBUS_SDK_SERVICE_URL_AUTH"].rsplit("/auth/", 1)[0]

    def control(self, method: str, path: str, **kwargs: t.Any) -> t.Any:
        response = requests.request(
            method, f"{self.url}/_sandbox/{path}", timeout=30, **kwargs
        )
        response.raise_for_status()
        return response.json() if response.content else None

    def token_request_ms(self) -> list[float]:
        """Return how long the sandbox took for each token request, in order."""
        log = self.control("GET", "requests")
        entries = log.get("requests", log) if isinstance(log, dict) else log
        return [
            float(entry.get("duration_ms") or 0)
            for entry in entries
            if entry.get("method") == "POST"
            and entry.get("path", "").endswith("/v2/oauth2/token")
        ]

    def stop(self) -> None:
        stop_process(self.process)
        self.log.close()


def stop_process(process: subprocess.Popen[t.Any]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=15)


class JupyterServer:
    """A ``jupyter server`` child process, with or without tunel-jupyter.

    ``python`` picks the interpreter (a peer's virtual environment for
    globus-jupyterlab); ``extension`` False disables tunel_jupyter through a
    config file, so both runs load the same other extensions.
    """

    def __init__(
        self,
        *,
        workdir: Path,
        env: dict[str, str],
        extension: bool = True,
        python: str = sys.executable,
        extra_args: t.Sequence[str] = (),
    ) -> None:
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.url = f"http://127.0.0.1:{self.port}/"
        root = workdir / "root"
        root.mkdir(parents=True, exist_ok=True)
        config = workdir / "jupyter_server_config.json"
        config.write_text(
            json.dumps(
                {"ServerApp": {"jpserver_extensions": {"tunel_jupyter": extension}}}
            )
        )
        command = [
            python,
            "-m",
            "jupyter_server",
            f"--config={config}",
            "--no-browser",
            "--allow-root",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            f"--ServerApp.token={self.token}",
            f"--ServerApp.root_dir={root}",
            *extra_args,
        ]
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            command,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(workdir / "server.log", "w"),  # noqa: SIM115
            start_new_session=True,
        )
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"token {self.token}"

    def wait_ready(self, timeout: float = 60) -> float:
        """Poll ``/api/status`` until it responds; return seconds since launch."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("jupyter server exited during start-up")
            try:
                response = self.session.get(self.url + "api/status", timeout=2)
                if response.status_code == 200:
                    return time.perf_counter() - self.started
            except requests.ConnectionError:
                pass
            time.sleep(0.01)
        raise RuntimeError(f"jupyter server did not respond within {timeout} s")

    def api(self, method: str, path: str, **kwargs: t.Any) -> requests.Response:
        return self.session.request(method, self.url + path, timeout=120, **kwargs)

    def rss_mib(self) -> float:
        """Resident memory of the server process, from /proc (Linux)."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("VmRSS missing from /proc status")

    def stop(self) -> None:
        stop_process(self.process)
