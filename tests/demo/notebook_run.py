"""Run the demo notebook in a real kernel; refresh its committed outputs.

``python -m tests.demo.notebook_run --write`` starts a sandbox in a temporary folder,
logs in through the shared token store, runs the notebook top to bottom and writes it,
with its outputs, back into the package.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from tests.demo.helpers import REPO_ROOT
from tunel_jupyter.demo.layout import DEMO_NOTEBOOK, install_notebook

PACKAGED_NOTEBOOK = REPO_ROOT / "tunel_jupyter" / "demo" / "notebooks" / DEMO_NOTEBOOK
CELL_TIMEOUT = 120


def execute_notebook(work_dir: Path) -> nbformat.NotebookNode:
    """Copy the packaged notebook into ``work_dir`` and run it there.

    The kernel inherits this process's environment, so the caller points it at the
    sandbox first. A cell that raises fails the run (``CellExecutionError``).
    """
    path = install_notebook(work_dir, overwrite=True)
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(work_dir)}},
    )
    client.execute()
    return notebook


def refresh_outputs() -> None:
    """Run the notebook against a fresh sandbox and write it with its outputs."""
    from tests.utils import login_with_sandbox
    from tunel_jupyter.globus import GlobusSession
    from tunel_jupyter.sandbox import Sandbox

    with tempfile.TemporaryDirectory(prefix="tunel-demo-notebook-") as folder:
        base = Path(folder)
        work_dir = base / "work"
        with Sandbox(root=work_dir, state_dir=base / "sandbox") as sandbox:
            # Keep the run away from any real login on the machine that refreshes it.
            for name in ("GLOBUS_SDK_ENVIRONMENT", "TUNEL_GLOBUS_AUTH_BROWSER_URL"):
                os.environ.pop(name, None)
            os.environ.update(sandbox.env())
            os.environ["JUPYTER_DATA_DIR"] = str(base / "jupyter-data")
            os.environ["HOME"] = str(base / "home")
            (base / "home").mkdir()

            login_with_sandbox(GlobusSession())
            notebook = execute_notebook(work_dir)

    nbformat.write(notebook, PACKAGED_NOTEBOOK)
    print(f"Wrote {PACKAGED_NOTEBOOK.relative_to(REPO_ROOT)} with fresh outputs.")


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.demo.notebook_run")
    parser.add_argument(
        "--write",
        action="store_true",
        help="run the demo notebook against a fresh sandbox and save its outputs",
    )
    args = parser.parse_args()
    if not args.write:
        parser.print_help()
        return 2
    refresh_outputs()
    return 0


if __name__ == "__main__":
    sys.exit(main())
