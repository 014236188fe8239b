"""A globus-sdk ``TokenStorage`` over the shared token store, one namespace per
Globus environment.

The namespace is the environment's Auth URL, so sandbox tokens never replace a real
login and the reverse. Beside the tokens, each environment keeps the client ID that
logged in, the identity, the scopes requested at login, and, after Globus rejected
the refresh token, the reason the user must log in again.
"""

from __future__ import annotations

import contextlib
import logging
import time
import typing as t

from globus_sdk.token_storage import TokenStorage, TokenStorageData

from ..errors import LoginRequired
from .errors import LOGIN
from .store import Data, StoreFile

log = logging.getLogger(__name__)


class SharedTokenStorage(TokenStorage):
    """Token storage for one Globus environment in the shared store file.

    Each call reads the file under its lock, so tokens another process stored are
    seen at once. Methods that change the file re-read it under the same lock.

    :param store: the store file.
    :param namespace: the environment's Auth URL.
    """

    def __init__(self, store: StoreFile, namespace: str) -> None:
        super().__init__(namespace=namespace)
        self.store = store

    # The TokenStorage interface.

    def store_token_data_by_resource_server(
        self, token_data_by_resource_server: t.Mapping[str, TokenStorageData]
    ) -> None:
        with self.updating_record() as record:
            tokens = record.setdefault("tokens", {})
            for resource_server, token_data in token_data_by_resource_server.items():
                tokens[resource_server] = token_data.to_dict()
            record.pop("login_required", None)

    def get_token_data_by_resource_server(self) -> dict[str, TokenStorageData]:
        return self._parse_tokens(self.record())

    def remove_token_data(self, resource_server: str) -> bool:
        with self.updating_record() as record:
            return record.get("tokens", {}).pop(resource_server, None) is not None

    # The rest of the environment's record.

    def record(self) -> Data:
        """Return this environment's record (a copy; empty when there is none)."""
        data = self.store.read()
        return dict(data["environments"].get(self.namespace) or {})

    @contextlib.contextmanager
    def updating_record(self) -> t.Iterator[Data]:
        """Let the caller change this environment's record, then write it back."""
        with self.store.updating() as data:
            record = data["environments"].setdefault(self.namespace, {})
            yield record
            record["updated_at"] = int(time.time())

    def save_login(
        self,
        *,
        client_id: str,
        identity: t.Mapping[str, t.Any] | None,
        scopes: t.Sequence[str],
        token_data_by_resource_server: t.Mapping[str, TokenStorageData],
    ) -> None:
        """Replace this environment's login with the tokens of a new one."""
        with self.updating_record() as record:
            record.clear()
            record["client_id"] = client_id
            record["identity"] = dict(identity) if identity else None
            record["scopes"] = list(scopes)
            record["tokens"] = {
                resource_server: token_data.to_dict()
                for resource_server, token_data in token_data_by_resource_server.items()
            }

    def mark_login_required(
        self, reason: str, *, rejected_refresh_token: str | None = None
    ) -> bool:
        """Drop the tokens and record why the user must log in again.

        With ``rejected_refresh_token``, nothing changes unless the store still
        contains that refresh token, so a login that another process completed
        meanwhile stays.

        :returns: whether the record changed.
        """
        with self.updating_record() as record:
            tokens = record.get("tokens") or {}
            if rejected_refresh_token is not None:
                stored = {entry.get("refresh_token") for entry in tokens.values()}
                if rejected_refresh_token not in stored:
                    return False
            record["tokens"] = {}
            record["login_required"] = reason
        log.info("Globus login for %s needs renewal: %s", self.namespace, reason)
        return True

    def forget(self) -> None:
        """Remove this environment's tokens and identity; keep its client ID."""
        with self.updating_record() as record:
            client_id = record.get("client_id")
            record.clear()
            if client_id:
                record["client_id"] = client_id

    def _parse_tokens(self, record: Data) -> dict[str, TokenStorageData]:
        from globus_sdk.exc import ValidationError

        result = {}
        for resource_server, entry in (record.get("tokens") or {}).items():
            try:
                result[resource_server] = TokenStorageData.from_dict(entry)
            except (ValidationError, AttributeError, TypeError) as err:
                with self.store.locked():
                    raise self.store.move_aside(
                        f"its token entry for {resource_server} is malformed"
                    ) from err
        return result


def require_tokens(
    storage: SharedTokenStorage, resource_server: str, *, label: str
) -> Data:
    """Return the environment's record, checking it has tokens for the server.

    :raises LoginRequired: with the reason, when there is no usable login.
    """
    record = storage.record()
    if record.get("login_required"):
        raise LoginRequired(record["login_required"])
    entry = (record.get("tokens") or {}).get(resource_server)
    if not entry:
        raise LoginRequired(f"Not logged in to {label}: {LOGIN}.")
    return record
