"""Fixtures shared by every test area: a fresh sandbox and an environment for it."""

from __future__ import annotations

import typing as t
from pathlib import Path

import pytest

from tunel_jupyter.sandbox import Sandbox


@pytest.fixture
def sandbox(tmp_path: Path) -> t.Iterator[Sandbox]:
    """A running sandbox with its own state folder and a collection at ``root``."""
    root = tmp_path / "jupyter-root"
    root.mkdir()
    server = Sandbox(root=root, state_dir=tmp_path / "sandbox-state")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def globus_env(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """Point globus-sdk and tunel at ``sandbox``, with a private data dir and HOME."""
    data_dir = tmp_path / "data"
    home = tmp_path / "home"
    data_dir.mkdir(exist_ok=True)
    home.mkdir(exist_ok=True)
    env = {
        **sandbox.env(),
        "JUPYTER_DATA_DIR": str(data_dir),
        "HOME": str(home),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("GLOBUS_SDK_ENVIRONMENT", raising=False)
    monkeypatch.delenv("TUNEL_GLOBUS_AUTH_BROWSER_URL", raising=False)
    return env
