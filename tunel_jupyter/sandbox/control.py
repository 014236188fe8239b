"""Test-only control routes under /_sandbox/; never part of the Globus paths."""

from __future__ import annotations

import json
import typing as t

from .base import SandboxHandler


class ControlHandler(SandboxHandler):
    needs_page_key = True

    def body_json(self) -> dict[str, t.Any]:
        if not self.request.body:
            return {}
        try:
            data = json.loads(self.request.body)
        except ValueError:
            self.api_error(400, "ClientError.BadRequest", "Body is not valid JSON.")
        if not isinstance(data, dict):
            self.api_error(400, "ClientError.BadRequest", "Body must be a JSON object.")
        return data

    def identity_id(self) -> str | None:
        """Return the body's optional ``identity_id``, which must be a known ID."""
        identity_id = self.body_json().get("identity_id")
        if identity_id is None:
            return None
        if not isinstance(identity_id, str):
            self.api_error(
                400,
                "ClientError.BadRequest",
                f"identity_id must be an identity ID (a string), not {identity_id!r}.",
            )
        if identity_id not in self.state.identities:
            self.api_error(
                400,
                "ClientError.BadRequest",
                f"Unknown identity_id {identity_id!r}.",
            )
        return identity_id


class RequestLogHandler(ControlHandler):
    """GET lists the logged Globus requests; POST clears the log."""

    def get(self) -> None:
        with self.state.lock:
            entries = list(self.state.request_log)
        self.write_json({"requests": entries})

    def post(self) -> None:
        with self.state.lock:
            count = len(self.state.request_log)
            self.state.request_log.clear()
        self.write_json({"cleared": count})


class ExpireTokensHandler(ControlHandler):
    """POST ``{"identity_id": ...}`` (optional) expires access tokens now."""

    def post(self) -> None:
        self.write_json({"expired": self.state.expire_tokens(self.identity_id())})


class RevokeHandler(ControlHandler):
    """POST ``{"identity_id": ...}`` (optional) revokes refresh tokens."""

    def post(self) -> None:
        revoked = self.state.revoke_refresh_tokens(self.identity_id())
        self.write_json({"revoked": revoked})


class OptionsHandler(ControlHandler):
    """GET shows the options; POST changes the ones named in the body."""

    def get(self) -> None:
        self.write_json(self.state.options.to_dict())

    def post(self) -> None:
        changes = self.body_json()
        with self.state.lock:
            try:
                self.state.options.update(changes)
            except (TypeError, ValueError) as err:
                self.api_error(400, "ClientError.BadRequest", str(err))
            self.write_json(self.state.options.to_dict())


class InfoHandler(ControlHandler):
    """GET describes the sandbox: URLs, clients, default identity."""

    def get(self) -> None:
        state = self.state
        self.write_json(
            {
                "native_client_id": state.native_client_id,
                "confidential_client_id": state.confidential_client.client_id,
                "default_identity": state.identities[
                    state.default_identity_id
                ].to_dict(),
                "local_collection_id": state.local_collection_id,
            }
        )
