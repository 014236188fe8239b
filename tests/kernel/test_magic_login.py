"""%globus login and the login prompt against the sandbox: retrying a code."""

from __future__ import annotations

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

from tests.utils import sandbox_authorize
from tunel_jupyter.kernel.display import LoginState
from tunel_jupyter.kernel.login import LoginPrompt


def start_login(shell: InteractiveShell) -> tuple[LoginPrompt, str]:
    """Run %globus login and approve it at the sandbox; return the prompt and code."""
    prompt = shell.run_line_magic("globus", "login")
    assert isinstance(prompt, LoginPrompt)
    code, _ = sandbox_authorize(prompt.authorize_url)
    return prompt, code


def test_magic_retries_after_wrong_code(
    shell: InteractiveShell, globus_env: dict[str, str]
) -> None:
    _, code = start_login(shell)

    with pytest.raises(UsageError, match="rejected the authorization code"):
        shell.run_line_magic("globus", "login WRONGCODE")
    state = shell.run_line_magic("globus", f"login {code}")

    assert isinstance(state, LoginState)
    assert state.logged_in
    assert state.identity is not None
    assert state.identity.username == "ada@example.org"


def test_code_box_retries_after_wrong_code(
    shell: InteractiveShell, globus_env: dict[str, str]
) -> None:
    prompt, code = start_login(shell)
    widget = prompt.widget
    assert widget is not None

    prompt.code_box.value = "WRONGCODE"
    assert prompt.status.level == "error"
    assert not prompt.login_button.disabled
    prompt.code_box.value = code

    assert prompt.status.level == "success"
    assert prompt.state is not None
    assert prompt.state.logged_in
