"""The sandbox server: lifecycle, JSON errors, control routes, fault injection."""

from __future__ import annotations

import asyncio
import logging
import time
import typing as t
from pathlib import Path

import pytest
import requests

from tunel_jupyter.sandbox import Sandbox, SandboxOptions
from tunel_jupyter.sandbox.state import local_collection_id


def test_start_stop_releases_port(tmp_path: Path) -> None:
    server = Sandbox(root=tmp_path / "root")
    server.start()
    url = server.url
    assert requests.get(f"{url}/_sandbox/options", timeout=5).status_code == 200
    server.stop()
    try:
        requests.get(f"{url}/_sandbox/options", timeout=2)
    except requests.ConnectionError:
        pass
    else:
        raise AssertionError("sandbox still answers after stop()")


def test_env_names_services(sandbox: Sandbox) -> None:
    env = sandbox.env()
    assert env["GLOBUS_SDK_SERVICE_URL_AUTH"] == f"{sandbox.url}/auth/"
    assert env["GLOBUS_SDK_SERVICE_URL_TRANSFER"] == f"{sandbox.url}/transfer/"
    assert env["TUNEL_GLOBUS_CLIENT_ID"] == sandbox.native_client_id
    assert env["TUNEL_GLOBUS_LOCAL_COLLECTION_ID"] == sandbox.local_collection_id
    assert sandbox.url.startswith("http://127.0.0.1:")


def test_local_collection_id_stable(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    first = local_collection_id(root)
    assert first == local_collection_id(tmp_path / "root" / ".." / "root")
    assert first != local_collection_id(tmp_path)


def test_unknown_paths_json_404(sandbox: Sandbox) -> None:
    transfer = requests.get(f"{sandbox.url}/transfer/v0.10/nothing", timeout=5)
    assert transfer.status_code == 404
    assert transfer.headers["Content-Type"].startswith("application/json")
    body = transfer.json()
    assert body["code"] == "ClientError.NotFound"
    assert body["resource"] == "/transfer/v0.10/nothing"
    assert body["request_id"]

    auth = requests.get(f"{sandbox.url}/auth/v2/api/nothing", timeout=5)
    assert auth.status_code == 404
    assert auth.json()["errors"][0]["status"] == "404"
    assert "<html" not in auth.text.lower()


def test_options_route_validates(sandbox: Sandbox) -> None:
    url = f"{sandbox.url}/_sandbox/options"
    changed = requests.post(url, json={"latency_ms": 5}, timeout=5)
    assert changed.status_code == 200
    assert changed.json()["latency_ms"] == 5
    assert sandbox.state.options.latency_ms == 5

    bad = requests.post(url, json={"error_rate": 3}, timeout=5)
    assert bad.status_code == 400
    assert "error_rate" in bad.json()["message"]

    unknown = requests.post(url, json={"speed": 1}, timeout=5)
    assert unknown.status_code == 400
    assert "speed" in unknown.json()["message"]


def test_injected_errors(tmp_path: Path) -> None:
    options = SandboxOptions(error_rate=1.0, error_statuses=(503,))
    with Sandbox(options=options) as server:
        response = requests.get(f"{server.url}/transfer/v0.10/anything", timeout=5)
        assert response.status_code == 503
        assert response.json()["code"] == "ServiceUnavailable"
        # Control routes are never faulted, so a test can switch faults off.
        control = requests.post(
            f"{server.url}/_sandbox/options", json={"error_rate": 0}, timeout=5
        )
        assert control.status_code == 200


def test_request_log_hides_secrets(sandbox: Sandbox) -> None:
    requests.get(
        f"{sandbox.url}/transfer/v0.10/x",
        params={"code": "SECRETCODE", "limit": "3"},
        timeout=5,
    )
    log = requests.get(f"{sandbox.url}/_sandbox/requests", timeout=5).json()
    entries = log["requests"]
    assert len(entries) == 1
    assert entries[0]["path"] == "/transfer/v0.10/x"
    assert entries[0]["status"] == 404
    assert "SECRETCODE" not in entries[0]["query"]
    assert "limit=3" in entries[0]["query"]

    cleared = requests.post(f"{sandbox.url}/_sandbox/requests", timeout=5).json()
    assert cleared["cleared"] == 1
    assert requests.get(f"{sandbox.url}/_sandbox/requests", timeout=5).json() == {
        "requests": []
    }


def test_start_async_on_running_loop() -> None:
    async def scenario() -> t.Any:
        server = Sandbox()
        await server.start_async()
        try:
            loop = asyncio.get_running_loop()
            response = await loop.run_in_executor(
                None,
                lambda: requests.get(f"{server.url}/_sandbox/options", timeout=5),
            )
            return response.status_code
        finally:
            await server.stop_async()

    assert asyncio.run(scenario()) == 200


def test_access_log_omits_query(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="tornado.access"):
        response = requests.get(
            f"{sandbox.auth_url}v2/web/auth-code",
            params={"code": "SECRETCODE", "state": "SECRETSTATE"},
            timeout=5,
        )
        # The sandbox's thread logs a request only after its reply has gone out.
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not any(
            "/auth/v2/web/auth-code" in record.getMessage() for record in caplog.records
        ):
            time.sleep(0.02)
    assert response.status_code == 200
    assert "SECRETCODE" in response.text
    messages = [record.getMessage() for record in caplog.records]
    assert any("/auth/v2/web/auth-code" in message for message in messages)
    assert not any("SECRET" in message for message in messages)


def test_latency_option_delays(sandbox: Sandbox) -> None:
    requests.post(
        f"{sandbox.url}/_sandbox/options", json={"latency_ms": 300}, timeout=5
    ).raise_for_status()
    started = time.monotonic()
    response = requests.get(f"{sandbox.auth_url}jwk.json", timeout=5)
    elapsed = time.monotonic() - started
    assert response.status_code == 200
    assert elapsed >= 0.3


def test_state_dir_survives_restart(tmp_path: Path) -> None:
    state_dir = tmp_path / "state"
    with Sandbox(state_dir=state_dir) as first:
        identity_id = first.state.default_identity_id
        client_id = first.native_client_id
        first.state.record_consents(
            identity_id,
            client_id,
            "urn:globus:auth:scope:transfer.api.globus.org:all"
            "[*https://auth.globus.org/scopes/c0ffee00-0000-4000-8000-000000000000"
            "/data_access]",
        )
        keys = requests.get(f"{first.auth_url}jwk.json", timeout=5).json()

    with Sandbox(state_dir=state_dir) as second:
        dependencies = second.state.consented_dependencies(
            identity_id,
            client_id,
            "urn:globus:auth:scope:transfer.api.globus.org:all",
        )
        assert dependencies == [
            "https://auth.globus.org/scopes/c0ffee00-0000-4000-8000-000000000000"
            "/data_access"
        ]
        # The same signing key, so id_tokens issued before still verify.
        assert requests.get(f"{second.auth_url}jwk.json", timeout=5).json() == keys
