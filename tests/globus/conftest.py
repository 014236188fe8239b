"""Fixtures for the Globus core tests: a session on the sandbox, logged in or not."""

from __future__ import annotations

import copy
import typing as t
from pathlib import Path

import pytest
import requests

from tests.utils import login_with_sandbox
from tunel_jupyter.globus import GlobusSession, Identity
from tunel_jupyter.sandbox import Sandbox
from tunel_jupyter.sandbox.state import load_seed

# Collections added to the default seed: two of Ada's endpoints share a display
# name, and one has a colon in its name.
TWIN_IDS = (
    "5e1f0c2a-0000-4000-8000-00000000a001",
    "5e1f0c2a-0000-4000-8000-00000000a002",
)
TWIN_NAME = "Shared Lab"
COLON_ID = "5e1f0c2a-0000-4000-8000-00000000a003"
COLON_NAME = "lab: data"


@pytest.fixture
def sandbox(tmp_path: Path) -> t.Iterator[Sandbox]:
    """The shared sandbox fixture's setup, plus the collections above."""
    seed = copy.deepcopy(load_seed(None))
    extra = [(TWIN_IDS[0], TWIN_NAME), (TWIN_IDS[1], TWIN_NAME), (COLON_ID, COLON_NAME)]
    for collection_id, name in extra:
        root = tmp_path / "collections" / collection_id
        root.mkdir(parents=True)
        seed["collections"]["items"].append(
            {
                "id": collection_id,
                "display_name": name,
                "entity_type": "GCP_mapped_collection",
                "owner": "ada@example.org",
                "root": str(root),
            }
        )
    root = tmp_path / "jupyter-root"
    root.mkdir()
    server = Sandbox(root=root, seed=seed, state_dir=tmp_path / "sandbox-state")
    server.start()
    try:
        yield server
    finally:
        server.stop()


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
