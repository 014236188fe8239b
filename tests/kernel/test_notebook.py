"""%globus end to end: a real notebook in a real kernel against the sandbox."""

from __future__ import annotations

import re
import typing as t
from pathlib import Path

import nbformat
import pytest
import requests
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from tests.utils import sandbox_authorize
from tunel_jupyter.sandbox import Sandbox

pytestmark = pytest.mark.slow

_URL = re.compile(r"Please go to this URL and login: (\S+)")


class KernelNotebook:
    """A notebook whose cells are added and run one at a time in one kernel."""

    def __init__(self, client: NotebookClient) -> None:
        self.client = client
        self.notebook = client.nb

    def run(self, source: str) -> nbformat.NotebookNode:
        cell = nbformat.v4.new_code_cell(source)
        self.notebook.cells.append(cell)
        self.client.execute_cell(cell, len(self.notebook.cells) - 1)
        return cell


def output_text(cell: nbformat.NotebookNode, *, stream: str | None = None) -> str:
    """Join the text of a cell's outputs: streams, or text/plain of results."""
    parts = []
    for output in cell.outputs:
        if output.output_type == "stream":
            if stream in (None, output.name):
                parts.append(output.text)
        elif stream is None and "data" in output:
            parts.append(output.data.get("text/plain", ""))
    return "".join(parts)


def output_data(cell: nbformat.NotebookNode, mimetype: str) -> str:
    """Return the first output of ``mimetype`` (HTML, for example), or ''."""
    for output in cell.outputs:
        if mimetype in output.get("data", {}):
            return str(output.data[mimetype])
    return ""


@pytest.fixture
def kernel(globus_env: dict[str, str], tmp_path: Path) -> t.Iterator[KernelNotebook]:
    """A running kernel that inherits the sandbox's environment variables."""
    notebook = nbformat.v4.new_notebook()
    client = NotebookClient(
        notebook,
        timeout=90,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    with client.setup_kernel():
        yield KernelNotebook(client)


def log_in(kernel: KernelNotebook) -> None:
    kernel.run("%load_ext tunel_jupyter")
    prompt = kernel.run("%globus login")
    match = _URL.search(output_text(prompt))
    assert match, output_text(prompt)
    code, _ = sandbox_authorize(match.group(1))
    done = kernel.run(f"%globus login {code}")
    assert "Logged in to Globus as ada@example.org" in output_text(done)
    assert code not in output_text(done)


def make_tree(root: Path) -> dict[str, bytes]:
    files = {
        "results/summary.txt": b"mean 4.2\n",
        "results/raw/run-1.bin": bytes(range(256)) * 40,
        "results/raw/run 2 #&.bin": b"\x00\x01" * 3000,
    }
    for relative, data in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return files


def test_login_list_browse_transfer_wait(
    kernel: KernelNotebook, sandbox: Sandbox
) -> None:
    assert sandbox.root is not None
    root = sandbox.root
    files = make_tree(root)
    collection = sandbox.local_collection_id

    loaded = kernel.run("%load_ext tunel_jupyter")
    assert "Sandbox: tunel-jupyter sandbox at" in output_text(loaded)
    prompt = kernel.run("%globus login")
    match = _URL.search(output_text(prompt))
    assert match, output_text(prompt)
    assert match.group(1).startswith(sandbox.auth_url)
    assert "application/vnd.jupyter.widget-view+json" in prompt.outputs[0].data
    code, _ = sandbox_authorize(match.group(1))
    done = kernel.run(f"%globus login {code}")
    assert "Logged in to Globus as ada@example.org" in output_text(done)
    kernel.run("%config GlobusMagics.polling_interval = 0.2")

    listed = kernel.run(
        "mine = %globus endpoints --scope my-endpoints --scope shared-with-me\nmine"
    )
    html = output_data(listed, "text/html")
    assert "<th>Scopes</th>" in html
    assert collection in html
    assert "Sandbox: tunel-jupyter sandbox at" in html
    kinds = kernel.run("print(isinstance(mine, list), type(mine[0]).__name__)")
    assert output_text(kinds).strip() == "True EndpointRecord"

    folder = kernel.run(f"%globus ls {collection}:/results/")
    text = output_text(folder)
    assert "raw/" in text
    assert "summary.txt" in text

    kernel.run(
        f"task = %globus transfer {collection}:/results/ {collection}:/copy/ "
        '--recursive --label "notebook copy"'
    )
    status = kernel.run("task.status in ('ACTIVE', 'INACTIVE', 'SUCCEEDED')")
    assert output_text(status).strip() == "True"
    waited = kernel.run("%globus wait {task.task_id} --timeout 60")
    assert "SUCCEEDED" in output_text(waited)
    final = kernel.run("task.refresh().status, task.progress")
    assert output_text(final).strip() == "('SUCCEEDED', 1.0)"

    for relative, data in files.items():
        copied = root / "copy" / relative.removeprefix("results/")
        assert copied.read_bytes() == data, relative

    panel = kernel.run("panel = %globus panel\npanel")
    assert "application/vnd.jupyter.widget-view+json" in panel.outputs[-1].data
    state = kernel.run(
        "print(panel.login_area.logged_in, len(panel.tasks.rows) >= 1)\npanel.close()"
    )
    assert output_text(state).strip() == "True True"

    # In a kernel the traceback goes to the panel's Output widget, not the cell.
    guarded = kernel.run(
        "panel.status.guard(lambda: 1 / 0)()\nprint(panel.status.message)"
    )
    assert output_text(guarded, stream="stdout").strip() == (
        "Unexpected error: ZeroDivisionError: division by zero"
    )
    assert output_text(guarded, stream="stderr") == ""
    assert not [output for output in guarded.outputs if output.output_type == "error"]


def test_bad_argument_is_one_line_usage_error(kernel: KernelNotebook) -> None:
    kernel.run("%load_ext tunel_jupyter")

    with pytest.raises(CellExecutionError) as info:
        kernel.run("%globus transfer only-a-source:/data")

    assert info.value.ename == "UsageError"
    assert "\n" not in info.value.evalue.strip()
    assert "the following arguments are required" in info.value.evalue
    cell = kernel.notebook.cells[-1]
    stderr = output_text(cell, stream="stderr").strip()
    assert stderr.startswith("UsageError: %globus transfer:")
    assert len(stderr.splitlines()) == 1


def test_revoked_refresh_token_says_log_in_again(
    kernel: KernelNotebook, sandbox: Sandbox
) -> None:
    log_in(kernel)
    for route in ("revoke", "expire-tokens"):
        answer = requests.post(f"{sandbox.url}/_sandbox/{route}", json={}, timeout=10)
        assert answer.status_code == 200, answer.text

    failed = kernel.run("result = %globus endpoints\nprint(result)")

    stderr = output_text(failed, stream="stderr")
    assert "Error 401 LoginRequired" in stderr
    assert "Log in again: run %globus login" in stderr
    assert "Traceback" not in stderr
    assert output_text(failed, stream="stdout").strip() == "None"
    shown = kernel.run("%tb")
    errors = [output for output in shown.outputs if output.output_type == "error"]
    assert [error.ename for error in errors] == ["LoginRequired"]
    assert any("globus/" in line for line in errors[0].traceback)

    whoami = kernel.run("%globus whoami")
    assert "Not logged in to Globus" in output_text(whoami)
    assert "%globus login" in output_text(whoami)
