"""Our layer over globus-sdk: login, token store, endpoints, files, transfers, tasks.

It imports neither tornado nor IPython. Names are loaded on first use, so importing
this package does not import globus-sdk.
"""

from __future__ import annotations

import importlib
import typing as t

# Public name -> submodule that defines it.
_EXPORTS = {
    "GlobusSession": "session",
    "Environment": "environment",
    "split_endpoint_path": "paths",
    "Identity": "records",
    "LoginStatus": "records",
    "LoginRequest": "records",
    "EndpointRecord": "records",
    "EndpointPage": "records",
    "FileEntry": "records",
    "Listing": "records",
    "TransferItem": "records",
    "TransferRequest": "records",
    "TaskRecord": "records",
    "TaskEvent": "records",
}

__all__ = [
    "EndpointPage",
    "EndpointRecord",
    "Environment",
    "FileEntry",
    "GlobusSession",
    "Identity",
    "Listing",
    "LoginRequest",
    "LoginStatus",
    "TaskEvent",
    "TaskRecord",
    "TransferItem",
    "TransferRequest",
    "split_endpoint_path",
]

if t.TYPE_CHECKING:
    from .environment import Environment
    from .paths import split_endpoint_path
    from .records import (
        EndpointPage,
        EndpointRecord,
        FileEntry,
        Identity,
        Listing,
        LoginRequest,
        LoginStatus,
        TaskEvent,
        TaskRecord,
        TransferItem,
        TransferRequest,
    )
    from .session import GlobusSession


def __getattr__(name: str) -> t.Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
