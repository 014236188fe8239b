"""Sandbox mode: serve the sandbox's browser pages under ``{base_url}tunel/sandbox/``.

The browser may run on another machine than the sandbox, which listens on the
server's loopback address, so the login pages travel through the Jupyter server
(and its authentication).
"""

from __future__ import annotations

import typing as t
import urllib.parse

from jupyter_server.auth.decorator import authorized
from jupyter_server.utils import url_path_join
from tornado import httpclient, httputil, web

from ..errors import GlobusFailure, NotFound
from . import SANDBOX_NAMESPACE
from .base import TunelPageHandler

REQUEST_HEADERS = ("Accept", "Accept-Language", "Content-Type")
RESPONSE_HEADERS = ("Content-Type", "Cache-Control", "Content-Language", "Location")
PROXY_TIMEOUT_SECONDS = 30.0
# The one sandbox page whose form the browser posts: Allow or Deny on the consent page.
CONSENT_FORM_PATH = "v2/oauth2/authorize"


class SandboxPageHandler(TunelPageHandler):
    """Forward GET and POST to the sandbox's Auth pages, streaming the answer."""

    def check_xsrf_cookie(self) -> None:
        # The sandbox's consent form cannot carry Jupyter's XSRF token, so it
        # carries its own one-time field instead. Only that form may be posted
        # without the token, and only with a Referer on this host and no foreign
        # Origin.
        # The Origin check matters because a page with an opaque origin (Origin
        # "null"), such as an HTML file that /files/ serves in a CSP sandbox, still
        # sends this host as its Referer.
        try:
            super().check_xsrf_cookie()
        except web.HTTPError:
            if (
                self.request.method == "POST"
                and self.request.path == self.page_path(CONSENT_FORM_PATH)
                and self.check_origin()
                and self.check_referer()
            ):
                return
            raise

    @web.authenticated
    @authorized
    async def get(self, path: str) -> None:
        await self.forward()

    @web.authenticated
    @authorized
    async def post(self, path: str) -> None:
        await self.forward()

    async def forward(self) -> None:
        target = self.service.sandbox_auth_url
        if target is None:
            raise NotFound(
                "No sandbox runs here: set TunelGlobus.sandbox = True to serve its "
                "pages."
            )
        prefix = url_path_join(self.base_url, SANDBOX_NAMESPACE)
        uri = self.request.uri
        rest = uri[len(prefix) :] if uri.startswith(prefix) else ""
        check_page_path(rest)
        url = target + rest.lstrip("/")

        headers = {
            name: self.request.headers[name]
            for name in REQUEST_HEADERS
            if name in self.request.headers
        }
        if self.service.sandbox_page_key is not None:
            # Imported here: the sandbox package loads only in sandbox mode.
            from ..sandbox.base import PAGE_KEY_HEADER

            headers[PAGE_KEY_HEADER] = self.service.sandbox_page_key
        self._upstream_headers = httputil.HTTPHeaders()
        self._upstream_status = 502
        request = httpclient.HTTPRequest(
            url,
            method=self.request.method,
            headers=headers,
            body=self.request.body if self.request.method == "POST" else None,
            follow_redirects=False,
            request_timeout=PROXY_TIMEOUT_SECONDS,
            header_callback=self._on_header_line,
            streaming_callback=self._on_chunk,
        )
        response = await httpclient.AsyncHTTPClient().fetch(request, raise_error=False)
        if response.code == 599:
            raise GlobusFailure(
                f"The sandbox at {target} did not answer ({response.error})."
            )
        if not self._headers_written:
            self._send_head(target)
        self.finish()

    def page_path(self, page: str) -> str:
        """Return the absolute path of a sandbox page on this server."""
        return url_path_join(self.base_url, SANDBOX_NAMESPACE, page)

    def _on_header_line(self, line: str) -> None:
        if line.startswith("HTTP/"):
            # The client passes the start line with its CRLF, which
            # parse_response_start_line rejects (tornado 6.6).
            start_line = line.rstrip("\r\n")
            self._upstream_status = httputil.parse_response_start_line(start_line).code
            self._upstream_headers = httputil.HTTPHeaders()
        elif line.strip():
            self._upstream_headers.parse_line(line)

    def _on_chunk(self, chunk: bytes) -> None:
        if not self._headers_written:
            self._send_head(t.cast(str, self.service.sandbox_auth_url))
        self.write(chunk)
        self.flush()

    def _send_head(self, target: str) -> None:
        self.set_status(self._upstream_status)
        for name in RESPONSE_HEADERS:
            value = self._upstream_headers.get(name)
            if value is None:
                continue
            if name == "Location" and value.startswith(target):
                # Keep the browser on our prefix; relative Locations stay as they are.
                value = (
                    url_path_join(self.base_url, SANDBOX_NAMESPACE)
                    + value[len(target) :]
                )
            self.set_header(name, value)


def check_page_path(rest: str) -> None:
    """Raise ``NotFound`` if the path after our prefix has dot segments.

    The sandbox matches its routes on the path as sent, so ``..`` does not reach
    its test-only ``/_sandbox/`` routes today. Rejecting dot segments here, also
    percent-encoded ones, keeps the proxy under the sandbox's ``/auth/`` prefix
    whatever the upstream server does with them.
    """
    path = urllib.parse.unquote(rest.partition("?")[0]).replace("\\", "/")
    if any(segment in (".", "..") for segment in path.split("/")):
        raise NotFound(
            f"No such sandbox page: {rest.partition('?')[0]!r}. Paths with '.' "
            "or '..' segments are not forwarded to the sandbox."
        )
