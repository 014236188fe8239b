"""A local stand-in for Globus Auth and Transfer that moves real files.

It plays the other side of the wire, so it imports nothing else of tunel_jupyter.
"""

from __future__ import annotations

from .server import Sandbox
from .state import SandboxOptions, SandboxState

__all__ = ["Sandbox", "SandboxOptions", "SandboxState"]
