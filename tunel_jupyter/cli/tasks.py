"""Commands that follow Globus tasks: tasks, task, wait, cancel."""

from __future__ import annotations

import argparse
import sys
import typing as t

from ..errors import TaskWaitTimeout, UsageError
from .arguments import non_negative_int, parse_task_id, positive_int, positive_seconds
from .context import hint_command, open_session
from .output import (
    ProgressReporter,
    describe_progress,
    format_size,
    print_json,
    print_table,
    records_to_json,
)

if t.TYPE_CHECKING:
    from ..globus import GlobusSession, TaskEvent, TaskRecord

TASK_STATUSES = ("ACTIVE", "INACTIVE", "SUCCEEDED", "FAILED")
# Events read to find a task's last fault; errors are among the newest events.
FAULT_EVENTS = 10
# A fault's details shown on one line are cut at this many characters.
MAX_FAULT_LENGTH = 300


def add_wait_arguments(parser: argparse.ArgumentParser, *, flag: bool = True) -> None:
    """Add --timeout and --polling-interval, and --wait when ``flag`` is true."""
    if flag:
        parser.add_argument(
            "--wait",
            action="store_true",
            help="wait for the task to end, showing its progress",
        )
    parser.add_argument(
        "--timeout",
        type=positive_seconds,
        metavar="SECONDS",
        help="stop waiting after SECONDS (exit status 4 if the task is still active)",
    )
    parser.add_argument(
        "--polling-interval",
        type=positive_seconds,
        default=2.0,
        metavar="SECONDS",
        help="ask Globus for the task's state every SECONDS (default: 2)",
    )


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the tasks, task, wait and cancel commands."""
    tasks = commands.add_parser("tasks", help="list your recent tasks, newest first")
    tasks.add_argument(
        "--limit",
        type=positive_int,
        default=20,
        metavar="N",
        help="list at most N tasks (default: 20, at most 1000)",
    )
    tasks.add_argument(
        "--status",
        dest="statuses",
        action="append",
        # argparse converts before it checks choices, so any case is accepted.
        type=str.upper,
        choices=TASK_STATUSES,
        metavar="STATUS",
        help="only tasks with STATUS (repeatable, any case): "
        + ", ".join(TASK_STATUSES),
    )
    tasks.add_argument("--json", action="store_true", help="print JSON records")
    tasks.set_defaults(func=run_tasks)

    task = commands.add_parser(
        "task", help="show one task's details, events and faults"
    )
    task.add_argument(
        "task_id", type=parse_task_id, metavar="TASK_ID", help="the task's ID"
    )
    task.add_argument(
        "--events",
        type=non_negative_int,
        default=20,
        metavar="N",
        help="show the N newest events (default: 20; 0 for none)",
    )
    task.add_argument("--json", action="store_true", help="print JSON")
    task.set_defaults(func=run_task)

    wait = commands.add_parser(
        "wait",
        help="wait for a task to end, with a progress bar",
        description="Wait for a task to end. Exit status 0 when it succeeded, 1 when "
        "it failed, 4 when --timeout passed while it is still active.",
    )
    wait.add_argument(
        "task_id", type=parse_task_id, metavar="TASK_ID", help="the task's ID"
    )
    add_wait_arguments(wait, flag=False)
    wait.set_defaults(func=run_wait)

    cancel = commands.add_parser("cancel", help="cancel an active task")
    cancel.add_argument(
        "task_id", type=parse_task_id, metavar="TASK_ID", help="the task's ID"
    )
    cancel.set_defaults(func=run_cancel)


def run_tasks(args: argparse.Namespace) -> int:
    """List recent tasks."""
    if args.limit > 1000:
        raise UsageError(
            f"--limit {args.limit} is too large; Globus lists at most 1000 tasks.",
            field="limit",
        )
    task_filter = None
    if args.statuses:
        task_filter = "status:" + ",".join(dict.fromkeys(args.statuses))

    records = open_session(args).list_tasks(limit=args.limit, filter=task_filter)
    if args.json:
        print_json(records_to_json(records))
        return 0
    if not records:
        print("No tasks found.")
        return 0
    print_table(
        ("Task ID", "Type", "Status", "Requested", "Progress", "Label"),
        [
            (
                record.task_id,
                record.type,
                record.status,
                record.request_time,
                describe_progress(record, status=False),
                record.label,
            )
            for record in records
        ],
    )
    return 0


def run_task(args: argparse.Namespace) -> int:
    """Show one task with its newest events."""
    session = open_session(args)
    record = session.get_task(args.task_id)
    events = session.task_events(args.task_id, limit=args.events) if args.events else []

    if args.json:
        print_json({"task": record.to_dict(), "events": records_to_json(events)})
        return 0
    _print_task(record, last_fault(session, record, events))
    if events:
        print()
        print("Events (newest first):")
        print_table(
            ("Time", "Code", "Description", "Details"),
            [
                (event.time, event.code, event.description, event.details)
                for event in events
            ],
        )
    return 0


def _print_task(record: TaskRecord, fault: TaskEvent | None) -> None:
    status = record.status
    if record.nice_status and record.nice_status != status:
        status += f" ({record.nice_status})"
    files = f"{record.files_transferred or 0} of {record.files or 0} transferred"
    if record.files_skipped:
        files += f", {record.files_skipped} skipped"
    subtasks = (
        f"{record.subtasks_succeeded or 0} of {record.subtasks_total or 0} "
        f"succeeded, {record.subtasks_failed or 0} failed"
    )
    fields = [
        ("Task ID", record.task_id),
        ("Type", record.type),
        ("Status", status),
        ("Label", record.label),
        ("Source", record.source_endpoint_id),
        ("Destination", record.destination_endpoint_id),
        ("Requested", record.request_time),
        ("Completed", record.completion_time),
        ("Files", files),
        ("Bytes", format_size(record.bytes_transferred or 0)),
        ("Subtasks", subtasks),
        ("Faults", record.faults or 0),
        ("Fatal error", format_fatal_error(record)),
        ("Last fault", format_fault(fault)),
    ]
    width = max(len(name) for name, _ in fields) + 1
    for name, value in fields:
        if value is None or value == "":
            continue
        print(f"{name + ':':<{width}} {value}")


def format_fatal_error(record: TaskRecord) -> str | None:
    """Return a task's fatal error as ``CODE: description``, or ``None``."""
    error = record.fatal_error
    if not error:
        return None
    code = error.get("code")
    description = error.get("description")
    return ": ".join(str(part) for part in (code, description) if part) or str(error)


def last_fault(
    session: GlobusSession, record: TaskRecord, events: t.Sequence[TaskEvent] = ()
) -> TaskEvent | None:
    """Return the task's newest error event, reading its events if needed."""
    if not record.faults:
        return None
    for event in events:
        if event.is_error:
            return event
    for event in session.task_events(record.task_id, limit=FAULT_EVENTS):
        if event.is_error:
            return event
    return None


def format_fault(event: TaskEvent | None) -> str | None:
    """Return an error event as ``CODE: details`` on one line, or ``None``."""
    if event is None:
        return None
    text = " ".join(str(event.details or event.description or "").split())
    if len(text) > MAX_FAULT_LENGTH:
        text = text[: MAX_FAULT_LENGTH - 3] + "..."
    return f"{event.code}: {text}" if text else event.code


def run_wait(args: argparse.Namespace) -> int:
    """Wait for a task; the exit status shows how it ended."""
    return wait_for_task(args, args.task_id)


def wait_for_task(args: argparse.Namespace, task_id: str) -> int:
    """Wait for ``task_id`` with progress on stderr; return the exit status."""
    reporter = ProgressReporter(task_id)
    try:
        record = open_session(args).wait_task(
            task_id,
            timeout=args.timeout,
            polling_interval=args.polling_interval,
            on_progress=reporter,
        )
    except TaskWaitTimeout as err:
        reporter.finish()
        print(f"Error: {err.message}", file=sys.stderr)
        print(
            f"To stop the task instead, run: {hint_command(args, 'cancel ' + task_id)}",
            file=sys.stderr,
        )
        return err.exit_code
    finally:
        # Whatever ends the wait (Ctrl-C included), the next output starts on a
        # line of its own.
        reporter.finish()

    summary = describe_progress(record, status=False)
    if record.status == "SUCCEEDED":
        print(f"Task {task_id} succeeded: {summary}")
        return 0
    print(f"Error: task {task_id} ended {record.status}: {summary}", file=sys.stderr)
    reason = format_fatal_error(record)
    if reason:
        print(f"Reason: {reason}", file=sys.stderr)
    fault = format_fault(last_fault(open_session(args), record))
    # A fault that only repeats the reason would add nothing.
    if fault and (not reason or fault.split(": ", 1)[-1] not in reason):
        print(f"Last fault: {fault}", file=sys.stderr)
    print(
        f"See its events with '{hint_command(args, 'task ' + task_id)}'.",
        file=sys.stderr,
    )
    return 1


def run_cancel(args: argparse.Namespace) -> int:
    """Cancel a task."""
    message = open_session(args).cancel_task(args.task_id)
    print(message)
    return 0


def report_submitted(args: argparse.Namespace, record: TaskRecord, *, kind: str) -> int:
    """Print a submitted task's ID, then wait for it if --wait was given."""
    print(f"{kind} task submitted: {record.task_id}", flush=True)
    if args.wait:
        return wait_for_task(args, record.task_id)
    print(f"Follow it with: {hint_command(args, 'wait ' + record.task_id)}")
    return 0
