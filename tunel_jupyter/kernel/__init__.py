"""Notebook tools: the ``%globus`` magics, the Globus panel and the Python API.

``from tunel_jupyter.kernel import api, GlobusPanel`` gives the API module and the
panel widget. Names load on first use, so ``%load_ext tunel_jupyter`` does not
import ipywidgets until the panel or a login prompt is needed.
"""

from __future__ import annotations

import importlib
import typing as t

__all__ = ["GlobusPanel", "api"]

if t.TYPE_CHECKING:
    from . import api
    from .panel import GlobusPanel


def __getattr__(name: str) -> t.Any:
    if name == "api":
        return importlib.import_module(".api", __name__)
    if name == "GlobusPanel":
        return importlib.import_module(".panel", __name__).GlobusPanel
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
