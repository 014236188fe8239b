"""ls, mkdir, rename and stat on sandbox collections, through the real globus-sdk."""

from __future__ import annotations

import time
import typing as t
from pathlib import Path

import globus_sdk
import pytest
from globus_sdk.scopes import Scope, TransferScopes

from tests.sandbox import transfer_fixtures
from tests.sandbox.transfer_fixtures import (
    BULK_COUNT,
    BULK_ID,
    GCS_ENDPOINT_ID,
    MAPPED_ID,
    NULL_NAME_ID,
    OMGTACOS_ID,
    SECURE_ID,
    TRANSFER_RS,
    make_client,
)
from tunel_jupyter.sandbox import Sandbox

# Fixtures shared by the Transfer tests.
bulk_root = transfer_fixtures.bulk_root
sandbox = transfer_fixtures.sandbox
tc = transfer_fixtures.tc


def api_error(call: t.Callable[[], t.Any]) -> globus_sdk.TransferAPIError:
    with pytest.raises(globus_sdk.TransferAPIError) as caught:
        call()
    return caught.value


def local_root(sandbox: Sandbox) -> Path:
    assert sandbox.root is not None
    return sandbox.root


def test_ls_default_directory(tc: globus_sdk.TransferClient) -> None:
    listing = tc.operation_ls(OMGTACOS_ID)
    assert listing["DATA_TYPE"] == "file_list"
    assert listing["path"] == "/~/"
    assert listing["endpoint"] == OMGTACOS_ID
    names = [entry["name"] for entry in listing]
    assert names == [".hidden-settings", "README.txt", "data", "empty-folder"]
    assert listing["total"] == 4
    assert listing["length"] == 4
    data = next(entry for entry in listing if entry["name"] == "data")
    assert data["type"] == "dir"
    assert data["DATA_TYPE"] == "file"


def test_ls_show_hidden_false(tc: globus_sdk.TransferClient) -> None:
    names = [
        e["name"] for e in tc.operation_ls(OMGTACOS_ID, path="/", show_hidden=False)
    ]
    assert ".hidden-settings" not in names
    assert "README.txt" in names


def test_ls_reflects_local_files(
    tc: globus_sdk.TransferClient, sandbox: Sandbox
) -> None:
    root = local_root(sandbox)
    (root / "notebook.ipynb").write_text("{}")
    (root / "results").mkdir()
    listing = tc.operation_ls(sandbox.local_collection_id, path="~")
    assert {e["name"]: e["type"] for e in listing} == {
        "notebook.ipynb": "file",
        "results": "dir",
    }
    assert listing["absolute_path"] == "/"
    sizes = {e["name"]: e["size"] for e in listing}
    assert sizes["notebook.ipynb"] == 2


def test_ls_bulk_folder_pages_fast(tc: globus_sdk.TransferClient) -> None:
    first = tc.operation_ls(BULK_ID, path="/many/", limit=50, offset=0)
    assert first["total"] == BULK_COUNT
    assert first["length"] == 50
    assert first["has_next_page"] is True
    assert first["DATA"][0]["name"] == "file-00001.txt"

    started = time.monotonic()
    page = tc.operation_ls(BULK_ID, path="/many/", limit=100, offset=19_950)
    elapsed = time.monotonic() - started
    names = [entry["name"] for entry in page]
    assert names[0] == "file-19951.txt"
    assert names[-1] == "file-20000.txt"
    assert page["length"] == 50
    assert page["has_next_page"] is False
    # Generous bound: the page is served from cached names with 50 stat calls.
    assert elapsed < 1.0, f"a page of the 20,000-entry folder took {elapsed:.2f} s"


def test_ls_bulk_orderby_and_filter(tc: globus_sdk.TransferClient) -> None:
    newest_names = tc.operation_ls(BULK_ID, path="/many/", orderby="name DESC", limit=3)
    assert [e["name"] for e in newest_names] == [
        "file-20000.txt",
        "file-19999.txt",
        "file-19998.txt",
    ]
    matching = tc.operation_ls(BULK_ID, path="/many/", filter="name:~file-1999*")
    assert matching["total"] == 10
    assert {e["name"] for e in matching} == {f"file-1999{d}.txt" for d in range(10)}


def test_ls_orderby_size_and_type_filter(tc: globus_sdk.TransferClient) -> None:
    raw = tc.operation_ls(OMGTACOS_ID, path="/data/raw", orderby="size DESC")
    assert [e["name"] for e in raw] == ["run-003.bin", "run-002.bin", "run-001.bin"]
    assert raw["path"] == "/data/raw/"
    folders = tc.operation_ls(OMGTACOS_ID, path="/", filter={"type": "dir"})
    assert [e["name"] for e in folders] == ["data", "empty-folder"]
    text = tc.operation_ls(OMGTACOS_ID, path="/data", filter="name:~*.md")
    assert [e["name"] for e in text] == ["notes.md"]
    unfiltered = tc.operation_ls(OMGTACOS_ID, path="/data", filter="")
    assert unfiltered["total"] == 3


def test_ls_missing_path(tc: globus_sdk.TransferClient) -> None:
    error = api_error(lambda: tc.operation_ls(OMGTACOS_ID, path="/no/such/folder"))
    assert error.http_status == 404
    assert error.code == "ClientError.NotFound"
    assert error.message.startswith("Path not found")
    assert "/no/such/folder" in error.message
    assert error.raw_json is not None
    assert error.raw_json["resource"].endswith(f"/operation/endpoint/{OMGTACOS_ID}/ls")


def test_ls_on_file(tc: globus_sdk.TransferClient) -> None:
    error = api_error(lambda: tc.operation_ls(OMGTACOS_ID, path="/README.txt"))
    assert error.http_status == 502
    assert error.code == "ExternalError.DirListingFailed.NotDirectory"


@pytest.mark.parametrize(
    "path", ["/..", "/../..", "~/../../etc", "/data/../../", "/escape", "/escape/"]
)
def test_ls_confined_to_root(
    tc: globus_sdk.TransferClient, sandbox: Sandbox, tmp_path: Path, path: str
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("do not list me")
    (local_root(sandbox) / "escape").symlink_to(outside)
    (local_root(sandbox) / "data").mkdir()

    error = api_error(lambda: tc.operation_ls(sandbox.local_collection_id, path=path))
    assert error.http_status == 403
    assert error.code == "EndpointPermissionDenied"
    assert "Path not allowed" in error.message
    assert "secret" not in error.message


def test_ls_lists_symlinks(
    tc: globus_sdk.TransferClient, sandbox: Sandbox, tmp_path: Path
) -> None:
    root = local_root(sandbox)
    (root / "target.txt").write_text("inside")
    (root / "inside-link").symlink_to(root / "target.txt")
    (root / "outside-link").symlink_to(tmp_path)
    entries = {e["name"]: e for e in tc.operation_ls(sandbox.local_collection_id)}
    assert entries["inside-link"]["type"] == "file"
    assert entries["inside-link"]["link_target"] == "/target.txt"
    assert entries["outside-link"]["type"] == "invalid_symlink"
    assert entries["outside-link"]["link_target"] is None


def test_ls_bad_parameters(tc: globus_sdk.TransferClient) -> None:
    for params in (
        {"orderby": "color ASC"},
        {"filter": "color:red"},
        {"limit": "0"},
        {"offset": "-1"},
        {"show_hidden": "maybe"},
    ):
        error = api_error(lambda p=params: tc.operation_ls(OMGTACOS_ID, query_params=p))
        assert error.http_status == 400, params
        assert error.code == "ClientError.BadRequest", params


def test_ls_local_user_only_on_gcsv5(tc: globus_sdk.TransferClient) -> None:
    error = api_error(lambda: tc.operation_ls(OMGTACOS_ID, local_user="ada"))
    assert error.http_status == 400
    assert "local_user" in error.message


def test_consent_required_until_consented(
    tc: globus_sdk.TransferClient, login: t.Callable[..., globus_sdk.OAuthTokenResponse]
) -> None:
    error = api_error(lambda: tc.operation_ls(MAPPED_ID))
    assert error.http_status == 403
    assert error.code == "ConsentRequired"
    scope = (
        "urn:globus:auth:scope:transfer.api.globus.org:all"
        f"[*https://auth.globus.org/scopes/{MAPPED_ID}/data_access]"
    )
    assert error.info.consent_required
    assert error.info.consent_required.required_scopes == [scope]
    assert error.raw_json is not None
    assert error.raw_json["authorization_parameters"]["required_scopes"] == [scope]
    assert error.message == "Missing required data_access consent"

    data_access = f"https://auth.globus.org/scopes/{MAPPED_ID}/data_access"
    consented_scope = TransferScopes.all.with_dependency(
        Scope(data_access, optional=True)
    )
    tokens = login(scopes=["openid", consented_scope])
    consented = make_client(tokens.by_resource_server[TRANSFER_RS]["access_token"])
    assert "README.txt" in [e["name"] for e in consented.operation_ls(MAPPED_ID)]


def test_high_assurance_needs_domain_login(
    tc: globus_sdk.TransferClient, login: t.Callable[..., globus_sdk.OAuthTokenResponse]
) -> None:
    error = api_error(lambda: tc.operation_ls(SECURE_ID))
    assert error.http_status == 403
    assert error.code == "AuthPolicyFailed"
    parameters = error.info.authorization_parameters
    assert parameters.session_required_single_domain == ["secure.example.net"]
    assert parameters.session_message

    tokens = login(session_required_single_domain="secure.example.net")
    secure = make_client(tokens.by_resource_server[TRANSFER_RS]["access_token"])
    assert "README.txt" in [e["name"] for e in secure.operation_ls(SECURE_ID)]


def test_high_assurance_timeout(
    sandbox: Sandbox, login: t.Callable[..., globus_sdk.OAuthTokenResponse]
) -> None:
    tokens = login(session_required_single_domain="secure.example.net")
    value = tokens.by_resource_server[TRANSFER_RS]["access_token"]
    secure = make_client(value)
    assert secure.operation_ls(SECURE_ID)["total"] >= 1

    # The collection's assurance timeout is 30 minutes: age the login past it.
    token = sandbox.state.access_tokens[value]
    token.session["auth_time"] -= 31 * 60
    with pytest.raises(globus_sdk.TransferAPIError) as caught:
        secure.operation_ls(SECURE_ID)
    assert caught.value.http_status == 403
    assert caught.value.code == "AuthPolicyFailed"


def test_private_collection_denied(
    tc: globus_sdk.TransferClient, sandbox: Sandbox
) -> None:
    # grace's scratch endpoint, made private: the user no longer has access.
    sandbox.state.transfer.collections[NULL_NAME_ID].public = False
    error = api_error(lambda: tc.operation_ls(NULL_NAME_ID))
    assert error.http_status == 403
    assert error.code == "PermissionDenied"
    assert NULL_NAME_ID in error.message
    found = [d["id"] for d in tc.endpoint_search("scratch", filter_scope="all")]
    assert NULL_NAME_ID not in found


def test_non_functional_endpoint(tc: globus_sdk.TransferClient) -> None:
    error = api_error(lambda: tc.operation_ls(GCS_ENDPOINT_ID))
    assert error.http_status == 400
    assert "non-functional" in error.message


def test_mkdir_and_exists(tc: globus_sdk.TransferClient, sandbox: Sandbox) -> None:
    result = tc.operation_mkdir(sandbox.local_collection_id, "/~/new-folder")
    assert result["code"] == "DirectoryCreated"
    assert result["DATA_TYPE"] == "mkdir_result"
    assert (local_root(sandbox) / "new-folder").is_dir()

    error = api_error(
        lambda: tc.operation_mkdir(sandbox.local_collection_id, "/new-folder")
    )
    assert error.http_status == 502
    assert error.code == "ExternalError.MkdirFailed.Exists"

    missing = api_error(
        lambda: tc.operation_mkdir(sandbox.local_collection_id, "/a/b/c")
    )
    assert missing.http_status == 404
    escape = api_error(lambda: tc.operation_mkdir(sandbox.local_collection_id, "/../x"))
    assert escape.http_status == 403


def test_mkdir_wrong_data_type(tc: globus_sdk.TransferClient, sandbox: Sandbox) -> None:
    error = api_error(
        lambda: tc.post(
            f"/v0.10/operation/endpoint/{sandbox.local_collection_id}/mkdir",
            data={"DATA_TYPE": "rename", "path": "/x"},
        )
    )
    assert error.http_status == 400
    assert error.code == "ClientError.BadRequest"
    assert "DATA_TYPE" in error.message


def test_rename(tc: globus_sdk.TransferClient, sandbox: Sandbox) -> None:
    root = local_root(sandbox)
    (root / "old.txt").write_text("payload")
    result = tc.operation_rename(sandbox.local_collection_id, "/old.txt", "/~/new.txt")
    assert result["code"] == "FileRenamed"
    assert (root / "new.txt").read_text() == "payload"
    assert not (root / "old.txt").exists()

    (root / "other.txt").write_text("x")
    clash = api_error(
        lambda: tc.operation_rename(
            sandbox.local_collection_id, "/other.txt", "/new.txt"
        )
    )
    assert clash.http_status == 502
    missing = api_error(
        lambda: tc.operation_rename(sandbox.local_collection_id, "/gone.txt", "/x.txt")
    )
    assert missing.http_status == 404
    assert missing.code == "ClientError.NotFound"
    escape = api_error(
        lambda: tc.operation_rename(
            sandbox.local_collection_id, "/new.txt", "/../x.txt"
        )
    )
    assert escape.http_status == 403
    assert (root / "new.txt").exists()

    (root / "outer").mkdir()
    into_itself = api_error(
        lambda: tc.operation_rename(
            sandbox.local_collection_id, "/outer", "/outer/inner"
        )
    )
    assert into_itself.http_status == 502
    assert into_itself.code == "ExternalError.RenameFailed"
    assert (root / "outer").is_dir()


def test_stat(tc: globus_sdk.TransferClient) -> None:
    entry = tc.operation_stat(OMGTACOS_ID, "/data/measurements.csv")
    assert entry["DATA_TYPE"] == "file"
    assert entry["name"] == "measurements.csv"
    assert entry["type"] == "file"
    assert entry["size"] > 0
    assert tc.operation_stat(OMGTACOS_ID, "/data")["type"] == "dir"

    error = api_error(lambda: tc.operation_stat(OMGTACOS_ID, "/missing.txt"))
    assert error.http_status == 404
    assert error.code == "NotFound"
    assert "/missing.txt" in error.message
