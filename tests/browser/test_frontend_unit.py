"""Run the front-end model's unit tests (vitest, in labextension/) from pytest."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

LABEXTENSION = Path(__file__).resolve().parents[2] / "labextension"


def test_frontend_model_unit_tests(tmp_path: Path) -> None:
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed; .ci/setup installs Node.js and npm")
    if not (LABEXTENSION / "node_modules").is_dir():
        # `pip install -e .` installs them when it builds the extension; this
        # covers a checkout whose extension was built elsewhere.
        install = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund"],
            cwd=LABEXTENSION,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert install.returncode == 0, install.stdout + install.stderr

    report = tmp_path / "vitest.json"
    result = subprocess.run(
        [npm, "test", "--", "--reporter=json", f"--outputFile={report}"],
        cwd=LABEXTENSION,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    summary = json.loads(report.read_text())
    assert summary["numTotalTests"] > 0, output
    assert summary["numFailedTests"] == 0, output
    assert summary["numPassedTests"] == summary["numTotalTests"], output
