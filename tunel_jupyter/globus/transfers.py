"""Submit transfers and follow tasks: list, details, events, cancel, wait."""

from __future__ import annotations

import logging
import posixpath
import time
import typing as t

from ..errors import NotFound, TaskWaitTimeout, UsageError
from .endpoints import check_uuid
from .errors import translated
from .paths import basename, join
from .records import TaskEvent, TaskRecord, TransferItem, TransferRequest

if t.TYPE_CHECKING:
    import globus_sdk

log = logging.getLogger(__name__)

MAX_TASK_LIST_LIMIT = 1000
MIN_POLLING_INTERVAL = 0.1


def submit_transfer(
    client: globus_sdk.TransferClient, request: TransferRequest
) -> TaskRecord:
    """Submit a transfer and return its new task (ACTIVE, with no progress yet).

    A file sent to an existing directory, or to a path ending in ``/``, goes into
    that directory under its own name, as ``cp`` does.
    """
    import globus_sdk

    if not isinstance(request, TransferRequest):
        raise UsageError("submit_transfer needs a TransferRequest.", field="request")
    source = check_uuid(request.source_endpoint, field="source_endpoint")
    destination = check_uuid(request.destination_endpoint, field="destination_endpoint")

    data = globus_sdk.TransferData(
        source,
        destination,
        label=request.label or globus_sdk.MISSING,
        sync_level=(
            t.cast(t.Any, request.sync_level)
            if request.sync_level is not None
            else globus_sdk.MISSING
        ),
        verify_checksum=request.verify_checksum,
        preserve_timestamp=request.preserve_timestamp,
    )
    directories = _existing_directories(client, destination, request.items)
    for item in request.items:
        destination_path = _destination_path(item, directories)
        data.add_item(item.source_path, destination_path, recursive=item.recursive)

    log.debug(
        "TransferClient.submit_transfer(%s -> %s, %d items)",
        source,
        destination,
        len(request.items),
    )
    with translated(f"submit the transfer from {source} to {destination}"):
        result = client.submit_transfer(data)
    # Built from the submission rather than fetched: a new task is ACTIVE, and a
    # get_task call adds a round trip (the sandbox returns it only once the task
    # has started, up to a second for 10,000 files).
    return TaskRecord(
        task_id=str(result["task_id"]),
        type="TRANSFER",
        status="ACTIVE",
        label=request.label or None,
        source_endpoint_id=source,
        destination_endpoint_id=destination,
    )


def _needs_check(item: TransferItem) -> bool:
    """Tell whether a file's destination may name an existing directory.

    A destination ending in ``/`` is a directory, and one that ends in the file's
    own name is taken as the file itself, so only renamed files are checked.
    """
    path = item.destination_path
    if item.recursive or path.endswith("/"):
        return False
    # The usual batch keeps each file's name, and a suffix test finds that without
    # splitting both paths, which counts for thousands of items.
    name = basename(item.source_path)
    if path.endswith("/" + name) or path == name:
        return False
    return basename(path) != name


def _existing_directories(
    client: globus_sdk.TransferClient,
    endpoint_id: str,
    items: t.Sequence[TransferItem],
) -> set[str]:
    """Return the destinations of ``items`` that are existing directories.

    One listing of directories per parent folder answers for all items sent
    there, so a batch of thousands of files costs a few calls, not one each.
    """
    parents: dict[str, set[str]] = {}
    for item in items:
        if _needs_check(item):
            parent = posixpath.dirname(item.destination_path.rstrip("/")) or "/"
            parents.setdefault(parent, set()).add(item.destination_path)

    found: set[str] = set()
    for parent, paths in parents.items():
        log.debug("TransferClient.operation_ls(%s, filter=type:dir)", endpoint_id)
        try:
            with translated(f"list directories in {parent} on {endpoint_id}"):
                listing = client.operation_ls(
                    endpoint_id, path=parent, filter="type:dir"
                )
        except NotFound:
            continue
        names = {entry["name"] for entry in listing}
        found.update(path for path in paths if basename(path) in names)
    return found


def _destination_path(item: TransferItem, directories: set[str]) -> str:
    path = item.destination_path
    if path.endswith("/") and not item.recursive:
        return join(path, basename(item.source_path))
    if path in directories:
        return join(path, basename(item.source_path))
    return path


def get_task(client: globus_sdk.TransferClient, task_id: str) -> TaskRecord:
    """Return a task's details."""
    task_id = check_uuid(task_id, field="task_id")
    log.debug("TransferClient.get_task(%s)", task_id)
    with translated(f"get task {task_id}"):
        return TaskRecord.from_api(client.get_task(task_id).data)


def list_tasks(
    client: globus_sdk.TransferClient,
    *,
    limit: int = 20,
    filter: str | t.Mapping[str, t.Any] | None = None,
) -> list[TaskRecord]:
    """Return the newest tasks, up to ``limit``.

    :param filter: a Transfer task filter, such as ``"status:ACTIVE,INACTIVE"`` or
        ``{"status": ["ACTIVE"], "type": "TRANSFER"}``.
    """
    from globus_sdk import MISSING

    if not 1 <= limit <= MAX_TASK_LIST_LIMIT:
        raise UsageError(
            f"Invalid limit {limit}: use 1 to {MAX_TASK_LIST_LIMIT}.", field="limit"
        )
    log.debug("TransferClient.task_list(limit=%d)", limit)
    with translated("list tasks"):
        response = client.task_list(
            limit=limit,
            orderby="request_time DESC",
            filter=dict(filter) if isinstance(filter, t.Mapping) else filter or MISSING,
        )
    return [TaskRecord.from_api(doc) for doc in response]


def task_events(
    client: globus_sdk.TransferClient, task_id: str, *, limit: int = 20
) -> list[TaskEvent]:
    """Return a task's newest events, up to ``limit``."""
    task_id = check_uuid(task_id, field="task_id")
    if not 1 <= limit <= MAX_TASK_LIST_LIMIT:
        raise UsageError(
            f"Invalid limit {limit}: use 1 to {MAX_TASK_LIST_LIMIT}.", field="limit"
        )
    log.debug("TransferClient.task_event_list(%s)", task_id)
    with translated(f"list the events of task {task_id}"):
        return [
            TaskEvent.from_api(doc)
            for doc in client.task_event_list(task_id, limit=limit)
        ]


def cancel_task(client: globus_sdk.TransferClient, task_id: str) -> str:
    """Cancel a task and return Globus's message."""
    task_id = check_uuid(task_id, field="task_id")
    log.debug("TransferClient.cancel_task(%s)", task_id)
    with translated(f"cancel task {task_id}"):
        response = client.cancel_task(task_id)
    return str(response.get("message") or response.get("code") or "Canceled")


def wait_task(
    client: globus_sdk.TransferClient,
    task_id: str,
    *,
    timeout: float | None = None,
    polling_interval: float = 2,
    on_progress: t.Callable[[TaskRecord], None] | None = None,
) -> TaskRecord:
    """Poll a task until it ends and return it; a FAILED task is returned too.

    :param timeout: seconds to wait; ``None`` waits as long as the task runs.
    :param on_progress: called with the task after every poll.
    :raises TaskWaitTimeout: if the task is still active after ``timeout``; the
        message gives its status and faults.
    """
    if timeout is not None and timeout < 0:
        raise UsageError(f"Invalid timeout {timeout}: use 0 or more.", field="timeout")
    if polling_interval < MIN_POLLING_INTERVAL:
        raise UsageError(
            f"Invalid polling interval {polling_interval}: use at least "
            f"{MIN_POLLING_INTERVAL} seconds.",
            field="polling_interval",
        )
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        task = get_task(client, task_id)
        if on_progress is not None:
            on_progress(task)
        if task.is_done:
            return task

        remaining = None if deadline is None else deadline - time.monotonic()
        if remaining is not None and remaining <= 0:
            raise TaskWaitTimeout(_still_active(task, timeout), task_id=task.task_id)
        time.sleep(
            polling_interval if remaining is None else min(polling_interval, remaining)
        )


def _still_active(task: TaskRecord, timeout: float | None) -> str:
    text = (
        f"Task {task.task_id} is still {task.status} after {timeout:g} s"
        f" ({task.nice_status or 'no details'})"
    )
    if task.faults:
        text += f", with {task.faults} fault(s) so far"
    return text + f". Wait again with `tunel-globus wait {task.task_id}`."
