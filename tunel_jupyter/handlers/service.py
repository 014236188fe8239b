"""The server's one Globus session, the thread pool it runs in, and its caches."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
import time
import typing as t
from concurrent.futures import ThreadPoolExecutor

from ..errors import LoginRequired, TunelError
from .local import LocalCollection, find_local_collection
from .logins import PendingLogins

if t.TYPE_CHECKING:
    from ..globus import GlobusSession
    from ..globus.records import EndpointPage, LoginStatus

T = t.TypeVar("T")

# Several threads, so a slow Globus call does not hold up the status route or a
# second listing. The session is safe to share between threads.
MAX_WORKERS = 8
# A store file changed less than this many seconds before it was examined may
# change again within the file system's timestamp granularity, so its status is
# read again next time rather than trusted by its stat alone.
SETTLED_SECONDS = 1.0

# The stat fields that identify one version of the token store file (None when
# the file is missing).
Signature = tuple[int, int, int, int] | None


class GlobusService:
    """Hold what every handler shares: one ``GlobusSession`` and its thread pool.

    The session is built on first use, so importing the extension does not import
    globus-sdk. All its methods run in the pool, never on the event loop.
    """

    def __init__(
        self,
        *,
        client_id: str | None,
        client_secret: str | None,
        data_dir: str | None,
        http_timeout: float,
        max_retries: int,
        endpoint_cache_seconds: float,
        root_dir: str,
        local_collection_id: str | None,
        local_collection_root: str | None,
        log: logging.Logger,
    ) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.data_dir = data_dir
        self.http_timeout = http_timeout
        self.max_retries = max_retries
        self.endpoint_cache_seconds = endpoint_cache_seconds
        self.root_dir = root_dir
        self.local_collection_id = local_collection_id
        self.local_collection_root = local_collection_root
        self.log = log

        # Set in sandbox mode once the sandbox runs.
        self.sandbox_auth_url: str | None = None
        # The key of a sandbox this server started, which the page proxy sends.
        self.sandbox_page_key: str | None = None
        self.sandbox_collection_id: str | None = None

        self.logins = PendingLogins()
        self._executor = ThreadPoolExecutor(
            max_workers=MAX_WORKERS, thread_name_prefix="tunel-globus"
        )
        self._session: GlobusSession | None = None
        self._session_lock = threading.Lock()
        self._identity_id: str | None = None
        # The login status with the signature of the store file it was read from.
        self._status: tuple[Signature, LoginStatus] | None = None
        # Cached search pages as (time, JSON text), per identity and query.
        self._endpoint_cache: dict[tuple[t.Any, ...], tuple[float, str]] = {}
        self._cache_lock = threading.Lock()

    @property
    def session(self) -> GlobusSession:
        """The shared session, built on first use (call from a pool thread)."""
        with self._session_lock:
            if self._session is None:
                from ..globus import GlobusSession

                self._session = GlobusSession(
                    client_id=self.client_id,
                    client_secret=self.client_secret,
                    data_dir=self.data_dir,
                    http_timeout=self.http_timeout,
                    max_retries=self.max_retries,
                )
                self.log.debug("Globus session ready")
            return self._session

    async def run(self, call: t.Callable[[GlobusSession], T]) -> T:
        """Run ``call(session)`` in the thread pool and return its result."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._call, call)

    def _call(self, call: t.Callable[[GlobusSession], T]) -> T:
        session = self.session
        self._follow_identity(session)
        return call(session)

    def login_status(self, session: GlobusSession) -> LoginStatus:
        """Return the stored login's status, reading the store only after it changed.

        Every write replaces the store file, so an unchanged inode, size and
        timestamps mean unchanged content, and a stat replaces the locked read.
        """
        signature = _signature(session.store.path)
        known = self._status
        if known is not None and signature is not None and known[0] == signature:
            return known[1]
        status = session.status()
        # The stat comes before the read, so if the file changed in between,
        # the next stat differs from it and the store is read again.
        settled = signature is not None and time.time() - signature[3] / 1e9 > (
            SETTLED_SECONDS
        )
        self._status = (signature, status) if settled else None
        return status

    def _known_status(self, session: GlobusSession) -> LoginStatus | None:
        """Return the status if the store is unchanged since it was read, else None."""
        known = self._status
        if known is None or _signature(session.store.path) != known[0]:
            return None
        return known[1]

    def _follow_identity(self, session: GlobusSession) -> None:
        """Drop the session's clients when the stored login changed identity.

        A kernel or the command line may log in as someone else in the shared
        store. Without this, the session's clients would keep the old access
        token until it expires. Reading the store makes no network call.
        """
        try:
            status = self.login_status(session)
        except TunelError:
            return
        identity_id = status.identity.id if status.identity else None
        with self._session_lock:
            changed = identity_id != self._identity_id
            previous, self._identity_id = self._identity_id, identity_id
        if changed and previous is not None:
            self.log.info("The stored Globus login changed identity; reconnecting")
            # The session drops its client without closing it, so calls still
            # running in other threads finish with the old one.
            session.close()
            self.invalidate_endpoints()

    async def run_plain(self, call: t.Callable[[], T]) -> T:
        """Run ``call()`` in the thread pool (for work that needs no session)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, call)

    def local_collection(self) -> LocalCollection | None:
        """Return the collection that serves the Jupyter root directory, if any."""
        return find_local_collection(
            option_id=self.local_collection_id,
            option_root=self.local_collection_root,
            root_dir=self.root_dir,
            sandbox_collection_id=self.sandbox_collection_id,
        )

    def search_endpoints(
        self,
        session: GlobusSession,
        *,
        scope: str,
        search: str | None,
        limit: int,
        offset: int,
    ) -> str:
        """Search endpoints and return the page as JSON text.

        A recent result of the same identity and query is reused. The identity
        comes from the token store on every call, so after a kernel or the
        command line logs in as someone else, the cached pages of the previous
        identity are not used.
        """
        status = self.login_status(session)
        if not status.logged_in:
            raise LoginRequired(_login_reason(status))
        key = (_identity_id(status), scope, search, limit, offset)
        cached = self._cached_page(key)
        if cached is not None:
            return cached

        page = session.search_endpoints(
            scope=scope, search=search, limit=limit, offset=offset
        )
        text = _json_text(page)
        if self.endpoint_cache_seconds > 0:
            with self._cache_lock:
                self._endpoint_cache[key] = (time.monotonic(), text)
        return text

    def cached_endpoints(
        self, *, scope: str, search: str | None, limit: int, offset: int
    ) -> str | None:
        """Return a cached search page as JSON text, or None to search in the pool.

        Cheap enough for the event loop: a hit costs a stat of the store file
        and a dictionary lookup. A changed store, a missing session or an
        expired page return None, and the pool thread then reads the store.
        """
        session = self._session
        if session is None or self.endpoint_cache_seconds <= 0:
            return None
        status = self._known_status(session)
        if status is None or not status.logged_in:
            return None
        if _identity_id(status) != self._identity_id:
            return None
        return self._cached_page((self._identity_id, scope, search, limit, offset))

    def _cached_page(self, key: tuple[t.Any, ...]) -> str | None:
        with self._cache_lock:
            cached = self._endpoint_cache.get(key)
        if (
            cached is None
            or time.monotonic() - cached[0] >= self.endpoint_cache_seconds
        ):
            return None
        self.log.debug("Endpoint search served from cache (scope %s)", key[1])
        return cached[1]

    def invalidate_endpoints(self) -> None:
        """Forget cached endpoint searches (after a login, logout or transfer)."""
        with self._cache_lock:
            self._endpoint_cache.clear()

    def close(self) -> None:
        """Stop the thread pool; running calls finish in the background."""
        self._executor.shutdown(wait=False, cancel_futures=True)


def _login_reason(status: LoginStatus) -> str:
    return status.reason or "Not logged in to Globus: log in to continue."


def _identity_id(status: LoginStatus) -> str | None:
    return status.identity.id if status.identity else None


def _signature(path: os.PathLike[str]) -> Signature:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)


def _json_text(page: EndpointPage) -> str:
    # As tornado encodes a dict: "</" escaped, so the text is safe in a page.
    return json.dumps(page.to_dict()).replace("</", "<\\/")
