"""Read and extend the running sandbox's collections for command-line tests."""

from __future__ import annotations

import uuid
from pathlib import Path

from tunel_jupyter.sandbox import Sandbox
from tunel_jupyter.sandbox.transfer.collections import from_seed


def seed_rows(sandbox: Sandbox, scope: str) -> set[tuple[str, str]]:
    """Return (ID, display name) of the sandbox collections under ``scope``.

    Only my-endpoints (owned by the default identity) and shared-with-me (shared
    with it by someone else) are supported.
    """
    transfer = sandbox.state.transfer
    me = transfer.default_identity().id
    rows = set()
    for collection in transfer.collections.values():
        owned = collection.owner_id == me
        shared = not owned and me in collection.shared_with
        if (scope == "my-endpoints" and owned) or (
            scope == "shared-with-me" and shared
        ):
            name = collection.display_name or collection.canonical_name
            rows.add((collection.id, name or collection.id))
    return rows


def add_collection(sandbox: Sandbox, display_name: str, root: Path) -> str:
    """Add a collection of the default identity rooted at ``root``; return its ID."""
    transfer = sandbox.state.transfer
    entry = {
        "id": str(uuid.uuid4()),
        "display_name": display_name,
        "entity_type": "GCP_mapped_collection",
        "owner": transfer.default_identity().username,
        "root": str(root),
        "contents": {},
    }
    collection = from_seed(entry, storage=transfer.storage, owners=transfer)
    with transfer.lock:
        transfer.collections[collection.id] = collection
    return collection.id
