"""Describe tunel-jupyter errors for notebook users: what failed and what to do."""

from __future__ import annotations

import re
import typing as t

from tunel_jupyter.errors import (
    ConsentRequired,
    GlobusFailure,
    LoginRequired,
    TaskWaitTimeout,
    TunelError,
)

LOGIN_STEPS = (
    "Log in again: run %globus login in a cell (or open the Globus panel), "
    "or run tunel-globus update-tokens in a terminal."
)


NOTEBOOK_LOGIN = "%globus login"
PANEL_LOGIN = "the Log in button"
_TERMINAL_LOGIN = "`tunel-globus login`"
_QUOTED_COMMAND = re.compile(r"`(tunel-globus [a-z-]+)`")


def for_notebook(message: str, login: str = NOTEBOOK_LOGIN) -> str:
    """Rewrite the core's login advice for a notebook user.

    The core's messages serve the command line, so they tell the user to run
    ``tunel-globus login`` in a terminal, in Markdown backticks. A notebook logs
    in with ``login`` (``%globus login`` or the panel's button) instead, and shows
    plain text, where backticks would appear as they are.
    """
    return _QUOTED_COMMAND.sub(r"\1", message.replace(_TERMINAL_LOGIN, login))


def describe_error(error: TunelError) -> list[str]:
    """Return the lines that tell the user what failed and what to do next.

    The first line carries the HTTP status, the error code and the message; the
    others add the Globus details and the next step. No line contains a token or
    an authorization code, because the messages of ``TunelError`` never do.
    """
    lines = [f"Error {error.http_status} {error.code}: {for_notebook(error.message)}"]

    if isinstance(error, GlobusFailure) and error.globus_status is not None:
        detail = f"Globus answered {error.globus_status} {error.globus_code or ''}"
        if error.request_id:
            detail += f" (request ID {error.request_id})"
        lines.append(detail.rstrip() + ".")

    if isinstance(error, LoginRequired):
        if "%globus login" not in error.message:
            lines.append(LOGIN_STEPS)
    elif isinstance(error, ConsentRequired):
        scopes = ", ".join(error.required_scopes)
        if scopes and scopes not in error.message:
            lines.append(f"Globus needs consent to: {scopes}.")
        lines.append(
            "Open the login link below, allow access, then paste the code it shows "
            "(or run %globus login CODE)."
        )
    elif isinstance(error, TaskWaitTimeout):
        lines.append(
            f"The task goes on at Globus: run %globus wait {error.task_id} to "
            "wait again."
        )
    return lines


def consent_arguments(error: TunelError) -> dict[str, t.Any] | None:
    """Return the ``start_login`` arguments that satisfy a consent error, or None."""
    if not isinstance(error, ConsentRequired):
        return None
    return {
        "required_scopes": tuple(error.required_scopes),
        "session_requirements": error.session_requirements or None,
    }
