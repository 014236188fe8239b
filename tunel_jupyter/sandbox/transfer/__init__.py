"""The Transfer (v0.10) side of the sandbox: collections, file operations, tasks.

The core calls :func:`attach` while it builds its state and mounts :func:`routes`
under ``/transfer/``.
"""

from __future__ import annotations

import typing as t
from pathlib import Path

from .endpoint_handlers import EndpointHandler, EndpointSearchHandler
from .operation_handlers import LsHandler, MkdirHandler, RenameHandler, StatHandler
from .state import SECTION, TransferState
from .submit_handlers import (
    DeleteSubmitHandler,
    SubmissionIdHandler,
    TransferSubmitHandler,
)
from .task_handlers import (
    SkippedErrorsHandler,
    SuccessfulTransfersHandler,
    TaskCancelHandler,
    TaskEventListHandler,
    TaskHandler,
    TaskListHandler,
    TaskPauseInfoHandler,
)

if t.TYPE_CHECKING:
    from ..state import SandboxState

__all__ = ["TransferState", "attach", "routes"]

_ID = r"(?P<endpoint_id>[^/]+)"
_TASK = r"(?P<task_id>[^/]+)"


def attach(
    state: SandboxState, seed: dict[str, t.Any], root: str | Path | None
) -> None:
    """Set ``state.transfer`` from the seed's collections (and ``root``, if given)."""
    transfer = TransferState(state, seed, root)
    state.transfer = transfer
    state.register_section(SECTION, transfer.to_dict, transfer.from_dict)
    state.on_close(transfer.close)


def routes(state: SandboxState) -> list[tuple[str, type, dict[str, t.Any]]]:
    """Tornado URL specs of the Transfer API, relative to the Transfer base URL."""
    kwargs = {"state": state}
    table: list[tuple[str, type]] = [
        (r"/v0.10/endpoint_search", EndpointSearchHandler),
        (rf"/v0.10/endpoint/{_ID}", EndpointHandler),
        (rf"/v0.10/operation/endpoint/{_ID}/ls", LsHandler),
        (rf"/v0.10/operation/endpoint/{_ID}/mkdir", MkdirHandler),
        (rf"/v0.10/operation/endpoint/{_ID}/rename", RenameHandler),
        (rf"/v0.10/operation/endpoint/{_ID}/stat", StatHandler),
        (r"/v0.10/submission_id", SubmissionIdHandler),
        (r"/v0.10/transfer", TransferSubmitHandler),
        (r"/v0.10/delete", DeleteSubmitHandler),
        (r"/v0.10/task_list", TaskListHandler),
        (rf"/v0.10/task/{_TASK}", TaskHandler),
        (rf"/v0.10/task/{_TASK}/cancel", TaskCancelHandler),
        (rf"/v0.10/task/{_TASK}/event_list", TaskEventListHandler),
        (rf"/v0.10/task/{_TASK}/pause_info", TaskPauseInfoHandler),
        (rf"/v0.10/task/{_TASK}/successful_transfers", SuccessfulTransfersHandler),
        (rf"/v0.10/task/{_TASK}/skipped_errors", SkippedErrorsHandler),
    ]
    return [(pattern, handler, kwargs) for pattern, handler in table]
