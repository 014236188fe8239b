"""Clients for the server tests: the REST API with a token, a cookie browser."""

from __future__ import annotations

import http.cookies
import json
import typing as t
import urllib.parse

from tornado import httpclient

API = "tunel/globus"


class Api:
    """Call our REST API with the server's token, collecting every response body."""

    def __init__(self, fetch: t.Callable[..., t.Any]) -> None:
        self._fetch = fetch
        self.bodies: list[str] = []

    async def call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, t.Any] | None = None,
        body: t.Any = None,
        expect: int = 200,
    ) -> t.Any:
        """Send a request, check its status is ``expect`` and return its JSON."""
        kwargs: dict[str, t.Any] = {"method": method, "raise_error": False}
        if body is not None or method == "POST":
            kwargs["body"] = json.dumps(body if body is not None else {})
        response = await self._fetch(
            *[API, *path.split("/")],
            params=params,
            follow_redirects=False,
            **kwargs,
        )
        text = response.body.decode() if response.body else ""
        self.bodies.append(text)
        assert response.code == expect, f"{method} {path}: {response.code} {text}"
        if response.code in (301, 302, 303, 307):
            return response.headers["Location"]
        return json.loads(text) if text else None

    async def get(self, path: str, **kwargs: t.Any) -> t.Any:
        return await self.call("GET", path, **kwargs)

    async def post(self, path: str, body: t.Any = None, **kwargs: t.Any) -> t.Any:
        return await self.call("POST", path, body=body, **kwargs)


class Browser:
    """A browser stand-in: keeps cookies, sends XSRF tokens, follows nothing itself."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.cookies: dict[str, str] = {}
        self.client = httpclient.AsyncHTTPClient()
        self.bodies: list[str] = []

    def absolute(self, url: str) -> str:
        return urllib.parse.urljoin(self.origin + "/", url)

    async def request(
        self,
        method: str,
        url: str,
        *,
        body: str | bytes | None = None,
        headers: dict[str, str] | None = None,
        xsrf: bool = True,
    ) -> httpclient.HTTPResponse:
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST" and xsrf and "_xsrf" in self.cookies:
            headers["X-XSRFToken"] = self.cookies["_xsrf"]
        if method == "POST" and body is None:
            body = b""
        response = await self.client.fetch(
            self.absolute(url),
            method=method,
            body=body,
            headers=headers,
            follow_redirects=False,
            raise_error=False,
            request_timeout=20,
        )
        for header in response.headers.get_list("Set-Cookie"):
            cookie: http.cookies.SimpleCookie = http.cookies.SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                self.cookies[name] = morsel.value
        self.bodies.append(response.body.decode(errors="replace"))
        return response

    async def login(self, base_url: str, token: str) -> None:
        """Log in to Jupyter with its token, the way the login page does."""
        page = await self.request("GET", f"{base_url}login")
        assert page.code == 200, page.code
        form = urllib.parse.urlencode(
            {"password": token, "_xsrf": self.cookies["_xsrf"]}
        )
        answer = await self.request("POST", f"{base_url}login", body=form)
        assert answer.code == 302, answer.code
        assert any(name.startswith("username-") for name in self.cookies)


async def authorize_json(authorize_url: str, *, origin: str = "") -> dict[str, t.Any]:
    """Approve a login on the sandbox's authorize page the way scripts do (JSON)."""
    response = await httpclient.AsyncHTTPClient().fetch(
        urllib.parse.urljoin(origin + "/", authorize_url),
        headers={"Accept": "application/json"},
        raise_error=False,
        request_timeout=20,
    )
    assert response.code == 200, response.body
    return t.cast("dict[str, t.Any]", json.loads(response.body))


async def paste_login(api: Api, *, scopes: list[str] | None = None) -> dict[str, t.Any]:
    """Log in through the REST API with the paste flow; return the new status."""
    started = await api.post("login", {"scopes": scopes or []})
    assert started["flow"] == "paste"
    answer = await authorize_json(started["authorize_url"])
    return t.cast(
        "dict[str, t.Any]", await api.post("login/code", {"code": answer["code"]})
    )
