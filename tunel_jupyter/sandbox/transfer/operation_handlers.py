"""File operations on a collection: ls, mkdir, rename, stat."""

from __future__ import annotations

import logging
import os
import typing as t

from . import listing, paths
from .collections import Collection
from .handler import TransferHandler

log = logging.getLogger(__name__)


class OperationHandler(TransferHandler):
    def error_details(self, collection: Collection, operation: str, path: str) -> str:
        """Format the first lines of the service's multi-line error messages."""
        return (
            f"Error ({operation})\nEndpoint: {self.display_name(collection)} "
            f"({collection.id})\nServer: {self.request.host}\nFile: {path}\n"
        )

    def resolve_path(
        self,
        collection: Collection,
        path: str | None,
        operation: str,
        *,
        link: bool = False,
    ) -> paths.CollectionPath:
        """Resolve a request path; a path that leaves the root raises a 403 error."""
        try:
            if link:
                return paths.resolve_parent(
                    collection.root,
                    path or "",
                    default_directory=collection.default_directory,
                )
            return paths.resolve(
                collection.root, path, default_directory=collection.default_directory
            )
        except paths.PathNotAllowed:
            self.api_error(
                403,
                "EndpointPermissionDenied",
                "Denied by endpoint, "
                + self.error_details(collection, operation, path or "")
                + "Message: Path not allowed",
            )

    def not_found(
        self, collection: Collection, operation: str, display: str, *, code: str
    ) -> t.NoReturn:
        self.api_error(
            404,
            code,
            "Path not found, "
            + self.error_details(collection, operation, display)
            + f"Message: No such file or directory\n---\nDetails: Error: "
            f"'{display}' not found\n",
        )


class LsHandler(OperationHandler):
    async def get(self, endpoint_id: str) -> None:
        token = self.caller()
        collection = await self.usable_root(endpoint_id, token)
        show_hidden = self.bool_argument("show_hidden", True)
        limit = self.int_argument(
            "limit", listing.MAX_LIMIT, minimum=1, maximum=listing.MAX_LIMIT
        )
        offset = self.int_argument("offset", 0)
        try:
            order = listing.parse_orderby(self.get_argument("orderby", None))
            filters = listing.parse_filters(
                [text for text in self.get_arguments("filter") if text]
            )
        except listing.ListingError as err:
            self.api_error(400, "ClientError.BadRequest", str(err))
        self.check_local_user(collection)

        target = self.resolve_path(collection, self.get_argument("path", None), "list")
        if not target.real.exists():
            self.not_found(
                collection, "list", target.display, code="ClientError.NotFound"
            )
        if not target.real.is_dir():
            self.api_error(
                502,
                "ExternalError.DirListingFailed.NotDirectory",
                "Directory Listing Failed, "
                + self.error_details(collection, "list", target.display)
                + "Message: Not a directory",
            )
        try:
            page = listing.list_folder(
                collection.root,
                target.real,
                cache=self.transfer.names,
                show_hidden=show_hidden,
                offset=offset,
                limit=limit,
                order=order,
                filters=filters,
            )
        except PermissionError:
            self.api_error(
                403,
                "EndpointPermissionDenied",
                "Denied by endpoint, "
                + self.error_details(collection, "list", target.display)
                + "Message: Permission denied",
            )
        requested = self.get_argument("path", None) or collection.default_directory
        self.write_json(
            {
                "DATA_TYPE": "file_list",
                "endpoint": collection.id,
                "path": paths.with_slash(target.display),
                # GCS reports the expanded path only when the request used "~".
                "absolute_path": (
                    paths.with_slash(target.virtual) if "~" in requested else None
                ),
                "rename_supported": True,
                "symlink_supported": True,
                "length": len(page.entries),
                "total": page.total,
                "offset": offset,
                "limit": limit,
                "has_next_page": offset + len(page.entries) < page.total,
                "DATA": page.entries,
            }
        )

    def check_local_user(self, collection: Collection) -> None:
        local_user = self.get_argument("local_user", None)
        if local_user and collection.entity_type != "GCSv5_mapped_collection":
            self.api_error(
                400,
                "ClientError.BadRequest",
                "local_user can only be used with GCSv5 mapped collections, "
                f"and {collection.id} is a {collection.entity_type}",
            )


class StatHandler(OperationHandler):
    async def get(self, endpoint_id: str) -> None:
        token = self.caller()
        collection = await self.usable_root(endpoint_id, token)
        path = self.get_argument("path", None)
        if not path:
            self.api_error(
                400, "ClientError.BadRequest", "The path parameter is required"
            )
        target = self.resolve_path(collection, path, "stat", link=True)
        if not os.path.lexists(target.real):
            self.not_found(collection, "stat", target.display, code="NotFound")
        name = target.display.rsplit("/", 1)[-1] or "/"
        self.write_json(listing.file_entry(collection.root, target.real, name))


class MkdirHandler(OperationHandler):
    async def post(self, endpoint_id: str) -> None:
        token = self.caller()
        body = self.body_json()
        self.check_data_type(body, "mkdir")
        collection = await self.usable_root(endpoint_id, token)

        path = body.get("path")
        if not isinstance(path, str) or not path:
            self.api_error(400, "ClientError.BadRequest", "mkdir requires a 'path'")
        target = self.resolve_path(collection, path, "mkdir")
        if os.path.lexists(target.real):
            self.api_error(
                502,
                "ExternalError.MkdirFailed.Exists",
                "Directory Creation Failed, "
                + self.error_details(collection, "mkdir", target.display)
                + "Message: Path already exists",
            )
        if not target.real.parent.is_dir():
            self.not_found(
                collection, "mkdir", target.display, code="ClientError.NotFound"
            )

        target.real.mkdir()
        self.transfer.folder_changed(target.real.parent)
        self.write_json(
            {
                "DATA_TYPE": "mkdir_result",
                "code": "DirectoryCreated",
                "message": "The directory was created successfully",
                "request_id": self.request_id,
                "resource": self.request.path,
            },
            202,
        )


class RenameHandler(OperationHandler):
    async def post(self, endpoint_id: str) -> None:
        token = self.caller()
        body = self.body_json()
        self.check_data_type(body, "rename")
        collection = await self.usable_root(endpoint_id, token)

        old_path, new_path = body.get("old_path"), body.get("new_path")
        if not isinstance(old_path, str) or not isinstance(new_path, str):
            self.api_error(
                400,
                "ClientError.BadRequest",
                "rename requires 'old_path' and 'new_path'",
            )

        old = self.resolve_path(collection, old_path, "rename", link=True)
        new = self.resolve_path(collection, new_path, "rename", link=True)
        if not os.path.lexists(old.real):
            self.not_found(
                collection, "rename", old.display, code="ClientError.NotFound"
            )
        if os.path.lexists(new.real):
            self.api_error(
                502,
                "ExternalError.RenameFailed.Exists",
                "Rename Failed, "
                + self.error_details(collection, "rename", new.display)
                + "Message: Destination already exists",
            )
        if not new.real.parent.is_dir():
            self.not_found(
                collection, "rename", new.display, code="ClientError.NotFound"
            )

        try:
            os.rename(old.real, new.real)
        except OSError as err:
            log.info(
                "Rename %s to %s on %s failed: %s",
                old.display,
                new.display,
                collection.id,
                err,
            )
            self.api_error(
                502,
                "ExternalError.RenameFailed",
                "Rename Failed, "
                + self.error_details(collection, "rename", old.display)
                + f"Message: {err.strerror}",
            )
        self.transfer.folder_changed(old.real.parent)
        self.transfer.folder_changed(new.real.parent)
        self.write_json(
            {
                "DATA_TYPE": "result",
                "code": "FileRenamed",
                "message": "File or directory renamed successfully",
                "request_id": self.request_id,
                "resource": self.request.path,
            }
        )
