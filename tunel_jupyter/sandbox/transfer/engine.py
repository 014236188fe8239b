"""Run transfer and delete tasks: really copy and remove files below collection roots.

A task first expands its items into folders to create and files to copy (counting
``files``, ``directories`` and ``subtasks_total``), then works through them. An
item that fails is retried ``retry_attempts`` times, and each attempt counts in
``faults``. After the last attempt the task fails with ``fatal_error``, unless the
error is on the source side and ``skip_source_errors`` is set. Counters change under
the context's lock so that readers see a consistent task.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import shutil
import threading
import time
import typing as t
from pathlib import Path

from . import paths
from .collections import Collection
from .tasks import Task

log = logging.getLogger(__name__)

CHUNK_SIZE = 1 << 20


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


class Step(t.NamedTuple):
    kind: str  # "dir" or "file"
    source: Path
    destination: Path
    source_path: str
    destination_path: str


def run_task(task: Task, context: EngineContext) -> None:
    """Run ``task`` to its end (SUCCEEDED or FAILED), or until the sandbox stops."""
    with context.lock:
        task.started_time = task.started_time or time.time()
        task.nice_status = "OK"
        task.add_event(
            "STARTED",
            "started",
            json.dumps({"type": "Sandbox copy", "concurrency": 1}, indent=2),
        )
    context.task_changed(task)
    try:
        if task.type == "DELETE":
            _run_delete(task, context)
        else:
            _run_transfer(task, context)
    except Interrupted:
        log.info("Task %s interrupted by the sandbox stopping", task.task_id)
        return
    except Canceled:
        with context.lock:
            task.subtasks_canceled += task.subtasks_pending
            task.add_event(
                "CANCELED", "canceled", "Canceled by the task owner", is_error=True
            )
            _finish(task, "FAILED", {"code": "CANCELED", "description": "canceled"})
    except ItemError as err:
        with context.lock:
            task.subtasks_canceled += task.subtasks_pending
            _finish(task, "FAILED", {"code": err.code, "description": err.description})
    except Exception as err:  # a bug must still end the task, not hang it
        log.exception("Task %s failed unexpectedly", task.task_id)
        with context.lock:
            task.add_event("GENERAL_ERROR", "error", str(err), is_error=True)
            _finish(task, "FAILED", {"code": "GENERAL_ERROR", "description": "error"})
    else:
        with context.lock:
            task.add_event(
                "SUCCEEDED",
                "succeeded",
                json.dumps({"files_succeeded": task.files_transferred}),
            )
            _finish(task, "SUCCEEDED", None)
    context.task_changed(task)


def _finish(task: Task, status: str, fatal_error: dict[str, str] | None) -> None:
    task.status = status
    task.fatal_error = fatal_error
    task.nice_status = None
    task.subtasks_retrying = 0
    task.completion_time = time.time()


def _check(task: Task, context: EngineContext) -> None:
    if context.stop.is_set():
        raise Interrupted
    if task.cancel_requested:
        raise Canceled


def _with_retries(
    task: Task, context: EngineContext, step: t.Callable[[], t.Any]
) -> t.Any:
    """Run ``step``, retrying on :class:`ItemError`; re-raise after the last try."""
    attempts = max(1, context.retry_attempts)
    for attempt in range(1, attempts + 1):
        _check(task, context)
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
            _sleep(task, context, context.retry_delay)
            continue
        with context.lock:
            task.nice_status = "OK"
            task.subtasks_retrying = 0
        return result
    raise AssertionError("unreachable")


def _sleep(task: Task, context: EngineContext, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        _check(task, context)
        context.stop.wait(min(left, 0.05))
    _check(task, context)


def _item_failed(
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


def _collection(context: EngineContext, collection_id: str | None) -> Collection:
    collection = context.collection(collection_id or "")
    if collection is None:
        raise ItemError(
            "ENDPOINT_NOT_FOUND",
            "endpoint not found",
            f"Endpoint {collection_id} no longer exists",
        )
    collection.ensure_root()
    return collection


# Transfer


def _run_transfer(task: Task, context: EngineContext) -> None:
    source = _collection(context, task.source_endpoint_id)
    destination = _collection(context, task.destination_endpoint_id)

    steps: list[Step] = []
    for item in task.items:
        try:
            expanded = _with_retries(
                task, context, functools.partial(_expand, item, source, destination)
            )
        except ItemError as err:
            _item_failed(task, context, err, item)
            continue
        folders, symlinks = expanded
        with context.lock:
            task.files += sum(1 for s in folders if s.kind == "file")
            task.directories += sum(1 for s in folders if s.kind == "dir")
            task.symlinks += symlinks
            task.subtasks_total += len(folders)
        steps.extend(folders)

    for step in steps:
        _check(task, context)
        try:
            _with_retries(
                task,
                context,
                functools.partial(_do_step, task, context, step, destination),
            )
        except ItemError as err:
            item = {
                "source_path": step.source_path,
                "destination_path": step.destination_path,
            }
            _item_failed(task, context, err, item)


def _expand(
    item: dict[str, t.Any], source: Collection, destination: Collection
) -> tuple[list[Step], int]:
    """Resolve one transfer item into steps; count the symlinks left out."""
    source_path = str(item.get("source_path", ""))
    destination_path = str(item.get("destination_path", ""))
    try:
        src = paths.resolve(source.root, source_path)
    except paths.PathNotAllowed:
        raise _not_allowed(source, source_path, source_side=True) from None
    try:
        dst = paths.resolve(destination.root, destination_path)
    except paths.PathNotAllowed:
        raise _not_allowed(destination, destination_path, source_side=False) from None
    if not src.real.exists():
        raise ItemError(
            "FILE_NOT_FOUND",
            "file not found",
            f"Error (transfer)\nEndpoint: {_name(source)} ({source.id})\n"
            f"File: {src.display}\nMessage: No such file or directory",
            source=True,
        )

    if not item.get("recursive"):
        if src.real.is_dir():
            raise ItemError(
                "GENERAL_ERROR",
                "error",
                f"{src.display} is a directory; submit it with recursive set",
                source=True,
            )
        return [Step("file", src.real, dst.real, src.display, dst.display)], 0

    if not src.real.is_dir():
        raise ItemError(
            "GENERAL_ERROR",
            "error",
            f"{src.display} is not a directory; submit it without recursive",
            source=True,
        )
    steps = [Step("dir", src.real, dst.real, src.display, dst.display)]
    symlinks = 0
    for folder, dirnames, filenames in os.walk(src.real):
        relative = os.path.relpath(folder, src.real)
        base_src = src.display if relative == "." else paths.join(src.display, relative)
        base_dst = dst.display if relative == "." else paths.join(dst.display, relative)
        dirnames.sort()
        for name in list(dirnames):
            full = Path(folder) / name
            if full.is_symlink():
                # recursive_symlinks "ignore", the service's default
                dirnames.remove(name)
                symlinks += 1
                continue
            steps.append(
                Step(
                    "dir",
                    full,
                    dst.real / os.path.relpath(full, src.real),
                    paths.join(base_src, name),
                    paths.join(base_dst, name),
                )
            )
        for name in sorted(filenames):
            full = Path(folder) / name
            if full.is_symlink():
                symlinks += 1
                continue
            steps.append(
                Step(
                    "file",
                    full,
                    dst.real / os.path.relpath(full, src.real),
                    paths.join(base_src, name),
                    paths.join(base_dst, name),
                )
            )
    return steps, symlinks


def _name(collection: Collection) -> str:
    return collection.display_name or collection.canonical_name or collection.id


def _not_allowed(collection: Collection, path: str, *, source_side: bool) -> ItemError:
    return ItemError(
        "PERMISSION_DENIED",
        "permission denied",
        f"Error (transfer)\nEndpoint: {_name(collection)} ({collection.id})\n"
        f"File: {path}\nMessage: Path not allowed",
        source=source_side,
    )


def _do_step(
    task: Task, context: EngineContext, step: Step, destination: Collection
) -> None:
    # Re-check at write time: a symlink may have appeared since expansion.
    if not paths.is_inside(destination.root, step.destination.parent):
        raise _not_allowed(destination, step.destination_path, source_side=False)
    if step.kind == "dir":
        if step.destination.exists() and not step.destination.is_dir():
            raise ItemError(
                "GENERAL_ERROR",
                "error",
                f"{step.destination_path} exists and is not a directory",
            )
        step.destination.mkdir(parents=True, exist_ok=True)
        context.folder_changed(step.destination.parent)
        with context.lock:
            task.subtasks_succeeded += 1
        return
    _copy_file(task, context, step)


def _copy_file(task: Task, context: EngineContext, step: Step) -> None:
    if not step.source.exists():
        raise ItemError(
            "FILE_NOT_FOUND",
            "file not found",
            f"File: {step.source_path}\nMessage: No such file or directory",
            source=True,
        )
    if step.destination.is_dir():
        raise ItemError(
            "GENERAL_ERROR",
            "error",
            f"{step.destination_path} is a directory; name the file to write "
            "in destination_path",
        )

    if _can_skip(task, context, step):
        with context.lock:
            task.files_skipped += 1
            task.subtasks_succeeded += 1
        return

    step.destination.parent.mkdir(parents=True, exist_ok=True)
    _copy_bytes(task, context, step)
    source_info = step.source.stat()
    if task.preserve_timestamp:
        os.utime(
            step.destination, ns=(source_info.st_atime_ns, source_info.st_mtime_ns)
        )
    if task.verify_checksum:
        matched = _checksum(step.source) == _checksum(step.destination)
        with context.lock:
            task.bytes_checksummed += source_info.st_size
        if not matched:
            raise ItemError(
                "VERIFY_CHECKSUM",
                "verify checksum",
                f"Checksum of {step.destination_path} differs from the source",
            )
    context.folder_changed(step.destination.parent)
    with context.lock:
        task.files_transferred += 1
        task.subtasks_succeeded += 1
        task.successful.append((step.source_path, step.destination_path))


def _can_skip(task: Task, context: EngineContext, step: Step) -> bool:
    """Apply ``sync_level``: whether the destination file is already up to date."""
    level = task.sync_level
    if level is None or not step.destination.is_file():
        return False
    if level == 0:
        return True
    source_info = step.source.stat()
    destination_info = step.destination.stat()
    if level == 1:
        return source_info.st_size == destination_info.st_size
    if level == 2:
        return source_info.st_size == destination_info.st_size and int(
            destination_info.st_mtime
        ) >= int(source_info.st_mtime)
    same = _checksum(step.source) == _checksum(step.destination)
    with context.lock:
        task.bytes_checksummed += source_info.st_size
    return same


def _checksum(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(CHUNK_SIZE), b""):
            digest.update(block)
    return digest.hexdigest()


def _copy_bytes(task: Task, context: EngineContext, step: Step) -> None:
    """Copy in chunks, sleeping to keep under the sandbox's bytes-per-second option."""
    started = time.monotonic()
    copied = 0
    with open(step.source, "rb") as reader, open(step.destination, "wb") as writer:
        while True:
            _check(task, context)
            rate = context.bytes_per_second()
            size = CHUNK_SIZE if rate <= 0 else max(1, min(CHUNK_SIZE, rate // 10))
            block = reader.read(size)
            if not block:
                break
            writer.write(block)
            copied += len(block)
            with context.lock:
                task.bytes_transferred += len(block)
            if rate > 0:
                ahead = copied / rate - (time.monotonic() - started)
                if ahead > 0:
                    writer.flush()
                    _sleep(task, context, ahead)
    shutil.copymode(step.source, step.destination)


# Delete


def _run_delete(task: Task, context: EngineContext) -> None:
    collection = _collection(context, task.source_endpoint_id)
    with context.lock:
        task.subtasks_total = len(task.items)
    for item in task.items:
        try:
            _with_retries(
                task,
                context,
                functools.partial(_delete_item, task, context, item, collection),
            )
        except ItemError as err:
            _item_failed(task, context, err, item)


def _delete_item(
    task: Task, context: EngineContext, item: dict[str, t.Any], collection: Collection
) -> None:
    path = str(item.get("path", ""))
    try:
        target = paths.resolve_parent(collection.root, path)
    except paths.PathNotAllowed:
        raise _not_allowed(collection, path, source_side=True) from None
    if not os.path.lexists(target.real):
        if task.ignore_missing:
            with context.lock:
                task.subtasks_succeeded += 1
            return
        raise ItemError(
            "FILE_NOT_FOUND",
            "file not found",
            f"Error (delete)\nEndpoint: {_name(collection)} ({collection.id})\n"
            f"File: {target.display}\nMessage: No such file or directory",
            source=True,
        )
    if target.real.is_dir() and not target.real.is_symlink():
        if not task.recursive:
            raise ItemError(
                "GENERAL_ERROR",
                "error",
                f"{target.display} is a directory; submit the delete with recursive",
            )
        files, folders = _remove_tree(task, context, target.real)
    else:
        target.real.unlink()
        files, folders = 1, 0
    context.folder_changed(target.real.parent)
    with context.lock:
        task.files += files
        task.directories += folders
        task.subtasks_succeeded += 1


def _remove_tree(task: Task, context: EngineContext, folder: Path) -> tuple[int, int]:
    files = folders = 0
    for current, dirnames, filenames in os.walk(folder, topdown=False):
        _check(task, context)
        for name in filenames:
            os.unlink(os.path.join(current, name))
            files += 1
        for name in dirnames:
            full = os.path.join(current, name)
            if os.path.islink(full):
                os.unlink(full)
                files += 1
            else:
                os.rmdir(full)
                folders += 1
    os.rmdir(folder)
    return files, folders + 1
