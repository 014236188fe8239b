"""Consent and session requirements: typed errors, then a login that satisfies them."""

from __future__ import annotations

import pytest

from tests.utils import sandbox_authorize
from tunel_jupyter.errors import ConsentRequired
from tunel_jupyter.globus import GlobusSession, Identity
from tunel_jupyter.globus.scopes import data_access_scope, needs_data_access

MAPPED = "0b5c4a8e-6f0e-4c3a-9d5e-2f1a7b8c9d01"
SECURE = "0b5c4a8e-6f0e-4c3a-9d5e-2f1a7b8c9d02"
GUEST = "9ec1db6a-5052-11e7-bdb7-22000b9a448b"
PERSONAL = "29890592-374e-11e8-b96a-0ac6873fc732"


def consent(session: GlobusSession, error: ConsentRequired) -> Identity:
    request = session.consent_login(error)
    code, state = sandbox_authorize(request.authorize_url)
    return session.finish_login(code, state=state)


def test_mapped_collection_needs_data_access(
    session: GlobusSession, identity: Identity
) -> None:
    with pytest.raises(ConsentRequired) as caught:
        session.ls(MAPPED, "/")
    error = caught.value

    assert error.code == "ConsentRequired"
    assert error.required_scopes == [data_access_scope(MAPPED)]
    assert error.http_status == 403
    assert error.exit_code == 3
    body = error.to_dict()
    assert body["required_scopes"] == error.required_scopes

    assert consent(session, error).id == identity.id
    assert session.ls(MAPPED, "/").endpoint_id == MAPPED


def test_consent_survives_next_login(
    session: GlobusSession, identity: Identity
) -> None:
    with pytest.raises(ConsentRequired) as caught:
        session.ls(MAPPED, "/")
    consent(session, caught.value)

    # A plain login later keeps the data_access consent in its scopes.
    request = session.start_login()
    code, state = sandbox_authorize(request.authorize_url)
    session.finish_login(code, state=state)
    assert session.ls(MAPPED, "/").endpoint_id == MAPPED


def test_high_assurance_needs_session(
    session: GlobusSession, identity: Identity
) -> None:
    with pytest.raises(ConsentRequired) as caught:
        session.ls(SECURE, "/")
    error = caught.value

    assert error.session_requirements["session_required_single_domain"] == [
        "secure.example.net"
    ]
    assert not any("data_access" in scope for scope in error.required_scopes)
    if not error.required_scopes:
        assert error.code == "AuthenticationRequirements"
    assert "secure.example.net" in error.message

    request = session.consent_login(error)
    assert "session_required_single_domain=secure.example.net" in (
        request.authorize_url
    )
    code, state = sandbox_authorize(request.authorize_url)
    session.finish_login(code, state=state)
    assert session.ls(SECURE, "/").endpoint_id == SECURE


def test_data_access_only_for_mapped_collections(
    session: GlobusSession, identity: Identity
) -> None:
    assert needs_data_access(session.get_endpoint(MAPPED))
    for collection_id in (SECURE, GUEST, PERSONAL):
        record = session.get_endpoint(collection_id)
        assert not needs_data_access(record), record.entity_type


def test_data_access_dropped_for_other_collections(
    session: GlobusSession, identity: Identity
) -> None:
    # Should a service ask for data_access on a collection that takes none, the
    # error passed on keeps only the session requirements.
    error = ConsentRequired(
        "consent",
        required_scopes=[data_access_scope(SECURE), data_access_scope(MAPPED)],
    )
    filtered = session._filter_consent(error, [SECURE, MAPPED])
    assert filtered.required_scopes == [data_access_scope(MAPPED)]
