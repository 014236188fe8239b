"""The demo notebook, top to bottom in a real kernel against the sandbox."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from tests.demo.notebook_run import PACKAGED_NOTEBOOK, execute_notebook
from tests.utils import login_with_sandbox
from tunel_jupyter.globus import GlobusSession

# The shared-with-me collection the notebook copies from (see the sandbox's seed).
KARL_TRANSFER_ID = "9ec1db6a-5052-11e7-bdb7-22000b9a448b"


def cell_text(cell: nbformat.NotebookNode) -> str:
    parts = []
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            parts.append(output.text)
        elif "data" in output:
            parts.append(output.data.get("text/plain", ""))
    return "".join(parts)


def find_cell(notebook: nbformat.NotebookNode, start: str) -> nbformat.NotebookNode:
    for cell in notebook.cells:
        if cell.cell_type == "code" and cell.source.startswith(start):
            return cell
    raise AssertionError(f"no code cell starts with {start!r}")


def files_under(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.mark.slow
def test_demo_notebook_transfers_files(sandbox, globus_env, tmp_path):
    login_with_sandbox(GlobusSession())
    work_dir = Path(sandbox.root)

    notebook = execute_notebook(work_dir)

    errors = [
        output
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if output.output_type == "error"
    ]
    assert errors == []
    login = cell_text(find_cell(notebook, "%globus login"))
    assert "ada@example.org" in login
    assert "Please go to this URL" not in login, "the login must not wait for a code"
    assert "SUCCEEDED" in cell_text(find_cell(notebook, "task.wait()"))

    source = tmp_path / "sandbox-state" / "collections" / KARL_TRANSFER_ID / "data"
    assert source.is_dir(), "the sandbox keeps seed collections under its state"
    copied = files_under(work_dir / "from-karl")
    assert copied, "nothing was transferred"
    assert copied == files_under(source)
    listed = cell_text(find_cell(notebook, "from pathlib import Path"))
    for name in copied:
        assert name in listed


def test_committed_notebook_keeps_outputs():
    notebook = json.loads(PACKAGED_NOTEBOOK.read_text(encoding="utf-8"))
    code_cells = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]

    assert all(cell["execution_count"] for cell in code_cells), "run every cell"
    for start in ("%globus login", "%globus whoami", "%globus ls", "task.wait()"):
        cell = next(c for c in code_cells if "".join(c["source"]).startswith(start))
        assert cell["outputs"], f"{start!r} has no committed output"
    text = json.dumps(notebook)
    assert "sandbox" in text
    assert "access_token" not in text
    assert "refresh_token" not in text
