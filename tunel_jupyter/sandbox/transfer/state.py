"""TransferState: the sandbox's collections, tasks and the threads that run tasks."""

from __future__ import annotations

import logging
import threading
import time
import typing as t
import uuid
from pathlib import Path

from . import collections, engine, listing
from .collections import Collection
from .tasks import COUNTERS, Task

if t.TYPE_CHECKING:
    from ..state import SandboxState

log = logging.getLogger(__name__)

SECTION = "transfer"
# A task's deadline when the request names none, as the service's default.
DEFAULT_DEADLINE = 24 * 3600


class TransferState:
    """Collections from the seed (plus the ``--root`` one) and every task.

    ``bytes_per_second`` (when not None) overrides the sandbox option
    ``transfer_bytes_per_second``; both slow copies so tests can act on a running
    task. Failing steps are tried ``retry_attempts`` times, ``retry_delay``
    seconds apart.
    """

    def __init__(
        self,
        sandbox: SandboxState,
        seed: dict[str, t.Any],
        root: str | Path | None,
    ) -> None:
        self.sandbox = sandbox
        self.lock = threading.RLock()
        self.stop = threading.Event()
        self.names = listing.NameCache()
        self.bytes_per_second_override: int | None = None
        self.retry_attempts = 3
        self.retry_delay = 0.2
        self.collections: dict[str, Collection] = {}
        self.tasks: dict[str, Task] = {}
        self.submissions: dict[str, str] = {}
        self._threads: dict[str, threading.Thread] = {}

        self.storage, self._temporary_storage = collections.storage_folder(
            sandbox.state_dir
        )
        self._load_collections(seed)
        self.local_collection_id: str | None = None
        if root is not None:
            self._add_local_collection(Path(root))

    # Seed

    def _load_collections(self, seed: dict[str, t.Any]) -> None:
        section = seed.get("collections", [])
        if isinstance(section, list):
            section = {"items": section}
        if not isinstance(section, dict):
            raise ValueError(
                "the seed's 'collections' must be a list of collections or an "
                "object with 'items' and 'generate'"
            )
        entries = list(section.get("items", []))
        generate = section.get("generate") or seed.get("generate")
        if generate:
            entries.extend(
                collections.generated_entries(
                    generate, me=self.default_identity().username
                )
            )
        for entry in entries:
            collection = collections.from_seed(entry, storage=self.storage, owners=self)
            if collection.id in self.collections:
                raise ValueError(f"seed collection {collection.id} is listed twice")
            self.collections[collection.id] = collection

    def _add_local_collection(self, root: Path) -> None:
        collection_id = self.sandbox.local_collection_id or str(
            uuid.uuid5(uuid.NAMESPACE_URL, f"tunel-jupyter-sandbox:{root.resolve()}")
        )
        me = self.default_identity()
        local = Collection(
            id=collection_id,
            display_name=f"Jupyter server files ({root.resolve().name or '/'})",
            entity_type="GCP_mapped_collection",
            owner_id=me.id,
            owner_string=me.username,
            root=root.resolve(),
            description="The folder the sandbox was started with (--root).",
            keywords="jupyter,local,sandbox",
            gcp_connected=True,
            contents={},
        )
        local._populated = True
        self.collections[collection_id] = local
        self.local_collection_id = collection_id

    def default_identity(self) -> t.Any:
        return self.sandbox.identities[self.sandbox.default_identity_id]

    def resolve(self, owner: str) -> tuple[str, str]:
        """Return ``(identity_id, username)`` for an identity ID or user name.

        An empty owner is the default identity. A name the seed does not list gets
        a stable derived ID, so a seed can name owners who never log in.
        """
        if not owner:
            me = self.default_identity()
            return me.id, me.username
        for identity in self.sandbox.identities.values():
            if owner in (identity.id, identity.username):
                return identity.id, identity.username
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"tunel-sandbox-user:{owner}")), owner

    def identity_ids(self, identity_id: str) -> set[str]:
        """Return the identity and those linked to it, which all act as one user."""
        try:
            return {identity.id for identity in self.sandbox.identity_set(identity_id)}
        except KeyError:
            return {identity_id}

    def username(self, identity_id: str) -> str:
        identity = self.sandbox.identities.get(identity_id)
        return identity.username if identity is not None else identity_id

    # Engine context

    def collection(self, collection_id: str) -> Collection | None:
        return self.collections.get(collection_id)

    def bytes_per_second(self) -> int:
        if self.bytes_per_second_override is not None:
            return self.bytes_per_second_override
        return int(getattr(self.sandbox.options, "transfer_bytes_per_second", 0) or 0)

    def task_changed(self, task: Task) -> None:
        self.sandbox.save()

    def folder_changed(self, folder: Path) -> None:
        self.names.forget(folder)

    # Tasks

    def user_tasks(self, identity_id: str) -> list[Task]:
        ids = self.identity_ids(identity_id)
        with self.lock:
            return [task for task in self.tasks.values() if task.owner_id in ids]

    def last_used(self, identity_id: str) -> dict[str, float]:
        """Request time of this user's newest task on each collection."""
        used: dict[str, float] = {}
        for task in self.user_tasks(identity_id):
            for collection_id in (
                task.source_endpoint_id,
                task.destination_endpoint_id,
            ):
                if collection_id:
                    used[collection_id] = max(
                        used.get(collection_id, 0.0), task.request_time
                    )
        return used

    def used_collections(self, identity_id: str) -> list[str]:
        """Collections of this user's tasks, newest task first, source first."""
        order: list[str] = []
        tasks = sorted(self.user_tasks(identity_id), key=lambda x: -x.request_time)
        for task in tasks:
            for collection_id in (
                task.source_endpoint_id,
                task.destination_endpoint_id,
            ):
                if collection_id and collection_id not in order:
                    order.append(collection_id)
        return order

    def active_collections(self, identity_id: str) -> set[str]:
        return {
            collection_id
            for task in self.user_tasks(identity_id)
            if not task.is_done
            for collection_id in (task.source_endpoint_id, task.destination_endpoint_id)
            if collection_id
        }

    def new_task(self, **fields: t.Any) -> Task:
        now = time.time()
        task = Task(
            task_id=str(uuid.uuid1()),
            request_time=now,
            deadline=fields.pop("deadline", None) or now + DEFAULT_DEADLINE,
            **fields,
        )
        with self.lock:
            self.tasks[task.task_id] = task
            self.submissions[task.submission_id] = task.task_id
        self.start(task)
        return task

    def start(self, task: Task) -> None:
        thread = threading.Thread(
            target=engine.run_task,
            args=(task, self),
            name=f"sandbox-task-{task.task_id[:8]}",
            daemon=True,
        )
        with self.lock:
            self._threads = {k: v for k, v in self._threads.items() if v.is_alive()}
            self._threads[task.task_id] = thread
        thread.start()

    def wait(self, task_id: str, timeout: float) -> bool:
        """Wait for a task's thread to end; return whether it did."""
        thread = self._threads.get(task_id)
        if thread is not None:
            thread.join(timeout)
            return not thread.is_alive()
        return True

    # Persistence, called by the sandbox core

    def to_dict(self) -> dict[str, t.Any]:
        with self.lock:
            return {
                "tasks": [task.to_dict() for task in self.tasks.values()],
                "submissions": dict(self.submissions),
            }

    def from_dict(self, data: dict[str, t.Any]) -> None:
        """Load stored tasks; tasks that were running start again from the top."""
        with self.lock:
            for entry in data.get("tasks", []):
                task = Task.from_dict(entry)
                self.tasks[task.task_id] = task
            self.submissions.update(data.get("submissions", {}))
        for task in list(self.tasks.values()):
            if not task.is_done:
                _reset_progress(task)
                task.add_event("RESUMED", "resumed", "The sandbox restarted the task")
                self.start(task)

    def close(self) -> None:
        self.stop.set()
        for thread in list(self._threads.values()):
            thread.join(5)
        if self._temporary_storage:
            collections.remove_tree(self.storage)


def _reset_progress(task: Task) -> None:
    for name in COUNTERS:
        setattr(task, name, 0)
    task.successful = []
    task.skipped_errors = []
