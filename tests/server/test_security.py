"""Authentication, XSRF, and no token, code or state in responses or logs."""

from __future__ import annotations

import json
import logging
import os
import pathlib
import typing as t
import urllib.parse

import pytest
import yaml

from .server_helpers import Api, Browser, authorize_json

DOCUMENT = (
    pathlib.Path(__file__).parents[2] / "tunel_jupyter" / "handlers" / "openapi.yaml"
)
SOME_ID = "0b5c4a8e-6f0e-4c3a-9d5e-2f1a7b8c9d04"
# Page routes redirect an unauthenticated GET to Jupyter's login page.
PAGE_ROUTES = {"/login/callback"}


def documented_routes() -> list[tuple[str, str]]:
    """Every (method, path) of the OpenAPI document, ids filled in."""
    document = yaml.safe_load(DOCUMENT.read_text())
    routes = []
    for path, item in document["paths"].items():
        for method in ("get", "post"):
            if method in item:
                concrete = path.replace("{endpoint_id}", SOME_ID).replace(
                    "{task_id}", SOME_ID
                )
                routes.append((method.upper(), concrete))
    return routes


ROUTES = documented_routes()


@pytest.fixture
async def anonymous(http_server: t.Any, jp_http_port: int) -> Browser:
    """A browser that never logged in to Jupyter."""
    return Browser(f"http://127.0.0.1:{jp_http_port}")


@pytest.mark.parametrize(("method", "path"), ROUTES + [("GET", "/../sandbox/x")])
async def test_route_needs_authentication(
    anonymous: Browser, jp_base_url: str, method: str, path: str
) -> None:
    url = f"{jp_base_url}tunel/globus{path}"
    response = await anonymous.request(
        method, url, body=b"{}" if method == "POST" else None
    )
    if method == "GET" and (path in PAGE_ROUTES or "sandbox" in path):
        assert response.code == 302, response.code
        assert urllib.parse.urlsplit(response.headers["Location"]).path == (
            f"{jp_base_url}login"
        )
    else:
        assert response.code == 403, response.code
        assert b'"code"' not in response.body


@pytest.mark.parametrize(
    ("method", "path"), [route for route in ROUTES if route[0] == "POST"]
)
async def test_post_needs_xsrf(
    browser: Browser, jp_base_url: str, method: str, path: str, globus_env: t.Any
) -> None:
    url = f"{jp_base_url}tunel/globus{path}"
    rejected = await browser.request(method, url, body=b"{}", xsrf=False)
    assert rejected.code == 403
    assert b"_xsrf" in rejected.body
    assert b'"code"' not in rejected.body

    # With the token, the same request reaches our handler (whatever it returns).
    accepted = await browser.request(method, url, body=b"{}")
    assert accepted.code != 403 or b'"code"' in accepted.body


def stored_tokens() -> list[str]:
    """Every token in the shared token store of this test."""
    found: list[str] = []

    def walk(value: t.Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key in ("access_token", "refresh_token") and item:
                    found.append(item)
                else:
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    folder = pathlib.Path(os.environ["JUPYTER_DATA_DIR"]) / "tunel" / "globus"
    for path in folder.glob("*.json"):
        walk(json.loads(path.read_text()))
    return found


def server_lines(records: list[logging.LogRecord]) -> list[str]:
    """Log lines of the Jupyter server process, without the sandbox's own."""
    lines = []
    for record in records:
        if record.name.startswith("tunel_jupyter.sandbox"):
            continue
        lines.append(record.getMessage())
        if record.exc_text:
            lines.append(record.exc_text)
    return lines


class TestSecretsStayOut:
    @pytest.fixture
    def tunel_config(self) -> dict[str, t.Any]:
        return {"login_flow": "redirect"}

    async def test_full_session(
        self,
        api: Api,
        browser: Browser,
        jp_base_url: str,
        globus_env: dict[str, str],
        log_records: list[logging.LogRecord],
    ) -> None:
        codes: list[str] = []
        states: list[str] = []
        tokens: list[str] = []

        # Redirect flow in the browser, through the callback.
        start = await browser.request("GET", f"{jp_base_url}tunel/globus/login")
        answer = await authorize_json(start.headers["Location"])
        codes.append(answer["code"])
        states.append(answer["state"])
        query = urllib.parse.urlencode(answer)
        done = await browser.request(
            "GET", f"{jp_base_url}tunel/globus/login/callback?{query}"
        )
        assert done.code == 302
        tokens += stored_tokens()

        # A second login started by the API (POST), with a wrong code first.
        started = await api.post("login", {"scopes": []})
        state = urllib.parse.parse_qs(
            urllib.parse.urlsplit(started["authorize_url"]).query
        )["state"][0]
        states.append(state)
        answer = await authorize_json(started["authorize_url"])
        codes.append(answer["code"])
        await api.get(
            "login/callback",
            params={"code": answer["code"], "state": answer["state"]},
            expect=302,
        )
        tokens += stored_tokens()

        # Ordinary use, an error, and logout.
        await api.get("status")
        await api.get("endpoints")
        await api.get("endpoints/not-an-id", expect=400)
        await api.post("logout")
        await api.get("endpoints", expect=401)

        assert tokens
        bodies = api.bodies + browser.bodies
        lines = server_lines(log_records)
        assert any("/login/callback" in line for line in lines)
        for secret in tokens + codes:
            assert not [body for body in bodies if secret in body], secret
            assert not [line for line in lines if secret in line], secret
        for state in states:
            assert not [line for line in lines if state in line], state
        # The state appears in exactly one body: the authorize URL of its login.
        assert sum(states[1] in body for body in bodies) == 1

    async def test_callback_log_scrubbed(
        self,
        api: Api,
        globus_env: dict[str, str],
        log_records: list[logging.LogRecord],
    ) -> None:
        await api.get(
            "login/callback",
            params={"code": "the-code-123", "state": "the-state-456"},
            expect=400,
        )
        lines = server_lines(log_records)
        callback = [line for line in lines if "/login/callback" in line]
        assert callback, lines
        assert any("code=[secret]" in line for line in callback)
        assert not any("the-code-123" in line for line in lines)
        assert not any("the-state-456" in line for line in lines)


async def test_unexpected_error_is_json(
    api: Api,
    jp_serverapp: t.Any,
    globus_env: dict[str, str],
    log_records: list[logging.LogRecord],
) -> None:
    service = jp_serverapp.web_app.settings["tunel_globus_service"]

    def broken() -> None:
        raise RuntimeError("disk on fire")

    # An instance attribute hides the method until it is deleted again.
    service.local_collection = broken
    try:
        error = await api.get("status", expect=500)
    finally:
        del service.local_collection

    assert error == {
        "message": "Unexpected error in the tunel-jupyter server extension; the "
        "Jupyter server log has the details.",
        "code": "TunelError",
    }
    tracebacks = [
        r for r in log_records if r.exc_info and "disk on fire" in str(r.exc_info[1])
    ]
    assert len(tracebacks) == 1
    # The server keeps working.
    assert (await api.get("status"))["logged_in"] is False
