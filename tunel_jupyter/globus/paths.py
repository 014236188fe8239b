"""Parse ``ENDPOINT:PATH`` arguments and handle Globus paths."""

from __future__ import annotations

import posixpath
import re

from ..errors import UsageError

# The separator is the first colon that starts a path ("/..." or "~..."), so display
# names that contain colons ("lab: data") still split correctly.
_SEPARATOR = re.compile(r":(?=[/~])")


def split_endpoint_path(value: str) -> tuple[str, str | None]:
    """Split ``ENDPOINT:PATH`` into the endpoint and the path.

    The split happens at the first ``:`` followed by ``/`` or ``~``. A value with no
    such colon is a bare endpoint, and the path is ``None`` (the endpoint's default
    directory).

    :raises UsageError: if the endpoint part is empty.
    """
    match = _SEPARATOR.search(value)
    if match is None:
        endpoint, path = value, None
    else:
        endpoint, path = value[: match.start()], value[match.end() :]
    endpoint = endpoint.strip()
    if not endpoint:
        raise UsageError(
            f"Missing endpoint in {value!r}: write ENDPOINT:PATH, for example "
            "'my-laptop:/home/ada/data' or an endpoint ID.",
            field="endpoint",
        )
    return endpoint, path


def is_absolute(path: str) -> bool:
    """Check whether ``path`` is a full Globus path (``/...`` or ``~...``)."""
    return path.startswith("/") or path.startswith("~")


def is_root_or_home(path: str) -> bool:
    """Check whether ``path`` names the root or home folder, or a folder above home.

    ``/~/``, ``/~/.``, ``~/data/..`` and ``/./`` are such spellings too.
    """
    normal = posixpath.normpath(path)
    # normpath leaves "~/.." as "." and "~/../.." as "..", both above home.
    above_home = normal in (".", "..") or normal.startswith("../")
    return above_home or normal in ("/", "//", "~", "/~")


def basename(path: str) -> str:
    """Return the last component of ``path``, ignoring a trailing slash."""
    return posixpath.basename(path.rstrip("/"))


def join(directory: str, name: str) -> str:
    """Join a directory path and a name with exactly one slash."""
    return directory.rstrip("/") + "/" + name
