"""Login through the REST API: paste and redirect flows, state rules, logout."""

from __future__ import annotations

import typing as t
import urllib.parse

import pytest

from .server_helpers import Api, Browser, authorize_json, paste_login


async def test_status_before_login(api: Api, globus_env: dict[str, str]) -> None:
    status = await api.get("status")
    assert status["logged_in"] is False
    assert status["identity"] is None
    assert status["expires_at"] is None
    assert status["environment"]["is_sandbox"] is True
    assert status["environment"]["label"].startswith("tunel-jupyter sandbox at ")
    assert status["login_flow"] == "paste"
    assert status["local_collection"] == {
        "id": globus_env["TUNEL_GLOBUS_LOCAL_COLLECTION_ID"],
        "root": "/",
        "display_name": "This Jupyter server",
        "source": "option",
    }


async def test_paste_flow_end_to_end(api: Api, globus_env: dict[str, str]) -> None:
    started = await api.post("login", {})
    assert set(started) == {"flow", "authorize_url", "expires_at"}
    assert started["flow"] == "paste"
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(started["authorize_url"]).query)
    assert query["redirect_uri"] == [
        globus_env["GLOBUS_SDK_SERVICE_URL_AUTH"] + "v2/web/auth-code"
    ]

    answer = await authorize_json(started["authorize_url"])
    status = await api.post("login/code", {"code": answer["code"]})

    assert status["logged_in"] is True
    assert status["identity"]["username"] == "ada@example.org"
    assert status["expires_at"].endswith("Z")
    assert (await api.get("status"))["identity"] == status["identity"]


async def test_paste_code_single_use(api: Api, globus_env: dict[str, str]) -> None:
    started = await api.post("login", {})
    answer = await authorize_json(started["authorize_url"])
    await api.post("login/code", {"code": answer["code"]})

    again = await api.post("login/code", {"code": answer["code"]}, expect=400)
    assert again["code"] == "InvalidRequest"
    assert again["field"] == "code"


async def test_paste_code_missing(api: Api, globus_env: dict[str, str]) -> None:
    error = await api.post("login/code", {}, expect=400)
    assert error["code"] == "InvalidRequest"
    assert error["field"] == "code"


async def test_wrong_code_rejected(api: Api, globus_env: dict[str, str]) -> None:
    await api.post("login", {})
    error = await api.post("login/code", {"code": "not-a-code"}, expect=400)
    assert error["code"] in ("InvalidRequest", "LoginRequired")
    assert (await api.get("status"))["logged_in"] is False


async def test_right_code_after_wrong_code(
    api: Api, globus_env: dict[str, str]
) -> None:
    started = await api.post("login", {})
    answer = await authorize_json(started["authorize_url"])
    await api.post("login/code", {"code": "not-a-code"}, expect=400)

    status = await api.post("login/code", {"code": answer["code"]})

    assert status["logged_in"] is True
    assert status["identity"]["username"] == "ada@example.org"


async def test_login_get_redirects(api: Api, globus_env: dict[str, str]) -> None:
    location = await api.get(
        "login",
        params={"scopes": "urn:example:scope", "session_required_mfa": "true"},
        expect=302,
    )
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)
    assert location.startswith(globus_env["GLOBUS_SDK_SERVICE_URL_AUTH"])
    assert "urn:example:scope" in query["scope"][0].split()
    # globus-sdk writes the boolean as Python spells it; Globus accepts both.
    assert query["session_required_mfa"][0].lower() == "true"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"scopes": 3}, "scopes"),
        ({"session_requirements": {"colour": "blue"}}, "session_requirements.colour"),
        ({"session_requirements": {"prompt": "none"}}, "session_requirements.prompt"),
        ({"next": "https://elsewhere.example/"}, "next"),
        ({"next": "//elsewhere.example/a%40b/lab"}, "next"),
        ({"next": "/other/lab"}, "next"),
        ({"next": "/a%40b/../other/lab"}, "next"),
        ({"next": "/a%40b/%2E%2E/other/lab"}, "next"),
        ({"unknown": 1}, "unknown"),
    ],
)
async def test_login_bad_input(
    api: Api, globus_env: dict[str, str], body: dict[str, t.Any], field: str
) -> None:
    error = await api.post("login", body, expect=400)
    assert error["code"] == "InvalidRequest"
    assert error["field"] == field


@pytest.fixture
def tunel_config() -> dict[str, t.Any]:
    return {}


class TestRedirectFlow:
    @pytest.fixture
    def tunel_config(self) -> dict[str, t.Any]:
        return {"login_flow": "redirect"}

    async def test_end_to_end(
        self, browser: Browser, jp_base_url: str, globus_env: dict[str, str]
    ) -> None:
        # The browser starts a login from a workspace page and must return there.
        next_url = f"{jp_base_url}lab/workspaces/auto-x/tree/data"
        start = await browser.request(
            "GET",
            f"{jp_base_url}tunel/globus/login?"
            + urllib.parse.urlencode({"next": next_url}),
        )
        assert start.code == 302
        authorize_url = start.headers["Location"]
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(authorize_url).query)
        assert query["redirect_uri"] == [
            f"{browser.origin}{jp_base_url}tunel/globus/login/callback"
        ]

        # Globus (the sandbox) shows its consent page; Allow redirects back.
        page = await browser.request("GET", authorize_url)
        assert page.code == 200
        form_id = _form_value(page.body.decode(), "form_id")
        allowed = await browser.request(
            "POST",
            urllib.parse.urljoin(authorize_url, "authorize"),
            body=urllib.parse.urlencode({"form_id": form_id, "decision": "allow"}),
            xsrf=False,
        )
        assert allowed.code == 302
        callback = allowed.headers["Location"]
        assert callback.startswith(
            f"{browser.origin}{jp_base_url}tunel/globus/login/callback?"
        )

        done = await browser.request("GET", callback)
        assert done.code == 302, done.body
        assert done.headers["Location"] == next_url

        status = await browser.request("GET", f"{jp_base_url}tunel/globus/status")
        assert b'"logged_in": true' in status.body

        # The same callback a second time is rejected: the state was used.
        replay = await browser.request("GET", callback)
        assert replay.code == 400
        assert b'"field": "state"' in replay.body

    async def test_default_return_is_lab(
        self, browser: Browser, jp_base_url: str, globus_env: dict[str, str]
    ) -> None:
        start = await browser.request("GET", f"{jp_base_url}tunel/globus/login")
        answer = await authorize_json(start.headers["Location"])
        query = urllib.parse.urlencode(
            {"code": answer["code"], "state": answer["state"]}
        )
        done = await browser.request(
            "GET", f"{jp_base_url}tunel/globus/login/callback?{query}"
        )
        assert done.code == 302
        assert done.headers["Location"] == f"{jp_base_url}lab"

    async def test_error_from_globus(
        self, api: Api, globus_env: dict[str, str]
    ) -> None:
        started = await api.post("login", {})
        state = urllib.parse.parse_qs(
            urllib.parse.urlsplit(started["authorize_url"]).query
        )["state"][0]
        error = await api.get(
            "login/callback",
            params={"state": state, "error": "access_denied"},
            expect=403,
        )
        assert error["code"] == "PermissionDenied"

    @pytest.fixture
    def serverapp_config(self) -> dict[str, t.Any]:
        return {"trust_xheaders": True}

    async def test_forwarded_https(
        self, api: Api, jp_fetch: t.Any, jp_base_url: str, globus_env: dict[str, str]
    ) -> None:
        response = await jp_fetch(
            "tunel",
            "globus",
            "login",
            method="POST",
            body="{}",
            headers={
                "X-Forwarded-Proto": "https",
                "X-Forwarded-Host": "hub.example.org",
            },
        )
        authorize_url = __import__("json").loads(response.body)["authorize_url"]
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(authorize_url).query)
        assert query["redirect_uri"] == [
            f"https://hub.example.org{jp_base_url}tunel/globus/login/callback"
        ]


class TestUserPrefix:
    """A JupyterHub-style per-user base_url."""

    @pytest.fixture
    def jp_base_url(self) -> str:
        return "/user/ada%40example.org/"

    @pytest.fixture
    def tunel_config(self) -> dict[str, t.Any]:
        return {"login_flow": "redirect"}

    async def test_redirect_flow(
        self, browser: Browser, jp_base_url: str, globus_env: dict[str, str]
    ) -> None:
        workspace = f"{jp_base_url}lab/workspaces/auto-q/tree/results.ipynb"
        start = await browser.request(
            "GET",
            f"{jp_base_url}tunel/globus/login?"
            + urllib.parse.urlencode({"next": workspace}),
        )
        assert start.code == 302
        query = urllib.parse.parse_qs(
            urllib.parse.urlsplit(start.headers["Location"]).query
        )
        callback_url = (
            f"{browser.origin}/user/ada%40example.org/tunel/globus/login/callback"
        )
        assert query["redirect_uri"] == [callback_url]

        answer = await authorize_json(start.headers["Location"])
        done = await browser.request(
            "GET", f"{callback_url}?" + urllib.parse.urlencode(answer)
        )
        assert done.code == 302
        assert done.headers["Location"] == workspace

        outside = await browser.request(
            "GET",
            f"{jp_base_url}tunel/globus/login?"
            + urllib.parse.urlencode({"next": "/user/grace/lab"}),
        )
        assert outside.code == 400
        assert b'"field": "next"' in outside.body


def _form_value(html: str, name: str) -> str:
    marker = f'name="{name}" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


async def test_logout(api: Api, logged_in: dict[str, t.Any]) -> None:
    assert logged_in["logged_in"] is True
    answer = await api.post("logout")
    assert answer == {"logged_in": False, "revoked": True}
    status = await api.get("status")
    assert status["logged_in"] is False

    error = await api.get("endpoints", expect=401)
    assert error["code"] == "LoginRequired"
    assert error["login_url"].endswith("/tunel/globus/login")


async def test_scopes_reach_authorize(api: Api, globus_env: dict[str, str]) -> None:
    status = await paste_login(
        api, scopes=["urn:globus:auth:scope:transfer.api.globus.org:all"]
    )
    assert status["logged_in"] is True
