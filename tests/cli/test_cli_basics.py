"""The command line without a login: help, usage errors, imports, jupyter globus."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.runner import RUN_TIMEOUT, RunCli
from tunel_jupyter.cli import external, main

COMMANDS = (
    "update-tokens",
    "login",
    "whoami",
    "logout",
    "endpoints",
    "ls",
    "mkdir",
    "rename",
    "rm",
    "transfer",
    "tasks",
    "task",
    "wait",
    "cancel",
    "sandbox",
    "demo",
)


def test_help_lists_commands_and_exit_codes(run_cli: RunCli) -> None:
    result = run_cli("--help")

    assert result.returncode == 0, result.stderr
    for command in COMMANDS:
        assert f"\n    {command}" in result.stdout or f"({command})" in result.stdout
    for status in ("0 ", "1 ", "2 ", "3 ", "4 ", "130 "):
        assert f"\n  {status}" in result.stdout
    assert "exit status:" in result.stdout


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("frobnicate",), "invalid choice: 'frobnicate'"),
        (("ls", "ep:/", "--limit", "0"), "'0' is not a whole number of 1 or more"),
        (("ls", "ep:/", "--offset", "ten"), "'ten' is not a whole number"),
        (("wait", "not-a-task"), "'not-a-task' is not a task ID"),
        (("wait", "2b1f3c4e-0000-4000-8000-000000000000", "--timeout", "-1"), "-1"),
        (("transfer", "ep:/a"), "the following arguments are required"),
        (("transfer", "a:/x", "b:/y", "--sync-level", "often"), "'often'"),
        (("endpoints", "--scope", "everything"), "'everything'"),
        (("login", "--bogus"), "unrecognized arguments: --bogus"),
        (("--max-retries", "-1", "whoami"), "'-1' is not a whole number of 0 or more"),
    ],
)
def test_bad_argument_exits_2(
    run_cli: RunCli, args: tuple[str, ...], expected: str
) -> None:
    result = run_cli(*args)

    assert result.returncode == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


def test_no_command_prints_usage(run_cli: RunCli) -> None:
    result = run_cli()

    assert result.returncode == 2
    assert "usage: tunel-globus" in result.stderr


def test_endpoint_scope_all_needs_search(run_cli: RunCli) -> None:
    result = run_cli("endpoints", "--scope", "all")

    assert result.returncode == 2
    assert "--scope all needs --search TEXT" in result.stderr


def test_batch_file_missing_exits_2(run_cli: RunCli, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-batch.txt"

    result = run_cli("transfer", "a:/", "b:/", "--batch", str(missing))

    assert result.returncode == 2
    assert str(missing) in result.stderr


def test_not_logged_in_exits_3(run_cli: RunCli) -> None:
    result = run_cli("endpoints")

    assert result.returncode == 3
    assert "tunel-globus login" in result.stderr
    assert "Traceback" not in result.stderr


def test_eof_at_code_prompt_exits_2(run_cli: RunCli) -> None:
    result = run_cli("login", "--no-browser", input="")

    assert result.returncode == 2
    assert result.stdout.startswith("Please go to this URL and login: ")
    assert "Please enter the code you get after login here: " in result.stdout
    assert "No code was entered" in result.stderr
    assert "Traceback" not in result.stderr


def test_blank_lines_then_eof_exit_2(run_cli: RunCli) -> None:
    result = run_cli("login", "--no-browser", input="\n  \n")

    assert result.returncode == 2
    assert result.stdout.count("Please enter the code") == 3
    assert "No code was entered" in result.stderr


def test_sandbox_notice_on_stderr(run_cli: RunCli, globus_env: dict[str, str]) -> None:
    result = run_cli("whoami")

    auth_url = globus_env["GLOBUS_SDK_SERVICE_URL_AUTH"]
    notice = f"Note: using the tunel-jupyter sandbox at {auth_url}, not Globus."
    assert result.stderr.splitlines()[0] == notice
    assert notice not in result.stdout


def test_import_loads_no_globus_sdk() -> None:
    code = (
        "import sys, tunel_jupyter.cli as cli; cli.build_parser('tunel-globus'); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('globus_sdk', 'tornado', 'requests', 'IPython')))"
    )

    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_jupyter_globus_runs_through_jupyter(globus_env: dict[str, str]) -> None:
    bin_dir = Path(sys.executable).parent
    jupyter = bin_dir / "jupyter"
    if not (bin_dir / "jupyter-globus").exists():
        pytest.skip("jupyter-globus is not installed next to this Python")
    env = {**os.environ, **globus_env}
    env["PATH"] = str(bin_dir) + os.pathsep + env.get("PATH", "")

    result = subprocess.run(
        [str(jupyter), "globus", "--help"],
        capture_output=True,
        text=True,
        env=env,
        timeout=RUN_TIMEOUT,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: jupyter globus")
    assert "update-tokens" in result.stdout


def test_demo_help_is_wired(run_cli: RunCli) -> None:
    result = run_cli("demo", "--help")

    assert result.returncode == 0, result.stderr
    assert "usage: tunel-globus demo" in result.stdout
    assert "--data-dir" in result.stdout


def test_sandbox_help_is_wired(run_cli: RunCli) -> None:
    result = run_cli("sandbox", "--help")

    assert result.returncode == 0, result.stderr
    assert "usage: tunel-globus sandbox" in result.stdout
    assert "--port" in result.stdout


def test_missing_external_module_explained(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(
        external.EXTERNAL_COMMANDS, "demo", ("tunel_jupyter.no_such_demo", "demo")
    )

    status = main(["demo", "--port", "0"])

    assert status == 1
    assert "tunel_jupyter.no_such_demo is not part of this installation" in (
        capsys.readouterr().err
    )


def test_broken_external_module_names_dependency(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    (tmp_path / "broken_sandbox_cli.py").write_text("import no_such_dependency\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(
        external.EXTERNAL_COMMANDS, "sandbox", ("broken_sandbox_cli", "sandbox")
    )

    status = main(["sandbox"])

    assert status == 1
    assert "No module named 'no_such_dependency'" in capsys.readouterr().err
