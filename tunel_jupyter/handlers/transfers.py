"""``POST transfers``: submit a transfer, with local paths of this server allowed."""

from __future__ import annotations

import typing as t

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..errors import UsageError
from .base import TunelAPIHandler, check_uuid, parse_bool
from .endpoints import optional_label
from .local import LocalCollection

if t.TYPE_CHECKING:
    from ..globus import GlobusSession
    from ..globus.records import TransferRequest

FIELDS = {
    "source_endpoint",
    "destination_endpoint",
    "items",
    "label",
    "sync_level",
    "verify_checksum",
    "preserve_timestamp",
}
ITEM_FIELDS = {
    "source_path",
    "source_local_path",
    "destination_path",
    "destination_local_path",
    "recursive",
}
# The collection path and the local path keys of each side of an item.
ITEM_KEYS = {
    "source": ("source_path", "source_local_path"),
    "destination": ("destination_path", "destination_local_path"),
}


class TransferHandler(TunelAPIHandler):
    """Submit a transfer task."""

    @web.authenticated
    @authorized
    async def post(self) -> None:
        body = self.json_body()
        unknown = sorted(set(body) - FIELDS)
        if unknown:
            raise UsageError(
                f"Unknown field {unknown[0]!r} in the transfer request.",
                field=unknown[0],
            )
        request = self.build_request(body)

        def submit(session: GlobusSession) -> dict[str, t.Any]:
            return session.submit_transfer(request).to_dict()

        task = await self.service.run(submit)
        # A transfer changes the "recently-used" and "in-use" scopes.
        self.service.invalidate_endpoints()
        self.log.debug("Submitted transfer task %s", task.get("task_id"))
        self.set_status(202)
        self.finish(task)

    def build_request(self, body: dict[str, t.Any]) -> TransferRequest:
        """Check the body and translate local paths into collection paths."""
        from ..globus.records import TransferItem, TransferRequest

        items = body.get("items")
        if not isinstance(items, list) or not items:
            raise UsageError(
                "Missing items: give a non-empty list of items to transfer.",
                field="items",
            )
        local = self.service.local_collection()
        source = self.endpoint_field(body, "source", items, local)
        destination = self.endpoint_field(body, "destination", items, local)

        transfer_items = []
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                raise UsageError(
                    "Each item must be a JSON object.", field=f"items[{index}]"
                )
            if not item.keys() <= ITEM_FIELDS:
                unknown = sorted(set(item) - ITEM_FIELDS)
                raise UsageError(
                    f"Unknown field {unknown[0]!r} in a transfer item.",
                    field=f"items[{index}].{unknown[0]}",
                )
            # Field names are built only for an error, because a batch has thousands of
            # items.
            recursive = item.get("recursive", False)
            if recursive is not False:
                recursive = parse_bool(recursive, field=f"items[{index}].recursive")
            transfer_items.append(
                TransferItem(
                    source_path=self.item_path(item, index, "source", local),
                    destination_path=self.item_path(item, index, "destination", local),
                    recursive=recursive,
                )
            )

        return TransferRequest(
            source,
            destination,
            tuple(transfer_items),
            label=optional_label(body),
            sync_level=body.get("sync_level"),
            verify_checksum=parse_bool(
                body.get("verify_checksum", False), field="verify_checksum"
            ),
            preserve_timestamp=parse_bool(
                body.get("preserve_timestamp", False), field="preserve_timestamp"
            ),
        )

    def endpoint_field(
        self,
        body: dict[str, t.Any],
        side: str,
        items: list[t.Any],
        local: LocalCollection | None,
    ) -> str:
        """Return the source or destination endpoint, defaulting to the local one."""
        field = f"{side}_endpoint"
        local_key = f"{side}_local_path"
        uses_local = any(isinstance(item, dict) and local_key in item for item in items)
        value = body.get(field)
        if value is None or value == "":
            if uses_local and local is not None:
                return local.id
            raise UsageError(f"Missing {field}: give a collection ID.", field=field)
        if not isinstance(value, str):
            raise UsageError(f"Invalid {field}: give a collection ID.", field=field)
        endpoint_id = check_uuid(value, field=field)
        if uses_local and local is not None and endpoint_id != local.id:
            raise UsageError(
                f"{field} {endpoint_id} is not this server's collection "
                f"({local.id}), so its items cannot use {side}_local_path.",
                field=field,
            )
        return endpoint_id

    def item_path(
        self,
        item: dict[str, t.Any],
        index: int,
        side: str,
        local: LocalCollection | None,
    ) -> str:
        """Return one side of an item as a collection path."""
        path_key, local_key = ITEM_KEYS[side]
        value = item.get(path_key)
        # The common case first: a non-blank collection path and no local path.
        if isinstance(value, str) and value.strip() and local_key not in item:
            return value
        if (path_key in item) == (local_key in item):
            raise UsageError(
                f"Give exactly one of {path_key} and {local_key} in each item.",
                field=f"items[{index}].{path_key}",
            )
        field = f"items[{index}].{local_key if local_key in item else path_key}"
        value = item.get(local_key, item.get(path_key))
        if not isinstance(value, str) or (path_key in item and not value.strip()):
            raise UsageError(f"Invalid {field}: give a path string.", field=field)
        if path_key in item:
            return value
        if local is None:
            raise UsageError(
                "This Jupyter server has no Globus collection for its files, so "
                f"{local_key} cannot be used. Set TunelGlobus.local_collection_id "
                "or install Globus Connect Personal.",
                field=field,
            )
        return local.collection_path(value, root_dir=self.service.root_dir, field=field)
