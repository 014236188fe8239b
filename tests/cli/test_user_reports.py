"""Problems a new user ran into with the command line, checked against the sandbox."""

from __future__ import annotations

import json
import os
import re
import shlex
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.runner import (
    RUN_TIMEOUT,
    RunCli,
    cli_environment,
    read_available,
    read_until,
)
from tests.cli.test_transfer import SUBMITTED
from tunel_jupyter.globus import GlobusSession
from tunel_jupyter.sandbox import Sandbox

FAST = ("--polling-interval", "0.2")


def _store(globus_env: dict[str, str]) -> Path:
    return Path(globus_env["JUPYTER_DATA_DIR"]) / "tunel" / "globus"


def test_loose_store_modes_warned_once(
    logged_in: GlobusSession, run_cli: RunCli, globus_env: dict[str, str]
) -> None:
    store = _store(globus_env)
    (store / "tokens.json").chmod(0o644)
    store.chmod(0o755)

    result = run_cli("whoami")

    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "Warning:" in line]
    assert len(warnings) == 2, result.stderr
    assert any("tokens.json were 644" in line for line in warnings)
    assert any(f"{store} were 755" in line for line in warnings)
    assert all(line.startswith("Warning: Permissions of ") for line in warnings)
    assert stat.S_IMODE(os.stat(store / "tokens.json").st_mode) == 0o600


def test_rm_one_file_says_file(
    logged_in: GlobusSession, run_cli: RunCli, local: str, root: Path
) -> None:
    (root / "one.txt").write_text("1")
    (root / "two-a.txt").write_text("2")
    (root / "two-b.txt").write_text("2")

    one = run_cli("rm", f"{local}:/one.txt", "--wait", *FAST)
    two = run_cli("rm", f"{local}:/two-a.txt", f"{local}:/two-b.txt", "--wait", *FAST)

    assert one.returncode == 0, one.stderr
    assert one.stdout.rstrip().endswith("succeeded: 1 file deleted")
    assert two.returncode == 0, two.stderr
    assert two.stdout.rstrip().endswith("succeeded: 2 files deleted")


def test_tasks_status_any_case(
    logged_in: GlobusSession, run_cli: RunCli, local: str, root: Path
) -> None:
    (root / "gone.txt").write_text("x")
    deleted = run_cli("rm", f"{local}:/gone.txt", "--wait", *FAST)
    assert deleted.returncode == 0, deleted.stderr

    lower = run_cli("tasks", "--status", "succeeded", "--json")
    mixed = run_cli("tasks", "--status", "Failed", "--json")
    unknown = run_cli("tasks", "--status", "done")

    assert lower.returncode == 0, lower.stderr
    assert [task["status"] for task in json.loads(lower.stdout)] == ["SUCCEEDED"]
    assert mixed.returncode == 0, mixed.stderr
    assert json.loads(mixed.stdout) == []
    assert unknown.returncode == 2
    assert "'DONE'" in unknown.stderr


def test_ls_offset_past_end(
    logged_in: GlobusSession, run_cli: RunCli, local: str, root: Path
) -> None:
    (root / "few").mkdir()
    for number in range(3):
        (root / "few" / f"file-{number}.txt").write_text(str(number))

    past = run_cli("ls", f"{local}:/few", "--offset", "99999999")
    last = run_cli("ls", f"{local}:/few", "--offset", "2")

    assert past.returncode == 2
    assert past.stdout == ""
    assert "--offset 99999999 is past the end" in past.stderr
    assert "has 3 entries" in past.stderr
    assert last.returncode == 0, last.stderr
    assert last.stdout.splitlines() == ["file-2.txt"]


def test_invalid_arguments_exit_2_when_logged_out(run_cli: RunCli) -> None:
    label = run_cli("transfer", "a:/x", "b:/y", "--label", "a\nb")
    home = run_cli("rm", "a:/x", "b:/~/")

    assert label.returncode == 2, label.stderr
    assert "Invalid label 'a\\nb'" in label.stderr
    assert home.returncode == 2, home.stderr
    assert "'b:/~/'" in home.stderr
    for result in (label, home):
        assert "log in" not in result.stderr.lower()


def test_closed_pipe_exits_141_quietly(
    logged_in: GlobusSession, globus_env: dict[str, str], local: str, root: Path
) -> None:
    # More output than a pipe buffers (64 KiB on Linux), so writing must fail.
    (root / "many").mkdir()
    for number in range(2500):
        (root / "many" / f"a-file-with-a-long-name-{number:05}.txt").touch()

    process = subprocess.Popen(
        [sys.executable, "-m", "tunel_jupyter.cli", "ls", f"{local}:/many"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=cli_environment(globus_env),
    )
    assert process.stdout is not None and process.stderr is not None
    try:
        first = process.stdout.readline()
        process.stdout.close()
        status = process.wait(timeout=RUN_TIMEOUT)
        stderr = process.stderr.read().decode()
    finally:
        process.kill()
        process.stderr.close()

    assert first == b"a-file-with-a-long-name-00000.txt\n"
    assert status == 141
    # Only the sandbox notice: no error, no traceback, no "Exception ignored".
    assert len(stderr.splitlines()) == 1, stderr
    assert stderr.startswith("Note: using the tunel-jupyter sandbox")


def test_ctrl_d_at_terminal_prompt_ends_line(globus_env: dict[str, str]) -> None:
    pty = pytest.importorskip("pty")
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "tunel_jupyter.cli", "login", "--no-browser"],
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        env=cli_environment(globus_env),
    )
    try:
        shown = read_until(controller, "login here: ")
        assert "login here: " in shown, shown
        os.write(controller, b"\x04")
        status = process.wait(timeout=RUN_TIMEOUT)
        shown += read_available(controller)
    finally:
        process.kill()
        os.close(terminal)
        os.close(controller)

    assert status == 2
    lines = shown.replace("\r\n", "\n").splitlines()
    errors = [line for line in lines if "No code was entered" in line]
    assert errors == [errors[0]], shown
    assert errors[0].startswith("Error: "), shown
    prompt = [line for line in lines if "login here:" in line]
    assert prompt[-1].rstrip().endswith("login here:"), shown


def test_long_globus_error_shortened(
    logged_in: GlobusSession, run_cli: RunCli, local: str
) -> None:
    short = run_cli("ls", f"{local}:/~/nope")
    full = run_cli("-v", "ls", f"{local}:/~/nope")

    assert short.returncode == 1
    lines = short.stderr.splitlines()
    assert lines[0].startswith("Note: using the tunel-jupyter sandbox")
    assert len(lines) == 3, short.stderr
    assert lines[1].startswith("Error: Not found: could not list /~/nope on ")
    assert lines[2].startswith("For the full message, run the command with -v: ")
    assert lines[2].endswith("tunel-globus -v ls ...")
    assert full.returncode == 1
    assert "Message: No such file or directory" in full.stderr
    assert "\n\n" not in full.stderr


def test_folder_without_recursive_rejected_before_submit(
    sandbox: Sandbox, logged_in: GlobusSession, run_cli: RunCli, local: str, root: Path
) -> None:
    (root / "data").mkdir()
    (root / "data" / "a.txt").write_text("a")
    (root / "file.txt").write_text("f")

    copy = run_cli("transfer", f"{local}:/data", f"{local}:/copy")
    delete = run_cli("rm", f"{local}:/file.txt", f"{local}:/data")
    file_recursive = run_cli("transfer", f"{local}:/file.txt", f"{local}:/f2", "-r")

    for result in (copy, delete, file_recursive):
        assert result.returncode == 2, result.stderr
        assert "task submitted" not in result.stdout
    assert "/data is a folder; add --recursive to copy it" in copy.stderr
    assert "/data is a folder; add --recursive to delete it" in delete.stderr
    assert "/file.txt is a file" in file_recursive.stderr
    assert (root / "file.txt").exists()
    assert not sandbox.state.transfer.tasks


def test_failed_task_shows_reason_and_last_fault(
    logged_in: GlobusSession, run_cli: RunCli, local: str, root: Path
) -> None:
    (root / "data").mkdir()
    (root / "file.txt").write_text("f")
    # A batch of two items is submitted unchecked, so the task itself fails.
    batch = "/data /copy\n/file.txt /copy.txt\n"
    folder = run_cli(
        "transfer",
        f"{local}:/",
        f"{local}:/",
        "--batch",
        "-",
        "--wait",
        *FAST,
        input=batch,
    )
    missing = run_cli(
        "transfer", f"{local}:/nope.txt", f"{local}:/n.txt", "--wait", *FAST
    )

    assert folder.returncode == 1
    reason = "Reason: GENERAL_ERROR: /data is a directory; submit it with recursive set"
    assert reason in folder.stderr.splitlines()
    assert missing.returncode == 1
    fault = [line for line in missing.stderr.splitlines() if "Last fault:" in line]
    assert len(fault) == 1, missing.stderr
    assert fault[0].startswith("Last fault: FILE_NOT_FOUND: ")
    assert fault[0].endswith("File: /nope.txt Message: No such file or directory")

    task_id = SUBMITTED.search(missing.stdout)
    assert task_id is not None
    details = run_cli("task", task_id.group(2), "--events", "0")
    assert details.returncode == 0, details.stderr
    shown = re.search(r"^Last fault: +(.*)$", details.stdout, re.MULTILINE)
    assert shown is not None, details.stdout
    assert "Last fault: " + shown.group(1) == fault[0]


DOCS = Path(__file__).resolve().parents[2] / "docs" / "cli.md"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def test_docs_mkdir_rename_rm_example_runs(
    logged_in: GlobusSession, run_cli: RunCli
) -> None:
    section = DOCS.read_text().split("## `mkdir`, `rename`, `rm`", 1)[1]
    example = section.split("```console\n", 1)[1].split("```", 1)[0]
    steps: list[tuple[list[str], list[str]]] = []
    for line in example.splitlines():
        if line.startswith("$ tunel-globus "):
            steps.append((shlex.split(line)[2:], []))
        else:
            steps[-1][1].append(line)
    assert len(steps) >= 3

    for words, expected in steps:
        result = run_cli(*words)
        assert result.returncode == 0, (words, result.stderr)
        shown = [UUID.sub("ID", line) for line in result.stdout.splitlines()]
        assert shown == [UUID.sub("ID", line) for line in expected], words
