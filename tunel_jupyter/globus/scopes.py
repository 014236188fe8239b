"""The scopes a login requests."""

from __future__ import annotations

import typing as t

if t.TYPE_CHECKING:
    from .records import EndpointRecord

TRANSFER_RESOURCE_SERVER = "transfer.api.globus.org"
AUTH_RESOURCE_SERVER = "auth.globus.org"
TRANSFER_ALL = "urn:globus:auth:scope:transfer.api.globus.org:all"
BASE_SCOPES = ("openid", "profile", "email", TRANSFER_ALL)

# Only GCSv5 mapped collections take a data_access consent. Guest collections use
# their ACLs, Globus Connect Personal and GCSv4 endpoints have no such scope, and
# high-assurance collections demand a fresh session instead of a stored consent.
_DATA_ACCESS_ENTITY_TYPES = ("GCSv5_mapped_collection",)


def login_scopes(*groups: t.Iterable[str]) -> list[str]:
    """Merge the base scopes with each group of scopes into one list.

    Dependent scopes on the same base merge into one scope
    (``transfer:all`` and ``transfer:all[*X]`` give ``transfer:all[*X]``), so a new
    login keeps earlier data_access consents while adding new ones.
    """
    from globus_sdk.scopes import ScopeParser

    merged = ScopeParser.parse(" ".join(BASE_SCOPES))
    for group in groups:
        text = " ".join(str(scope) for scope in group)
        if text.strip():
            merged = ScopeParser.merge_scopes(merged, ScopeParser.parse(text))
    return [str(scope) for scope in merged]


def needs_data_access(record: EndpointRecord) -> bool:
    """Check whether access to the collection requires its data_access consent."""
    return record.entity_type in _DATA_ACCESS_ENTITY_TYPES and not (
        record.high_assurance or record.is_globus_connect
    )


def data_access_scope(collection_id: str) -> str:
    """Return the Transfer scope that carries a collection's data_access consent."""
    from globus_sdk.scopes import GCSCollectionScopes

    data_access = GCSCollectionScopes(collection_id).data_access
    return f"{TRANSFER_ALL}[*{data_access}]"


def data_access_scopes(records: t.Iterable[EndpointRecord]) -> list[str]:
    """Return the data_access scopes for the records that need one."""
    return [data_access_scope(r.id) for r in records if needs_data_access(r)]
