"""Output helpers for the command line: JSON, aligned tables, sizes, progress."""

from __future__ import annotations

import json
import sys
import typing as t

if t.TYPE_CHECKING:
    from ..globus import TaskRecord


def print_json(value: t.Any) -> None:
    """Print ``value`` as indented JSON on stdout, for scripts."""
    json.dump(value, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")


def records_to_json(records: t.Iterable[t.Any]) -> list[dict[str, t.Any]]:
    """Return the ``to_dict()`` of each record, the shape every surface shares."""
    return [record.to_dict() for record in records]


def print_table(headers: t.Sequence[str], rows: t.Sequence[t.Sequence[t.Any]]) -> None:
    """Print rows as columns padded to the widest cell, except the last column."""
    cells = [[_cell(value) for value in row] for row in rows]
    widths = [len(header) for header in headers]
    for row in cells:
        for index, value in enumerate(row):
            widths[index] = max(widths[index], len(value))

    def line(values: t.Sequence[str]) -> str:
        padded = [value.ljust(widths[i]) for i, value in enumerate(values[:-1])]
        return "  ".join([*padded, values[-1]]).rstrip()

    print(line(headers))
    print(line(["-" * width for width in widths]))
    for row in cells:
        print(line(row))


def _cell(value: t.Any) -> str:
    if value is None:
        return ""
    # Tabs, newlines and indentation (event details hold JSON) break the columns.
    return " ".join(str(value).split())


def format_size(size: int | float | None) -> str:
    """Return a byte count in binary units (``1.5 KiB``); plain bytes below 1 KiB."""
    if size is None:
        return ""
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            if unit == "B":
                return f"{int(value)} B"
            return f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def count(number: int, noun: str, plural: str | None = None) -> str:
    """Return ``number`` with ``noun``, in the plural (``noun`` + s) unless it is 1."""
    if number == 1:
        return f"{number} {noun}"
    return f"{number} {plural or noun + 's'}"


def describe_progress(task: TaskRecord, *, status: bool = True) -> str:
    """Return one line about a task: status, files, bytes and faults so far."""
    parts = []
    if status:
        parts.append(task.status)
        if task.nice_status and task.nice_status not in ("OK", "Queued", task.status):
            parts.append(task.nice_status)
    if task.type == "DELETE":
        # A delete task counts the files it removed in ``files`` and moves no bytes.
        parts.append(count(task.files or 0, "file") + " deleted")
        if task.faults:
            parts.append(count(task.faults, "fault"))
        return ", ".join(parts)
    if task.files:
        parts.append(f"{task.files_transferred or 0}/{task.files} files")
    elif task.files_transferred:
        parts.append(count(task.files_transferred, "file"))
    if task.files_skipped:
        parts.append(f"{task.files_skipped} skipped")
    parts.append(format_size(task.bytes_transferred or 0))
    if task.faults:
        parts.append(count(task.faults, "fault"))
    return ", ".join(parts)


class ProgressReporter:
    """Show a task's progress on stderr while waiting for it.

    On a terminal it redraws one bar in place; otherwise it prints a plain line
    each time something changes, so logs and pipes stay readable.
    """

    bar_width = 30

    def __init__(self, task_id: str, *, stream: t.TextIO | None = None) -> None:
        self.task_id = task_id
        self.stream = stream if stream is not None else sys.stderr
        self.interactive = self.stream.isatty()
        self._last_line: str | None = None
        self._drawn = False

    def __call__(self, task: TaskRecord) -> None:
        line = describe_progress(task)
        if self.interactive:
            self._draw(task, line)
        elif line != self._last_line:
            print(f"Task {self.task_id}: {line}", file=self.stream, flush=True)
        self._last_line = line

    def _draw(self, task: TaskRecord, line: str) -> None:
        progress = task.progress
        if progress is None:
            bar = "[" + "?" * self.bar_width + "]    "
        else:
            filled = round(progress * self.bar_width)
            bar = "[" + "#" * filled + "-" * (self.bar_width - filled) + "]"
            bar += f" {progress:4.0%}"
        # \x1b[K clears what a longer previous line left behind.
        self.stream.write(f"\r{bar} {line}\x1b[K")
        self.stream.flush()
        self._drawn = True

    def finish(self) -> None:
        """End the progress bar's line so the next output starts on its own line."""
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False
