"""Endpoint routes against the sandbox: search scopes, paging, ls, file operations."""

from __future__ import annotations

import typing as t
import urllib.parse
from pathlib import Path

import pytest
import requests

from tunel_jupyter.sandbox import Sandbox

from .server_helpers import Api, authorize_json, paste_login

SCOPES = (
    "my-endpoints",
    "my-gcp-endpoints",
    "recently-used",
    "in-use",
    "shared-by-me",
    "shared-with-me",
    "administered-by-me",
)
KARL_TRANSFER = "9ec1db6a-5052-11e7-bdb7-22000b9a448b"
RESEARCH_STORAGE = "0b5c4a8e-6f0e-4c3a-9d5e-2f1a7b8c9d01"
BULK_FILES = "0b5c4a8e-6f0e-4c3a-9d5e-2f1a7b8c9d04"


def endpoint_searches(sandbox: Sandbox) -> int:
    log = requests.get(f"{sandbox.url}/_sandbox/requests", timeout=10).json()
    return sum(entry["path"].endswith("/endpoint_search") for entry in log["requests"])


async def test_every_scope(api: Api, logged_in: dict[str, t.Any]) -> None:
    for scope in SCOPES:
        page = await api.get("endpoints", params={"scope": scope})
        assert set(page) == {"records", "has_next_page", "next_offset"}, scope
        for record in page["records"]:
            assert scope in record["scopes"], (scope, record["id"])
    shared = await api.get("endpoints", params={"scope": "shared-with-me"})
    assert [record["id"] for record in shared["records"]] == [KARL_TRANSFER]
    found = await api.get("endpoints", params={"scope": "all", "search": "bulk"})
    assert BULK_FILES in [record["id"] for record in found["records"]]


async def test_search_paging(api: Api, logged_in: dict[str, t.Any]) -> None:
    first = await api.get("endpoints", params={"limit": 5})
    assert first["has_next_page"] is True
    assert first["next_offset"] == 5
    second = await api.get("endpoints", params={"limit": 5, "offset": 5})
    first_ids = {record["id"] for record in first["records"]}
    second_ids = {record["id"] for record in second["records"]}
    assert len(first_ids) == 5
    assert second_ids
    assert not first_ids & second_ids


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"scope": "everything"}, "scope"),
        ({"scope": "all"}, "search"),
        ({"limit": "0"}, "limit"),
        ({"limit": "many"}, "limit"),
        ({"offset": "1000"}, "offset"),
    ],
)
async def test_search_bad_input(
    api: Api, globus_env: dict[str, str], params: dict[str, str], field: str
) -> None:
    error = await api.get("endpoints", params=params, expect=400)
    assert error["code"] == "InvalidRequest"
    assert error["field"] == field
    assert params[next(iter(params))] in error["message"] or field in error["message"]


async def test_search_cached_per_identity(
    api: Api, logged_in: dict[str, t.Any], sandbox: Sandbox
) -> None:
    await api.get("endpoints", params={"scope": "shared-with-me"})
    before = endpoint_searches(sandbox)
    await api.get("endpoints", params={"scope": "shared-with-me"})
    assert endpoint_searches(sandbox) == before

    # Another process (here the test itself, through the core) logs in to the
    # same token store as someone else. The server must not reuse ada's list.
    from tunel_jupyter.globus import GlobusSession

    grace = "c5687458-1de5-4915-90b0-a13755b6626d"
    sandbox.state.default_identity_id = grace
    other = GlobusSession()
    request = other.start_login()
    answer = await authorize_json(request.authorize_url)
    identity = other.finish_login(answer["code"], state=request.state)
    assert identity.username == "grace@example.com"

    page = await api.get("endpoints", params={"scope": "shared-with-me"})
    assert endpoint_searches(sandbox) == before + 1
    assert KARL_TRANSFER not in [record["id"] for record in page["records"]]


async def test_search_cache_dropped_by_login(
    api: Api, logged_in: dict[str, t.Any], sandbox: Sandbox
) -> None:
    await api.get("endpoints")
    before = endpoint_searches(sandbox)
    await paste_login(api)
    await api.get("endpoints")
    assert endpoint_searches(sandbox) == before + 1


class TestNoCache:
    @pytest.fixture
    def tunel_config(self) -> dict[str, t.Any]:
        return {"endpoint_cache_seconds": 0}

    async def test_every_call_reaches_globus(
        self, api: Api, logged_in: dict[str, t.Any], sandbox: Sandbox
    ) -> None:
        await api.get("endpoints")
        before = endpoint_searches(sandbox)
        await api.get("endpoints")
        assert endpoint_searches(sandbox) == before + 1


async def test_get_endpoint(api: Api, logged_in: dict[str, t.Any]) -> None:
    record = await api.get(f"endpoints/{KARL_TRANSFER}")
    assert record["id"] == KARL_TRANSFER
    assert record["display_name"] == "Karl Transfer"
    assert record["entity_type"] == "GCSv5_guest_collection"


async def test_get_endpoint_errors(api: Api, logged_in: dict[str, t.Any]) -> None:
    missing = await api.get(
        "endpoints/0b5c4a8e-6f0e-4c3a-9d5e-2f1a7b8c9d99", expect=404
    )
    assert missing["code"] == "NotFound"
    invalid = await api.get("endpoints/not-a-uuid", expect=400)
    assert invalid["code"] == "InvalidRequest"
    assert invalid["field"] == "endpoint_id"


async def test_unknown_route_json(api: Api, globus_env: dict[str, str]) -> None:
    error = await api.get("nothing/here", expect=404)
    assert error["code"] == "NotFound"


async def test_ls_paging(
    api: Api, logged_in: dict[str, t.Any], jp_root_dir: Path
) -> None:
    folder = jp_root_dir / "many"
    folder.mkdir()
    for index in range(25):
        (folder / f"file-{index:02d}.txt").write_text(str(index))
    (folder / ".hidden").write_text("x")
    local = (await api.get("status"))["local_collection"]["id"]

    names: list[str] = []
    offset: int | None = 0
    pages = 0
    while offset is not None and pages < 10:
        page = await api.get(
            f"endpoints/{local}/ls",
            params={"path": "/many/", "limit": "10", "offset": str(offset)},
        )
        assert page["total"] == 25
        assert len(page["entries"]) <= 10
        names += [entry["name"] for entry in page["entries"]]
        offset = page["next_offset"]
        assert page["has_next_page"] is (offset is not None)
        pages += 1
    assert pages == 3
    assert sorted(names) == [f"file-{index:02d}.txt" for index in range(25)]

    hidden = await api.get(
        f"endpoints/{local}/ls", params={"path": "/many/", "show_hidden": "true"}
    )
    assert ".hidden" in [entry["name"] for entry in hidden["entries"]]
    bad = await api.get(
        f"endpoints/{local}/ls", params={"show_hidden": "perhaps"}, expect=400
    )
    assert bad["field"] == "show_hidden"


async def test_ls_missing_path(api: Api, logged_in: dict[str, t.Any]) -> None:
    local = (await api.get("status"))["local_collection"]["id"]
    error = await api.get(
        f"endpoints/{local}/ls", params={"path": "/nope/"}, expect=404
    )
    assert error["code"] == "NotFound"
    assert "/nope/" in error["message"]


async def test_consent_then_success(api: Api, logged_in: dict[str, t.Any]) -> None:
    error = await api.get(f"endpoints/{RESEARCH_STORAGE}/ls", expect=403)
    assert error["code"] == "ConsentRequired"
    assert error["required_scopes"]
    assert RESEARCH_STORAGE in error["required_scopes"][0]
    assert error["login_url"].startswith("/a%40b/tunel/globus/login?scopes=")

    # Follow login_url as the front end does, then finish with the paste flow.
    login_url = urllib.parse.urlsplit(error["login_url"])
    assert login_url.path == "/a%40b/tunel/globus/login"
    params = dict(urllib.parse.parse_qsl(login_url.query))
    assert params["scopes"].split() == error["required_scopes"]
    location = await api.get("login", params=params, expect=302)
    answer = await authorize_json(location)
    status = await api.post("login/code", {"code": answer["code"]})
    assert status["logged_in"] is True

    listing = await api.get(f"endpoints/{RESEARCH_STORAGE}/ls")
    assert listing["endpoint_id"] == RESEARCH_STORAGE


async def test_file_operations(
    api: Api, logged_in: dict[str, t.Any], jp_root_dir: Path
) -> None:
    local = (await api.get("status"))["local_collection"]["id"]

    created = await api.post(
        f"endpoints/{local}/mkdir", {"path": "/results"}, expect=201
    )
    assert created == {"endpoint_id": local, "path": "/results"}
    assert (jp_root_dir / "results").is_dir()

    renamed = await api.post(
        f"endpoints/{local}/rename",
        {"old_path": "/results", "new_path": "/final"},
    )
    assert renamed["new_path"] == "/final"
    assert (jp_root_dir / "final").is_dir()
    assert not (jp_root_dir / "results").exists()

    (jp_root_dir / "final" / "a.txt").write_text("a")
    task = await api.post(
        f"endpoints/{local}/delete",
        {"paths": ["/final"], "recursive": True, "label": "clean up"},
        expect=202,
    )
    assert task["type"] == "DELETE"
    assert task["label"] == "clean up"
    for _ in range(100):
        task = await api.get(f"tasks/{task['task_id']}")
        if task["is_done"]:
            break
    assert task["status"] == "SUCCEEDED"
    assert not (jp_root_dir / "final").exists()


@pytest.mark.parametrize(
    ("route", "body", "field"),
    [
        ("mkdir", {}, "path"),
        ("mkdir", {"path": ""}, "path"),
        ("rename", {"old_path": "/a"}, "new_path"),
        ("delete", {"paths": []}, "paths"),
        ("delete", {"paths": ["/a", 3]}, "paths[1]"),
        ("delete", {"paths": ["/a"], "recursive": "maybe"}, "recursive"),
        ("delete", {"paths": ["/a"], "label": "x" * 129}, "label"),
    ],
)
async def test_file_operation_bad_input(
    api: Api, globus_env: dict[str, str], route: str, body: dict[str, t.Any], field: str
) -> None:
    error = await api.post(f"endpoints/{KARL_TRANSFER}/{route}", body, expect=400)
    assert error["code"] == "InvalidRequest"
    assert error["field"] == field


async def test_invalid_json_body(
    api: Api, jp_fetch: t.Any, globus_env: dict[str, str]
) -> None:
    response = await jp_fetch(
        "tunel",
        "globus",
        "transfers",
        method="POST",
        body="{not json",
        raise_error=False,
    )
    assert response.code == 400
    assert b'"field": "body"' in response.body


SECURE_DATA = "0b5c4a8e-6f0e-4c3a-9d5e-2f1a7b8c9d02"


async def test_session_requirements_then_success(
    api: Api, logged_in: dict[str, t.Any]
) -> None:
    error = await api.get(f"endpoints/{SECURE_DATA}/ls", expect=403)
    assert error["code"] == "AuthenticationRequirements"
    assert error["required_scopes"] == []
    domains = error["session_requirements"]["session_required_single_domain"]
    assert domains == ["secure.example.net"]
    login_url = urllib.parse.urlsplit(error["login_url"])
    params = dict(urllib.parse.parse_qsl(login_url.query))
    assert params["session_required_single_domain"] == "secure.example.net"

    location = await api.get("login", params=params, expect=302)
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)
    assert query["session_required_single_domain"] == ["secure.example.net"]
    answer = await authorize_json(location)
    await api.post("login/code", {"code": answer["code"]})

    listing = await api.get(f"endpoints/{SECURE_DATA}/ls")
    assert listing["endpoint_id"] == SECURE_DATA


async def test_search_cache_dropped_by_transfer(
    api: Api, logged_in: dict[str, t.Any], sandbox: Sandbox, jp_root_dir: Path
) -> None:
    await api.get("endpoints", params={"scope": "recently-used"})
    before = endpoint_searches(sandbox)
    (jp_root_dir / "a.txt").write_text("a")
    await api.post(
        "transfers",
        {
            "destination_endpoint": "29890592-374e-11e8-b96a-0ac6873fc732",
            "items": [{"source_local_path": "a.txt", "destination_path": "/a.txt"}],
        },
        expect=202,
    )
    await api.get("endpoints", params={"scope": "recently-used"})
    assert endpoint_searches(sandbox) == before + 1


async def test_search_cache_dropped_by_logout(
    api: Api, logged_in: dict[str, t.Any], sandbox: Sandbox
) -> None:
    await api.get("endpoints")
    before = endpoint_searches(sandbox)
    await api.post("logout")
    await paste_login(api)
    await api.get("endpoints")
    assert endpoint_searches(sandbox) == before + 1
