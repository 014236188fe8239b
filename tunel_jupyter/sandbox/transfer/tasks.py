"""Transfer and delete tasks: their record, API document, and task_list queries."""

from __future__ import annotations

import dataclasses
import functools
import time
import typing as t

SYNC_LEVELS = {"exists": 0, "size": 1, "mtime": 2, "checksum": 3}
STATUSES = ("ACTIVE", "INACTIVE", "SUCCEEDED", "FAILED")
TYPES = ("TRANSFER", "DELETE")
TASK_ORDER_FIELDS = (
    "task_id",
    "type",
    "status",
    "label",
    "request_time",
    "completion_time",
    "deadline",
    "files",
    "bytes_transferred",
    "source_endpoint_id",
    "destination_endpoint_id",
)
TASK_LIST_MAX = 1000
# Counters shown in the task document and updated by the copy engine.
COUNTERS = (
    "files",
    "directories",
    "symlinks",
    "files_skipped",
    "files_transferred",
    "bytes_transferred",
    "bytes_checksummed",
    "faults",
    "subtasks_total",
    "subtasks_succeeded",
    "subtasks_failed",
    "subtasks_canceled",
    "subtasks_expired",
    "subtasks_retrying",
    "subtasks_skipped_errors",
)


def timestamp(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(seconds))


@dataclasses.dataclass
class Task:
    task_id: str
    type: str
    owner_id: str
    submission_id: str
    source_endpoint_id: str
    destination_endpoint_id: str | None
    request_time: float
    deadline: float
    items: list[dict[str, t.Any]]
    label: str | None = None
    sync_level: int | None = None
    verify_checksum: bool = False
    preserve_timestamp: bool = False
    encrypt_data: bool = False
    delete_destination_extra: bool = False
    skip_source_errors: bool = False
    fail_on_quota_errors: bool = False
    filter_rules: list[dict[str, t.Any]] | None = None
    # DELETE only
    recursive: bool = False
    ignore_missing: bool = False

    status: str = "ACTIVE"
    nice_status: str | None = "Queued"
    completion_time: float | None = None
    started_time: float | None = None
    fatal_error: dict[str, str] | None = None
    cancel_requested: bool = False

    files: int = 0
    directories: int = 0
    symlinks: int = 0
    files_skipped: int = 0
    files_transferred: int = 0
    bytes_transferred: int = 0
    bytes_checksummed: int = 0
    faults: int = 0
    subtasks_total: int = 0
    subtasks_succeeded: int = 0
    subtasks_failed: int = 0
    subtasks_canceled: int = 0
    subtasks_expired: int = 0
    subtasks_retrying: int = 0
    subtasks_skipped_errors: int = 0

    # Newest last; the API returns them newest first.
    events: list[dict[str, t.Any]] = dataclasses.field(default_factory=list)
    # successful_transfer documents, in the order the files were copied.
    successful: list[dict[str, t.Any]] = dataclasses.field(default_factory=list)
    skipped_errors: list[dict[str, t.Any]] = dataclasses.field(default_factory=list)

    @property
    def is_done(self) -> bool:
        return self.status in ("SUCCEEDED", "FAILED")

    @property
    def subtasks_pending(self) -> int:
        done = (
            self.subtasks_succeeded
            + self.subtasks_failed
            + self.subtasks_canceled
            + self.subtasks_expired
            + self.subtasks_skipped_errors
        )
        return max(0, self.subtasks_total - done)

    def add_event(
        self, code: str, description: str, details: str = "", *, is_error: bool = False
    ) -> None:
        self.events.append(
            {
                "DATA_TYPE": "event",
                "code": code,
                "description": description,
                "details": details,
                "is_error": is_error,
                "time": timestamp(time.time()),
            }
        )

    def to_document(
        self, names: t.Mapping[str, tuple[str | None, str | None]], username: str
    ) -> dict[str, t.Any]:
        """Return the ``task`` document; ``names`` maps collection IDs to
        ``(display_name, canonical_name)``."""
        source = names.get(self.source_endpoint_id, (None, None))
        destination = (
            names.get(self.destination_endpoint_id, (None, None))
            if self.destination_endpoint_id
            else (None, None)
        )
        elapsed = (self.completion_time or time.time()) - (
            self.started_time or self.request_time
        )
        document: dict[str, t.Any] = {
            "DATA_TYPE": "task",
            "task_id": self.task_id,
            "type": self.type,
            "status": self.status,
            "label": self.label,
            "owner_id": self.owner_id,
            "username": username,
            "command": "API 0.10",
            "source_endpoint": source[1] or self.source_endpoint_id,
            "source_endpoint_id": self.source_endpoint_id,
            "source_endpoint_display_name": source[0],
            "destination_endpoint": (
                destination[1] or self.destination_endpoint_id
                if self.destination_endpoint_id
                else None
            ),
            "destination_endpoint_id": self.destination_endpoint_id,
            "destination_endpoint_display_name": destination[0],
            "request_time": timestamp(self.request_time),
            "completion_time": timestamp(self.completion_time),
            "deadline": timestamp(self.deadline),
            "sync_level": self.sync_level,
            "verify_checksum": self.verify_checksum,
            "encrypt_data": self.encrypt_data,
            "preserve_timestamp": self.preserve_timestamp,
            "delete_destination_extra": self.delete_destination_extra,
            "skip_source_errors": self.skip_source_errors,
            "fail_on_quota_errors": self.fail_on_quota_errors,
            "recursive_symlinks": "ignore" if self.type == "TRANSFER" else None,
            "filter_rules": self.filter_rules,
            "fatal_error": self.fatal_error,
            "nice_status": None if self.is_done else self.nice_status,
            "nice_status_details": None,
            "nice_status_expires_in": None,
            "nice_status_short_description": None,
            "is_ok": None if self.is_done else self.nice_status in ("OK", "Queued"),
            "is_paused": False,
            "canceled_by_admin": None,
            "canceled_by_admin_message": None,
            "history_deleted": False,
            "effective_bytes_per_second": (
                int(self.bytes_transferred / elapsed) if elapsed > 0 else 0
            ),
            "subtasks_pending": self.subtasks_pending,
        }
        for name in COUNTERS:
            document[name] = getattr(self, name)
        return document

    def to_dict(self) -> dict[str, t.Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, t.Any]) -> Task:
        names = {field.name for field in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


class TaskQueryError(ValueError):
    """An invalid task_list parameter; the message names it."""


def parse_task_filter(text: str | None) -> list[tuple[str, list[str]]]:
    """Parse ``status:ACTIVE,INACTIVE/type:TRANSFER`` into clauses."""
    if not text:
        return []
    clauses = []
    for part in text.split("/"):
        field, colon, values = part.partition(":")
        field = field.strip()
        allowed = (
            "task_id",
            "type",
            "status",
            "label",
            "request_time",
            "completion_time",
        )
        if not colon or field not in allowed:
            raise TaskQueryError(
                f"Invalid filter clause {part!r}; use field:value with a field "
                f"among {', '.join(allowed)}"
            )
        items = values.split(",")
        if field == "status" and not set(items) <= set(STATUSES):
            raise TaskQueryError(
                f"Invalid status in filter {part!r}; use {', '.join(STATUSES)}"
            )
        if field == "type" and not set(items) <= set(TYPES):
            raise TaskQueryError(
                f"Invalid type in filter {part!r}; use {', '.join(TYPES)}"
            )
        clauses.append((field, items))
    return clauses


def task_matches(task: Task, clauses: list[tuple[str, list[str]]]) -> bool:
    for field, values in clauses:
        if field in ("request_time", "completion_time"):
            moment = timestamp(getattr(task, field)) or ""
            low = values[0].replace(" ", "T") if values else ""
            high = values[1].replace(" ", "T") if len(values) > 1 else ""
            if (
                not moment
                or (low and moment < low)
                or (high and moment[: len(high)] > high)
            ):
                return False
            continue
        if field == "label":
            label = task.label or ""
            if not any(_label_matches(label, v) for v in values):
                return False
            continue
        if str(getattr(task, field)) not in values:
            return False
    return True


def _label_matches(label: str, pattern: str) -> bool:
    if pattern.startswith("~"):
        return pattern[1:].lower() in label.lower()
    return label == pattern


def parse_task_orderby(text: str | None) -> list[tuple[str, bool]]:
    if not text:
        return [("request_time", True)]
    order = []
    for clause in text.split(","):
        words = clause.split()
        field = words[0] if words else ""
        direction = words[1].upper() if len(words) > 1 else "ASC"
        if field not in TASK_ORDER_FIELDS or direction not in ("ASC", "DESC"):
            raise TaskQueryError(
                f"Invalid orderby clause {clause!r}; use one of "
                f"{', '.join(TASK_ORDER_FIELDS)}, optionally followed by ASC or DESC"
            )
        order.append((field, direction == "DESC"))
    return order


def sort_tasks(tasks: list[Task], order: list[tuple[str, bool]]) -> list[Task]:
    result = list(tasks)
    for field, descending in reversed(order):
        result.sort(key=functools.partial(_task_key, field), reverse=descending)
    return result


def _task_key(field: str, task: Task) -> tuple[int, t.Any]:
    return _none_last(getattr(task, field))


def _none_last(value: t.Any) -> tuple[int, t.Any]:
    return (0, value) if value is not None else (1, 0)
