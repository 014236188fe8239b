"""Fixtures for the notebook tools: a real IPython shell with %globus loaded."""

from __future__ import annotations

import typing as t

import pytest
from IPython.core.interactiveshell import InteractiveShell

from tunel_jupyter.kernel import api


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
