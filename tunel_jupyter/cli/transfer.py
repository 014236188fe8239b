"""The transfer command: one item, or a batch of items from a file or stdin."""

from __future__ import annotations

import argparse
import dataclasses
import posixpath
import shlex
import sys
import typing as t

from ..errors import UsageError
from .context import check_item_types, open_session, split_location
from .tasks import add_wait_arguments, report_submitted

if t.TYPE_CHECKING:
    from ..globus import TransferItem

SYNC_LEVELS = ("exists", "size", "mtime", "checksum")
BATCH_LINE = "SOURCE_PATH DESTINATION_PATH [--recursive]"


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the transfer command."""
    parser = commands.add_parser(
        "transfer",
        help="copy files or folders from one endpoint to another",
        description=(
            "Copy SOURCE to DESTINATION. A file sent to a path ending in '/' keeps "
            "its name inside that folder; folders need --recursive. With --batch, "
            "SOURCE and DESTINATION name the endpoints (with optional base paths) "
            f"and each line of the batch reads '{BATCH_LINE}', relative paths "
            "being joined to the base paths. Lines starting with # are comments."
        ),
    )

    parser.add_argument("source", metavar="SRC_ENDPOINT:PATH", help="what to copy")
    parser.add_argument(
        "destination", metavar="DST_ENDPOINT:PATH", help="where to copy it"
    )
    parser.add_argument(
        "-r", "--recursive", action="store_true", help="copy folders with contents"
    )

    parser.add_argument("--label", help="a label to find the task by")
    parser.add_argument(
        "--sync-level",
        choices=SYNC_LEVELS,
        help="skip files already at the destination when they match by: "
        + ", ".join(SYNC_LEVELS),
    )
    parser.add_argument(
        "--verify-checksum",
        action="store_true",
        help="compare checksums after copying each file",
    )
    parser.add_argument(
        "--preserve-timestamp",
        action="store_true",
        help="give copies the modification time of their source",
    )

    parser.add_argument(
        "--batch",
        metavar="FILE",
        help=f"read items from FILE ('-' for stdin), one '{BATCH_LINE}' per line",
    )
    add_wait_arguments(parser)
    parser.set_defaults(func=run_transfer)


def run_transfer(args: argparse.Namespace) -> int:
    """Submit one transfer task and optionally wait for it."""
    from ..globus import TransferRequest

    # Everything that can be checked locally is checked before Globus is asked
    # anything, so a typo in a batch file costs no endpoint lookup.
    batch = args.batch is not None
    source_name, source_path = split_location(
        args.source, argument="SRC_ENDPOINT:PATH", require_path=not batch
    )
    destination_name, destination_path = split_location(
        args.destination, argument="DST_ENDPOINT:PATH", require_path=not batch
    )
    if batch:
        items = read_batch(
            args.batch,
            (source_name, source_path),
            (destination_name, destination_path),
            recursive=args.recursive,
        )
    else:
        assert source_path is not None and destination_path is not None
        items = [_item(source_path, destination_path, recursive=args.recursive)]

    # Built with the endpoint names first, so that its checks (the label, for
    # one) run before the login is needed to resolve them.
    request = TransferRequest(
        source_name,
        destination_name,
        tuple(items),
        label=args.label,
        sync_level=args.sync_level,
        verify_checksum=args.verify_checksum,
        preserve_timestamp=args.preserve_timestamp,
    )
    session = open_session(args)
    request = dataclasses.replace(
        request,
        source_endpoint=session.resolve_endpoint(source_name).id,
        destination_endpoint=session.resolve_endpoint(destination_name).id,
    )
    if len(request.items) == 1:
        item = request.items[0]
        check_item_types(
            args,
            request.source_endpoint,
            [item.source_path],
            recursive=item.recursive,
            what="copy",
        )
    task = session.submit_transfer(request)
    return report_submitted(args, task, kind="Transfer")


def read_batch(
    name: str,
    source: tuple[str, str | None],
    destination: tuple[str, str | None],
    *,
    recursive: bool,
) -> list[TransferItem]:
    """Read transfer items from the file ``name``, or stdin for ``-``.

    ``source`` and ``destination`` are ``(endpoint, base path)``; relative paths
    in the batch are joined to the base paths.
    """
    if name == "-":
        lines = sys.stdin.read().splitlines()
        shown = "stdin"
    else:
        try:
            with open(name, encoding="utf-8") as stream:
                lines = stream.read().splitlines()
        except OSError as err:
            raise UsageError(
                f"Could not read the batch file {name!r}: {err.strerror}.",
                field="batch",
            ) from None
        shown = repr(name)

    items = [
        _batch_item(line, number, shown, source, destination, recursive=recursive)
        for number, line in enumerate(lines, start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not items:
        raise UsageError(
            f"The batch from {shown} lists no items; write one '{BATCH_LINE}' per "
            "line.",
            field="batch",
        )
    return items


def _batch_item(
    line: str,
    number: int,
    shown: str,
    source: tuple[str, str | None],
    destination: tuple[str, str | None],
    *,
    recursive: bool,
) -> TransferItem:
    where = f"line {number} of the batch from {shown}"
    try:
        words = shlex.split(line)
    except ValueError as err:
        raise UsageError(f"Invalid {where}: {err}.", field="batch") from None

    paths = [word for word in words if word not in ("-r", "--recursive")]
    unknown = [path for path in paths if path.startswith("-")]
    if unknown or len(paths) != 2:
        raise UsageError(
            f"Invalid {where}: {line.strip()!r}; expected '{BATCH_LINE}'. Quote "
            "paths that contain spaces.",
            field="batch",
        )
    return _item(
        _join(source, paths[0], where),
        _join(destination, paths[1], where),
        recursive=recursive or len(words) > 2,
    )


def _join(location: tuple[str, str | None], path: str, where: str) -> str:
    endpoint, base_path = location
    if path.startswith(("/", "~")):
        return path
    if base_path is None:
        raise UsageError(
            f"The path {path!r} on {where} is relative, but {endpoint!r} was given "
            "without a base path; write it as ENDPOINT:/base/path or make the path "
            "start with / or ~.",
            field="batch",
        )
    return posixpath.join(base_path, path)


def _item(source_path: str, destination_path: str, *, recursive: bool) -> TransferItem:
    from ..globus import TransferItem

    # Like cp, a file sent into a folder keeps its own name there.
    if not recursive and destination_path.endswith("/"):
        name = posixpath.basename(source_path.rstrip("/"))
        if name and name != "~":
            destination_path += name
    return TransferItem(source_path, destination_path, recursive=recursive)
