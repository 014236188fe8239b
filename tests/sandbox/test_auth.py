"""The sandbox's Globus Auth, driven by the real globus-sdk over loopback HTTP."""

from __future__ import annotations

import typing as t
import uuid

import globus_sdk
import pytest
import requests
from globus_sdk.scopes import AuthScopes, TransferScopes
from tests.utils import sandbox_authorize

from tunel_jupyter.sandbox import Sandbox

LOGIN_SCOPES = [
    AuthScopes.openid,
    AuthScopes.profile,
    AuthScopes.email,
    TransferScopes.all,
]


def default_identity(sandbox: Sandbox) -> dict[str, t.Any]:
    state = sandbox.state
    return state.identities[state.default_identity_id].to_dict()


def transfer_data_access(collection_id: str) -> str:
    return (
        f"{TransferScopes.all}[*https://auth.globus.org/scopes/{collection_id}"
        "/data_access]"
    )


def log_entries(sandbox: Sandbox) -> list[dict[str, t.Any]]:
    response = requests.get(f"{sandbox.url}/_sandbox/requests", timeout=5)
    return response.json()["requests"]


def test_login_pkce_tokens(sandbox: Sandbox, login: t.Callable[..., t.Any]) -> None:
    tokens = login()
    by_server = tokens.by_resource_server
    assert set(by_server) == {"auth.globus.org", "transfer.api.globus.org"}
    assert by_server["transfer.api.globus.org"]["scope"] == str(TransferScopes.all)
    assert by_server["auth.globus.org"]["refresh_token"]
    assert by_server["transfer.api.globus.org"]["refresh_token"]
    assert tokens["other_tokens"][0]["resource_server"] == "transfer.api.globus.org"
    assert tokens["state"] == "_default"


def test_id_token_decodes(sandbox: Sandbox, login: t.Callable[..., t.Any]) -> None:
    tokens = login()
    claims = tokens.decode_id_token()
    identity = default_identity(sandbox)
    assert claims["sub"] == identity["id"]
    assert claims["preferred_username"] == identity["username"]
    assert claims["aud"] == sandbox.native_client_id


def test_user_app_stores_login(
    sandbox: Sandbox, login: t.Callable[..., t.Any], globus_env: dict[str, str]
) -> None:
    app = globus_sdk.UserApp(
        "tunel-jupyter tests",
        client_id=sandbox.native_client_id,
        config=globus_sdk.GlobusAppConfig(
            token_storage="memory",
            request_refresh_tokens=True,
            token_validation_error_handler=None,
        ),
    )
    auth = globus_sdk.AuthClient(app=app)
    # The validating storage decodes the id_token and checks the root scopes.
    app.token_storage.store_token_response(login())
    assert not app.login_required()
    assert auth.userinfo()["sub"] == default_identity(sandbox)["id"]


def test_refresh_after_expiry(sandbox: Sandbox, login: t.Callable[..., t.Any]) -> None:
    tokens = login().by_resource_server["auth.globus.org"]
    authorizer = globus_sdk.RefreshTokenAuthorizer(
        tokens["refresh_token"],
        globus_sdk.NativeAppAuthClient(sandbox.native_client_id),
        access_token=tokens["access_token"],
        expires_at=tokens["expires_at_seconds"],
    )
    auth = globus_sdk.AuthClient(authorizer=authorizer)
    assert auth.userinfo()["sub"] == default_identity(sandbox)["id"]

    expired = requests.post(f"{sandbox.url}/_sandbox/expire-tokens", timeout=5)
    assert expired.json()["expired"] >= 2
    requests.post(f"{sandbox.url}/_sandbox/requests", timeout=5)

    assert auth.userinfo()["sub"] == default_identity(sandbox)["id"]
    calls = [
        (e["path"], e["status"], e.get("grant_type")) for e in log_entries(sandbox)
    ]
    assert calls == [
        ("/auth/v2/oauth2/userinfo", 401, None),
        ("/auth/v2/oauth2/token", 200, "refresh_token"),
        ("/auth/v2/oauth2/userinfo", 200, None),
    ]
    assert authorizer.access_token != tokens["access_token"]


def test_refresh_returns_one_token(
    sandbox: Sandbox, login: t.Callable[..., t.Any], native_client: t.Any
) -> None:
    refresh_token = login().by_resource_server["transfer.api.globus.org"][
        "refresh_token"
    ]
    answer = native_client.oauth2_refresh_token(refresh_token)
    assert answer["other_tokens"] == []
    assert answer["refresh_token"] == refresh_token
    assert answer["resource_server"] == "transfer.api.globus.org"
    assert list(answer.by_resource_server) == ["transfer.api.globus.org"]


def test_refresh_rotation(
    sandbox: Sandbox, login: t.Callable[..., t.Any], native_client: t.Any
) -> None:
    requests.post(
        f"{sandbox.url}/_sandbox/options",
        json={"rotate_refresh_tokens": True},
        timeout=5,
    ).raise_for_status()
    first = login().by_resource_server["transfer.api.globus.org"]["refresh_token"]
    second = native_client.oauth2_refresh_token(first)["refresh_token"]
    assert second != first
    assert native_client.oauth2_refresh_token(second)["access_token"]
    with pytest.raises(globus_sdk.AuthAPIError) as caught:
        native_client.oauth2_refresh_token(first)
    assert caught.value.http_status == 401
    assert caught.value.raw_json["error"] == "invalid_grant"


def test_revoked_refresh_invalid_grant(
    sandbox: Sandbox, login: t.Callable[..., t.Any], native_client: t.Any
) -> None:
    tokens = login().by_resource_server["transfer.api.globus.org"]
    revoked = requests.post(f"{sandbox.url}/_sandbox/revoke", json={}, timeout=5)
    assert revoked.json()["revoked"] == 2
    with pytest.raises(globus_sdk.AuthAPIError) as caught:
        native_client.oauth2_refresh_token(tokens["refresh_token"])
    assert caught.value.http_status == 401
    assert caught.value.raw_json["error"] == "invalid_grant"
    # Access tokens made from a revoked refresh token stop working as well.
    token = sandbox.state.lookup_access_token(tokens["access_token"])
    assert token is not None
    assert not token.is_valid()


def test_sdk_revoke_then_validate(
    sandbox: Sandbox, login: t.Callable[..., t.Any], native_client: t.Any
) -> None:
    tokens = login().by_resource_server["auth.globus.org"]
    native_client.oauth2_revoke_token(tokens["refresh_token"])
    with pytest.raises(globus_sdk.AuthAPIError) as caught:
        native_client.oauth2_refresh_token(tokens["refresh_token"])
    assert caught.value.raw_json["error"] == "invalid_grant"
    authorizer = globus_sdk.AccessTokenAuthorizer(tokens["access_token"])
    with pytest.raises(globus_sdk.AuthAPIError) as unauthorized:
        globus_sdk.AuthClient(authorizer=authorizer).userinfo()
    assert unauthorized.value.http_status == 401


def test_wrong_redirect_uri_at_token(sandbox: Sandbox, native_client: t.Any) -> None:
    native_client.oauth2_start_flow(LOGIN_SCOPES, redirect_uri="http://127.0.0.1:9/a")
    code, _ = sandbox_authorize(native_client.oauth2_get_authorize_url())
    native_client.oauth2_start_flow(
        LOGIN_SCOPES,
        redirect_uri="http://127.0.0.1:9/b",
        verifier=native_client.current_oauth2_flow_manager.verifier,
    )
    with pytest.raises(globus_sdk.AuthAPIError) as caught:
        native_client.oauth2_exchange_code_for_tokens(code)
    assert caught.value.http_status == 401
    assert caught.value.raw_json["error"] == "invalid_grant"


def test_redirect_uri_not_allowed(sandbox: Sandbox, native_client: t.Any) -> None:
    native_client.oauth2_start_flow(
        LOGIN_SCOPES, redirect_uri="https://attacker.example.com/callback"
    )
    url = native_client.oauth2_get_authorize_url()
    page = requests.get(url, allow_redirects=False, timeout=5)
    assert page.status_code == 400
    assert "not allowed" in page.text
    assert "Location" not in page.headers
    scripted = requests.get(
        url, headers={"Accept": "application/json"}, allow_redirects=False, timeout=5
    )
    assert scripted.status_code == 400
    assert scripted.json()["error"] == "invalid_request"


def test_unknown_client_rejected(sandbox: Sandbox) -> None:
    response = requests.get(
        f"{sandbox.auth_url}v2/oauth2/authorize",
        params={"client_id": "not-a-uuid", "scope": "openid", "redirect_uri": "x"},
        headers={"Accept": "application/json"},
        timeout=5,
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_client"


def test_wrong_verifier_rejected(sandbox: Sandbox, native_client: t.Any) -> None:
    native_client.oauth2_start_flow(LOGIN_SCOPES)
    code, _ = sandbox_authorize(native_client.oauth2_get_authorize_url())
    native_client.oauth2_start_flow(LOGIN_SCOPES, verifier="x" * 50)
    with pytest.raises(globus_sdk.AuthAPIError) as caught:
        native_client.oauth2_exchange_code_for_tokens(code)
    assert caught.value.http_status == 401
    assert caught.value.raw_json["error"] == "invalid_grant"


def test_reused_code_rejected(sandbox: Sandbox, native_client: t.Any) -> None:
    native_client.oauth2_start_flow(LOGIN_SCOPES)
    code, _ = sandbox_authorize(native_client.oauth2_get_authorize_url())
    assert native_client.oauth2_exchange_code_for_tokens(code)["access_token"]
    with pytest.raises(globus_sdk.AuthAPIError) as caught:
        native_client.oauth2_exchange_code_for_tokens(code)
    assert caught.value.raw_json["error"] == "invalid_grant"


def test_native_client_needs_pkce(sandbox: Sandbox) -> None:
    response = requests.get(
        f"{sandbox.auth_url}v2/oauth2/authorize",
        params={
            "client_id": sandbox.native_client_id,
            "scope": "openid",
            "redirect_uri": f"{sandbox.auth_url}v2/web/auth-code",
            "response_type": "code",
        },
        headers={"Accept": "application/json"},
        timeout=5,
    )
    assert response.status_code == 400
    assert "PKCE" in response.json()["error_description"]


def test_client_credentials(sandbox: Sandbox, globus_env: dict[str, str]) -> None:
    client_id, secret = sandbox.confidential_client
    client = globus_sdk.ConfidentialAppAuthClient(client_id, secret)
    tokens = client.oauth2_client_credentials_tokens(TransferScopes.all)
    transfer = tokens.by_resource_server["transfer.api.globus.org"]
    assert "refresh_token" not in transfer or transfer["refresh_token"] is None
    token = sandbox.state.lookup_access_token(transfer["access_token"])
    assert token is not None
    assert token.identity_id == client_id

    wrong = globus_sdk.ConfidentialAppAuthClient(client_id, "wrong-secret")
    with pytest.raises(globus_sdk.AuthAPIError) as caught:
        wrong.oauth2_client_credentials_tokens(TransferScopes.all)
    assert caught.value.http_status == 401
    assert caught.value.raw_json["error"] == "invalid_client"


def test_identities_lookup(sandbox: Sandbox, login: t.Callable[..., t.Any]) -> None:
    tokens = login().by_resource_server["auth.globus.org"]
    auth = globus_sdk.AuthClient(
        authorizer=globus_sdk.AccessTokenAuthorizer(tokens["access_token"])
    )
    identity = default_identity(sandbox)
    by_name = auth.get_identities(usernames=[identity["username"], "nobody@x.test"])
    assert [i["id"] for i in by_name["identities"]] == [identity["id"]]
    by_id = auth.get_identities(ids=identity["id"])
    assert by_id["identities"][0]["username"] == identity["username"]
    # Globus names identity providers by UUID.
    assert uuid.UUID(by_id["identities"][0]["identity_provider"])


def test_dependent_scope_consent(
    sandbox: Sandbox, login: t.Callable[..., t.Any]
) -> None:
    collection_id = "8ab6b1a9-0c9a-4ca6-8bf3-47e1a4d1c4b5"
    wanted = globus_sdk.scopes.ScopeParser.parse(transfer_data_access(collection_id))
    tokens = login()
    auth = globus_sdk.AuthClient(
        authorizer=globus_sdk.AccessTokenAuthorizer(
            tokens.by_resource_server["auth.globus.org"]["access_token"]
        )
    )
    identity_id = tokens.decode_id_token()["sub"]
    assert (
        not auth.get_consents(identity_id).to_forest().meets_scope_requirements(wanted)
    )
    before = sandbox.state.lookup_access_token(
        tokens.by_resource_server["transfer.api.globus.org"]["access_token"]
    )
    assert before is not None
    assert not before.has_dependent_scope(collection_id)

    again = login([AuthScopes.openid, transfer_data_access(collection_id)])
    assert auth.get_consents(identity_id).to_forest().meets_scope_requirements(wanted)
    after = sandbox.state.lookup_access_token(
        again.by_resource_server["transfer.api.globus.org"]["access_token"]
    )
    assert after is not None
    assert after.has_dependent_scope(collection_id)
    # The token response lists root scopes only, as Globus Auth does.
    assert again.by_resource_server["transfer.api.globus.org"]["scope"] == str(
        TransferScopes.all
    )


def test_session_required_domain(
    sandbox: Sandbox, login: t.Callable[..., t.Any]
) -> None:
    tokens = login(session_required_single_domain="secure.example.net")
    token = sandbox.state.lookup_access_token(
        tokens.by_resource_server["transfer.api.globus.org"]["access_token"]
    )
    assert token is not None
    assert "secure.example.net" in token.session_domains()
    plain = login()
    plain_token = sandbox.state.lookup_access_token(
        plain.by_resource_server["transfer.api.globus.org"]["access_token"]
    )
    assert plain_token is not None
    assert plain_token.session_domains() == {"example.org"}


def test_session_unknown_domain_rejected(
    sandbox: Sandbox, native_client: t.Any
) -> None:
    native_client.oauth2_start_flow(LOGIN_SCOPES)
    url = native_client.oauth2_get_authorize_url(
        session_required_single_domain="elsewhere.example.com"
    )
    response = requests.get(url, headers={"Accept": "application/json"}, timeout=5)
    assert response.status_code == 400
    assert "elsewhere.example.com" in response.json()["error_description"]


def test_instance_client_registration(sandbox: Sandbox, native_client: t.Any) -> None:
    created = native_client.create_native_app_instance(
        sandbox.native_client_id, "Globus CLI"
    )
    credential = created["included"]["client_credential"]
    assert credential["client"] == created["client"]["id"]
    confidential = globus_sdk.ConfidentialAppAuthClient(
        credential["client"], credential["secret"]
    )
    tokens = confidential.oauth2_client_credentials_tokens(TransferScopes.all)
    assert tokens.by_resource_server["transfer.api.globus.org"]["access_token"]


def test_expire_one_identity(
    sandbox: Sandbox, login: t.Callable[..., t.Any], globus_env: dict[str, str]
) -> None:
    user = login().by_resource_server["transfer.api.globus.org"]["access_token"]
    client_id, secret = sandbox.confidential_client
    robot = (
        globus_sdk.ConfidentialAppAuthClient(client_id, secret)
        .oauth2_client_credentials_tokens(TransferScopes.all)
        .by_resource_server["transfer.api.globus.org"]["access_token"]
    )
    expired = requests.post(
        f"{sandbox.url}/_sandbox/expire-tokens",
        json={"identity_id": default_identity(sandbox)["id"]},
        timeout=5,
    )
    assert expired.json()["expired"] == 2
    user_token = sandbox.state.lookup_access_token(user)
    robot_token = sandbox.state.lookup_access_token(robot)
    assert user_token is not None
    assert robot_token is not None
    assert not user_token.is_valid()
    assert robot_token.is_valid()
