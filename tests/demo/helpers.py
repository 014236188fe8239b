"""Helpers for the demo tests: a clean environment for the subprocesses they start."""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]

# Variables of the test runner that would point a subprocess at another Globus
# environment, login or Jupyter folder.
FOREIGN_PREFIXES = ("GLOBUS_SDK_", "TUNEL_GLOBUS_", "JUPYTER_", "XDG_")


def clean_env(home: Path) -> dict[str, str]:
    """Return this process's environment with its own HOME and this venv on PATH."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(FOREIGN_PREFIXES)
    }
    env["HOME"] = str(home)
    bin_dir = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join([bin_dir, env.get("PATH", os.defpath)])
    env["PYTHONUNBUFFERED"] = "1"
    return env
