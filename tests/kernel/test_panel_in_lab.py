"""The Globus panel in JupyterLab, driven in Chromium with the keyboard and mouse."""

from __future__ import annotations

import typing as t

import nbformat
import pytest

from tests.browser.conftest import (
    SCREENSHOT_DIR,
    Lab,
    browser,
    lab,
    save_screenshot,
)
from tests.utils import sandbox_authorize
from tunel_jupyter.globus import GlobusSession
from tunel_jupyter.sandbox import Sandbox

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Fixtures shared with the browser tests: jupyter lab on the sandbox, Chromium.
__all__ = ["browser", "lab", "save_screenshot"]

TIMEOUT_MS = 60_000


def wait_for_text(page: t.Any, selector: str, text: str) -> None:
    """Wait until the first element matching ``selector`` shows ``text``."""
    page.wait_for_function(
        "([selector, text]) => (document.querySelector(selector)?.innerText ?? '')"
        ".includes(text)",
        arg=[selector, text],
        timeout=TIMEOUT_MS,
    )


def open_notebook(page: t.Any, lab: Lab, name: str) -> t.Any:
    """Open ``name`` in JupyterLab, wait for its kernel, and return its code cells."""
    page.goto(lab.page_url(f"lab/tree/{name}"))
    cells = page.locator(".jp-Notebook .jp-CodeCell")
    cells.first.wait_for(timeout=TIMEOUT_MS)

    # Cells run before the kernel replies are lost, so wait for its info reply.
    page.wait_for_function(
        "() => window.jupyterapp?.shell.currentWidget?.sessionContext?.session?.kernel",
        timeout=TIMEOUT_MS,
    )
    page.evaluate(
        "async () => { const widget = window.jupyterapp.shell.currentWidget;"
        " await widget.sessionContext.ready;"
        " await widget.sessionContext.session.kernel.info; }"
    )
    return cells


def run_cell(page: t.Any, cell: t.Any) -> None:
    cell.click()
    page.keyboard.press("Escape")
    page.keyboard.press("Shift+Enter")


def write_notebook(lab: Lab, sources: t.Sequence[str]) -> str:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
    }
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    nbformat.write(notebook, lab.root / "panel.ipynb")
    return "panel.ipynb"


def test_panel_transfers_in_jupyterlab(
    lab: Lab,
    sandbox: Sandbox,
    browser: t.Any,
    save_screenshot: t.Callable[[t.Any, str], t.Any],
    slow_transfers: t.Callable[[int], None],
) -> None:
    # Log in from the test; the kernel shares the token store.
    session = GlobusSession()
    request = session.start_login()
    code, state = sandbox_authorize(request.authorize_url)
    session.finish_login(code, state=state)
    (lab.root / "a-source").mkdir()
    (lab.root / "a-source" / "data.csv").write_text("x,y\n1,2\n")
    (lab.root / "a-source" / "large.bin").write_bytes(b"\x04" * 100_000)
    (lab.root / "inbox").mkdir()
    name = write_notebook(lab, ["%load_ext tunel_jupyter", "%globus panel", "21 * 2"])
    # About ten seconds of copying, to run a cell while the task is active.
    slow_transfers(10_000)

    page = browser.new_page()
    try:
        cells = open_notebook(page, lab, name)
        run_cell(page, cells.nth(0))
        wait_for_text(page, ".jp-OutputArea", "not the real Globus")
        run_cell(page, cells.nth(1))
        panel = page.locator(".tunel-globus-panel")
        wait_for_text(page, ".tunel-globus-panel", "not the real Globus")
        wait_for_text(
            page, ".tunel-globus-panel", "Logged in to Globus as ada@example.org"
        )

        # The endpoint table is a list box: the Home key selects its first row.
        endpoints = panel.locator("select[size]").first
        endpoints.locator("option", has_text="Jupyter server files").first.wait_for()
        endpoints.focus()
        page.keyboard.press("Home")
        panel.get_by_role("button", name="Browse as source").click()
        panel.get_by_role("button", name="Browse as destination").click()
        source, destination = panel.locator("select[multiple]").all()[:2]
        source.locator("option", has_text="a-source/").wait_for(timeout=TIMEOUT_MS)
        # Type only after the kernel has filled in the folder it listed.
        destination.locator("option", has_text="inbox/").wait_for(timeout=TIMEOUT_MS)
        destination_path = panel.locator("input[placeholder='/path/to/folder']").nth(1)
        destination_path.fill("/inbox/")
        destination_path.press("Enter")
        panel.get_by_text("Empty folder").wait_for(timeout=TIMEOUT_MS)
        source.focus()
        page.keyboard.press("Home")
        panel.get_by_role("button", name="Transfer").click()

        # The kernel runs another cell while the panel's thread follows the task.
        wait_for_text(page, ".tunel-globus-panel", "ACTIVE")
        run_cell(page, cells.nth(2))
        answer = cells.nth(2).locator(".jp-OutputArea-output")
        answer.get_by_text("42", exact=True).wait_for(timeout=TIMEOUT_MS)
        assert "SUCCEEDED" not in panel.inner_text()
        wait_for_text(page, ".tunel-globus-panel", "SUCCEEDED")
    finally:
        # The whole page, to see what the panel showed when a step failed.
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT_DIR / "widget-panel-page.png"))
    save_screenshot(panel, "widget-panel.png")
    copied = lab.root / "inbox" / "a-source" / "data.csv"
    assert copied.read_text() == "x,y\n1,2\n"
    large = lab.root / "inbox" / "a-source" / "large.bin"
    assert large.read_bytes() == b"\x04" * 100_000
