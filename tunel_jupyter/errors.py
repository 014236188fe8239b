"""Errors raised by tunel-jupyter.

Every error has a stable ``code`` (the value the REST API sends as ``code``), the
HTTP status of the server's response, and the exit status of the command line. The
message is written for the user and never contains a token, an authorization code
or an OAuth ``state`` value.
"""

from __future__ import annotations

import typing as t


class TunelError(Exception):
    """Root of every error that tunel-jupyter raises on purpose."""

    code = "TunelError"
    http_status = 500
    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def to_dict(self) -> dict[str, t.Any]:
        """Return the JSON body the REST API sends for this error."""
        return {"message": self.message, "code": self.code}


class UsageError(TunelError, ValueError):
    """A request or argument is invalid; the message names the value and the fix."""

    code = "InvalidRequest"
    http_status = 400
    exit_code = 2

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field

    def to_dict(self) -> dict[str, t.Any]:
        body = super().to_dict()
        if self.field is not None:
            body["field"] = self.field
        return body


class LoginRequired(TunelError):
    """No usable Globus login: never logged in, logged out, or the refresh token
    no longer works (revoked, expired, or a corrupt token store)."""

    code = "LoginRequired"
    http_status = 401
    exit_code = 3


class ConsentRequired(TunelError):
    """Globus needs more consent or a stronger session before the call can succeed.

    ``required_scopes`` lists the scopes to consent to. ``session_requirements``
    contains the Globus Auth session parameters to send with the next login
    (``session_required_single_domain``, ``session_required_mfa``,
    ``session_required_identities``, ``session_required_policies``, ``prompt``,
    ``session_message``). ``code`` is ``ConsentRequired`` when scopes are missing,
    and ``AuthenticationRequirements`` when only the session must change.
    """

    http_status = 403
    exit_code = 3

    def __init__(
        self,
        message: str,
        *,
        required_scopes: t.Sequence[str] = (),
        session_requirements: t.Mapping[str, t.Any] | None = None,
        login_url: str | None = None,
    ) -> None:
        super().__init__(message)
        self.required_scopes = list(required_scopes)
        self.session_requirements = dict(session_requirements or {})
        self.login_url = login_url

    @property
    def code(self) -> str:  # type: ignore[override]
        if self.required_scopes:
            return "ConsentRequired"
        return "AuthenticationRequirements"

    def to_dict(self) -> dict[str, t.Any]:
        body = super().to_dict()
        body["required_scopes"] = self.required_scopes
        body["session_requirements"] = self.session_requirements
        if self.login_url is not None:
            body["login_url"] = self.login_url
        return body


class NotFound(TunelError):
    """An endpoint, path or task does not exist, or is not visible to the user."""

    code = "NotFound"
    http_status = 404


class PermissionDenied(TunelError):
    """Globus denied the operation to the logged-in identity."""

    code = "PermissionDenied"
    http_status = 403


class GlobusFailure(TunelError):
    """A Globus call failed for another reason (service error or network failure).

    ``globus_status``, ``globus_code`` and ``request_id`` come from the Globus
    response when there was one; they are ``None`` for network failures.
    """

    code = "GlobusError"
    http_status = 502

    def __init__(
        self,
        message: str,
        *,
        globus_status: int | None = None,
        globus_code: str | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.globus_status = globus_status
        self.globus_code = globus_code
        self.request_id = request_id

    def to_dict(self) -> dict[str, t.Any]:
        body = super().to_dict()
        body["globus_status"] = self.globus_status
        body["globus_code"] = self.globus_code
        body["request_id"] = self.request_id
        return body


class GlobusTimeout(GlobusFailure):
    """A Globus call timed out."""

    code = "GlobusTimeout"
    http_status = 504


class TaskWaitTimeout(TunelError):
    """Waiting for a task ended before the task did; the task is still active."""

    code = "TaskWaitTimeout"
    http_status = 504
    exit_code = 4

    def __init__(self, message: str, *, task_id: str) -> None:
        super().__init__(message)
        self.task_id = task_id
