"""Problems a new user ran into with the command line, checked against the sandbox."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from tests.cli.runner import RunCli
from tunel_jupyter.globus import GlobusSession


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
