"""What task runners share: their context, failures, retries and cancel checks."""

from __future__ import annotations

import logging
import threading
import time
import typing as t
from pathlib import Path

from .collections import Collection
from .tasks import Task

log = logging.getLogger(__name__)


class EngineContext(t.Protocol):
    lock: threading.RLock
    stop: threading.Event
    retry_attempts: int
    retry_delay: float

    def collection(self, collection_id: str) -> Collection | None: ...

    def bytes_per_second(self) -> int: ...

    def task_changed(self, task: Task) -> None: ...

    def folder_changed(self, folder: Path) -> None: ...


class ItemError(Exception):
    """A failed step; ``code`` is Transfer's event and fatal_error code."""

    def __init__(
        self, code: str, description: str, details: str, *, source: bool = False
    ) -> None:
        super().__init__(details)
        self.code = code
        self.description = description
        self.details = details
        self.source = source


class Canceled(Exception):
    pass


class Interrupted(Exception):
    """The sandbox is stopping; the task stays ACTIVE and resumes on restart."""


def check(task: Task, context: EngineContext) -> None:
    if context.stop.is_set():
        raise Interrupted
    if task.cancel_requested:
        raise Canceled


def with_retries(
    task: Task, context: EngineContext, step: t.Callable[[], t.Any]
) -> t.Any:
    """Run ``step``, retrying on :class:`ItemError`; re-raise after the last try."""
    attempts = max(1, context.retry_attempts)
    for attempt in range(1, attempts + 1):
        check(task, context)
        try:
            result = step()
        except ItemError as err:
            log.info(
                "Task %s: %s (attempt %d of %d)",
                task.task_id,
                err.code,
                attempt,
                attempts,
            )
            with context.lock:
                task.faults += 1
                task.nice_status = err.code
                task.add_event(err.code, err.description, err.details, is_error=True)
                task.subtasks_retrying = 1 if attempt < attempts else 0
            if attempt == attempts:
                raise
            sleep_checked(task, context, context.retry_delay)
            continue
        with context.lock:
            task.nice_status = "OK"
            task.subtasks_retrying = 0
        return result
    raise AssertionError("unreachable")


def sleep_checked(task: Task, context: EngineContext, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        check(task, context)
        context.stop.wait(min(left, 0.05))
    check(task, context)


def item_failed(
    task: Task, context: EngineContext, err: ItemError, item: dict[str, t.Any]
) -> None:
    """Skip a source error when the task allows it; otherwise end the task."""
    with context.lock:
        if err.source and task.skip_source_errors:
            log.info("Task %s skips a source error: %s", task.task_id, err.code)
            task.subtasks_skipped_errors += 1
            task.skipped_errors.append(
                {
                    "DATA_TYPE": "skipped_error",
                    "checksum_algorithm": None,
                    "destination_path": item.get("destination_path"),
                    "error_code": err.code,
                    "error_details": err.details,
                    "error_time": time.strftime(
                        "%Y-%m-%dT%H:%M:%S+00:00", time.gmtime()
                    ),
                    "external_checksum": None,
                    "is_delete_destination_extra": False,
                    "is_directory": bool(item.get("recursive")),
                    "is_symlink": False,
                    "source_path": item.get("source_path") or item.get("path"),
                }
            )
            return
        task.subtasks_failed += 1
    raise err


def collection_for(context: EngineContext, collection_id: str | None) -> Collection:
    collection = context.collection(collection_id or "")
    if collection is None:
        raise ItemError(
            "ENDPOINT_NOT_FOUND",
            "endpoint not found",
            f"Endpoint {collection_id} no longer exists",
        )
    collection.ensure_root()
    return collection


def general_error(reason: str, *, source: bool = False) -> ItemError:
    """Return a GENERAL_ERROR whose description, not only its details, is ``reason``.

    Clients show the fatal error's description, so a bare "error" would hide why
    the task failed.
    """
    return ItemError("GENERAL_ERROR", reason, reason, source=source)


def display_name(collection: Collection) -> str:
    return collection.display_name or collection.canonical_name or collection.id


def not_allowed(
    collection: Collection, path: str, *, source_side: bool, action: str = "transfer"
) -> ItemError:
    """Return the error for a path outside the collection, for an ``action`` task."""
    return ItemError(
        "PERMISSION_DENIED",
        "permission denied",
        f"Error ({action})\nEndpoint: {display_name(collection)} ({collection.id})\n"
        f"File: {path}\nMessage: Path not allowed",
        source=source_side,
    )
