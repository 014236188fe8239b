"""Delete tasks: remove files and, with ``recursive``, whole folders."""

from __future__ import annotations

import functools
import os
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
    with_retries,
)
from .tasks import Task


def run_delete(task: Task, context: EngineContext) -> None:
    collection = collection_for(context, task.source_endpoint_id)
    with context.lock:
        task.subtasks_total = len(task.items)
    for item in task.items:
        try:
            with_retries(
                task,
                context,
                functools.partial(_delete_item, task, context, item, collection),
            )
        except ItemError as err:
            item_failed(task, context, err, item)


def _delete_item(
    task: Task, context: EngineContext, item: dict[str, t.Any], collection: Collection
) -> None:
    path = str(item.get("path", ""))
    try:
        target = paths.resolve_parent(collection.root, path)
    except paths.PathNotAllowed:
        raise not_allowed(collection, path, source_side=True, action="delete") from None
    if not os.path.lexists(target.real):
        if task.ignore_missing:
            with context.lock:
                task.subtasks_succeeded += 1
            return
        raise ItemError(
            "FILE_NOT_FOUND",
            "file not found",
            f"Error (delete)\nEndpoint: {display_name(collection)} ({collection.id})\n"
            f"File: {target.display}\nMessage: No such file or directory",
            source=True,
        )
    if target.real.is_dir() and not target.real.is_symlink():
        if not task.recursive:
            raise general_error(
                f"{target.display} is a directory; submit the delete with recursive set"
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
        check(task, context)
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
