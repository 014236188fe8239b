"""Attacks found in a security review, each kept out by the fix it led to."""

from __future__ import annotations

import typing as t
from pathlib import Path

import globus_sdk
import pytest
import requests
from globus_sdk.scopes import TransferScopes

from tests.sandbox import transfer_fixtures
from tests.sandbox.transfer_fixtures import wait_done
from tunel_jupyter.sandbox import Sandbox
from tunel_jupyter.sandbox.base import PAGE_KEY_HEADER

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


PAGE_KEY = "page-key-of-this-test"


def authorize_url(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> str:
    """Start a native-app login against ``sandbox`` and return its authorize URL."""
    for name, value in sandbox.env().items():
        monkeypatch.setenv(name, value)
    client = globus_sdk.NativeAppAuthClient(sandbox.native_client_id)
    client.oauth2_start_flow([TransferScopes.all])
    return client.oauth2_get_authorize_url()


@pytest.fixture
def keyed_sandbox(tmp_path: Path) -> t.Iterator[Sandbox]:
    with Sandbox(root=tmp_path / "root", page_key=PAGE_KEY) as running:
        yield running


@pytest.mark.parametrize("sent", [None, "", "wrong-key", PAGE_KEY + "x"])
def test_keyed_sandbox_rejects_missing_or_wrong_key(
    keyed_sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, sent: str | None
) -> None:
    headers = {} if sent is None else {PAGE_KEY_HEADER: sent}
    url = authorize_url(keyed_sandbox, monkeypatch)

    login = requests.get(
        url,
        headers={"Accept": "application/json", **headers},
        allow_redirects=False,
        timeout=10,
    )
    assert login.status_code == 403, login.text
    assert login.json()["errors"][0]["code"] == "FORBIDDEN"
    assert "code" not in login.json()

    form = requests.post(
        keyed_sandbox.auth_url + "v2/oauth2/authorize",
        data={"form_id": "x", "decision": "allow"},
        headers=headers,
        allow_redirects=False,
        timeout=10,
    )
    assert form.status_code == 403

    info = requests.get(
        f"{keyed_sandbox.url}/_sandbox/info", headers=headers, timeout=10
    )
    assert info.status_code == 403
    assert info.json()["code"] == "PermissionDenied"
    assert PAGE_KEY not in login.text + form.text + info.text


def test_keyed_sandbox_accepts_key(
    keyed_sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = authorize_url(keyed_sandbox, monkeypatch)
    login = requests.get(
        url,
        headers={"Accept": "application/json", PAGE_KEY_HEADER: PAGE_KEY},
        allow_redirects=False,
        timeout=10,
    )
    assert login.status_code == 200, login.text
    assert login.json()["code"]

    info = requests.get(
        f"{keyed_sandbox.url}/_sandbox/info",
        headers={PAGE_KEY_HEADER: PAGE_KEY},
        timeout=10,
    )
    assert info.status_code == 200
    assert info.json()["native_client_id"] == keyed_sandbox.native_client_id

    # Routes that check tokens or serve no login stay open to the SDK.
    openid = requests.get(
        keyed_sandbox.auth_url + ".well-known/openid-configuration", timeout=10
    )
    assert openid.status_code == 200


def test_sandbox_without_key_is_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Sandbox(root=tmp_path / "root") as open_sandbox:
        url = authorize_url(open_sandbox, monkeypatch)
        login = requests.get(url, headers={"Accept": "application/json"}, timeout=10)
        info = requests.get(f"{open_sandbox.url}/_sandbox/info", timeout=10)
    assert login.status_code == 200, login.text
    assert login.json()["code"]
    assert info.status_code == 200
