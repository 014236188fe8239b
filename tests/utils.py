"""Helpers shared by tests of several areas."""

from __future__ import annotations

import typing as t

import requests


def sandbox_authorize(authorize_url: str, *, timeout: float = 10) -> tuple[str, str]:
    """Approve a sandbox login as its default identity; return ``(code, state)``.

    The sandbox's authorize page returns the code as JSON when asked with
    ``Accept: application/json``, which replaces a person clicking Allow.
    """
    response = requests.get(
        authorize_url,
        headers={"Accept": "application/json"},
        allow_redirects=False,
        timeout=timeout,
    )
    assert response.status_code == 200, (
        f"sandbox authorize returned {response.status_code}: {response.text}"
    )
    body = response.json()
    return body["code"], body.get("state", "")


def login_with_sandbox(session: t.Any) -> t.Any:
    """Log ``session`` (a ``GlobusSession``) in to the sandbox with the paste flow.

    Starts the login, approves it as the sandbox's default identity, and finishes
    it with the code; returns the ``Identity``.
    """
    request = session.start_login()
    code, state = sandbox_authorize(request.authorize_url)
    assert state == request.state, "the sandbox returned another login's state"
    return session.finish_login(code, state=request.state)
