"""Issue tokens: the token response shapes of Globus Auth."""

from __future__ import annotations

import time
import typing as t

from .scopes import Scope, format_scope, parse_scopes, resource_server_of
from .state import (
    AUTH_RESOURCE_SERVER,
    AccessToken,
    Identity,
    RefreshToken,
    SandboxState,
)

VIEW_IDENTITY_SET = "urn:globus:auth:scope:auth.globus.org:view_identity_set"


class UnknownScopeError(ValueError):
    pass


def group_by_resource_server(scopes: str) -> dict[str, list[Scope]]:
    """Group a scope string by resource server; raise ``UnknownScopeError``."""
    try:
        parsed = parse_scopes(scopes)
    except ValueError as err:
        raise UnknownScopeError(str(err)) from err
    groups: dict[str, list[Scope]] = {}
    for scope in parsed:
        server = resource_server_of(scope.name)
        if server is None:
            raise UnknownScopeError(
                f"unknown scope {scope.name!r}; use a Globus scope string such as "
                "urn:globus:auth:scope:transfer.api.globus.org:all"
            )
        groups.setdefault(server, []).append(scope)
    if not groups:
        raise UnknownScopeError("no scope requested")
    return groups


def issue_tokens(
    state: SandboxState,
    *,
    identity_id: str,
    client_id: str,
    scopes: str,
    session: dict[str, t.Any],
    refresh: bool,
    issuer: str,
    oauth_state: str | None = None,
) -> dict[str, t.Any]:
    """Make one token per resource server and return the token response.

    The auth.globus.org token (with the id_token) is the top-level one when
    requested, and the others go to ``other_tokens``, as in Globus Auth.
    """
    groups = group_by_resource_server(scopes)
    bodies = []
    with state.lock:
        for server, server_scopes in groups.items():
            refresh_token = None
            if refresh:
                refresh_token = RefreshToken(
                    token=state.new_secret(),
                    identity_id=identity_id,
                    client_id=client_id,
                    resource_server=server,
                    scopes=" ".join(format_scope(scope) for scope in server_scopes),
                    session=session,
                )
                state.refresh_tokens[refresh_token.token] = refresh_token
            token = _new_access_token(
                state,
                identity_id=identity_id,
                client_id=client_id,
                server=server,
                scopes=server_scopes,
                session=session,
                refresh_token=refresh_token.token if refresh_token else None,
            )
            body = _token_body(state, token)
            if oauth_state is not None:
                body["state"] = oauth_state
            bodies.append(body)
        state.save()

    bodies.sort(key=lambda body: body["resource_server"] != AUTH_RESOURCE_SERVER)
    top, others = bodies[0], bodies[1:]
    requested = {scope.name for scope_list in groups.values() for scope in scope_list}
    if "openid" in requested:
        top["id_token"] = make_id_token(
            state,
            identity_id=identity_id,
            client_id=client_id,
            session=session,
            issuer=issuer,
            with_identity_set=VIEW_IDENTITY_SET in requested,
        )
    top["other_tokens"] = others
    return top


def refresh_access_token(
    state: SandboxState, refresh_token: RefreshToken
) -> dict[str, t.Any]:
    """Return a response with one new access token, as a refresh grant gets."""
    with state.lock:
        if state.options.rotate_refresh_tokens:
            refresh_token.revoked = True
            refresh_token = RefreshToken(
                token=state.new_secret(),
                identity_id=refresh_token.identity_id,
                client_id=refresh_token.client_id,
                resource_server=refresh_token.resource_server,
                scopes=refresh_token.scopes,
                session=refresh_token.session,
            )
            state.refresh_tokens[refresh_token.token] = refresh_token
        token = _new_access_token(
            state,
            identity_id=refresh_token.identity_id,
            client_id=refresh_token.client_id,
            server=refresh_token.resource_server,
            scopes=parse_scopes(refresh_token.scopes),
            session=refresh_token.session,
            refresh_token=refresh_token.token,
        )
        state.save()
    body = _token_body(state, token)
    body["other_tokens"] = []
    return body


def _new_access_token(
    state: SandboxState,
    *,
    identity_id: str,
    client_id: str,
    server: str,
    scopes: list[Scope],
    session: dict[str, t.Any],
    refresh_token: str | None,
) -> AccessToken:
    # A token carries the dependent scopes requested now and those consented before,
    # as a real token can be exchanged for dependent tokens of either.
    with_consents = []
    for scope in scopes:
        consented = state.consented_dependencies(identity_id, client_id, scope.name)
        merged = tuple(dict.fromkeys([*scope.dependencies, *consented]))
        with_consents.append(format_scope(Scope(scope.name, merged)))
    token = AccessToken(
        token=state.new_secret(),
        identity_id=identity_id,
        client_id=client_id,
        resource_server=server,
        scopes=" ".join(with_consents),
        expires_at=time.time() + state.options.access_token_lifetime,
        refresh_token=refresh_token,
        session=session,
    )
    state.access_tokens[token.token] = token
    return token


def _token_body(state: SandboxState, token: AccessToken) -> dict[str, t.Any]:
    body: dict[str, t.Any] = {
        "access_token": token.token,
        # Only root scopes, as Globus Auth lists them; dependencies live in consents.
        "scope": " ".join(scope.name for scope in parse_scopes(token.scopes)),
        "resource_server": token.resource_server,
        "expires_in": state.options.access_token_lifetime,
        "token_type": "Bearer",
    }
    if token.refresh_token is not None:
        body["refresh_token"] = token.refresh_token
    return body


def identity_claims(identity: Identity) -> dict[str, t.Any]:
    return {
        "sub": identity.id,
        "preferred_username": identity.username,
        "name": identity.name,
        "email": identity.email,
        "organization": identity.organization,
        "identity_provider": identity.identity_provider,
        "identity_provider_display_name": f"{identity.domain} (sandbox)",
    }


def make_id_token(
    state: SandboxState,
    *,
    identity_id: str,
    client_id: str,
    session: dict[str, t.Any],
    issuer: str,
    with_identity_set: bool,
) -> str:
    now = int(time.time())
    identity = state.identities[identity_id]
    claims: dict[str, t.Any] = {
        **identity_claims(identity),
        "iss": issuer,
        "aud": client_id,
        "iat": now,
        "exp": now + state.options.access_token_lifetime,
        "last_authentication": session.get("auth_time", now),
    }
    if with_identity_set:
        claims["identity_set"] = [
            {**identity_claims(member), "username": member.username}
            for member in state.identity_set(identity_id)
        ]
    return state.signing_key.sign(claims)
