"""Client checks shared by the Auth handlers: credentials and redirect URIs."""

from __future__ import annotations

import base64
import hmac
import ipaddress
import typing as t
import uuid
from urllib.parse import urlsplit

from .base import SandboxHandler
from .state import Client

AUTH_CODE_PATH = "v2/web/auth-code"


def is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def native_client(handler: SandboxHandler, client_id: str) -> Client:
    """Return the client for ``client_id``; any unknown UUID is a native client."""
    state = handler.state
    with state.lock:
        client = state.clients.get(client_id)
    if client is not None:
        return client
    if not is_uuid(client_id):
        handler.oauth_error(
            401, "invalid_client", f"Unknown client_id {client_id!r}; use a UUID."
        )
    return Client(client_id=client_id, name=f"Native app {client_id}")


def authenticate_client(
    handler: SandboxHandler, *, require_secret: bool = False
) -> Client:
    """Identify the calling client from HTTP Basic or a ``client_id`` form field.

    Basic credentials must match a confidential client. A bare ``client_id`` names
    a native client; a confidential client must present its secret.
    """
    header = handler.request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode()
        except ValueError:
            handler.oauth_error(401, "invalid_client", "Malformed Basic credentials.")
        client_id, _, secret = decoded.partition(":")
        with handler.state.lock:
            client = handler.state.clients.get(client_id)
        if (
            client is None
            or client.secret is None
            or not hmac.compare_digest(client.secret, secret)
        ):
            handler.oauth_error(401, "invalid_client", "Invalid client credentials.")
        return client

    client_id = handler.get_body_argument("client_id", "") or handler.get_argument(
        "client_id", ""
    )
    if require_secret or not client_id:
        handler.oauth_error(
            401, "invalid_client", "Client authentication required (HTTP Basic)."
        )
    client = native_client(handler, client_id)
    if client.is_confidential:
        handler.oauth_error(
            401, "invalid_client", "This client must authenticate with its secret."
        )
    return client


def redirect_uri_allowed(
    handler: SandboxHandler, client: Client, redirect_uri: str
) -> bool:
    """Allow the auth-code page, any loopback URI, and the client's own list."""
    if redirect_uri in client.redirect_uris:
        return True
    if is_auth_code_page(handler, redirect_uri):
        return True
    parts = urlsplit(redirect_uri)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    if parts.hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False


def is_auth_code_page(handler: SandboxHandler, redirect_uri: str) -> bool:
    """Return whether ``redirect_uri`` is this sandbox's own auth-code page."""
    candidates: t.Iterable[str] = (
        f"{handler.state.base_url}/auth/{AUTH_CODE_PATH}",
        f"{handler.service_base_url}{AUTH_CODE_PATH}",
    )
    return redirect_uri.split("?", 1)[0] in candidates
