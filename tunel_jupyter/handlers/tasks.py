"""Task routes: recent tasks, one task with its events, cancel."""

from __future__ import annotations

import re
import typing as t

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..errors import UsageError
from .base import TunelAPIHandler, check_uuid

if t.TYPE_CHECKING:
    from ..globus import GlobusSession

# One clause of a Transfer task filter, such as "status:ACTIVE,INACTIVE".
FILTER_CLAUSE = re.compile(r"[a-z_]+:[^/]+")


class TaskListHandler(TunelAPIHandler):
    """The user's most recent tasks."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        limit = self.int_argument("limit", 20, minimum=1, maximum=1000)
        assert limit is not None
        task_filter = self.text_argument("filter")
        if task_filter is not None:
            check_task_filter(task_filter)

        def list_tasks(session: GlobusSession) -> list[dict[str, t.Any]]:
            tasks = session.list_tasks(limit=limit, filter=task_filter)
            return [task.to_dict() for task in tasks]

        self.finish({"tasks": await self.service.run(list_tasks)})


class TaskHandler(TunelAPIHandler):
    """One task, its progress and its most recent events."""

    @web.authenticated
    @authorized
    async def get(self, task_id: str) -> None:
        task_id = check_uuid(task_id, field="task_id")
        events = self.int_argument("events", 20, minimum=0, maximum=1000)

        def get(session: GlobusSession) -> dict[str, t.Any]:
            body = session.get_task(task_id).to_dict()
            recent = session.task_events(task_id, limit=events) if events else []
            body["events"] = [event.to_dict() for event in recent]
            return body

        self.finish(await self.service.run(get))


class CancelHandler(TunelAPIHandler):
    """Cancel a task."""

    @web.authenticated
    @authorized
    async def post(self, task_id: str) -> None:
        task_id = check_uuid(task_id, field="task_id")

        def cancel(session: GlobusSession) -> str:
            return session.cancel_task(task_id)

        message = await self.service.run(cancel)
        self.finish({"task_id": task_id, "message": message})


def check_task_filter(text: str) -> None:
    """Raise ``UsageError`` unless ``text`` has the shape of a Transfer task filter.

    Transfer checks the fields and values itself; this check only turns a filter it
    cannot parse into a clear 400 instead of a Globus error.
    """
    for clause in text.split("/"):
        if not FILTER_CLAUSE.fullmatch(clause):
            raise UsageError(
                f"Invalid filter clause {clause!r} in {text!r}: use field:value pairs "
                "joined by '/', with values joined by ',', for example "
                "status:ACTIVE,INACTIVE/type:TRANSFER. Fields include status, type, "
                "label, request_time and task_id.",
                field="filter",
            )
