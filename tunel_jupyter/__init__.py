"""Move data with Globus from Jupyter: server extension, JupyterLab panel, magics."""

from __future__ import annotations

import typing as t

from ._version import __version__

__all__ = ["__version__"]


def _jupyter_server_extension_points() -> list[dict[str, t.Any]]:
    from .app import TunelGlobus

    return [{"module": "tunel_jupyter", "app": TunelGlobus}]


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    return [{"src": "labextension", "dest": "tunel-jupyter"}]


def load_ipython_extension(ipython: t.Any) -> None:
    """Register the ``%globus`` magics (``%load_ext tunel_jupyter``)."""
    from .kernel.magics import load_ipython_extension as load

    load(ipython)
