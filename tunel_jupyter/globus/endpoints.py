"""Find endpoints and collections: search by scope and text, resolve names."""

from __future__ import annotations

import logging
import typing as t
import uuid

from ..errors import NotFound, UsageError
from .errors import translated
from .records import EndpointPage, EndpointRecord

if t.TYPE_CHECKING:
    import globus_sdk

log = logging.getLogger(__name__)

# The filter_scope values of Transfer's endpoint_search.
FILTER_SCOPES = (
    "all",
    "my-endpoints",
    "my-gcp-endpoints",
    "recently-used",
    "in-use",
    "shared-by-me",
    "shared-with-me",
    "administered-by-me",
)
# Scopes searched to resolve a display name: the user's endpoints and those used.
RESOLVE_SCOPES = ("my-endpoints", "shared-with-me", "recently-used")
MAX_PAGE_SIZE = 100
# Transfer returns at most this many results of one search, however it is paged.
MAX_SEARCH_RESULTS = 1000


def check_scope(scope: str, search: str | None) -> None:
    """Check a filter scope, and that ``all`` comes with search text.

    :raises UsageError: naming the invalid value.
    """
    if scope not in FILTER_SCOPES:
        raise UsageError(
            f"Invalid endpoint scope {scope!r}: use one of {', '.join(FILTER_SCOPES)}.",
            field="scope",
        )
    if scope == "all" and not (search and search.strip()):
        raise UsageError(
            "The 'all' scope searches every public endpoint and needs search text.",
            field="search",
        )


def search_endpoints(
    client: globus_sdk.TransferClient,
    *,
    scope: str = "my-endpoints",
    search: str | None = None,
    limit: int = MAX_PAGE_SIZE,
    offset: int = 0,
) -> EndpointPage:
    """Return one page of an endpoint search."""
    from globus_sdk import MISSING

    check_scope(scope, search)
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise UsageError(
            f"Invalid limit {limit}: use 1 to {MAX_PAGE_SIZE}.", field="limit"
        )
    if not 0 <= offset < MAX_SEARCH_RESULTS:
        raise UsageError(
            f"Invalid offset {offset}: use 0 to {MAX_SEARCH_RESULTS - 1}; Transfer "
            f"returns at most {MAX_SEARCH_RESULTS} results per search.",
            field="offset",
        )
    log.debug("TransferClient.endpoint_search(scope=%s, offset=%d)", scope, offset)
    with translated("search endpoints"):
        response = client.endpoint_search(
            search or MISSING,
            filter_scope=scope,
            limit=min(limit, MAX_SEARCH_RESULTS - offset),
            offset=offset,
        )
    records = tuple(EndpointRecord.from_api(doc, scopes=[scope]) for doc in response)
    next_offset = offset + len(records)
    has_next = bool(response.get("has_next_page")) and next_offset < MAX_SEARCH_RESULTS
    return EndpointPage(
        records=records,
        has_next_page=has_next,
        next_offset=next_offset if has_next else None,
    )


def list_endpoints(
    client: globus_sdk.TransferClient,
    scopes: t.Sequence[str] = ("my-endpoints", "shared-with-me"),
    *,
    search: str | None = None,
) -> list[EndpointRecord]:
    """Return every endpoint under the scopes, up to Transfer's cap per scope.

    An endpoint found under several scopes appears once, listing them all.
    """
    from globus_sdk import MISSING

    if isinstance(scopes, str):
        scopes = (scopes,)
    for scope in scopes:
        check_scope(scope, search)

    merged: dict[str, EndpointRecord] = {}
    for scope in scopes:
        log.debug("TransferClient.paginated.endpoint_search(scope=%s)", scope)
        with translated("list endpoints"):
            pages = client.paginated.endpoint_search(
                search or MISSING, filter_scope=scope, limit=MAX_PAGE_SIZE
            )
            for doc in pages.items():
                record = EndpointRecord.from_api(doc, scopes=[scope])
                known = merged.get(record.id)
                merged[record.id] = (
                    record if known is None else known.with_scopes([scope])
                )
    return list(merged.values())


def get_endpoint(client: globus_sdk.TransferClient, endpoint_id: str) -> EndpointRecord:
    """Return one endpoint by ID."""
    endpoint_id = check_uuid(endpoint_id, field="endpoint_id")
    log.debug("TransferClient.get_endpoint(%s)", endpoint_id)
    with translated(f"get endpoint {endpoint_id}"):
        return EndpointRecord.from_api(client.get_endpoint(endpoint_id).data)


def resolve_endpoint(
    client: globus_sdk.TransferClient, name_or_id: str
) -> EndpointRecord:
    """Find an endpoint by UUID, or by an exact display name unique among the
    user's scopes (my-endpoints, shared-with-me, recently-used).

    :raises NotFound: if no endpoint has that name.
    :raises UsageError: if several do; the message lists them with their IDs.
    """
    name = name_or_id.strip()
    if not name:
        raise UsageError("Missing endpoint name or ID.", field="endpoint")
    if is_uuid(name):
        return get_endpoint(client, name)

    candidates = [
        record
        for record in list_endpoints(client, RESOLVE_SCOPES)
        if record.display_name == name
    ]
    if not candidates:
        raise NotFound(
            f"No endpoint named {name!r} among {', '.join(RESOLVE_SCOPES)}. Use its "
            "ID, or find it with `tunel-globus endpoints --search TEXT`."
        )
    if len(candidates) > 1:
        listing = "; ".join(
            f"{record.id} ({record.owner_string or 'unknown owner'})"
            for record in candidates
        )
        raise UsageError(
            f"Endpoint name {name!r} is ambiguous: {len(candidates)} endpoints have "
            f"it ({listing}). Use the ID of the one you mean.",
            field="endpoint",
        )
    return candidates[0]


def is_uuid(value: str) -> bool:
    """Check whether ``value`` is a UUID in any of the usual spellings."""
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def check_uuid(value: str, *, field: str) -> str:
    """Return ``value`` as a canonical UUID string.

    :raises UsageError: if it is not a UUID.
    """
    try:
        return str(uuid.UUID(str(value).strip()))
    except ValueError:
        raise UsageError(
            f"Invalid {field.replace('_', ' ')} {value!r}: expected a UUID.",
            field=field,
        ) from None
