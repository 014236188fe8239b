"""Endpoint search and endpoint documents, through the real globus-sdk."""

from __future__ import annotations

import typing as t
import uuid
from pathlib import Path

import globus_sdk
import pytest
from globus_sdk.transport import RetryConfig

from tests.sandbox import transfer_fixtures
from tests.sandbox.transfer_fixtures import (
    BULK_ID,
    GCS_ENDPOINT_ID,
    KARL_ID,
    MAPPED_ID,
    NULL_NAME_ID,
    OMGTACOS_ID,
    SECURE_ID,
    make_client,
    seed_with,
    wait_done,
)
from tests.utils import sandbox_authorize
from tunel_jupyter.sandbox import Sandbox

# Fixtures shared by the Transfer tests.
bulk_root = transfer_fixtures.bulk_root
sandbox = transfer_fixtures.sandbox
tc = transfer_fixtures.tc

MY_ENDPOINTS = {
    "29890592-374e-11e8-b96a-0ac6873fc732": "omgtacos",
    "1fa46266-34a0-11e8-b93b-0ac6873fc732": "sregistry-anxious-nunchucks-2069",
    "aa82607a-3466-11e8-b92a-0ac6873fc732": "sregistry-dirty-nalgas-8986",
    "4e51a760-3462-11e8-b929-0ac6873fc732": "sregistry-doopy-underoos-8353",
    "2334f658-349f-11e8-b93b-0ac6873fc732": "sregistry-evasive-buttface-3847",
    "df0b5152-3453-11e8-b929-0ac6873fc732": "sregistry-misunderstood-lemur-3519",
    "af72ea3c-34a2-11e8-b93b-0ac6873fc732": "sregistry-quirky-chair-8749",
    "ce0c58e8-3457-11e8-b929-0ac6873fc732": "sregistry-tart-latke-6416",
    "efe591ca-374d-11e8-b96a-0ac6873fc732": "tmpep",
    "74f0809a-d11a-11e7-962c-22000a8cbd7d": "vanessasaurus-endpoint",
}
DOCUMENT_FIELDS = (
    "DATA_TYPE",
    "id",
    "display_name",
    "canonical_name",
    "entity_type",
    "owner_id",
    "owner_string",
    "username",
    "description",
    "keywords",
    "public",
    "is_globus_connect",
    "gcs_version",
    "host_endpoint_id",
    "mapped_collection_id",
    "non_functional",
    "high_assurance",
    "default_directory",
    "my_effective_roles",
    "in_use",
    "authentication_assurance_timeout",
    "last_accessed_time",
    "_rank",
)


def scope_ids(tc: globus_sdk.TransferClient, scope: str, **params: t.Any) -> list[str]:
    return [
        doc["id"]
        for doc in tc.paginated.endpoint_search(filter_scope=scope, **params).items()
    ]


def test_my_endpoints_mirror_listing(
    tc: globus_sdk.TransferClient, sandbox: Sandbox
) -> None:
    found = {
        doc["id"]: doc
        for doc in tc.endpoint_search(filter_scope="my-endpoints", limit=100)
    }
    local = sandbox.local_collection_id
    assert local in found
    del found[local]

    assert len(found) == 12
    for endpoint_id, name in MY_ENDPOINTS.items():
        assert found[endpoint_id]["display_name"] == name
    for document in found.values():
        assert document["owner_string"] == "ada@example.org"
        for field in DOCUMENT_FIELDS:
            assert field in document, field

    shared = list(tc.endpoint_search(filter_scope="shared-with-me"))
    assert [doc["id"] for doc in shared] == [KARL_ID]
    assert shared[0]["display_name"] == "Karl Transfer"


def test_my_endpoints_sorted_by_name(tc: globus_sdk.TransferClient) -> None:
    names = [
        doc["display_name"]
        for doc in tc.endpoint_search(filter_scope="my-endpoints", limit=100)
    ]
    assert names == sorted(names, key=str.lower)


def test_other_scopes(tc: globus_sdk.TransferClient, sandbox: Sandbox) -> None:
    gcp = scope_ids(tc, "my-gcp-endpoints")
    assert OMGTACOS_ID in gcp
    assert "74f0809a-d11a-11e7-962c-22000a8cbd7d" not in gcp
    assert scope_ids(tc, "shared-by-me") == ["3f6f3c1e-d11b-11e7-962c-22000a8cbd7d"]
    administered = scope_ids(tc, "administered-by-me")
    assert MAPPED_ID in administered
    assert OMGTACOS_ID in administered
    assert scope_ids(tc, "recently-used") == []
    assert scope_ids(tc, "in-use") == []


def test_recently_used_newest_first(
    tc: globus_sdk.TransferClient, sandbox: Sandbox
) -> None:
    local = sandbox.local_collection_id
    for source in (OMGTACOS_ID, KARL_ID):
        data = globus_sdk.TransferData(source, local)
        data.add_item("/README.txt", f"/from-{source[:8]}.txt")
        wait_done(tc, tc.submit_transfer(data)["task_id"])

    assert scope_ids(tc, "recently-used") == [KARL_ID, local, OMGTACOS_ID]
    document = tc.get_endpoint(KARL_ID)
    assert document["last_accessed_time"] is not None


def test_fulltext_pages_past_100(tc: globus_sdk.TransferClient) -> None:
    pages = list(tc.paginated.endpoint_search("generated", filter_scope="all"))
    assert len(pages) == 3
    assert [len(page["DATA"]) for page in pages] == [100, 100, 40]
    assert [page["has_next_page"] for page in pages] == [True, True, False]
    ids = [doc["id"] for page in pages for doc in page]
    assert len(set(ids)) == 240

    climate = list(tc.paginated.endpoint_search("climate", filter_scope="all").items())
    assert len(climate) == 40
    assert all("Climate" in doc["display_name"] for doc in climate)
    assert all(isinstance(doc["_rank"], float) for doc in climate)


def test_fulltext_matches_description_and_keywords(
    tc: globus_sdk.TransferClient,
) -> None:
    by_keyword = list(tc.endpoint_search("consent", filter_scope="all"))
    assert [doc["id"] for doc in by_keyword] == [MAPPED_ID]
    by_description = list(tc.endpoint_search("20,000 small", filter_scope="all"))
    assert [doc["id"] for doc in by_description] == [BULK_ID]


def test_search_filters(tc: globus_sdk.TransferClient) -> None:
    guests = scope_ids(tc, "my-endpoints", filter_entity_type="GCSv5_guest_collection")
    assert guests == ["3f6f3c1e-d11b-11e7-962c-22000a8cbd7d"]
    broken = list(
        tc.endpoint_search("example", filter_scope="all", filter_non_functional=True)
    )
    assert [doc["id"] for doc in broken] == [GCS_ENDPOINT_ID]
    assert broken[0]["non_functional"] is True
    ada = tc.get_endpoint(OMGTACOS_ID)["owner_id"]
    owned = scope_ids(tc, "administered-by-me", filter_owner_id=ada)
    assert MAPPED_ID not in owned
    assert OMGTACOS_ID in owned


def test_search_cap_with_generated_seed(tmp_path: Path, bulk_root: Path) -> None:
    seed = seed_with(bulk_root, **{"my-endpoints": 1000, "shared-with-me": 1000})
    with Sandbox(seed=seed, state_dir=tmp_path / "state") as server:
        token = _mint_token(server)
        client = globus_sdk.TransferClient(
            base_url=server.transfer_url,
            authorizer=globus_sdk.AccessTokenAuthorizer(token),
            retry_config=RetryConfig(max_retries=0),
        )
        mine = scope_ids(client, "my-endpoints")
        assert len(mine) == 1000
        last = client.endpoint_search(
            filter_scope="my-endpoints", offset=900, limit=100
        )
        assert last["has_next_page"] is False
        with pytest.raises(globus_sdk.TransferAPIError) as caught:
            client.endpoint_search(filter_scope="shared-with-me", offset=950, limit=100)
        assert caught.value.http_status == 400
        assert caught.value.code == "ClientError.BadRequest"
        assert "1000" in caught.value.message


def _mint_token(server: Sandbox) -> str:
    """Log in through the sandbox's Auth API with PKCE, as a person would."""
    auth = globus_sdk.NativeAppAuthClient(
        server.native_client_id, base_url=server.auth_url
    )
    auth.oauth2_start_flow(["openid", globus_sdk.TransferClient.scopes.all])
    code, _ = sandbox_authorize(auth.oauth2_get_authorize_url())
    tokens = auth.oauth2_exchange_code_for_tokens(code)
    return str(tokens.by_resource_server["transfer.api.globus.org"]["access_token"])


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"filter_scope": "all"}, "filter_fulltext"),
        ({"filter_scope": "mine"}, "filter_scope"),
        ({"filter_scope": "my-endpoints", "limit": 500}, "limit"),
        ({"filter_scope": "my-endpoints", "limit": "ten"}, "limit"),
    ],
)
def test_search_bad_requests(
    tc: globus_sdk.TransferClient, params: dict[str, t.Any], fragment: str
) -> None:
    with pytest.raises(globus_sdk.TransferAPIError) as caught:
        tc.get("/v0.10/endpoint_search", query_params=params)
    assert caught.value.http_status == 400
    assert caught.value.code == "ClientError.BadRequest"
    assert fragment in caught.value.message
    assert caught.value.request_id


def test_get_endpoint_documents(tc: globus_sdk.TransferClient) -> None:
    nameless = tc.get_endpoint(NULL_NAME_ID)
    assert nameless["display_name"] is None
    assert nameless["canonical_name"] == "grace#scratch"
    secure = tc.get_endpoint(SECURE_ID)
    assert secure["high_assurance"] is True
    assert secure["authentication_assurance_timeout"] == 30
    karl = tc.get_endpoint(KARL_ID)
    assert karl["entity_type"] == "GCSv5_guest_collection"
    assert karl["mapped_collection_id"] == MAPPED_ID
    assert (
        karl["mapped_collection_display_name"] == "Example University Research Storage"
    )
    assert karl["my_effective_roles"] == []


def test_get_endpoint_not_found(tc: globus_sdk.TransferClient) -> None:
    missing = str(uuid.uuid4())
    with pytest.raises(globus_sdk.TransferAPIError) as caught:
        tc.get_endpoint(missing)
    assert caught.value.http_status == 404
    assert caught.value.code == "EndpointNotFound"
    assert missing in caught.value.message

    with pytest.raises(globus_sdk.TransferAPIError) as malformed:
        tc.get_endpoint("not-a-uuid")
    assert malformed.value.http_status == 404
    assert malformed.value.code == "ClientError.NotFound"


def test_search_requires_token(globus_env: dict[str, str]) -> None:
    anonymous = make_client("not-a-real-token")
    with pytest.raises(globus_sdk.TransferAPIError) as caught:
        anonymous.endpoint_search(filter_scope="my-endpoints")
    assert caught.value.http_status == 401
    assert caught.value.code == "AuthenticationFailed"
