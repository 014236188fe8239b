"""Task options beyond plain copies: filter rules, extras, updates, restarts."""

from __future__ import annotations

import os
from pathlib import Path

import globus_sdk
import pytest
import requests

from tests.sandbox import transfer_fixtures
from tests.sandbox.transfer_fixtures import (
    TRANSFER_RS,
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


def make_source(root: Path) -> None:
    (root / "src" / "logs").mkdir(parents=True)
    (root / "src" / "cache").mkdir()
    (root / "src" / "a.txt").write_text("a")
    (root / "src" / "b.tmp").write_text("b")
    (root / "src" / "logs" / "run.log").write_text("log")
    (root / "src" / "cache" / "c.txt").write_text("c")


def test_filter_rules_exclude(tc: globus_sdk.TransferClient, sandbox: Sandbox) -> None:
    collection, root = str(sandbox.local_collection_id), sandbox.root
    assert root is not None
    make_source(root)
    data = globus_sdk.TransferData(collection, collection)
    data.add_item("/src", "/dst", recursive=True)
    data.add_filter_rule("*.tmp", method="exclude", type="file")
    data.add_filter_rule("cache", method="exclude", type="dir")
    task = wait_done(tc, tc.submit_transfer(data)["task_id"])

    assert task["status"] == "SUCCEEDED"
    assert sorted(tree(root / "dst")) == ["a.txt", "logs", "logs/run.log"]
    assert task["files"] == 2
    assert task["filter_rules"][0]["name"] == "*.tmp"


def test_filter_rules_invalid(tc: globus_sdk.TransferClient, sandbox: Sandbox) -> None:
    collection = str(sandbox.local_collection_id)
    data = globus_sdk.TransferData(collection, collection)
    data.add_item("/src", "/dst", recursive=True)
    data["filter_rules"] = [{"DATA_TYPE": "filter_rule", "method": "skip", "name": "x"}]
    with pytest.raises(globus_sdk.TransferAPIError) as caught:
        tc.submit_transfer(data)
    assert caught.value.http_status == 400
    assert "filter_rules[0]" in caught.value.message


def test_delete_destination_extra(
    tc: globus_sdk.TransferClient, sandbox: Sandbox
) -> None:
    collection, root = str(sandbox.local_collection_id), sandbox.root
    assert root is not None
    make_source(root)
    (root / "dst" / "old-folder").mkdir(parents=True)
    (root / "dst" / "old-folder" / "x.txt").write_text("x")
    (root / "dst" / "stale.txt").write_text("stale")
    (root / "dst" / "keep.tmp").write_text("excluded, so kept")

    data = globus_sdk.TransferData(
        collection, collection, delete_destination_extra=True
    )
    data.add_item("/src", "/dst", recursive=True)
    data.add_filter_rule("*.tmp", method="exclude", type="file")
    task = wait_done(tc, tc.submit_transfer(data)["task_id"])

    assert task["status"] == "SUCCEEDED"
    assert task["delete_destination_extra"] is True
    assert sorted(os.listdir(root / "dst")) == ["a.txt", "cache", "keep.tmp", "logs"]


def test_update_task_label(tc: globus_sdk.TransferClient, sandbox: Sandbox) -> None:
    collection, root = str(sandbox.local_collection_id), sandbox.root
    assert root is not None
    (root / "slow.bin").write_bytes(os.urandom(100_000))
    sandbox.state.transfer.bytes_per_second_override = 10_000
    data = globus_sdk.TransferData(collection, collection, label="before")
    data.add_item("/slow.bin", "/slow-copy.bin")
    task_id = tc.submit_transfer(data)["task_id"]

    result = tc.update_task(task_id, {"label": "after"})
    assert result["code"] == "Updated"
    assert tc.get_task(task_id)["label"] == "after"
    pause = tc.task_pause_info(task_id)
    assert pause["pause_rules"] == []

    with pytest.raises(globus_sdk.TransferAPIError) as caught:
        tc.update_task(task_id, {"sync_level": 1})
    assert caught.value.http_status == 400
    tc.cancel_task(task_id)
    with pytest.raises(globus_sdk.TransferAPIError) as done:
        tc.update_task(task_id, {"label": "too late"})
    assert done.value.http_status == 409


def test_running_task_resumes_after_restart(tmp_path: Path, bulk_root: Path) -> None:
    state_dir = tmp_path / "state"
    root = tmp_path / "root"
    root.mkdir()
    payload = os.urandom(200_000)
    (root / "big.bin").write_bytes(payload)
    seed = seed_with(bulk_root)

    with Sandbox(root=root, seed=seed, state_dir=state_dir) as first:
        auth = globus_sdk.NativeAppAuthClient(
            first.native_client_id, base_url=first.auth_url
        )
        auth.oauth2_start_flow(["openid", globus_sdk.TransferClient.scopes.all])
        code, _ = sandbox_authorize(auth.oauth2_get_authorize_url())
        tokens = auth.oauth2_exchange_code_for_tokens(code)
        token = tokens.by_resource_server[TRANSFER_RS]["access_token"]
        client = globus_sdk.TransferClient(
            base_url=first.transfer_url,
            authorizer=globus_sdk.AccessTokenAuthorizer(token),
        )
        requests.post(
            f"{first.url}/_sandbox/options",
            json={"transfer_bytes_per_second": 10_000},
            timeout=10,
        ).raise_for_status()
        collection = str(first.local_collection_id)
        data = globus_sdk.TransferData(collection, collection)
        data.add_item("/big.bin", "/copy.bin")
        task_id = client.submit_transfer(data)["task_id"]
        wait_for(lambda: client.get_task(task_id)["bytes_transferred"] > 0)

    with Sandbox(root=root, seed=seed, state_dir=state_dir) as second:
        client = globus_sdk.TransferClient(
            base_url=second.transfer_url,
            authorizer=globus_sdk.AccessTokenAuthorizer(token),
        )
        task = wait_done(client, task_id)
        assert task["status"] == "SUCCEEDED"
        assert (root / "copy.bin").read_bytes() == payload
        codes = [event["code"] for event in client.task_event_list(task_id, limit=50)]
        assert "RESUMED" in codes
