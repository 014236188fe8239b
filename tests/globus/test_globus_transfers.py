"""Transfers and tasks: files, folders, batches, validation, wait, cancel."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.globus.conftest import SandboxControl
from tunel_jupyter.errors import TaskWaitTimeout, UsageError
from tunel_jupyter.globus import (
    GlobusSession,
    Identity,
    TaskRecord,
    TransferItem,
    TransferRequest,
)
from tunel_jupyter.sandbox import Sandbox


@pytest.fixture
def root(sandbox: Sandbox) -> Path:
    assert sandbox.root is not None
    return sandbox.root


@pytest.fixture
def collection(sandbox: Sandbox) -> str:
    return str(sandbox.local_collection_id)


def digest_tree(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def transfer(
    session: GlobusSession, collection: str, *items: TransferItem, **options: object
) -> TaskRecord:
    request = TransferRequest(collection, collection, items, **options)  # type: ignore[arg-type]
    task = session.submit_transfer(request)
    return session.wait_task(task.task_id, timeout=60, polling_interval=0.2)


def test_file_into_existing_folder_keeps_name(
    session: GlobusSession, identity: Identity, collection: str, root: Path
) -> None:
    payload = bytes(range(256)) * 1000
    (root / "source file.bin").write_bytes(payload)
    (root / "inbox").mkdir()

    done = transfer(
        session, collection, TransferItem("/source file.bin", "/inbox"), label="one"
    )

    assert done.status == "SUCCEEDED"
    assert done.label == "one"
    assert done.is_done
    assert done.progress == 1.0
    assert (root / "inbox" / "source file.bin").read_bytes() == payload


def test_file_to_new_name_and_trailing_slash(
    session: GlobusSession, identity: Identity, collection: str, root: Path
) -> None:
    (root / "a.txt").write_text("alpha")
    (root / "out").mkdir()

    done = transfer(
        session,
        collection,
        TransferItem("/a.txt", "/out/renamed.txt"),
        TransferItem("/a.txt", "/new-folder/"),
    )

    assert done.status == "SUCCEEDED"
    assert (root / "out" / "renamed.txt").read_text() == "alpha"
    assert (root / "new-folder" / "a.txt").read_text() == "alpha"


def test_folder_transfer_matches_bytes(
    session: GlobusSession, identity: Identity, collection: str, root: Path
) -> None:
    source = root / "project ü #1"
    (source / "nested" / "deeper").mkdir(parents=True)
    (source / "top.txt").write_text("top")
    (source / "nested" / "data.bin").write_bytes(b"\x00\x01" * 50_000)
    (source / "nested" / "deeper" / "notes & more.md").write_text("# notes")

    done = transfer(
        session,
        collection,
        TransferItem("/project ü #1", "/copy", recursive=True),
        sync_level="checksum",
        verify_checksum=True,
    )

    assert done.status == "SUCCEEDED"
    assert done.files == 3
    assert done.bytes_transferred == 3 + 100_000 + 7
    assert digest_tree(root / "copy") == digest_tree(source)


def test_batch_of_many_files(
    session: GlobusSession,
    identity: Identity,
    collection: str,
    root: Path,
    control: SandboxControl,
) -> None:
    (root / "many").mkdir()
    (root / "target").mkdir()
    for number in range(40):
        (root / "many" / f"f{number:02d}.txt").write_text(str(number))
    items = [
        TransferItem(f"/many/f{number:02d}.txt", "/target") for number in range(40)
    ]
    control.post("requests")

    done = transfer(session, collection, *items)

    assert done.status == "SUCCEEDED"
    assert done.files == 40
    assert digest_tree(root / "target") == digest_tree(root / "many")
    listings = [e for e in control.requests() if e["path"].endswith("/ls")]
    stats = [e for e in control.requests() if e["path"].endswith("/stat")]
    assert len(listings) == 1, "one listing per destination parent folder"
    assert stats == []


@pytest.mark.parametrize(
    ("build", "named"),
    [
        (lambda c: TransferRequest(c, c, []), "no items"),
        (lambda c: TransferRequest(c, c, [TransferItem("a.txt", "/b")]), "'a.txt'"),
        (lambda c: TransferRequest(c, c, [TransferItem("/a", "b/")]), "'b/'"),
        (
            lambda c: TransferRequest(
                c, c, [TransferItem("/a", "/b")], sync_level="fastest"
            ),
            "'fastest'",
        ),
        (lambda c: TransferRequest("", c, [TransferItem("/a", "/b")]), "source"),
    ],
)
def test_invalid_requests_rejected_before_sending(
    collection: str, build: object, named: str
) -> None:
    with pytest.raises(UsageError, match=named):
        build(collection)  # type: ignore[operator]


def test_invalid_endpoint_not_sent(
    session: GlobusSession,
    identity: Identity,
    collection: str,
    control: SandboxControl,
) -> None:
    control.post("requests")
    request = TransferRequest("omgtacos", collection, [TransferItem("/a", "/b")])
    with pytest.raises(UsageError, match="'omgtacos'"):
        session.submit_transfer(request)
    assert control.requests() == []


def test_wait_failure_is_a_result(
    session: GlobusSession, identity: Identity, collection: str, sandbox: Sandbox
) -> None:
    sandbox.state.transfer.retry_attempts = 1
    seen: list[TaskRecord] = []
    request = TransferRequest(
        collection, collection, [TransferItem("/does-not-exist.txt", "/x.txt")]
    )
    task = session.submit_transfer(request)

    done = session.wait_task(
        task.task_id, timeout=30, polling_interval=0.2, on_progress=seen.append
    )

    assert done.status == "FAILED"
    assert done.is_done
    assert done.fatal_error is not None
    assert seen, "on_progress is called after every poll"
    assert seen[-1] == done


def test_wait_timeout_reports_faults(
    session: GlobusSession, identity: Identity, collection: str, sandbox: Sandbox
) -> None:
    # The sandbox keeps retrying the missing file, as Globus does until a deadline.
    sandbox.state.transfer.retry_attempts = 10_000
    sandbox.state.transfer.retry_delay = 0.05
    request = TransferRequest(
        collection, collection, [TransferItem("/missing.txt", "/x.txt")]
    )
    task = session.submit_transfer(request)

    with pytest.raises(TaskWaitTimeout) as caught:
        session.wait_task(task.task_id, timeout=1.0, polling_interval=0.2)

    assert caught.value.task_id == task.task_id
    assert "still ACTIVE" in caught.value.message
    assert "fault" in caught.value.message
    assert session.get_task(task.task_id).faults > 0

    message = session.cancel_task(task.task_id)
    assert message
    final = session.wait_task(task.task_id, timeout=30, polling_interval=0.2)
    assert final.status == "FAILED"


def test_slow_task_progress_and_events(
    session: GlobusSession,
    identity: Identity,
    collection: str,
    root: Path,
    sandbox: Sandbox,
) -> None:
    sandbox.state.transfer.bytes_per_second_override = 200_000
    (root / "big.bin").write_bytes(b"x" * 400_000)
    task = session.submit_transfer(
        TransferRequest(
            collection, collection, [TransferItem("/big.bin", "/big-copy.bin")]
        )
    )
    assert task.status == "ACTIVE"

    progress: list[float | None] = []
    done = session.wait_task(
        task.task_id,
        timeout=30,
        polling_interval=0.2,
        on_progress=lambda record: progress.append(record.progress),
    )

    assert done.status == "SUCCEEDED"
    assert progress[-1] == 1.0
    assert (root / "big-copy.bin").read_bytes() == b"x" * 400_000
    assert isinstance(session.task_events(task.task_id), list)


def test_list_and_get_tasks(
    session: GlobusSession, identity: Identity, collection: str, root: Path
) -> None:
    (root / "f.txt").write_text("f")
    first = transfer(session, collection, TransferItem("/f.txt", "/g.txt"), label="a")
    second = transfer(session, collection, TransferItem("/f.txt", "/h.txt"), label="b")

    tasks = session.list_tasks(limit=10)
    ids = [task.task_id for task in tasks]
    assert {first.task_id, second.task_id} <= set(ids)
    assert session.get_task(first.task_id).label == "a"
    assert session.list_tasks(limit=1)[0].task_id in ids
    done = session.list_tasks(filter="status:SUCCEEDED")
    assert all(task.status == "SUCCEEDED" for task in done)
    with pytest.raises(UsageError, match="limit 0"):
        session.list_tasks(limit=0)
    assert first.to_dict()["task_id"] == first.task_id
    assert first.to_dict()["progress"] == 1.0
