"""tunel-globus transfer, tasks, task, wait, cancel and consent against the sandbox."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import sys
import threading
import typing as t
from pathlib import Path

import pytest

from tests.cli.runner import (
    RUN_TIMEOUT,
    RunCli,
    cli_environment,
    login_with_paste_flow,
    read_available,
    read_until,
)
from tests.utils import sandbox_authorize
from tunel_jupyter.sandbox import Sandbox

pytestmark = pytest.mark.usefixtures("logged_in")

FAST = ("--polling-interval", "0.2")
SUBMITTED = re.compile(r"^(Transfer|Delete) task submitted: ([0-9a-f-]{36})$", re.M)
CONSENT_COLLECTION = "0b5c4a8e-6f0e-4c3a-9d5e-2f1a7b8c9d01"
HIGH_ASSURANCE_COLLECTION = "0b5c4a8e-6f0e-4c3a-9d5e-2f1a7b8c9d02"


@pytest.fixture
def slow_transfers(sandbox: Sandbox) -> t.Iterator[None]:
    """Copy at 2 KB/s, so a task stays active while the test acts on it."""
    sandbox.state.transfer.bytes_per_second_override = 2000
    yield
    sandbox.state.transfer.bytes_per_second_override = None


def submitted_task_id(result: subprocess.CompletedProcess[str]) -> str:
    """Return the task ID a transfer or rm command printed."""
    match = SUBMITTED.search(result.stdout)
    assert match is not None, (result.stdout, result.stderr)
    return match.group(2)


def write_tree(folder: Path) -> dict[str, bytes]:
    """Write a small tree of files under ``folder``; return relative path -> bytes."""
    files = {
        "top.bin": bytes(range(256)) * 40,
        "nested/inner.txt": b"inner\n",
        "nested/deeper/empty.dat": b"",
    }
    for relative, data in files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return files


def test_transfer_file_and_folder(run_cli: RunCli, local: str, root: Path) -> None:
    files = write_tree(root / "src")
    (root / "dst").mkdir()

    one_file = run_cli(
        "transfer", f"{local}:/src/top.bin", f"{local}:/dst/", "--wait", *FAST
    )
    folder = run_cli(
        "transfer",
        f"{local}:/src",
        f"{local}:/dst/copy",
        "--recursive",
        "--label",
        "folder copy",
        "--wait",
        *FAST,
    )

    assert one_file.returncode == 0, one_file.stderr
    assert "succeeded" in one_file.stdout
    # A file sent into a folder keeps its name there.
    assert (root / "dst" / "top.bin").read_bytes() == files["top.bin"]
    assert folder.returncode == 0, folder.stderr
    for relative, data in files.items():
        assert (root / "dst" / "copy" / relative).read_bytes() == data

    folder_task = submitted_task_id(folder)
    tasks = run_cli("tasks", "--json")
    details = run_cli("task", folder_task, "--json")
    assert tasks.returncode == 0, tasks.stderr
    listed = {task["task_id"]: task for task in json.loads(tasks.stdout)}
    assert set(listed) >= {submitted_task_id(one_file), folder_task}
    assert listed[folder_task]["label"] == "folder copy"
    assert details.returncode == 0, details.stderr
    task = json.loads(details.stdout)
    assert task["task"]["status"] == "SUCCEEDED"
    assert task["task"]["files_transferred"] == len(files)
    assert task["task"]["bytes_transferred"] == sum(map(len, files.values()))
    assert isinstance(task["events"], list)


def test_transfer_then_wait(run_cli: RunCli, local: str, root: Path) -> None:
    (root / "later.txt").write_text("later")

    submitted = run_cli("transfer", f"{local}:/later.txt", f"{local}:/later-copy.txt")
    task_id = submitted_task_id(submitted)
    waited = run_cli("wait", task_id, "--timeout", "30", *FAST)
    shown = run_cli("task", task_id)

    assert submitted.returncode == 0, submitted.stderr
    assert f"tunel-globus wait {task_id}" in submitted.stdout
    assert waited.returncode == 0, waited.stderr
    assert waited.stdout.strip().startswith(f"Task {task_id} succeeded")
    # Off a terminal, progress is printed as plain lines on stderr.
    assert f"Task {task_id}: SUCCEEDED" in waited.stderr
    assert "\r" not in waited.stderr
    assert (root / "later-copy.txt").read_text() == "later"
    assert re.search(r"^Status: +SUCCEEDED$", shown.stdout, re.M)


def test_batch_transfer_from_stdin(run_cli: RunCli, local: str, root: Path) -> None:
    files = write_tree(root / "batch-src")
    (root / "batch src two.txt").write_text("spaces")
    batch = "\n".join(
        [
            "# relative paths are joined to the base paths",
            "top.bin top-copy.bin",
            "nested nested-copy --recursive",
            "'/batch src two.txt' '/batch-dst/two & more #.txt'",
            "",
        ]
    )

    result = run_cli(
        "transfer",
        f"{local}:/batch-src",
        f"{local}:/batch-dst",
        "--batch",
        "-",
        "--wait",
        *FAST,
        input=batch,
    )

    assert result.returncode == 0, result.stderr
    dst = root / "batch-dst"
    assert (dst / "top-copy.bin").read_bytes() == files["top.bin"]
    assert (dst / "nested-copy" / "inner.txt").read_bytes() == b"inner\n"
    assert (dst / "nested-copy" / "deeper" / "empty.dat").read_bytes() == b""
    assert (dst / "two & more #.txt").read_text() == "spaces"


def test_batch_line_errors_exit_2(run_cli: RunCli, local: str) -> None:
    result = run_cli(
        "transfer",
        f"{local}:/a",
        f"{local}:/b",
        "--batch",
        "-",
        input="one two\nonly-one\n",
    )
    relative = run_cli(
        "transfer", local, f"{local}:/b", "--batch", "-", input="x.txt y.txt\n"
    )

    assert result.returncode == 2
    assert "line 2 of the batch from stdin" in result.stderr
    assert "'only-one'" in result.stderr
    assert relative.returncode == 2
    assert "'x.txt'" in relative.stderr
    assert "without a base path" in relative.stderr


def test_failed_task_exits_1(run_cli: RunCli, local: str) -> None:
    result = run_cli(
        "transfer", f"{local}:/missing.txt", f"{local}:/copy.txt", "--wait", *FAST
    )

    assert result.returncode == 1
    assert "ended FAILED" in result.stderr
    assert "Reason: " in result.stderr
    assert "Traceback" not in result.stderr

    failed = run_cli("tasks", "--status", "FAILED", "--json")
    succeeded = run_cli("tasks", "--status", "SUCCEEDED", "--json")
    task_id = submitted_task_id(result)
    assert [task["task_id"] for task in json.loads(failed.stdout)] == [task_id]
    assert json.loads(succeeded.stdout) == []


@pytest.mark.slow
@pytest.mark.usefixtures("slow_transfers")
def test_wait_timeout_exits_4_then_cancel(
    run_cli: RunCli, local: str, root: Path
) -> None:
    (root / "big.bin").write_bytes(b"\0" * 200_000)

    submitted = run_cli(
        "transfer",
        f"{local}:/big.bin",
        f"{local}:/big-copy.bin",
        "--wait",
        "--timeout",
        "1",
        *FAST,
    )
    task_id = submitted_task_id(submitted)
    canceled = run_cli("cancel", task_id)
    after = run_cli("wait", task_id, "--timeout", "20", *FAST)

    assert submitted.returncode == 4, submitted.stderr
    assert "still ACTIVE" in submitted.stderr
    assert f"tunel-globus cancel {task_id}" in submitted.stderr
    assert canceled.returncode == 0, canceled.stderr
    assert canceled.stdout.strip()
    assert after.returncode == 1
    assert "ended FAILED" in after.stderr


@pytest.mark.usefixtures("slow_transfers")
def test_wait_draws_progress_bar_on_terminal(
    globus_env: dict[str, str], run_cli: RunCli, local: str, root: Path
) -> None:
    pty = pytest.importorskip("pty")
    (root / "bar.bin").write_bytes(b"\1" * 2_000)
    task_id = submitted_task_id(
        run_cli("transfer", f"{local}:/bar.bin", f"{local}:/bar-copy.bin")
    )
    controller, terminal = pty.openpty()

    try:
        process = subprocess.run(
            [sys.executable, "-m", "tunel_jupyter.cli", "wait", task_id, *FAST],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=terminal,
            env=cli_environment(globus_env),
            timeout=RUN_TIMEOUT,
        )
        drawn = read_available(controller)
    finally:
        os.close(terminal)
        os.close(controller)

    assert process.returncode == 0
    assert "\r[" in drawn
    assert "#" * 30 + "] 100%" in drawn
    assert f"Task {task_id} succeeded" in process.stdout.decode()


@pytest.mark.slow
def test_consent_required_then_login_with_scope(
    globus_env: dict[str, str], run_cli: RunCli
) -> None:
    refused = run_cli("ls", f"{CONSENT_COLLECTION}:/")

    assert refused.returncode == 3
    assert "data_access" in refused.stderr
    hint = refused.stderr.splitlines()[-1]
    assert hint.startswith("To consent and store the new tokens, run: tunel-globus ")
    command = shlex.split(hint.split(" run: ", 1)[1])
    assert command[:2] == ["tunel-globus", "login"]

    consent = login_with_paste_flow(globus_env, *command[2:])
    assert consent.returncode == 0, consent.stderr
    consent_url = consent.stdout.splitlines()[0]
    assert "data_access" in consent_url
    assert CONSENT_COLLECTION in consent_url

    allowed = run_cli("ls", f"{CONSENT_COLLECTION}:/")
    assert allowed.returncode == 0, allowed.stderr
    assert allowed.stdout.strip()


def test_high_assurance_needs_domain_login(
    globus_env: dict[str, str], run_cli: RunCli
) -> None:
    refused = run_cli("ls", f"{HIGH_ASSURANCE_COLLECTION}:/")

    assert refused.returncode == 3
    hint = refused.stderr.splitlines()[-1]
    assert hint.startswith("To log in again as required, run: ")
    command = shlex.split(hint.split(" run: ", 1)[1])
    assert command[2:] == ["--domain", "secure.example.net"]

    again = login_with_paste_flow(globus_env, *command[2:])
    assert again.returncode == 0, again.stderr
    allowed = run_cli("ls", f"{HIGH_ASSURANCE_COLLECTION}:/")
    assert allowed.returncode == 0, allowed.stderr


@pytest.mark.slow
def test_consent_at_terminal_then_rerun(globus_env: dict[str, str]) -> None:
    pty = pytest.importorskip("pty")
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "tunel_jupyter.cli", "ls", f"{CONSENT_COLLECTION}:/"],
        stdin=terminal,
        stdout=subprocess.PIPE,
        stderr=terminal,
        env=cli_environment(globus_env),
    )
    try:
        shown = read_until(controller, "login here: ")
        match = re.search(r"Please go to this URL and login: (\S+)", shown)
        assert match is not None, shown
        code, _state = sandbox_authorize(match.group(1))
        os.write(controller, (code + "\n").encode())
        stdout, _ = process.communicate(timeout=RUN_TIMEOUT)
        shown += read_available(controller)
    finally:
        process.kill()
        os.close(terminal)
        os.close(controller)

    assert process.returncode == 0, shown
    assert "data_access" in match.group(1)
    assert "Consent given; running the command again." in shown
    assert stdout.decode().strip()


@pytest.mark.usefixtures("slow_transfers")
def test_interrupted_wait_exits_130(
    globus_env: dict[str, str], run_cli: RunCli, local: str, root: Path
) -> None:
    (root / "long.bin").write_bytes(b"\2" * 200_000)
    task_id = submitted_task_id(
        run_cli("transfer", f"{local}:/long.bin", f"{local}:/long-copy.bin")
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "tunel_jupyter.cli", "wait", task_id, *FAST],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=cli_environment(globus_env),
    )
    # A timer bounds the blocking reads below if the process hangs.
    timer = threading.Timer(RUN_TIMEOUT, process.kill)
    timer.start()
    try:
        assert process.stderr is not None
        # The first progress line shows the command is waiting, past start-up.
        for _ in range(5):
            if process.stderr.readline().startswith(b"Task "):
                break
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=RUN_TIMEOUT)
    finally:
        timer.cancel()
        process.kill()

    assert process.returncode == 130
    assert b"Interrupted." in stderr
    assert b"Traceback" not in stderr
