"""Endpoint search: the collections each ``filter_scope`` returns, and their order."""

from __future__ import annotations

import typing as t

from .collections import ENTITY_TYPES, Collection

SCOPES = (
    "all",
    "my-endpoints",
    "my-gcp-endpoints",
    "recently-used",
    "in-use",
    "shared-by-me",
    "shared-with-me",
    "administered-by-me",
)
MAX_LIMIT = 100
DEFAULT_LIMIT = 25
# The service returns no result past this many, whatever the paging.
MAX_RESULTS = 1000


class SearchError(ValueError):
    """An invalid search parameter; the message names it and the allowed values."""


class Query(t.NamedTuple):
    scope: str
    fulltext: str | None
    owner_id: str | None
    entity_type: str | None
    non_functional: bool | None
    host_endpoint: str | None
    limit: int
    offset: int


def parse_query(arguments: t.Mapping[str, str | None]) -> Query:
    """Check endpoint_search's query parameters; raise :class:`SearchError`."""
    scope = arguments.get("filter_scope") or "all"
    if scope not in SCOPES:
        raise SearchError(
            f"Invalid filter_scope {scope!r}; use one of {', '.join(SCOPES)}"
        )
    fulltext = (arguments.get("filter_fulltext") or "").strip() or None
    if scope == "all" and fulltext is None:
        raise SearchError(
            "filter_fulltext is required when filter_scope is 'all' (the default)"
        )

    entity_type = arguments.get("filter_entity_type") or None
    if entity_type is not None and entity_type not in ENTITY_TYPES:
        raise SearchError(
            f"Invalid filter_entity_type {entity_type!r}; use one of "
            f"{', '.join(ENTITY_TYPES)}"
        )
    non_functional = _parse_flag(arguments.get("filter_non_functional"))
    if entity_type is not None and non_functional is not None:
        raise SearchError(
            "filter_entity_type and filter_non_functional cannot be used together"
        )

    limit = _parse_int(arguments.get("limit"), "limit", DEFAULT_LIMIT)
    offset = _parse_int(arguments.get("offset"), "offset", 0)
    if not 1 <= limit <= MAX_LIMIT:
        raise SearchError(f"limit must be between 1 and {MAX_LIMIT}, not {limit}")
    if offset < 0:
        raise SearchError(f"offset must be 0 or more, not {offset}")
    if offset + limit > MAX_RESULTS:
        raise SearchError(
            f"offset + limit must be {MAX_RESULTS} or less (got {offset + limit}); "
            "narrow the search with filter_fulltext"
        )
    return Query(
        scope=scope,
        fulltext=fulltext,
        owner_id=arguments.get("filter_owner_id") or None,
        entity_type=entity_type,
        non_functional=non_functional,
        host_endpoint=arguments.get("filter_host_endpoint") or None,
        limit=limit,
        offset=offset,
    )


def _parse_int(value: str | None, name: str, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise SearchError(f"{name} must be an integer, not {value!r}") from None


def _parse_flag(value: str | None) -> bool | None:
    if value is None or value == "":
        return None
    lowered = value.lower()
    if lowered in ("1", "true", "yes"):
        return True
    if lowered in ("0", "false", "no"):
        return False
    raise SearchError(f"filter_non_functional must be 0 or 1, not {value!r}")


def rank(collection: Collection, words: list[str]) -> float | None:
    """Score a collection for full-text words; None if a word is missing.

    Every word must occur somewhere; matches in the name count most, then
    keywords, then the description and the other fields.
    """
    text = collection.search_text()
    name = (collection.display_name or collection.canonical_name or "").lower()
    keywords = (collection.keywords or "").lower()
    score = 0.0
    for word in words:
        if word not in text:
            return None
        score += 1.0
        if word in name:
            score += 2.0
        if word in keywords:
            score += 1.0
    return score


def select(
    collections: t.Iterable[Collection],
    query: Query,
    *,
    identity_ids: set[str],
    used_order: list[str],
    active_ids: set[str],
) -> list[tuple[Collection, float | None]]:
    """Return the matching collections, ordered, with their ``_rank``.

    ``identity_ids`` are the caller's identity and its linked ones.
    ``used_order`` lists collection IDs from the caller's tasks, newest first.
    ``active_ids`` are the collections in the caller's active tasks.
    """
    by_scope = _in_scope(list(collections), query.scope, identity_ids, used_order)
    words = query.fulltext.lower().split() if query.fulltext else []

    results: list[tuple[Collection, float | None]] = []
    for collection in by_scope:
        if query.scope == "in-use" and collection.id not in active_ids:
            continue
        if query.owner_id and collection.owner_id != query.owner_id:
            continue
        if query.entity_type and collection.entity_type != query.entity_type:
            continue
        if (
            query.non_functional is not None
            and collection.non_functional != query.non_functional
        ):
            continue
        if query.host_endpoint and collection.host_endpoint_id != query.host_endpoint:
            continue
        score = rank(collection, words) if words else None
        if words and score is None:
            continue
        results.append((collection, score))

    if query.scope == "recently-used":
        return results
    if words:
        results.sort(key=lambda item: (-(item[1] or 0.0), _name_key(item[0])))
    else:
        results.sort(key=lambda item: _name_key(item[0]))
    return results


def _name_key(collection: Collection) -> tuple[str, str]:
    name = collection.display_name or collection.canonical_name or collection.id
    return (name.lower(), collection.id)


def _visible(collection: Collection, identity_ids: set[str]) -> bool:
    return (
        collection.public
        or collection.owner_id in identity_ids
        or bool(identity_ids.intersection(collection.shared_with))
        or bool(identity_ids.intersection(collection.administrators))
    )


def _in_scope(
    collections: list[Collection],
    scope: str,
    identity_ids: set[str],
    used_order: list[str],
) -> list[Collection]:
    def owned(c: Collection) -> bool:
        return c.owner_id in identity_ids

    if scope == "all" or scope == "in-use":
        return [c for c in collections if _visible(c, identity_ids)]
    if scope == "my-endpoints":
        return [c for c in collections if owned(c)]
    if scope == "my-gcp-endpoints":
        return [c for c in collections if owned(c) and c.is_globus_connect]
    if scope == "shared-with-me":
        return [
            c
            for c in collections
            if not owned(c) and identity_ids.intersection(c.shared_with)
        ]
    if scope == "shared-by-me":
        return [c for c in collections if owned(c) and c.is_guest and c.shared_with]
    if scope == "administered-by-me":
        return [
            c
            for c in collections
            if owned(c) or identity_ids.intersection(c.administrators)
        ]
    # recently-used: in the order of the caller's tasks, newest first.
    by_id = {c.id: c for c in collections}
    return [
        by_id[i] for i in used_order if i in by_id and _visible(by_id[i], identity_ids)
    ]
