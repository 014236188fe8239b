"""The server stays responsive: slow Globus calls run off the event loop, token
renewal happens once, and a dead service fails fast with a clear error."""

from __future__ import annotations

import asyncio
import socket
import time
import typing as t

import pytest
import requests

from tunel_jupyter.sandbox import Sandbox

from .server_helpers import Api, paste_login

SCOPES = ("my-endpoints", "shared-with-me", "shared-by-me", "administered-by-me")


def sandbox_control(sandbox: Sandbox, route: str, body: dict[str, t.Any]) -> t.Any:
    response = requests.post(f"{sandbox.url}/_sandbox/{route}", json=body, timeout=10)
    response.raise_for_status()
    return response.json()


def token_requests(sandbox: Sandbox) -> int:
    log = requests.get(f"{sandbox.url}/_sandbox/requests", timeout=10).json()
    return sum(
        entry["method"] == "POST" and entry["path"] == "/auth/v2/oauth2/token"
        for entry in log["requests"]
    )


async def test_status_answers_during_slow_call(
    api: Api, logged_in: dict[str, t.Any], sandbox: Sandbox
) -> None:
    sandbox_control(sandbox, "options", {"latency_ms": 1500})
    pending = asyncio.ensure_future(api.get("endpoints", params={"scope": "in-use"}))
    await asyncio.sleep(0.2)

    status = await api.get("status")

    assert status["logged_in"] is True
    assert not pending.done()
    page = await pending
    assert page["records"] == []


async def test_concurrent_calls_one_refresh(
    api: Api, logged_in: dict[str, t.Any], sandbox: Sandbox
) -> None:
    sandbox_control(sandbox, "requests", {})
    sandbox_control(sandbox, "expire-tokens", {})
    sandbox_control(sandbox, "options", {"latency_ms": 200})

    pages = await asyncio.gather(
        *(api.get("endpoints", params={"scope": scope}) for scope in SCOPES)
    )

    assert all("records" in page for page in pages)
    assert token_requests(sandbox) == 1


async def test_revoked_refresh_token(
    api: Api, logged_in: dict[str, t.Any], sandbox: Sandbox
) -> None:
    sandbox_control(sandbox, "revoke", {})
    sandbox_control(sandbox, "expire-tokens", {})

    error = await api.get("endpoints", expect=401)

    assert error["code"] == "LoginRequired"
    assert error["login_url"] == "/a%40b/tunel/globus/login"
    assert (await api.get("status"))["logged_in"] is False
    # Logging in again repairs it.
    assert (await paste_login(api))["logged_in"] is True
    await api.get("endpoints")


@pytest.fixture
def silent_port() -> t.Iterator[int]:
    """A loopback port that accepts connections and never responds."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    yield listener.getsockname()[1]
    listener.close()


class TestDeadService:
    @pytest.fixture
    def globus_env(
        self,
        globus_env: dict[str, str],
        silent_port: int,
        monkeypatch: pytest.MonkeyPatch,
    ) -> dict[str, str]:
        url = f"http://127.0.0.1:{silent_port}/transfer/"
        monkeypatch.setenv("GLOBUS_SDK_SERVICE_URL_TRANSFER", url)
        return {**globus_env, "GLOBUS_SDK_SERVICE_URL_TRANSFER": url}

    @pytest.mark.slow
    async def test_default_timeouts(self, api: Api, globus_env: dict[str, str]) -> None:
        await paste_login(api)
        started = time.monotonic()

        error = await api.get("endpoints", expect=504)

        assert error["code"] == "GlobusTimeout"
        assert "Globus" in error["message"]
        # The documented bound for UI calls (4 s timeout, one retry).
        assert time.monotonic() - started < 15
        assert (await api.get("status"))["logged_in"] is True


class TestShortTimeouts:
    @pytest.fixture
    def tunel_config(self) -> dict[str, t.Any]:
        return {"request_timeout": 0.5, "max_retries": 0}

    @pytest.fixture
    def globus_env(
        self,
        globus_env: dict[str, str],
        silent_port: int,
        monkeypatch: pytest.MonkeyPatch,
    ) -> dict[str, str]:
        url = f"http://127.0.0.1:{silent_port}/transfer/"
        monkeypatch.setenv("GLOBUS_SDK_SERVICE_URL_TRANSFER", url)
        return {**globus_env, "GLOBUS_SDK_SERVICE_URL_TRANSFER": url}

    async def test_options_bound_the_wait(
        self, api: Api, globus_env: dict[str, str]
    ) -> None:
        await paste_login(api)
        started = time.monotonic()

        error = await api.get("endpoints", expect=504)

        assert error["code"] == "GlobusTimeout"
        # One attempt of 0.5 s instead of the default two of 4 s.
        assert time.monotonic() - started < 3
