"""Map Transfer paths (``/~/data/x``) to real paths confined to a collection root.

A collection's root folder is both ``/`` and ``~`` of the collection. Each path is
normalised without touching the disk, so ``..`` cannot climb above ``/``, and the
resolved real path is checked again after symlinks are followed, so a link that
points outside the root cannot be used to reach other files.
"""

from __future__ import annotations

import os
import posixpath
import typing as t
from pathlib import Path


class PathNotAllowed(Exception):
    """A path that leaves the collection's root, directly or through a symlink."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path


class CollectionPath(t.NamedTuple):
    """A request path: as shown to clients, and on disk."""

    # Normalised path as the API returns it: absolute, ``~`` kept, no trailing slash
    # (except for the root itself).
    display: str
    # Path below the collection root with ``~`` expanded, e.g. ``/data/x``.
    virtual: str
    # Location on disk, not yet resolved through symlinks.
    real: Path


def normalize(path: str, *, default_directory: str = "/~/") -> str:
    """Return ``path`` as an absolute Transfer path; raise on escapes.

    ``~`` and ``/~`` are kept as the first component so responses echo the form the
    client used. A ``..`` that would climb above the root raises
    :class:`PathNotAllowed`, because GCS rejects such paths too.
    """
    if not path:
        path = default_directory
    if "\0" in path:
        raise PathNotAllowed(path)
    if path == "~" or path.startswith("~/"):
        path = "/" + path

    parts: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if not parts or parts == ["~"]:
                raise PathNotAllowed(path)
            parts.pop()
            continue
        parts.append(part)
    return "/" + "/".join(parts)


def to_virtual(display: str) -> str:
    """Expand a leading ``/~`` to ``/``: the home directory is the collection root."""
    if display == "/~":
        return "/"
    if display.startswith("/~/"):
        return display[2:]
    return display


def resolve(
    root: Path, path: str | None, *, default_directory: str = "/~/"
) -> CollectionPath:
    """Resolve a request path below ``root``; raise :class:`PathNotAllowed`.

    The result's ``real`` path is checked after symlinks are resolved, including
    a final component that is a symlink. Use :func:`resolve_parent` for operations
    that act on a link itself (rename, delete).
    """
    display = normalize(path or "", default_directory=default_directory)
    virtual = to_virtual(display)
    real = root / virtual.lstrip("/")
    check_inside(root, real, original=path or display)
    return CollectionPath(display, virtual, real)


def resolve_parent(
    root: Path, path: str, *, default_directory: str = "/~/"
) -> CollectionPath:
    """Resolve a path whose last component may be a symlink left unfollowed.

    Only the parent folder is resolved through symlinks, so a link to a file outside
    the root can itself be renamed or deleted without touching its target.
    """
    display = normalize(path, default_directory=default_directory)
    virtual = to_virtual(display)
    if virtual == "/":
        raise PathNotAllowed(path)
    real = root / virtual.lstrip("/")
    check_inside(root, real.parent, original=path)
    return CollectionPath(display, virtual, real)


def check_inside(root: Path, real: Path, *, original: str) -> None:
    """Raise :class:`PathNotAllowed` if ``real`` resolves to a place outside root."""
    resolved_root = os.path.realpath(root)
    resolved = os.path.realpath(real)
    if resolved != resolved_root and not resolved.startswith(resolved_root + os.sep):
        raise PathNotAllowed(original)


def is_inside(root: Path, real: Path) -> bool:
    try:
        check_inside(root, real, original="")
    except PathNotAllowed:
        return False
    return True


def virtual_of(root: Path, real: str | Path) -> str:
    """Return the collection path of a real path known to be inside ``root``."""
    relative = os.path.relpath(os.path.realpath(real), os.path.realpath(root))
    if relative == ".":
        return "/"
    return "/" + relative.replace(os.sep, "/")


def join(display: str, name: str) -> str:
    return posixpath.join(display, name)


def with_slash(display: str) -> str:
    """The directory form the real API echoes in ``path``: a trailing slash."""
    return display if display.endswith("/") else display + "/"
