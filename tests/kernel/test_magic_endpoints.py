"""%globus endpoints against the sandbox: which scopes a search covers."""

from __future__ import annotations

import pytest
from IPython.core.interactiveshell import InteractiveShell

from tests.utils import sandbox_authorize
from tunel_jupyter.kernel import api
from tunel_jupyter.kernel.display import EndpointTable


@pytest.fixture
def logged_in(shell: InteractiveShell, globus_env: dict[str, str]) -> InteractiveShell:
    prompt = shell.run_line_magic("globus", "login")
    code, _ = sandbox_authorize(prompt.authorize_url)
    assert shell.run_line_magic("globus", f"login {code}").logged_in
    return shell


def ids(table: EndpointTable) -> set[str]:
    return {record.id for record in table}


def test_search_without_scope_searches_all(logged_in: InteractiveShell) -> None:
    everywhere = ids(api.endpoints("all", search="Example"))
    default_only = ids(api.endpoints(api.DEFAULT_SCOPES, search="Example"))
    assert everywhere - default_only, "the seed needs an endpoint outside the defaults"

    found = logged_in.run_line_magic("globus", "endpoints --search Example")

    assert isinstance(found, EndpointTable)
    assert ids(found) == everywhere
    assert all(list(record.scopes) == ["all"] for record in found)


def test_search_with_scope_keeps_the_scope(logged_in: InteractiveShell) -> None:
    found = logged_in.run_line_magic(
        "globus", "endpoints --scope my-endpoints --search Example"
    )

    assert ids(found) == ids(api.endpoints("my-endpoints", search="Example"))
    assert all(list(record.scopes) == ["my-endpoints"] for record in found)


def test_blank_search_lists_the_default_scopes(logged_in: InteractiveShell) -> None:
    found = logged_in.run_line_magic("globus", "endpoints --search '  '")

    scopes = {scope for record in found for scope in record.scopes}
    assert scopes == set(api.DEFAULT_SCOPES)
