"""The sandbox command run as a subprocess: output, signals, --state."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
import typing as t
from pathlib import Path

import globus_sdk
import pytest
import requests
from globus_sdk.scopes import AuthScopes, TransferScopes
from tests.utils import sandbox_authorize

from tunel_jupyter.sandbox.state import local_collection_id

START_TIMEOUT = 20


class Running(t.NamedTuple):
    process: subprocess.Popen[str]
    exports: dict[str, str]
    lines: list[str]


def start_command(*args: str) -> Running:
    process = subprocess.Popen(
        [sys.executable, "-m", "tunel_jupyter.sandbox", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    # A reader thread, because select() misses lines already in the pipe's buffer.
    output: queue.Queue[str] = queue.Queue()

    def read_lines() -> None:
        for line in process.stdout or ():
            output.put(line)

    threading.Thread(target=read_lines, daemon=True).start()
    lines: list[str] = []
    deadline = time.monotonic() + START_TIMEOUT
    while not lines or "ready" not in lines[-1]:
        try:
            line = output.get(timeout=max(deadline - time.monotonic(), 0.01))
        except queue.Empty:
            process.kill()
            raise AssertionError(
                f"sandbox printed no ready line in time: {lines}"
            ) from None
        lines.append(line.rstrip("\n"))
    exports = {}
    for line in lines[:-1]:
        assert line.startswith("export "), line
        name, _, value = line[len("export ") :].partition("=")
        exports[name] = value
    return Running(process, exports, lines)


def stop_command(running: Running, number: int = signal.SIGTERM) -> int:
    running.process.send_signal(number)
    return running.process.wait(timeout=10)


@pytest.fixture
def command(tmp_path: Path) -> t.Iterator[t.Callable[..., Running]]:
    started: list[Running] = []

    def start(*args: str) -> Running:
        running = start_command(*args)
        started.append(running)
        return running

    yield start
    for running in started:
        if running.process.poll() is None:
            running.process.kill()
            running.process.wait(timeout=10)
        for stream in (running.process.stdout, running.process.stderr):
            if stream is not None:
                stream.close()


def test_command_prints_exports(
    command: t.Callable[..., Running], tmp_path: Path
) -> None:
    root = tmp_path / "root"
    running = command("--root", str(root))
    exports = running.exports
    assert list(exports) == [
        "GLOBUS_SDK_SERVICE_URL_AUTH",
        "GLOBUS_SDK_SERVICE_URL_TRANSFER",
        "TUNEL_GLOBUS_CLIENT_ID",
        "TUNEL_GLOBUS_LOCAL_COLLECTION_ID",
    ]
    assert exports["GLOBUS_SDK_SERVICE_URL_AUTH"].startswith("http://127.0.0.1:")
    assert exports["GLOBUS_SDK_SERVICE_URL_AUTH"].endswith("/auth/")
    assert exports["TUNEL_GLOBUS_LOCAL_COLLECTION_ID"] == local_collection_id(root)
    assert "ready" in running.lines[-1]
    config = requests.get(
        exports["GLOBUS_SDK_SERVICE_URL_AUTH"] + ".well-known/openid-configuration",
        timeout=5,
    )
    assert config.status_code == 200


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGINT])
def test_command_stops_on_signal(
    command: t.Callable[..., Running], number: int
) -> None:
    running = command()
    auth_url = running.exports["GLOBUS_SDK_SERVICE_URL_AUTH"]
    assert stop_command(running, number) == 0
    with pytest.raises(requests.ConnectionError):
        requests.get(auth_url + "jwk.json", timeout=2)


def test_command_sets_options(command: t.Callable[..., Running]) -> None:
    running = command(
        "--latency-ms",
        "7",
        "--error-rate",
        "0.25",
        "--access-token-lifetime",
        "60",
        "--transfer-bytes-per-second",
        "5",
        "--rotate-refresh-tokens",
    )
    base = running.exports["GLOBUS_SDK_SERVICE_URL_AUTH"].removesuffix("/auth/")
    options = requests.get(f"{base}/_sandbox/options", timeout=5).json()
    assert options["latency_ms"] == 7
    assert options["error_rate"] == 0.25
    assert options["access_token_lifetime"] == 60
    assert options["transfer_bytes_per_second"] == 5
    assert options["rotate_refresh_tokens"] is True


def test_command_rejects_bad_option(command: t.Callable[..., Running]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tunel_jupyter.sandbox", "--error-rate", "2"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "error_rate" in result.stderr
    assert result.stdout == ""


def test_state_keeps_tokens(
    command: t.Callable[..., Running],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    state = tmp_path / "state"
    first = command("--state", str(state))
    client_id = first.exports["TUNEL_GLOBUS_CLIENT_ID"]
    client = globus_sdk.NativeAppAuthClient(
        client_id, base_url=first.exports["GLOBUS_SDK_SERVICE_URL_AUTH"]
    )
    client.oauth2_start_flow(
        [AuthScopes.openid, TransferScopes.all], refresh_tokens=True
    )
    code, _ = sandbox_authorize(client.oauth2_get_authorize_url())
    tokens = client.oauth2_exchange_code_for_tokens(code).by_resource_server
    assert stop_command(first) == 0
    assert (state / "auth.json").exists()
    assert os.stat(state / "id_token_key.pem").st_mode & 0o077 == 0

    second = command("--state", str(state))
    auth_url = second.exports["GLOBUS_SDK_SERVICE_URL_AUTH"]
    again = globus_sdk.NativeAppAuthClient(client_id, base_url=auth_url)
    refreshed = again.oauth2_refresh_token(
        tokens["transfer.api.globus.org"]["refresh_token"]
    )
    assert refreshed["access_token"]
    # The access token from before the restart still works too.
    userinfo = requests.get(
        auth_url + "v2/oauth2/userinfo",
        headers={
            "Authorization": f"Bearer {tokens['auth.globus.org']['access_token']}"
        },
        timeout=5,
    )
    assert userinfo.status_code == 200
    assert userinfo.json()["preferred_username"] == "ada@example.org"
