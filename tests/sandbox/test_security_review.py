"""Attacks found in a security review, each kept out by the fix it led to."""

from __future__ import annotations

from pathlib import Path

import globus_sdk
import pytest

from tests.sandbox import transfer_fixtures
from tests.sandbox.transfer_fixtures import wait_done
from tunel_jupyter.sandbox import Sandbox

bulk_root = transfer_fixtures.bulk_root
sandbox = transfer_fixtures.sandbox
tc = transfer_fixtures.tc


@pytest.mark.parametrize(
    ("source_path", "destination_path"),
    [
        # open() of a symlink to itself fails with ELOOP.
        ("/file.txt", "/loop"),
        # A name longer than NAME_MAX fails with ENAMETOOLONG.
        ("/" + "x" * 300, "/copy.txt"),
    ],
)
def test_file_system_error_is_fault(
    tc: globus_sdk.TransferClient,
    sandbox: Sandbox,
    source_path: str,
    destination_path: str,
) -> None:
    root = sandbox.root
    assert root is not None
    assert sandbox.local_collection_id is not None
    (root / "file.txt").write_text("x")
    (root / "loop").symlink_to(root / "loop")

    data = globus_sdk.TransferData(
        sandbox.local_collection_id, sandbox.local_collection_id
    )
    data.add_item(source_path, destination_path)
    task_id = tc.submit_transfer(data)["task_id"]
    task = wait_done(tc, task_id)

    assert task["status"] == "FAILED"
    assert task["fatal_error"]["code"] == "GENERAL_ERROR"
    # Retried as a fault of the item, not ended as a bug of the sandbox.
    assert task["faults"] == sandbox.state.transfer.retry_attempts
    events = list(tc.task_event_list(task_id, query_params={"filter": "is_error:1"}))
    assert events
    for event in events:
        assert str(Path(root)) not in event["details"]
        assert str(Path(root)) not in event["description"]
    failed_path = destination_path if destination_path == "/loop" else source_path
    assert task["fatal_error"]["description"].startswith(failed_path + ": ")
