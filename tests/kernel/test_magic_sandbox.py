"""%globus in an IPython shell against the sandbox: values, paging, consent, tasks."""

from __future__ import annotations

import typing as t
from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell

from tests.utils import sandbox_authorize
from tunel_jupyter.kernel import api
from tunel_jupyter.kernel.display import DirectoryListing, EndpointTable, LoginState
from tunel_jupyter.kernel.login import LoginPrompt
from tunel_jupyter.kernel.panel import GlobusPanel
from tunel_jupyter.kernel.task import Task, TaskTable
from tunel_jupyter.sandbox import Sandbox

# Seeded sandbox collections that need more than a plain login.
MAPPED_COLLECTION = "0b5c4a8e-6f0e-4c3a-9d5e-2f1a7b8c9d01"
HIGH_ASSURANCE_COLLECTION = "0b5c4a8e-6f0e-4c3a-9d5e-2f1a7b8c9d02"


def globus(shell: InteractiveShell, line: str) -> t.Any:
    return shell.run_line_magic("globus", line)


@pytest.fixture
def logged_in(shell: InteractiveShell, globus_env: dict[str, str]) -> InteractiveShell:
    """The shell, logged in to the sandbox through %globus login."""
    prompt = globus(shell, "login")
    assert isinstance(prompt, LoginPrompt)
    code, _ = sandbox_authorize(prompt.authorize_url)
    state = globus(shell, f"login {code}")
    assert isinstance(state, LoginState)
    assert state.logged_in
    return shell


@pytest.fixture
def collection(sandbox: Sandbox) -> str:
    assert sandbox.local_collection_id is not None
    return sandbox.local_collection_id


def test_login_again_is_not_needed(logged_in: InteractiveShell) -> None:
    again = globus(logged_in, "login")
    forced = globus(logged_in, "login --force")
    who = globus(logged_in, "whoami")

    assert isinstance(again, LoginState)
    assert again.logged_in
    assert isinstance(forced, LoginPrompt)
    assert "Please go to this URL and login: http://127.0.0.1:" in repr(forced)
    assert isinstance(who, LoginState)
    assert who.identity.username == "ada@example.org"


def test_endpoints_value_is_a_table_of_records(
    logged_in: InteractiveShell, collection: str
) -> None:
    table = globus(logged_in, "endpoints --scope my-endpoints --scope shared-with-me")

    assert isinstance(table, EndpointTable)
    scopes = {scope for record in table for scope in record.scopes}
    assert scopes == {"my-endpoints", "shared-with-me"}
    assert collection in [record.id for record in table]
    assert table.environment is not None
    assert table.environment.is_sandbox


def test_ls_pages_with_limit_and_offset(
    logged_in: InteractiveShell, sandbox: Sandbox, collection: str
) -> None:
    assert sandbox.root is not None
    folder = sandbox.root / "five"
    folder.mkdir()
    for number in range(5):
        (folder / f"f{number}.txt").write_text(str(number))

    first = globus(logged_in, f"ls {collection}:/five/ --limit 2")
    last = globus(logged_in, f"ls {collection}:/five/ --limit 2 --offset 4")

    assert isinstance(first, DirectoryListing)
    assert [entry.name for entry in first] == ["f0.txt", "f1.txt"]
    assert first.total == 5
    assert "Showing 2 of 5 entries" in repr(first)
    assert "--offset 2" in repr(first)
    assert [entry.name for entry in first.next_page()] == ["f2.txt", "f3.txt"]
    assert [entry.name for entry in last] == ["f4.txt"]
    assert repr(last).endswith("1 entry.")


def test_consent_error_offers_the_consent_login(
    logged_in: InteractiveShell, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()

    result = globus(logged_in, f"ls {MAPPED_COLLECTION}:/")

    assert result is None
    captured = capsys.readouterr()
    assert "Error 403 ConsentRequired" in captured.err
    assert f"{MAPPED_COLLECTION}/data_access" in captured.err
    assert "Run %tb for the traceback." in captured.err
    assert "Please go to this URL and login:" in captured.out
    pending = api.pending_login()
    assert pending is not None
    assert "data_access" in pending.authorize_url
    code, _ = sandbox_authorize(pending.authorize_url)
    globus(logged_in, f"login {code}")
    listing = globus(logged_in, f"ls {MAPPED_COLLECTION}:/")
    assert "README.txt" in [entry.name for entry in listing]


def test_session_requirement_offers_a_login(
    logged_in: InteractiveShell, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()

    assert globus(logged_in, f"ls {HIGH_ASSURANCE_COLLECTION}:/") is None

    captured = capsys.readouterr()
    assert "Error 403 AuthenticationRequirements" in captured.err
    pending = api.pending_login()
    assert pending is not None
    assert "session_required_single_domain=secure.example.net" in (
        pending.authorize_url
    )


def test_transfer_tasks_and_cancel(
    logged_in: InteractiveShell,
    sandbox: Sandbox,
    collection: str,
    capsys: pytest.CaptureFixture[str],
    slow_transfers: t.Callable[[int], None],
) -> None:
    assert sandbox.root is not None
    (sandbox.root / "big.bin").write_bytes(b"\x07" * 200_000)
    # Slow copies keep the task active long enough to time out and cancel it.
    slow_transfers(20_000)

    task = globus(
        logged_in,
        f"transfer {collection}:/big.bin {collection}:/copy.bin --label slow",
    )
    assert isinstance(task, Task)
    capsys.readouterr()
    timed_out = globus(logged_in, f"wait {task.task_id} --timeout 0.5")
    waiting = capsys.readouterr()
    listed = globus(logged_in, "tasks --limit 5")
    globus(logged_in, f"cancel {task.task_id}")
    canceling = capsys.readouterr()

    assert timed_out is None
    assert "Error 504 TaskWaitTimeout" in waiting.err
    assert f"run %globus wait {task.task_id} to wait again" in waiting.err
    assert isinstance(listed, TaskTable)
    assert task.task_id in [item.task_id for item in listed]
    assert "cancelled successfully" in canceling.out
    final = globus(logged_in, f"task {task.task_id}")
    assert final.status == "FAILED"
    assert final.is_done


def test_wait_returns_succeeded_task(
    logged_in: InteractiveShell, sandbox: Sandbox, collection: str
) -> None:
    assert sandbox.root is not None
    (sandbox.root / "small.txt").write_text("small\n")
    logged_in.run_line_magic("config", "GlobusMagics.polling_interval = 0.1")

    task = globus(logged_in, f"transfer {collection}:/small.txt {collection}:/out.txt")
    waited = globus(logged_in, f"wait {task.task_id} --timeout 30")

    assert isinstance(waited, Task)
    assert waited.status == "SUCCEEDED"
    assert waited.progress == 1.0
    assert task.refresh().status == "SUCCEEDED"
    assert Path(sandbox.root / "out.txt").read_text() == "small\n"


def test_logout_then_whoami(
    logged_in: InteractiveShell, capsys: pytest.CaptureFixture[str]
) -> None:
    globus(logged_in, "logout")
    who = globus(logged_in, "whoami")

    assert "Logged out" in capsys.readouterr().out
    assert isinstance(who, LoginState)
    assert not who.logged_in
    assert "Run %globus login" in repr(who)


def test_panel_command_returns_the_panel(logged_in: InteractiveShell) -> None:
    panel = globus(logged_in, "panel")
    try:
        assert isinstance(panel, GlobusPanel)
        assert panel.login_area.logged_in
        assert panel.session is api.get_session()
    finally:
        panel.close()
    assert not panel.tasks.is_polling
