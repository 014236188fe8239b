"""Login advice in the notebook tools: %globus login or the panel's Log in button."""

from __future__ import annotations

import pytest
import requests
from IPython.core.interactiveshell import InteractiveShell

from tests.utils import sandbox_authorize
from tunel_jupyter.globus import GlobusSession
from tunel_jupyter.kernel.display import LoginState
from tunel_jupyter.kernel.failures import for_notebook
from tunel_jupyter.kernel.panel import GlobusPanel
from tunel_jupyter.sandbox import Sandbox

TERMINAL_LOGIN = "tunel-globus login"


@pytest.fixture
def revoked(
    shell: InteractiveShell, sandbox: Sandbox, globus_env: dict[str, str]
) -> None:
    """Log the shell in, then revoke and expire its tokens at the sandbox."""
    prompt = shell.run_line_magic("globus", "login")
    code, _ = sandbox_authorize(prompt.authorize_url)
    assert shell.run_line_magic("globus", f"login {code}").logged_in
    for route in ("revoke", "expire-tokens"):
        answer = requests.post(f"{sandbox.url}/_sandbox/{route}", json={}, timeout=10)
        assert answer.status_code == 200, answer.text


def test_rewrite_keeps_other_text() -> None:
    core = "Not logged in to Globus: log in with `tunel-globus login`."

    assert for_notebook(core) == "Not logged in to Globus: log in with %globus login."
    assert for_notebook(core, "the Log in button").endswith("with the Log in button.")
    assert for_notebook("Path `a`b` not found.") == "Path `a`b` not found."


def test_whoami_logged_out_names_the_magic(
    shell: InteractiveShell, globus_env: dict[str, str]
) -> None:
    state = shell.run_line_magic("globus", "whoami")

    assert isinstance(state, LoginState)
    assert not state.logged_in
    assert state.status.reason is not None
    assert TERMINAL_LOGIN in state.status.reason
    assert TERMINAL_LOGIN not in repr(state)
    assert "`" not in repr(state)
    assert "log in with %globus login" in repr(state)


def test_magic_failure_names_the_magic(
    shell: InteractiveShell, revoked: None, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert shell.run_line_magic("globus", "endpoints") is None

    printed = capsys.readouterr().err
    assert printed.startswith("Error 401 LoginRequired:")
    assert "log in again with %globus login" in printed
    assert TERMINAL_LOGIN not in printed
    assert "`" not in printed


def test_panel_names_the_log_in_button(
    revoked: None, globus_env: dict[str, str]
) -> None:
    panel = GlobusPanel(session=GlobusSession())
    try:
        panel.login_area.check_button.click()
        state_html = panel.login_area.state.value
    finally:
        panel.close()

    assert not panel.login_area.logged_in
    assert "Not logged in to Globus" in state_html
    assert "log in again with the Log in button" in state_html
    assert TERMINAL_LOGIN not in state_html
    assert "`" not in state_html
