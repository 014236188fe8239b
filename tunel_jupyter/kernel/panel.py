"""The Globus panel: an ipywidgets view to log in, browse, transfer and follow tasks.

It talks to Globus through the core directly, so it works in any kernel, whether or
not the Jupyter server extension is installed.
"""

from __future__ import annotations

import html
import logging
import typing as t

import ipywidgets as widgets

from tunel_jupyter.errors import ConsentRequired, LoginRequired, TunelError
from tunel_jupyter.globus.paths import join

from .controls import PANEL_CLASS, PANEL_STYLE, button
from .display import sandbox_notice
from .failures import LOGIN_STEPS, PANEL_LOGIN, for_notebook
from .login import LoginPrompt
from .panel_browser import FileBrowser
from .panel_endpoints import EndpointTabs
from .panel_tasks import TaskList
from .status import StatusArea

if t.TYPE_CHECKING:
    from tunel_jupyter.globus import GlobusSession, LoginStatus

log = logging.getLogger(__name__)

#: Choices of the sync level menu: (label, value sent to Globus).
SYNC_CHOICES = (
    ("Copy everything", ""),
    ("Skip files that exist", "exists"),
    ("Skip files of the same size", "size"),
    ("Skip files not modified since", "mtime"),
    ("Skip files with the same checksum", "checksum"),
)


class LoginArea(widgets.VBox):  # type: ignore[misc]
    """Login state and, when the credentials do not work, the steps to renew them."""

    def __init__(
        self,
        session: GlobusSession,
        status: StatusArea,
        *,
        on_login: t.Callable[[], None],
    ) -> None:
        self.session = session
        self.status_area = status
        self.on_login = on_login
        self.login_status: LoginStatus | None = None
        self.prompt: LoginPrompt | None = None

        self.state = widgets.HTML()
        self.check_button = button("Check login", icon="check")
        self.logout_button = button("Log out", icon="sign-out")
        self.login_button = button("Log in", icon="sign-in", button_style="primary")
        self.steps = widgets.VBox()
        self.check_button.on_click(status.guard(lambda _: self.check()))
        self.logout_button.on_click(status.guard(lambda _: self.logout()))
        self.login_button.on_click(status.guard(lambda _: self._start_login()))
        buttons = widgets.HBox(
            [self.login_button, self.check_button, self.logout_button]
        )
        super().__init__([self.state, buttons, self.steps])

    @property
    def logged_in(self) -> bool:
        return self.login_status is not None and self.login_status.logged_in

    def check(self) -> None:
        """Prove the stored login still works and show the result."""
        try:
            self.login_status = self.session.check()
        except LoginRequired as error:
            self.show_logged_out(error.message)
            return
        if self.login_status.logged_in:
            self.show_logged_in()
        else:
            self.show_logged_out(self.login_status.reason)

    def show_logged_in(self) -> None:
        identity = self.login_status.identity if self.login_status else None
        who = (identity.username or identity.id) if identity else "unknown identity"
        self.state.value = f"Logged in to Globus as <b>{html.escape(who)}</b>."
        self.steps.children = ()
        self.prompt = None
        self.login_button.layout.display = "none"
        self.logout_button.layout.display = None

    def show_logged_out(self, reason: str | None = None) -> None:
        """Show that the credentials do not work, with the steps to renew them."""
        self.login_status = None
        reason_text = (
            f" {html.escape(for_notebook(reason, PANEL_LOGIN))}" if reason else ""
        )
        self.state.value = (
            f"<b>Not logged in to Globus.</b>{reason_text}<br>"
            "Press Log in, open the link, allow access and paste the code; or run "
            "<code>tunel-globus update-tokens</code> in a terminal, then press "
            "Check login."
        )
        self.login_button.layout.display = None
        self.logout_button.layout.display = "none"

    def start_login(
        self,
        *,
        required_scopes: t.Sequence[str] = (),
        session_requirements: t.Mapping[str, t.Any] | None = None,
    ) -> LoginPrompt:
        """Start a paste-flow login and show its link and code box."""
        request = self.session.start_login(
            required_scopes=required_scopes, session_requirements=session_requirements
        )
        self.prompt = LoginPrompt(
            request,
            session=self.session,
            on_login=lambda state: self._logged_in(),
        )
        self.steps.children = (self.prompt.widget,)
        return self.prompt

    def _start_login(self) -> None:
        self.start_login()

    def _logged_in(self) -> None:
        self.login_status = self.session.status()
        self.show_logged_in()
        self.status_area.show("Logged in.", "success")
        self.on_login()

    def logout(self) -> None:
        """Log out here and at Globus."""
        confirmed = self.session.logout()
        self.show_logged_out()
        if not confirmed:
            self.status_area.show(
                "Logged out here; Globus did not confirm revoking the tokens."
            )

    def handle_error(self, error: TunelError) -> None:
        """Offer a new login when an error means the credentials are not enough."""
        if isinstance(error, LoginRequired):
            self.show_logged_out(LOGIN_STEPS)
        elif isinstance(error, ConsentRequired):
            self.start_login(
                required_scopes=error.required_scopes,
                session_requirements=error.session_requirements or None,
            )


class GlobusPanel(widgets.VBox):  # type: ignore[misc]
    """Log in, pick endpoints, browse two folders, transfer and watch the tasks.

    ``session`` defaults to the kernel's session (``api.get_session()``).
    ``page_size`` is the number of folder entries each browser fetches per page;
    ``polling_interval`` the seconds between task updates. Close the widget
    (``panel.close()``) to stop its background polling.
    """

    def __init__(
        self,
        session: GlobusSession | None = None,
        *,
        page_size: int = 500,
        polling_interval: float = 2.0,
    ) -> None:
        if session is None:
            from . import api

            session = api.get_session()
        self.session = session

        notice = sandbox_notice(session.environment)
        self.banner = widgets.HTML(
            f"<b>{html.escape(notice)}</b>" if notice else "<b>Globus</b>"
        )
        self.status = StatusArea()
        self.login_area = LoginArea(session, self.status, on_login=self._after_login)
        self.status.on_tunel_error.append(self.login_area.handle_error)
        self.endpoint_tabs = EndpointTabs(session, self.status)
        self.source = FileBrowser(
            session, self.status, title="Source", page_size=page_size
        )
        self.destination = FileBrowser(
            session, self.status, title="Destination", page_size=page_size
        )
        self.tasks = TaskList(session, self.status, polling_interval=polling_interval)
        self.endpoint_tabs.source_button.on_click(
            self.status.guard(lambda _: self._browse(self.source))
        )
        self.endpoint_tabs.destination_button.on_click(
            self.status.guard(lambda _: self._browse(self.destination))
        )

        self.label_box = widgets.Text(description="Label:", placeholder="optional")
        self.sync_level = widgets.Dropdown(
            options=SYNC_CHOICES, value="", description="Sync:"
        )
        self.verify_checksum = widgets.Checkbox(
            value=True, description="Verify checksums"
        )
        self.transfer_button = button(
            "Transfer", icon="exchange", button_style="primary"
        )
        self.transfer_button.on_click(self.status.guard(lambda _: self.transfer()))
        options = widgets.HBox(
            [
                self.label_box,
                self.sync_level,
                self.verify_checksum,
                self.transfer_button,
            ]
        )

        super().__init__(
            [
                widgets.HTML(PANEL_STYLE),
                self.banner,
                self.login_area,
                self.endpoint_tabs,
                widgets.HBox([self.source, self.destination]),
                options,
                self.tasks,
                self.status,
            ]
        )
        self.add_class(PANEL_CLASS)
        self.status.guard(self._start)()

    def _start(self) -> None:
        self.login_area.check()
        if self.login_area.logged_in:
            self._after_login()

    def _after_login(self) -> None:
        self.endpoint_tabs.reload()
        self.tasks.refresh()

    def _browse(self, browser: FileBrowser) -> None:
        endpoint = self.endpoint_tabs.selected
        if endpoint is None:
            self.status.show("Select an endpoint in the table first.")
            return
        browser.set_endpoint(endpoint)

    def transfer(self) -> None:
        """Transfer the entries selected in the source into the destination folder."""
        from tunel_jupyter.globus import TransferItem, TransferRequest

        source, destination = self.source, self.destination
        if source.endpoint is None or destination.endpoint is None:
            self.status.show(
                "Choose a source and a destination endpoint first: select one in "
                "the table, then press Browse as source or Browse as destination."
            )
            return
        if destination.listing is None or not destination.path:
            self.status.show("Open a destination folder first: its path is empty.")
            return
        entries = source.selected_entries
        if not entries:
            self.status.show("Select the files or folders to transfer in the source.")
            return

        items = tuple(
            TransferItem(
                join(source.path, entry.name),
                join(destination.path, entry.name),
                recursive=entry.type == "dir",
            )
            for entry in entries
        )
        request = TransferRequest(
            source.endpoint.id,
            destination.endpoint.id,
            items,
            label=self.label_box.value.strip() or None,
            sync_level=self.sync_level.value or None,
            verify_checksum=self.verify_checksum.value,
        )
        record = self.session.submit_transfer(request)
        self.tasks.add(record)
        self.endpoint_tabs.loaded.discard("recently-used")
        if self.endpoint_tabs.current_scope == "recently-used":
            self.endpoint_tabs.load("recently-used")
        self.status.show(
            f"Transfer submitted: task {record.task_id} ({len(items)} item(s)).",
            "success",
        )

    def close(self) -> None:
        """Stop polling tasks and close the widget."""
        self.tasks.stop()
        super().close()
