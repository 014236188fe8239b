"""A paged folder browser on one Globus endpoint, for the panel's two sides."""

from __future__ import annotations

import html
import logging
import posixpath
import typing as t

import ipywidgets as widgets

from tunel_jupyter.errors import TunelError
from tunel_jupyter.globus.paths import join

from .controls import button, columns
from .display import format_bytes
from .status import StatusArea

if t.TYPE_CHECKING:
    from tunel_jupyter.globus import EndpointRecord, FileEntry, GlobusSession, Listing

log = logging.getLogger(__name__)


def parent_path(path: str) -> str:
    """Return the folder above ``path``; ``/`` and ``~`` are their own parents."""
    stripped = path.rstrip("/")
    if not stripped:
        return "/"
    if stripped == "~":
        return "~/"
    parent = posixpath.dirname(stripped)
    return parent.rstrip("/") + "/" if parent not in ("", "/") else "/"


def _entry_label(entry: FileEntry) -> str:
    if entry.type == "dir":
        return columns((f"{entry.name}/",), (48,))
    return columns((entry.name, format_bytes(entry.size)), (48, 12))


class FileBrowser(widgets.VBox):  # type: ignore[misc]
    """Browse one endpoint's folders one page at a time and select entries.

    ``page_size`` entries are fetched per page, so a folder of any size shows
    quickly; Previous and Next move between pages. Type a path and press Enter to
    go there; Open enters the selected folder; Up goes to the parent folder.
    """

    def __init__(
        self,
        session: GlobusSession,
        status: StatusArea,
        *,
        title: str,
        page_size: int = 500,
    ) -> None:
        self.session = session
        self.status_area = status
        self.page_size = page_size
        self.endpoint: EndpointRecord | None = None
        self.listing: Listing | None = None
        self.offset = 0
        self._setting_path = False

        self.heading = widgets.HTML(
            f"<b>{html.escape(title)}</b>: no endpoint chosen<br><small>&nbsp;</small>"
        )
        self.path_box = widgets.Text(
            description="Path:",
            continuous_update=False,
            placeholder="/path/to/folder",
            layout=widgets.Layout(width="100%"),
        )
        self.up_button = button("Up", icon="arrow-up")
        self.refresh_button = button("Refresh", icon="refresh")
        self.open_button = button("Open", icon="folder-open")
        self.entries = widgets.SelectMultiple(
            options=[], rows=12, layout=widgets.Layout(width="100%")
        )
        self.previous_button = button("Previous", icon="arrow-left")
        self.next_button = button("Next", icon="arrow-right")
        self.page_label = widgets.Label("")
        self.title = title

        guard = status.guard
        self.path_box.observe(guard(self._on_path), names="value")
        self.up_button.on_click(guard(lambda _: self.up()))
        self.refresh_button.on_click(guard(lambda _: self.refresh()))
        self.open_button.on_click(guard(lambda _: self.open_selected()))
        self.previous_button.on_click(guard(lambda _: self.previous_page()))
        self.next_button.on_click(guard(lambda _: self.next_page()))

        tools = [self.up_button, self.refresh_button, self.open_button]
        pages = [self.previous_button, self.next_button, self.page_label]
        super().__init__(
            [
                self.heading,
                self.path_box,
                widgets.HBox(tools),
                self.entries,
                widgets.HBox(pages),
            ],
            layout=widgets.Layout(width="50%"),
        )
        self._update_buttons()

    @property
    def path(self) -> str:
        return str(self.path_box.value)

    @property
    def selected_entries(self) -> list[FileEntry]:
        """The entries selected on the current page."""
        if self.listing is None:
            return []
        chosen = set(self.entries.value)
        return [entry for entry in self.listing.entries if entry.name in chosen]

    def set_endpoint(self, endpoint: EndpointRecord, path: str | None = None) -> None:
        """Browse ``endpoint``, at ``path`` or at its default directory."""
        self.endpoint = endpoint
        label = html.escape(endpoint.display_name)
        self.heading.value = (
            f"<b>{html.escape(self.title)}</b>: {label}<br><small>{endpoint.id}</small>"
        )
        self.go(path or endpoint.default_directory or None)

    def go(self, path: str | None, *, offset: int = 0) -> None:
        """List ``path`` (None for the default directory) from entry ``offset``."""
        if self.endpoint is None:
            self.status_area.show("Choose an endpoint first, from the tables above.")
            return

        try:
            listing = self.session.ls(
                self.endpoint.id, path, limit=self.page_size, offset=offset
            )
        except TunelError:
            # Show the folder still listed, so a transfer never uses the bad path.
            self._show_path(self.listing.path if self.listing else "")
            raise
        self.listing = listing
        self.offset = offset
        self._show_path(listing.path)
        options = [(_entry_label(entry), entry.name) for entry in listing.entries]
        self.entries.value = ()
        self.entries.options = options
        self._update_buttons()

    def _show_path(self, path: str) -> None:
        self._setting_path = True
        try:
            self.path_box.value = path
        finally:
            self._setting_path = False

    def _on_path(self, change: dict[str, t.Any]) -> None:
        if not self._setting_path and change["new"].strip():
            self.go(change["new"].strip())

    def refresh(self) -> None:
        """List the current page again."""
        self.go(self.path or None, offset=self.offset)

    def up(self) -> None:
        """Go to the parent folder."""
        self.go(parent_path(self.path or "/"))

    def open_selected(self) -> None:
        """Enter the one selected folder."""
        folders = [entry for entry in self.selected_entries if entry.type == "dir"]
        if len(folders) != 1 or len(self.selected_entries) != 1:
            self.status_area.show("Select exactly one folder to open.")
            return
        self.go(join(self.path, folders[0].name))

    def next_page(self) -> None:
        """Show the next page of the folder."""
        if self.listing is not None and self.listing.has_next_page:
            self.go(self.path, offset=self.listing.next_offset or 0)

    def previous_page(self) -> None:
        """Show the previous page of the folder."""
        if self.offset > 0:
            self.go(self.path, offset=max(0, self.offset - self.page_size))

    def _update_buttons(self) -> None:
        listing = self.listing
        has_endpoint = self.endpoint is not None
        for tool in (self.up_button, self.refresh_button, self.open_button):
            tool.disabled = not has_endpoint
        self.previous_button.disabled = self.offset <= 0
        self.next_button.disabled = listing is None or not listing.has_next_page
        if listing is None:
            self.page_label.value = ""
            return

        if not listing.entries:
            self.page_label.value = "Empty folder" if self.offset == 0 else "No entries"
            return
        first = self.offset + 1
        last = self.offset + len(listing.entries)
        total = f" of {listing.total}" if listing.total is not None else ""
        self.page_label.value = f"Entries {first}-{last}{total}"
