"""Python API for Globus in a notebook; the ``%globus`` magics are thin over it.

Every function uses one ``GlobusSession`` per kernel (``get_session()``), which shares
its login with the Jupyter server and the ``tunel-globus`` command line. Results are
rich values: they display as tables in a notebook and as text in a terminal, and are
ordinary objects in code::

    from tunel_jupyter.kernel import api as globus

    globus.login()                       # shows the login link and a code box
    table = globus.endpoints()           # EndpointTable, a list of EndpointRecord
    listing = globus.ls("my-laptop:/home/ada")
    task = globus.transfer("my-laptop:/home/ada/run1", "hpc:/scratch/run1",
                           recursive=True, label="run 1")
    task.wait()

Failures raise the errors of ``tunel_jupyter.errors``; the magics print them instead.
"""

from __future__ import annotations

import logging
import threading
import typing as t

from tunel_jupyter.errors import UsageError
from tunel_jupyter.globus.endpoints import FILTER_SCOPES as ENDPOINT_SCOPES
from tunel_jupyter.globus.environment import Environment
from tunel_jupyter.globus.paths import split_endpoint_path
from tunel_jupyter.globus.records import SYNC_LEVELS

from .display import DirectoryListing, EndpointTable, LoginState
from .task import Task, TaskTable

if t.TYPE_CHECKING:
    from tunel_jupyter.globus import (
        GlobusSession,
        Identity,
        LoginRequest,
    )

    from .login import LoginPrompt

__all__ = [
    "DEFAULT_SCOPES",
    "ENDPOINT_SCOPES",
    "SYNC_LEVELS",
    "cancel",
    "configure",
    "endpoints",
    "environment",
    "finish_login",
    "get_session",
    "identity",
    "login",
    "logout",
    "ls",
    "pending_login",
    "resolve_endpoint_id",
    "start_login",
    "task",
    "tasks",
    "transfer",
    "use_session",
    "wait",
    "whoami",
]

log = logging.getLogger(__name__)

#: Endpoint scopes ``endpoints()`` lists when none are given.
DEFAULT_SCOPES = ("my-endpoints", "shared-with-me")

_lock = threading.Lock()
_session: GlobusSession | None = None
_session_is_explicit = False
_session_options: dict[str, t.Any] = {}
_pending_login: tuple[GlobusSession, LoginRequest] | None = None


def configure(*, client_id: str | None = None) -> None:
    """Set options for the kernel's session; the next ``get_session()`` uses them.

    :param client_id: the Globus native app's client ID; None uses
        ``TUNEL_GLOBUS_CLIENT_ID`` or the one stored with the tokens.
    """
    global _session
    with _lock:
        options = {"client_id": client_id} if client_id else {}
        if options != _session_options:
            # A new client ID needs a new session; an explicit one stays in use.
            _session_options.clear()
            _session_options.update(options)
            if not _session_is_explicit:
                _session = None


def get_session() -> GlobusSession:
    """Return the kernel's ``GlobusSession``, creating it on first use.

    A new session replaces the old one when the Globus environment variables have
    changed since, so a kernel pointed at another sandbox does not keep using the
    first one.
    """
    global _session
    from tunel_jupyter.globus import GlobusSession

    with _lock:
        if _session is not None and _session_is_explicit:
            return _session
        environment = Environment.current()
        if _session is None or _session.environment != environment:
            log.debug("GlobusSession(environment=%s)", environment.auth_url)
            _session = GlobusSession(environment=environment, **_session_options)
        return _session


def use_session(session: GlobusSession | None) -> None:
    """Make ``session`` the one every function here uses; None goes back to the
    default session."""
    global _session, _session_is_explicit
    with _lock:
        _session = session
        _session_is_explicit = session is not None


def environment() -> Environment:
    """Return the Globus environment the kernel's session talks to."""
    return get_session().environment


def login(code: str | None = None, *, force: bool = False) -> LoginState | LoginPrompt:
    """Log in to Globus with the paste flow, never waiting on stdin.

    Without ``code``, start a login and return a ``LoginPrompt``: it shows the
    link to open and, in a notebook, a box to paste the code into. With ``code``,
    finish the most recent login started in this kernel and return the new
    ``LoginState``. When the stored login still works, return it unless ``force``.

    :raises tunel_jupyter.errors.UsageError: ``code`` was given but no login was
        started in this kernel.
    """
    if code is not None:
        return finish_login(code)

    session = get_session()
    if not force and session.status().logged_in:
        # status() only reads the store: prove the refresh token still works.
        checked = session.check()
        if checked.logged_in:
            return LoginState(checked)
    return start_login()


def start_login(
    *,
    required_scopes: t.Sequence[str] = (),
    session_requirements: t.Mapping[str, t.Any] | None = None,
) -> LoginPrompt:
    """Start a paste-flow login and return the prompt that shows its link.

    ``required_scopes`` and ``session_requirements`` come from a
    ``ConsentRequired`` error, to consent to exactly what Globus asked for.
    """
    global _pending_login
    from .login import LoginPrompt

    session = get_session()
    request = session.start_login(
        required_scopes=required_scopes, session_requirements=session_requirements
    )
    with _lock:
        _pending_login = (session, request)
    return LoginPrompt(request, session=session)


def finish_login(
    code: str,
    *,
    request: LoginRequest | None = None,
    session: GlobusSession | None = None,
) -> LoginState:
    """Finish a login started in this kernel with the code Globus showed.

    :param request: the login to finish; None finishes the most recent one.
    :param session: the session that started ``request``; None for the kernel's.
    :raises tunel_jupyter.errors.UsageError: no login was started, or the code
        is empty.
    """
    global _pending_login
    code = code.strip()
    if not code:
        raise UsageError("The login code is empty: paste the code Globus showed.")
    with _lock:
        pending = _pending_login
    if request is not None:
        if session is None:
            session = pending[0] if pending and pending[1] is request else None
        session = session or get_session()
    elif pending is not None:
        session, request = pending
    else:
        raise UsageError(
            "No login is waiting for a code in this kernel: run %globus login "
            "(or globus.login()) first, open the link, then pass the code it shows."
        )

    session.finish_login(code, state=request.state)
    with _lock:
        if _pending_login is not None and _pending_login[1] is request:
            _pending_login = None
    log.info("Logged in to %s", session.environment.label)
    return LoginState(session.status())


def pending_login() -> LoginRequest | None:
    """Return the login this kernel started and has not finished, if any."""
    with _lock:
        return None if _pending_login is None else _pending_login[1]


def logout() -> bool:
    """Log out: revoke the tokens at Globus and remove them from this computer.

    Return whether Globus confirmed the revocation; the local tokens are removed
    either way.
    """
    return get_session().logout()


def whoami() -> LoginState:
    """Return who is logged in, after proving the stored login still works."""
    return LoginState(get_session().check())


def identity() -> Identity | None:
    """Return the logged-in identity from the token store, without a network call."""
    return get_session().status().identity


def endpoints(
    scopes: str | t.Sequence[str] = DEFAULT_SCOPES, *, search: str | None = None
) -> EndpointTable:
    """List endpoints found under ``scopes``, each record with its scopes.

    :param scopes: one scope or several, from ``ENDPOINT_SCOPES``.
    :param search: full-text filter on names, owners and descriptions.
    """
    if isinstance(scopes, str):
        scopes = (scopes,)
    session = get_session()
    records = session.list_endpoints(tuple(scopes), search=search)
    return EndpointTable(records, environment=session.environment)


def resolve_endpoint_id(name_or_id: str) -> str:
    """Return the ID of the endpoint named by UUID or unique display name."""
    return get_session().resolve_endpoint(name_or_id).id


def ls(
    target: str,
    *,
    show_hidden: bool = False,
    limit: int | None = 1000,
    offset: int = 0,
) -> DirectoryListing:
    """List one page of a folder given as ``ENDPOINT:PATH``.

    The endpoint is a UUID or a unique display name; a bare endpoint lists its
    default directory. ``limit`` entries from ``offset`` are fetched, so a folder
    of any size returns quickly; ``DirectoryListing.next_page()`` reads on.
    """
    endpoint, path = split_endpoint_path(target)
    session = get_session()
    record = session.resolve_endpoint(endpoint)

    def fetch(page_offset: int) -> DirectoryListing:
        listing = session.ls(
            record.id, path, show_hidden=show_hidden, limit=limit, offset=page_offset
        )
        return DirectoryListing(
            listing,
            environment=session.environment,
            fetch_page=fetch,
            endpoint_name=record.display_name,
        )

    return fetch(offset)


def transfer(
    source: str,
    destination: str,
    *,
    recursive: bool = False,
    label: str | None = None,
    sync_level: str | None = None,
    verify_checksum: bool = False,
    preserve_timestamp: bool = False,
) -> Task:
    """Start a transfer from ``SOURCE_ENDPOINT:PATH`` to ``DEST_ENDPOINT:PATH``.

    Pass ``recursive=True`` to copy a folder. Return the ``Task`` at once; call
    its ``wait()`` to follow it to the end.
    """
    source_endpoint, source_path = _endpoint_and_path(source, "source")
    destination_endpoint, destination_path = _endpoint_and_path(
        destination, "destination"
    )
    from tunel_jupyter.globus import TransferItem, TransferRequest

    session = get_session()
    request = TransferRequest(
        session.resolve_endpoint(source_endpoint).id,
        session.resolve_endpoint(destination_endpoint).id,
        (TransferItem(source_path, destination_path, recursive=recursive),),
        label=label,
        sync_level=sync_level,
        verify_checksum=verify_checksum,
        preserve_timestamp=preserve_timestamp,
    )
    return Task(session, session.submit_transfer(request))


def _endpoint_and_path(value: str, role: str) -> tuple[str, str]:
    endpoint, path = split_endpoint_path(value)
    if path is None:
        raise UsageError(
            f"The {role} {value!r} has no path: write ENDPOINT:/path/to/data.",
            field=role,
        )
    return endpoint, path


def tasks(limit: int = 20) -> TaskTable:
    """List the most recent tasks, newest first."""
    session = get_session()
    return TaskTable(
        Task(session, record) for record in session.list_tasks(limit=limit)
    )


def task(task_id: str) -> Task:
    """Return the task with ``task_id``, fetched from Globus."""
    session = get_session()
    return Task(session, session.get_task(task_id.strip()))


def wait(
    task_id: str,
    timeout: float | None = None,
    *,
    polling_interval: float = 2.0,
    show_progress: bool = True,
) -> Task:
    """Wait until the task ends and return it; see ``Task.wait``."""
    return task(task_id).wait(
        timeout, polling_interval=polling_interval, show_progress=show_progress
    )


def cancel(task_id: str) -> str:
    """Cancel the task with ``task_id``; return Globus's message."""
    return get_session().cancel_task(task_id.strip())
