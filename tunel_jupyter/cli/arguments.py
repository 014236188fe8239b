"""Parsers for option values (argparse ``type=`` functions).

Each raises ``argparse.ArgumentTypeError`` with the value and the rule, which
argparse prints as a usage error (exit status 2).
"""

from __future__ import annotations

import argparse
import math
import uuid


def positive_int(text: str) -> int:
    """Parse a count of at least 1 (argparse type)."""
    value = _int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 1 or more")
    return value


def non_negative_int(text: str) -> int:
    """Parse a count of at least 0 (argparse type)."""
    value = _int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 0 or more")
    return value


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None


def positive_seconds(text: str) -> float:
    """Parse a positive number of seconds (argparse type)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number above 0")
    return value


def parse_task_id(text: str) -> str:
    """Parse a Globus task ID, which is a UUID (argparse type)."""
    try:
        return str(uuid.UUID(text.strip()))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a task ID; task IDs are UUIDs, as 'tasks' lists them"
        ) from None
