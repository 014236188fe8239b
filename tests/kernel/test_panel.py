"""The Globus panel against the sandbox: set widget values and click its buttons."""

from __future__ import annotations

import time
import typing as t

import pytest
import requests

from tests.utils import sandbox_authorize
from tunel_jupyter.globus import GlobusSession
from tunel_jupyter.kernel.panel import GlobusPanel
from tunel_jupyter.kernel.status import StatusArea
from tunel_jupyter.sandbox import Sandbox


def wait_until(condition: t.Callable[[], bool], *, timeout: float = 30) -> bool:
    """Poll ``condition`` every 0.1 s until it is true or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


@pytest.fixture
def session(globus_env: dict[str, str]) -> t.Iterator[GlobusSession]:
    """A session logged in to the sandbox as its default identity."""
    globus = GlobusSession()
    request = globus.start_login()
    code, state = sandbox_authorize(request.authorize_url)
    globus.finish_login(code, state=state)
    try:
        yield globus
    finally:
        globus.close()


@pytest.fixture
def panel(session: GlobusSession) -> t.Iterator[GlobusPanel]:
    widget = GlobusPanel(session, polling_interval=0.2, page_size=500)
    try:
        yield widget
    finally:
        widget.close()


def choose(
    panel: GlobusPanel,
    endpoint_id: str,
    *,
    as_source: bool = False,
    as_destination: bool = False,
) -> None:
    """Select an endpoint in the my-endpoints tab and browse it on one side."""
    panel.endpoint_tabs.tabs.selected_index = 0
    table = panel.endpoint_tabs.tables["my-endpoints"]
    table.select.value = endpoint_id
    tabs = panel.endpoint_tabs
    assert as_source != as_destination
    button = tabs.source_button if as_source else tabs.destination_button
    button.click()


def test_panel_shows_login_and_sandbox(panel: GlobusPanel, sandbox: Sandbox) -> None:
    assert panel.login_area.logged_in
    assert "ada@example.org" in panel.login_area.state.value
    assert f"tunel-jupyter sandbox at {sandbox.auth_url}" in panel.banner.value
    assert "not the real Globus" in panel.banner.value
    table = panel.endpoint_tabs.tables["my-endpoints"]
    assert sandbox.local_collection_id in [value for _, value in table.select.options]
    assert panel.status.level != "error", panel.status.message


def test_panel_transfer_reaches_succeeded(panel: GlobusPanel, sandbox: Sandbox) -> None:
    assert sandbox.root is not None
    source = sandbox.root / "experiment"
    (source / "raw").mkdir(parents=True)
    (source / "raw" / "a.bin").write_bytes(b"\x01" * 7000)
    (source / "notes.txt").write_text("calibrated\n")
    (source / "skip.txt").write_text("not selected\n")
    (sandbox.root / "inbox").mkdir()
    collection = sandbox.local_collection_id
    assert collection is not None

    choose(panel, collection, as_source=True)
    panel.source.path_box.value = "/experiment/"
    panel.source.entries.value = ("raw", "notes.txt")
    choose(panel, collection, as_destination=True)
    panel.destination.path_box.value = "/inbox/"
    assert panel.destination.page_label.value == "Empty folder"
    panel.label_box.value = "panel copy"
    panel.sync_level.value = "checksum"
    panel.transfer_button.click()

    assert panel.status.level == "success", panel.status.message
    assert len(panel.tasks.rows) >= 1
    row = next(iter(panel.tasks.rows.values()))
    assert row.record.label == "panel copy"
    assert wait_until(lambda: row.record.status == "SUCCEEDED"), row.record
    assert row.progress.value == 1.0
    assert row.progress.bar_style == "success"
    assert "SUCCEEDED" in row.status.value
    assert row.cancel_button.disabled
    assert wait_until(lambda: not panel.tasks.is_polling, timeout=5)

    tabs = panel.endpoint_tabs
    tabs.tabs.selected_index = 2
    recent = [value for _, value in tabs.tables["recently-used"].select.options]
    assert collection in recent
    assert (sandbox.root / "inbox" / "raw" / "a.bin").read_bytes() == b"\x01" * 7000
    assert (sandbox.root / "inbox" / "notes.txt").read_text() == "calibrated\n"
    assert not (sandbox.root / "inbox" / "skip.txt").exists()


def test_progress_updates_until_panel_closes(
    panel: GlobusPanel,
    sandbox: Sandbox,
    slow_transfers: t.Callable[[int], None],
) -> None:
    assert sandbox.root is not None
    source = sandbox.root / "slow"
    source.mkdir()
    for number in range(4):
        (source / f"part-{number}.bin").write_bytes(b"\x05" * 20_000)
    (sandbox.root / "target").mkdir()
    collection = sandbox.local_collection_id
    assert collection is not None
    slow_transfers(40_000)

    choose(panel, collection, as_source=True)
    panel.source.path_box.value = "/slow/"
    panel.source.entries.value = tuple(f"part-{n}.bin" for n in range(4))
    choose(panel, collection, as_destination=True)
    panel.destination.path_box.value = "/target/"
    panel.transfer_button.click()
    row = next(iter(panel.tasks.rows.values()))

    # The thread moves the bar while the task runs; this thread stays free.
    assert panel.tasks.is_polling
    assert wait_until(lambda: 0.0 < row.progress.value < 1.0, timeout=20), row.record
    assert row.record.status == "ACTIVE"
    panel.close()
    assert not panel.tasks.is_polling
    value = row.progress.value
    time.sleep(0.6)
    assert row.progress.value == value


def test_search_tab_finds_endpoints(panel: GlobusPanel) -> None:
    tabs = panel.endpoint_tabs
    tabs.tabs.selected_index = 3

    tabs.search_button.click()
    assert "Type part of an endpoint's name" in panel.status.message
    tabs.search_box.value = "sregistry"
    tabs.search_button.click()

    table = tabs.tables["all"]
    names = [label for label, _ in table.select.options]
    assert names
    assert all("sregistry" in name for name in names)
    table.select.value = table.select.options[0][1]
    assert tabs.selected is not None
    assert tabs.selected.id == table.select.options[0][1]
    assert "Scopes" in table.details.value


@pytest.mark.slow
def test_browser_pages_a_large_folder(panel: GlobusPanel, sandbox: Sandbox) -> None:
    assert sandbox.root is not None
    many = sandbox.root / "many"
    many.mkdir()
    for number in range(20_000):
        (many / f"file-{number:05d}.dat").touch()
    collection = sandbox.local_collection_id
    assert collection is not None

    choose(panel, collection, as_source=True)
    browser = panel.source
    started = time.monotonic()
    browser.path_box.value = "/many/"
    elapsed = time.monotonic() - started

    assert len(browser.entries.options) == 500
    assert browser.page_label.value == "Entries 1-500 of 20000"
    assert browser.previous_button.disabled
    assert elapsed < 10
    browser.next_button.click()
    assert browser.page_label.value == "Entries 501-1000 of 20000"
    assert browser.entries.options[0][1] == "file-00500.dat"
    browser.previous_button.click()
    assert browser.page_label.value == "Entries 1-500 of 20000"
    browser.up_button.click()
    assert browser.path in ("/", "/~/")
    assert "many" in [value for _, value in browser.entries.options]


def test_open_and_errors_show_in_status(panel: GlobusPanel, sandbox: Sandbox) -> None:
    assert sandbox.root is not None
    (sandbox.root / "outer" / "inner").mkdir(parents=True)
    collection = sandbox.local_collection_id
    assert collection is not None

    panel.transfer_button.click()
    assert "Choose a source and a destination endpoint" in panel.status.message

    choose(panel, collection, as_source=True)
    panel.source.path_box.value = "/outer/"
    panel.source.entries.value = ("inner",)
    panel.source.open_button.click()
    assert panel.source.path.rstrip("/") == "/outer/inner"

    panel.source.path_box.value = "/no/such/folder/"
    assert panel.status.level == "error"
    assert "NotFound" in panel.status.message
    assert "/no/such/folder" in panel.status.message
    assert panel.source.path.rstrip("/") == "/outer/inner"

    panel.source.entries.value = ()
    choose(panel, collection, as_destination=True)
    panel.transfer_button.click()
    assert "Select the files or folders to transfer" in panel.status.message


def test_revoked_login_offers_a_new_login(panel: GlobusPanel, sandbox: Sandbox) -> None:
    answer = requests.post(f"{sandbox.url}/_sandbox/revoke", json={}, timeout=10)
    assert answer.status_code == 200, answer.text

    panel.login_area.check_button.click()
    assert not panel.login_area.logged_in
    assert "Not logged in to Globus" in panel.login_area.state.value
    assert "tunel-globus update-tokens" in panel.login_area.state.value

    panel.login_area.login_button.click()
    prompt = panel.login_area.prompt
    assert prompt is not None
    assert prompt.authorize_url.startswith(sandbox.auth_url)
    code, _ = sandbox_authorize(prompt.authorize_url)
    prompt.code_box.value = code

    assert panel.login_area.logged_in, panel.status.message
    assert prompt.code_box.value == ""
    assert panel.status.message == "Logged in."


def test_status_area_shows_unexpected_traceback() -> None:
    status = StatusArea()

    @status.guard
    def broken() -> None:
        raise RuntimeError("boom")

    broken()

    assert status.level == "error"
    assert status.message == "Unexpected error: RuntimeError: boom"
    assert isinstance(status.last_error, RuntimeError)
    texts = [output.get("text", "") for output in status.output.outputs]
    assert any("RuntimeError: boom" in text for text in texts)


def test_cancel_button_stops_the_task(
    panel: GlobusPanel,
    sandbox: Sandbox,
    slow_transfers: t.Callable[[int], None],
) -> None:
    assert sandbox.root is not None
    (sandbox.root / "large.bin").write_bytes(b"\x09" * 400_000)
    (sandbox.root / "drop").mkdir()
    collection = sandbox.local_collection_id
    assert collection is not None
    slow_transfers(20_000)

    choose(panel, collection, as_source=True)
    panel.source.entries.value = ("large.bin",)
    choose(panel, collection, as_destination=True)
    panel.destination.path_box.value = "/drop/"
    panel.transfer_button.click()
    row = next(iter(panel.tasks.rows.values()))
    assert not row.cancel_button.disabled
    row.cancel_button.click()

    assert "cancelled successfully" in panel.status.message
    assert wait_until(lambda: row.record.status == "FAILED", timeout=10), row.record
    assert row.progress.bar_style == "danger"
    assert row.cancel_button.disabled


def test_consent_error_shows_consent_login(
    panel: GlobusPanel, sandbox: Sandbox
) -> None:
    mapped = "0b5c4a8e-6f0e-4c3a-9d5e-2f1a7b8c9d01"
    tabs = panel.endpoint_tabs
    tabs.tabs.selected_index = 3
    tabs.search_box.value = "consent"
    tabs.search_button.click()
    tabs.tables["all"].select.value = mapped

    tabs.source_button.click()

    assert panel.status.level == "error"
    assert "ConsentRequired" in panel.status.message
    prompt = panel.login_area.prompt
    assert prompt is not None
    assert "data_access" in prompt.authorize_url
    code, _ = sandbox_authorize(prompt.authorize_url)
    prompt.code_box.value = code
    assert panel.status.message == "Logged in."
    tabs.tabs.selected_index = 3
    tabs.source_button.click()
    assert panel.status.level != "error", panel.status.message
    assert "README.txt" in [value for _, value in panel.source.entries.options]


def test_wrong_code_is_shown_and_cleared(
    session: GlobusSession, sandbox: Sandbox
) -> None:
    from tunel_jupyter.kernel.login import LoginPrompt

    prompt = LoginPrompt(session.start_login(), session=session)
    widget = prompt.widget

    prompt.code_box.value = "not-a-code-Globus-issued"

    assert prompt.code_box.value == ""
    assert prompt.state is None
    assert prompt.status.level == "error"
    assert "not-a-code-Globus-issued" not in prompt.status.message
    assert widget.children[-1] is prompt.status
    # The click that follows the box's blur keeps the error visible.
    message = prompt.status.message
    prompt.login_button.click()
    assert prompt.status.message == message
    prompt.status.clear()
    prompt.login_button.click()
    assert "Paste the code Globus showed" in prompt.status.message
