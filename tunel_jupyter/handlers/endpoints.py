"""Endpoint routes: search, one record, directory listings and file operations."""

from __future__ import annotations

import typing as t

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..errors import UsageError
from .base import TunelAPIHandler, check_uuid, parse_bool, require_string

if t.TYPE_CHECKING:
    from ..globus import GlobusSession

SCOPES = (
    "my-endpoints",
    "my-gcp-endpoints",
    "recently-used",
    "in-use",
    "shared-by-me",
    "shared-with-me",
    "administered-by-me",
    "all",
)
# Globus returns at most 1000 endpoint search results (offset + limit).
SEARCH_RESULT_CAP = 1000


class EndpointSearchHandler(TunelAPIHandler):
    """One page of endpoints in one scope, cached per identity for a while."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        scope = self.get_query_argument("scope", None) or "my-endpoints"
        if scope not in SCOPES:
            raise UsageError(
                f"Invalid scope {scope!r}: use one of {', '.join(SCOPES)}.",
                field="scope",
            )
        search = self.text_argument("search")
        if scope == "all" and not search:
            raise UsageError(
                "The scope 'all' needs a search text: give search.", field="search"
            )
        limit = self.int_argument("limit", 100, minimum=1, maximum=100)
        offset = self.int_argument(
            "offset", 0, minimum=0, maximum=SEARCH_RESULT_CAP - 1
        )
        assert limit is not None and offset is not None

        service = self.service
        # A cache hit returns here, on the event loop, without a pool thread.
        text = service.cached_endpoints(
            scope=scope, search=search, limit=limit, offset=offset
        )
        if text is None:

            def search_page(session: GlobusSession) -> str:
                return service.search_endpoints(
                    session, scope=scope, search=search, limit=limit, offset=offset
                )

            text = await service.run(search_page)
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.finish(text)


class EndpointHandler(TunelAPIHandler):
    """One endpoint or collection."""

    @web.authenticated
    @authorized
    async def get(self, endpoint_id: str) -> None:
        endpoint_id = check_uuid(endpoint_id, field="endpoint_id")

        def get(session: GlobusSession) -> dict[str, t.Any]:
            return session.get_endpoint(endpoint_id).to_dict()

        self.finish(await self.service.run(get))


class ListingHandler(TunelAPIHandler):
    """One page of a directory listing."""

    @web.authenticated
    @authorized
    async def get(self, endpoint_id: str) -> None:
        endpoint_id = check_uuid(endpoint_id, field="endpoint_id")
        path = self.get_query_argument("path", None) or None
        show_hidden = self.bool_argument("show_hidden", False)
        limit = self.int_argument("limit", None, minimum=1, maximum=100000)
        offset = self.int_argument("offset", 0, minimum=0, maximum=10**9)
        assert offset is not None

        def ls(session: GlobusSession) -> dict[str, t.Any]:
            listing = session.ls(
                endpoint_id, path, show_hidden=show_hidden, limit=limit, offset=offset
            )
            return listing.to_dict()

        self.finish(await self.service.run(ls))


class MkdirHandler(TunelAPIHandler):
    """Create a directory."""

    @web.authenticated
    @authorized
    async def post(self, endpoint_id: str) -> None:
        endpoint_id = check_uuid(endpoint_id, field="endpoint_id")
        path = require_string(self.json_body(), "path")

        def mkdir(session: GlobusSession) -> None:
            session.mkdir(endpoint_id, path)

        await self.service.run(mkdir)
        self.set_status(201)
        self.finish({"endpoint_id": endpoint_id, "path": path})


class RenameHandler(TunelAPIHandler):
    """Rename or move a path within one collection."""

    @web.authenticated
    @authorized
    async def post(self, endpoint_id: str) -> None:
        endpoint_id = check_uuid(endpoint_id, field="endpoint_id")
        body = self.json_body()
        old_path = require_string(body, "old_path")
        new_path = require_string(body, "new_path")

        def rename(session: GlobusSession) -> None:
            session.rename(endpoint_id, old_path, new_path)

        await self.service.run(rename)
        self.finish(
            {"endpoint_id": endpoint_id, "old_path": old_path, "new_path": new_path}
        )


class DeleteHandler(TunelAPIHandler):
    """Submit a delete task."""

    @web.authenticated
    @authorized
    async def post(self, endpoint_id: str) -> None:
        endpoint_id = check_uuid(endpoint_id, field="endpoint_id")
        body = self.json_body()
        paths = body.get("paths")
        if not isinstance(paths, list) or not paths:
            raise UsageError(
                "Missing paths: give a non-empty list of paths to delete.",
                field="paths",
            )
        for index, path in enumerate(paths):
            if not isinstance(path, str) or not path.strip():
                raise UsageError(
                    f"Invalid path {path!r}: give a non-empty string.",
                    field=f"paths[{index}]",
                )
        recursive = parse_bool(body.get("recursive", False), field="recursive")
        label = optional_label(body)

        def delete(session: GlobusSession) -> dict[str, t.Any]:
            task = session.delete(endpoint_id, paths, recursive=recursive, label=label)
            return task.to_dict()

        task = await self.service.run(delete)
        self.service.invalidate_endpoints()
        self.set_status(202)
        self.finish(task)


def optional_label(body: t.Mapping[str, t.Any]) -> str | None:
    """Return the task ``label`` of a request body, checked, or None."""
    label = body.get("label")
    if label is None or label == "":
        return None
    if not isinstance(label, str) or len(label) > 128:
        raise UsageError(
            "Invalid label: give a string of at most 128 characters.", field="label"
        )
    return label
