"""Move data with Globus from Jupyter: server extension, JupyterLab panel, magics.

This module stays cheap to import (no typing, globus_sdk, tornado or IPython), so
that kernels and the server pay for the Globus layer only when they use it.
"""

from __future__ import annotations

from ._version import __version__

# A plain constant rather than typing.TYPE_CHECKING keeps typing out of the import;
# type checkers treat the name TYPE_CHECKING as true all the same.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from IPython.core.interactiveshell import InteractiveShell

__all__ = ["__version__"]


def _jupyter_server_extension_points() -> list[dict[str, object]]:
    from .app import TunelGlobus

    return [{"module": "tunel_jupyter", "app": TunelGlobus}]


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    return [{"src": "labextension", "dest": "tunel-jupyter"}]


def load_ipython_extension(ipython: InteractiveShell) -> None:
    """Register the ``%globus`` magics (``%load_ext tunel_jupyter``)."""
    from .kernel.magics import load_ipython_extension as load

    load(ipython)
