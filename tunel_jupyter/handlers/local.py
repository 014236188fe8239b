"""This server's own files as a Globus collection, and local paths on it."""

from __future__ import annotations

import dataclasses
import os
import posixpath
import typing as t
import uuid

from ..errors import UsageError

# Globus Connect Personal writes its endpoint ID here when it is set up.
GCP_CLIENT_ID_FILE = os.path.join("~", ".globusonline", "lta", "client-id.txt")


@dataclasses.dataclass(frozen=True)
class LocalCollection:
    """The collection serving the Jupyter root, and the path of the root on it."""

    id: str
    root: str
    display_name: str
    source: str

    def to_dict(self) -> dict[str, t.Any]:
        """Return the collection as JSON-ready data."""
        return dataclasses.asdict(self)

    def collection_path(self, local_path: str, *, root_dir: str, field: str) -> str:
        """Translate a path relative to the Jupyter root into a collection path.

        :raises UsageError: naming ``field`` when the path leaves the root
            directory, also through a symbolic link.
        """
        relative = _relative_inside(local_path, root_dir=root_dir, field=field)
        path = posixpath.join(self.root, relative) if relative else self.root
        if local_path.endswith("/") and not path.endswith("/"):
            path += "/"
        return path


def find_local_collection(
    *,
    option_id: str | None,
    option_root: str | None,
    root_dir: str,
    sandbox_collection_id: str | None,
) -> LocalCollection | None:
    """Choose the local collection: the options, then Globus Connect Personal,
    then the sandbox's collection. Reads one small file and makes no network call."""
    if option_id:
        return LocalCollection(
            id=option_id,
            root=option_root or "/",
            display_name="This Jupyter server",
            source="option",
        )

    gcp_id = read_gcp_endpoint_id()
    if gcp_id:
        return LocalCollection(
            id=gcp_id,
            root=option_root or _as_collection_dir(root_dir),
            display_name="This Jupyter server (Globus Connect Personal)",
            source="globus_connect_personal",
        )

    if sandbox_collection_id:
        return LocalCollection(
            id=sandbox_collection_id,
            root=option_root or "/",
            display_name="This Jupyter server (sandbox)",
            source="sandbox",
        )
    return None


def read_gcp_endpoint_id() -> str | None:
    """Return the endpoint ID of an installed Globus Connect Personal, or None."""
    path = os.path.expanduser(GCP_CLIENT_ID_FILE)
    try:
        with open(path, encoding="utf-8") as file:
            text = file.read(200).strip()
    except OSError:
        return None
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return None


def _as_collection_dir(root_dir: str) -> str:
    path = os.path.abspath(root_dir).replace(os.sep, "/")
    return path if path.endswith("/") else path + "/"


def _relative_inside(local_path: str, *, root_dir: str, field: str) -> str:
    if not isinstance(local_path, str) or "\x00" in local_path:
        raise UsageError(
            f"Invalid local path {local_path!r}: give a path relative to the "
            "Jupyter root directory.",
            field=field,
        )
    # Jupyter's contents paths may start with "/"; they are still root-relative.
    relative = posixpath.normpath(local_path.lstrip("/")) if local_path else "."
    if relative == ".":
        relative = ""
    if relative == ".." or relative.startswith("../"):
        raise _outside(local_path, field)

    try:
        # JSON can carry a lone surrogate, which os.fsencode cannot encode unless it
        # is one of U+DC80..U+DCFF that stand for undecodable bytes.
        os.fsencode(relative)
    except UnicodeEncodeError:
        raise UsageError(
            f"Invalid local path {local_path!r}: it contains a character that no "
            "file name can hold (a lone UTF-16 surrogate). Give the name as it is "
            "on disk.",
            field=field,
        ) from None
    root_real = os.path.realpath(root_dir)
    target_real = os.path.realpath(os.path.join(root_dir, relative))
    if target_real != root_real and not target_real.startswith(root_real + os.sep):
        raise _outside(local_path, field)
    return relative


def _outside(local_path: str, field: str) -> UsageError:
    return UsageError(
        f"Local path {local_path!r} leaves the Jupyter root directory: give a "
        "path inside it, relative to the root.",
        field=field,
    )
