"""Run the benchmarks' quick mode, so the benchmark code cannot rot.

Timed targets are only printed, never asserted; the counted target (one refresh
for a burst of requests after the access token expired) is asserted here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_quick_benchmarks_run(tmp_path: Path) -> None:
    rows_file = tmp_path / "rows.json"

    result = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--json", str(rows_file)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=850,
    )

    assert result.returncode == 0, result.stderr[-3000:]
    assert "measurement" in result.stdout
    rows = json.loads(rows_file.read_text())
    cases = {row["case"].split()[0] for row in rows}
    assert cases == {"1", "2", "3", "4", "5", "6"}
    missing = [row["name"] for row in rows if row["value"] is None]
    assert missing == []
    refreshes = [
        row for row in rows if row["name"] == "refresh requests reaching the sandbox"
    ]
    assert len(refreshes) == 1
    assert refreshes[0]["value"] == 1.0, "a burst after expiry must refresh once"
