"""In-memory state of the sandbox: identities, clients, tokens, consents, options.

Every handler reads and changes this one object under ``state.lock``. With a
``state_dir`` the tokens, consents and registered clients are written to JSON files
(atomic replace) after each change, so a restarted sandbox keeps its logins. Other
parts (the Transfer side) add their own sections with :meth:`register_section`.
"""

from __future__ import annotations

import collections
import dataclasses
import importlib
import json
import logging
import os
import random
import secrets
import tempfile
import threading
import time
import typing as t
import uuid
from pathlib import Path

from .keys import load_signing_key
from .options import SandboxOptions
from .records import (
    AccessToken,
    AuthCode,
    Client,
    Consent,
    Identity,
    RefreshToken,
    utc_timestamp,
)
from .scopes import parse_scopes

__all__ = [
    "AUTH_RESOURCE_SERVER",
    "TRANSFER_ALL",
    "TRANSFER_RESOURCE_SERVER",
    "AccessToken",
    "AuthCode",
    "Client",
    "Consent",
    "Identity",
    "RefreshToken",
    "SandboxOptions",
    "SandboxState",
    "load_seed",
    "local_collection_id",
    "utc_timestamp",
]

log = logging.getLogger(__name__)

DEFAULT_SEED = Path(__file__).with_name("seed.json")
AUTH_RESOURCE_SERVER = "auth.globus.org"
TRANSFER_RESOURCE_SERVER = "transfer.api.globus.org"
REQUEST_LOG_SIZE = 10000
TRANSFER_ALL = "urn:globus:auth:scope:transfer.api.globus.org:all"


class Section(t.NamedTuple):
    dump: t.Callable[[], t.Any]
    load: t.Callable[[t.Any], None]


def local_collection_id(root: str | os.PathLike[str]) -> str:
    """Derive the stable collection ID of a folder from its resolved path."""
    resolved = Path(root).expanduser().resolve()
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"tunel-jupyter-sandbox:{resolved}"))


def load_seed(path: str | os.PathLike[str] | None) -> dict[str, t.Any]:
    """Read a seed file (JSON, or TOML by its ``.toml`` suffix)."""
    seed_path = Path(path) if path is not None else DEFAULT_SEED
    try:
        text = seed_path.read_text(encoding="utf-8")
    except OSError as err:
        raise ValueError(f"cannot read sandbox seed file {seed_path}: {err}") from err
    try:
        if seed_path.suffix == ".toml":
            import tomllib

            return tomllib.loads(text)
        data = json.loads(text)
    except ValueError as err:
        raise ValueError(f"invalid sandbox seed file {seed_path}: {err}") from err
    if not isinstance(data, dict):
        raise ValueError(f"sandbox seed file {seed_path} must contain an object")
    return data


class SandboxState:
    """All data of the sandbox. Hold ``lock`` while reading or changing it."""

    def __init__(
        self,
        *,
        seed: dict[str, t.Any] | None = None,
        root: str | os.PathLike[str] | None = None,
        state_dir: str | os.PathLike[str] | None = None,
        options: SandboxOptions | None = None,
        page_key: str | None = None,
    ) -> None:
        self.lock = threading.RLock()
        # With a key, only callers that send it may approve logins or use /_sandbox/.
        self.page_key = page_key
        self.seed = seed if seed is not None else load_seed(None)
        self.root = Path(root).expanduser().resolve() if root is not None else None
        self.local_collection_id = (
            local_collection_id(self.root) if self.root is not None else None
        )
        self.state_dir = Path(state_dir) if state_dir is not None else None
        self.options = options or SandboxOptions()
        self.random = random.Random()
        # Bounded, so a sandbox left running for days keeps a steady size.
        self.request_log: collections.deque[dict[str, t.Any]] = collections.deque(
            maxlen=REQUEST_LOG_SIZE
        )
        # Set by the server once it listens, e.g. "http://127.0.0.1:8123".
        self.base_url = ""

        self.identities: dict[str, Identity] = {}
        self.clients: dict[str, Client] = {}
        self.access_tokens: dict[str, AccessToken] = {}
        self.refresh_tokens: dict[str, RefreshToken] = {}
        self.auth_codes: dict[str, AuthCode] = {}
        self.consents: list[Consent] = []
        self._load_seed_auth()

        self._sections: dict[str, Section] = {}
        self._stored_sections: dict[str, t.Any] = {}
        self._close_callbacks: list[t.Callable[[], None]] = []
        self._load_state_dir()
        self.signing_key = load_signing_key(self.state_dir)
        # One-use tokens of rendered authorize forms, mapped to their requests.
        self.pending_forms: dict[str, tuple[float, dict[str, str]]] = {}

        self.transfer: t.Any = None
        self._attach_transfer()

    # Seed and persistence

    def _load_seed_auth(self) -> None:
        for entry in self.seed.get("identities", []):
            identity = Identity(
                id=entry["id"],
                username=entry["username"],
                name=entry.get("name", entry["username"]),
                email=entry.get("email"),
                organization=entry.get("organization"),
                identity_provider=entry.get("identity_provider", ""),
                linked=list(entry.get("linked", [])),
            )
            self.identities[identity.id] = identity
        if not self.identities:
            raise ValueError("the sandbox seed must list at least one identity")
        self.default_identity_id = self.seed.get(
            "default_identity", next(iter(self.identities))
        )
        if self.default_identity_id not in self.identities:
            raise ValueError(
                f"default_identity {self.default_identity_id!r} is not among the "
                "seed's identities"
            )

        for entry in self.seed.get("clients", []):
            self.add_client(
                Client(
                    client_id=entry["id"],
                    name=entry.get("name", entry["id"]),
                    secret=entry.get("secret"),
                    redirect_uris=list(entry.get("redirect_uris", [])),
                )
            )
        native = [c for c in self.clients.values() if not c.is_confidential]
        confidential = [c for c in self.clients.values() if c.is_confidential]
        if not native or not confidential:
            raise ValueError(
                "the sandbox seed must list a native client and a confidential "
                "client (one with a secret)"
            )
        self.native_client_id = native[0].client_id
        self.confidential_client = confidential[0]

    def add_client(self, client: Client) -> None:
        """Register a client; a confidential one also becomes an identity."""
        if client.is_confidential:
            client.identity_id = client.client_id
            self.identities[client.client_id] = Identity(
                id=client.client_id,
                username=f"{client.client_id}@clients.auth.globus.org",
                name=client.name,
                email=None,
            )
        self.clients[client.client_id] = client

    def register_section(
        self,
        name: str,
        dump: t.Callable[[], t.Any],
        load: t.Callable[[t.Any], None],
    ) -> None:
        """Persist another part's data as ``<state_dir>/<name>.json``.

        ``load`` is called at once with the stored data when there is some;
        ``dump`` is called on every :meth:`save`.
        """
        self._sections[name] = Section(dump, load)
        if name in self._stored_sections:
            load(self._stored_sections.pop(name))

    def on_close(self, callback: t.Callable[[], None]) -> None:
        """Run ``callback`` when the sandbox stops (e.g. to end worker threads)."""
        self._close_callbacks.append(callback)

    def close(self) -> None:
        for callback in reversed(self._close_callbacks):
            try:
                callback()
            except Exception:
                log.exception("Sandbox close callback %r failed", callback)
        self.save()

    def _load_state_dir(self) -> None:
        if self.state_dir is None:
            return
        self.state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        for path in sorted(self.state_dir.glob("*.json")):
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as err:
                log.warning("Ignoring unreadable sandbox state file %s: %s", path, err)
                continue
            if path.stem == "auth":
                self._load_auth(data)
            else:
                self._stored_sections[path.stem] = data

    def _load_auth(self, data: dict[str, t.Any]) -> None:
        for entry in data.get("clients", []):
            self.add_client(Client(**entry))
        for entry in data.get("access_tokens", []):
            token = AccessToken(**entry)
            self.access_tokens[token.token] = token
        for entry in data.get("refresh_tokens", []):
            refresh = RefreshToken(**entry)
            self.refresh_tokens[refresh.token] = refresh
        self.consents = [Consent(**entry) for entry in data.get("consents", [])]

    def save(self) -> None:
        """Write the persistent parts to ``state_dir``; a no-op without one."""
        if self.state_dir is None:
            return
        with self.lock:
            seeded = {entry["id"] for entry in self.seed.get("clients", [])}
            auth = {
                "clients": [
                    {
                        "client_id": c.client_id,
                        "name": c.name,
                        "secret": c.secret,
                        "redirect_uris": c.redirect_uris,
                    }
                    for c in self.clients.values()
                    if c.client_id not in seeded
                ],
                "access_tokens": [
                    dataclasses.asdict(token) for token in self.access_tokens.values()
                ],
                "refresh_tokens": [
                    dataclasses.asdict(token) for token in self.refresh_tokens.values()
                ],
                "consents": [dataclasses.asdict(c) for c in self.consents],
            }
            documents = {"auth": auth}
            for name, section in self._sections.items():
                documents[name] = section.dump()
            for name, document in documents.items():
                _write_json_atomic(self.state_dir / f"{name}.json", document)

    # Tokens

    def new_secret(self, size: int = 32) -> str:
        return secrets.token_urlsafe(size)

    def lookup_access_token(self, token: str) -> AccessToken | None:
        with self.lock:
            return self.access_tokens.get(token)

    def expire_tokens(self, identity_id: str | None = None) -> int:
        """Make access tokens (of one identity, or all) expired; return the count."""
        count = 0
        with self.lock:
            past = time.time() - 1
            for token in self.access_tokens.values():
                if identity_id is None or token.identity_id == identity_id:
                    token.expires_at = min(token.expires_at, past)
                    count += 1
            self.save()
        return count

    def revoke_refresh_tokens(self, identity_id: str | None = None) -> int:
        """Revoke refresh tokens (of one identity, or all) and their access tokens."""
        count = 0
        with self.lock:
            for refresh in self.refresh_tokens.values():
                if identity_id is None or refresh.identity_id == identity_id:
                    if not refresh.revoked:
                        refresh.revoked = True
                        count += 1
                    for token in self.access_tokens.values():
                        if token.refresh_token == refresh.token:
                            token.revoked = True
            self.save()
        return count

    # Consents

    def record_consents(self, identity_id: str, client_id: str, scopes: str) -> None:
        """Record consents for a scope string, dependent scopes as child consents."""
        with self.lock:
            now = utc_timestamp()
            for scope in parse_scopes(scopes):
                root = self._find_or_add_consent(
                    identity_id, client_id, scope.name, [], now
                )
                for dependency in scope.dependencies:
                    self._find_or_add_consent(
                        identity_id, client_id, dependency, root.dependency_path, now
                    )
            self.save()

    def _find_or_add_consent(
        self,
        identity_id: str,
        client_id: str,
        scope_name: str,
        parent_path: list[int],
        now: str,
    ) -> Consent:
        for consent in self.consents:
            if (
                consent.identity_id == identity_id
                and consent.client_id == client_id
                and consent.scope_name == scope_name
                and consent.dependency_path[:-1] == parent_path
            ):
                consent.last_used = now
                return consent
        consent_id = max((c.id for c in self.consents), default=0) + 1
        consent = Consent(
            id=consent_id,
            client_id=client_id,
            identity_id=identity_id,
            scope_name=scope_name,
            dependency_path=[*parent_path, consent_id],
            created=now,
            last_used=now,
        )
        self.consents.append(consent)
        return consent

    def consented_dependencies(
        self, identity_id: str, client_id: str, scope_name: str
    ) -> list[str]:
        """Dependent scopes consented under ``scope_name`` for this client and user."""
        with self.lock:
            roots = [
                c
                for c in self.consents
                if c.identity_id == identity_id
                and c.client_id == client_id
                and c.scope_name == scope_name
                and len(c.dependency_path) == 1
            ]
            return [
                child.scope_name
                for root in roots
                for child in self.consents
                if len(child.dependency_path) == 2
                and child.dependency_path[0] == root.id
            ]

    # Identities

    def identity_set(self, identity_id: str) -> list[Identity]:
        """Return the identity and the ones linked to it, primary first."""
        primary = self.identities[identity_id]
        linked = [self.identities[i] for i in primary.linked if i in self.identities]
        return [primary, *linked]

    # Transfer side

    def _attach_transfer(self) -> None:
        try:
            transfer = importlib.import_module(f"{__package__}.transfer")
        except ModuleNotFoundError as err:
            if err.name != f"{__package__}.transfer":
                raise
            return
        attach = getattr(transfer, "attach", None)
        if attach is not None:
            attach(self, self.seed, self.root)


def _write_json_atomic(path: Path, document: t.Any) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(document, stream, indent=1)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
