"""Problems a new user ran into with the sandbox: login pages, tasks, control routes."""

from __future__ import annotations

import json
import re
import socket
import typing as t
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import globus_sdk
import pytest
import requests
from globus_sdk.scopes import AuthScopes

from tests.sandbox.transfer_fixtures import (
    OMGTACOS_ID,
    TRANSFER_RS,
    make_client,
    wait_done,
)
from tunel_jupyter.sandbox import Sandbox
from tunel_jupyter.sandbox import cli as sandbox_cli


@pytest.fixture
def tc(
    sandbox: Sandbox, login: t.Callable[..., globus_sdk.OAuthTokenResponse]
) -> globus_sdk.TransferClient:
    """A TransferClient of the default user; failing steps retry after 10 ms."""
    sandbox.state.transfer.retry_delay = 0.01
    tokens = login()
    return make_client(tokens.by_resource_server[TRANSFER_RS]["access_token"])


def _events(tc: globus_sdk.TransferClient, task_id: str) -> list[dict[str, t.Any]]:
    return list(tc.task_event_list(task_id, limit=100))


def test_auth_code_page_after_deny(
    sandbox: Sandbox, native_client: globus_sdk.NativeAppAuthClient
) -> None:
    # The default flow sends the browser to the sandbox's own auth-code page.
    native_client.oauth2_start_flow([AuthScopes.openid])
    url = native_client.oauth2_get_authorize_url()
    browser = requests.Session()
    page = browser.get(url, timeout=5).text
    form_id = re.search(r'name="form_id" value="([^"]+)"', page)
    assert form_id, "authorize page has no form_id field"
    denied = browser.post(
        urljoin(url, "authorize"),
        data={"form_id": form_id.group(1), "decision": "deny"},
        allow_redirects=False,
        timeout=5,
    )
    assert denied.status_code == 302
    location = denied.headers["Location"]
    # Relative, as after Allow, so it also works behind a proxy prefix.
    assert location.startswith("../web/auth-code?")
    assert parse_qs(urlsplit(location).query)["error"] == ["access_denied"]

    code_page = browser.get(urljoin(denied.url, location), timeout=5)
    assert code_page.status_code == 200
    assert "Access denied" in code_page.text
    assert "The user denied the request." in code_page.text
    assert "No authorization code" not in code_page.text


def test_auth_code_page_names_rejection(
    sandbox: Sandbox,
) -> None:
    reason = "<b>Native clients must use PKCE</b>"
    code_page = requests.get(
        sandbox.auth_url + "v2/web/auth-code",
        params={"error": "invalid_request", "error_description": reason},
        timeout=5,
    )
    assert code_page.status_code == 200
    assert "Login rejected" in code_page.text
    assert "&lt;b&gt;Native clients must use PKCE&lt;/b&gt;" in code_page.text
    assert "<b>Native" not in code_page.text
    assert "invalid_request" in code_page.text


def test_restart_with_state_keeps_url(tmp_path: Path) -> None:
    state_dir = tmp_path / "state"
    first = Sandbox(state_dir=state_dir)
    first.start()
    try:
        url = first.url
    finally:
        first.stop()

    second = Sandbox(state_dir=state_dir)
    second.start()
    try:
        # Stored logins are keyed by the Auth URL, so the same URL keeps them.
        assert second.url == url
        assert second.auth_url == url + "/auth/"
    finally:
        second.stop()


def test_restart_with_state_port_taken(tmp_path: Path) -> None:
    state_dir = tmp_path / "state"
    first = Sandbox(state_dir=state_dir)
    first.start()
    port = urlsplit(first.url).port
    first.stop()

    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", port))
        blocker.listen()
        second = Sandbox(state_dir=state_dir)
        second.start()
        try:
            assert urlsplit(second.url).port != port
            info = requests.get(second.url + "/_sandbox/info", timeout=5)
            assert info.status_code == 200
        finally:
            second.stop()
    assert (state_dir / "port").read_text().strip() == str(urlsplit(second.url).port)


@pytest.mark.timeout(30)
@pytest.mark.parametrize(
    ("option", "value", "named"),
    [
        ("--port", "70000", "invalid --port 70000"),
        ("--port", "-1", "invalid --port -1"),
        ("--root", "FILE", "invalid --root"),
        ("--state", "FILE", "invalid --state"),
    ],
)
def test_sandbox_command_rejects_bad_place(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    option: str,
    value: str,
    named: str,
) -> None:
    a_file = tmp_path / "notes.txt"
    a_file.write_text("not a folder\n")
    argument = str(a_file) if value == "FILE" else value

    # A port over 65535 used to listen on the port modulo 65536 and run on, so
    # the timeout above ends this test if the check is missing.
    status = sandbox_cli.main([option, argument])

    captured = capsys.readouterr()
    assert status == 2
    assert named in captured.err
    assert captured.out == ""


def test_task_events_name_the_task_type(tc: globus_sdk.TransferClient) -> None:
    delete = globus_sdk.DeleteData(OMGTACOS_ID)
    delete.add_item("/../../etc/hostname")
    deleting = wait_done(tc, tc.submit_delete(delete)["task_id"])
    assert deleting["status"] == "FAILED"
    events = _events(tc, deleting["task_id"])
    refused = [event for event in events if event["code"] == "PERMISSION_DENIED"]
    assert refused, events
    assert all(event["details"].startswith("Error (delete)\n") for event in refused)
    started = [event for event in events if event["code"] == "STARTED"]
    assert json.loads(started[0]["details"])["type"] == "Sandbox delete"

    transfer = globus_sdk.TransferData(OMGTACOS_ID, OMGTACOS_ID)
    transfer.add_item("/~/README.txt", "/~/README copy.txt")
    copying = wait_done(tc, tc.submit_transfer(transfer)["task_id"])
    assert copying["status"] == "SUCCEEDED"
    started = [e for e in _events(tc, copying["task_id"]) if e["code"] == "STARTED"]
    assert json.loads(started[0]["details"])["type"] == "Sandbox transfer"


def test_folder_without_recursive_fails_with_reason(
    tc: globus_sdk.TransferClient,
) -> None:
    transfer = globus_sdk.TransferData(OMGTACOS_ID, OMGTACOS_ID)
    transfer.add_item("/~/data", "/~/dd")
    copying = wait_done(tc, tc.submit_transfer(transfer)["task_id"])
    assert copying["status"] == "FAILED"
    reason = copying["fatal_error"]["description"]
    assert reason.endswith("data is a directory; submit it with recursive set")

    delete = globus_sdk.DeleteData(OMGTACOS_ID)
    delete.add_item("/~/data")
    deleting = wait_done(tc, tc.submit_delete(delete)["task_id"])
    assert deleting["status"] == "FAILED"
    reason = deleting["fatal_error"]["description"]
    assert reason.endswith("data is a directory; submit the delete with recursive set")
    faults = [e for e in _events(tc, deleting["task_id"]) if e["is_error"]]
    assert faults
    assert all(event["description"] == reason for event in faults)


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"latency_ms": 1e308}, "latency_ms"),
        ({"latency_ms": 60_001}, "latency_ms"),
        ({"latency_ms": "x"}, "latency_ms"),
        ({"latency_ms": 1.5}, "latency_ms"),
        ({"error_statuses": "x"}, "error_statuses"),
        ({"error_rate": "x"}, "error_rate"),
        ({"access_token_lifetime": 1e308}, "access_token_lifetime"),
    ],
)
def test_options_route_rejects_bad_value(
    sandbox: Sandbox, changes: dict[str, t.Any], named: str
) -> None:
    url = f"{sandbox.url}/_sandbox/options"
    before = requests.get(url, timeout=5).json()

    rejected = requests.post(url, json={"error_rate": 0.5, **changes}, timeout=5)

    assert rejected.status_code == 400
    assert named in rejected.json()["message"]
    # A rejected change leaves every option as it was, the valid ones included.
    assert requests.get(url, timeout=5).json() == before


def test_options_route_accepts_max_latency(sandbox: Sandbox) -> None:
    url = f"{sandbox.url}/_sandbox/options"
    changed = requests.post(url, json={"latency_ms": 60_000}, timeout=5)
    assert changed.status_code == 200
    assert changed.json()["latency_ms"] == 60_000
    sandbox.state.options.latency_ms = 0


@pytest.mark.parametrize("route", ["revoke", "expire-tokens"])
@pytest.mark.parametrize("identity_id", [5, ["x"], "no-such-identity"])
def test_token_routes_reject_bad_identity(
    sandbox: Sandbox, route: str, identity_id: t.Any
) -> None:
    answer = requests.post(
        f"{sandbox.url}/_sandbox/{route}", json={"identity_id": identity_id}, timeout=5
    )
    assert answer.status_code == 400
    assert "identity_id" in answer.json()["message"]
