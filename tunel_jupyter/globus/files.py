"""Browse and change files on a collection: ls, stat, mkdir, rename, delete."""

from __future__ import annotations

import logging
import typing as t

from ..errors import NotFound, UsageError
from .endpoints import check_uuid
from .errors import translated
from .paths import is_absolute, is_root_or_home
from .records import FileEntry, Listing, TaskRecord

if t.TYPE_CHECKING:
    import globus_sdk

log = logging.getLogger(__name__)

# Transfer lists at most this many entries in one ls call.
MAX_LS_LIMIT = 100_000


def ls(
    client: globus_sdk.TransferClient,
    endpoint_id: str,
    path: str | None = None,
    *,
    show_hidden: bool = False,
    limit: int | None = None,
    offset: int = 0,
) -> Listing:
    """List a directory, one page of it when ``limit`` is given.

    ``path=None`` lists the collection's default directory.
    """
    from globus_sdk import MISSING

    endpoint_id = check_uuid(endpoint_id, field="endpoint_id")
    if path is not None:
        check_path(path, field="path")
    if limit is not None and not 1 <= limit <= MAX_LS_LIMIT:
        raise UsageError(
            f"Invalid limit {limit}: use 1 to {MAX_LS_LIMIT}.", field="limit"
        )
    if offset < 0:
        raise UsageError(f"Invalid offset {offset}: use 0 or more.", field="offset")

    log.debug("TransferClient.operation_ls(%s, offset=%d)", endpoint_id, offset)
    with translated(f"list {path or 'the default directory'} on {endpoint_id}"):
        response = client.operation_ls(
            endpoint_id,
            path=path if path is not None else MISSING,
            show_hidden=show_hidden,
            limit=limit if limit is not None else MISSING,
            offset=offset if offset else MISSING,
        )

    entries = tuple(FileEntry.from_api(doc) for doc in response)
    total = response.get("total")
    next_offset = offset + len(entries)
    if total is not None:
        has_next = next_offset < int(total)
    else:
        # Without a total, a full page is the only hint that more may follow.
        has_next = limit is not None and len(entries) >= limit
    return Listing(
        endpoint_id=endpoint_id,
        path=response.get("absolute_path") or response.get("path") or path or "",
        entries=entries,
        total=None if total is None else int(total),
        has_next_page=has_next,
        next_offset=next_offset if has_next else None,
    )


def stat(
    client: globus_sdk.TransferClient, endpoint_id: str, path: str
) -> FileEntry | None:
    """Return the entry at ``path``, or ``None`` when nothing is there."""
    log.debug("TransferClient.operation_stat(%s)", endpoint_id)
    try:
        with translated(f"inspect {path} on {endpoint_id}"):
            return FileEntry.from_api(client.operation_stat(endpoint_id, path).data)
    except NotFound:
        return None


def mkdir(client: globus_sdk.TransferClient, endpoint_id: str, path: str) -> None:
    """Create a directory."""
    endpoint_id = check_uuid(endpoint_id, field="endpoint_id")
    check_path(path, field="path")
    log.debug("TransferClient.operation_mkdir(%s)", endpoint_id)
    with translated(f"create directory {path} on {endpoint_id}"):
        client.operation_mkdir(endpoint_id, path)


def rename(
    client: globus_sdk.TransferClient, endpoint_id: str, old_path: str, new_path: str
) -> None:
    """Rename or move a file or directory within one collection."""
    endpoint_id = check_uuid(endpoint_id, field="endpoint_id")
    check_path(old_path, field="old_path")
    check_path(new_path, field="new_path")
    if is_root_or_home(old_path):
        raise UsageError(
            f"Invalid path {old_path!r} to rename: renaming the root or home "
            "directory is not allowed.",
            field="old_path",
        )
    log.debug("TransferClient.operation_rename(%s)", endpoint_id)
    with translated(f"rename {old_path} to {new_path} on {endpoint_id}"):
        client.operation_rename(endpoint_id, old_path, new_path)


def delete(
    client: globus_sdk.TransferClient,
    endpoint_id: str,
    paths: t.Sequence[str],
    *,
    recursive: bool = False,
    label: str | None = None,
) -> TaskRecord:
    """Submit a delete task for ``paths`` and return it."""
    import globus_sdk

    from .transfers import get_task

    endpoint_id = check_uuid(endpoint_id, field="endpoint_id")
    if isinstance(paths, str):
        paths = [paths]
    if not paths:
        raise UsageError("Nothing to delete: give at least one path.", field="paths")
    for path in paths:
        check_path(path, field="paths")
        if is_root_or_home(path):
            raise UsageError(
                f"Invalid path {path!r} to delete: deleting the root or home "
                "directory is not allowed.",
                field="paths",
            )

    data = globus_sdk.DeleteData(
        endpoint=endpoint_id,
        label=label if label else globus_sdk.MISSING,
        recursive=recursive,
    )
    for path in paths:
        data.add_item(path)
    log.debug("TransferClient.submit_delete(%s, %d items)", endpoint_id, len(paths))
    with translated(f"delete {len(paths)} path(s) on {endpoint_id}"):
        result = client.submit_delete(data)
    return get_task(client, result["task_id"])


def check_path(path: str, *, field: str) -> None:
    """Check that ``path`` is absolute (``/...`` or ``~...``).

    :raises UsageError: naming the path.
    """
    if not isinstance(path, str) or not path or not is_absolute(path):
        raise UsageError(
            f"Invalid path {path!r}: paths must be absolute (start with '/' or '~').",
            field=field,
        )
