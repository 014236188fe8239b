"""globus-cli, from its own virtual environment, logs in and moves files in the sandbox.

globus-cli 3.44.0 pins globus-sdk 4.9.0, so it cannot share the product's environment,
which tracks the newest SDK. The environment is made once and cached outside the
repository, in ``TUNEL_GLOBUS_CLI_VENV`` or ``~/.cache/tunel-jupyter/``.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
import typing as t
from pathlib import Path

import pytest
from tests.utils import sandbox_authorize

from tunel_jupyter.sandbox import Sandbox
from tunel_jupyter.sandbox.state import load_seed

pytestmark = [pytest.mark.cli_peer, pytest.mark.slow]

CLI_VERSION = "3.44.0"
# Read at import, before fixtures point HOME at a temporary folder.
DEFAULT_VENV = Path.home() / ".cache" / "tunel-jupyter" / f"globus-cli-{CLI_VERSION}"
COMMAND_TIMEOUT = 60


def installed_version(venv: Path) -> str | None:
    python = venv / "bin" / "python"
    if not python.exists():
        return None
    result = subprocess.run(
        [
            str(python),
            "-c",
            "import importlib.metadata as m; print(m.version('globus-cli'))",
        ],
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
    )
    return result.stdout.strip() if result.returncode == 0 else None


@pytest.fixture(scope="session")
def globus_cli() -> Path:
    """Path of the ``globus`` executable, installing globus-cli on first use."""
    override = os.environ.get("TUNEL_GLOBUS_CLI_VENV")
    venv = Path(override) if override else DEFAULT_VENV
    if installed_version(venv) != CLI_VERSION:
        venv.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, "-m", "venv", "--clear", str(venv)],
            check=True,
            timeout=COMMAND_TIMEOUT * 2,
        )
        install = subprocess.run(
            [
                str(venv / "bin" / "python"),
                "-m",
                "pip",
                "install",
                "--quiet",
                f"globus-cli=={CLI_VERSION}",
            ],
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert install.returncode == 0, (
            f"installing globus-cli {CLI_VERSION} into {venv} failed:\n{install.stderr}"
        )
    assert installed_version(venv) == CLI_VERSION
    return venv / "bin" / "globus"


@pytest.fixture
def cli_env(sandbox: Sandbox, tmp_path: Path) -> dict[str, str]:
    """Environment for globus-cli: the sandbox's URLs and a private HOME."""
    home = tmp_path / "cli-home"
    home.mkdir()
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("GLOBUS_", "TUNEL_"))
    }
    env.update(
        {
            "HOME": str(home),
            "GLOBUS_SDK_SERVICE_URL_AUTH": sandbox.auth_url,
            "GLOBUS_SDK_SERVICE_URL_TRANSFER": sandbox.transfer_url,
        }
    )
    return env


def run_cli(globus: Path, env: dict[str, str], *args: str) -> t.Any:
    """Run one globus command with ``-F json`` and return its parsed output."""
    result = subprocess.run(
        [str(globus), *args, "-F", "json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
    )
    assert result.returncode == 0, (
        f"globus {' '.join(args)} exited with {result.returncode}:\n"
        f"{result.stdout}\n{result.stderr}"
    )
    return json.loads(result.stdout)


def login_cli(globus: Path, env: dict[str, str], sandbox: Sandbox) -> str:
    """Run ``globus login --no-local-server``, approving the URL it prints."""
    process = subprocess.Popen(
        [str(globus), "login", "--no-local-server"],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()

    def read_lines() -> None:
        for line in process.stdout or ():
            lines.put(line)

    threading.Thread(target=read_lines, daemon=True).start()
    output: list[str] = []
    authorize_prefix = f"{sandbox.auth_url}v2/oauth2/authorize?"
    deadline = time.monotonic() + COMMAND_TIMEOUT
    try:
        while not any(line.startswith(authorize_prefix) for line in output):
            try:
                output.append(
                    lines.get(timeout=max(deadline - time.monotonic(), 0.01)).strip()
                )
            except queue.Empty:
                raise AssertionError(
                    f"globus login printed no authorize URL: {output}"
                ) from None
        url = next(line for line in output if line.startswith(authorize_prefix))
        code, _ = sandbox_authorize(url)
        assert process.stdin is not None
        process.stdin.write(code + "\n")
        process.stdin.close()
        status = process.wait(timeout=COMMAND_TIMEOUT)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
    while not lines.empty():
        output.append(lines.get().strip())
    assert status == 0, "\n".join(output)
    return "\n".join(output)


def seed_collections_owned_by(username: str) -> set[str]:
    items = load_seed(None)["collections"]["items"]
    return {item["id"] for item in items if item.get("owner") == username}


@pytest.mark.timeout(900)
def test_globus_cli_against_sandbox(
    globus_cli: Path, cli_env: dict[str, str], sandbox: Sandbox
) -> None:
    output = login_cli(globus_cli, cli_env, sandbox)
    assert "successfully logged in" in output.lower()

    username = sandbox.state.identities[sandbox.state.default_identity_id].username
    whoami = run_cli(globus_cli, cli_env, "whoami")
    assert whoami["preferred_username"] == username

    # globus endpoint search lists exactly the seed's collections of the user.
    found = run_cli(
        globus_cli, cli_env, "endpoint", "search", "--filter-scope", "my-endpoints"
    )
    ids = {record["id"] for record in found["DATA"]}
    expected = seed_collections_owned_by(username) | {sandbox.local_collection_id}
    assert ids == expected
    names = {record["id"]: record["display_name"] for record in found["DATA"]}
    assert names[sandbox.local_collection_id]

    # globus ls shows files put into the collection's folder.
    assert sandbox.root is not None
    source = sandbox.root / "source"
    (source / "nested").mkdir(parents=True)
    (source / "a.txt").write_text("alpha\n")
    (source / "nested" / "b.bin").write_bytes(bytes(range(256)) * 40)
    collection = sandbox.local_collection_id
    listing = run_cli(globus_cli, cli_env, "ls", f"{collection}:/source/")
    entries = {entry["name"]: entry["type"] for entry in listing["DATA"]}
    assert entries == {"a.txt": "file", "nested": "dir"}

    # globus transfer copies the folder; globus task show reports it done.
    submitted = run_cli(
        globus_cli,
        cli_env,
        "transfer",
        f"{collection}:/source/",
        f"{collection}:/copy/",
        "--recursive",
        "--label",
        "cli peer test",
    )
    task_id = submitted["task_id"]
    assert submitted["code"] == "Accepted"
    deadline = time.monotonic() + COMMAND_TIMEOUT
    task = run_cli(globus_cli, cli_env, "task", "show", task_id)
    while task["status"] == "ACTIVE" and time.monotonic() < deadline:
        time.sleep(0.5)
        task = run_cli(globus_cli, cli_env, "task", "show", task_id)
    assert task["status"] == "SUCCEEDED"
    assert task["label"] == "cli peer test"
    assert task["files_transferred"] == 2
    copy = sandbox.root / "copy"
    assert (copy / "a.txt").read_text() == "alpha\n"
    assert (copy / "nested" / "b.bin").read_bytes() == bytes(range(256)) * 40
