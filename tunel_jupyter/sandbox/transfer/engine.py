"""Run transfer and delete tasks: really copy and remove files below collection roots.

A task first expands its items into folders to create and files to copy (counting
``files``, ``directories`` and ``subtasks_total``), then works through them. An
item that fails is retried ``retry_attempts`` times, and each attempt counts in
``faults``. After the last attempt the task fails with ``fatal_error``, unless the
error is on the source side and ``skip_source_errors`` is set. Counters change under
the context's lock so that readers see a consistent task.
"""

from __future__ import annotations

import json
import logging
import time

from . import copying, deleting
from .runtime import Canceled, EngineContext, Interrupted, ItemError
from .tasks import Task

log = logging.getLogger(__name__)


def run_task(task: Task, context: EngineContext) -> None:
    """Run ``task`` to its end (SUCCEEDED or FAILED), or until the sandbox stops."""
    kind = "Sandbox delete" if task.type == "DELETE" else "Sandbox transfer"
    with context.lock:
        task.started_time = task.started_time or time.time()
        task.nice_status = "OK"
        task.add_event(
            "STARTED",
            "started",
            json.dumps({"type": kind, "concurrency": 1}, indent=2),
        )
    context.task_changed(task)
    try:
        if task.type == "DELETE":
            deleting.run_delete(task, context)
        else:
            copying.run_transfer(task, context)
    except Interrupted:
        log.info("Task %s interrupted by the sandbox stopping", task.task_id)
        return
    except Canceled:
        with context.lock:
            task.subtasks_canceled += task.subtasks_pending
            task.add_event(
                "CANCELED", "canceled", "Canceled by the task owner", is_error=True
            )
            _finish(task, "FAILED", {"code": "CANCELED", "description": "canceled"})
    except ItemError as err:
        with context.lock:
            task.subtasks_canceled += task.subtasks_pending
            _finish(task, "FAILED", {"code": err.code, "description": err.description})
    except Exception as err:  # a bug must still end the task, not hang it
        log.exception("Task %s failed unexpectedly", task.task_id)
        with context.lock:
            task.add_event("GENERAL_ERROR", "error", str(err), is_error=True)
            _finish(task, "FAILED", {"code": "GENERAL_ERROR", "description": "error"})
    else:
        with context.lock:
            task.add_event(
                "SUCCEEDED",
                "succeeded",
                json.dumps({"files_succeeded": task.files_transferred}),
            )
            _finish(task, "SUCCEEDED", None)
    context.task_changed(task)


def _finish(task: Task, status: str, fatal_error: dict[str, str] | None) -> None:
    task.status = status
    task.fatal_error = fatal_error
    task.nice_status = None
    task.subtasks_retrying = 0
    task.completion_time = time.time()
