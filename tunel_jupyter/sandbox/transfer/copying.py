"""Transfer tasks: expand items into steps, then create folders and copy files."""

from __future__ import annotations

import fnmatch
import functools
import hashlib
import os
import shutil
import time
import typing as t
from pathlib import Path

from . import paths
from .collections import Collection
from .runtime import (
    EngineContext,
    ItemError,
    check,
    collection_for,
    display_name,
    general_error,
    item_failed,
    not_allowed,
    sleep_checked,
    with_retries,
)
from .tasks import Task

CHUNK_SIZE = 1 << 20


class Step(t.NamedTuple):
    kind: str  # "dir", "file", or "delete" (a destination extra)
    source: Path
    destination: Path
    source_path: str
    destination_path: str


def run_transfer(task: Task, context: EngineContext) -> None:
    source = collection_for(context, task.source_endpoint_id)
    destination = collection_for(context, task.destination_endpoint_id)

    steps: list[Step] = []
    for item in task.items:
        try:
            expanded = with_retries(
                task,
                context,
                functools.partial(_expand_item, task, item, source, destination),
            )
        except ItemError as err:
            item_failed(task, context, err, item)
            continue
        folders, symlinks = expanded
        with context.lock:
            task.files += sum(1 for s in folders if s.kind == "file")
            task.directories += sum(1 for s in folders if s.kind == "dir")
            task.symlinks += symlinks
            task.subtasks_total += len(folders)
        steps.extend(folders)

    for step in steps:
        check(task, context)
        try:
            with_retries(
                task,
                context,
                functools.partial(_do_step, task, context, step, destination),
            )
        except ItemError as err:
            item = {
                "source_path": step.source_path,
                "destination_path": step.destination_path,
            }
            item_failed(task, context, err, item)


def _expand_item(
    task: Task, item: dict[str, t.Any], source: Collection, destination: Collection
) -> tuple[list[Step], int]:
    """Expand one transfer item, turning a file system error into a fault."""
    try:
        return _expand(task, item, source, destination)
    except OSError as err:
        raise _file_error(err, str(item.get("source_path", "")), source=True) from None


def _expand(
    task: Task, item: dict[str, t.Any], source: Collection, destination: Collection
) -> tuple[list[Step], int]:
    """Resolve one transfer item into steps; count the symlinks left out."""
    source_path = str(item.get("source_path", ""))
    destination_path = str(item.get("destination_path", ""))
    try:
        src = paths.resolve(source.root, source_path)
    except paths.PathNotAllowed:
        raise not_allowed(source, source_path, source_side=True) from None
    try:
        dst = paths.resolve(destination.root, destination_path)
    except paths.PathNotAllowed:
        raise not_allowed(destination, destination_path, source_side=False) from None
    if not src.real.exists():
        raise ItemError(
            "FILE_NOT_FOUND",
            "file not found",
            f"Error (transfer)\nEndpoint: {display_name(source)} ({source.id})\n"
            f"File: {src.display}\nMessage: No such file or directory",
            source=True,
        )

    if not item.get("recursive"):
        if src.real.is_dir():
            raise general_error(
                f"{src.display} is a directory; submit it with recursive set",
                source=True,
            )
        return [Step("file", src.real, dst.real, src.display, dst.display)], 0

    if not src.real.is_dir():
        raise general_error(
            f"{src.display} is not a directory; submit it without recursive",
            source=True,
        )
    steps, symlinks = _walk(src, dst, task.filter_rules or [])
    if task.delete_destination_extra and dst.real.is_dir():
        steps.extend(_extras(steps, dst, task.filter_rules or []))
    return steps, symlinks


def _walk(
    src: paths.CollectionPath,
    dst: paths.CollectionPath,
    rules: list[dict[str, t.Any]],
) -> tuple[list[Step], int]:
    """List the folders and files below ``src`` that the filter rules let through."""
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
            if not included(name, "dir", rules):
                dirnames.remove(name)
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
            if not included(name, "file", rules):
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


def included(name: str, kind: str, rules: list[dict[str, t.Any]]) -> bool:
    """Apply filter rules in order: the first rule that matches decides.

    A rule matches when its ``name`` glob matches the entry's name and its
    ``type`` (``file`` or ``dir``, optional) is the entry's. Entries that no rule
    matches are included.
    """
    for rule in rules:
        if rule.get("type") not in (None, kind):
            continue
        if fnmatch.fnmatchcase(name, str(rule.get("name", ""))):
            return rule.get("method") == "include"
    return True


def _extras(
    steps: list[Step], dst: paths.CollectionPath, rules: list[dict[str, t.Any]]
) -> list[Step]:
    """List steps that delete the destination entries the source does not have.

    Entries that the filter rules exclude are kept, as rsync keeps excluded files.
    """
    expected = {step.destination for step in steps}
    extras: list[Step] = []
    for folder, dirnames, filenames in os.walk(dst.real):
        for name in sorted(dirnames) + sorted(filenames):
            full = Path(folder) / name
            kind = "dir" if name in dirnames and not full.is_symlink() else "file"
            if full in expected or not included(name, kind, rules):
                continue
            display = paths.join(dst.display, os.path.relpath(full, dst.real))
            extras.append(Step("delete", full, full, "", display))
            if name in dirnames:
                dirnames.remove(name)
    return extras


def _do_step(
    task: Task, context: EngineContext, step: Step, destination: Collection
) -> None:
    """Run one step, turning a file system error into a fault of that step."""
    try:
        _run_step(task, context, step, destination)
    except OSError as err:
        on_source = err.filename is not None and Path(err.filename) == step.source
        path = step.source_path if on_source else step.destination_path
        raise _file_error(err, path, source=on_source) from None


def _file_error(err: OSError, path: str, *, source: bool) -> ItemError:
    # The OSError's own text names the real path on disk, which clients must not
    # see, so the fault names the collection path instead.
    reason = err.strerror or err.__class__.__name__
    return general_error(f"{path}: {reason}", source=source)


def _run_step(
    task: Task, context: EngineContext, step: Step, destination: Collection
) -> None:
    # Re-check at write time: a symlink may have appeared since expansion.
    if not paths.is_inside(destination.root, step.destination.parent):
        raise not_allowed(destination, step.destination_path, source_side=False)
    if step.kind == "delete":
        _delete_extra(task, context, step)
        return
    if step.kind == "dir":
        if step.destination.exists() and not step.destination.is_dir():
            raise general_error(
                f"{step.destination_path} exists and is not a directory"
            )
        step.destination.mkdir(parents=True, exist_ok=True)
        context.folder_changed(step.destination.parent)
        with context.lock:
            task.subtasks_succeeded += 1
        return
    _copy_file(task, context, step)


def _delete_extra(task: Task, context: EngineContext, step: Step) -> None:
    if step.destination.is_dir() and not step.destination.is_symlink():
        shutil.rmtree(step.destination)
    elif os.path.lexists(step.destination):
        step.destination.unlink()
    context.folder_changed(step.destination.parent)
    with context.lock:
        task.subtasks_succeeded += 1


def _copy_file(task: Task, context: EngineContext, step: Step) -> None:
    if not step.source.exists():
        raise ItemError(
            "FILE_NOT_FOUND",
            "file not found",
            f"File: {step.source_path}\nMessage: No such file or directory",
            source=True,
        )
    if step.destination.is_dir():
        raise general_error(
            f"{step.destination_path} is a directory; name the file to write "
            "in destination_path"
        )

    if _can_skip(task, context, step):
        with context.lock:
            task.files_skipped += 1
            task.subtasks_succeeded += 1
        return

    if step.destination.exists() and os.path.samefile(step.source, step.destination):
        # Writing would truncate the source before it is read.
        raise general_error(
            f"{step.source_path} and {step.destination_path} are the same file"
        )

    step.destination.parent.mkdir(parents=True, exist_ok=True)
    _copy_bytes(task, context, step)
    source_info = step.source.stat()
    if task.preserve_timestamp:
        os.utime(
            step.destination, ns=(source_info.st_atime_ns, source_info.st_mtime_ns)
        )
    checksum = None
    if task.verify_checksum:
        checksum = _checksum(step.source)
        matched = checksum == _checksum(step.destination)
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
        task.successful.append(
            {
                "DATA_TYPE": "successful_transfer",
                "source_path": step.source_path,
                "destination_path": step.destination_path,
                "size": source_info.st_size,
                "checksum_algorithm": "MD5" if checksum else None,
                "checksum": checksum,
            }
        )


def _can_skip(task: Task, context: EngineContext, step: Step) -> bool:
    """Return whether ``sync_level`` finds the destination file up to date."""
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
            check(task, context)
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
                    sleep_checked(task, context, ahead)
    shutil.copymode(step.source, step.destination)
