"""Records shared by every surface: the command line, the REST API and the notebook.

Each record is a frozen dataclass whose ``to_dict()`` returns JSON-ready data of the
same shape everywhere. The ``from_api`` constructors read Transfer API documents.
"""

from __future__ import annotations

import dataclasses
import typing as t

from ..errors import UsageError
from .paths import is_absolute

if t.TYPE_CHECKING:
    from .environment import Environment

SYNC_LEVELS = ("exists", "size", "mtime", "checksum")
TASK_DONE_STATUSES = ("SUCCEEDED", "FAILED")


class _Record:
    def to_dict(self) -> dict[str, t.Any]:
        """Return the record as JSON-ready data."""
        return _plain(self)  # type: ignore[no-any-return]


def _plain(value: t.Any) -> t.Any:
    # Scalars first: a page of records is mostly strings, and this runs per field.
    if value is None or isinstance(value, (str, int, float)):
        return value
    if isinstance(value, _Record):
        return {
            name: _plain(getattr(value, name)) for name in _field_names(type(value))
        }
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


@dataclasses.dataclass(frozen=True)
class Identity(_Record):
    """The Globus identity that logged in."""

    id: str
    username: str | None = None
    name: str | None = None
    email: str | None = None


@dataclasses.dataclass(frozen=True)
class LoginStatus(_Record):
    """Login state: whether a usable login exists, its identity, or the reason."""

    logged_in: bool
    identity: Identity | None
    expires_at: int | None
    environment: Environment
    reason: str | None = None


@dataclasses.dataclass(frozen=True)
class LoginRequest(_Record):
    """A started login: send the user to ``authorize_url``, then finish it.

    ``state`` identifies the login in ``finish_login``; the PKCE verifier stays in
    the process that started the login.
    """

    authorize_url: str
    state: str
    redirect_uri: str
    flow: str
    expires_at: int


@dataclasses.dataclass(frozen=True)
class EndpointRecord(_Record):
    """An endpoint or collection, with the search scopes it was found under."""

    id: str
    display_name: str
    owner_string: str | None = None
    owner_id: str | None = None
    entity_type: str | None = None
    scopes: tuple[str, ...] = ()
    non_functional: bool = False
    high_assurance: bool = False
    gcs_version: str | None = None
    description: str | None = None
    is_globus_connect: bool = False
    default_directory: str | None = None

    @classmethod
    def from_api(
        cls, doc: t.Mapping[str, t.Any], *, scopes: t.Sequence[str] = ()
    ) -> EndpointRecord:
        """Build a record from a Transfer endpoint document."""
        endpoint_id = str(doc["id"])
        display_name = doc.get("display_name") or doc.get("canonical_name")
        return cls(
            id=endpoint_id,
            display_name=display_name or endpoint_id,
            owner_string=doc.get("owner_string"),
            owner_id=doc.get("owner_id"),
            entity_type=doc.get("entity_type"),
            scopes=tuple(scopes),
            non_functional=bool(doc.get("non_functional")),
            high_assurance=bool(doc.get("high_assurance")),
            gcs_version=doc.get("gcs_version"),
            description=doc.get("description"),
            is_globus_connect=bool(doc.get("is_globus_connect")),
            default_directory=doc.get("default_directory"),
        )

    def with_scopes(self, scopes: t.Iterable[str]) -> EndpointRecord:
        """Return a copy that also lists ``scopes``, without duplicates."""
        merged = list(self.scopes)
        merged.extend(scope for scope in scopes if scope not in merged)
        return dataclasses.replace(self, scopes=tuple(merged))


@dataclasses.dataclass(frozen=True)
class EndpointPage(_Record):
    """One page of an endpoint search."""

    records: tuple[EndpointRecord, ...]
    has_next_page: bool
    next_offset: int | None


@dataclasses.dataclass(frozen=True)
class FileEntry(_Record):
    """One entry of a directory listing."""

    name: str
    type: str
    size: int | None = None
    last_modified: str | None = None
    permissions: str | None = None
    link_target: str | None = None

    @classmethod
    def from_api(cls, doc: t.Mapping[str, t.Any]) -> FileEntry:
        """Build an entry from a Transfer ``file`` document."""
        return cls(
            name=doc["name"],
            type=doc.get("type") or "file",
            size=doc.get("size"),
            last_modified=doc.get("last_modified"),
            permissions=doc.get("permissions"),
            link_target=doc.get("link_target"),
        )


@dataclasses.dataclass(frozen=True)
class Listing(_Record):
    """A page of a directory listing.

    ``total`` counts every entry of the directory when Transfer reports it. When
    ``has_next_page`` is true, list again with ``offset=next_offset`` for the rest.
    """

    endpoint_id: str
    path: str
    entries: tuple[FileEntry, ...]
    total: int | None
    has_next_page: bool
    next_offset: int | None


@dataclasses.dataclass(frozen=True)
class TransferItem(_Record):
    """One source and destination path of a transfer."""

    source_path: str
    destination_path: str
    recursive: bool = False


@dataclasses.dataclass(frozen=True)
class TransferRequest(_Record):
    """A transfer between two endpoints, checked when it is built.

    :raises UsageError: for no items, a relative path, a missing endpoint or an
        unknown sync level; the message names the value.
    """

    source_endpoint: str
    destination_endpoint: str
    items: tuple[TransferItem, ...]
    _: dataclasses.KW_ONLY
    label: str | None = None
    sync_level: str | int | None = None
    verify_checksum: bool = False
    preserve_timestamp: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "items", tuple(self.items))
        for field, endpoint in (
            ("source_endpoint", self.source_endpoint),
            ("destination_endpoint", self.destination_endpoint),
        ):
            if not str(endpoint or "").strip():
                raise UsageError(f"Missing {field.replace('_', ' ')}.", field=field)
        if not self.items:
            raise UsageError(
                "The transfer has no items: add at least one source and destination "
                "path.",
                field="items",
            )
        for number, item in enumerate(self.items, start=1):
            for field, path in (
                ("source_path", item.source_path),
                ("destination_path", item.destination_path),
            ):
                if not path or not is_absolute(path):
                    raise UsageError(
                        f"Invalid {field.replace('_', ' ')} {path!r} in item {number}: "
                        "paths must be absolute (start with '/' or '~').",
                        field=field,
                    )
        _check_sync_level(self.sync_level)
        if self.label is not None and ("\n" in self.label or len(self.label) > 128):
            raise UsageError(
                f"Invalid label {self.label!r}: use one line of at most 128 "
                "characters.",
                field="label",
            )


def _check_sync_level(sync_level: str | int | None) -> None:
    if sync_level is None or sync_level in SYNC_LEVELS:
        return
    is_number = isinstance(sync_level, int) and not isinstance(sync_level, bool)
    if is_number and 0 <= t.cast(int, sync_level) <= 3:
        return
    raise UsageError(
        f"Invalid sync level {sync_level!r}: use one of {', '.join(SYNC_LEVELS)}.",
        field="sync_level",
    )


@dataclasses.dataclass(frozen=True)
class TaskRecord(_Record):
    """A Transfer task (a transfer or a delete) and its progress."""

    task_id: str
    type: str
    status: str
    label: str | None = None
    source_endpoint_id: str | None = None
    destination_endpoint_id: str | None = None
    request_time: str | None = None
    completion_time: str | None = None
    files: int = 0
    files_transferred: int = 0
    files_skipped: int = 0
    bytes_transferred: int = 0
    subtasks_total: int = 0
    subtasks_succeeded: int = 0
    subtasks_failed: int = 0
    faults: int = 0
    nice_status: str | None = None
    fatal_error: dict[str, t.Any] | None = None

    @classmethod
    def from_api(cls, doc: t.Mapping[str, t.Any]) -> TaskRecord:
        """Build a record from a Transfer ``task`` document."""

        def count(key: str) -> int:
            return int(doc.get(key) or 0)

        return cls(
            task_id=str(doc["task_id"]),
            type=doc.get("type") or "TRANSFER",
            status=doc.get("status") or "ACTIVE",
            label=doc.get("label"),
            source_endpoint_id=doc.get("source_endpoint_id"),
            destination_endpoint_id=doc.get("destination_endpoint_id"),
            request_time=doc.get("request_time"),
            completion_time=doc.get("completion_time"),
            files=count("files"),
            files_transferred=count("files_transferred"),
            files_skipped=count("files_skipped"),
            bytes_transferred=count("bytes_transferred"),
            subtasks_total=count("subtasks_total"),
            subtasks_succeeded=count("subtasks_succeeded"),
            subtasks_failed=count("subtasks_failed"),
            faults=count("faults"),
            nice_status=doc.get("nice_status"),
            fatal_error=doc.get("fatal_error"),
        )

    @property
    def is_done(self) -> bool:
        """Whether the task has ended (succeeded or failed)."""
        return self.status in TASK_DONE_STATUSES

    @property
    def progress(self) -> float | None:
        """The share of work done, from 0.0 to 1.0, or ``None`` when unknown."""
        if self.status == "SUCCEEDED":
            return 1.0
        if self.subtasks_total > 0:
            done = self.subtasks_succeeded + self.subtasks_failed
            return min(1.0, done / self.subtasks_total)
        if self.files > 0:
            done = self.files_transferred + self.files_skipped
            return min(1.0, done / self.files)
        return None

    def to_dict(self) -> dict[str, t.Any]:
        body = super().to_dict()
        body["is_done"] = self.is_done
        body["progress"] = self.progress
        return body


@dataclasses.dataclass(frozen=True)
class TaskEvent(_Record):
    """One entry of a task's event list."""

    time: str | None
    code: str
    description: str | None
    details: str | None
    is_error: bool

    @classmethod
    def from_api(cls, doc: t.Mapping[str, t.Any]) -> TaskEvent:
        """Build an event from a Transfer ``event`` document."""
        details = doc.get("details")
        return cls(
            time=doc.get("time"),
            code=doc.get("code") or "",
            description=doc.get("description"),
            details=None if details is None else str(details),
            is_error=bool(doc.get("is_error")),
        )
