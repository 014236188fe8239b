"""HTTP settings: timeouts, retries, proxy variables and TLS verification."""

from __future__ import annotations

import http.server
import threading
import typing as t

import pytest

from tunel_jupyter.errors import GlobusFailure
from tunel_jupyter.globus import GlobusSession, Identity


class RecordingProxy(http.server.BaseHTTPRequestHandler):
    """A forward proxy that records each requested URL and responds with 502."""

    seen: t.ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.seen.append(self.path)
        body = b'{"code": "ProxyError", "message": "blocked by the test proxy"}'
        self.send_response(502)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: t.Any) -> None:
        pass


@pytest.fixture
def proxy() -> t.Iterator[str]:
    RecordingProxy.seen = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), RecordingProxy)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_proxy_variables_are_honoured(
    identity: Identity, proxy: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", proxy)
    monkeypatch.setenv("http_proxy", proxy)
    session = GlobusSession(max_retries=0)

    with pytest.raises(GlobusFailure) as caught:
        session.search_endpoints(limit=1)

    assert caught.value.globus_status == 502
    assert len(RecordingProxy.seen) == 1
    assert "/transfer/v0.10/endpoint_search" in RecordingProxy.seen[0]


def test_timeout_retries_and_tls_settings(
    identity: Identity, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GLOBUS_SDK_VERIFY_SSL", "false")
    session = GlobusSession(http_timeout=3.5, max_retries=1)
    client = session._transfer()

    assert client.transport.http_timeout == 3.5
    assert client.transport.verify_ssl is False
    assert client.retry_config.max_retries == 1
    assert session.search_endpoints(limit=1).records


def test_retries_transient_errors(
    session: GlobusSession, identity: Identity, control: t.Any
) -> None:
    control.options(error_rate=1.0, error_statuses=[503])
    with pytest.raises(GlobusFailure) as caught:
        session.search_endpoints(limit=1)
    assert caught.value.globus_status == 503
    assert caught.value.request_id
    assert "(request ID" in caught.value.message

    control.post("requests")
    retrying = GlobusSession(max_retries=2)
    with pytest.raises(GlobusFailure):
        retrying.search_endpoints(limit=1)
    searches = [e for e in control.requests() if "endpoint_search" in e["path"]]
    assert len(searches) == 3, "one request and two retries"


def test_slow_response_times_out(identity: Identity, control: t.Any) -> None:
    from tunel_jupyter.errors import GlobusTimeout

    control.options(latency_ms=1500)
    session = GlobusSession(http_timeout=0.5, max_retries=0)

    with pytest.raises(GlobusTimeout, match="timed out") as caught:
        session.search_endpoints(limit=1)
    assert caught.value.http_status == 504
    control.options(latency_ms=0)
