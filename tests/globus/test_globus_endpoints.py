"""Endpoints: search by scope and text, paging, merged records, names."""

from __future__ import annotations

import pytest

from tests.globus.conftest import COLON_ID, COLON_NAME, TWIN_IDS, TWIN_NAME
from tunel_jupyter.errors import NotFound, UsageError
from tunel_jupyter.globus import GlobusSession, Identity, split_endpoint_path

KARL = "9ec1db6a-5052-11e7-bdb7-22000b9a448b"
NULL_NAME = "0b5c4a8e-6f0e-4c3a-9d5e-2f1a7b8c9d03"
GCS_ENDPOINT = "0b5c4a8e-6f0e-4c3a-9d5e-2f1a7b8c9d00"


def test_list_my_and_shared(session: GlobusSession, identity: Identity) -> None:
    records = session.list_endpoints()

    ids = [record.id for record in records]
    assert len(ids) == len(set(ids)), "records must be merged by ID"
    by_id = {record.id: record for record in records}
    assert by_id[KARL].scopes == ("shared-with-me",)
    assert by_id[KARL].display_name == "Karl Transfer"
    assert by_id["29890592-374e-11e8-b96a-0ac6873fc732"].scopes == ("my-endpoints",)
    assert by_id["29890592-374e-11e8-b96a-0ac6873fc732"].display_name == "omgtacos"
    assert by_id[TWIN_IDS[0]].owner_string == "ada@example.org"


def test_record_found_under_two_scopes(
    session: GlobusSession, identity: Identity
) -> None:
    records = session.list_endpoints(("my-endpoints", "administered-by-me"))
    ids = [record.id for record in records]
    assert len(ids) == len(set(ids))
    assert any(
        set(record.scopes) == {"my-endpoints", "administered-by-me"}
        for record in records
    )


def test_full_text_search_pages(session: GlobusSession, identity: Identity) -> None:
    first = session.search_endpoints(scope="all", search="Public Data Collection")
    assert len(first.records) == 100
    assert first.has_next_page
    assert first.next_offset == 100

    second = session.search_endpoints(
        scope="all", search="Public Data Collection", offset=first.next_offset or 0
    )
    assert not {r.id for r in first.records} & {r.id for r in second.records}

    everything = session.list_endpoints(["all"], search="Public Data Collection")
    assert len(everything) == 240
    assert all(record.scopes == ("all",) for record in everything)


def test_null_display_name_and_non_functional(
    session: GlobusSession, identity: Identity
) -> None:
    scratch = session.get_endpoint(NULL_NAME)
    assert scratch.display_name == "grace#scratch"
    gcs = session.get_endpoint(GCS_ENDPOINT)
    assert gcs.non_functional
    assert not scratch.non_functional
    assert gcs.to_dict()["non_functional"] is True


@pytest.mark.parametrize(
    ("kwargs", "value"),
    [
        ({"scope": "everything"}, "'everything'"),
        ({"scope": "all"}, "search text"),
        ({"limit": 0}, "limit 0"),
        ({"offset": 1000}, "offset 1000"),
    ],
)
def test_search_rejects_bad_input(
    session: GlobusSession, identity: Identity, kwargs: dict[str, object], value: str
) -> None:
    with pytest.raises(UsageError, match=value):
        session.search_endpoints(**kwargs)  # type: ignore[arg-type]


def test_resolve_by_id_and_name(session: GlobusSession, identity: Identity) -> None:
    assert session.resolve_endpoint(KARL).display_name == "Karl Transfer"
    assert session.resolve_endpoint(KARL.upper()).id == KARL
    assert session.resolve_endpoint("Karl Transfer").id == KARL
    assert session.resolve_endpoint("omgtacos").scopes == ("my-endpoints",)


def test_resolve_ambiguous_name(session: GlobusSession, identity: Identity) -> None:
    with pytest.raises(UsageError) as caught:
        session.resolve_endpoint(TWIN_NAME)
    message = caught.value.message
    assert "ambiguous" in message
    assert TWIN_IDS[0] in message
    assert TWIN_IDS[1] in message


def test_resolve_unknown(session: GlobusSession, identity: Identity) -> None:
    with pytest.raises(NotFound, match="No endpoint named 'no such thing'"):
        session.resolve_endpoint("no such thing")
    with pytest.raises(NotFound):
        session.get_endpoint("00000000-0000-4000-8000-000000000000")
    with pytest.raises(UsageError, match="expected a UUID"):
        session.get_endpoint("omgtacos")


def test_name_with_colon(session: GlobusSession, identity: Identity) -> None:
    endpoint, path = split_endpoint_path(f"{COLON_NAME}:/results/run 1")
    assert (endpoint, path) == (COLON_NAME, "/results/run 1")

    record = session.resolve_endpoint(endpoint)
    assert record.id == COLON_ID
    assert session.ls(record.id, "/").entries == ()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("omgtacos:/home/ada", ("omgtacos", "/home/ada")),
        ("omgtacos:~/data", ("omgtacos", "~/data")),
        ("omgtacos", ("omgtacos", None)),
        ("lab: data:/x:y", ("lab: data", "/x:y")),
        ("a:b:c", ("a:b:c", None)),
        (f"{KARL}:/", (KARL, "/")),
        ("Karl Transfer:/data set/ü #1 & co", ("Karl Transfer", "/data set/ü #1 & co")),
    ],
)
def test_split_endpoint_path(value: str, expected: tuple[str, str | None]) -> None:
    assert split_endpoint_path(value) == expected


def test_split_endpoint_path_needs_endpoint() -> None:
    with pytest.raises(UsageError, match="Missing endpoint"):
        split_endpoint_path(":/home")
