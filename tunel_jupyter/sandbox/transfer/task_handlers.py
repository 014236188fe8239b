"""Task resources: task_list, task, cancel, event_list, successful_transfers."""

from __future__ import annotations

import asyncio
import typing as t

from . import tasks
from .handler import TransferHandler
from .tasks import Task

# How long a cancel request waits for the running copy to stop.
CANCEL_WAIT_SECONDS = 10.0
MARKER_PAGE_SIZE = 100


class TaskHandlerBase(TransferHandler):
    def owned_task(self, task_id: str) -> Task:
        token = self.caller()
        task = self.transfer.tasks.get(task_id)
        if task is None or task.owner_id not in self.transfer.identity_ids(
            token.identity_id
        ):
            self.api_error(404, "TaskNotFound", f"Task {task_id} not found")
        return task

    def task_document(self, task: Task) -> dict[str, t.Any]:
        names: dict[str, tuple[str | None, str | None]] = {}
        for collection_id in (task.source_endpoint_id, task.destination_endpoint_id):
            collection = self.transfer.collection(collection_id or "")
            if collection is not None:
                names[collection.id] = (
                    collection.display_name,
                    collection.canonical_name,
                )
        with self.transfer.lock:
            return task.to_document(names, self.transfer.username(task.owner_id))


class TaskListHandler(TaskHandlerBase):
    def get(self) -> None:
        token = self.caller()
        limit = self.int_argument("limit", 10, minimum=1, maximum=tasks.TASK_LIST_MAX)
        offset = self.int_argument("offset", 0)
        try:
            clauses = []
            for text in self.get_arguments("filter"):
                clauses.extend(tasks.parse_task_filter(text or None))
            order = tasks.parse_task_orderby(self.get_argument("orderby", None))
        except tasks.TaskQueryError as err:
            self.api_error(400, "ClientError.BadRequest", str(err))

        selected = [
            task
            for task in self.transfer.user_tasks(token.identity_id)
            if tasks.task_matches(task, clauses)
        ]
        selected = tasks.sort_tasks(selected, order)
        page = selected[offset : offset + limit]
        self.write_json(
            {
                "DATA_TYPE": "task_list",
                "length": len(page),
                "limit": limit,
                "offset": offset,
                "total": len(selected),
                "DATA": [self.task_document(task) for task in page],
            }
        )


class TaskHandler(TaskHandlerBase):
    def get(self, task_id: str) -> None:
        self.write_json(self.task_document(self.owned_task(task_id)))

    def put(self, task_id: str) -> None:
        """Change the label or deadline of an active task, as ``update_task`` does."""
        task = self.owned_task(task_id)
        body = self.body_json()
        # globus-sdk's update_task sends the fields alone, without DATA_TYPE.
        if "DATA_TYPE" in body:
            self.check_data_type(body, "task")
        unknown = set(body) - {"DATA_TYPE", "label", "deadline"}
        if unknown:
            self.api_error(
                400,
                "ClientError.BadRequest",
                "Only label and deadline can be updated, not "
                + ", ".join(sorted(unknown)),
            )
        if task.is_done:
            self.api_error(
                409,
                "Conflict",
                f"Task {task_id} is {task.status} and cannot be updated",
            )

        label = self.label(body) if "label" in body else task.label
        deadline = self.deadline(body) if "deadline" in body else None
        with self.transfer.lock:
            task.label = label
            if deadline is not None:
                task.deadline = deadline
        self.state.save()
        self.write_json(
            {
                "DATA_TYPE": "result",
                "code": "Updated",
                "message": "Updated successfully",
                "resource": self.request.path,
                "request_id": self.request_id,
            }
        )


class TaskPauseInfoHandler(TaskHandlerBase):
    def get(self, task_id: str) -> None:
        self.owned_task(task_id)
        # The sandbox has no pause rules, so no task is ever paused.
        self.write_json(
            {
                "DATA_TYPE": "pause_info_limited",
                "pause_rules": [],
                "source_pause_message": None,
                "source_pause_message_share": None,
                "destination_pause_message": None,
                "destination_pause_message_share": None,
            }
        )


class TaskCancelHandler(TaskHandlerBase):
    async def post(self, task_id: str) -> None:
        task = self.owned_task(task_id)
        if task.is_done:
            self.write_json(
                {
                    "DATA_TYPE": "result",
                    "code": "TaskComplete",
                    "message": "The task completed before the cancel request was "
                    "processed",
                    "resource": self.request.path,
                    "request_id": self.request_id,
                }
            )
            return
        with self.transfer.lock:
            task.cancel_requested = True
        loop = asyncio.get_running_loop()
        stopped = await loop.run_in_executor(
            None, self.transfer.wait, task.task_id, CANCEL_WAIT_SECONDS
        )
        if not stopped:
            self.api_error(
                503,
                "ServiceUnavailable",
                f"Task {task_id} is still stopping; ask again in a few seconds",
            )
        self.write_json(
            {
                "DATA_TYPE": "result",
                "code": "Canceled",
                "message": "The task has been cancelled successfully.",
                "resource": self.request.path,
                "request_id": self.request_id,
            }
        )


class TaskEventListHandler(TaskHandlerBase):
    def get(self, task_id: str) -> None:
        task = self.owned_task(task_id)
        limit = self.int_argument("limit", 10, minimum=1, maximum=1000)
        offset = self.int_argument("offset", 0)
        only_errors = None
        for text in self.get_arguments("filter"):
            # globus-cli sends an empty filter when it has none to apply.
            if not text:
                continue
            field, _, value = text.partition(":")
            if field != "is_error" or value not in ("0", "1"):
                self.api_error(
                    400,
                    "ClientError.BadRequest",
                    f"Invalid filter {text!r}; use is_error:1 or is_error:0",
                )
            only_errors = value == "1"
        with self.transfer.lock:
            events = list(reversed(task.events))
        if only_errors is not None:
            events = [e for e in events if e["is_error"] == only_errors]
        page = events[offset : offset + limit]
        self.write_json(
            {
                "DATA_TYPE": "event_list",
                "length": len(page),
                "limit": limit,
                "offset": offset,
                "total": len(events),
                "DATA": page,
            }
        )


class MarkerListHandler(TaskHandlerBase):
    """Lists paged by ``marker``: the position to continue from, null at the end."""

    data_type = ""

    def entries(self, task: Task) -> list[dict[str, t.Any]]:
        raise NotImplementedError

    def get(self, task_id: str) -> None:
        task = self.owned_task(task_id)
        marker = self.int_argument("marker", 0)
        with self.transfer.lock:
            entries = self.entries(task)
        page = entries[marker : marker + MARKER_PAGE_SIZE]
        following = marker + len(page)
        self.write_json(
            {
                "DATA_TYPE": self.data_type,
                "marker": marker,
                "next_marker": following if following < len(entries) else None,
                "DATA": page,
            }
        )


class SuccessfulTransfersHandler(MarkerListHandler):
    data_type = "successful_transfers"

    def entries(self, task: Task) -> list[dict[str, t.Any]]:
        return list(task.successful)


class SkippedErrorsHandler(MarkerListHandler):
    data_type = "skipped_errors"

    def entries(self, task: Task) -> list[dict[str, t.Any]]:
        return list(task.skipped_errors)
