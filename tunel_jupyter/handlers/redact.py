"""Keep OAuth ``state`` values out of the server's log.

globus-sdk 4.x logs the state of a native-app login at debug level (the flow's
parameters and the authorize URL's query). The state proves which user started a
login, so the server removes it from those records before any handler sees them.
"""

from __future__ import annotations

import logging
import re

# The globus-sdk loggers that write a login's state (checked in globus-sdk 4.10).
SDK_LOGGERS = (
    "globus_sdk.services.auth.flow_managers.native_app",
    "globus_sdk.services.auth.flow_managers.base",
    "globus_sdk.services.auth.client.base_login_client",
)
_STATE = re.compile(r"""(state['"]?\s*[=:]\s*['"]?)[^\s,&'"}]+""")


class RedactState(logging.Filter):
    """Replace ``state=...`` and ``'state': '...'`` in a record's message."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "state" in message:
            record.msg = _STATE.sub(r"\1[secret]", message)
            record.args = None
        return True


def install() -> None:
    """Add the filter to globus-sdk's login loggers, once per process."""
    for name in SDK_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactState) for f in logger.filters):
            logger.addFilter(RedactState())
