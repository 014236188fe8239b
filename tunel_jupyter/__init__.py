"""Move data with Globus from Jupyter: server extension, JupyterLab panel, magics.

This module stays cheap to import (no typing, globus_sdk, tornado or IPython), so
that kernels and the server pay for the Globus layer only when they use it.
"""

from __future__ import annotations

from ._version import __version__

__all__ = ["__version__"]


def _jupyter_server_extension_points() -> list[dict[str, object]]:
    from .app import TunelGlobus

    return [{"module": "tunel_jupyter", "app": TunelGlobus}]


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    return [{"src": "labextension", "dest": "tunel-jupyter"}]


def load_ipython_extension(ipython: object) -> None:
    """Register the ``%globus`` magics (``%load_ext tunel_jupyter``)."""
    from .kernel.magics import load_ipython_extension as load

    load(ipython)
