"""Records: JSON shapes, display-name fallback, task progress."""

from __future__ import annotations

import json

import pytest

from tunel_jupyter.globus import (
    EndpointRecord,
    Environment,
    Identity,
    LoginStatus,
    TaskRecord,
    TransferItem,
    TransferRequest,
)

ENDPOINT = "0b5c4a8e-6f0e-4c3a-9d5e-2f1a7b8c9d03"
TASK = "b8a1e1f2-0000-4000-8000-000000000001"


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        ({"display_name": "Lab"}, "Lab"),
        ({"display_name": None, "canonical_name": "grace#scratch"}, "grace#scratch"),
        ({"display_name": None, "canonical_name": None}, ENDPOINT),
        ({"display_name": ""}, ENDPOINT),
    ],
)
def test_display_name_fallback(doc: dict[str, object], expected: str) -> None:
    record = EndpointRecord.from_api({"id": ENDPOINT, **doc})
    assert record.display_name == expected


def test_endpoint_record_json_shape() -> None:
    record = EndpointRecord.from_api(
        {"id": ENDPOINT, "display_name": "Lab", "non_functional": True},
        scopes=["my-endpoints"],
    ).with_scopes(["shared-with-me", "my-endpoints"])
    body = record.to_dict()
    assert body["scopes"] == ["my-endpoints", "shared-with-me"]
    assert body["non_functional"] is True
    assert set(body) == {
        "id",
        "display_name",
        "owner_string",
        "owner_id",
        "entity_type",
        "scopes",
        "non_functional",
        "high_assurance",
        "gcs_version",
        "description",
        "is_globus_connect",
        "default_directory",
    }
    json.dumps(body)


@pytest.mark.parametrize(
    ("doc", "progress", "done"),
    [
        ({"status": "ACTIVE"}, None, False),
        (
            {"status": "ACTIVE", "subtasks_total": 4, "subtasks_succeeded": 1},
            0.25,
            False,
        ),
        ({"status": "ACTIVE", "files": 10, "files_transferred": 5}, 0.5, False),
        ({"status": "INACTIVE", "files": 2, "files_skipped": 2}, 1.0, False),
        ({"status": "SUCCEEDED"}, 1.0, True),
        ({"status": "FAILED", "subtasks_total": 2, "subtasks_failed": 1}, 0.5, True),
    ],
)
def test_task_progress(
    doc: dict[str, object], progress: float | None, done: bool
) -> None:
    task = TaskRecord.from_api({"task_id": TASK, "type": "TRANSFER", **doc})
    assert task.progress == progress
    assert task.is_done is done
    body = task.to_dict()
    assert body["progress"] == progress
    assert body["is_done"] is done


def test_login_status_json() -> None:
    status = LoginStatus(
        logged_in=True,
        identity=Identity(id="i", username="ada@example.org"),
        expires_at=1,
        environment=Environment.from_urls("http://127.0.0.1:1/auth", "http://x/t/"),
    )
    body = json.loads(json.dumps(status.to_dict()))
    assert body["identity"]["username"] == "ada@example.org"
    assert body["environment"]["is_sandbox"] is True
    assert body["environment"]["auth_url"] == "http://127.0.0.1:1/auth/"


def test_transfer_request_checks() -> None:
    request = TransferRequest(
        ENDPOINT, ENDPOINT, [TransferItem("/a", "~/b")], sync_level=3
    )
    assert isinstance(request.items, tuple)
    with pytest.raises(ValueError, match="sync level True"):
        TransferRequest(ENDPOINT, ENDPOINT, [TransferItem("/a", "/b")], sync_level=True)
    with pytest.raises(ValueError, match="label"):
        TransferRequest(ENDPOINT, ENDPOINT, [TransferItem("/a", "/b")], label="a\nb")
