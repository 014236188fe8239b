"""The installed package ships the prebuilt JupyterLab extension and enables it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import tunel_jupyter


def test_labextension_is_listed_and_enabled(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "jupyterlab.labextensions", "list"],
        capture_output=True,
        text=True,
        timeout=120,
        env={
            "PATH": "/usr/bin:/bin",
            "HOME": str(tmp_path),
            "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        },
    )
    # The list goes to stderr; strip colour codes before matching.
    listing = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout + result.stderr)
    assert result.returncode == 0, listing
    line = next(
        (text for text in listing.splitlines() if "tunel-jupyter" in text), None
    )
    assert line is not None, listing
    assert "enabled" in line
    assert "OK" in line


def test_labextension_build_is_complete() -> None:
    folder = Path(tunel_jupyter.__file__).parent / "labextension"
    metadata = json.loads((folder / "package.json").read_text())
    assert metadata["name"] == "tunel-jupyter"
    remote_entry = metadata["jupyterlab"]["_build"]["load"]
    assert (folder / remote_entry).is_file()
    assert (folder / "schemas" / "tunel-jupyter" / "plugin.json").is_file()
