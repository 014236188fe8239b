"""Fixtures for running the real tunel-globus process against the sandbox."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.runner import RUN_TIMEOUT, RunCli, cli_environment
from tests.utils import sandbox_authorize
from tunel_jupyter.globus import GlobusSession
from tunel_jupyter.sandbox import Sandbox


@pytest.fixture
def run_cli(globus_env: dict[str, str]) -> RunCli:
    """Run ``python -m tunel_jupyter.cli ARGS`` and return the finished process."""

    def run(
        *args: str,
        input: str | None = "",
        timeout: float = RUN_TIMEOUT,
        env: dict[str, str] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "tunel_jupyter.cli", *args],
            input=input,
            capture_output=True,
            text=True,
            encoding="utf-8",
            env={**cli_environment(globus_env), **(env or {})},
            timeout=timeout,
        )

    return run


@pytest.fixture
def logged_in(globus_env: dict[str, str]) -> GlobusSession:
    """Log in through the core API (faster than the command line) and return it."""
    session = GlobusSession()
    request = session.start_login()
    code, state = sandbox_authorize(request.authorize_url)
    session.finish_login(code, state=state)
    return session


@pytest.fixture
def local(sandbox: Sandbox) -> str:
    """The ID of the sandbox collection rooted at ``sandbox.root``."""
    assert sandbox.local_collection_id is not None
    return sandbox.local_collection_id


@pytest.fixture
def root(sandbox: Sandbox) -> Path:
    """The folder on disk behind the local collection."""
    assert sandbox.root is not None
    return sandbox.root
