"""Problems a new user ran into with the sandbox's login pages."""

from __future__ import annotations

import re
import socket
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import globus_sdk
import pytest
import requests
from globus_sdk.scopes import AuthScopes

from tunel_jupyter.sandbox import Sandbox
from tunel_jupyter.sandbox import cli as sandbox_cli


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
