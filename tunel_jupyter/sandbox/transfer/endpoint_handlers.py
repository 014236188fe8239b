"""GET /v0.10/endpoint_search and GET /v0.10/endpoint/<id>."""

from __future__ import annotations

import typing as t

from . import search, tasks
from .collections import Collection, build_document
from .handler import TransferHandler


class Usage(t.NamedTuple):
    """The caller's collections in active tasks, and when each was last used."""

    active: set[str]
    last_used: dict[str, float]


class EndpointSearchHandler(TransferHandler):
    def get(self) -> None:
        token = self.caller()
        arguments = {
            name: self.get_argument(name, None)
            for name in (
                "filter_scope",
                "filter_fulltext",
                "filter_owner_id",
                "filter_entity_type",
                "filter_non_functional",
                "filter_host_endpoint",
                "limit",
                "offset",
            )
        }
        try:
            query = search.parse_query(arguments)
        except search.SearchError as err:
            self.api_error(400, "ClientError.BadRequest", str(err))

        transfer = self.transfer
        identity_ids = transfer.identity_ids(token.identity_id)
        active = transfer.active_collections(token.identity_id)
        results = search.select(
            list(transfer.collections.values()),
            query,
            identity_ids=identity_ids,
            used_order=transfer.used_collections(token.identity_id),
            active_ids=active,
        )
        page = results[query.offset : query.offset + query.limit]
        usage = Usage(active, transfer.last_used(token.identity_id))
        # Past the cap the service reports no further page, whatever remains.
        has_next = (
            query.offset + query.limit < len(results)
            and query.offset + query.limit < search.MAX_RESULTS
        )
        self.write_json(
            {
                "DATA_TYPE": "endpoint_list",
                "offset": query.offset,
                "limit": query.limit,
                "has_next_page": has_next,
                "DATA": [
                    self.document(c, token.identity_id, rank=score, usage=usage)
                    for c, score in page
                ],
            }
        )

    def document(
        self,
        collection: Collection,
        identity_id: str,
        *,
        rank: float | None,
        usage: Usage,
    ) -> dict[str, object]:
        last_used = usage.last_used.get(collection.id)
        host = (
            self.transfer.collection(collection.mapped_collection_id)
            if collection.mapped_collection_id
            else None
        )
        return build_document(
            collection,
            identity_id=identity_id,
            in_use=collection.id in usage.active,
            last_accessed_time=tasks.timestamp(last_used),
            rank=rank,
            host=host,
        )


class EndpointHandler(EndpointSearchHandler):
    def get(self, endpoint_id: str) -> None:  # type: ignore[override]
        token = self.caller()
        collection = self.find_collection(endpoint_id)
        usage = Usage(
            self.transfer.active_collections(token.identity_id),
            self.transfer.last_used(token.identity_id),
        )
        self.write_json(
            self.document(collection, token.identity_id, rank=None, usage=usage)
        )
