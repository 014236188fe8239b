"""Attacks found in a security review, each kept out by the fix it led to."""

from __future__ import annotations

import typing as t
from pathlib import Path

import pytest

from tunel_jupyter.errors import UsageError
from tunel_jupyter.handlers.local import LocalCollection

from .server_helpers import Api

BULK_FILES = "0b5c4a8e-6f0e-4c3a-9d5e-2f1a7b8c9d04"
LONE_SURROGATE = "data/\ud800.csv"


def test_local_path_lone_surrogate(tmp_path: Path) -> None:
    collection = LocalCollection(id=BULK_FILES, root="/", display_name="", source="")
    with pytest.raises(UsageError) as caught:
        collection.collection_path(
            LONE_SURROGATE, root_dir=str(tmp_path), field="items[0].x"
        )
    assert caught.value.field == "items[0].x"


async def test_transfer_lone_surrogate(
    api: Api, logged_in: dict[str, t.Any], jp_root_dir: Path
) -> None:
    # Api sends JSON with ASCII escapes, so the path arrives as "\ud800".
    error = await api.post(
        "transfers",
        {
            "source_endpoint": BULK_FILES,
            "items": [
                {"source_path": "/README.txt", "destination_local_path": LONE_SURROGATE}
            ],
        },
        expect=400,
    )
    assert error["code"] == "InvalidRequest"
    assert error["field"] == "items[0].destination_local_path"
    assert (await api.get("status"))["logged_in"] is True
