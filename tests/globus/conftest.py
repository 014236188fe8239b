"""Fixtures for the Globus core tests: a session on the sandbox, logged in or not."""

from __future__ import annotations

import typing as t

import pytest
import requests

from tests.utils import login_with_sandbox
from tunel_jupyter.globus import GlobusSession, Identity
from tunel_jupyter.sandbox import Sandbox


@pytest.fixture
def session(globus_env: dict[str, str]) -> t.Iterator[GlobusSession]:
    """A session on the sandbox with no retries, so failures show at once."""
    session = GlobusSession(max_retries=0, http_timeout=10)
    yield session
    session.close()


@pytest.fixture
def identity(session: GlobusSession) -> Identity:
    """Log ``session`` in as the sandbox's default identity."""
    return login_with_sandbox(session)


class SandboxControl:
    """Calls to the sandbox's test-only control routes."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.base = sandbox.url + "/_sandbox/"

    def post(self, route: str, body: dict[str, t.Any] | None = None) -> t.Any:
        response = requests.post(self.base + route, json=body or {}, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()

    def requests(self) -> list[dict[str, t.Any]]:
        response = requests.get(self.base + "requests", timeout=10)
        assert response.status_code == 200, response.text
        return t.cast(list[dict[str, t.Any]], response.json()["requests"])

    def token_requests(self, grant_type: str) -> list[dict[str, t.Any]]:
        return [
            entry
            for entry in self.requests()
            if entry["path"].endswith("/v2/oauth2/token")
            and entry.get("grant_type") == grant_type
        ]

    def expire_tokens(self) -> int:
        return t.cast(int, self.post("expire-tokens")["expired"])

    def revoke(self) -> int:
        return t.cast(int, self.post("revoke")["revoked"])

    def options(self, **changes: t.Any) -> dict[str, t.Any]:
        return t.cast(dict[str, t.Any], self.post("options", changes))


@pytest.fixture
def control(sandbox: Sandbox) -> SandboxControl:
    return SandboxControl(sandbox)
