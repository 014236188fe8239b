"""Transfer and delete tasks that move real bytes, through the real globus-sdk."""

from __future__ import annotations

import hashlib
import os
import time
import typing as t
import uuid
from pathlib import Path

import globus_sdk
import pytest
import requests

from tests.sandbox import transfer_fixtures
from tests.sandbox.transfer_fixtures import (
    KARL_ID,
    OMGTACOS_ID,
    TRANSFER_RS,
    make_client,
    seed_with,
    tree,
    wait_done,
    wait_for,
)
from tests.utils import sandbox_authorize
from tunel_jupyter.sandbox import Sandbox

# Fixtures shared by the Transfer tests.
bulk_root = transfer_fixtures.bulk_root
sandbox = transfer_fixtures.sandbox
tc = transfer_fixtures.tc


def local(sandbox: Sandbox) -> tuple[str, Path]:
    assert sandbox.local_collection_id is not None
    assert sandbox.root is not None
    return sandbox.local_collection_id, sandbox.root


def submit(
    tc: globus_sdk.TransferClient,
    source: str,
    destination: str,
    items: list[tuple[str, str, bool]],
    **options: t.Any,
) -> str:
    data = globus_sdk.TransferData(source, destination, **options)
    for source_path, destination_path, recursive in items:
        data.add_item(source_path, destination_path, recursive=recursive)
    result = tc.submit_transfer(data)
    assert result["code"] == "Accepted"
    assert result["DATA_TYPE"] == "transfer_result"
    return str(result["task_id"])


def test_directory_transfer_copies_bytes(
    tc: globus_sdk.TransferClient, sandbox: Sandbox
) -> None:
    local_id, root = local(sandbox)
    source_root = sandbox.state.transfer.collection(OMGTACOS_ID).ensure_root()
    task_id = submit(tc, OMGTACOS_ID, local_id, [("/~/data/", "/~/copy/", True)])
    task = wait_done(tc, task_id)

    assert tree(root / "copy") == tree(source_root / "data")
    expected_bytes = sum(
        p.stat().st_size for p in (source_root / "data").rglob("*") if p.is_file()
    )
    assert task["status"] == "SUCCEEDED"
    assert task["type"] == "TRANSFER"
    assert task["files"] == 5
    assert task["directories"] == 2
    assert task["files_transferred"] == 5
    assert task["files_skipped"] == 0
    assert task["bytes_transferred"] == expected_bytes
    assert task["subtasks_total"] == 7
    assert task["subtasks_succeeded"] == 7
    assert task["subtasks_pending"] == 0
    assert task["faults"] == 0
    assert task["fatal_error"] is None
    assert task["nice_status"] is None
    assert task["completion_time"] is not None
    assert task["source_endpoint_display_name"] == "omgtacos"

    events = [event["code"] for event in tc.task_event_list(task_id)]
    assert events == ["SUCCEEDED", "STARTED"]
    pairs = {
        (item["source_path"], item["destination_path"])
        for item in tc.task_successful_transfers(task_id)
    }
    assert ("/~/data/raw/run-001.bin", "/~/copy/raw/run-001.bin") in pairs
    assert len(pairs) == 5
    sizes = {
        item["destination_path"]: item["size"]
        for item in tc.task_successful_transfers(task_id)
    }
    assert sizes["/~/copy/raw/run-001.bin"] == 4096

    # globus-cli sends an empty filter when it has none.
    unfiltered = tc.task_event_list(task_id, query_params={"filter": ""})
    assert unfiltered["total"] == 2


def test_file_goes_to_exact_destination(
    tc: globus_sdk.TransferClient, sandbox: Sandbox
) -> None:
    local_id, root = local(sandbox)
    (root / "inbox").mkdir()
    task_id = submit(
        tc, OMGTACOS_ID, local_id, [("/README.txt", "/inbox/r.txt", False)]
    )
    assert wait_done(tc, task_id)["status"] == "SUCCEEDED"
    assert (root / "inbox" / "r.txt").read_text().startswith("This folder")

    # Copying a file onto itself fails instead of truncating it.
    itself = submit(tc, local_id, local_id, [("/inbox/r.txt", "/~/inbox/r.txt", False)])
    assert wait_done(tc, itself)["status"] == "FAILED"
    assert (root / "inbox" / "r.txt").read_text().startswith("This folder")

    # A file is never put inside a folder that sits at its destination path.
    clash = submit(tc, OMGTACOS_ID, local_id, [("/README.txt", "/inbox", False)])
    task = wait_done(tc, clash)
    assert task["status"] == "FAILED"
    assert task["fatal_error"]["code"] == "GENERAL_ERROR"
    assert sorted(os.listdir(root / "inbox")) == ["r.txt"]


SYNC_CASES = [
    # level, destination content, destination is newer, expect copied
    ("exists", b"different", False, False),
    (0, b"different", False, False),
    ("size", b"same-size!", False, False),
    (1, b"other size", False, True),
    ("mtime", b"same-size!", True, False),
    (2, b"same-size!", False, True),
    ("checksum", b"same-size!", True, True),
    (3, b"0123456789", False, False),
]


@pytest.mark.parametrize(("level", "content", "newer", "copied"), SYNC_CASES)
def test_sync_levels(
    tc: globus_sdk.TransferClient,
    sandbox: Sandbox,
    level: t.Any,
    content: bytes,
    newer: bool,
    copied: bool,
) -> None:
    local_id, root = local(sandbox)
    source = root / "source.bin"
    source.write_bytes(b"0123456789")
    destination = root / "destination.bin"
    destination.write_bytes(content if content != b"other size" else b"short")
    past, future = time.time() - 3600, time.time() + 3600
    os.utime(source, (past + 60, past + 60))
    os.utime(destination, (future, future) if newer else (past, past))

    task_id = submit(
        tc,
        local_id,
        local_id,
        [("/source.bin", "/destination.bin", False)],
        sync_level=level,
    )
    task = wait_done(tc, task_id)
    assert task["status"] == "SUCCEEDED"
    assert task["sync_level"] == {"exists": 0, "size": 1, "mtime": 2}.get(
        level, 3 if level == "checksum" else level
    )
    assert task["files_transferred"] == (1 if copied else 0)
    assert task["files_skipped"] == (0 if copied else 1)
    if copied:
        assert destination.read_bytes() == b"0123456789"
    if level in ("checksum", 3):
        assert task["bytes_checksummed"] == 10


def test_verify_checksum_and_preserve_timestamp(
    tc: globus_sdk.TransferClient, sandbox: Sandbox
) -> None:
    local_id, root = local(sandbox)
    (root / "old.dat").write_bytes(os.urandom(3000))
    os.utime(root / "old.dat", (1_600_000_000, 1_600_000_000))
    task_id = submit(
        tc,
        local_id,
        local_id,
        [("/old.dat", "/kept.dat", False)],
        verify_checksum=True,
        preserve_timestamp=True,
    )
    task = wait_done(tc, task_id)
    assert task["verify_checksum"] is True
    assert task["preserve_timestamp"] is True
    assert task["bytes_checksummed"] == 3000
    copied = tc.task_successful_transfers(task_id)["DATA"][0]
    assert copied["checksum_algorithm"] == "MD5"
    assert (
        copied["checksum"] == hashlib.md5((root / "old.dat").read_bytes()).hexdigest()
    )
    assert int((root / "kept.dat").stat().st_mtime) == 1_600_000_000
    assert (root / "kept.dat").read_bytes() == (root / "old.dat").read_bytes()


def test_cancel_running_task(tc: globus_sdk.TransferClient, sandbox: Sandbox) -> None:
    local_id, root = local(sandbox)
    (root / "big.bin").write_bytes(os.urandom(200_000))
    slow = requests.post(
        f"{sandbox.url}/_sandbox/options",
        json={"transfer_bytes_per_second": 10_000},
        timeout=10,
    )
    assert slow.status_code == 200
    task_id = submit(tc, local_id, local_id, [("/big.bin", "/big-copy.bin", False)])

    wait_for(
        lambda: tc.get_task(task_id)["bytes_transferred"] > 0,
        message="the slowed copy never started",
    )
    running = tc.get_task(task_id)
    assert running["status"] == "ACTIVE"
    assert running["nice_status"] == "OK"
    in_use = [d["id"] for d in tc.endpoint_search(filter_scope="in-use")]
    assert in_use == [local_id]

    result = tc.cancel_task(task_id)
    assert result["code"] == "Canceled"
    task = tc.get_task(task_id)
    assert task["status"] == "FAILED"
    assert task["fatal_error"] == {"code": "CANCELED", "description": "canceled"}
    assert task["bytes_transferred"] < 200_000
    assert task["subtasks_canceled"] == 1
    events = list(tc.task_event_list(task_id))
    assert events[0]["code"] == "CANCELED"
    assert events[0]["is_error"] is True

    again = tc.cancel_task(task_id)
    assert again["code"] == "TaskComplete"


def test_missing_source_fails_after_retries(
    tc: globus_sdk.TransferClient, sandbox: Sandbox
) -> None:
    local_id, _ = local(sandbox)
    task_id = submit(tc, local_id, local_id, [("/nothing-here.txt", "/x.txt", False)])
    task = wait_done(tc, task_id)
    assert task["status"] == "FAILED"
    assert task["fatal_error"] == {
        "code": "FILE_NOT_FOUND",
        "description": "file not found",
    }
    assert task["faults"] == sandbox.state.transfer.retry_attempts
    assert task["subtasks_failed"] == 1
    errors = list(tc.task_event_list(task_id, query_params={"filter": "is_error:1"}))
    assert [e["code"] for e in errors] == ["FILE_NOT_FOUND"] * task["faults"]


def test_skip_source_errors(tc: globus_sdk.TransferClient, sandbox: Sandbox) -> None:
    local_id, root = local(sandbox)
    (root / "present.txt").write_text("here")
    task_id = submit(
        tc,
        local_id,
        local_id,
        [("/absent.txt", "/a.txt", False), ("/present.txt", "/p.txt", False)],
        skip_source_errors=True,
    )
    task = wait_done(tc, task_id)
    assert task["status"] == "SUCCEEDED"
    assert task["subtasks_skipped_errors"] == 1
    assert (root / "p.txt").read_text() == "here"
    skipped = tc.get(f"/v0.10/task/{task_id}/skipped_errors")["DATA"]
    assert [entry["source_path"] for entry in skipped] == ["/absent.txt"]
    assert skipped[0]["error_code"] == "FILE_NOT_FOUND"


def test_transfer_confined_to_roots(
    tc: globus_sdk.TransferClient, sandbox: Sandbox, tmp_path: Path
) -> None:
    local_id, root = local(sandbox)
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / "escape").symlink_to(outside)
    (root / "file.txt").write_text("x")

    reading = submit(tc, local_id, local_id, [("/../../etc/hostname", "/h", False)])
    assert wait_done(tc, reading)["fatal_error"]["code"] == "PERMISSION_DENIED"
    writing = submit(tc, local_id, local_id, [("/file.txt", "/escape/file.txt", False)])
    assert wait_done(tc, writing)["fatal_error"]["code"] == "PERMISSION_DENIED"
    assert list(outside.iterdir()) == []


def test_successful_transfers_marker_paging(
    tc: globus_sdk.TransferClient, sandbox: Sandbox
) -> None:
    local_id, root = local(sandbox)
    (root / "many").mkdir()
    for number in range(130):
        (root / "many" / f"f{number:03d}.txt").write_text(str(number))
    task_id = submit(tc, local_id, local_id, [("/many", "/many-copy", True)])
    assert wait_done(tc, task_id)["files_transferred"] == 130

    first = tc.task_successful_transfers(task_id)
    assert len(first["DATA"]) == 100
    assert first["next_marker"] == 100
    pages = list(tc.paginated.task_successful_transfers(task_id))
    assert [len(page["DATA"]) for page in pages] == [100, 30]
    assert pages[-1]["next_marker"] is None
    destinations = {e["destination_path"] for p in pages for e in p["DATA"]}
    assert len(destinations) == 130


def test_delete_tasks(tc: globus_sdk.TransferClient, sandbox: Sandbox) -> None:
    local_id, root = local(sandbox)
    (root / "folder" / "sub").mkdir(parents=True)
    (root / "folder" / "a.txt").write_text("a")
    (root / "folder" / "sub" / "b.txt").write_text("b")

    plain = globus_sdk.DeleteData(local_id)
    plain.add_item("/folder")
    refused = wait_done(tc, tc.submit_delete(plain)["task_id"])
    assert refused["status"] == "FAILED"
    assert (root / "folder").is_dir()

    recursive = globus_sdk.DeleteData(local_id, recursive=True)
    recursive.add_item("/folder")
    result = tc.submit_delete(recursive)
    assert result["DATA_TYPE"] == "delete_result"
    task = wait_done(tc, result["task_id"])
    assert task["status"] == "SUCCEEDED"
    assert task["type"] == "DELETE"
    assert task["destination_endpoint_id"] is None
    assert task["files"] == 2
    assert task["directories"] == 2
    assert not (root / "folder").exists()

    missing = globus_sdk.DeleteData(local_id, ignore_missing=True)
    missing.add_item("/never-existed")
    assert wait_done(tc, tc.submit_delete(missing)["task_id"])["status"] == "SUCCEEDED"


def test_task_list_filters(tc: globus_sdk.TransferClient, sandbox: Sandbox) -> None:
    local_id, root = local(sandbox)
    (root / "t.txt").write_text("t")
    first = submit(tc, local_id, local_id, [("/t.txt", "/t1.txt", False)], label="one")
    delete = globus_sdk.DeleteData(local_id, label="two")
    delete.add_item("/t1.txt")
    wait_done(tc, first)
    second = tc.submit_delete(delete)["task_id"]
    wait_done(tc, second)
    failing = submit(tc, local_id, local_id, [("/gone", "/g", False)], label="three")
    wait_done(tc, failing)

    everything = tc.task_list(limit=100)
    assert everything["total"] == 3
    assert [task["task_id"] for task in everything] == [failing, second, first]
    deletes = tc.task_list(filter="type:DELETE")
    assert [task["task_id"] for task in deletes] == [second]
    ok = tc.task_list(filter={"status": ["SUCCEEDED"], "type": ["TRANSFER"]})
    assert [task["task_id"] for task in ok] == [first]
    oldest = tc.task_list(orderby="request_time ASC", limit=1, offset=1)
    assert oldest["total"] == 3
    assert oldest["length"] == 1
    assert [task["task_id"] for task in oldest] == [second]
    assert [t["label"] for t in tc.paginated.task_list().items()] == [
        "three",
        "two",
        "one",
    ]

    with pytest.raises(globus_sdk.TransferAPIError) as caught:
        tc.task_list(filter="status:DONE")
    assert caught.value.http_status == 400
    assert "status" in caught.value.message


def test_submission_errors(tc: globus_sdk.TransferClient, sandbox: Sandbox) -> None:
    local_id, _ = local(sandbox)
    submission_id = tc.get_submission_id()["value"]
    base = {
        "DATA_TYPE": "transfer",
        "submission_id": submission_id,
        "source_endpoint": local_id,
        "destination_endpoint": local_id,
        "DATA": [
            {
                "DATA_TYPE": "transfer_item",
                "source_path": "/a",
                "destination_path": "/b",
            }
        ],
    }
    cases: list[tuple[dict[str, t.Any], int, str]] = [
        ({"DATA": []}, 400, "ClientError.BadRequest.NoTransferItems"),
        ({"DATA_TYPE": "delete"}, 400, "ClientError.BadRequest"),
        ({"submission_id": None}, 400, "ClientError.BadRequest"),
        ({"source_endpoint": None}, 400, "ClientError.BadRequest"),
        ({"destination_endpoint": str(uuid.uuid4())}, 404, "EndpointNotFound"),
        ({"sync_level": "sometimes"}, 400, "ClientError.BadRequest"),
        ({"DATA": [{"DATA_TYPE": "transfer_item"}]}, 400, "ClientError.BadRequest"),
    ]
    for change, status, code in cases:
        body = {**base, **change}
        with pytest.raises(globus_sdk.TransferAPIError) as caught:
            tc.post("/v0.10/transfer", data=body)
        assert caught.value.http_status == status, change
        assert caught.value.code == code, change
        assert caught.value.request_id, change
    assert tc.task_list()["total"] == 0


def test_duplicate_submission_returns_original(
    tc: globus_sdk.TransferClient, sandbox: Sandbox
) -> None:
    local_id, root = local(sandbox)
    (root / "d.txt").write_text("d")
    data = globus_sdk.TransferData(local_id, local_id, submission_id=str(uuid.uuid4()))
    data.add_item("/d.txt", "/d2.txt")
    first = tc.submit_transfer(data)
    again = tc.submit_transfer(data)
    assert again["task_id"] == first["task_id"]
    assert again["code"] == "Duplicate"
    assert tc.task_list()["total"] == 1


def test_consent_checked_at_submission(
    tc: globus_sdk.TransferClient, sandbox: Sandbox
) -> None:
    local_id, _ = local(sandbox)
    with pytest.raises(globus_sdk.TransferAPIError) as caught:
        submit(
            tc, transfer_fixtures.MAPPED_ID, local_id, [("/README.txt", "/r", False)]
        )
    assert caught.value.http_status == 403
    assert caught.value.code == "ConsentRequired"


def test_task_not_found(tc: globus_sdk.TransferClient) -> None:
    with pytest.raises(globus_sdk.TransferAPIError) as caught:
        tc.get_task(str(uuid.uuid4()))
    assert caught.value.http_status == 404
    assert caught.value.code == "TaskNotFound"


def test_tasks_survive_restart(tmp_path: Path, bulk_root: Path) -> None:
    state_dir = tmp_path / "state"
    root = tmp_path / "root"
    root.mkdir()
    (root / "keep.txt").write_text("keep")
    seed = seed_with(bulk_root)

    with Sandbox(root=root, seed=seed, state_dir=state_dir) as first:
        auth = globus_sdk.NativeAppAuthClient(
            first.native_client_id, base_url=first.auth_url
        )
        auth.oauth2_start_flow(["openid", globus_sdk.TransferClient.scopes.all])
        code, _ = sandbox_authorize(auth.oauth2_get_authorize_url())
        token = auth.oauth2_exchange_code_for_tokens(code).by_resource_server[
            TRANSFER_RS
        ]["access_token"]
        client = globus_sdk.TransferClient(
            base_url=first.transfer_url,
            authorizer=globus_sdk.AccessTokenAuthorizer(token),
        )
        collection = str(first.local_collection_id)
        task_id = submit(
            client, collection, collection, [("/keep.txt", "/k2.txt", False)]
        )
        wait_done(client, task_id)

    with Sandbox(root=root, seed=seed, state_dir=state_dir) as second:
        client = globus_sdk.TransferClient(
            base_url=second.transfer_url,
            authorizer=globus_sdk.AccessTokenAuthorizer(token),
        )
        task = client.get_task(task_id)
        assert task["status"] == "SUCCEEDED"
        assert task["files_transferred"] == 1
        assert [t["task_id"] for t in client.task_list()] == [task_id]
        assert KARL_ID not in [
            d["id"] for d in client.endpoint_search(filter_scope="recently-used")
        ]


def test_tasks_of_others_hidden(
    tc: globus_sdk.TransferClient, sandbox: Sandbox, globus_env: dict[str, str]
) -> None:
    local_id, root = local(sandbox)
    (root / "mine.txt").write_text("mine")
    task_id = submit(tc, local_id, local_id, [("/mine.txt", "/m.txt", False)])
    client_id, secret = sandbox.confidential_client
    auth = globus_sdk.ConfidentialAppAuthClient(client_id, secret)
    tokens = auth.oauth2_client_credentials_tokens(
        requested_scopes=globus_sdk.TransferClient.scopes.all
    )
    robot = make_client(tokens.by_resource_server[TRANSFER_RS]["access_token"])
    assert robot.task_list()["total"] == 0
    with pytest.raises(globus_sdk.TransferAPIError) as caught:
        robot.get_task(task_id)
    assert caught.value.http_status == 404
