"""Fixtures for the demo tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.demo.helpers import clean_env


@pytest.fixture
def demo_env(tmp_path: Path) -> dict[str, str]:
    """Environment for a demo subprocess: its own HOME, this venv first on PATH."""
    home = tmp_path / "home"
    home.mkdir()
    return clean_env(home)
