"""Sandbox mode: the server runs or attaches to the sandbox and proxies its pages."""

from __future__ import annotations

import os
import re
import typing as t
import urllib.parse

import pytest

from .server_helpers import Api, Browser

VARIABLES = (
    "GLOBUS_SDK_SERVICE_URL_AUTH",
    "GLOBUS_SDK_SERVICE_URL_TRANSFER",
    "GLOBUS_SDK_ENVIRONMENT",
    "TUNEL_GLOBUS_CLIENT_ID",
    "TUNEL_GLOBUS_LOCAL_COLLECTION_ID",
    "TUNEL_GLOBUS_AUTH_BROWSER_URL",
)


@pytest.fixture
def tunel_config() -> dict[str, t.Any]:
    return {"sandbox": True}


@pytest.fixture(autouse=True)
def restore_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The server exports the sandbox's variables; undo that after each test."""
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)


def form_value(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]+)"', html)
    assert match, html
    return match.group(1)


async def approve_in_browser(browser: Browser, authorize_url: str) -> t.Any:
    """Open the proxied consent page, press Allow, return the redirect response."""
    page = await browser.request("GET", authorize_url)
    assert page.code == 200, page.body
    assert page.headers["Content-Type"].startswith("text/html")
    form_id = form_value(page.body.decode(), "form_id")
    action = urllib.parse.urljoin(browser.absolute(authorize_url), "authorize")
    allowed = await browser.request(
        "POST",
        action,
        body=urllib.parse.urlencode({"form_id": form_id, "decision": "allow"}),
        headers={
            "Referer": browser.absolute(authorize_url),
            "Content-Type": "application/x-www-form-urlencoded",
        },
        xsrf=False,
    )
    assert allowed.code == 302, allowed.body
    return allowed


async def test_starts_sandbox(api: Api, jp_base_url: str, jp_root_dir: t.Any) -> None:
    status = await api.get("status")
    assert status["environment"]["is_sandbox"] is True
    assert status["login_flow"] == "paste"
    assert status["local_collection"]["source"] == "sandbox"
    assert status["local_collection"]["root"] == "/"
    assert os.environ["TUNEL_GLOBUS_AUTH_BROWSER_URL"] == f"{jp_base_url}tunel/sandbox/"
    assert os.environ["GLOBUS_SDK_SERVICE_URL_AUTH"].startswith("http://127.0.0.1:")
    assert os.environ["TUNEL_GLOBUS_CLIENT_ID"]


async def test_paste_flow_through_proxy(
    api: Api, browser: Browser, jp_base_url: str, jp_root_dir: t.Any
) -> None:
    started = await api.post("login", {})
    authorize_url = started["authorize_url"]
    assert authorize_url.startswith(f"{jp_base_url}tunel/sandbox/v2/oauth2/authorize?")

    allowed = await approve_in_browser(browser, authorize_url)
    # A relative Location: the browser stays on the proxy.
    location = allowed.headers["Location"]
    assert location.startswith("../web/auth-code?")
    code_page_url = urllib.parse.urljoin(
        browser.absolute(urllib.parse.urljoin(authorize_url, "authorize")), location
    )
    assert urllib.parse.urlsplit(code_page_url).path == (
        f"{jp_base_url}tunel/sandbox/v2/web/auth-code"
    )
    page = await browser.request("GET", code_page_url)
    assert page.code == 200
    match = re.search(r'id="auth-code">([^<]+)<', page.body.decode())
    assert match

    status = await api.post("login/code", {"code": match.group(1)})
    assert status["logged_in"] is True

    local = status["local_collection"]["id"]
    (jp_root_dir / "hello.txt").write_text("hi")
    listing = await api.get(f"endpoints/{local}/ls")
    assert "hello.txt" in [entry["name"] for entry in listing["entries"]]


async def test_proxy_post_needs_same_origin(browser: Browser, jp_base_url: str) -> None:
    url = f"{jp_base_url}tunel/sandbox/v2/oauth2/authorize"
    rejected = await browser.request("POST", url, body=b"form_id=x", xsrf=False)
    assert rejected.code == 403


async def test_proxy_unknown_page_status_kept(
    browser: Browser, jp_base_url: str
) -> None:
    missing = await browser.request("GET", f"{jp_base_url}tunel/sandbox/v2/nothing")
    assert missing.code == 404
    assert missing.headers["Content-Type"].startswith("application/json")


class TestRedirectFlow:
    @pytest.fixture
    def tunel_config(self) -> dict[str, t.Any]:
        return {"sandbox": True, "login_flow": "redirect"}

    async def test_through_proxy(self, browser: Browser, jp_base_url: str) -> None:
        start = await browser.request("GET", f"{jp_base_url}tunel/globus/login")
        assert start.code == 302
        authorize_url = start.headers["Location"]
        assert authorize_url.startswith(f"{jp_base_url}tunel/sandbox/")

        allowed = await approve_in_browser(browser, authorize_url)
        callback = allowed.headers["Location"]
        assert callback.startswith(
            f"{browser.origin}{jp_base_url}tunel/globus/login/callback?"
        )
        done = await browser.request("GET", callback)
        assert done.code == 302
        assert done.headers["Location"] == f"{jp_base_url}lab"
        status = await browser.request("GET", f"{jp_base_url}tunel/globus/status")
        assert b'"logged_in": true' in status.body


class TestAttach:
    async def test_attaches_to_running_sandbox(
        self, api: Api, browser: Browser, globus_env: dict[str, str], jp_base_url: str
    ) -> None:
        status = await api.get("status")
        assert status["environment"]["label"] == (
            "tunel-jupyter sandbox at " + globus_env["GLOBUS_SDK_SERVICE_URL_AUTH"]
        )
        # The option (from the environment) wins over the sandbox's collection.
        assert status["local_collection"]["source"] == "option"
        started = await api.post("login", {})
        assert started["authorize_url"].startswith(f"{jp_base_url}tunel/sandbox/")
        page = await browser.request("GET", started["authorize_url"])
        assert page.code == 200
