"""The ``Task`` value: a Globus task that a notebook can refresh, wait for and show."""

from __future__ import annotations

import html
import logging
import typing as t

from tunel_jupyter.errors import LoginRequired, TunelError

from .display import MAX_TABLE_ROWS, _Rich, format_bytes, html_table, text_table

if t.TYPE_CHECKING:
    from IPython.display import DisplayHandle

    from tunel_jupyter.globus import GlobusSession, TaskRecord

log = logging.getLogger(__name__)


def describe_progress(record: TaskRecord) -> str:
    """Summarise a task's progress, such as ``2/5 files, 1.0 MiB``."""
    parts = []
    if record.files:
        parts.append(f"{record.files_transferred or 0}/{record.files} files")
    elif record.subtasks_total:
        parts.append(f"{record.subtasks_succeeded or 0}/{record.subtasks_total} items")
    if record.files_skipped:
        parts.append(f"{record.files_skipped} skipped")
    if record.bytes_transferred:
        parts.append(format_bytes(record.bytes_transferred))
    return ", ".join(parts)


class LoginEnded(LoginRequired):
    """The login ended while a task was being waited for; the task goes on."""

    def __init__(self, task_id: str, wait_again: str = "task.wait()") -> None:
        """:param wait_again: the call that waits again, such as ``task.wait()``."""
        super().__init__(
            f"The Globus login ended while waiting for task {task_id}, for example "
            "after a logout in another window. The transfer keeps running at Globus: "
            "log in again with %globus login (or the panel's Log in button), then "
            f"run {wait_again} again."
        )
        self.task_id = task_id


def _status_text(record: TaskRecord) -> str:
    status = record.status
    if record.nice_status and record.nice_status not in ("OK", "Queued", status):
        status += f" ({record.nice_status})"
    if record.fatal_error:
        fatal = record.fatal_error
        status += f": {fatal.get('description') or fatal.get('code') or fatal}"
    return status


class Task(_Rich):
    """A Globus task, such as a transfer, with its last known state.

    ``status`` and ``record`` are as of the last ``refresh()``; ``refresh()`` fetches
    it again and ``wait()`` polls until the task is done. In a notebook the task
    draws itself with a progress bar.
    """

    def __init__(self, session: GlobusSession, record: TaskRecord) -> None:
        self._session = session
        self.record = record
        # The cell and state whose final wait line is on screen; see
        # _ipython_display_.
        self._shown_by_wait: tuple[int | None, TaskRecord] | None = None

    @property
    def task_id(self) -> str:
        return self.record.task_id

    @property
    def status(self) -> str:
        """Status as of the last refresh: ACTIVE, INACTIVE, SUCCEEDED or FAILED."""
        return self.record.status

    @property
    def is_done(self) -> bool:
        return self.record.is_done

    @property
    def progress(self) -> float | None:
        """Fraction done from 0.0 to 1.0, or None when Globus has not counted yet."""
        return self.record.progress

    def refresh(self) -> Task:
        """Fetch the task's current state from Globus and return this task."""
        self.record = self._session.get_task(self.task_id)
        return self

    def wait(
        self,
        timeout: float | None = None,
        *,
        polling_interval: float = 2.0,
        show_progress: bool = True,
    ) -> Task:
        """Poll Globus until the task succeeds or fails, then return this task.

        :param timeout: seconds to wait at most; None waits until the task ends.
        :param polling_interval: seconds between two status requests.
        :param show_progress: in a notebook, show a line that updates while waiting.
        :raises tunel_jupyter.errors.TaskWaitTimeout: the timeout passed first; the
            task goes on running at Globus.
        :raises tunel_jupyter.errors.LoginRequired: the login ended while waiting;
            the task goes on running at Globus.
        """
        handle = self._show_waiting() if show_progress else None

        def on_progress(record: TaskRecord) -> None:
            self.record = record
            if handle is not None:
                handle.update(_WaitLine(self))  # type: ignore[no-untyped-call]

        try:
            self.record = self._session.wait_task(
                self.task_id,
                timeout=timeout,
                polling_interval=polling_interval,
                on_progress=on_progress,
            )
        except LoginRequired:
            # The frames inside globus-sdk and the core's reason add nothing the
            # user can act on; the new message gives the next steps.
            raise LoginEnded(self.task_id) from None
        except TunelError as error:
            # The error's own message names what failed; the frames inside
            # globus-sdk only bury it.
            error.add_note("The task keeps running at Globus: call task.wait() again.")
            raise error.with_traceback(None) from None
        finally:
            if handle is not None:
                handle.update(_WaitLine(self))  # type: ignore[no-untyped-call]
                self._shown_by_wait = (_execution_count(), self.record)
        return self

    def cancel(self) -> str:
        """Ask Globus to cancel the task; return Globus's message."""
        message = self._session.cancel_task(self.task_id)
        self.refresh()
        return message

    def events(self, limit: int = 20) -> list[t.Any]:
        """Return the task's latest events (faults and progress notes), newest first."""
        return self._session.task_events(self.task_id, limit=limit)

    def _show_waiting(self) -> DisplayHandle | None:
        from IPython import get_ipython
        from IPython.display import display

        # A display that updates in place needs a kernel's front end; a terminal
        # would print every update as a new line.
        shell = get_ipython()
        if shell is None or getattr(shell, "kernel", None) is None:
            return None
        handle = display(_WaitLine(self), display_id=True)  # type: ignore[no-untyped-call]
        return t.cast("DisplayHandle", handle)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        if self._shown_by_wait == (_execution_count(), self.record):
            # The cell ends with the value of wait(), whose final line already
            # shows this very state: showing the task again would repeat it.
            self._shown_by_wait = None
            return
        bundle = {"text/plain": repr(self), "text/html": self._repr_html_()}
        display(bundle, raw=True)  # type: ignore[no-untyped-call]

    def _summary(self) -> str:
        label = f" {self.record.label!r}" if self.record.label else ""
        details = describe_progress(self.record)
        details = f", {details}" if details else ""
        status = _status_text(self.record)
        return f"{self.record.type} task {self.task_id}{label}: {status}{details}"

    def __repr__(self) -> str:
        progress = self.progress
        bar = ""
        if progress is not None:
            filled = round(progress * 20)
            bar = f" [{'#' * filled}{'.' * (20 - filled)}] {progress:.0%}"
        return f"<Task {self._summary()}{bar}>"

    def _repr_html_(self) -> str:
        progress = self.progress
        bar = ""
        if progress is not None:
            bar = (
                f'<progress max="100" value="{round(progress * 100)}"></progress> '
                f"{progress:.0%}"
            )
        return f"<p>{html.escape(self._summary())} {bar}</p>"


def _execution_count() -> int | None:
    from IPython import get_ipython

    shell = get_ipython()
    return None if shell is None else int(shell.execution_count)


class _WaitLine(_Rich):
    """The line a waiting cell shows and updates: the task's state while it runs."""

    def __init__(self, task: Task) -> None:
        self.task = task

    def __repr__(self) -> str:
        word = "Finished" if self.task.is_done else "Waiting for"
        return f"{word} {self.task._summary()}"

    def _repr_html_(self) -> str:
        html_task = self.task._repr_html_()
        word = "Finished" if self.task.is_done else "Waiting for"
        return f"<div><i>{word}:</i> {html_task}</div>"


class TaskTable(list[Task], _Rich):
    """A list of ``Task`` values that displays as a table, newest first."""

    headers = ("Task ID", "Type", "Status", "Label", "Progress", "Requested")

    def _rows(self) -> list[list[str]]:
        rows = []
        for task in self[:MAX_TABLE_ROWS]:
            record = task.record
            progress = "" if task.progress is None else f"{task.progress:.0%}"
            details = describe_progress(record)
            if details:
                progress = f"{progress} ({details})" if progress else details
            rows.append(
                [
                    task.task_id,
                    record.type,
                    _status_text(record),
                    record.label or "",
                    progress,
                    str(record.request_time or ""),
                ]
            )
        return rows

    def _footer(self) -> str:
        return f"{len(self)} task(s)." if self else "No tasks."

    def _repr_html_(self) -> str:
        return html_table(self.headers, self._rows(), footer=self._footer())

    def __repr__(self) -> str:
        return text_table(self.headers, self._rows(), footer=self._footer())
