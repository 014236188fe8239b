"""Fixtures for the sandbox tests: an SDK client and a login as the default user."""

from __future__ import annotations

import typing as t

import globus_sdk
import pytest
from globus_sdk.scopes import AuthScopes, TransferScopes
from tests.utils import sandbox_authorize

# openid and the Transfer scope, as tunel-jupyter logs in.
DEFAULT_SCOPES = [
    AuthScopes.openid,
    AuthScopes.profile,
    AuthScopes.email,
    TransferScopes.all,
]


@pytest.fixture
def native_client(
    globus_env: dict[str, str],
) -> t.Iterator[globus_sdk.NativeAppAuthClient]:
    client = globus_sdk.NativeAppAuthClient(
        globus_env["TUNEL_GLOBUS_CLIENT_ID"], app_name="tunel-jupyter tests"
    )
    with client.retry_config.tune(max_retries=0):
        yield client


@pytest.fixture
def login(
    native_client: globus_sdk.NativeAppAuthClient,
) -> t.Callable[..., globus_sdk.OAuthTokenResponse]:
    """Log the default identity in with PKCE; keyword arguments go to the URL."""

    def run(
        scopes: t.Sequence[t.Any] = tuple(DEFAULT_SCOPES), **authorize_params: t.Any
    ) -> globus_sdk.OAuthTokenResponse:
        native_client.oauth2_start_flow(list(scopes), refresh_tokens=True)
        url = native_client.oauth2_get_authorize_url(**authorize_params)
        code, _ = sandbox_authorize(url)
        return native_client.oauth2_exchange_code_for_tokens(code)

    return run
