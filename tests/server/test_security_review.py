"""Attacks found in a security review, each kept out by the fix it led to."""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import re
import typing as t
import urllib.parse
from pathlib import Path

import pytest
from tornado import httpclient

from tunel_jupyter.errors import UsageError
from tunel_jupyter.handlers.local import LocalCollection
from tunel_jupyter.sandbox.base import PAGE_KEY_HEADER

from .server_helpers import Api, Browser
from .test_sandbox_mode import VARIABLES as SANDBOX_VARIABLES

BULK_FILES = "0b5c4a8e-6f0e-4c3a-9d5e-2f1a7b8c9d04"
LONE_SURROGATE = "data/\ud800.csv"


def raw_get(browser: Browser, path: str) -> tuple[int, bytes]:
    """Send GET ``path`` exactly as written, as a hand-made request can.

    Browsers and tornado's HTTP client resolve ``..`` before sending.
    """
    host = urllib.parse.urlsplit(browser.origin).netloc
    connection = http.client.HTTPConnection(host, timeout=20)
    try:
        cookie = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
        connection.request("GET", path, headers={"Cookie": cookie})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_local_path_lone_surrogate(tmp_path: Path) -> None:
    collection = LocalCollection(id=BULK_FILES, root="/", display_name="", source="")
    with pytest.raises(UsageError) as caught:
        collection.collection_path(
            LONE_SURROGATE, root_dir=str(tmp_path), field="items[0].x"
        )
    assert caught.value.field == "items[0].x"


async def test_transfer_lone_surrogate(
    api: Api, logged_in: dict[str, t.Any], jp_root_dir: Path
) -> None:
    # Api sends JSON with ASCII escapes, so the path arrives as "\ud800".
    error = await api.post(
        "transfers",
        {
            "source_endpoint": BULK_FILES,
            "items": [
                {"source_path": "/README.txt", "destination_local_path": LONE_SURROGATE}
            ],
        },
        expect=400,
    )
    assert error["code"] == "InvalidRequest"
    assert error["field"] == "items[0].destination_local_path"
    assert (await api.get("status"))["logged_in"] is True


class TestSandboxPages:
    """The sandbox's consent form is the one POST allowed without Jupyter's XSRF."""

    @pytest.fixture
    def tunel_config(self) -> dict[str, t.Any]:
        return {"sandbox": True}

    @pytest.fixture(autouse=True)
    def restore_environment(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """The server exports the sandbox's variables; undo that after each test."""
        for name in SANDBOX_VARIABLES:
            monkeypatch.delenv(name, raising=False)

    async def consent_page(self, api: Api, browser: Browser) -> tuple[str, str]:
        """Start a login and return the proxied consent page's URL and form_id."""
        started = await api.post("login", {})
        url = browser.absolute(started["authorize_url"])
        page = await browser.request("GET", url)
        assert page.code == 200, page.body
        match = re.search(r'name="form_id" value="([^"]+)"', page.body.decode())
        assert match
        return url, match.group(1)

    async def post_form(
        self, browser: Browser, page_url: str, form_id: str, headers: dict[str, str]
    ) -> t.Any:
        return await browser.request(
            "POST",
            urllib.parse.urljoin(page_url, "authorize"),
            body=urllib.parse.urlencode({"form_id": form_id, "decision": "allow"}),
            headers={"Content-Type": "application/x-www-form-urlencoded", **headers},
            xsrf=False,
        )

    @pytest.mark.parametrize("origin", ["https://evil.example", "null"])
    async def test_consent_foreign_origin_rejected(
        self, api: Api, browser: Browser, origin: str
    ) -> None:
        page_url, form_id = await self.consent_page(api, browser)
        # A browser sends Origin "null" with this host as Referer from a page
        # with an opaque origin, such as a file that /files/ serves sandboxed.
        forged = await self.post_form(
            browser, page_url, form_id, {"Origin": origin, "Referer": page_url}
        )
        assert forged.code in (403, 404), forged.code
        assert "Location" not in forged.headers

        # The form was not used up, so the user can still press Allow.
        allowed = await self.post_form(
            browser, page_url, form_id, {"Origin": browser.origin, "Referer": page_url}
        )
        assert allowed.code == 302, allowed.body
        assert allowed.headers["Location"].startswith("../web/auth-code?code=")

    async def test_other_page_post_needs_xsrf(
        self, browser: Browser, jp_base_url: str
    ) -> None:
        url = browser.absolute(f"{jp_base_url}tunel/sandbox/v2/oauth2/token")
        rejected = await browser.request(
            "POST",
            url,
            body=b"grant_type=refresh_token&refresh_token=x",
            headers={
                "Referer": url,
                "Content-Type": "application/x-www-form-urlencoded",
            },
            xsrf=False,
        )
        assert rejected.code == 403
        assert b"_xsrf" in rejected.body

    @pytest.mark.parametrize(
        "page",
        [
            "../_sandbox/info",
            "v2/../../_sandbox/options",
            "%2e%2e/_sandbox/info",
            "..%2f_sandbox/info",
            "..%5c_sandbox/info",
        ],
    )
    async def test_dot_segments_not_forwarded(
        self, browser: Browser, jp_serverapp: t.Any, jp_base_url: str, page: str
    ) -> None:
        status = await browser.request("GET", f"{jp_base_url}tunel/globus/status")
        assert status.code == 200
        sandbox = os.environ["GLOBUS_SDK_SERVICE_URL_AUTH"].removesuffix("/auth/")
        service = jp_serverapp.web_app.settings["tunel_globus_service"]
        key = {PAGE_KEY_HEADER: service.sandbox_page_key}
        client = httpclient.AsyncHTTPClient()
        await client.fetch(
            f"{sandbox}/_sandbox/requests", method="POST", body=b"", headers=key
        )

        code, body = await asyncio.to_thread(
            raw_get, browser, f"{jp_base_url}tunel/sandbox/{page}"
        )
        assert code == 404
        assert json.loads(body)["code"] == "NotFound"
        seen = await client.fetch(f"{sandbox}/_sandbox/requests", headers=key)
        assert json.loads(seen.body)["requests"] == []

    async def test_direct_authorize_needs_key(
        self, api: Api, browser: Browser, jp_serverapp: t.Any
    ) -> None:
        # Another local process reads the sandbox's address from the environment
        # of any kernel, but not the key, so it cannot approve a login by itself.
        started = await api.post("login", {})
        query = urllib.parse.urlsplit(started["authorize_url"]).query
        auth_url = os.environ["GLOBUS_SDK_SERVICE_URL_AUTH"]
        direct = await httpclient.AsyncHTTPClient().fetch(
            f"{auth_url}v2/oauth2/authorize?{query}",
            headers={"Accept": "application/json"},
            follow_redirects=False,
            raise_error=False,
        )
        assert direct.code == 403, direct.body
        assert json.loads(direct.body)["errors"][0]["code"] == "FORBIDDEN"
        base = auth_url.removesuffix("/auth/")
        control = await httpclient.AsyncHTTPClient().fetch(
            f"{base}/_sandbox/info", raise_error=False
        )
        assert control.code == 403
        service = jp_serverapp.web_app.settings["tunel_globus_service"]
        assert service.sandbox_page_key.encode() not in direct.body

        # The same login still goes through the proxy.
        page_url, form_id = await self.consent_page(api, browser)
        allowed = await self.post_form(
            browser, page_url, form_id, {"Referer": page_url}
        )
        assert allowed.code == 302, allowed.body
        assert allowed.headers["Location"].startswith("../web/auth-code?code=")


async def test_deeply_nested_body_is_rejected(jp_fetch: t.Any) -> None:
    # A body nested far past Python's recursion limit once got a 500 response.
    body = "[" * 100_000 + "]" * 100_000

    response = await jp_fetch(
        "tunel", "globus", "transfers", method="POST", body=body, raise_error=False
    )

    assert response.code == 400
    answer = json.loads(response.body)
    assert answer["code"] == "InvalidRequest"
    assert answer["field"] == "body"


@pytest.mark.parametrize(
    "task_filter", ["weird", "status:", "status:ACTIVE/", ":ACTIVE", "Status:ACTIVE"]
)
async def test_malformed_task_filter_is_invalid(
    api: Api, logged_in: dict[str, t.Any], task_filter: str
) -> None:
    # A filter Transfer cannot parse once got a 502 GlobusError response.
    error = await api.get("tasks", params={"filter": task_filter}, expect=400)
    assert error["code"] == "InvalidRequest"
    assert error["field"] == "filter"
    assert repr(task_filter) in error["message"]


async def test_well_formed_task_filter_is_sent(
    api: Api, logged_in: dict[str, t.Any]
) -> None:
    task_filter = "status:ACTIVE,INACTIVE,SUCCEEDED,FAILED/type:TRANSFER"
    answer = await api.get("tasks", params={"filter": task_filter})
    assert isinstance(answer["tasks"], list)
