"""``%load_ext tunel_jupyter`` stays cheap: globus-sdk, ipywidgets and the Globus
core are imported by the first ``%globus`` command, not by loading the magics."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = (
    "globus_sdk",
    "ipywidgets",
    "requests",
    "tunel_jupyter.kernel.api",
    "tunel_jupyter.globus.records",
)
SCRIPT = f"""
import json, sys
from IPython.core.interactiveshell import InteractiveShell

shell = InteractiveShell.instance()
shell.run_line_magic("load_ext", "tunel_jupyter")
print("loaded:", json.dumps([name for name in {HEAVY!r} if name in sys.modules]))
shell.run_line_magic("globus", "--help")
print("api after a command:", json.dumps("tunel_jupyter.kernel.api" in sys.modules))
"""


def run_script(tmp_path: Path, **variables: str) -> list[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("GLOBUS_SDK_", "TUNEL_GLOBUS_"))
    }
    env.update(JUPYTER_DATA_DIR=str(tmp_path / "data"), HOME=str(tmp_path), **variables)
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip().splitlines()


@pytest.mark.parametrize("sandbox", [False, True], ids=["globus", "sandbox"])
def test_load_ext_imports_no_globus(tmp_path: Path, sandbox: bool) -> None:
    variables = (
        {
            "GLOBUS_SDK_SERVICE_URL_AUTH": "http://127.0.0.1:9/auth/",
            "GLOBUS_SDK_SERVICE_URL_TRANSFER": "http://127.0.0.1:9/transfer/v0.10/",
        }
        if sandbox
        else {}
    )

    lines = run_script(tmp_path, **variables)

    notice = [line for line in lines if line.startswith("Sandbox: ")]
    assert len(notice) == (1 if sandbox else 0)
    reports = dict(
        line.split(": ", 1) for line in lines if line.startswith(("loaded", "api"))
    )
    assert json.loads(reports["loaded"]) == []
    # The first command builds the parser, which reads the API's scope names.
    assert json.loads(reports["api after a command"]) is True
