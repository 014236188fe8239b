"""The sandbox's browser pages and its error responses to malformed requests."""

from __future__ import annotations

import re
import typing as t
from urllib.parse import parse_qs, urljoin, urlsplit

import globus_sdk
import pytest
import requests
from globus_sdk.scopes import AuthScopes, TransferScopes

from tunel_jupyter.sandbox import Sandbox

BANNER = "tunel-jupyter sandbox \N{EM DASH} not Globus"


def form_id_of(page: str) -> str:
    match = re.search(r'name="form_id" value="([^"]+)"', page)
    assert match, "authorize page has no form_id field"
    return match.group(1)


def start_flow(client: globus_sdk.NativeAppAuthClient, **params: t.Any) -> str:
    client.oauth2_start_flow(
        [AuthScopes.openid, TransferScopes.all], refresh_tokens=True
    )
    return client.oauth2_get_authorize_url(**params)


def test_allow_shows_auth_code(
    sandbox: Sandbox, native_client: globus_sdk.NativeAppAuthClient
) -> None:
    url = start_flow(native_client, session_message="Access the HA collection")
    session = requests.Session()
    page = session.get(url, timeout=5)
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert BANNER in page.text
    assert "ada@example.org" in page.text
    assert str(TransferScopes.all) in page.text
    assert "Access the HA collection" in page.text
    assert 'action="authorize"' in page.text

    allowed = session.post(
        urljoin(url, "authorize"),
        data={"form_id": form_id_of(page.text), "decision": "allow"},
        allow_redirects=False,
        timeout=5,
    )
    assert allowed.status_code == 302
    location = allowed.headers["Location"]
    # Relative, so it works when the page is reached through a proxy prefix.
    assert location.startswith("../web/auth-code?")
    query = parse_qs(urlsplit(location).query)
    assert query["state"] == ["_default"]

    code_page = session.get(urljoin(allowed.url, location), timeout=5)
    assert code_page.status_code == 200
    assert urlsplit(code_page.url).path == "/auth/v2/web/auth-code"
    assert BANNER in code_page.text
    code = query["code"][0]
    assert code in code_page.text
    tokens = native_client.oauth2_exchange_code_for_tokens(code)
    assert tokens.decode_id_token()["preferred_username"] == "ada@example.org"


def test_form_single_use(
    sandbox: Sandbox, native_client: globus_sdk.NativeAppAuthClient
) -> None:
    url = start_flow(native_client)
    form_id = form_id_of(requests.get(url, timeout=5).text)
    data = {"form_id": form_id, "decision": "allow"}
    first = requests.post(
        urljoin(url, "authorize"), data=data, allow_redirects=False, timeout=5
    )
    assert first.status_code == 302
    second = requests.post(
        urljoin(url, "authorize"), data=data, allow_redirects=False, timeout=5
    )
    assert second.status_code == 400
    assert "expired" in second.text
    forged = requests.post(
        urljoin(url, "authorize"),
        data={"form_id": "guessed", "decision": "allow"},
        allow_redirects=False,
        timeout=5,
    )
    assert forged.status_code == 400


def test_deny_redirects_access_denied(
    sandbox: Sandbox, native_client: globus_sdk.NativeAppAuthClient
) -> None:
    native_client.oauth2_start_flow(
        [AuthScopes.openid], redirect_uri="http://127.0.0.1:9/callback"
    )
    url = native_client.oauth2_get_authorize_url()
    form_id = form_id_of(requests.get(url, timeout=5).text)
    denied = requests.post(
        urljoin(url, "authorize"),
        data={"form_id": form_id, "decision": "deny"},
        allow_redirects=False,
        timeout=5,
    )
    assert denied.status_code == 302
    location = urlsplit(denied.headers["Location"])
    assert location.netloc == "127.0.0.1:9"
    assert parse_qs(location.query)["error"] == ["access_denied"]


def test_loopback_redirect_gets_code(
    sandbox: Sandbox, native_client: globus_sdk.NativeAppAuthClient
) -> None:
    native_client.oauth2_start_flow(
        [AuthScopes.openid],
        redirect_uri="http://localhost:8765/done?x=1",
        state="abc",
    )
    url = native_client.oauth2_get_authorize_url()
    form_id = form_id_of(requests.get(url, timeout=5).text)
    allowed = requests.post(
        urljoin(url, "authorize"),
        data={"form_id": form_id, "decision": "allow"},
        allow_redirects=False,
        timeout=5,
    )
    location = urlsplit(allowed.headers["Location"])
    assert location.netloc == "localhost:8765"
    query = parse_qs(location.query)
    assert query["x"] == ["1"]
    assert query["state"] == ["abc"]
    assert native_client.oauth2_exchange_code_for_tokens(query["code"][0])


def test_session_recorded(
    sandbox: Sandbox, native_client: globus_sdk.NativeAppAuthClient
) -> None:
    url = start_flow(
        native_client,
        session_required_identities=["ada@secure.example.net"],
        session_required_mfa=True,
        prompt="login",
    )
    answer = requests.get(url, headers={"Accept": "application/json"}, timeout=5)
    tokens = native_client.oauth2_exchange_code_for_tokens(answer.json()["code"])
    access = tokens.by_resource_server["transfer.api.globus.org"]["access_token"]
    token = sandbox.state.lookup_access_token(access)
    assert token is not None
    assert token.session_domains() == {"example.org", "secure.example.net"}
    assert token.session["mfa"] is True
    assert token.session["prompt"] == "login"


@pytest.mark.parametrize(
    ("method", "path", "data", "status", "error"),
    [
        ("POST", "v2/oauth2/token", {}, 400, "unsupported_grant_type"),
        (
            "POST",
            "v2/oauth2/token",
            {"grant_type": "authorization_code", "code": "nope"},
            401,
            "invalid_client",
        ),
        (
            "POST",
            "v2/oauth2/token",
            {"grant_type": "refresh_token", "refresh_token": "x", "client_id": ""},
            401,
            "invalid_client",
        ),
    ],
)
def test_token_errors_oauth_shape(
    sandbox: Sandbox,
    method: str,
    path: str,
    data: dict[str, str],
    status: int,
    error: str,
) -> None:
    response = requests.request(method, sandbox.auth_url + path, data=data, timeout=5)
    assert response.status_code == status
    assert response.json()["error"] == error
    assert "Traceback" not in response.text


def test_api_errors_json(sandbox: Sandbox) -> None:
    userinfo = requests.get(f"{sandbox.auth_url}v2/oauth2/userinfo", timeout=5)
    assert userinfo.status_code == 401
    assert userinfo.json()["errors"][0]["code"] == "UNAUTHORIZED"

    bogus = requests.get(
        f"{sandbox.auth_url}v2/api/identities",
        headers={"Authorization": "Bearer not-a-token"},
        timeout=5,
    )
    assert bogus.status_code == 401

    wrong_method = requests.delete(f"{sandbox.auth_url}v2/oauth2/token", timeout=5)
    assert wrong_method.status_code == 405
    assert wrong_method.headers["Content-Type"].startswith("application/json")

    bad_json = requests.post(
        f"{sandbox.auth_url}v2/api/clients", data="{not json", timeout=5
    )
    assert bad_json.status_code == 400
    assert "<html" not in bad_json.text.lower()


def test_discovery_documents(sandbox: Sandbox, globus_env: dict[str, str]) -> None:
    client = globus_sdk.NativeAppAuthClient(sandbox.native_client_id)
    config = client.get_openid_configuration()
    assert config["jwks_uri"] == f"{sandbox.auth_url}jwk.json"
    assert config["id_token_signing_alg_values_supported"] == ["RS512"]
    key = client.get_jwk(openid_configuration=config, as_pem=True)
    assert key.key_size == 2048
