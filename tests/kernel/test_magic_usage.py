"""%globus argument handling in a real IPython shell: help and usage errors."""

from __future__ import annotations

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from traitlets.config import Config

from tunel_jupyter.kernel.magics import GlobusMagics


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("transfer only-one:/path", "the following arguments are required"),
        ("transfer a:/x b:/y --sync-level sometimes", "invalid choice: 'sometimes'"),
        ("ls ep:/x --limit -3", "expected a whole number >= 0, got '-3'"),
        ("ls ep:/x --limit many", "expected a whole number >= 0, got 'many'"),
        ("endpoints --scope everything", "invalid choice: 'everything'"),
        ("teleport somewhere", "invalid choice: 'teleport'"),
        ('ls "ep:/unclosed', "No closing quotation"),
        ("wait", "the following arguments are required: ID"),
    ],
)
def test_bad_arguments_raise_usage_error(
    shell: InteractiveShell, line: str, expected: str
) -> None:
    with pytest.raises(UsageError) as info:
        shell.run_line_magic("globus", line)

    message = str(info.value)
    assert expected in message
    assert "\n" not in message
    assert message.startswith("%globus")


def test_path_errors_from_core_become_usage_errors(shell: InteractiveShell) -> None:
    # No session is needed: ENDPOINT:PATH is checked before anything is sent.
    with pytest.raises(UsageError) as info:
        shell.run_line_magic("globus", "transfer lab:/data/run1 hpc")

    assert "destination 'hpc' has no path" in str(info.value)
    assert "\n" not in str(info.value)


def test_usage_error_prints_one_line_in_a_cell(
    shell: InteractiveShell, capsys: pytest.CaptureFixture[str]
) -> None:
    result = shell.run_cell("%globus transfer")

    assert isinstance(result.error_in_exec, UsageError)
    err = capsys.readouterr().err.strip()
    assert err.startswith("UsageError: %globus transfer:")
    assert len(err.splitlines()) == 1
    assert "Traceback" not in err


def test_help_prints_and_returns_none(
    shell: InteractiveShell, capsys: pytest.CaptureFixture[str]
) -> None:
    value = shell.run_line_magic("globus", "transfer --help")

    assert value is None
    out = capsys.readouterr().out
    assert "usage: %globus transfer" in out
    assert "--sync-level" in out


def test_no_command_prints_the_command_list(
    shell: InteractiveShell, capsys: pytest.CaptureFixture[str]
) -> None:
    assert shell.run_line_magic("globus", "") is None

    out = capsys.readouterr().out
    for command in ("login", "endpoints", "transfer", "wait", "panel"):
        assert command in out


def test_magic_docstring_is_help_with_examples(shell: InteractiveShell) -> None:
    magic = shell.find_line_magic("globus")
    doc = magic.__doc__ or ""

    assert doc.startswith("Use Globus from a notebook")
    assert "Examples::" in doc
    assert "%globus login CODE" in doc
    assert "task = %globus transfer" in doc


def test_traits_read_ipython_config() -> None:
    config = Config()
    config.GlobusMagics.ls_page_size = 50
    config.GlobusMagics.wait_timeout = 30.0

    magics = GlobusMagics(shell=InteractiveShell.instance(), config=config)

    assert magics.ls_page_size == 50
    assert magics.wait_timeout == 30.0
    assert magics.polling_interval == 2.0
    assert GlobusMagics.class_traits(config=True).keys() >= {
        "client_id",
        "ls_page_size",
        "polling_interval",
        "wait_timeout",
    }


def test_finish_without_started_login_is_usage_error(shell: InteractiveShell) -> None:
    from tunel_jupyter.kernel import api

    with api._lock:
        api._pending_login = None

    with pytest.raises(UsageError) as info:
        shell.run_line_magic("globus", "login some-code")

    assert "No login is waiting for a code in this kernel" in str(info.value)


def test_login_code_may_start_with_a_dash(shell: InteractiveShell) -> None:
    from tunel_jupyter.kernel import api

    with api._lock:
        api._pending_login = None

    # The code reaches the login step instead of being read as an option.
    with pytest.raises(UsageError) as info:
        shell.run_line_magic("globus", "login -Xy7abc")

    assert "No login is waiting for a code" in str(info.value)


def test_config_client_id_reaches_the_session(
    shell: InteractiveShell, globus_env: dict[str, str]
) -> None:
    from tunel_jupyter.kernel import api

    client_id = "6a1f3c2e-0000-4000-8000-000000000042"
    shell.run_line_magic("config", f"GlobusMagics.client_id = {client_id!r}")
    try:
        assert api.get_session().resolve_client_id() == client_id
    finally:
        shell.run_line_magic("config", "GlobusMagics.client_id = None")
    assert api.get_session().resolve_client_id() == globus_env["TUNEL_GLOBUS_CLIENT_ID"]


@pytest.mark.parametrize(
    "line", ["login -- secret-code extra-secret", 'login "secret-code']
)
def test_login_errors_never_show_the_code(shell: InteractiveShell, line: str) -> None:
    with pytest.raises(UsageError) as info:
        shell.run_line_magic("globus", line)

    assert "secret" not in str(info.value)
    assert str(info.value).startswith("%globus")
