"""Waiting for a task while the login ends in another process or window."""

from __future__ import annotations

import dataclasses
import threading
import traceback
import typing as t
import uuid

import pytest
from IPython.core.interactiveshell import InteractiveShell

from tests.utils import sandbox_authorize
from tunel_jupyter.errors import LoginRequired, TunelError
from tunel_jupyter.globus import GlobusSession
from tunel_jupyter.kernel.login import LoginPrompt
from tunel_jupyter.kernel.task import Task
from tunel_jupyter.sandbox import Sandbox


def globus(shell: InteractiveShell, line: str) -> t.Any:
    return shell.run_line_magic("globus", line)


@pytest.fixture
def slow_task(
    shell: InteractiveShell,
    globus_env: dict[str, str],
    sandbox: Sandbox,
    slow_transfers: t.Callable[[int], None],
) -> Task:
    """A logged-in shell's transfer that runs for about ten seconds."""
    prompt = globus(shell, "login")
    assert isinstance(prompt, LoginPrompt)
    code, _ = sandbox_authorize(prompt.authorize_url)
    globus(shell, f"login {code}")
    assert sandbox.root is not None
    collection = sandbox.local_collection_id
    (sandbox.root / "big.bin").write_bytes(b"\x07" * 200_000)
    slow_transfers(20_000)
    task = globus(shell, f"transfer {collection}:/big.bin {collection}:/copy.bin")
    assert isinstance(task, Task)
    return task


def log_out_elsewhere(delay: float = 0.5) -> threading.Timer:
    """Log out from another session, as another window would, after ``delay``."""
    timer = threading.Timer(delay, lambda: GlobusSession().logout())
    timer.start()
    return timer


def test_task_wait_raises_login_required(slow_task: Task) -> None:
    timer = log_out_elsewhere()
    try:
        with pytest.raises(LoginRequired) as caught:
            slow_task.wait(10, polling_interval=0.1, show_progress=False)
    finally:
        timer.join(10)

    message = caught.value.message
    assert f"login ended while waiting for task {slow_task.task_id}" in message
    assert "keeps running at Globus" in message
    assert "%globus login" in message
    assert "task.wait() again" in message
    assert caught.value.__cause__ is None
    assert caught.value.__suppress_context__
    # The traceback ends in Task.wait, not inside globus-sdk.
    frames = traceback.extract_tb(caught.value.__traceback__)
    assert frames[-1].name == "wait"
    assert all("globus_sdk" not in frame.filename for frame in frames)


def test_magic_wait_prints_the_login_advice(
    shell: InteractiveShell, slow_task: Task, capsys: pytest.CaptureFixture[str]
) -> None:
    shell.run_line_magic("config", "GlobusMagics.polling_interval = 0.1")
    capsys.readouterr()
    timer = log_out_elsewhere()
    try:
        result = globus(shell, f"wait {slow_task.task_id} --timeout 10")
    finally:
        timer.join(10)

    printed = capsys.readouterr()
    assert result is None
    assert printed.err.startswith("Error 401 LoginRequired: The Globus login ended")
    assert f"run %globus wait {slow_task.task_id} again" in printed.err
    assert "Traceback" not in printed.err
    assert "globus_sdk" not in printed.err
    assert "tunel-globus login" not in printed.err


def test_magic_wait_when_logged_out_first(
    shell: InteractiveShell, slow_task: Task, capsys: pytest.CaptureFixture[str]
) -> None:
    GlobusSession().logout()
    capsys.readouterr()

    assert globus(shell, f"wait {slow_task.task_id} --timeout 10") is None
    printed = capsys.readouterr()
    assert "Error 401 LoginRequired" in printed.err
    assert "ended while waiting" not in printed.err


def test_task_wait_failure_keeps_its_message(slow_task: Task) -> None:
    missing = Task(
        slow_task._session,
        dataclasses.replace(slow_task.record, task_id=str(uuid.uuid4())),
    )

    with pytest.raises(TunelError) as caught:
        missing.wait(10, polling_interval=0.1, show_progress=False)

    assert not isinstance(caught.value, LoginRequired)
    assert missing.task_id in caught.value.message
    assert "call task.wait() again" in caught.value.__notes__[-1]
    frames = traceback.extract_tb(caught.value.__traceback__)
    assert all("globus_sdk" not in frame.filename for frame in frames)
