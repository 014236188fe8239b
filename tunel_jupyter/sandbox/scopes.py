"""Parse Globus scope strings, including dependent scopes in brackets.

``urn:globus:auth:scope:transfer.api.globus.org:all[*https://auth.globus.org/scopes/
<collection_id>/data_access]`` is one scope with one (optional, ``*``) dependency.
"""

from __future__ import annotations

import re
import typing as t

AUTH_SCOPES = {
    "openid",
    "profile",
    "email",
    "urn:globus:auth:scope:auth.globus.org:view_identities",
    "urn:globus:auth:scope:auth.globus.org:view_identity_set",
    "urn:globus:auth:scope:auth.globus.org:manage_projects",
    "urn:globus:auth:scope:auth.globus.org:view_clients",
    "urn:globus:auth:scope:auth.globus.org:view_clients_and_scopes",
}
# Scope URLs whose resource server is a name rather than the ID in the URL.
NAMED_RESOURCE_SERVERS = {
    "eec9b274-0c81-4334-bdc2-54e90e689b9a": "flows.globus.org",
    "facd7ccc-c5f4-42aa-916b-a0e270e2c2a9": "funcx_service",
}
_URN = re.compile(r"^urn:globus:auth:scope:(?P<rs>[^:\[\]]+):[^\[\]]+$")
_URL = re.compile(r"^https://auth\.globus\.org/scopes/(?P<rs>[^/\[\]]+)/[^\[\]]+$")


class Scope(t.NamedTuple):
    name: str
    dependencies: tuple[str, ...]


def data_access_scope(collection_id: str) -> str:
    return f"https://auth.globus.org/scopes/{collection_id}/data_access"


def parse_scopes(text: str) -> list[Scope]:
    """Split a space-separated scope string; raise ``ValueError`` if malformed.

    Nested dependencies are flattened into the top-level scope's list, because the
    sandbox only checks whether a dependency was requested at all.
    """
    scopes: list[Scope] = []
    position = 0
    while position < len(text):
        if text[position].isspace():
            position += 1
            continue
        name_end = position
        while name_end < len(text) and text[name_end] not in " \t\n[]":
            name_end += 1
        name = text[position:name_end]
        if not name:
            raise ValueError(f"malformed scope string: {text!r}")
        dependencies: list[str] = []
        position = name_end
        if position < len(text) and text[position] == "[":
            closing = _matching_bracket(text, position)
            inner = text[position + 1 : closing]
            for dependency in parse_scopes(inner.replace("*", " ")):
                dependencies.append(dependency.name)
                dependencies.extend(dependency.dependencies)
            position = closing + 1
        elif position < len(text) and text[position] == "]":
            raise ValueError(f"malformed scope string: {text!r}")
        scopes.append(Scope(name, tuple(dependencies)))
    return scopes


def _matching_bracket(text: str, start: int) -> int:
    depth = 0
    for index in range(start, len(text)):
        if text[index] == "[":
            depth += 1
        elif text[index] == "]":
            depth -= 1
            if depth == 0:
                return index
    raise ValueError(f"unbalanced brackets in scope string: {text!r}")


def format_scope(scope: Scope) -> str:
    if not scope.dependencies:
        return scope.name
    inner = " ".join(f"*{dependency}" for dependency in scope.dependencies)
    return f"{scope.name}[{inner}]"


def resource_server_of(scope_name: str) -> str | None:
    """Return the resource server a scope belongs to, or None if unknown."""
    if scope_name in AUTH_SCOPES:
        return "auth.globus.org"
    for pattern in (_URN, _URL):
        match = pattern.match(scope_name)
        if match:
            server = match.group("rs")
            return NAMED_RESOURCE_SERVERS.get(server, server)
    return None
