"""The OpenAPI document: served, covers the route table, matches real responses."""

from __future__ import annotations

import asyncio
import json
import re
import typing as t
from pathlib import Path

import jsonschema
import pytest
import yaml

from tunel_jupyter.handlers import NAMESPACE
from tunel_jupyter.handlers.routes import route_table

from .server_helpers import Api, paste_login

DOCUMENT = yaml.safe_load(
    (Path(__file__).parents[2] / "tunel_jupyter/handlers/openapi.yaml").read_text()
)
OMGTACOS = "29890592-374e-11e8-b96a-0ac6873fc732"
RESEARCH_STORAGE = "0b5c4a8e-6f0e-4c3a-9d5e-2f1a7b8c9d01"
SOME_ID = "0b5c4a8e-6f0e-4c3a-9d5e-2f1a7b8c9d04"


def check(body: t.Any, schema_name: str) -> None:
    """Validate ``body`` against ``#/components/schemas/<schema_name>``."""
    schema = {
        "$ref": f"#/components/schemas/{schema_name}",
        "components": DOCUMENT["components"],
    }
    jsonschema.Draft202012Validator(schema).validate(body)


def test_document_is_openapi_31() -> None:
    assert DOCUMENT["openapi"].startswith("3.1")
    for name, schema in DOCUMENT["components"]["schemas"].items():
        jsonschema.Draft202012Validator.check_schema(schema)
        assert name


def test_every_route_documented() -> None:
    patterns = [route[0] for route in route_table() if route[0].startswith(NAMESPACE)]
    documented = [
        "tunel/globus" + re.sub(r"\{[a-z_]+\}", SOME_ID, path)
        for path in DOCUMENT["paths"]
    ]
    # Each documented path has its own route (not the catch-all) ...
    for path in documented:
        matching = [p for p in patterns[:-1] if re.fullmatch(p, path)]
        assert matching, path
    # ... and each route (but the catch-all) is documented.
    for pattern in patterns[:-1]:
        assert any(re.fullmatch(pattern, path) for path in documented), pattern


async def test_document_served(api: Api, jp_fetch: t.Any) -> None:
    as_json = await api.get("openapi.json")
    assert as_json == json.loads(json.dumps(DOCUMENT))
    response = await jp_fetch("tunel", "globus", "openapi.yaml")
    assert response.headers["Content-Type"].startswith("application/yaml")
    assert yaml.safe_load(response.body) == DOCUMENT


async def test_answers_match_schemas(
    api: Api, globus_env: dict[str, str], jp_root_dir: Path
) -> None:
    check(await api.get("status"), "Status")
    check(await api.get("endpoints", expect=401), "Error")
    check(await api.post("login", {"scopes": ["x"]}), "LoginStart")

    status = await paste_login(api)
    check(status, "Status")
    assert status["local_collection"] is not None

    check(await api.get("endpoints", params={"limit": "3"}), "EndpointPage")
    check(await api.get(f"endpoints/{OMGTACOS}"), "EndpointRecord")
    check(await api.get(f"endpoints/{OMGTACOS}/ls"), "Listing")
    consent = await api.get(f"endpoints/{RESEARCH_STORAGE}/ls", expect=403)
    check(consent, "Error")
    check(await api.get("endpoints", params={"scope": "x"}, expect=400), "Error")
    check(await api.get(f"endpoints/{SOME_ID}9", expect=400), "Error")

    (jp_root_dir / "a.txt").write_text("a")
    task = await api.post(
        "transfers",
        {
            "destination_endpoint": OMGTACOS,
            "items": [{"source_local_path": "a.txt", "destination_path": "/a.txt"}],
        },
        expect=202,
    )
    check(task, "TaskRecord")
    for _ in range(100):
        detail = await api.get(f"tasks/{task['task_id']}")
        if detail["is_done"]:
            break
        await asyncio.sleep(0.1)
    check(detail, "TaskRecord")
    for event in detail["events"]:
        check(event, "TaskEvent")
    for listed in (await api.get("tasks"))["tasks"]:
        check(listed, "TaskRecord")


@pytest.mark.parametrize("name", sorted(DOCUMENT["components"]["schemas"]))
def test_schema_names_used(name: str) -> None:
    text = yaml.safe_dump(DOCUMENT)
    assert f"#/components/schemas/{name}" in text, f"{name} is never referenced"
