"""The panel's endpoint tables: one tab per scope, plus a search tab."""

from __future__ import annotations

import html
import logging
import typing as t

import ipywidgets as widgets

from .controls import button, columns
from .status import StatusArea

if t.TYPE_CHECKING:
    from tunel_jupyter.globus import EndpointRecord, GlobusSession

log = logging.getLogger(__name__)

#: Tabs in order: (scope searched, tab title).
SCOPE_TABS = (
    ("my-endpoints", "My endpoints"),
    ("shared-with-me", "Shared with me"),
    ("recently-used", "Recently used"),
    ("all", "Search"),
)


# Column titles and widths in characters of an endpoint table's rows.
COLUMNS = ("Display name", "Owner", "ID", "Notes")
WIDTHS = (36, 24, 36, 14)


def endpoint_label(record: EndpointRecord) -> str:
    """Format one row of an endpoint table: name, owner, ID and any warning."""
    notes = "non-functional" if record.non_functional else ""
    cells = (record.display_name, record.owner_string or "", record.id, notes)
    return columns(cells, WIDTHS)


class EndpointSelect(widgets.VBox):  # type: ignore[misc]
    """A selectable table of endpoints, with details of the selected one."""

    def __init__(self) -> None:
        self.records: dict[str, EndpointRecord] = {}
        self.select = widgets.Select(
            options=[], rows=8, layout=widgets.Layout(width="100%")
        )
        self.details = widgets.HTML()
        self.summary = widgets.Label("Not loaded yet.")
        header = widgets.HTML(html.escape(columns(COLUMNS, WIDTHS)))
        header.add_class("tunel-columns")
        self.select.observe(self._show_details, names="value")
        super().__init__([self.summary, header, self.select, self.details])

    def show(self, records: t.Sequence[EndpointRecord], *, more: bool = False) -> None:
        """Show ``records``; ``more`` means Globus has more than one page holds."""
        self.records = {record.id: record for record in records}
        self.select.options = [(endpoint_label(r), r.id) for r in records]
        count = f"{len(records)} endpoint(s)" if records else "No endpoints found"
        self.summary.value = count + (
            ", more on Globus: refine the search" if more else ""
        )

    @property
    def selected(self) -> EndpointRecord | None:
        return self.records.get(self.select.value) if self.select.value else None

    def _show_details(self, change: dict[str, t.Any]) -> None:
        record = self.records.get(change["new"]) if change["new"] else None
        if record is None:
            self.details.value = ""
            return
        rows = {
            "ID": record.id,
            "Owner": record.owner_string or "",
            "Type": record.entity_type or "",
            "Scopes": ", ".join(record.scopes),
            "Default directory": record.default_directory or "",
            "Description": record.description or "",
        }
        cells = "".join(
            f"<tr><th>{name}</th><td>{html.escape(str(value))}</td></tr>"
            for name, value in rows.items()
            if value
        )
        self.details.value = f"<table>{cells}</table>"


class EndpointTabs(widgets.VBox):  # type: ignore[misc]
    """Tabs of endpoint tables by scope; each tab loads when first opened."""

    def __init__(self, session: GlobusSession, status: StatusArea) -> None:
        self.session = session
        self.status_area = status
        self.tables = {scope: EndpointSelect() for scope, _ in SCOPE_TABS}
        self.loaded: set[str] = set()

        self.search_box = widgets.Text(
            description="Search:", placeholder="name, owner or description"
        )
        self.search_button = button("Search", icon="search")
        self.search_button.on_click(status.guard(lambda _: self.search()))
        search_tab = widgets.VBox(
            [widgets.HBox([self.search_box, self.search_button]), self.tables["all"]]
        )

        children = [self.tables[scope] for scope, _ in SCOPE_TABS[:-1]]
        self.tabs = widgets.Tab(children=[*children, search_tab])
        for index, (_, title) in enumerate(SCOPE_TABS):
            self.tabs.set_title(index, title)
        self.tabs.observe(status.guard(self._on_tab), names="selected_index")

        self.source_button = button("Browse as source", icon="upload")
        self.destination_button = button("Browse as destination", icon="download")
        buttons = widgets.HBox([self.source_button, self.destination_button])
        super().__init__([self.tabs, buttons])

    @property
    def current_scope(self) -> str:
        return SCOPE_TABS[self.tabs.selected_index or 0][0]

    @property
    def selected(self) -> EndpointRecord | None:
        """The endpoint selected in the open tab."""
        return self.tables[self.current_scope].selected

    def load(self, scope: str) -> None:
        """Fetch the endpoints of ``scope`` (one page) into its table."""
        page = self.session.search_endpoints(scope=scope)
        self.tables[scope].show(page.records, more=page.has_next_page)
        self.loaded.add(scope)

    def load_current(self) -> None:
        """Load the open tab unless it is the search tab or already loaded."""
        scope = self.current_scope
        if scope != "all" and scope not in self.loaded:
            self.load(scope)

    def reload(self) -> None:
        """Forget what was loaded and load the open tab again."""
        self.loaded.clear()
        self.load_current()

    def search(self) -> None:
        """Search all endpoints for the text in the search box."""
        text = self.search_box.value.strip()
        if not text:
            self.status_area.show("Type part of an endpoint's name to search for.")
            return
        page = self.session.search_endpoints(scope="all", search=text)
        self.tables["all"].show(page.records, more=page.has_next_page)

    def _on_tab(self, change: dict[str, t.Any]) -> None:
        self.load_current()
