"""The demo as a new user meets it: the notebook in Chromium, login through the
pages JupyterLab forwards, then every cell."""

from __future__ import annotations

import pytest

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, SCREENSHOT_DIR

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CELL_TIMEOUT_MS = 60_000


@pytest.fixture
def chromium():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


def run_cell(page, cell) -> None:
    cell.click()
    page.keyboard.press("Escape")
    page.keyboard.press("Shift+Enter")


def test_demo_notebook_logs_in_and_transfers(start_demo, chromium, tmp_path):
    demo = start_demo()
    base, token = demo.wait_for_url()
    context = chromium.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    try:
        check_demo_in_page(page, context, base, token)
    finally:
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT_DIR / "demo-notebook.png"))

    copied = tmp_path / "demo-data" / "work" / "from-karl"
    names = sorted(str(p.relative_to(copied)) for p in copied.rglob("*") if p.is_file())
    assert names == [
        "measurements.csv",
        "notes.md",
        "raw/run-001.bin",
        "raw/run-002.bin",
        "raw/run-003.bin",
    ]
    assert demo.interrupt() == 0


def check_demo_in_page(page, context, base: str, token: str) -> None:
    page.goto(f"{base}lab/tree/globus-demo.ipynb?token={token}")
    cells = page.locator(".jp-Notebook .jp-CodeCell")
    cells.first.wait_for(timeout=CELL_TIMEOUT_MS)
    # Cells run before the kernel is connected are dropped, not queued.
    page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=CELL_TIMEOUT_MS)
    assert page.get_by_text("Would you like to get notified").count() == 0

    # %load_ext, then %globus login, which shows a link and a box for the code.
    run_cell(page, cells.nth(0))
    cells.nth(0).get_by_text("not the real Globus").wait_for(timeout=CELL_TIMEOUT_MS)
    login_cell = cells.nth(1)
    run_cell(page, login_cell)
    link = login_cell.locator("a[href*='oauth2/authorize']").first
    link.wait_for(timeout=CELL_TIMEOUT_MS)
    assert link.get_attribute("href").startswith("/tunel/sandbox/")

    with context.expect_page() as opened:
        link.click()
    allow_page = opened.value
    allow_page.locator("button[value=allow]").click()
    code = allow_page.locator("code.auth-code").inner_text(timeout=CELL_TIMEOUT_MS)
    allow_page.close()

    login_cell.locator("input").fill(code.strip())
    login_cell.get_by_role("button", name="Log in").click()
    login_cell.get_by_text("Logged in to Globus as ada@example.org").first.wait_for(
        timeout=CELL_TIMEOUT_MS
    )

    page.get_by_text("Run", exact=True).click()
    page.get_by_text("Run All Cells", exact=True).click()
    page.get_by_text("SUCCEEDED, 5/5 files").first.wait_for(timeout=CELL_TIMEOUT_MS)
    cells.last.get_by_text("My endpoints").wait_for(timeout=CELL_TIMEOUT_MS)
