"""Fixtures for the notebook tools: a real IPython shell with %globus loaded."""

from __future__ import annotations

import typing as t

import pytest
import requests
from IPython.core.interactiveshell import InteractiveShell

from tunel_jupyter.kernel import api
from tunel_jupyter.sandbox import Sandbox


@pytest.fixture
def shell() -> t.Iterator[InteractiveShell]:
    """IPython's shell with the extension loaded and a fresh kernel session."""
    ipython = InteractiveShell.instance()
    ipython.extension_manager.load_extension("tunel_jupyter")
    api.use_session(None)
    try:
        yield ipython
    finally:
        api.use_session(None)


@pytest.fixture
def slow_transfers(sandbox: Sandbox) -> t.Callable[[int], None]:
    """Return a function that sets the sandbox's copy speed in bytes per second."""

    def set_speed(bytes_per_second: int) -> None:
        answer = requests.post(
            f"{sandbox.url}/_sandbox/options",
            json={"transfer_bytes_per_second": bytes_per_second},
            timeout=10,
        )
        assert answer.status_code == 200, answer.text

    return set_speed
