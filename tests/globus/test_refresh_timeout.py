"""A renewal that cannot reach Globus Auth fails every request that waited for it,
instead of each waiting request trying again and waiting a full timeout in turn."""

from __future__ import annotations

import concurrent.futures
import json
import threading
import time
from pathlib import Path

from tests.globus.conftest import SandboxControl
from tunel_jupyter.errors import GlobusFailure
from tunel_jupyter.globus import GlobusSession, Identity

TRANSFER = "transfer.api.globus.org"
THREADS = 4
LATENCY_MS = 1500


def expire_stored_token(globus_env: dict[str, str]) -> None:
    """Mark the stored access token expired, so the next call renews it first."""
    path = Path(globus_env["JUPYTER_DATA_DIR"]) / "tunel" / "globus" / "tokens.json"
    data = json.loads(path.read_text())
    record = data["environments"][globus_env["GLOBUS_SDK_SERVICE_URL_AUTH"]]
    record["tokens"][TRANSFER]["expires_at_seconds"] = int(time.time()) - 10
    path.write_text(json.dumps(data))


def token_requests_after(control: SandboxControl, seconds: float) -> int:
    """Count refresh requests once the sandbox has finished the slow ones."""
    time.sleep(seconds)
    return len(control.token_requests("refresh_token"))


def test_waiting_requests_share_failed_renewal(
    identity: Identity, control: SandboxControl, globus_env: dict[str, str]
) -> None:
    expire_stored_token(globus_env)
    control.post("requests")
    control.options(latency_ms=LATENCY_MS)
    session = GlobusSession(max_retries=0, http_timeout=0.5)
    start = threading.Barrier(THREADS)

    def call() -> str:
        start.wait(10)
        try:
            session.search_endpoints(limit=1)
        except GlobusFailure as err:
            return err.code
        return "ok"

    with concurrent.futures.ThreadPoolExecutor(THREADS) as pool:
        codes = list(pool.map(lambda _: call(), range(THREADS)))

    assert codes == ["GlobusTimeout"] * THREADS
    assert token_requests_after(control, LATENCY_MS / 1000 + 0.5) == 1

    # A request that starts after the failure tries again, and succeeds.
    control.options(latency_ms=0)
    control.post("requests")
    page = session.search_endpoints(limit=1)
    assert len(page.records) == 1
    assert len(control.token_requests("refresh_token")) == 1
    session.close()
