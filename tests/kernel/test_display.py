"""Rich values of the notebook API: HTML in a notebook, text in a terminal."""

from __future__ import annotations

import typing as t

import pytest
from IPython.core.interactiveshell import InteractiveShell

from tunel_jupyter.errors import GlobusFailure, LoginRequired, TaskWaitTimeout
from tunel_jupyter.globus.environment import Environment
from tunel_jupyter.globus.records import (
    EndpointRecord,
    FileEntry,
    Identity,
    Listing,
    LoginStatus,
    TaskRecord,
)
from tunel_jupyter.kernel.display import (
    MAX_TABLE_ROWS,
    DirectoryListing,
    EndpointTable,
    LoginState,
    format_bytes,
)
from tunel_jupyter.kernel.failures import describe_error
from tunel_jupyter.kernel.task import Task, TaskTable

SANDBOX = Environment.from_urls(
    "http://127.0.0.1:9/auth/", "http://127.0.0.1:9/transfer/"
)
GLOBUS = Environment.from_urls(
    "https://auth.globus.org/", "https://transfer.api.globus.org/v0.10/"
)


def make_endpoint(number: int, **fields: t.Any) -> EndpointRecord:
    defaults: dict[str, t.Any] = {
        "id": f"00000000-0000-0000-0000-{number:012d}",
        "display_name": f"endpoint {number}",
        "owner_string": "ada@example.org",
        "scopes": ("my-endpoints",),
    }
    return EndpointRecord(**{**defaults, **fields})


def formats(shell: InteractiveShell, value: object) -> dict[str, t.Any]:
    data, _ = shell.display_formatter.format(value)
    return data


def test_endpoint_table_has_scope_column(shell: InteractiveShell) -> None:
    table = EndpointTable(
        [
            make_endpoint(1, scopes=("my-endpoints", "shared-with-me")),
            make_endpoint(2, display_name="<b>lab</b>", non_functional=True),
        ],
        environment=GLOBUS,
    )

    data = formats(shell, table)

    html = data["text/html"]
    assert "<th>Scopes</th>" in html
    assert "my-endpoints, shared-with-me" in html
    assert "&lt;b&gt;lab&lt;/b&gt;" in html
    assert "<b>lab</b>" not in html
    assert "non-functional" in html
    text = data["text/plain"]
    assert text.splitlines()[0].split() == [
        "#",
        "Display",
        "name",
        "ID",
        "Owner",
        "Scopes",
        "Notes",
    ]
    assert "00000000-0000-0000-0000-000000000001" in text
    assert "Sandbox" not in text


def test_endpoint_table_is_a_list_of_records() -> None:
    records = [make_endpoint(number) for number in range(5)]
    table = EndpointTable(records, environment=SANDBOX)

    assert isinstance(table, list)
    assert table[0] is records[0]
    assert list(table) == records
    assert isinstance(table[1:3], EndpointTable)
    assert table[1:3].environment is SANDBOX
    assert [record.id for record in table[1:3]] == [records[1].id, records[2].id]


def test_sandbox_is_named_in_every_table() -> None:
    table = EndpointTable([make_endpoint(1)], environment=SANDBOX)

    expected = "Sandbox: tunel-jupyter sandbox at http://127.0.0.1:9/auth/"
    assert repr(table).startswith(expected)
    assert expected in table._repr_html_()


def test_long_endpoint_table_shows_one_page() -> None:
    table = EndpointTable([make_endpoint(n) for n in range(MAX_TABLE_ROWS + 50)])

    html = table._repr_html_()

    assert html.count("<tr>") == MAX_TABLE_ROWS + 1
    assert f"Showing {MAX_TABLE_ROWS} of {MAX_TABLE_ROWS + 50} endpoints" in html
    assert len(repr(table).splitlines()) == MAX_TABLE_ROWS + 2


def make_listing(**fields: t.Any) -> Listing:
    defaults: dict[str, t.Any] = {
        "endpoint_id": "ep-1",
        "path": "/data/",
        "entries": (
            FileEntry("run 1", "dir"),
            FileEntry("a.h5", "file", size=3 * 1024 * 1024, permissions="0644"),
        ),
        "total": 2,
        "has_next_page": False,
        "next_offset": None,
    }
    return Listing(**{**defaults, **fields})


def test_directory_listing_display() -> None:
    listing = DirectoryListing(make_listing(), environment=GLOBUS)

    text = repr(listing)
    assert text.splitlines()[0] == "ep-1:/data/"
    assert "run 1/" in text
    assert "3.0 MiB" in text
    assert text.endswith("2 entries.")
    assert "<td>run 1/</td>" in listing._repr_html_()
    assert len(listing) == 2
    assert [entry.name for entry in listing] == ["run 1", "a.h5"]


def test_directory_listing_pages() -> None:
    pages: list[int] = []

    def fetch(offset: int) -> DirectoryListing:
        pages.append(offset)
        return DirectoryListing(make_listing(), fetch_page=fetch)

    first = DirectoryListing(
        make_listing(total=20_000, has_next_page=True, next_offset=2),
        fetch_page=fetch,
    )

    assert "Showing 2 of 20000 entries" in repr(first)
    assert "--offset 2" in first._repr_html_()
    second = first.next_page()
    assert pages == [2]
    with pytest.raises(ValueError, match="no entries after this page"):
        second.next_page()


def make_task(**fields: t.Any) -> TaskRecord:
    defaults: dict[str, t.Any] = {
        "task_id": "task-1",
        "type": "TRANSFER",
        "status": "ACTIVE",
        "label": "run 1",
        "files": 4,
        "files_transferred": 2,
        "bytes_transferred": 2048,
    }
    return TaskRecord(**{**defaults, **fields})


def test_task_display_shows_progress() -> None:
    # The session is only used by refresh() and wait(), which this test avoids.
    task = Task(t.cast(t.Any, None), make_task())

    assert task.status == "ACTIVE"
    assert task.progress == 0.5
    assert '<progress max="100" value="50"></progress>' in task._repr_html_()
    text = repr(task)
    assert "TRANSFER task task-1 'run 1': ACTIVE" in text
    assert "2/4 files" in text
    assert "[##########..........] 50%" in text


def test_failed_task_shows_fatal_error() -> None:
    record = make_task(
        status="FAILED",
        fatal_error={"code": "PERMISSION_DENIED", "description": "no write access"},
    )

    text = repr(Task(t.cast(t.Any, None), record))

    assert "FAILED: no write access" in text


def test_task_table() -> None:
    table = TaskTable(
        [
            Task(t.cast(t.Any, None), make_task()),
            Task(t.cast(t.Any, None), make_task(task_id="task-2", status="SUCCEEDED")),
        ]
    )

    text = repr(table)
    assert "task-1" in text
    assert "task-2" in text
    assert "100%" in text
    assert "<th>Progress</th>" in table._repr_html_()
    assert repr(TaskTable()).endswith("No tasks.")


def test_login_state_display() -> None:
    identity = Identity(id="id-1", username="ada@example.org", name="Ada")
    logged_in = LoginState(LoginStatus(True, identity, None, SANDBOX))
    logged_out = LoginState(
        LoginStatus(False, None, None, GLOBUS, reason="The refresh token was revoked.")
    )

    assert repr(logged_in).splitlines() == [
        "Sandbox: tunel-jupyter sandbox at http://127.0.0.1:9/auth/, "
        "not the real Globus.",
        "Logged in to Globus as ada@example.org (Ada), identity id-1.",
    ]
    text = repr(logged_out)
    assert "Not logged in to Globus. The refresh token was revoked." in text
    assert "%globus login" in text
    assert "tunel-globus update-tokens" in text


def test_describe_errors() -> None:
    login = describe_error(LoginRequired("The refresh token no longer works."))
    failure = describe_error(
        GlobusFailure(
            "Transfer failed.",
            globus_status=503,
            globus_code="ServiceUnavailable",
            request_id="req-9",
        )
    )
    timeout = describe_error(TaskWaitTimeout("Still running.", task_id="task-3"))

    assert login[0] == "Error 401 LoginRequired: The refresh token no longer works."
    assert "%globus login" in login[1]
    assert failure[0] == "Error 502 GlobusError: Transfer failed."
    assert failure[1] == "Globus answered 503 ServiceUnavailable (request ID req-9)."
    assert "%globus wait task-3" in timeout[1]


@pytest.mark.parametrize(
    ("size", "expected"),
    [(0, "0 B"), (1023, "1023 B"), (1536, "1.5 KiB"), (5 * 1024**4, "5.0 TiB")],
)
def test_format_bytes(size: int, expected: str) -> None:
    assert format_bytes(size) == expected


def test_directory_listing_names_the_endpoint() -> None:
    listing = DirectoryListing(make_listing(), endpoint_name="lab storage")

    assert repr(listing).splitlines()[0] == "lab storage:/data/ (endpoint ep-1)"
