"""The paste-flow login prompt: a link to open and a box for the code it shows."""

from __future__ import annotations

import html
import logging
import typing as t

import ipywidgets as widgets

from .controls import button
from .display import LoginState, sandbox_notice
from .status import StatusArea

if t.TYPE_CHECKING:
    from tunel_jupyter.globus import GlobusSession, LoginRequest

log = logging.getLogger(__name__)

LINK_TEXT = "Open the Globus login page"


class LoginPrompt:
    """A started login: shows the authorize link and, in a notebook, a code box.

    Pasting the code into the box (or calling ``finish(code)``) completes this
    login. Without a widget front end the prompt prints the link and asks the
    user to run ``%globus login CODE``. ``authorize_url`` is the link; ``state``
    is the ``LoginState`` once the login has finished, else None.
    """

    def __init__(
        self,
        request: LoginRequest,
        *,
        session: GlobusSession,
        on_login: t.Callable[[LoginState], None] | None = None,
    ) -> None:
        self.request = request
        self.session = session
        self.environment = session.environment
        self.on_login = on_login
        self.state: LoginState | None = None
        self._widget: widgets.VBox | None = None

    @property
    def authorize_url(self) -> str:
        return self.request.authorize_url

    def finish(self, code: str) -> LoginState:
        """Finish this login with the code Globus showed after Allow."""
        from . import api

        self.state = api.finish_login(code, request=self.request, session=self.session)
        if self.on_login is not None:
            self.on_login(self.state)
        return self.state

    @property
    def widget(self) -> widgets.VBox:
        """The widget: instructions, the link, a code box and a Log in button."""
        if self._widget is None:
            self._widget = self._build_widget()
        return self._widget

    def _build_widget(self) -> widgets.VBox:
        link = widgets.HTML(self._instructions_html())
        self.code_box = widgets.Text(
            placeholder="Paste the code here",
            description="Code:",
            continuous_update=False,
        )
        self.login_button = button("Log in", button_style="primary", icon="sign-in")
        self.status = StatusArea()

        @self.status.guard
        def submit(_: t.Any = None) -> None:
            if self.login_button.disabled:
                # Clicking Log in first blurs the box, which syncs its value and
                # finishes the login. The click that follows must not replace the
                # success message with a hint about an empty box.
                return
            code = self.code_box.value.strip()
            if not code:
                # After a failed code the same blur-then-click sequence arrives
                # here; the error must stay visible.
                if self.status.level != "error":
                    self.status.show("Paste the code Globus showed, then press Log in.")
                return

            # The box's value is synced to the front end and may be saved with the
            # notebook, so the code must not stay in it, used or not.
            self.code_box.value = ""
            state = self.finish(code)
            self.code_box.disabled = self.login_button.disabled = True
            # The last line names the identity; the sandbox notice is already shown.
            self.status.show(repr(state).splitlines()[-1], "success")

        def on_value(change: dict[str, t.Any]) -> None:
            if change["new"].strip():
                submit()

        self.login_button.on_click(submit)
        self.code_box.observe(on_value, names="value")
        row = widgets.HBox([self.code_box, self.login_button])
        return widgets.VBox([link, row, self.status])

    def _notice_lines(self) -> list[str]:
        notice = sandbox_notice(self.environment)
        return [notice] if notice else []

    def _instructions_html(self) -> str:
        url = html.escape(self.authorize_url, quote=True)
        notes = "".join(f"<p><b>{html.escape(n)}</b></p>" for n in self._notice_lines())
        # The authorize URL runs to hundreds of characters: a short link text, with
        # the full URL folded away for a browser on another machine.
        return (
            f'{notes}<p><a href="{url}" target="_blank" rel="noopener">{LINK_TEXT}</a>'
            ", log in and allow access.</p>"
            "<details><summary>Copy the link instead</summary>"
            f'<code style="word-break: break-all">{url}</code></details>'
            "<p>Then paste the code Globus shows below.</p>"
        )

    def __repr__(self) -> str:
        lines = [
            *self._notice_lines(),
            f"Please go to this URL and login: {self.authorize_url}",
            "Then run %globus login CODE with the code Globus shows.",
        ]
        return "\n".join(lines)

    def _repr_pretty_(self, printer: t.Any, cycle: bool) -> None:
        printer.text(repr(self))

    def _repr_mimebundle_(
        self, include: t.Any = None, exclude: t.Any = None
    ) -> dict[str, t.Any]:
        # The widget view when the front end draws widgets; otherwise the link as
        # HTML or text, with the magic that finishes the login.
        bundle = dict(self.widget._repr_mimebundle_() or {})
        fallback = self._instructions_html().replace(
            "paste the code Globus shows below",
            "run <code>%globus login CODE</code> with the code Globus shows",
        )
        bundle["text/html"] = fallback
        bundle["text/plain"] = repr(self)
        return bundle
