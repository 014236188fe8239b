"""Commands on an endpoint's files: ls, mkdir, rename, rm."""

from __future__ import annotations

import argparse
import posixpath
import shlex
import sys
import typing as t

from ..errors import UsageError
from .arguments import non_negative_int, positive_int
from .context import (
    MAX_PATHS_CHECKED,
    check_item_types,
    hint_command,
    open_session,
    resolve_location,
    split_location,
)
from .output import count, format_size, print_json, print_table
from .tasks import add_wait_arguments, report_submitted

if t.TYPE_CHECKING:
    from ..globus import FileEntry, Listing


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ls, mkdir, rename and rm commands."""
    ls = commands.add_parser(
        "ls",
        help="list a folder on an endpoint",
        description="List the folder at PATH on ENDPOINT (its default folder "
        "without a path). Folders end in '/'.",
    )
    ls.add_argument(
        "location",
        metavar="ENDPOINT[:PATH]",
        help="the folder, e.g. 'my-laptop:~/data'",
    )
    ls.add_argument(
        "-a", "--all", action="store_true", help="include hidden files (dotfiles)"
    )
    ls.add_argument(
        "-l", "--long", action="store_true", help="show type, size, mode and time"
    )
    ls.add_argument(
        "--limit", type=positive_int, metavar="N", help="list at most N entries"
    )
    ls.add_argument(
        "--offset",
        type=non_negative_int,
        default=0,
        metavar="N",
        help="skip the first N entries (default: 0)",
    )
    ls.add_argument("--json", action="store_true", help="print the listing as JSON")
    ls.set_defaults(func=run_ls)

    mkdir = commands.add_parser("mkdir", help="create a folder on an endpoint")
    mkdir.add_argument("location", metavar="ENDPOINT:PATH", help="the folder to create")
    mkdir.set_defaults(func=run_mkdir)

    rename = commands.add_parser(
        "rename",
        help="rename or move a file or folder within one endpoint",
        description="Rename OLD_PATH on ENDPOINT to NEW_PATH. A NEW_PATH without a "
        "leading / or ~ is taken relative to the folder that holds OLD_PATH.",
    )
    rename.add_argument(
        "location", metavar="ENDPOINT:OLD_PATH", help="the file or folder to rename"
    )
    rename.add_argument("new_path", metavar="NEW_PATH", help="its new path or name")
    rename.set_defaults(func=run_rename)

    rm = commands.add_parser(
        "rm",
        help="delete files or folders (submits a delete task)",
        description="Delete files, or folders with --recursive, on one endpoint. "
        "Globus runs the delete as a task; follow it with --wait or 'wait ID'.",
    )
    rm.add_argument(
        "locations",
        nargs="+",
        metavar="ENDPOINT:PATH",
        help="the files or folders to delete, all on one endpoint",
    )
    rm.add_argument(
        "-r", "--recursive", action="store_true", help="delete folders and contents"
    )
    rm.add_argument("--label", help="a label for the delete task")
    add_wait_arguments(rm)
    rm.set_defaults(func=run_rm)


def run_ls(args: argparse.Namespace) -> int:
    """List one folder, one page of it when --limit or --offset are given."""
    location = resolve_location(args, args.location, argument="ENDPOINT[:PATH]")
    listing = open_session(args).ls(
        location.endpoint_id,
        location.path,
        show_hidden=args.all,
        limit=args.limit,
        offset=args.offset,
    )
    if args.offset and not listing.entries:
        _report_past_end(args, listing)

    if args.json:
        print_json(listing.to_dict())
    elif args.long:
        print_table(
            ("Type", "Size", "Mode", "Modified", "Name"),
            [_long_row(entry) for entry in listing.entries],
        )
    else:
        for entry in listing.entries:
            print(_display_name(entry))

    if listing.has_next_page:
        _report_truncated(args, listing)
    return 0


def _display_name(entry: FileEntry) -> str:
    return entry.name + "/" if entry.type == "dir" else entry.name


def _long_row(entry: FileEntry) -> tuple[str, ...]:
    name = _display_name(entry)
    if entry.link_target:
        name += f" -> {entry.link_target}"
    size = "" if entry.type == "dir" else format_size(entry.size)
    return (entry.type, size, entry.permissions or "", entry.last_modified or "", name)


def _report_truncated(args: argparse.Namespace, listing: Listing) -> None:
    shown = len(listing.entries)
    first = args.offset + 1
    last = args.offset + shown
    of_total = f" of {listing.total}" if listing.total is not None else ""
    words = ["ls", args.location, "--offset", str(listing.next_offset)]
    if args.limit:
        words += ["--limit", str(args.limit)]
    if args.all:
        words.append("--all")
    print(
        f"Listing truncated: showed entries {first}-{last}{of_total}. "
        f"For the next ones run: {hint_command(args, shlex.join(words))}",
        file=sys.stderr,
    )


def _report_past_end(args: argparse.Namespace, listing: Listing) -> t.NoReturn:
    if listing.total is None:
        size = "has fewer entries"
    else:
        size = "has " + count(listing.total, "entry", "entries")
    raise UsageError(
        f"--offset {args.offset} is past the end: {args.location} {size}. "
        "Use a smaller --offset.",
        field="offset",
    )


def run_mkdir(args: argparse.Namespace) -> int:
    """Create one folder."""
    location = resolve_location(
        args, args.location, argument="ENDPOINT:PATH", require_path=True
    )
    assert location.path is not None
    open_session(args).mkdir(location.endpoint_id, location.path)
    print(f"Created folder {location}")
    return 0


def run_rename(args: argparse.Namespace) -> int:
    """Rename a file or folder on one endpoint."""
    location = resolve_location(
        args, args.location, argument="ENDPOINT:OLD_PATH", require_path=True
    )
    assert location.path is not None
    new_path = args.new_path.strip()
    if not new_path:
        raise UsageError(
            "NEW_PATH is empty; give the new name or path.", field="new_path"
        )
    if not new_path.startswith(("/", "~")):
        parent = posixpath.dirname(location.path.rstrip("/")) or "/"
        new_path = posixpath.join(parent, new_path)

    open_session(args).rename(location.endpoint_id, location.path, new_path)
    print(f"Renamed {location} to {new_path}")
    return 0


def run_rm(args: argparse.Namespace) -> int:
    """Submit a delete task for paths on one endpoint."""
    from ..globus.paths import is_root_or_home

    # Checked before the endpoints are resolved, which needs a login.
    for text in args.locations:
        _, path = split_location(text, argument="ENDPOINT:PATH", require_path=True)
        if path is not None and is_root_or_home(path):
            raise UsageError(
                f"Invalid path {text!r} to delete: deleting the root or home "
                "directory is not allowed.",
                field="locations",
            )
    locations = [
        resolve_location(args, text, argument="ENDPOINT:PATH", require_path=True)
        for text in args.locations
    ]
    endpoint_ids = {location.endpoint_id for location in locations}
    if len(endpoint_ids) > 1:
        raise UsageError(
            "rm deletes on one endpoint at a time, but the paths name "
            f"{len(endpoint_ids)} endpoints; run rm once per endpoint.",
            field="locations",
        )

    endpoint_id = locations[0].endpoint_id
    paths = [location.path for location in locations if location.path is not None]
    if len(paths) <= MAX_PATHS_CHECKED:
        check_item_types(
            args, endpoint_id, paths, recursive=args.recursive, what="delete"
        )
    task = open_session(args).delete(
        endpoint_id, paths, recursive=args.recursive, label=args.label
    )
    return report_submitted(args, task, kind="Delete")
