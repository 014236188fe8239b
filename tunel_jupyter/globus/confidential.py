"""Confidential clients: tokens by the client-credentials grant, for automation.

A confidential client (client ID and secret) acts as itself, so it needs no
browser and no refresh token. When its access token expires, it requests a new one.
The tokens are still written to the store, so ``status()`` reports the login.
"""

from __future__ import annotations

import logging
import typing as t

import globus_sdk
from globus_sdk.token_storage import TokenStorageData

from .errors import translated
from .scopes import TRANSFER_ALL, TRANSFER_RESOURCE_SERVER
from .token_storage import SharedTokenStorage

log = logging.getLogger(__name__)

CLIENT_SCOPES = (TRANSFER_ALL,)


def client_identity(client_id: str) -> dict[str, t.Any]:
    """Return the identity a client acts as (Globus Auth gives it the client's ID)."""
    return {
        "id": client_id,
        "username": f"{client_id}@clients.auth.globus.org",
        "name": None,
        "email": None,
    }


def client_credentials_login(
    client: globus_sdk.ConfidentialAppAuthClient, storage: SharedTokenStorage
) -> None:
    """Get tokens for the client itself and store them as the environment's login."""
    with translated("get tokens for the confidential client"):
        response = client.oauth2_client_credentials_tokens(list(CLIENT_SCOPES))
    client_id = str(client.client_id)
    storage.save_login(
        client_id=client_id,
        identity=client_identity(client_id),
        scopes=CLIENT_SCOPES,
        token_data_by_resource_server=_token_data(response, client_id),
    )
    log.info("Logged in to Globus as the confidential client %s", client_id)


class StoringClientCredentialsAuthorizer(globus_sdk.ClientCredentialsAuthorizer):
    """A ``ClientCredentialsAuthorizer`` that starts from, and writes to, the store."""

    def __init__(
        self,
        client: globus_sdk.ConfidentialAppAuthClient,
        storage: SharedTokenStorage,
    ) -> None:
        self._storage = storage
        stored = storage.get_token_data(TRANSFER_RESOURCE_SERVER)
        super().__init__(
            client,
            list(CLIENT_SCOPES),
            access_token=stored.access_token if stored else None,
            expires_at=stored.expires_at_seconds if stored else None,
            on_refresh=self._store,
        )

    def _store(self, response: globus_sdk.OAuthClientCredentialsResponse) -> None:
        self._storage.store_token_data_by_resource_server(
            _token_data(response, str(self.confidential_client.client_id))
        )


def _token_data(
    response: globus_sdk.OAuthTokenResponse, client_id: str
) -> dict[str, TokenStorageData]:
    from .login import token_data_from_response

    return token_data_from_response(response, client_id)
