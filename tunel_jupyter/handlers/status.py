"""``GET status``: the login state, the Globus environment and this server's files."""

from __future__ import annotations

import datetime
import typing as t

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..errors import UsageError
from .base import TunelAPIHandler

if t.TYPE_CHECKING:
    from ..globus import GlobusSession
    from ..globus.records import LoginStatus


class StatusHandler(TunelAPIHandler):
    """Report whether the user is logged in to Globus; never a token."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.finish(await status_body(self))


async def status_body(handler: TunelAPIHandler) -> dict[str, t.Any]:
    """Return the ``Status`` document (reads the token store, no network)."""
    service = handler.service

    def read(session: GlobusSession) -> LoginStatus:
        return session.status()

    try:
        status = await service.run(read)
    except UsageError as err:
        # No client ID configured yet: still report the environment, so the
        # front end can explain what to set.
        return await _unconfigured_status(handler, err)

    local = service.local_collection()
    return {
        "logged_in": status.logged_in,
        "identity": status.identity.to_dict() if status.identity else None,
        "expires_at": iso_time(status.expires_at),
        "reason": status.reason,
        "environment": environment_body(status.environment),
        "local_collection": local.to_dict() if local else None,
        "login_flow": handler.app.login_flow,
    }


async def _unconfigured_status(
    handler: TunelAPIHandler, error: UsageError
) -> dict[str, t.Any]:
    from ..globus.environment import Environment

    environment = await handler.service.run_plain(Environment.current)
    local = handler.service.local_collection()
    return {
        "logged_in": False,
        "identity": None,
        "expires_at": None,
        "reason": error.message,
        "environment": environment_body(environment),
        "local_collection": local.to_dict() if local else None,
        "login_flow": handler.app.login_flow,
    }


def environment_body(environment: t.Any) -> dict[str, t.Any]:
    """Return the public fields of a ``globus.environment.Environment``."""
    return {
        "name": environment.name,
        "label": environment.label,
        "is_sandbox": environment.is_sandbox,
    }


def iso_time(seconds: float | None) -> str | None:
    """Format Unix seconds as ISO 8601 in UTC (None stays None)."""
    if seconds is None:
        return None
    moment = datetime.datetime.fromtimestamp(seconds, tz=datetime.timezone.utc)
    return moment.isoformat().replace("+00:00", "Z")
