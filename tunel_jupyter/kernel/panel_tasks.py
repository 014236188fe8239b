"""The panel's task list: one row per task, with progress updated from a thread."""

from __future__ import annotations

import html
import logging
import threading
import typing as t

import ipywidgets as widgets

from tunel_jupyter.errors import LoginRequired, TunelError

from .controls import button
from .status import StatusArea
from .task import _status_text, describe_progress

if t.TYPE_CHECKING:
    from tunel_jupyter.globus import GlobusSession, TaskRecord

log = logging.getLogger(__name__)

_BAR_STYLES = {"SUCCEEDED": "success", "FAILED": "danger"}


class TaskRow(widgets.HBox):  # type: ignore[misc]
    """One task: its label and ID, a progress bar, its status and a Cancel button."""

    def __init__(self, record: TaskRecord, *, on_cancel: t.Callable[[str], None]):
        self.record = record
        self.title = widgets.HTML(layout=widgets.Layout(width="40%"))
        self.progress = widgets.FloatProgress(
            min=0.0, max=1.0, layout=widgets.Layout(width="25%")
        )
        self.status = widgets.HTML(layout=widgets.Layout(width="25%"))
        self.cancel_button = button(
            "Cancel", icon="stop", tooltip=f"Cancel task {record.task_id}"
        )
        self.cancel_button.on_click(lambda _: on_cancel(self.record.task_id))
        super().__init__([self.title, self.progress, self.status, self.cancel_button])
        self.update(record)

    @property
    def task_id(self) -> str:
        return self.record.task_id

    def update(self, record: TaskRecord) -> None:
        """Show ``record``, the task's latest state."""
        self.record = record
        name = html.escape(record.label or record.type)
        self.title.value = f"<b>{name}</b><br><small>{record.task_id}</small>"

        progress = record.progress
        if record.status == "SUCCEEDED":
            progress = 1.0
        self.progress.value = progress or 0.0
        self.progress.bar_style = _BAR_STYLES.get(record.status, "info")

        details = describe_progress(record)
        status = html.escape(_status_text(record))
        self.status.value = f"{status}<br><small>{html.escape(details)}</small>"
        self.cancel_button.disabled = record.is_done


class TaskList(widgets.VBox):  # type: ignore[misc]
    """Recent tasks, newest first, with progress that updates on its own.

    A daemon thread polls Globus every ``polling_interval`` seconds while some
    task in the list is still active. It stops when all are done or the widget is
    closed. The kernel stays free to run other cells meanwhile.
    """

    def __init__(
        self,
        session: GlobusSession,
        status: StatusArea,
        *,
        polling_interval: float = 2.0,
        limit: int = 10,
    ) -> None:
        self.session = session
        self.status_area = status
        self.polling_interval = polling_interval
        self.limit = limit
        self.rows: dict[str, TaskRow] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._poller: threading.Thread | None = None

        self.refresh_button = button("Refresh tasks", icon="refresh")
        self.refresh_button.on_click(status.guard(lambda _: self.refresh()))
        self.rows_box = widgets.VBox()
        self.empty = widgets.HTML("<i>No tasks yet.</i>")
        header = widgets.HBox([widgets.HTML("<b>Tasks</b>"), self.refresh_button])
        super().__init__([header, self.empty, self.rows_box])

    def refresh(self) -> None:
        """Load the most recent tasks from Globus."""
        records = self.session.list_tasks(limit=self.limit)
        for record in reversed(records):
            self.add(record, start_polling=False)
        self._start_polling()

    def add(self, record: TaskRecord, *, start_polling: bool = True) -> TaskRow:
        """Show ``record`` at the top (or update its row) and follow it."""
        with self._lock:
            row = self.rows.get(record.task_id)
            if row is None:
                row = TaskRow(record, on_cancel=self.status_area.guard(self.cancel))
                self.rows[record.task_id] = row
                self.rows_box.children = (row, *self.rows_box.children)
            else:
                row.update(record)
        self.empty.layout.display = "none"
        if start_polling:
            self._start_polling()
        return row

    def cancel(self, task_id: str) -> None:
        """Cancel a task and show the message Globus returns."""
        message = self.session.cancel_task(task_id)
        self.status_area.show(f"Task {task_id}: {message}")
        self.add(self.session.get_task(task_id))

    def poll_once(self) -> None:
        """Update every row whose task is still active from Globus."""
        with self._lock:
            active = [row for row in self.rows.values() if not row.record.is_done]
        for row in active:
            row.update(self.session.get_task(row.task_id))

    @property
    def is_polling(self) -> bool:
        return self._poller is not None and self._poller.is_alive()

    def _start_polling(self) -> None:
        with self._lock:
            if self._stop.is_set() or self.is_polling:
                return
            if all(row.record.is_done for row in self.rows.values()):
                return
            self._poller = threading.Thread(
                target=self._poll, name="tunel-globus-task-poller", daemon=True
            )
            self._poller.start()

    def _poll(self) -> None:
        log.debug("Task polling started")
        while not self._stop.wait(self.polling_interval):
            try:
                self.poll_once()
            except LoginRequired as error:
                self.status_area.show_error(error)
                break
            except TunelError as error:
                # A passing Globus or network failure: show it and try again.
                self.status_area.show_error(error)
            except Exception as error:  # the boundary of the polling thread
                self.status_area.show_error(error)
                break

            # Decide under the lock, so a task added meanwhile is never missed.
            with self._lock:
                if all(row.record.is_done for row in self.rows.values()):
                    self._poller = None
                    break
        log.debug("Task polling stopped")

    def stop(self) -> None:
        """Stop polling for good; the widget is going away."""
        self._stop.set()
        poller = self._poller
        if poller is not None and poller is not threading.current_thread():
            poller.join(timeout=5)
