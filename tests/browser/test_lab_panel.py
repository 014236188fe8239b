"""The Globus panel in a real JupyterLab, driven through Chromium like a person."""

from __future__ import annotations

import re
import typing as t

import pytest
import requests

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PANEL = "#tunel-jupyter-panel"
SOURCE_COLLECTION = "omgtacos"
SHARED_COLLECTION = "Karl Transfer"


def open_lab(browser: t.Any, lab: t.Any) -> t.Any:
    page = browser.new_page()
    page.goto(lab.page_url())
    # The first load of JupyterLab is slow on a busy 2-core machine.
    tab = page.locator('.jp-SideBar [data-id="tunel-jupyter-panel"]')
    tab.wait_for(timeout=120_000)
    tab.click()
    page.locator(PANEL).wait_for(state="visible")
    return page


def log_in_with_paste_flow(
    browser: t.Any, page: t.Any, lab: t.Any, button: str = "Log in with Globus"
) -> None:
    panel = page.locator(PANEL)
    panel.get_by_role("button", name=button).click()
    link = panel.get_by_role("link", name="Open the Globus login page")
    href = link.evaluate("anchor => anchor.href")
    # In sandbox mode the login page travels through the Jupyter server.
    assert href.startswith(f"{lab.url}tunel/sandbox/"), href

    with browser.expect_page() as opened:
        link.click()
    login_tab = opened.value
    login_tab.wait_for_load_state()
    allow = login_tab.get_by_role("button", name="Allow")
    assert allow.count() == 1, login_tab.inner_text("body")[:2000]
    allow.click()
    code = login_tab.locator("#auth-code").inner_text().strip()
    assert code, "the auth-code page shows no code"
    login_tab.close()

    panel.get_by_label("Authorization code").fill(code)
    panel.get_by_role("button", name="Finish login").click()
    panel.get_by_text(re.compile(r"Logged in as Ada Lovelace")).wait_for()
    assert panel.get_by_label("Authorization code").count() == 0


def show_whole_panel(page: t.Any) -> None:
    """Widen the left sidebar and the window so the panel fits a screenshot."""
    page.set_viewport_size({"width": 1400, "height": 1600})
    sidebar = page.locator("#jp-left-stack").bounding_box()
    assert sidebar is not None
    edge_x = sidebar["x"] + sidebar["width"] + 2
    middle_y = sidebar["y"] + 200
    page.mouse.move(edge_x, middle_y)
    page.mouse.down()
    page.mouse.move(edge_x + 160, middle_y, steps=5)
    page.mouse.up()
    page.locator(PANEL).evaluate("panel => { panel.scrollTop = 0; }")
    page.wait_for_timeout(300)


def endpoint_names(page: t.Any) -> list[str]:
    names = page.locator(f"{PANEL} .tunel-EndpointName")
    names.first.wait_for()
    return [name.strip() for name in names.all_inner_texts()]


def test_panel_logs_in_and_transfers_into_server(
    browser: t.Any, lab: t.Any, save_screenshot: t.Callable[[t.Any, str], t.Any]
) -> None:
    page = open_lab(browser, lab)
    panel = page.locator(PANEL)
    # The panel states the login need briefly, without terminal advice.
    reason = panel.locator(".tunel-LoginReason")
    reason.wait_for()
    assert reason.inner_text().strip() == "Not logged in to Globus."
    log_in_with_paste_flow(browser, page, lab)

    def file_browser_item(name: str) -> t.Any:
        text = page.locator(".jp-DirListing-itemText", has_text=re.compile(f"^{name}$"))
        return page.locator(".jp-DirListing-item").filter(has=text)

    # Both scopes list their collections.
    mine = endpoint_names(page)
    assert SOURCE_COLLECTION in mine
    assert SHARED_COLLECTION not in mine
    # The endpoint table is one Tab stop; arrow keys move between rows.
    rows = panel.locator(".tunel-EndpointTable tbody tr")
    assert len(mine) >= 2
    assert panel.locator('.tunel-EndpointTable tbody tr[tabindex="0"]').count() == 1
    rows.nth(0).focus()
    page.keyboard.press("ArrowDown")
    assert rows.nth(1).evaluate("row => row === document.activeElement")
    assert rows.nth(1).get_attribute("tabindex") == "0"
    assert rows.nth(0).get_attribute("tabindex") == "-1"
    # At the default sidebar width the names get the room: Owner and Type are
    # hidden, and Status is an icon with a label for screen readers.
    table = panel.locator(".tunel-EndpointTable")
    assert table.locator("th.tunel-col-owner").is_hidden()
    assert table.locator("th.tunel-col-type").is_hidden()
    name_width = table.locator("th.tunel-col-name").bounding_box()["width"]
    assert name_width > 0.7 * table.bounding_box()["width"]
    status = rows.nth(0).locator(".tunel-StatusIcon")
    assert status.inner_text().strip() in ("Ready", "Ready, high assurance")
    panel.get_by_role("tab", name="Shared with me").click()
    panel.get_by_role("tab", name="Shared with me", selected=True).wait_for()
    page.wait_for_function(
        f"""() => [...document.querySelectorAll('{PANEL} .tunel-EndpointName')]
            .some(cell => cell.textContent.trim() === {SHARED_COLLECTION!r})"""
    )
    shared = endpoint_names(page)
    assert SHARED_COLLECTION in shared
    assert SOURCE_COLLECTION not in shared
    # Before any transfer the Recent tab says how it fills up.
    panel.get_by_role("tab", name="Recent").click()
    panel.get_by_text("No recently used collections yet.").wait_for()

    # Browse the source collection: into data/, up again, hidden files.
    panel.get_by_role("tab", name="Mine").click()
    panel.get_by_role("row", name=f"Open {SOURCE_COLLECTION} as the source").click()
    source = panel.locator(".tunel-Browser-source")
    source.get_by_role("button", name="Open folder data").click()
    source.get_by_text("measurements.csv").wait_for()
    assert source.get_by_label("Source path").input_value().endswith("/data/")
    source.get_by_role("button", name="Up one folder").click()
    source.get_by_role("button", name="Open folder data").wait_for()
    assert source.get_by_text(".hidden-settings").count() == 0
    source.get_by_label("Show hidden files").check()
    source.get_by_text(".hidden-settings").wait_for()

    # A file typed as the path gets one short error and no stale table.
    path_box = source.get_by_label("Source path")
    top = path_box.input_value()
    path_box.fill(f"{top}data/measurements.csv")
    path_box.press("Enter")
    error = source.locator(".tunel-Error")
    error.wait_for()
    assert error.inner_text() == f"{top}data/measurements.csv is a file, not a folder."
    assert source.locator(".tunel-EntryTable").count() == 0
    assert page.locator(PANEL).evaluate(
        "panel => panel.scrollWidth <= panel.clientWidth"
    )
    path_box.fill(top)
    path_box.press("Enter")
    source.get_by_role("button", name="Open folder data").wait_for()

    # This server is the destination; send the data folder.
    panel.get_by_role("button", name="Destination", exact=True).click()
    panel.get_by_role("button", name="This server as destination").click()
    destination = panel.locator(".tunel-Browser-destination")
    destination.get_by_role("heading", name=re.compile("^Destination: ")).wait_for()
    destination.get_by_role("button", name="New folder").click()
    destination.get_by_label("Name of the new folder").fill("incoming")
    destination.get_by_role("button", name="Create").click()
    page.wait_for_function(
        f"""() => document.querySelector('{PANEL} .tunel-Browser-destination input')
            .value.endsWith('/incoming/')"""
    )
    assert (lab.root / "incoming").is_dir()
    # Nothing is selected yet, so Transfer is disabled and says why.
    transfer_button = panel.locator(".tunel-TransferButton")
    assert transfer_button.is_disabled()
    hint = panel.locator("#tunel-transfer-hint")
    assert hint.inner_text() == "Select the files or folders to transfer."
    assert transfer_button.get_attribute("aria-describedby") == "tunel-transfer-hint"
    source.get_by_label("Select data").check()
    panel.get_by_label("Label").fill("browser test copy")
    panel.get_by_role("button", name="Transfer 1 item").click()

    task = panel.locator(".tunel-Task", has_text="browser test copy")
    task.locator(".tunel-TaskStatus", has_text="Succeeded").wait_for(timeout=60_000)
    progress = task.get_by_role("progressbar")
    assert progress.get_attribute("aria-valuenow") == "100"
    toast = page.locator(".jp-Notification-Toast-success", has_text="browser test copy")
    toast.first.wait_for(timeout=15_000)
    assert "succeeded" in toast.first.inner_text()
    assert panel.get_by_label("Label").input_value() == ""

    # The source collection is now among the recently used ones.
    panel.get_by_role("tab", name="Recent").click()
    page.wait_for_function(
        f"""() => [...document.querySelectorAll('{PANEL} .tunel-EndpointName')]
            .some(cell => cell.textContent.trim() === {SOURCE_COLLECTION!r})"""
    )
    panel.get_by_role("tab", name="Mine").click()
    panel.get_by_role("tab", name="Mine", selected=True).wait_for()

    # Screenshots of the panel as it is now, in the light and the dark theme.
    show_whole_panel(page)
    save_screenshot(panel.locator(".tunel-PanelBody"), "panel-light.png")
    page.evaluate(
        "window.jupyterapp.commands.execute('apputils:change-theme',"
        " {theme: 'JupyterLab Dark'})"
    )
    page.locator('body[data-jp-theme-name="JupyterLab Dark"]').wait_for(
        state="attached"
    )
    page.wait_for_timeout(500)
    save_screenshot(panel.locator(".tunel-PanelBody"), "panel-dark.png")

    # The files are on disk and in JupyterLab's file browser.
    copied = lab.root / "incoming" / "data"
    assert (copied / "measurements.csv").is_file()
    assert sorted(p.name for p in (copied / "raw").iterdir()) == [
        "run-001.bin",
        "run-002.bin",
        "run-003.bin",
    ]
    page.locator('.jp-SideBar [data-id="filebrowser"]').click()
    file_browser_item("incoming").dblclick(timeout=15_000)
    item = file_browser_item("data")
    item.wait_for(timeout=15_000)

    # "Send with Globus…" on the folder opens it on this server as the source.
    item.click(button="right")
    page.locator(".lm-Menu-item", has_text="Send with Globus…").click()
    panel.wait_for(state="visible")
    source.get_by_role("heading", name=re.compile("^Source: This Jupyter")).wait_for()
    source.get_by_label("Select data").wait_for()
    assert source.get_by_label("Select data").is_checked()
    assert source.get_by_label("Source path").input_value().endswith("/incoming/")


def test_panel_commands_are_registered(browser: t.Any, lab: t.Any) -> None:
    page = open_lab(browser, lab)
    page.locator(PANEL).get_by_role("button", name="Log in with Globus").wait_for()

    commands = page.evaluate("window.jupyterapp.commands.listCommands()")
    for command in (
        "tunel-jupyter:open-panel",
        "tunel-jupyter:login",
        "tunel-jupyter:logout",
        "tunel-jupyter:refresh",
        "tunel-jupyter:send-with-globus",
        "tunel-jupyter:transfer",
    ):
        assert command in commands

    # The login command starts the paste flow in the panel.
    page.evaluate("window.jupyterapp.commands.execute('tunel-jupyter:login')")
    page.locator(PANEL).get_by_label("Authorization code").wait_for()
    link = page.locator(PANEL).get_by_role("link", name="Open the Globus login page")
    assert link.get_attribute("target") == "_blank"


def test_panel_consent_retry_and_paging(browser: t.Any, lab: t.Any) -> None:
    page = open_lab(browser, lab)
    panel = page.locator(PANEL)
    log_in_with_paste_flow(browser, page, lab)
    endpoint_names(page)

    # Keyboard only: arrow keys move between the list tabs.
    mine = panel.get_by_role("tab", name="Mine")
    mine.focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    search_tab = panel.get_by_role("tab", name="Search", selected=True)
    search_tab.wait_for()
    panel.get_by_label("Search collections").fill("Research Storage")
    page.keyboard.press("Enter")
    row = panel.get_by_role(
        "row", name="Open Example University Research Storage as the source"
    )
    row.focus()
    page.keyboard.press("Enter")

    # The collection needs data-access consent, so the panel shows a consent request.
    panel.get_by_text("Globus needs your consent.").wait_for()
    log_in_with_paste_flow(browser, page, lab, button="Grant consent")

    # After the consent login, the listing runs again by itself.
    source = panel.locator(".tunel-Browser-source")
    source.get_by_role("heading", name=re.compile("Research Storage")).wait_for()
    source.locator(".tunel-EntryTable").wait_for()
    assert source.locator(".tunel-Error").count() == 0

    # A folder of 20,000 files opens one page at a time.
    panel.get_by_label("Search collections").fill("Bulk")
    page.keyboard.press("Enter")
    panel.get_by_role("row", name="Open Example Bulk Files as the source").click()
    source.get_by_role("heading", name=re.compile("Bulk Files")).wait_for()
    # The sandbox writes the 20,000 files on first use, which can outlast the
    # server's short timeout on a busy machine; a person would then refresh.
    many = source.get_by_role("button", name="Open folder many")
    for _ in range(3):
        source.locator(".tunel-EntryTable, .tunel-Error").first.wait_for(timeout=60_000)
        if many.count() == 1:
            break
        print("listing failed:", source.locator(".tunel-Error").all_inner_texts())
        source.get_by_role("button", name="Refresh the source folder").click()
        page.wait_for_timeout(2000)
    many.click()
    page_info = source.locator(".tunel-PageInfo")
    page_info.get_by_text("1–200 of 20,000 items").wait_for(timeout=60_000)
    assert "Page 1 of 100" in page_info.inner_text()
    assert source.locator(".tunel-EntryTable tbody tr").count() == 200
    source.get_by_role("button", name="Next page").click()
    page_info.get_by_text("201–400 of 20,000 items").wait_for()
    assert "Page 2 of 100" in page_info.inner_text()
    assert source.get_by_text("file-00201.txt").count() == 1

    # Logging out brings back the login button and hides the collections.
    panel.get_by_role("button", name="Log out").click()
    panel.get_by_role("button", name="Log in with Globus").wait_for()
    assert panel.get_by_role("tab", name="Mine").count() == 0


def test_panel_progress_and_cancel(browser: t.Any, lab: t.Any, sandbox: t.Any) -> None:
    # Slow the sandbox's copies down so the task is still running when cancelled.
    requests.post(
        f"{sandbox.url}/_sandbox/options",
        json={"transfer_bytes_per_second": 2000},
        timeout=5,
    ).raise_for_status()
    page = open_lab(browser, lab)
    panel = page.locator(PANEL)
    log_in_with_paste_flow(browser, page, lab)

    panel.get_by_role("row", name=f"Open {SOURCE_COLLECTION} as the source").click()
    source = panel.locator(".tunel-Browser-source")
    source.get_by_label("Select data").check()
    panel.get_by_role("button", name="Destination", exact=True).click()
    panel.get_by_role("button", name="This server as destination").click()
    panel.locator(".tunel-Browser-destination .tunel-PathInput").wait_for()
    panel.get_by_label("Label").fill("slow copy")
    panel.get_by_role("button", name="Transfer 1 item").click()

    # The progress bar moves while the task runs.
    task = panel.locator(".tunel-Task", has_text="slow copy")
    task.locator(".tunel-TaskStatus", has_text="Active").wait_for()
    page.wait_for_function(
        f"""() => {{
            const bar = document.querySelector(
                '{PANEL} .tunel-Task-active [role=progressbar]');
            const value = bar && Number(bar.getAttribute('aria-valuenow'));
            return value > 0 && value < 100;
        }}""",
        timeout=60_000,
    )

    task.get_by_role("button", name="Cancel slow copy").click()
    page.get_by_role("button", name="Cancel task").click()
    # Globus reports a canceled task as FAILED with code CANCELED.
    task.locator(".tunel-TaskStatus", has_text="Canceled").wait_for(timeout=60_000)
    assert task.get_by_role("button", name="Cancel slow copy").count() == 0
    toast = page.locator(".jp-Notification-Toast-info", has_text="was canceled")
    toast.first.wait_for(timeout=15_000)
    assert 'Globus task "slow copy" was canceled.' in toast.first.inner_text()
    assert (
        page.locator(".jp-Notification-Toast-error", has_text="slow copy").count() == 0
    )
