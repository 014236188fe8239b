"""The token store file: location, permissions, a cross-process lock, atomic writes.

One JSON file, ``<jupyter data dir>/tunel/globus/tokens.json``, is shared by the
Jupyter server, its kernels and the command line. Every read and every
read-modify-write runs under an exclusive ``flock`` on ``tokens.lock`` beside it.
A thread lock in front of it lets the threads of one process share one ``flock``
and nest locked calls. Every write replaces the file atomically, so no reader sees
half a file and no update is lost. The file looks like::

    {"format_version": 1,
     "environments": {"<auth_url>": {"client_id": ..., "identity": {...},
                                     "tokens": {"<resource_server>": {...}}, ...}}}
"""

from __future__ import annotations

import contextlib
import datetime
import errno
import fcntl
import json
import logging
import os
import pathlib
import stat
import tempfile
import threading
import time
import typing as t

from ..errors import LoginRequired, TunelError
from .errors import LOGIN_AGAIN

log = logging.getLogger(__name__)
# Tightened permissions are news to the user, not only to a debugging log, so
# the command line shows this logger's warnings even without -v.
permissions_log = logging.getLogger(f"{__name__}.permissions")

FORMAT_VERSION = 1
DIRECTORY_MODE = 0o700
FILE_MODE = 0o600
LOCK_TIMEOUT_SECONDS = 30.0

Data = dict[str, t.Any]


def default_directory() -> pathlib.Path:
    """Return ``<jupyter data dir>/tunel/globus`` (honours ``JUPYTER_DATA_DIR``)."""
    from jupyter_core.paths import jupyter_data_dir

    return pathlib.Path(jupyter_data_dir()) / "tunel" / "globus"


class StoreFile:
    """The JSON token store with its lock.

    :param directory: the folder holding ``tokens.json``; by default
        :func:`default_directory`.
    """

    def __init__(self, directory: str | os.PathLike[str] | None = None) -> None:
        self.directory = pathlib.Path(directory or default_directory())
        self.path = self.directory / "tokens.json"
        self.lock_path = self.directory / "tokens.lock"
        self._lock = _process_lock(self.lock_path)
        self._prepared = False

    @contextlib.contextmanager
    def locked(self) -> t.Iterator[None]:
        """Hold the store's lock, shared by every thread and process.

        The lock is reentrant within a thread, so locked helpers may nest.
        """
        self._prepare()
        with self._lock:
            yield

    def read(self) -> Data:
        """Return the whole store (empty when there is none yet).

        :raises LoginRequired: if the file is corrupt or unreadable; it is moved
            aside first, so the next login starts a fresh store.
        """
        with self.locked():
            return self._read_locked()

    @contextlib.contextmanager
    def updating(self) -> t.Iterator[Data]:
        """Read the store, let the caller change it, and write it back atomically."""
        with self.locked():
            data = self._read_locked()
            yield data
            self._write_locked(data)

    def _prepare(self) -> None:
        # Checked on every use, because the user may delete the folder (to log out
        # by hand, for example) while a server keeps running.
        if self._prepared and self.directory.is_dir():
            return
        try:
            self.directory.mkdir(mode=DIRECTORY_MODE, parents=True, exist_ok=True)
        except OSError as err:
            raise TunelError(
                f"Could not create the Globus token store folder {self.directory} "
                f"({err.strerror}). Set JUPYTER_DATA_DIR to a folder you can write to."
            ) from err
        _tighten(self.directory, DIRECTORY_MODE, follow_symlinks=True)
        for path in (self.path, self.lock_path):
            _tighten(path, FILE_MODE, follow_symlinks=False)
        self._prepared = True

    def _read_locked(self) -> Data:
        try:
            # O_NOFOLLOW: a symlink could lead the reads and the mode change to a
            # file elsewhere, so the store never follows one.
            fd = os.open(self.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except FileNotFoundError:
            return _empty()
        except OSError as err:
            if err.errno == errno.ELOOP:
                raise self.move_aside(
                    "it is a symbolic link, which the token store never follows"
                ) from err
            raise self.move_aside(f"it could not be read ({err.strerror})") from err
        try:
            with os.fdopen(fd, "rb") as stream:
                _tighten_open(stream.fileno(), self.path, FILE_MODE)
                raw = stream.read()
        except OSError as err:
            raise self.move_aside(f"it could not be read ({err.strerror})") from err

        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            raise self.move_aside("it is not valid JSON") from err
        if not _valid(data):
            raise self.move_aside("its content has an unknown layout")
        return t.cast(Data, data)

    def _write_locked(self, data: Data) -> None:
        data["format_version"] = FORMAT_VERSION
        payload = json.dumps(data, indent=1, sort_keys=True).encode("utf-8")
        # mkstemp creates the file 0600, so others can never read the tokens, not
        # even for a moment. os.replace then swaps the new content in at once.
        fd, temporary = tempfile.mkstemp(
            dir=self.directory, prefix=".tokens-", suffix=".tmp"
        )
        try:
            with os.fdopen(fd, "wb") as stream:
                stream.write(payload)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            raise
        _fsync_directory(self.directory)

    def move_aside(self, reason: str) -> LoginRequired:
        """Rename the unusable store with a timestamp and return the error to raise."""
        stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        target = self.path.with_name(f"tokens.json.corrupt-{stamp}")
        suffix = 1
        while target.exists():
            suffix += 1
            target = self.path.with_name(f"tokens.json.corrupt-{stamp}-{suffix}")
        try:
            os.replace(self.path, target)
        except OSError as err:
            log.error("Could not move the corrupt token store %s: %s", self.path, err)
            return LoginRequired(
                f"The Globus token store {self.path} is unusable because {reason}, "
                f"and it could not be moved aside ({err.strerror}). Move or remove "
                f"it, then {LOGIN_AGAIN}."
            )
        log.warning(
            "Moved the unusable token store %s to %s because %s",
            self.path,
            target,
            reason,
        )
        return LoginRequired(
            f"The Globus token store {self.path} was unusable because {reason}; it "
            f"was moved to {target}. Please {LOGIN_AGAIN}."
        )


def _empty() -> Data:
    return {"format_version": FORMAT_VERSION, "environments": {}}


def _valid(data: t.Any) -> bool:
    if not isinstance(data, dict) or data.get("format_version") != FORMAT_VERSION:
        return False
    environments = data.get("environments")
    if not isinstance(environments, dict):
        return False
    return all(isinstance(record, dict) for record in environments.values())


def _tighten(path: pathlib.Path, mode: int, *, follow_symlinks: bool) -> None:
    # A file symlink's target may be any file of the user's, so it keeps its
    # mode. Reading the token file moves such a link aside.
    try:
        info = os.stat(path, follow_symlinks=follow_symlinks)
    except FileNotFoundError:
        return
    if stat.S_ISLNK(info.st_mode):
        return
    current = stat.S_IMODE(info.st_mode)
    if current & ~mode:
        permissions_log.warning(
            "Permissions of %s were %o, more open than %o; tightened to %o",
            path,
            current,
            mode,
            mode,
        )
        os.chmod(path, mode)


def _tighten_open(fd: int, path: pathlib.Path, mode: int) -> None:
    # A file written by another tool between two reads is checked again here.
    current = stat.S_IMODE(os.fstat(fd).st_mode)
    if current & ~mode:
        permissions_log.warning(
            "Permissions of %s were %o, more open than %o; tightened to %o",
            path,
            current,
            mode,
            mode,
        )
        os.fchmod(fd, mode)


def _fsync_directory(directory: pathlib.Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError as err:  # some file systems cannot sync a directory
        if err.errno not in (errno.EINVAL, errno.ENOTSUP):
            raise
    finally:
        os.close(fd)


class _FileLock:
    """A reentrant lock over threads (``RLock``) and processes (``flock``)."""

    def __init__(self, path: pathlib.Path) -> None:
        self.path = path
        self._thread_lock = threading.RLock()
        self._depth = 0
        self._fd: int | None = None

    def __enter__(self) -> None:
        if not self._thread_lock.acquire(timeout=LOCK_TIMEOUT_SECONDS):
            raise TunelError(self._timeout_message())
        try:
            if self._depth == 0:
                self._fd = self._acquire_file()
            self._depth += 1
        except BaseException:
            self._thread_lock.release()
            raise

    def __exit__(self, *exc_info: object) -> None:
        self._depth -= 1
        if self._depth == 0 and self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
        self._thread_lock.release()

    def _acquire_file(self) -> int:
        # O_CREAT without O_EXCL lets every process create or open the same lock
        # file race-free; the 0600 mode applies only when it is created.
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, FILE_MODE)
        deadline = time.monotonic() + LOCK_TIMEOUT_SECONDS
        delay = 0.001
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return fd
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise TunelError(self._timeout_message()) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.05)

    def _timeout_message(self) -> str:
        return (
            f"Timed out after {LOCK_TIMEOUT_SECONDS:.0f} s waiting for the token store "
            f"lock {self.path}; another tunel-jupyter process holds it. Try again."
        )


_locks: dict[str, _FileLock] = {}
_locks_guard = threading.Lock()


def _process_lock(path: pathlib.Path) -> _FileLock:
    # One lock object per file and process, so every StoreFile of this process
    # shares the thread lock as well as the flock.
    key = os.path.abspath(path)
    with _locks_guard:
        lock = _locks.get(key)
        if lock is None:
            lock = _locks[key] = _FileLock(path)
        return lock
