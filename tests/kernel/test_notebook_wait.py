"""task.wait() in a real kernel: the final status shows once per cell."""

from __future__ import annotations

import pytest

from tests.kernel.test_notebook import KernelNotebook, kernel, log_in, output_text
from tunel_jupyter.sandbox import Sandbox

pytestmark = pytest.mark.slow

__all__ = ["kernel"]


def test_final_status_shows_once(kernel: KernelNotebook, sandbox: Sandbox) -> None:
    assert sandbox.root is not None
    (sandbox.root / "a.txt").write_text("a\\n")
    collection = sandbox.local_collection_id
    log_in(kernel)
    kernel.run(f"task = %globus transfer {collection}:/a.txt {collection}:/b.txt")

    for line in ("task.wait(polling_interval=0.2)", "%globus wait {task.task_id}"):
        waited = kernel.run(line)
        assert output_text(waited).count("SUCCEEDED") == 1, waited.outputs
        assert "Finished TRANSFER task" in output_text(waited)

    # In a later cell the task shows itself again.
    shown = kernel.run("task")
    assert output_text(shown).count("SUCCEEDED") == 1, shown.outputs
    assert output_text(shown).startswith("<Task TRANSFER task")
