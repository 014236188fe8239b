"""Transfers and tasks: in and out of the Jupyter root, progress, events, cancel."""

from __future__ import annotations

import asyncio
import typing as t
from pathlib import Path

import pytest
import requests

from tunel_jupyter.sandbox import Sandbox

from .server_helpers import Api

BULK_FILES = "0b5c4a8e-6f0e-4c3a-9d5e-2f1a7b8c9d04"
OMGTACOS = "29890592-374e-11e8-b96a-0ac6873fc732"


async def wait_done(api: Api, task_id: str) -> dict[str, t.Any]:
    """Poll a task until it ends (at most about 20 seconds)."""
    for _ in range(200):
        task = await api.get(f"tasks/{task_id}")
        if task["is_done"]:
            return t.cast("dict[str, t.Any]", task)
        await asyncio.sleep(0.1)
    raise AssertionError(f"task {task_id} did not end: {task}")


async def test_into_root_and_back(
    api: Api, logged_in: dict[str, t.Any], jp_root_dir: Path
) -> None:
    local = (await api.get("status"))["local_collection"]["id"]

    incoming = await api.post(
        "transfers",
        {
            "source_endpoint": OMGTACOS,
            "items": [
                {
                    "source_path": "/README.txt",
                    "destination_local_path": "incoming/README.txt",
                }
            ],
            "label": "into Jupyter",
        },
        expect=202,
    )
    assert incoming["source_endpoint_id"] == OMGTACOS
    assert incoming["destination_endpoint_id"] == local
    done = await wait_done(api, incoming["task_id"])
    assert done["status"] == "SUCCEEDED"
    assert done["progress"] == 1.0
    assert done["files_transferred"] == 1
    copied = jp_root_dir / "incoming" / "README.txt"
    assert copied.read_text()

    (jp_root_dir / "incoming" / "mine.txt").write_text("written in Jupyter")
    outgoing = await api.post(
        "transfers",
        {
            "destination_endpoint": OMGTACOS,
            "items": [
                {
                    "source_local_path": "/incoming/",
                    "destination_path": "/from-jupyter/",
                    "recursive": True,
                }
            ],
        },
        expect=202,
    )
    assert outgoing["source_endpoint_id"] == local
    done = await wait_done(api, outgoing["task_id"])
    assert done["status"] == "SUCCEEDED", done
    listing = await api.get(
        f"endpoints/{OMGTACOS}/ls", params={"path": "/from-jupyter/"}
    )
    assert sorted(entry["name"] for entry in listing["entries"]) == [
        "README.txt",
        "mine.txt",
    ]

    tasks = await api.get("tasks", params={"limit": "5"})
    ids = [task["task_id"] for task in tasks["tasks"]]
    assert incoming["task_id"] in ids
    assert outgoing["task_id"] in ids


@pytest.mark.parametrize(
    "local_path",
    ["../outside.txt", "/../../etc/passwd", "a/../../b", "link/escape.txt"],
)
async def test_local_path_outside_root(
    api: Api, logged_in: dict[str, t.Any], jp_root_dir: Path, local_path: str
) -> None:
    (jp_root_dir / "link").symlink_to(jp_root_dir.parent)
    error = await api.post(
        "transfers",
        {
            "source_endpoint": BULK_FILES,
            "items": [
                {"source_path": "/README.txt", "destination_local_path": "fine.txt"},
                {"source_path": "/README.txt", "destination_local_path": local_path},
            ],
        },
        expect=400,
    )
    assert error["code"] == "InvalidRequest"
    assert error["field"] == "items[1].destination_local_path"
    assert local_path in error["message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "items"),
        ({"items": []}, "items"),
        ({"items": [{"source_path": "/a"}]}, "source_endpoint"),
        (
            {"source_endpoint": BULK_FILES, "items": [{"source_path": "/a"}]},
            "destination_endpoint",
        ),
        (
            {
                "source_endpoint": BULK_FILES,
                "destination_endpoint": OMGTACOS,
                "items": [{"source_path": "/a"}],
            },
            "items[0].destination_path",
        ),
        (
            {
                "source_endpoint": BULK_FILES,
                "destination_endpoint": OMGTACOS,
                "items": [{"source_path": "/a", "destination_path": "/b", "extra": 1}],
            },
            "items[0].extra",
        ),
        (
            {
                "items": [
                    {
                        "source_path": "/a",
                        "source_local_path": "a",
                        "destination_local_path": "b",
                    }
                ],
            },
            "items[0].source_path",
        ),
        (
            {
                "source_endpoint": BULK_FILES,
                "destination_endpoint": OMGTACOS,
                "items": [{"source_path": "/a", "destination_local_path": "b"}],
            },
            "destination_endpoint",
        ),
        (
            {
                "source_endpoint": "nope",
                "destination_endpoint": OMGTACOS,
                "items": [{"source_path": "/a", "destination_path": "/b"}],
            },
            "source_endpoint",
        ),
        (
            {
                "source_endpoint": BULK_FILES,
                "destination_endpoint": OMGTACOS,
                "items": [{"source_path": "/a", "destination_path": "/b"}],
                "sync_level": "sometimes",
            },
            "sync_level",
        ),
        ({"colour": "blue"}, "colour"),
    ],
)
async def test_transfer_bad_input(
    api: Api, globus_env: dict[str, str], body: dict[str, t.Any], field: str
) -> None:
    error = await api.post("transfers", body, expect=400)
    assert error["code"] == "InvalidRequest"
    assert error["field"] == field


class TestNoLocalCollection:
    @pytest.fixture
    def tunel_config(self) -> dict[str, t.Any]:
        return {"local_collection_id": None}

    async def test_local_path_rejected(
        self, api: Api, globus_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        status = await api.get("status")
        assert status["local_collection"] is None
        error = await api.post(
            "transfers",
            {
                "source_endpoint": BULK_FILES,
                "destination_endpoint": OMGTACOS,
                "items": [{"source_path": "/a", "destination_local_path": "b"}],
            },
            expect=400,
        )
        assert error["field"] == "items[0].destination_local_path"
        assert "local_collection_id" in error["message"]


async def test_progress_events_cancel(
    api: Api, logged_in: dict[str, t.Any], jp_root_dir: Path, sandbox: Sandbox
) -> None:
    folder = jp_root_dir / "slow"
    folder.mkdir()
    for index in range(6):
        (folder / f"part-{index}.bin").write_bytes(b"x" * 1500)
    requests.post(
        f"{sandbox.url}/_sandbox/options",
        json={"transfer_bytes_per_second": 3000},
        timeout=10,
    ).raise_for_status()

    task = await api.post(
        "transfers",
        {
            "destination_endpoint": OMGTACOS,
            "items": [
                {
                    "source_local_path": "slow",
                    "destination_path": "/~/slow/",
                    "recursive": True,
                }
            ],
        },
        expect=202,
    )
    task_id = task["task_id"]

    # Wait until some but not all files are copied: progress is partial.
    for _ in range(100):
        task = await api.get(f"tasks/{task_id}", params={"events": "5"})
        if task["files_transferred"] >= 1:
            break
        await asyncio.sleep(0.1)
    assert task["status"] == "ACTIVE"
    assert 0.0 < task["progress"] < 1.0
    assert task["is_done"] is False
    assert [event["code"] for event in task["events"]].count("STARTED") == 1

    cancelled = await api.post(f"tasks/{task_id}/cancel")
    assert cancelled["task_id"] == task_id
    assert cancelled["message"]
    task = await wait_done(api, task_id)
    assert task["status"] == "FAILED"
    assert task["fatal_error"]["code"] == "CANCELED"
    assert task["files_transferred"] < 6
    assert any(event["code"] == "CANCELED" for event in task["events"])

    without_events = await api.get(f"tasks/{task_id}", params={"events": "0"})
    assert without_events["events"] == []


async def test_task_errors(api: Api, logged_in: dict[str, t.Any]) -> None:
    missing = await api.get("tasks/0b5c4a8e-6f0e-4c3a-9d5e-2f1a7b8c9d99", expect=404)
    assert missing["code"] == "NotFound"
    bad = await api.get("tasks/not-a-task", expect=400)
    assert bad["field"] == "task_id"
    limit = await api.get("tasks", params={"limit": "0"}, expect=400)
    assert limit["field"] == "limit"
