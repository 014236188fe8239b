"""Fixtures for the Transfer tests: a sandbox whose big folder is made once per run.

Test modules bind these fixtures to module names so that pytest finds them::

    from tests.sandbox import transfer_fixtures

    sandbox = transfer_fixtures.sandbox
"""

from __future__ import annotations

import copy
import time
import typing as t
from pathlib import Path

import globus_sdk
import pytest
from globus_sdk.transport import RetryConfig

from tunel_jupyter.sandbox import Sandbox
from tunel_jupyter.sandbox.state import load_seed

TRANSFER_RS = "transfer.api.globus.org"
BULK_ID = "0b5c4a8e-6f0e-4c3a-9d5e-2f1a7b8c9d04"
MAPPED_ID = "0b5c4a8e-6f0e-4c3a-9d5e-2f1a7b8c9d01"
SECURE_ID = "0b5c4a8e-6f0e-4c3a-9d5e-2f1a7b8c9d02"
GCS_ENDPOINT_ID = "0b5c4a8e-6f0e-4c3a-9d5e-2f1a7b8c9d00"
NULL_NAME_ID = "0b5c4a8e-6f0e-4c3a-9d5e-2f1a7b8c9d03"
OMGTACOS_ID = "29890592-374e-11e8-b96a-0ac6873fc732"
TMPEP_ID = "efe591ca-374d-11e8-b96a-0ac6873fc732"
KARL_ID = "9ec1db6a-5052-11e7-bdb7-22000b9a448b"
BULK_COUNT = 20_000


@pytest.fixture(scope="session")
def bulk_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 20,000-file collection's folder, shared by every test of the run.

    The folder does not exist yet: the first sandbox that lists the collection
    fills it, and later sandboxes find it filled, so only one test pays.
    """
    return tmp_path_factory.mktemp("bulk-collection") / "root"


def seed_with(bulk_root: Path, **generate: int) -> dict[str, t.Any]:
    """The default seed, its bulk collection at ``bulk_root``, plus generated ones."""
    seed = copy.deepcopy(load_seed(None))
    for entry in seed["collections"]["items"]:
        if entry["id"] == BULK_ID:
            entry["root"] = str(bulk_root)
    if generate:
        seed["collections"]["generate"] = generate
    return seed


@pytest.fixture
def sandbox(tmp_path: Path, bulk_root: Path) -> t.Iterator[Sandbox]:
    """A sandbox with the default seed and a Jupyter root; replaces the shared one."""
    root = tmp_path / "jupyter-root"
    root.mkdir()
    server = Sandbox(
        root=root, seed=seed_with(bulk_root), state_dir=tmp_path / "sandbox-state"
    )
    server.state.transfer.retry_delay = 0.05
    server.start()
    try:
        yield server
    finally:
        server.stop()


def make_client(token: str) -> globus_sdk.TransferClient:
    """A TransferClient for the sandbox in the environment, without retries."""
    return globus_sdk.TransferClient(
        authorizer=globus_sdk.AccessTokenAuthorizer(token),
        retry_config=RetryConfig(max_retries=0),
    )


@pytest.fixture
def tc(
    login: t.Callable[..., globus_sdk.OAuthTokenResponse],
) -> globus_sdk.TransferClient:
    """The real SDK's TransferClient, logged in as the default user with PKCE."""
    tokens = login()
    return make_client(tokens.by_resource_server[TRANSFER_RS]["access_token"])


def wait_done(
    tc: globus_sdk.TransferClient, task_id: str, timeout: float = 20
) -> dict[str, t.Any]:
    """Poll a task until it is no longer ACTIVE; fail the test after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        task = tc.get_task(task_id).data
        if task["status"] not in ("ACTIVE", "INACTIVE"):
            return task
        time.sleep(0.05)
    raise AssertionError(f"task {task_id} still active after {timeout} s")


def wait_for(
    condition: t.Callable[[], bool], timeout: float = 10, message: str = ""
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError(message or f"condition not met within {timeout} s")


def tree(folder: Path) -> dict[str, bytes | None]:
    """Relative paths below ``folder`` mapped to file bytes (None for folders)."""
    return {
        str(path.relative_to(folder)): (None if path.is_dir() else path.read_bytes())
        for path in sorted(folder.rglob("*"))
    }
