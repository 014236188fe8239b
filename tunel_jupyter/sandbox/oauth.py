"""Globus Auth's token routes: token, revoke, validate, introspect."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

from .base import SandboxHandler
from .clients import authenticate_client
from .grants import UnknownScopeError, issue_tokens, refresh_access_token
from .records import Client
from .scopes import parse_scopes


class TokenHandler(SandboxHandler):
    """``POST /v2/oauth2/token`` for the three grants Globus apps use."""

    def post(self) -> None:
        grant_type = self.get_body_argument("grant_type", "")
        self.log_extra["grant_type"] = grant_type
        if grant_type == "authorization_code":
            self._authorization_code()
        elif grant_type == "refresh_token":
            self._refresh_token()
        elif grant_type == "client_credentials":
            self._client_credentials()
        else:
            self.oauth_error(
                400,
                "unsupported_grant_type",
                f"grant_type {grant_type!r} is not supported.",
            )

    def _authorization_code(self) -> None:
        client = authenticate_client(self)
        code_value = self.get_body_argument("code", "")
        with self.state.lock:
            code = self.state.auth_codes.get(code_value)
            if code is not None:
                reused = code.used
                code.used = True
        if code is None or reused or code.expires_at < time.time():
            self.oauth_error(401, "invalid_grant", "Invalid, used or expired code.")
        if code.client_id != client.client_id:
            self.oauth_error(401, "invalid_grant", "Code was issued to another client.")
        if self.get_body_argument("redirect_uri", "") != code.redirect_uri:
            self.oauth_error(401, "invalid_grant", "redirect_uri does not match.")
        if code.code_challenge is not None:
            verifier = self.get_body_argument("code_verifier", "")
            if not hmac.compare_digest(_s256(verifier), code.code_challenge):
                self.oauth_error(401, "invalid_grant", "Invalid code_verifier.")

        body = issue_tokens(
            self.state,
            identity_id=code.identity_id,
            client_id=client.client_id,
            scopes=code.scopes,
            session=code.session,
            refresh=code.access_type == "offline",
            issuer=self.service_base_url.rstrip("/"),
            oauth_state=code.oauth_state,
        )
        self.write_json(body)

    def _refresh_token(self) -> None:
        client = authenticate_client(self)
        value = self.get_body_argument("refresh_token", "")
        with self.state.lock:
            refresh = self.state.refresh_tokens.get(value)
        if refresh is None or refresh.revoked or refresh.client_id != client.client_id:
            self.oauth_error(401, "invalid_grant", "Invalid or revoked refresh token.")
        self.write_json(refresh_access_token(self.state, refresh))

    def _client_credentials(self) -> None:
        client = authenticate_client(self, require_secret=True)
        scopes = self.get_body_argument("scope", "")
        try:
            body = issue_tokens(
                self.state,
                identity_id=client.identity_id or client.client_id,
                client_id=client.client_id,
                scopes=scopes,
                session={},
                refresh=False,
                issuer=self.service_base_url.rstrip("/"),
            )
        except UnknownScopeError as err:
            self.oauth_error(400, "invalid_scope", str(err))
        self.write_json(body)


class RevokeHandler(SandboxHandler):
    """``POST /v2/oauth2/token/revoke``.

    Revoking a refresh token also revokes the access tokens made from it.
    """

    def post(self) -> None:
        client = authenticate_client(self)
        value = self.get_body_argument("token", "")
        with self.state.lock:
            access = self.state.access_tokens.get(value)
            refresh = self.state.refresh_tokens.get(value)
            if access is not None and access.client_id == client.client_id:
                access.revoked = True
            if refresh is not None and refresh.client_id == client.client_id:
                refresh.revoked = True
                for token in self.state.access_tokens.values():
                    if token.refresh_token == refresh.token:
                        token.revoked = True
            self.state.save()
        # RFC 7009: the response is the same whether or not the token was known.
        self.write_json({"active": False})


class ValidateHandler(SandboxHandler):
    """``POST /v2/oauth2/token/validate``: is the token active for this client?"""

    def post(self) -> None:
        client = authenticate_client(self)
        token = self.get_body_argument("token", "")
        self.write_json({"active": _is_active(self, client, token)})


class IntrospectHandler(SandboxHandler):
    """``POST /v2/oauth2/token/introspect`` for confidential clients."""

    def post(self) -> None:
        client = authenticate_client(self, require_secret=True)
        value = self.get_body_argument("token", "")
        with self.state.lock:
            token = self.state.access_tokens.get(value)
        if token is None or not token.is_valid():
            self.write_json({"active": False})
            return
        identity = self.state.identities.get(token.identity_id)
        self.write_json(
            {
                "active": True,
                "scope": " ".join(s.name for s in parse_scopes(token.scopes)),
                "client_id": token.client_id,
                "sub": token.identity_id,
                "username": identity.username if identity else None,
                "name": identity.name if identity else None,
                "email": identity.email if identity else None,
                "aud": [token.resource_server, client.client_id],
                "exp": int(token.expires_at),
                "iss": self.service_base_url.rstrip("/"),
                "token_type": "Bearer",
                "identity_set": token.session.get("identities", [token.identity_id]),
            }
        )


def _is_active(handler: SandboxHandler, client: Client, value: str) -> bool:
    with handler.state.lock:
        access = handler.state.access_tokens.get(value)
        refresh = handler.state.refresh_tokens.get(value)
    if access is not None:
        return access.client_id == client.client_id and access.is_valid()
    if refresh is not None:
        return refresh.client_id == client.client_id and not refresh.revoked
    return False


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")
