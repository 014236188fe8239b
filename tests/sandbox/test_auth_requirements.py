"""Consent and session requirements: Transfer asks, Auth grants, Transfer allows."""

from __future__ import annotations

import typing as t

import globus_sdk
import pytest
from globus_sdk.gare import to_gare
from globus_sdk.scopes import AuthScopes, ScopeParser, TransferScopes

from tunel_jupyter.sandbox import Sandbox

MAPPED_COLLECTION = "0b5c4a8e-6f0e-4c3a-9d5e-2f1a7b8c9d01"
HIGH_ASSURANCE_COLLECTION = "0b5c4a8e-6f0e-4c3a-9d5e-2f1a7b8c9d02"


def transfer_client(tokens: globus_sdk.OAuthTokenResponse) -> globus_sdk.TransferClient:
    access = tokens.by_resource_server["transfer.api.globus.org"]["access_token"]
    client = globus_sdk.TransferClient(
        authorizer=globus_sdk.AccessTokenAuthorizer(access)
    )
    client.retry_config.max_retries = 0
    return client


def test_consent_required_then_granted(
    sandbox: Sandbox, login: t.Callable[..., globus_sdk.OAuthTokenResponse]
) -> None:
    with pytest.raises(globus_sdk.TransferAPIError) as caught:
        transfer_client(login()).operation_ls(MAPPED_COLLECTION, path="/")
    assert caught.value.http_status == 403
    assert caught.value.code == "ConsentRequired"
    gare = to_gare(caught.value)
    assert gare is not None
    required = gare.authorization_parameters.required_scopes
    assert required is not None

    # Log in again with the scopes the error names, merged as an app would.
    merged = ScopeParser.merge_scopes(
        ScopeParser.parse(str(TransferScopes.all)),
        [scope for text in required for scope in ScopeParser.parse(text)],
    )
    again = login([AuthScopes.openid, *merged])
    listing = transfer_client(again).operation_ls(MAPPED_COLLECTION, path="/")
    assert listing["DATA_TYPE"] == "file_list"

    # The consent outlives the login: a plain transfer:all login now works too.
    third = login()
    assert transfer_client(third).operation_ls(MAPPED_COLLECTION, path="/")


def test_high_assurance_needs_domain(
    sandbox: Sandbox, login: t.Callable[..., globus_sdk.OAuthTokenResponse]
) -> None:
    with pytest.raises(globus_sdk.TransferAPIError) as caught:
        transfer_client(login()).operation_ls(HIGH_ASSURANCE_COLLECTION, path="/")
    assert caught.value.http_status == 403
    gare = to_gare(caught.value)
    assert gare is not None
    domains = gare.authorization_parameters.session_required_single_domain
    assert domains == ["secure.example.net"]

    again = login(session_required_single_domain=domains, prompt="login")
    listing = transfer_client(again).operation_ls(HIGH_ASSURANCE_COLLECTION, path="/")
    assert listing["DATA_TYPE"] == "file_list"


def test_refreshed_token_keeps_session(
    sandbox: Sandbox,
    login: t.Callable[..., globus_sdk.OAuthTokenResponse],
    native_client: globus_sdk.NativeAppAuthClient,
) -> None:
    tokens = login(session_required_single_domain="secure.example.net")
    refresh_token = tokens.by_resource_server["transfer.api.globus.org"][
        "refresh_token"
    ]
    refreshed = native_client.oauth2_refresh_token(refresh_token)
    listing = transfer_client(refreshed).operation_ls(
        HIGH_ASSURANCE_COLLECTION, path="/"
    )
    assert listing["DATA_TYPE"] == "file_list"
