"""Globus Auth's authorize route and auth-code page, the parts people see."""

from __future__ import annotations

import time
import typing as t
from urllib.parse import urlencode, urlsplit, urlunsplit

from . import pages
from .base import SandboxHandler
from .clients import is_auth_code_page, is_uuid, native_client, redirect_uri_allowed
from .grants import UnknownScopeError, group_by_resource_server
from .records import AuthCode, Client, Identity
from .scopes import format_scope, parse_scopes

FORM_LIFETIME = 600


class LoginRequestError(Exception):
    """Error of an authorize request that cannot proceed.

    ``redirect`` tells whether the error may go to the client's redirect URI.
    """

    def __init__(self, error: str, description: str, *, redirect: bool) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.redirect = redirect


class AuthorizeHandler(SandboxHandler):
    """``/v2/oauth2/authorize``: the consent page, or JSON for scripts and tests."""

    needs_page_key = True

    @property
    def wants_json(self) -> bool:
        return "application/json" in self.request.headers.get("Accept", "")

    def get(self) -> None:
        params = {name: self.get_argument(name) for name in self.request.arguments}
        self._handle(params, decision="allow" if self.wants_json else None)

    def post(self) -> None:
        form_id = self.get_body_argument("form_id", "")
        with self.state.lock:
            pending = self.state.pending_forms.pop(form_id, None)
        if pending is None or pending[0] < time.time():
            self.set_status(400)
            self.finish(
                pages.error_page(
                    "Login form expired",
                    "This login form was already used or has expired. Start the "
                    "login again from your application.",
                )
            )
            return
        decision = self.get_body_argument("decision", "deny")
        self._handle(pending[1], decision=decision)

    def _handle(self, params: dict[str, str], *, decision: str | None) -> None:
        try:
            request = self._check_request(params)
        except LoginRequestError as err:
            self._reject(params, err)
            return

        client, identity, session = request
        if decision is None:
            self._render(params, client, identity, session)
        elif decision == "allow":
            self._allow(params, client, identity, session)
        else:
            self._reject(
                params,
                LoginRequestError(
                    "access_denied", "The user denied the request.", redirect=True
                ),
            )

    def _check_request(
        self, params: dict[str, str]
    ) -> tuple[Client, Identity, dict[str, t.Any]]:
        client_id = params.get("client_id", "")
        if not client_id:
            raise LoginRequestError(
                "invalid_request", "Missing client_id.", redirect=False
            )
        with self.state.lock:
            client = self.state.clients.get(client_id)
        if client is None:
            if not is_uuid(client_id):
                raise LoginRequestError(
                    "invalid_client",
                    f"Unknown client_id {client_id!r}; client IDs are UUIDs.",
                    redirect=False,
                )
            client = native_client(self, client_id)

        redirect_uri = params.get("redirect_uri", "")
        if not redirect_uri_allowed(self, client, redirect_uri):
            # NOTE: Globus Auth shows an error page here too, rather than redirect;
            # the exact wording of its message was not checked.
            raise LoginRequestError(
                "invalid_request",
                f"redirect_uri {redirect_uri!r} is not allowed for client {client_id}.",
                redirect=False,
            )
        if params.get("response_type", "code") != "code":
            raise LoginRequestError(
                "unsupported_response_type",
                "Only response_type=code is supported.",
                redirect=True,
            )
        try:
            group_by_resource_server(params.get("scope", ""))
        except UnknownScopeError as err:
            raise LoginRequestError("invalid_scope", str(err), redirect=True) from err

        challenge = params.get("code_challenge")
        method = params.get("code_challenge_method")
        if challenge and method != "S256":
            raise LoginRequestError(
                "invalid_request",
                "code_challenge_method must be S256.",
                redirect=True,
            )
        if not challenge and not client.is_confidential:
            raise LoginRequestError(
                "invalid_request",
                "Native clients must use PKCE (code_challenge with S256).",
                redirect=True,
            )

        identity = self.state.identities[self.state.default_identity_id]
        session = self._login_session(identity, params)
        return client, identity, session

    def _login_session(
        self, identity: Identity, params: dict[str, str]
    ) -> dict[str, t.Any]:
        """Work out which identities this login authenticates, from session_*."""
        members = self.state.identity_set(identity.id)
        chosen = [identity]

        domains = _split(params.get("session_required_single_domain"))
        if domains:
            matching = [m for m in members if m.domain in domains]
            if not matching:
                raise LoginRequestError(
                    "invalid_request",
                    f"No identity of {identity.username} is in the required "
                    f"domain(s) {', '.join(domains)}.",
                    redirect=True,
                )
            chosen = matching

        for wanted in _split(params.get("session_required_identities")):
            found = [m for m in members if wanted in (m.id, m.username)]
            if not found:
                raise LoginRequestError(
                    "invalid_request",
                    f"Identity {wanted!r} is not linked to {identity.username}.",
                    redirect=True,
                )
            chosen.extend(found)

        unique = list({member.id: member for member in chosen}.values())
        return {
            "identities": [member.id for member in unique],
            "domains": sorted({member.domain for member in unique}),
            "mfa": params.get("session_required_mfa", "").lower() == "true",
            "policies": _split(params.get("session_required_policies")),
            "prompt": params.get("prompt"),
            "session_message": params.get("session_message"),
            "auth_time": int(time.time()),
        }

    def _render(
        self,
        params: dict[str, str],
        client: Client,
        identity: Identity,
        session: dict[str, t.Any],
    ) -> None:
        form_id = self.state.new_secret()
        now = time.time()
        with self.state.lock:
            expired = [k for k, v in self.state.pending_forms.items() if v[0] < now]
            for key in expired:
                del self.state.pending_forms[key]
            self.state.pending_forms[form_id] = (now + FORM_LIFETIME, params)
        scopes = [format_scope(scope) for scope in parse_scopes(params["scope"])]
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("X-Frame-Options", "DENY")
        self.finish(
            pages.authorize_page(
                client_name=client.name,
                identity=identity,
                session_identities=[
                    self.state.identities[i] for i in session["identities"]
                ],
                scopes=scopes,
                session_message=session.get("session_message"),
                form_id=form_id,
            )
        )

    def _allow(
        self,
        params: dict[str, str],
        client: Client,
        identity: Identity,
        session: dict[str, t.Any],
    ) -> None:
        code = AuthCode(
            code=self.state.new_secret(),
            client_id=client.client_id,
            redirect_uri=params["redirect_uri"],
            scopes=params["scope"],
            identity_id=identity.id,
            session=session,
            code_challenge=params.get("code_challenge"),
            code_challenge_method=params.get("code_challenge_method"),
            expires_at=time.time() + self.state.options.auth_code_lifetime,
            access_type=params.get("access_type", "online"),
            oauth_state=params.get("state", ""),
        )
        with self.state.lock:
            self.state.auth_codes[code.code] = code
        self.state.record_consents(identity.id, client.client_id, params["scope"])

        answer = {"code": code.code, "state": params.get("state", "")}
        if self.wants_json and self.request.method == "GET":
            self.write_json(answer)
        elif is_auth_code_page(self, params["redirect_uri"]):
            # Relative, so the browser stays on the origin and prefix it used here.
            self.redirect("../web/auth-code?" + urlencode(answer))
        else:
            self.redirect(_add_query(params["redirect_uri"], answer))

    def _reject(self, params: dict[str, str], err: LoginRequestError) -> None:
        redirect_uri = params.get("redirect_uri", "")
        if err.redirect and redirect_uri:
            answer = {"error": err.error, "error_description": err.description}
            if "state" in params:
                answer["state"] = params["state"]
            if self.wants_json:
                self.write_json(answer, 400)
            elif is_auth_code_page(self, redirect_uri):
                # Relative, as for a code, so a rejected login also reaches the
                # page through a proxy prefix.
                self.redirect("../web/auth-code?" + urlencode(answer))
            else:
                self.redirect(_add_query(redirect_uri, answer))
            return
        if self.wants_json:
            self.write_json(
                {"error": err.error, "error_description": err.description}, 400
            )
            return
        self.set_status(400)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(pages.error_page("Login request rejected", err.description))


class AuthCodePageHandler(SandboxHandler):
    """``/v2/web/auth-code``: shows the code for pasting into an app."""

    def get(self) -> None:
        self.set_header("Content-Type", "text/html; charset=utf-8")
        error = self.get_argument("error", "")
        if error:
            description = self.get_argument("error_description", "")
            self.finish(pages.auth_error_page(error, description))
            return
        self.finish(pages.auth_code_page(self.get_argument("code", "")))


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _add_query(url: str, params: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = "&".join(filter(None, [parts.query, urlencode(params)]))
    return urlunsplit(parts._replace(query=query))
