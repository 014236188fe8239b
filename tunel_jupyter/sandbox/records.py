"""Records of the sandbox's Auth side: identities, clients, tokens, consents."""

from __future__ import annotations

import dataclasses
import time
import typing as t
import uuid

from .scopes import data_access_scope, parse_scopes


@dataclasses.dataclass
class Identity:
    id: str
    username: str
    name: str
    email: str | None
    organization: str | None = None
    # Globus names identity providers by UUID; empty derives one from the domain.
    identity_provider: str = ""
    # Identities linked to this one, as in a Globus account's identity set.
    linked: list[str] = dataclasses.field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.identity_provider:
            self.identity_provider = str(uuid.uuid5(uuid.NAMESPACE_DNS, self.domain))

    @property
    def domain(self) -> str:
        return self.username.rpartition("@")[2]

    def to_dict(self) -> dict[str, t.Any]:
        return {
            "id": self.id,
            "username": self.username,
            "name": self.name,
            "email": self.email,
            "organization": self.organization,
            "identity_provider": self.identity_provider,
            "identity_type": "login",
            "status": "used",
        }


@dataclasses.dataclass
class Client:
    client_id: str
    name: str
    secret: str | None = None
    redirect_uris: list[str] = dataclasses.field(default_factory=list)
    # A confidential client acting for itself (client credentials) is an identity.
    identity_id: str | None = None

    @property
    def is_confidential(self) -> bool:
        return self.secret is not None


@dataclasses.dataclass
class AccessToken:
    token: str
    identity_id: str
    client_id: str
    resource_server: str
    scopes: str
    expires_at: float
    refresh_token: str | None = None
    session: dict[str, t.Any] = dataclasses.field(default_factory=dict)
    revoked: bool = False

    def is_valid(self, now: float | None = None) -> bool:
        return not self.revoked and (now or time.time()) < self.expires_at

    def has_dependent_scope(self, collection_id: str) -> bool:
        """Return whether the token has ``transfer:all[*<collection>/data_access]``."""
        wanted = data_access_scope(collection_id)
        return any(wanted in scope.dependencies for scope in parse_scopes(self.scopes))

    def session_domains(self) -> set[str]:
        """Domains of the identities authenticated in the login session."""
        return set(self.session.get("domains", []))


@dataclasses.dataclass
class RefreshToken:
    token: str
    identity_id: str
    client_id: str
    resource_server: str
    scopes: str
    session: dict[str, t.Any] = dataclasses.field(default_factory=dict)
    revoked: bool = False


@dataclasses.dataclass
class AuthCode:
    code: str
    client_id: str
    redirect_uri: str
    scopes: str
    identity_id: str
    session: dict[str, t.Any]
    code_challenge: str | None
    code_challenge_method: str | None
    expires_at: float
    access_type: str = "online"
    # The OAuth2 state of the authorize request, repeated in the token response.
    oauth_state: str = ""
    used: bool = False


@dataclasses.dataclass
class Consent:
    id: int
    client_id: str
    identity_id: str
    scope_name: str
    dependency_path: list[int]
    created: str
    last_used: str

    def to_dict(self) -> dict[str, t.Any]:
        return {
            "id": self.id,
            "client": self.client_id,
            # Real Auth gives each scope its own ID; a stable derived one suffices.
            "scope": str(uuid.uuid5(uuid.NAMESPACE_URL, self.scope_name)),
            "scope_name": self.scope_name,
            "effective_identity": self.identity_id,
            "dependency_path": self.dependency_path,
            "created": self.created,
            "updated": self.created,
            "last_used": self.last_used,
            "status": "approved",
            "allows_refresh": True,
            "auto_approved": False,
            "atomically_revocable": False,
        }


def utc_timestamp(seconds: float | None = None) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(seconds))
