"""Login: paste and redirect flows, codes, states, scopes, client IDs."""

from __future__ import annotations

import json
import urllib.parse
from pathlib import Path

import pytest

from tests.utils import login_with_sandbox, sandbox_authorize
from tunel_jupyter.errors import LoginRequired, UsageError
from tunel_jupyter.globus import Environment, GlobusSession, Identity
from tunel_jupyter.globus import login as login_module
from tunel_jupyter.sandbox import Sandbox

TRANSFER_ALL = "urn:globus:auth:scope:transfer.api.globus.org:all"


def query(url: str) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))


def stored_tokens(globus_env: dict[str, str]) -> str:
    path = Path(globus_env["JUPYTER_DATA_DIR"]) / "tunel" / "globus" / "tokens.json"
    return path.read_text() if path.exists() else ""


def test_paste_flow_url(session: GlobusSession, sandbox: Sandbox) -> None:
    request = session.start_login()

    assert request.flow == "paste"
    assert request.redirect_uri == sandbox.auth_url + "v2/web/auth-code"
    assert request.authorize_url.startswith(sandbox.auth_url + "v2/oauth2/authorize?")
    params = query(request.authorize_url)
    assert params["redirect_uri"] == request.redirect_uri
    assert params["state"] == request.state
    assert params["access_type"] == "offline"
    assert params["code_challenge_method"] == "S256"
    assert set(params["scope"].split()) >= {"openid", "profile", "email", TRANSFER_ALL}
    assert "code_verifier" not in params


def test_paste_flow_logs_in(session: GlobusSession, sandbox: Sandbox) -> None:
    request = session.start_login()
    code, _ = sandbox_authorize(request.authorize_url)

    # A pasted code often carries spaces or a line break.
    identity = session.finish_login(f"  {code[:5]} {code[5:]}\n")

    assert identity.username == "ada@example.org"
    status = session.status()
    assert status.logged_in
    assert status.identity == identity
    assert status.expires_at is not None
    assert session.check().logged_in


def test_redirect_flow_logs_in(session: GlobusSession) -> None:
    callback = "http://127.0.0.1:8888/tunel/globus/login/callback"
    request = session.start_login(redirect_uri=callback)

    assert request.flow == "redirect"
    assert query(request.authorize_url)["redirect_uri"] == callback
    code, state = sandbox_authorize(request.authorize_url)
    assert state == request.state

    identity = session.finish_login(code, state=state)
    assert identity.email == "ada@example.org"
    assert session.status().logged_in


def test_paste_flow_with_own_redirect(session: GlobusSession) -> None:
    redirect = "http://127.0.0.1:8888/tunel/sandbox/v2/web/auth-code"
    request = session.start_login(redirect_uri=redirect, flow="paste")
    assert request.flow == "paste"
    code, _ = sandbox_authorize(request.authorize_url)
    assert session.finish_login(code).username == "ada@example.org"


def test_browser_url_used_for_authorize_only(
    globus_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    sandbox: Sandbox,
) -> None:
    monkeypatch.setenv("TUNEL_GLOBUS_AUTH_BROWSER_URL", "/user/ada/tunel/sandbox/")
    session = GlobusSession(max_retries=0)
    assert session.environment.browser_auth_url == "/user/ada/tunel/sandbox/"

    request = session.start_login()

    assert request.authorize_url.startswith("/user/ada/tunel/sandbox/v2/oauth2/")
    # Globus sends the code to the sandbox's own page; tokens come from auth_url.
    assert request.redirect_uri == sandbox.auth_url + "v2/web/auth-code"
    code, _ = sandbox_authorize(
        sandbox.url + request.authorize_url.replace("/user/ada/tunel/sandbox", "/auth")
    )
    assert session.finish_login(code).username == "ada@example.org"


def test_wrong_code_keeps_tokens(
    session: GlobusSession, identity: Identity, globus_env: dict[str, str]
) -> None:
    before = stored_tokens(globus_env)
    session.start_login()

    with pytest.raises(UsageError, match="rejected the authorization code") as caught:
        session.finish_login("not-a-real-code")

    assert caught.value.field == "code"
    assert "not-a-real-code" not in caught.value.message
    assert stored_tokens(globus_env) == before
    assert session.status().logged_in


def test_reused_code_is_rejected(
    session: GlobusSession, globus_env: dict[str, str]
) -> None:
    first = session.start_login()
    code, _ = sandbox_authorize(first.authorize_url)
    session.finish_login(code, state=first.state)
    before = stored_tokens(globus_env)

    # The same state cannot finish twice.
    with pytest.raises(LoginRequired, match="already completed"):
        session.finish_login(code, state=first.state)

    # Nor does a used code finish another login.
    second = session.start_login()
    with pytest.raises(UsageError, match="already used"):
        session.finish_login(code, state=second.state)
    assert stored_tokens(globus_env) == before


def test_expired_state_is_rejected(
    session: GlobusSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(login_module, "LOGIN_TTL_SECONDS", -1)
    request = session.start_login()
    code, _ = sandbox_authorize(request.authorize_url)

    with pytest.raises(LoginRequired, match="expired"):
        session.finish_login(code, state=request.state)
    assert not session.status().logged_in


def test_unknown_state_is_rejected(session: GlobusSession) -> None:
    session.start_login()
    with pytest.raises(LoginRequired, match="start a new one"):
        session.finish_login("abc", state="made-up-state")


def test_finish_without_login_in_progress(session: GlobusSession) -> None:
    with pytest.raises(LoginRequired, match="No login is in progress"):
        session.finish_login("abc")


def test_empty_code_is_usage_error(session: GlobusSession) -> None:
    session.start_login()
    with pytest.raises(UsageError, match="empty"):
        session.finish_login("  \n")


def test_verifier_stays_in_process(session: GlobusSession) -> None:
    request = session.start_login()
    pending = session._pending.take(request.state)
    assert pending.verifier not in json.dumps(request.to_dict())
    assert pending.verifier not in request.authorize_url


def test_required_scopes_and_session_in_url(
    session: GlobusSession, identity: Identity
) -> None:
    collection = "6c4d4c2e-1111-4a57-8d47-3b2f0a8f1e11"
    data_access = (
        f"{TRANSFER_ALL}[*https://auth.globus.org/scopes/{collection}/data_access]"
    )
    request = session.start_login(
        required_scopes=[data_access],
        session_requirements={
            "session_required_single_domain": "secure.example.net",
            "session_required_mfa": True,
            "session_message": "The collection needs a secure login",
            "prompt": "login",
        },
    )
    params = query(request.authorize_url)

    scopes = params["scope"].split()
    assert data_access in scopes
    assert TRANSFER_ALL not in scopes, "transfer:all merges with its dependency"
    assert {"openid", "profile", "email"} <= set(scopes)
    assert params["session_required_single_domain"] == "secure.example.net"
    assert params["session_required_mfa"] == "True"
    assert params["session_message"] == "The collection needs a secure login"
    assert params["prompt"] == "login"

    code, _ = sandbox_authorize(request.authorize_url)
    session.finish_login(code, state=request.state)

    # The next login requests the data_access consent obtained here again.
    assert data_access in query(session.start_login().authorize_url)["scope"].split()


@pytest.mark.parametrize(
    ("requirements", "message"),
    [
        ({"session_required_color": "blue"}, "Unknown session requirement"),
        ({"session_required_mfa": "yes"}, "session_required_mfa"),
        ({"prompt": "consent"}, "prompt"),
    ],
)
def test_bad_session_requirements(
    session: GlobusSession, requirements: dict[str, object], message: str
) -> None:
    with pytest.raises(UsageError, match=message):
        session.start_login(session_requirements=requirements)


def test_bad_flow_name(session: GlobusSession) -> None:
    with pytest.raises(UsageError, match="'popup'"):
        session.start_login(flow="popup")


def test_client_id_resolution(
    globus_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox_client = globus_env["TUNEL_GLOBUS_CLIENT_ID"]
    explicit = "0a7d8d47-0000-4000-8000-000000000001"

    assert GlobusSession().resolve_client_id() == sandbox_client
    assert GlobusSession(client_id=explicit).resolve_client_id() == explicit

    login_with_sandbox(GlobusSession())
    monkeypatch.delenv("TUNEL_GLOBUS_CLIENT_ID")
    # Kernels and the command line refresh with the ID stored at login.
    assert GlobusSession().resolve_client_id() == sandbox_client
    assert GlobusSession(client_id=explicit).resolve_client_id() == explicit


def test_no_client_id_for_real_globus(
    globus_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TUNEL_GLOBUS_CLIENT_ID")
    session = GlobusSession(
        environment=Environment.from_urls(
            "https://auth.globus.org/", "https://transfer.api.globus.org/"
        )
    )
    with pytest.raises(UsageError) as caught:
        session.start_login()
    message = caught.value.message
    assert "Register a thick client or script" in message
    assert "TUNEL_GLOBUS_CLIENT_ID" in message
    assert "c.TunelGlobus.client_id" in message


def test_no_client_id_for_sandbox(
    globus_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TUNEL_GLOBUS_CLIENT_ID")
    with pytest.raises(UsageError, match="tunel-globus sandbox"):
        GlobusSession().start_login()


def test_confidential_client_logs_in(
    globus_env: dict[str, str], sandbox: Sandbox
) -> None:
    client_id, secret = sandbox.confidential_client
    session = GlobusSession(client_id=client_id, client_secret=secret, max_retries=0)
    assert not session.status().logged_in

    status = session.check()

    assert status.logged_in
    assert status.identity is not None
    assert status.identity.id == client_id
    with pytest.raises(UsageError, match="secret"):
        session.start_login()


def test_environment_detection(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GLOBUS_SDK_SERVICE_URL_AUTH", "GLOBUS_SDK_SERVICE_URL_TRANSFER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("GLOBUS_SDK_ENVIRONMENT", raising=False)
    real = Environment.current()
    assert real.auth_url == "https://auth.globus.org/"
    assert real.transfer_url == "https://transfer.api.globus.org/"
    assert not real.is_sandbox
    assert real.label == "Globus"

    monkeypatch.setenv("GLOBUS_SDK_ENVIRONMENT", "preview")
    assert not Environment.current().is_sandbox

    local = Environment.from_urls("http://127.0.0.1:9/auth", "http://127.0.0.1:9/t")
    assert local.is_sandbox
    assert local.auth_url == "http://127.0.0.1:9/auth/"
    assert local.label == "tunel-jupyter sandbox at http://127.0.0.1:9/auth/"
    assert Environment.from_urls("https://auth.example.org/", "https://t/").is_sandbox


def test_unknown_environment_name(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GLOBUS_SDK_SERVICE_URL_AUTH", "GLOBUS_SDK_SERVICE_URL_TRANSFER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GLOBUS_SDK_ENVIRONMENT", "moon")
    with pytest.raises(UsageError, match="'moon'"):
        Environment.current()

    monkeypatch.setenv("GLOBUS_SDK_SERVICE_URL_AUTH", "http://127.0.0.1:9/auth/")
    monkeypatch.setenv("GLOBUS_SDK_SERVICE_URL_TRANSFER", "http://127.0.0.1:9/t/")
    assert Environment.current().name == "moon"
