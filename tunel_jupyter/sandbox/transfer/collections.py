"""Collections of the sandbox: seed entries, folders on disk, endpoint documents."""

from __future__ import annotations

import base64
import dataclasses
import logging
import threading
import typing as t
import uuid
from pathlib import Path

from . import samples

log = logging.getLogger(__name__)

ENTITY_TYPES = (
    "GCP_mapped_collection",
    "GCP_guest_collection",
    "GCSv5_endpoint",
    "GCSv5_mapped_collection",
    "GCSv5_guest_collection",
    "GCSv4_host",
    "GCSv4_share",
)


@dataclasses.dataclass
class Collection:
    """One endpoint or collection; ``root`` is its folder on disk."""

    id: str
    display_name: str | None
    entity_type: str
    owner_id: str
    owner_string: str
    root: Path
    canonical_name: str | None = None
    description: str | None = None
    organization: str | None = None
    department: str | None = None
    keywords: str | None = None
    contact_email: str | None = None
    info_link: str | None = None
    public: bool = False
    # Identity IDs the collection is shared with (an access rule in real Globus).
    shared_with: list[str] = dataclasses.field(default_factory=list)
    administrators: list[str] = dataclasses.field(default_factory=list)
    non_functional: bool = False
    high_assurance: bool = False
    authentication_assurance_timeout: int | None = None
    # Domains of which the login session needs an identity (high assurance).
    required_domains: list[str] = dataclasses.field(default_factory=list)
    # A GCSv5 mapped collection needs its data_access scope consented.
    requires_data_access: bool = False
    host_endpoint_id: str | None = None
    mapped_collection_id: str | None = None
    default_directory: str = "/~/"
    gcp_connected: bool | None = None
    # What to create in the folder the first time it is used.
    contents: dict[str, t.Any] = dataclasses.field(default_factory=dict)
    _populated: bool = dataclasses.field(default=False, repr=False)
    _populate_lock: threading.Lock = dataclasses.field(
        default_factory=threading.Lock, repr=False
    )

    @property
    def is_globus_connect(self) -> bool:
        return self.entity_type.startswith("GCP_")

    @property
    def gcs_version(self) -> str | None:
        if self.entity_type.startswith("GCSv5"):
            return "5.4.80"
        return None

    @property
    def is_guest(self) -> bool:
        return self.entity_type.endswith("guest_collection")

    def search_text(self) -> str:
        parts = (
            self.display_name,
            self.canonical_name,
            self.description,
            self.keywords,
            self.organization,
            self.owner_string,
        )
        return " ".join(p for p in parts if p).lower()

    @property
    def is_populated(self) -> bool:
        return self._populated

    def ensure_root(self) -> Path:
        """Create the folder and its sample contents on first use; return it."""
        if self._populated:
            return self.root
        with self._populate_lock:
            if not self._populated:
                if not self.root.exists():
                    samples.populate(self.root, self.contents)
                self._populated = True
        return self.root


def legacy_username(identity_id: str) -> str:
    """Derive the ``u_...`` user name that Transfer shows for an identity ID."""
    raw = base64.b32encode(uuid.UUID(identity_id).bytes).decode("ascii")
    return "u_" + raw.lower().rstrip("=")


def build_document(
    collection: Collection,
    *,
    identity_id: str,
    in_use: bool = False,
    last_accessed_time: str | None = None,
    rank: float | None = None,
    host: Collection | None = None,
) -> dict[str, t.Any]:
    """Return the endpoint document Transfer sends for ``collection``."""
    roles = []
    if collection.owner_id == identity_id or identity_id in collection.administrators:
        roles.append("administrator")
    mapped = host if collection.is_guest else None
    return {
        "DATA_TYPE": "endpoint",
        "id": collection.id,
        "display_name": collection.display_name,
        "canonical_name": collection.canonical_name,
        "entity_type": collection.entity_type,
        "owner_id": collection.owner_id,
        "owner_string": collection.owner_string,
        "username": legacy_username(collection.owner_id),
        "description": collection.description,
        "organization": collection.organization,
        "department": collection.department,
        "keywords": collection.keywords,
        "contact_email": collection.contact_email,
        "contact_info": None,
        "info_link": collection.info_link,
        "public": collection.public,
        "shareable": collection.entity_type
        in ("GCSv5_mapped_collection", "GCP_mapped_collection"),
        "is_globus_connect": collection.is_globus_connect,
        "gcp_connected": collection.gcp_connected
        if collection.is_globus_connect
        else None,
        "gcp_paused": False if collection.is_globus_connect else None,
        "gcs_version": collection.gcs_version,
        "gcs_manager_url": None,
        "host_endpoint_id": collection.host_endpoint_id,
        "host_endpoint": None,
        "host_endpoint_display_name": None,
        "host_path": None,
        "mapped_collection_id": collection.mapped_collection_id,
        "mapped_collection_display_name": mapped.display_name if mapped else None,
        "non_functional": collection.non_functional,
        "non_functional_endpoint_id": None,
        "non_functional_endpoint_display_name": None,
        "high_assurance": collection.high_assurance,
        "mfa_required": False,
        "default_directory": collection.default_directory,
        "my_effective_roles": roles,
        "subscription_id": None,
        "activated": False,
        "expires_in": -1,
        "expire_time": None,
        "acl_available": collection.is_guest,
        "acl_editable": collection.is_guest and collection.owner_id == identity_id,
        "in_use": in_use,
        "force_encryption": False,
        "force_verify": False,
        "disable_verify": False,
        "disable_anonymous_writes": False,
        "https_server": None,
        "tlsftp_server": None,
        "myproxy_server": None,
        "myproxy_dn": None,
        "oauth_server": None,
        "location": None,
        "network_use": None,
        "max_concurrency": None,
        "max_parallelism": None,
        "preferred_concurrency": None,
        "preferred_parallelism": None,
        "user_message": None,
        "user_message_link": None,
        "local_user_info_available": collection.entity_type
        == "GCSv5_mapped_collection",
        "authentication_timeout_mins": None,
        "authentication_assurance_timeout": (
            collection.authentication_assurance_timeout
        ),
        "authentication_policy_id": None,
        "acl_max_expiration_period_mins": None,
        "requester_pays": False,
        "french_english_bilingual": False,
        "s3_url": None,
        "s3_owner_activated": False,
        "sharing_target_endpoint": None,
        "sharing_target_root_path": None,
        "last_accessed_time": last_accessed_time,
        "_rank": rank,
    }


class Owners(t.Protocol):
    def resolve(self, owner: str) -> tuple[str, str]: ...


def from_seed(entry: dict[str, t.Any], *, storage: Path, owners: Owners) -> Collection:
    """Build a collection from one seed entry; raise ``ValueError`` naming the fault."""
    try:
        collection_id = str(uuid.UUID(str(entry["id"])))
    except (KeyError, ValueError):
        raise ValueError(
            f"seed collection {entry!r} needs an 'id' that is a UUID"
        ) from None
    entity_type = entry.get("entity_type", "GCSv5_mapped_collection")
    if entity_type not in ENTITY_TYPES:
        raise ValueError(
            f"seed collection {collection_id} has unknown entity_type "
            f"{entity_type!r}; use one of {', '.join(ENTITY_TYPES)}"
        )
    owner_id, owner_string = owners.resolve(str(entry.get("owner", "")))
    root = Path(entry["root"]) if entry.get("root") else storage / collection_id
    return Collection(
        id=collection_id,
        display_name=entry.get("display_name"),
        canonical_name=entry.get("canonical_name"),
        entity_type=entity_type,
        owner_id=owner_id,
        owner_string=owner_string,
        root=root,
        description=entry.get("description"),
        organization=entry.get("organization"),
        department=entry.get("department"),
        keywords=entry.get("keywords"),
        contact_email=entry.get("contact_email"),
        info_link=entry.get("info_link"),
        public=bool(entry.get("public", False)),
        shared_with=[owners.resolve(o)[0] for o in entry.get("shared_with", [])],
        administrators=[owners.resolve(o)[0] for o in entry.get("administrators", [])],
        non_functional=bool(entry.get("non_functional", False)),
        high_assurance=bool(entry.get("high_assurance", False)),
        authentication_assurance_timeout=entry.get("authentication_assurance_timeout"),
        required_domains=list(entry.get("required_domains", [])),
        requires_data_access=bool(entry.get("requires_data_access", False)),
        host_endpoint_id=entry.get("host_endpoint_id"),
        mapped_collection_id=entry.get("mapped_collection_id"),
        default_directory=entry.get("default_directory", "/~/"),
        gcp_connected=entry.get("gcp_connected", True)
        if entity_type.startswith("GCP_")
        else None,
        contents=dict(entry.get("contents", {"sample": True})),
    )


TOPICS = (
    ("Climate", "climate model output, reanalysis and station records"),
    ("Genomics", "sequencing runs, reference genomes and variant calls"),
    ("Astronomy", "sky survey images, spectra and source catalogs"),
    ("Materials", "simulation trajectories and diffraction measurements"),
    ("Neuroscience", "imaging volumes, recordings and connectome tables"),
    ("Ocean", "buoy series, glider tracks and satellite sea surface data"),
)


def generated_entries(spec: dict[str, t.Any], *, me: str) -> list[dict[str, t.Any]]:
    """Seed entries for ``{"public": N, "my-endpoints": N, "shared-with-me": N}``.

    Names cycle through a few research topics so that a full-text search for one
    topic returns a known share of the public collections. IDs are derived from
    the kind and number, so a generated seed is the same on every start.
    """
    entries: list[dict[str, t.Any]] = []
    kinds = (
        ("public", "Public Data Collection", {"public": True}),
        ("my-endpoints", "My Generated Collection", {"owner": me}),
        ("shared-with-me", "Shared Generated Collection", {"shared_with": [me]}),
    )
    for kind, label, extra in kinds:
        count = int(spec.get(kind, 0))
        for number in range(1, count + 1):
            topic, description = TOPICS[(number - 1) % len(TOPICS)]
            entry_id = uuid.uuid5(uuid.NAMESPACE_URL, f"tunel-sandbox:{kind}:{number}")
            entry: dict[str, t.Any] = {
                "id": str(entry_id),
                "display_name": f"{topic} {label} {number:04d}",
                "entity_type": "GCSv5_mapped_collection",
                "owner": "grace@example.com",
                "description": f"Generated sandbox collection with {description}.",
                "keywords": f"{topic.lower()},sandbox,generated",
                "organization": "Sandbox Research Computing",
                "contents": {"sample": "small"},
            }
            entry.update(extra)
            entries.append(entry)
    return entries


def storage_folder(state_dir: Path | None) -> tuple[Path, bool]:
    """Folder for seed collections' roots, and whether it is temporary."""
    if state_dir is not None:
        folder = state_dir / "collections"
        folder.mkdir(parents=True, exist_ok=True)
        return folder, False
    import tempfile

    return Path(tempfile.mkdtemp(prefix="tunel-sandbox-collections-")), True


def remove_tree(folder: Path) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)
    if folder.exists():
        log.warning("Could not remove the sandbox's collection folder %s", folder)
