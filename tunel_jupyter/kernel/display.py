"""Rich values returned by the notebook API: endpoint tables, listings, login state.

Each value is an ordinary Python object (a list, or a wrapper over a core record)
that draws itself as an HTML table in a notebook (``_repr_html_``) and as plain
text in a terminal (``__repr__`` and ``_repr_pretty_``). Long results show one
page and end with the call that fetches the rest, so a large listing never floods
the front end.
"""

from __future__ import annotations

import html
import typing as t

from .failures import for_notebook

if t.TYPE_CHECKING:
    from IPython.lib.pretty import RepresentationPrinter

    from tunel_jupyter.globus import (
        EndpointRecord,
        FileEntry,
        Identity,
        Listing,
        LoginStatus,
    )
    from tunel_jupyter.globus.environment import Environment

#: Rows an endpoint table shows before its footer points to the others.
MAX_TABLE_ROWS = 100

_Row = t.Sequence[str]


def format_bytes(size: int | None) -> str:
    """Format a byte count with binary prefixes, such as ``1.5 MiB``."""
    if size is None:
        return ""
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{size} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def sandbox_notice(environment: Environment | None) -> str | None:
    """Return the line that marks results from the sandbox, or None for Globus."""
    if environment is None or not environment.is_sandbox:
        return None
    return f"Sandbox: {environment.label}, not the real Globus."


def html_table(
    headers: _Row,
    rows: t.Iterable[_Row],
    *,
    notes: t.Sequence[str | None] = (),
    footer: str | None = None,
) -> str:
    """Build an escaped HTML table, with note lines above and a footer below."""
    parts = [
        f'<p class="tunel-note"><b>{html.escape(note)}</b></p>'
        for note in notes
        if note
    ]
    parts.append('<table class="tunel-table"><thead><tr>')
    parts.extend(f"<th>{html.escape(header)}</th>" for header in headers)
    parts.append("</tr></thead><tbody>")
    for row in rows:
        cells = "".join(f"<td>{html.escape(cell)}</td>" for cell in row)
        parts.append(f"<tr>{cells}</tr>")
    parts.append("</tbody></table>")
    if footer:
        parts.append(f"<p>{html.escape(footer)}</p>")
    return "".join(parts)


def text_table(
    headers: _Row,
    rows: t.Iterable[_Row],
    *,
    notes: t.Sequence[str | None] = (),
    footer: str | None = None,
) -> str:
    """Build a plain-text table with aligned columns, for terminals."""
    all_rows = [list(headers), *(list(row) for row in rows)]
    widths = [max(len(row[i]) for row in all_rows) for i in range(len(headers))]
    lines = [note for note in notes if note]
    for row in all_rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=True)]
        lines.append("  ".join(cells).rstrip())
    if footer:
        lines.append(footer)
    return "\n".join(lines)


class _Rich:
    """Mixin that routes IPython's plain-text printer to ``__repr__``."""

    def _repr_pretty_(self, printer: RepresentationPrinter, cycle: bool) -> None:
        printer.text(repr(self))  # type: ignore[no-untyped-call]


class EndpointTable(list["EndpointRecord"], _Rich):
    """A list of endpoint records that displays as a table with a scope column.

    It behaves as a ``list`` (index it, loop over it, slice it); slices are tables
    too. Records keep every scope they were found under, such as
    ``my-endpoints`` and ``shared-with-me``.
    """

    headers = ("#", "Display name", "ID", "Owner", "Scopes", "Notes")

    def __init__(
        self,
        records: t.Iterable[EndpointRecord] = (),
        *,
        environment: Environment | None = None,
    ) -> None:
        super().__init__(records)
        self.environment = environment

    @t.overload
    def __getitem__(self, index: t.SupportsIndex) -> EndpointRecord: ...

    @t.overload
    def __getitem__(self, index: slice) -> EndpointTable: ...

    def __getitem__(
        self, index: t.SupportsIndex | slice
    ) -> EndpointRecord | EndpointTable:
        if isinstance(index, slice):
            sliced = list.__getitem__(self, index)
            return EndpointTable(sliced, environment=self.environment)
        return list.__getitem__(self, index)

    def _rows(self) -> list[list[str]]:
        rows = []
        for number, record in enumerate(self[:MAX_TABLE_ROWS], start=1):
            notes = []
            if record.non_functional:
                notes.append("non-functional")
            if record.high_assurance:
                notes.append("high assurance")
            rows.append(
                [
                    str(number),
                    record.display_name,
                    record.id,
                    record.owner_string or "",
                    ", ".join(record.scopes),
                    ", ".join(notes),
                ]
            )
        return rows

    def _footer(self) -> str:
        if not self:
            return "No endpoints found."
        if len(self) <= MAX_TABLE_ROWS:
            return f"{len(self)} endpoint(s)."
        return (
            f"Showing {MAX_TABLE_ROWS} of {len(self)} endpoints; the value is a "
            f"list, so index it (for example [{MAX_TABLE_ROWS}:]) to see the others."
        )

    def _repr_html_(self) -> str:
        notes = [sandbox_notice(self.environment)]
        return html_table(
            self.headers, self._rows(), notes=notes, footer=self._footer()
        )

    def __repr__(self) -> str:
        notes = [sandbox_notice(self.environment)]
        return text_table(
            self.headers, self._rows(), notes=notes, footer=self._footer()
        )


def _entry_row(entry: FileEntry) -> list[str]:
    name = entry.name + ("/" if entry.type == "dir" else "")
    if entry.link_target:
        name += f" -> {entry.link_target}"
    size = "" if entry.type == "dir" else format_bytes(entry.size)
    return [name, entry.type, size, entry.last_modified or "", entry.permissions or ""]


class DirectoryListing(_Rich):
    """One page of a folder listing on an endpoint.

    ``entries`` contains this page's ``FileEntry`` records; ``total`` counts the whole
    folder when Globus reports it. When ``has_next_page`` is true, ``next_page()``
    fetches the following page.
    """

    headers = ("Name", "Type", "Size", "Last modified", "Permissions")

    def __init__(
        self,
        listing: Listing,
        *,
        environment: Environment | None = None,
        fetch_page: t.Callable[[int], DirectoryListing] | None = None,
        endpoint_name: str | None = None,
    ) -> None:
        self.listing = listing
        self.environment = environment
        self.endpoint_name = endpoint_name
        self._fetch_page = fetch_page

    @property
    def endpoint_id(self) -> str:
        return self.listing.endpoint_id

    @property
    def path(self) -> str:
        return self.listing.path

    @property
    def entries(self) -> list[FileEntry]:
        return list(self.listing.entries)

    @property
    def total(self) -> int | None:
        return self.listing.total

    @property
    def has_next_page(self) -> bool:
        return self.listing.has_next_page

    @property
    def next_offset(self) -> int | None:
        return self.listing.next_offset

    def __len__(self) -> int:
        return len(self.listing.entries)

    def __iter__(self) -> t.Iterator[FileEntry]:
        return iter(self.listing.entries)

    def next_page(self) -> DirectoryListing:
        """Fetch the page after this one; raise ``ValueError`` on the last page."""
        if not self.has_next_page or self.next_offset is None:
            raise ValueError(f"{self.path} has no entries after this page.")
        if self._fetch_page is None:
            raise ValueError("This listing was built without a way to fetch pages.")
        return self._fetch_page(self.next_offset)

    def _title(self) -> str:
        if self.endpoint_name and self.endpoint_name != self.endpoint_id:
            return f"{self.endpoint_name}:{self.path} (endpoint {self.endpoint_id})"
        return f"{self.endpoint_id}:{self.path}"

    def _footer(self) -> str:
        shown = len(self.listing.entries)
        total = self.total if self.total is not None else "?"
        if not self.has_next_page:
            return "1 entry." if shown == 1 else f"{shown} entries."
        return (
            f"Showing {shown} of {total} entries; call .next_page() on this value, "
            f"or add --offset {self.next_offset} to %globus ls, for the next page."
        )

    def _repr_html_(self) -> str:
        notes = [sandbox_notice(self.environment), self._title()]
        rows = [_entry_row(entry) for entry in self.listing.entries]
        return html_table(self.headers, rows, notes=notes, footer=self._footer())

    def __repr__(self) -> str:
        notes = [sandbox_notice(self.environment), self._title()]
        rows = [_entry_row(entry) for entry in self.listing.entries]
        return text_table(self.headers, rows, notes=notes, footer=self._footer())


class LoginState(_Rich):
    """Login state: the identity and the Globus environment, from a ``LoginStatus``."""

    def __init__(self, status: LoginStatus) -> None:
        self.status = status

    @property
    def logged_in(self) -> bool:
        return self.status.logged_in

    @property
    def identity(self) -> Identity | None:
        return self.status.identity

    def _lines(self) -> list[str]:
        notice = sandbox_notice(self.status.environment)
        lines = [notice] if notice else []
        identity = self.status.identity
        if self.status.logged_in and identity is not None:
            who = identity.username or identity.id
            if identity.name:
                who += f" ({identity.name})"
            lines.append(f"Logged in to Globus as {who}, identity {identity.id}.")
        else:
            reason = self.status.reason
            reason = f" {for_notebook(reason)}" if reason else ""
            lines.append(f"Not logged in to Globus.{reason}")
            lines.append(
                "Run %globus login, or tunel-globus update-tokens in a terminal."
            )
        return lines

    def _repr_html_(self) -> str:
        return "".join(f"<p>{html.escape(line)}</p>" for line in self._lines())

    def __repr__(self) -> str:
        return "\n".join(self._lines())
