"""Parts of the Transfer side that need no server: paths, listings, search rules."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tunel_jupyter.sandbox.transfer import listing, paths, search
from tunel_jupyter.sandbox.transfer.collections import (
    Collection,
    build_document,
    legacy_username,
)

ME = "11111111-1111-1111-1111-111111111111"
OTHER = "22222222-2222-2222-2222-222222222222"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("/~/", "/~"),
        ("~", "/~"),
        ("~/a/b/", "/~/a/b"),
        ("/a/./b//c/", "/a/b/c"),
        ("/a/b/../c", "/a/c"),
        ("", "/~"),
    ],
)
def test_normalize_paths(given: str, expected: str) -> None:
    assert paths.normalize(given) == expected


@pytest.mark.parametrize("escape", ["/..", "/../etc", "~/../x", "/a/../../b", "a\0b"])
def test_normalize_rejects_escapes(escape: str) -> None:
    with pytest.raises(paths.PathNotAllowed):
        paths.normalize(escape)


def test_resolve_maps_home_to_root(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    resolved = paths.resolve(tmp_path, "/~/data")
    assert resolved.real == tmp_path / "data"
    assert resolved.virtual == "/data"
    assert resolved.display == "/~/data"


def test_resolve_rejects_symlink_escape(tmp_path: Path) -> None:
    root = tmp_path / "root"
    outside = tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (outside / "secret.txt").write_text("secret")
    (root / "escape").symlink_to(outside)
    (root / "inner").symlink_to(root)

    with pytest.raises(paths.PathNotAllowed):
        paths.resolve(root, "/escape")
    with pytest.raises(paths.PathNotAllowed):
        paths.resolve(root, "/escape/secret.txt")
    assert paths.resolve(root, "/inner").real == root / "inner"
    # The link itself may be renamed or deleted: only its folder is checked.
    assert paths.resolve_parent(root, "/escape").real == root / "escape"


def test_file_entry_shapes(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"12345")
    os.chmod(tmp_path / "a.txt", 0o640)
    (tmp_path / "dir").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "a.txt")
    (tmp_path / "broken").symlink_to("/nonexistent/elsewhere")

    entry = listing.file_entry(tmp_path, tmp_path / "a.txt")
    assert entry["DATA_TYPE"] == "file"
    assert entry["type"] == "file"
    assert entry["size"] == 5
    assert entry["permissions"] == "0640"
    assert entry["last_modified"].endswith("+00:00")
    assert len(entry["last_modified"]) == len("2021-01-15 01:45:50+00:00")
    assert entry["link_target"] is None

    assert listing.file_entry(tmp_path, tmp_path / "dir")["type"] == "dir"
    link = listing.file_entry(tmp_path, tmp_path / "link")
    assert link["type"] == "file"
    assert link["link_target"] == "/a.txt"
    assert link["link_size"] is not None
    broken = listing.file_entry(tmp_path, tmp_path / "broken")
    assert broken["type"] == "invalid_symlink"
    assert broken["link_target"] is None


def test_filters_and_orderby(tmp_path: Path) -> None:
    for name, size in [("b.txt", 30), ("a.txt", 10), ("c.csv", 20), (".h.txt", 1)]:
        (tmp_path / name).write_bytes(b"x" * size)
    (tmp_path / "sub").mkdir()
    cache = listing.NameCache()

    def names(**kwargs: object) -> list[str]:
        page = listing.list_folder(tmp_path, tmp_path, cache=cache, **kwargs)  # type: ignore[arg-type]
        return [entry["name"] for entry in page.entries]

    assert names() == [".h.txt", "a.txt", "b.txt", "c.csv", "sub"]
    assert names(show_hidden=False) == ["a.txt", "b.txt", "c.csv", "sub"]
    txt = listing.parse_filters(["name:~*.txt"])
    assert names(filters=txt, show_hidden=False) == ["a.txt", "b.txt"]
    assert names(filters=listing.parse_filters(["type:dir"])) == ["sub"]
    not_txt = listing.parse_filters(["name:!~*.txt/type:file"])
    assert names(filters=not_txt) == ["c.csv"]
    either = listing.parse_filters(["name:=a.txt", "type:dir"])
    assert names(filters=either) == ["a.txt", "sub"]
    big = listing.parse_filters(["size:>=20/type:file"])
    assert names(filters=big) == ["b.txt", "c.csv"]
    by_size = listing.parse_orderby("type ASC,size DESC")
    assert names(order=by_size, show_hidden=False) == ["sub", "b.txt", "c.csv", "a.txt"]
    assert names(order=listing.parse_orderby("name DESC"), limit=2) == ["sub", "c.csv"]


@pytest.mark.parametrize(
    "bad", ["color:red", "name", "size:>big", "last_modified:yesterday"]
)
def test_filter_rejects_bad_clauses(bad: str) -> None:
    with pytest.raises(listing.ListingError, match="filter clause"):
        listing.parse_filters([bad])


def test_orderby_rejects_bad_fields() -> None:
    with pytest.raises(listing.ListingError, match="orderby"):
        listing.parse_orderby("color ASC")
    with pytest.raises(listing.ListingError, match="orderby"):
        listing.parse_orderby("name UP")


def _collection(**fields: object) -> Collection:
    values: dict[str, object] = {
        "id": "33333333-3333-3333-3333-333333333333",
        "display_name": "Example",
        "entity_type": "GCSv5_mapped_collection",
        "owner_id": ME,
        "owner_string": "me@example.org",
        "root": Path("/nonexistent"),
    }
    values.update(fields)
    return Collection(**values)  # type: ignore[arg-type]


def test_endpoint_document_fields() -> None:
    document = build_document(_collection(), identity_id=ME, rank=2.5)
    for field in (
        "id",
        "display_name",
        "canonical_name",
        "owner_id",
        "owner_string",
        "entity_type",
        "high_assurance",
        "non_functional",
        "gcs_version",
        "default_directory",
        "my_effective_roles",
        "last_accessed_time",
        "authentication_assurance_timeout",
        "_rank",
    ):
        assert field in document, field
    assert document["DATA_TYPE"] == "endpoint"
    assert document["my_effective_roles"] == ["administrator"]
    assert document["_rank"] == 2.5
    assert document["username"] == legacy_username(ME)
    assert document["username"].startswith("u_")
    other = build_document(_collection(), identity_id=OTHER)
    assert other["my_effective_roles"] == []


def test_search_scopes_select() -> None:
    mine = _collection(
        id="a", display_name="Mine gcp", entity_type="GCP_mapped_collection"
    )
    guest = _collection(
        id="b",
        display_name="My guest",
        entity_type="GCSv5_guest_collection",
        shared_with=[OTHER],
    )
    shared = _collection(
        id="c", display_name="Theirs", owner_id=OTHER, shared_with=[ME]
    )
    admin = _collection(
        id="d", display_name="Admin", owner_id=OTHER, administrators=[ME]
    )
    public = _collection(
        id="e", display_name="Public climate", owner_id=OTHER, public=True
    )
    hidden = _collection(id="f", display_name="Private climate", owner_id=OTHER)
    everything = [mine, guest, shared, admin, public, hidden]

    def ids(scope: str, text: str | None = None) -> list[str]:
        query = search.parse_query({"filter_scope": scope, "filter_fulltext": text})
        selected = search.select(
            everything,
            query,
            identity_ids={ME},
            used_order=["e", "a"],
            active_ids={"c"},
        )
        return [collection.id for collection, _ in selected]

    assert ids("my-endpoints") == ["a", "b"]
    assert ids("my-gcp-endpoints") == ["a"]
    assert ids("shared-with-me") == ["c"]
    assert ids("shared-by-me") == ["b"]
    assert ids("administered-by-me") == ["d", "a", "b"]
    assert ids("recently-used") == ["e", "a"]
    assert ids("in-use") == ["c"]
    assert ids("all", "climate") == ["e"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"filter_scope": "everything"}, "filter_scope"),
        ({"filter_scope": "all"}, "filter_fulltext"),
        ({"filter_scope": "my-endpoints", "limit": "101"}, "limit"),
        ({"filter_scope": "my-endpoints", "offset": "950", "limit": "100"}, "1000"),
        ({"filter_scope": "my-endpoints", "filter_entity_type": "Laptop"}, "entity"),
        (
            {
                "filter_scope": "my-endpoints",
                "filter_entity_type": "GCSv5_endpoint",
                "filter_non_functional": "1",
            },
            "together",
        ),
    ],
)
def test_search_rejects_bad_queries(arguments: dict[str, str], message: str) -> None:
    with pytest.raises(search.SearchError, match=message):
        search.parse_query(arguments)
