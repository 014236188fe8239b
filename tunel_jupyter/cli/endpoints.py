"""The endpoints command and the "Globus Endpoints" table that login prints."""

from __future__ import annotations

import argparse
import typing as t

from ..errors import UsageError
from .context import open_session
from .output import print_json, print_table, records_to_json

if t.TYPE_CHECKING:
    from ..globus import EndpointRecord, GlobusSession

# The filter scopes of Transfer's endpoint_search; "all" needs a full-text search.
FILTER_SCOPES = (
    "my-endpoints",
    "shared-with-me",
    "recently-used",
    "in-use",
    "shared-by-me",
    "administered-by-me",
    "my-gcp-endpoints",
    "all",
)
DEFAULT_SCOPES = ("my-endpoints", "shared-with-me")


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the endpoints command."""
    parser = commands.add_parser(
        "endpoints",
        help="list your endpoints and collections by scope, or search them",
        description=(
            "List endpoints and collections. Without options: my-endpoints and "
            "shared-with-me. With --search and no --scope: a full-text search of "
            "every endpoint you can see (scope 'all')."
        ),
    )
    parser.add_argument(
        "--scope",
        dest="scopes",
        action="append",
        choices=FILTER_SCOPES,
        metavar="SCOPE",
        help="list endpoints found under SCOPE (repeatable): "
        + ", ".join(FILTER_SCOPES),
    )
    parser.add_argument(
        "--search", metavar="TEXT", help="keep only endpoints matching TEXT"
    )
    parser.add_argument("--json", action="store_true", help="print JSON records")
    parser.set_defaults(func=run_endpoints)


def run_endpoints(args: argparse.Namespace) -> int:
    """List endpoints by scope and optional full-text search."""
    search = args.search.strip() if args.search else None
    if args.scopes:
        scopes = tuple(dict.fromkeys(args.scopes))
    elif search:
        scopes = ("all",)
    else:
        scopes = DEFAULT_SCOPES
    if "all" in scopes and not search:
        raise UsageError(
            "--scope all needs --search TEXT: Globus searches all endpoints only "
            "by text.",
            field="scope",
        )

    records = open_session(args).list_endpoints(scopes, search=search)
    if args.json:
        print_json(records_to_json(records))
        return 0
    if not records:
        where = ", ".join(scopes)
        matching = f" matching {search!r}" if search else ""
        print(f"No endpoints found{matching} in {where}.")
        return 0
    print_table(
        ("ID", "Scopes", "Owner", "Notes", "Display name"),
        [
            (
                record.id,
                ",".join(record.scopes),
                record.owner_string,
                _notes(record),
                record.display_name,
            )
            for record in records
        ],
    )
    return 0


def _notes(record: EndpointRecord) -> str:
    notes = []
    if record.non_functional:
        notes.append("non-functional")
    if record.high_assurance:
        notes.append("high-assurance")
    if record.is_globus_connect:
        notes.append("personal")
    return ",".join(notes)


def print_endpoint_table(
    session: GlobusSession, scopes: t.Sequence[str] = DEFAULT_SCOPES
) -> None:
    """Print the numbered "Globus Endpoints" table: number, ID, [scope], name.

    The format is the one the earlier tunel tool printed after login, so
    scripts written for it keep working: one row per endpoint and scope.
    """
    records = session.list_endpoints(tuple(scopes))
    rows = [
        (scope, record)
        for scope in scopes
        for record in records
        if scope in record.scopes
    ]
    width = max(2, len(str(len(rows))))

    print("Globus Endpoints")
    for number, (scope, record) in enumerate(rows, start=1):
        print(f"{number:<{width}} {record.id}\t[{scope}]\t{record.display_name}")
