"""Translate globus-sdk exceptions into tunel-jupyter errors.

This module translates ``globus_sdk`` exceptions, so every layer above ``globus/``
gets only :mod:`tunel_jupyter.errors`. Messages are built from the error
code, the Globus message and the request ID, never from request data, so no token
or authorization code reaches them.
"""

from __future__ import annotations

import contextlib
import logging
import typing as t

from ..errors import (
    ConsentRequired,
    GlobusFailure,
    GlobusTimeout,
    LoginRequired,
    NotFound,
    PermissionDenied,
    TunelError,
    UsageError,
)

if t.TYPE_CHECKING:
    import globus_sdk

log = logging.getLogger(__name__)

LOGIN = "log in with `tunel-globus login`"
LOGIN_AGAIN = "log in again with `tunel-globus login`"

# Session parameters of a Globus authorization requirement that the next login must
# send to Globus Auth, in the names ``oauth2_get_authorize_url`` takes.
SESSION_PARAMETERS = (
    "session_required_single_domain",
    "session_required_mfa",
    "session_required_identities",
    "session_required_policies",
    "session_message",
    "prompt",
)


@contextlib.contextmanager
def translated(action: str) -> t.Iterator[None]:
    """Run a block of globus-sdk calls, raising tunel-jupyter errors instead.

    :param action: what the block does, for messages ("list the directory").
    """
    import globus_sdk

    try:
        yield
    except globus_sdk.GlobusError as err:
        raise translate(err, action=action) from err


def translate(err: globus_sdk.GlobusError, *, action: str) -> TunelError:
    """Return the tunel-jupyter error for a globus-sdk exception."""
    import globus_sdk

    if isinstance(err, globus_sdk.GlobusAPIError):
        return _translate_api_error(err, action=action)
    if isinstance(err, globus_sdk.exc.GlobusTimeoutError):
        log.debug("Globus timed out while trying to %s: %r", action, type(err))
        return GlobusTimeout(
            f"The request to Globus timed out while trying to {action}. Try again; "
            "if it keeps happening, check the network connection."
        )
    if isinstance(err, globus_sdk.exc.NetworkError):
        log.debug("Network failure while trying to %s: %r", action, type(err))
        return GlobusFailure(
            f"Could not reach Globus to {action}: {_network_reason(err)}. Check the "
            "network connection and proxy settings, then try again."
        )
    if isinstance(err, globus_sdk.GlobusSDKUsageError):
        return UsageError(f"Could not {action}: {err}")
    return GlobusFailure(f"Could not {action}: {type(err).__name__}.")


def _translate_api_error(err: globus_sdk.GlobusAPIError, *, action: str) -> TunelError:
    from globus_sdk.gare import to_gare

    status = err.http_status
    code = err.code
    message = _api_message(err)
    log.debug(
        "Globus returned %s %s while trying to %s (request_id=%s)",
        status,
        code,
        action,
        err.request_id,
    )

    gare = to_gare(err)
    if gare is not None:
        return consent_required(gare, message=message, action=action)
    if status == 401:
        return LoginRequired(
            f"Globus rejected the stored login while trying to {action} "
            f"({message}); {LOGIN_AGAIN}."
        )
    if status == 403:
        return PermissionDenied(f"Permission denied: could not {action}: {message}")
    if status == 404:
        return NotFound(f"Not found: could not {action}: {message}")
    if is_invalid_grant(err):
        return LoginRequired(
            f"The Globus login is no longer valid (revoked or expired); {LOGIN_AGAIN}."
        )
    return GlobusFailure(
        f"Globus could not {action}: {message}"
        + (f" (request ID {err.request_id})" if err.request_id else ""),
        globus_status=status,
        globus_code=code,
        request_id=err.request_id,
    )


def consent_required(
    gare: t.Any, *, message: str | None = None, action: str = "continue"
) -> ConsentRequired:
    """Build a :class:`ConsentRequired` from a globus-sdk ``GARE``."""
    params = gare.authorization_parameters
    required_scopes = list(params.required_scopes or [])
    session = {
        name: getattr(params, name)
        for name in SESSION_PARAMETERS
        if getattr(params, name, None) not in (None, [], "")
    }
    if required_scopes:
        text = (
            f"Globus needs more consent to {action}: log in again and consent to "
            + " ".join(required_scopes)
        )
    else:
        text = f"Globus needs a new login to {action}"
        if params.session_required_single_domain:
            domains = ", ".join(params.session_required_single_domain)
            text += f" with an identity from {domains}"
        if params.session_required_mfa:
            text += " using multi-factor authentication"
    if message:
        text += f" ({message})"
    return ConsentRequired(
        text + ".", required_scopes=required_scopes, session_requirements=session
    )


def client_mismatch(stored_client_id: str, client_id: str) -> str:
    """Return the message for a refresh token issued to another client."""
    return (
        f"Globus rejected the stored refresh token, which was issued to client "
        f"{stored_client_id}, not to the configured client {client_id}. Drop "
        f"--client-id, unset TUNEL_GLOBUS_CLIENT_ID or c.TunelGlobus.client_id, or "
        f"{LOGIN_AGAIN}."
    )


def is_invalid_grant(err: globus_sdk.GlobusAPIError) -> bool:
    """Check whether Globus Auth rejected a grant (a revoked or used token or code).

    Globus Auth returns ``{"error": "invalid_grant"}`` with status 400 or 401.
    """
    body = err.raw_json if isinstance(err.raw_json, dict) else {}
    return body.get("error") == "invalid_grant" or err.code == "invalid_grant"


def _api_message(err: globus_sdk.GlobusAPIError) -> str:
    body = err.raw_json if isinstance(err.raw_json, dict) else {}
    text = err.message or body.get("error_description") or body.get("error")
    if not text:
        text = f"HTTP {err.http_status}"
    if err.code and err.code not in text:
        text = f"{err.code}: {text}"
    return str(text)


def _network_reason(err: BaseException) -> str:
    # Only the class name is shown. It is enough for the user, and it cannot carry
    # a URL or any other request data.
    cause = getattr(err, "exc", None) or err.__cause__ or err
    return type(cause).__name__
