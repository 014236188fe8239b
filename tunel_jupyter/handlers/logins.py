"""Logins in progress: which Jupyter user started which OAuth state.

A state is single-use, expires, and only the Jupyter user who started the login
can finish it. States are kept in memory and never logged.
"""

from __future__ import annotations

import dataclasses
import hmac
import threading
import time

from ..errors import UsageError

# Used when the core does not say when its login request expires.
DEFAULT_TTL_SECONDS = 600


@dataclasses.dataclass(frozen=True)
class PendingLogin:
    """A login started by ``owner`` (a Jupyter user) and not finished yet."""

    state: str
    owner: str
    flow: str
    next_url: str | None
    expires_at: float

    def __repr__(self) -> str:
        # The state is a secret of the user who started the login.
        return f"PendingLogin(owner={self.owner!r}, flow={self.flow!r})"


class PendingLogins:
    """Thread-safe table of pending logins, keyed by state."""

    def __init__(self) -> None:
        self._logins: dict[str, PendingLogin] = {}
        self._lock = threading.Lock()

    def add(
        self,
        *,
        state: str,
        owner: str,
        flow: str,
        next_url: str | None,
        expires_at: float | None,
    ) -> PendingLogin:
        """Record a login that ``owner`` started."""
        now = time.time()
        pending = PendingLogin(
            state=state,
            owner=owner,
            flow=flow,
            next_url=next_url,
            expires_at=expires_at or now + DEFAULT_TTL_SECONDS,
        )
        with self._lock:
            self._drop_expired(now)
            self._logins[state] = pending
        return pending

    def take(self, state: str, *, owner: str) -> PendingLogin:
        """Remove and return the login with ``state`` if ``owner`` started it.

        :raises UsageError: if the state is unknown, already used, expired, or
            belongs to another user (the message does not say which).
        """
        with self._lock:
            self._drop_expired(time.time())
            match = None
            for known, pending in self._logins.items():
                if hmac.compare_digest(known.encode(), state.encode()):
                    match = pending
            if match is None or match.owner != owner:
                raise UsageError(
                    "This login link is unknown, already used or expired. "
                    "Start the Globus login again from JupyterLab.",
                    field="state",
                )
            del self._logins[match.state]
            return match

    def take_latest(self, *, owner: str, flow: str) -> PendingLogin:
        """Remove and return the newest pending ``flow`` login of ``owner``.

        :raises UsageError: if that user has none.
        """
        with self._lock:
            self._drop_expired(time.time())
            mine = [
                pending
                for pending in self._logins.values()
                if pending.owner == owner and pending.flow == flow
            ]
            if not mine:
                raise UsageError(
                    "No Globus login is waiting for a code (it expired or was "
                    "already finished). Start the login again.",
                    field="code",
                )
            # The table keeps insertion order, so the last one is the newest.
            latest = mine[-1]
            del self._logins[latest.state]
            return latest

    def _drop_expired(self, now: float) -> None:
        for state in [s for s, p in self._logins.items() if p.expires_at <= now]:
            del self._logins[state]
