"""Transfer operations of a session: endpoints, files, transfers and tasks.

Each method runs one function of :mod:`endpoints`, :mod:`files` or
:mod:`transfers` with the session's Transfer client, and handles what follows from
the login: a retry after a 401, a dropped client after ``LoginRequired``, and
consent errors checked against the collections involved.
"""

from __future__ import annotations

import typing as t

from ..errors import ConsentRequired, LoginRequired, TunelError
from . import endpoints, files, transfers
from .scopes import data_access_scope, needs_data_access

if t.TYPE_CHECKING:
    import globus_sdk

    from .records import (
        EndpointPage,
        EndpointRecord,
        FileEntry,
        Listing,
        TaskEvent,
        TaskRecord,
        TransferRequest,
    )

ResultT = t.TypeVar("ResultT")


class TransferOperations:
    """Endpoint, file, transfer and task methods of :class:`GlobusSession`."""

    _max_retries: int | None

    def _transfer(self) -> globus_sdk.TransferClient:
        raise NotImplementedError

    def _reset(self) -> None:
        raise NotImplementedError

    def search_endpoints(
        self,
        *,
        scope: str = "my-endpoints",
        search: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> EndpointPage:
        """Return one page of an endpoint search under a filter scope."""
        return self._call(
            endpoints.search_endpoints,
            scope=scope,
            search=search,
            limit=limit,
            offset=offset,
        )

    def list_endpoints(
        self,
        scopes: t.Sequence[str] = ("my-endpoints", "shared-with-me"),
        *,
        search: str | None = None,
    ) -> list[EndpointRecord]:
        """Return every endpoint under ``scopes``, merged by ID."""
        return self._call(endpoints.list_endpoints, scopes, search=search)

    def get_endpoint(self, endpoint_id: str) -> EndpointRecord:
        """Return one endpoint by ID."""
        return self._call(endpoints.get_endpoint, endpoint_id)

    def resolve_endpoint(self, name_or_id: str) -> EndpointRecord:
        """Return the endpoint with this UUID or unique display name."""
        return self._call(endpoints.resolve_endpoint, name_or_id)

    def ls(
        self,
        endpoint_id: str,
        path: str | None = None,
        *,
        show_hidden: bool = False,
        limit: int | None = None,
        offset: int = 0,
    ) -> Listing:
        """List a directory (a page of it with ``limit``/``offset``)."""
        return self._call(
            files.ls,
            endpoint_id,
            path,
            show_hidden=show_hidden,
            limit=limit,
            offset=offset,
            collections=(endpoint_id,),
        )

    def stat(self, endpoint_id: str, path: str) -> FileEntry | None:
        """Return the file or directory at ``path``, or ``None`` if there is none."""
        return self._call(files.stat, endpoint_id, path, collections=(endpoint_id,))

    def mkdir(self, endpoint_id: str, path: str) -> None:
        """Create a directory."""
        self._call(files.mkdir, endpoint_id, path, collections=(endpoint_id,))

    def rename(self, endpoint_id: str, old_path: str, new_path: str) -> None:
        """Rename a file or directory."""
        self._call(
            files.rename, endpoint_id, old_path, new_path, collections=(endpoint_id,)
        )

    def delete(
        self,
        endpoint_id: str,
        paths: t.Sequence[str],
        *,
        recursive: bool = False,
        label: str | None = None,
    ) -> TaskRecord:
        """Submit a delete task."""
        return self._call(
            files.delete,
            endpoint_id,
            paths,
            recursive=recursive,
            label=label,
            collections=(endpoint_id,),
        )

    def submit_transfer(self, request: TransferRequest) -> TaskRecord:
        """Submit a transfer (checked before anything is sent) and return its task."""
        return self._call(
            transfers.submit_transfer,
            request,
            collections=(request.source_endpoint, request.destination_endpoint),
        )

    def list_tasks(
        self, *, limit: int = 20, filter: str | t.Mapping[str, t.Any] | None = None
    ) -> list[TaskRecord]:
        """Return the newest tasks."""
        return self._call(transfers.list_tasks, limit=limit, filter=filter)

    def get_task(self, task_id: str) -> TaskRecord:
        """Return a task's details."""
        return self._call(transfers.get_task, task_id)

    def task_events(self, task_id: str, *, limit: int = 20) -> list[TaskEvent]:
        """Return a task's newest events."""
        return self._call(transfers.task_events, task_id, limit=limit)

    def cancel_task(self, task_id: str) -> str:
        """Cancel a task and return Globus's message."""
        return self._call(transfers.cancel_task, task_id)

    def wait_task(
        self,
        task_id: str,
        *,
        timeout: float | None = None,
        polling_interval: float = 2,
        on_progress: t.Callable[[TaskRecord], None] | None = None,
    ) -> TaskRecord:
        """Wait for a task to end; see :func:`transfers.wait_task`."""
        return self._call(
            transfers.wait_task,
            task_id,
            timeout=timeout,
            polling_interval=polling_interval,
            on_progress=on_progress,
        )

    def _call(
        self,
        function: t.Callable[..., ResultT],
        *args: t.Any,
        collections: t.Sequence[str] = (),
        **kwargs: t.Any,
    ) -> ResultT:
        client = self._transfer()
        try:
            try:
                return function(client, *args, **kwargs)
            except LoginRequired as err:
                if not self._retry_after_401(client, err):
                    raise
            return function(client, *args, **kwargs)
        except LoginRequired:
            self._reset()
            raise
        except ConsentRequired as err:
            filtered = self._filter_consent(err, collections)
            if filtered is err:
                raise
            raise filtered from err

    def _retry_after_401(
        self, client: globus_sdk.TransferClient, err: LoginRequired
    ) -> bool:
        """Prepare one retry of a call that Transfer rejected with 401.

        globus-sdk renews the access token and retries a 401 itself, but counts
        that retry against ``max_retries``. So with ``max_retries=0`` the session
        retries here instead.
        """
        import globus_sdk

        cause = err.__cause__
        rejected = (
            isinstance(cause, globus_sdk.GlobusAPIError) and cause.http_status == 401
        )
        if not rejected or self._max_retries != 0 or client.authorizer is None:
            return False
        return bool(client.authorizer.handle_missing_authorization())

    def _filter_consent(
        self, err: ConsentRequired, collections: t.Sequence[str]
    ) -> ConsentRequired:
        """Drop data_access scopes for collections that do not take one.

        Only GCSv5 mapped collections take a data_access consent; asking for one
        on a guest, high-assurance or Globus Connect Personal collection would fail.
        """
        dropped = []
        for collection_id in collections:
            scope = data_access_scope(str(collection_id))
            if scope not in err.required_scopes:
                continue
            try:
                record = endpoints.get_endpoint(self._transfer(), str(collection_id))
            except TunelError:
                continue
            if not needs_data_access(record):
                dropped.append(scope)
        if not dropped:
            return err
        remaining = [s for s in err.required_scopes if s not in dropped]
        return ConsentRequired(
            err.message,
            required_scopes=remaining,
            session_requirements=err.session_requirements,
            login_url=err.login_url,
        )
