"""Globus Auth's discovery documents and ``/v2/api`` routes."""

from __future__ import annotations

import json
import uuid

from .base import SandboxHandler
from .clients import authenticate_client
from .grants import identity_claims
from .keys import SIGNING_ALGORITHM
from .scopes import AUTH_SCOPES
from .state import AUTH_RESOURCE_SERVER, AccessToken, Client, Identity, utc_timestamp


class OpenIDConfigHandler(SandboxHandler):
    """``/.well-known/openid-configuration``, with absolute URLs as clients expect."""

    def get(self) -> None:
        base = self.service_base_url
        self.write_json(
            {
                "issuer": base.rstrip("/"),
                "authorization_endpoint": f"{base}v2/oauth2/authorize",
                "token_endpoint": f"{base}v2/oauth2/token",
                "userinfo_endpoint": f"{base}v2/oauth2/userinfo",
                "revocation_endpoint": f"{base}v2/oauth2/token/revoke",
                "introspection_endpoint": f"{base}v2/oauth2/token/introspect",
                "jwks_uri": f"{base}jwk.json",
                "response_types_supported": ["code"],
                "grant_types_supported": [
                    "authorization_code",
                    "refresh_token",
                    "client_credentials",
                ],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": [SIGNING_ALGORITHM],
                "code_challenge_methods_supported": ["S256"],
                "scopes_supported": sorted(AUTH_SCOPES),
                "token_endpoint_auth_methods_supported": ["client_secret_basic"],
                "claims_supported": [
                    "sub",
                    "iss",
                    "aud",
                    "exp",
                    "iat",
                    "email",
                    "name",
                    "preferred_username",
                    "organization",
                    "identity_provider",
                    "identity_set",
                ],
            }
        )


class JWKSHandler(SandboxHandler):
    def get(self) -> None:
        self.write_json(self.state.signing_key.jwks())


class UserinfoHandler(SandboxHandler):
    """``/v2/oauth2/userinfo`` for an auth.globus.org token."""

    def get(self) -> None:
        token = self.authenticate(AUTH_RESOURCE_SERVER)
        identity = self.state.identities[token.identity_id]
        body = {
            **identity_claims(identity),
            "last_authentication": token.session.get("auth_time"),
        }
        if "view_identity_set" in token.scopes:
            body["identity_set"] = [
                identity_claims(member)
                for member in self.state.identity_set(identity.id)
            ]
        self.write_json(body)

    post = get


class AuthApiHandler(SandboxHandler):
    """Accepts a user's auth.globus.org bearer token or a client's Basic secret."""

    def caller(self) -> AccessToken | Client:
        header = self.request.headers.get("Authorization", "")
        if header.lower().startswith("basic "):
            return authenticate_client(self, require_secret=True)
        return self.authenticate(AUTH_RESOURCE_SERVER)


class IdentitiesHandler(AuthApiHandler):
    """``GET /v2/api/identities?ids=...`` or ``?usernames=...``."""

    def get(self) -> None:
        self.caller()
        ids = _split(self.get_argument("ids", ""))
        usernames = _split(self.get_argument("usernames", ""))
        if ids and usernames:
            self.auth_api_error(
                400, "INVALID_PARAMETERS", "Use either ids or usernames, not both."
            )
        with self.state.lock:
            known = list(self.state.identities.values())
        found: list[Identity] = []
        if ids:
            by_id = {identity.id: identity for identity in known}
            found = [by_id[value] for value in ids if value in by_id]
        elif usernames:
            by_name = {identity.username.lower(): identity for identity in known}
            wanted = [value.lower() for value in usernames]
            found = [by_name[value] for value in wanted if value in by_name]
        self.write_json({"identities": [identity.to_dict() for identity in found]})


class ConsentsHandler(AuthApiHandler):
    """``GET /v2/api/identities/<id>/consents``: the identity's consent forest."""

    def get(self, identity_id: str) -> None:
        caller = self.caller()
        everything = self.get_argument("all", "false").lower() == "true"
        if isinstance(caller, AccessToken):
            members = {m.id for m in self.state.identity_set(caller.identity_id)}
            if identity_id not in members:
                self.auth_api_error(
                    403,
                    "FORBIDDEN",
                    f"Not allowed to read the consents of identity {identity_id}.",
                )
        client_id = caller.client_id
        with self.state.lock:
            consents = [
                consent.to_dict()
                for consent in self.state.consents
                if consent.identity_id == identity_id
                and (everything or consent.client_id == client_id)
            ]
        self.write_json({"consents": consents})


class ClientsHandler(SandboxHandler):
    """``POST /v2/api/clients``: make an app instance from a template client.

    globus-cli registers its own confidential instance this way on its first
    ``globus login``, calling as its native template client without a token.
    """

    def post(self) -> None:
        try:
            body = json.loads(self.request.body or b"{}")
        except ValueError:
            self.auth_api_error(400, "INVALID_JSON", "Body is not valid JSON.")
        request = body.get("client") if isinstance(body, dict) else None
        if not isinstance(request, dict) or not request.get("name"):
            self.auth_api_error(
                400, "INVALID_PARAMETERS", 'Body must be {"client": {"name": ...}}.'
            )
        if not request.get("template_id"):
            # NOTE: only app instances from templates are supported; registering a
            # client from scratch needs a user's token in Globus Auth.
            self.authenticate(AUTH_RESOURCE_SERVER)

        client = Client(
            client_id=_new_uuid(),
            name=str(request["name"]),
            secret=self.state.new_secret(),
            redirect_uris=list(request.get("redirect_uris", [])),
        )
        with self.state.lock:
            self.state.add_client(client)
            self.state.save()
        created = utc_timestamp()
        self.write_json(
            {
                "client": {
                    "id": client.client_id,
                    "name": client.name,
                    "public_client": False,
                    "client_type": "confidential_client",
                    "grant_types": [
                        "authorization_code",
                        "client_credentials",
                        "refresh_token",
                    ],
                    "redirect_uris": client.redirect_uris,
                    "parent_client": request.get("template_id"),
                    "scopes": [],
                    "fqdns": [],
                    "links": {"privacy_policy": None, "terms_and_conditions": None},
                    "visibility": "private",
                    "project": None,
                    "required_idp": None,
                    "preselect_idp": None,
                    "userinfo_from_effective_identity": True,
                    "prompt_for_named_grant": False,
                },
                "included": {
                    "client_credential": {
                        "id": _new_uuid(),
                        "name": "Auto-created at client creation",
                        "client": client.client_id,
                        "secret": client.secret,
                        "created": created,
                    }
                },
            }
        )


def _new_uuid() -> str:
    return str(uuid.uuid4())


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]
