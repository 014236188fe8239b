"""Parts every command shares: the Globus session, the sandbox notice, ENDPOINT:PATH.

``tunel_jupyter.globus`` (and with it globus-sdk) is imported here on first use,
so ``tunel-globus --help`` and ``import tunel_jupyter.cli`` stay fast.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import sys
import typing as t

from ..errors import UsageError

if t.TYPE_CHECKING:
    from ..globus import GlobusSession

log = logging.getLogger(__name__)

CLIENT_ID_VARIABLE = "TUNEL_GLOBUS_CLIENT_ID"
CLIENT_SECRET_VARIABLE = "TUNEL_GLOBUS_CLIENT_SECRET"


@dataclasses.dataclass(frozen=True)
class Location:
    """An endpoint, resolved to its ID, and a path on it (``None``: its default)."""

    endpoint_id: str
    endpoint_name: str
    path: str | None

    def __str__(self) -> str:
        return f"{self.endpoint_name}:{self.path or ''}"


def open_session(args: argparse.Namespace) -> GlobusSession:
    """Return the command's Globus session, creating it on first use.

    Creating it prints the sandbox notice when the session uses the tunel-jupyter
    sandbox, so every command that reaches Globus names the service it used.
    """
    session: GlobusSession | None = getattr(args, "session", None)
    if session is not None:
        return session

    from ..globus import GlobusSession
    from ..globus.environment import Environment

    # A secret on the command line would show in `ps` and shell history, so a
    # confidential client's secret comes only from the environment.
    client_id = args.client_id
    client_secret = os.environ.get(CLIENT_SECRET_VARIABLE, "").strip() or None
    if client_secret and not client_id:
        client_id = os.environ.get(CLIENT_ID_VARIABLE, "").strip() or None

    environment = Environment.current()
    session = GlobusSession(
        client_id=client_id,
        client_secret=client_secret,
        environment=environment,
        max_retries=args.max_retries,
    )
    if environment.is_sandbox:
        print(
            f"Note: using the {environment.label}, not Globus.",
            file=sys.stderr,
            flush=True,
        )
    args.session = session
    return session


def split_location(
    text: str, *, argument: str, require_path: bool = False
) -> tuple[str, str | None]:
    """Split ``ENDPOINT:PATH`` without a network call; the path may be ``None``."""
    from ..globus.paths import split_endpoint_path

    endpoint, path = split_endpoint_path(text)
    if require_path and path is None:
        raise UsageError(
            f"{argument} {text!r} has no path; write ENDPOINT:PATH with a path "
            "that starts with / or ~, for example 'my-laptop:~/data'.",
            field=argument,
        )
    return endpoint, path


def resolve_location(
    args: argparse.Namespace,
    text: str,
    *,
    argument: str,
    require_path: bool = False,
) -> Location:
    """Resolve ``ENDPOINT:PATH``, naming the endpoint by UUID or display name."""
    endpoint, path = split_location(text, argument=argument, require_path=require_path)
    record = open_session(args).resolve_endpoint(endpoint)
    return Location(record.id, record.display_name, path)


def hint_command(args: argparse.Namespace, rest: str) -> str:
    """Return a command line for the user to run next, with the program's own name."""
    return f"{args.prog} {rest}"


# rm checks each path before submitting when it names at most this many, so a
# long list costs no more calls than the delete task itself.
MAX_PATHS_CHECKED = 10


def check_item_types(
    args: argparse.Namespace,
    endpoint_id: str,
    paths: t.Sequence[str],
    *,
    recursive: bool,
    what: str,
) -> None:
    """Reject a folder without ``recursive`` (or a file to copy with it) early.

    Globus accepts such a task and fails it only after retries, so a stat of each
    path reports the mistake sooner. A missing path, or one that cannot be
    inspected, is left for the task to report. ``what`` is "copy" or "delete".
    """
    from ..errors import GlobusFailure, PermissionDenied

    session = open_session(args)
    for path in paths:
        try:
            entry = session.stat(endpoint_id, path)
        except (GlobusFailure, PermissionDenied) as err:
            log.debug("Not checking the type of %s: %s", path, err.message)
            return
        if entry is None:
            continue
        if entry.type == "dir" and not recursive:
            raise UsageError(
                f"{path} is a folder; add --recursive to {what} it with its contents.",
                field="recursive",
            )
        if entry.type != "dir" and recursive and what == "copy":
            raise UsageError(
                f"{path} is a file, and --recursive copies folders only; copy it "
                "without --recursive.",
                field="recursive",
            )
