"""An authorizer that refreshes tokens once for all processes sharing the store.

With refresh-token rotation, each refresh invalidates the refresh token it used. If
two processes refreshed with the same one, Globus would reject the second and its
user would have to log in again for no reason. So a refresh takes the store's lock,
re-reads the store and adopts an access token that another process has fetched
meanwhile. Only when the stored token is the one that expired or was rejected does
it call Globus Auth, and it writes the new tokens back before releasing the lock.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
import typing as t

import globus_sdk
from globus_sdk.token_storage import TokenStorageData

from ..errors import LoginRequired
from .errors import LOGIN_AGAIN, client_mismatch, is_invalid_grant
from .token_storage import SharedTokenStorage

log = logging.getLogger(__name__)


def token_hash(token: str | None) -> str:
    """Return a short hash of a token, to correlate log lines without the token."""
    if not token:
        return "-"
    return hashlib.sha256(token.encode("utf-8")).hexdigest()[:12]


class SharedRefreshTokenAuthorizer(globus_sdk.RefreshTokenAuthorizer):
    """A ``RefreshTokenAuthorizer`` whose renewal is coordinated through the store.

    Safe to share between threads: one thread at a time checks and renews.

    .. note::

        globus-sdk renews a token that expires within 60 seconds, so access tokens
        that live less than that (a sandbox option, never the real Globus) are
        renewed on almost every call.

    :param storage: the environment's token storage.
    :param resource_server: the resource server whose tokens this authorizer uses.
    :param auth_client: the login client that refreshes (native or confidential).
    :raises LoginRequired: if the store contains no refresh token for the server.
    """

    def __init__(
        self,
        storage: SharedTokenStorage,
        resource_server: str,
        auth_client: globus_sdk.AuthLoginClient,
    ) -> None:
        self._storage = storage
        self._resource_server = resource_server
        self._renewal_lock = threading.RLock()
        self._rejected_access_token: str | None = None
        self._sent = threading.local()
        # Renewals finished so far, and the network error of the last one if it
        # failed: threads that waited for that renewal raise its error at once.
        self._renewals = 0
        self._failed_renewal: tuple[int, globus_sdk.NetworkError] | None = None

        token_data = storage.get_token_data(resource_server)
        if token_data is None or not token_data.refresh_token:
            raise LoginRequired(
                f"No Globus refresh token is stored for {resource_server}; "
                f"{LOGIN_AGAIN}."
            )
        super().__init__(
            token_data.refresh_token,
            auth_client,
            access_token=token_data.access_token,
            expires_at=token_data.expires_at_seconds,
        )

    def ensure_valid_token(self) -> None:
        with self._renewal_lock:
            super().ensure_valid_token()

    def get_authorization_header(self) -> str:
        renewals_seen = self._renewals
        with self._renewal_lock:
            failed = self._failed_renewal
            if failed is not None and failed[0] > renewals_seen:
                # A renewal ended while this thread waited, unable to reach Globus
                # Auth. Trying again at once would make each waiting request wait
                # a full timeout in turn.
                raise failed[1]
            self.ensure_valid_token()
            token = t.cast(str, self.access_token)
        # The transport handles a 401 in the thread that sent the request, so this
        # records for handle_missing_authorization which token Globus rejected.
        self._sent.token = token
        return f"Bearer {token}"

    def handle_missing_authorization(self) -> bool:
        # A 401 means the token sent is dead even if its expiry is ahead, so the
        # renewal must not adopt it from the store again. When another thread has
        # renewed since this request was sent, the retry just uses the new token.
        with self._renewal_lock:
            sent = getattr(self._sent, "token", None) or self.access_token
            self._rejected_access_token = sent
            if sent == self.access_token:
                self.expires_at = None
            return True

    def _get_new_access_token(self) -> None:
        with self._renewal_lock:
            failure: globus_sdk.NetworkError | None = None
            try:
                self._renew()
            except globus_sdk.NetworkError as err:
                failure = err
                raise
            finally:
                self._renewals += 1
                self._failed_renewal = (self._renewals, failure) if failure else None

    def _renew(self) -> None:
        with self._storage.store.locked():
            stored = self._storage.get_token_data(self._resource_server)
            if stored is None or not stored.refresh_token:
                record = self._storage.record()
                removed = f"Another process removed the Globus login; {LOGIN_AGAIN}."
                raise LoginRequired(record.get("login_required") or removed)
            if self._is_newer(stored):
                self._adopt(stored)
                return
            self._refresh(stored)

    def _is_newer(self, stored: TokenStorageData) -> bool:
        """Check whether another process stored an access token this one can use."""
        return (
            stored.access_token != self.access_token
            and stored.access_token != self._rejected_access_token
            and time.time() < stored.expires_at_seconds
        )

    def _adopt(self, stored: TokenStorageData) -> None:
        log.debug(
            "Adopting access token %s for %s, refreshed by another process",
            token_hash(stored.access_token),
            self._resource_server,
        )
        self.refresh_token = t.cast(str, stored.refresh_token)
        self.expires_at = stored.expires_at_seconds
        self.access_token = stored.access_token
        self._rejected_access_token = None

    def _refresh(self, stored: TokenStorageData) -> None:
        used_refresh_token = t.cast(str, stored.refresh_token)
        self.refresh_token = used_refresh_token
        log.debug(
            "Refreshing the access token for %s with refresh token %s",
            self._resource_server,
            token_hash(used_refresh_token),
        )
        try:
            response = self._get_token_response()
        except globus_sdk.GlobusAPIError as err:
            if is_invalid_grant(err) or err.http_status == 401:
                raise self._login_required(used_refresh_token) from err
            raise

        token_data = self._extract_token_data(response)
        # Globus repeats the refresh token, or sends a new one when it rotates them.
        # A response without one keeps the token that was used.
        if not self.refresh_token:
            self.refresh_token = used_refresh_token
        self.expires_at = token_data["expires_at_seconds"]
        self.access_token = token_data["access_token"]
        self._rejected_access_token = None

        self._storage.store_token_data_by_resource_server(
            {
                self._resource_server: TokenStorageData(
                    resource_server=self._resource_server,
                    identity_id=stored.identity_id,
                    scope=token_data.get("scope") or stored.scope,
                    access_token=self.access_token,
                    refresh_token=self.refresh_token,
                    expires_at_seconds=self.expires_at,
                    token_type=token_data.get("token_type") or stored.token_type,
                )
            }
        )
        log.debug(
            "Stored refreshed access token %s (refresh token %s) for %s",
            token_hash(self.access_token),
            token_hash(self.refresh_token),
            self._resource_server,
        )

    def _login_required(self, rejected_refresh_token: str) -> LoginRequired:
        # A refresh token only works with the client it was issued to. If another
        # client ID is configured now, the login itself may be fine: keep it.
        stored_client_id = self._storage.record().get("client_id")
        client_id = str(getattr(self.auth_client, "client_id", "") or "")
        if stored_client_id and client_id and stored_client_id != client_id:
            return LoginRequired(client_mismatch(stored_client_id, client_id))
        reason = (
            "Globus rejected the stored refresh token (it was revoked or has "
            f"expired); {LOGIN_AGAIN}."
        )
        self._storage.mark_login_required(
            reason, rejected_refresh_token=rejected_refresh_token
        )
        return LoginRequired(reason)
