"""Fixtures for the demo tests."""

from __future__ import annotations

import typing as t
from pathlib import Path

import pytest

from tests.demo.helpers import DemoProcess, clean_env


@pytest.fixture
def demo_env(tmp_path: Path) -> dict[str, str]:
    """Environment for a demo subprocess: its own HOME, this venv first on PATH."""
    home = tmp_path / "home"
    home.mkdir()
    return clean_env(home)


@pytest.fixture
def start_demo(
    tmp_path: Path, demo_env: dict[str, str]
) -> t.Iterator[t.Callable[[], DemoProcess]]:
    """Start ``tunel-globus demo`` subprocesses on one data folder; stop leftovers."""
    started: list[DemoProcess] = []

    def start() -> DemoProcess:
        demo = DemoProcess(tmp_path / "demo-data", demo_env)
        started.append(demo)
        return demo

    yield start
    for demo in started:
        demo.cleanup()
