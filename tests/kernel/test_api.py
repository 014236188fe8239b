"""The notebook's Python API against the sandbox, without the magics."""

from __future__ import annotations

import typing as t

import pytest

from tests.utils import sandbox_authorize
from tunel_jupyter.errors import LoginRequired, TaskWaitTimeout, UsageError
from tunel_jupyter.globus import GlobusSession
from tunel_jupyter.kernel import api
from tunel_jupyter.kernel.login import LoginPrompt
from tunel_jupyter.sandbox import Sandbox


@pytest.fixture
def logged_in(globus_env: dict[str, str]) -> t.Iterator[None]:
    """The kernel's default session, logged in through a LoginPrompt."""
    api.use_session(None)
    prompt = api.login()
    assert isinstance(prompt, LoginPrompt)
    code, _ = sandbox_authorize(prompt.authorize_url)

    state = prompt.finish(f"  {code}\n")

    assert state.logged_in
    assert prompt.state is state
    assert api.pending_login() is None
    yield
    api.use_session(None)


def test_identity_and_endpoint_names(logged_in: None, sandbox: Sandbox) -> None:
    identity = api.identity()
    table = api.endpoints("my-endpoints")
    local = next(record for record in table if record.id == sandbox.local_collection_id)

    assert identity is not None
    assert identity.username == "ada@example.org"
    assert api.resolve_endpoint_id(local.display_name) == local.id
    assert api.resolve_endpoint_id(local.id) == local.id
    assert api.environment().is_sandbox


def test_wait_timeout_events_and_cancel(
    logged_in: None,
    sandbox: Sandbox,
    slow_transfers: t.Callable[[int], None],
) -> None:
    assert sandbox.root is not None
    (sandbox.root / "slow.bin").write_bytes(b"\x03" * 300_000)
    collection = sandbox.local_collection_id
    slow_transfers(20_000)

    task = api.transfer(
        f"{collection}:/slow.bin", f"{collection}:/slow-copy.bin", label="api"
    )
    with pytest.raises(TaskWaitTimeout) as info:
        api.wait(task.task_id, 0.3, polling_interval=0.1, show_progress=False)
    message = task.cancel()
    events = task.events()

    assert info.value.task_id == task.task_id
    assert "cancelled successfully" in message
    assert task.status == "FAILED"
    assert isinstance(events, list)
    assert api.task(task.task_id).status == "FAILED"
    assert task.task_id in [item.task_id for item in api.tasks(limit=5)]


def test_use_session_is_kept(globus_env: dict[str, str]) -> None:
    session = GlobusSession()
    api.use_session(session)
    try:
        assert api.get_session() is session
        api.configure(client_id="6a1f3c2e-0000-4000-8000-000000000042")
        assert api.get_session() is session
    finally:
        api.configure(client_id=None)
        api.use_session(None)
    assert api.get_session() is not session


def test_errors_raise_instead_of_printing(logged_in: None, sandbox: Sandbox) -> None:
    with pytest.raises(UsageError, match="has no path"):
        api.transfer(f"{sandbox.local_collection_id}:/a", "elsewhere")
    with pytest.raises(UsageError, match="login code is empty"):
        api.finish_login("   ")

    assert api.logout() is True
    with pytest.raises(LoginRequired):
        api.endpoints()
