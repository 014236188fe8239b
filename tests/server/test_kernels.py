"""One login shared by the server and two running kernels, in both directions."""

from __future__ import annotations

import json
import sys
import typing as t

import pytest
from jupyter_client.manager import AsyncKernelManager

from .server_helpers import Api, paste_login

pytestmark = pytest.mark.slow

STATUS_CODE = """
import json
from tunel_jupyter.globus import GlobusSession
status = GlobusSession().status()
print(json.dumps({"logged_in": status.logged_in,
                  "username": status.identity.username if status.identity else None}))
"""
LOGIN_CODE = """
import json, urllib.request
from tunel_jupyter.globus import GlobusSession
session = GlobusSession()
request = session.start_login()
headers = {"Accept": "application/json"}
ask = urllib.request.Request(request.authorize_url, headers=headers)
answer = json.load(urllib.request.urlopen(ask, timeout=20))
identity = session.finish_login(answer["code"], state=request.state)
print(json.dumps({"username": identity.username}))
"""
USE_CODE = """
import json
from tunel_jupyter.globus import GlobusSession
page = GlobusSession().search_endpoints(scope="shared-with-me")
print(json.dumps({"records": len(page.records)}))
"""
LOGOUT_CODE = """
import json
from tunel_jupyter.globus import GlobusSession
print(json.dumps({"revoked": GlobusSession().logout()}))
"""


class Kernel:
    """A real IPython kernel that runs code and returns its last JSON line."""

    def __init__(self) -> None:
        self.manager = AsyncKernelManager(kernel_name="python3")

    async def start(self) -> None:
        # The kernel inherits this process's environment: the sandbox URLs, the
        # client ID and JUPYTER_DATA_DIR (the shared token store).
        await self.manager.start_kernel(
            extra_arguments=["--HistoryManager.enabled=False"],
        )
        self.client = self.manager.client()
        self.client.start_channels()
        await self.client.wait_for_ready(timeout=60)

    async def run(self, code: str) -> dict[str, t.Any]:
        output: list[str] = []
        errors: list[str] = []

        def hook(message: dict[str, t.Any]) -> None:
            kind = message["msg_type"]
            if kind == "stream":
                output.append(message["content"]["text"])
            elif kind == "error":
                errors.append("\n".join(message["content"]["traceback"]))

        reply = await self.client.execute_interactive(
            code, output_hook=hook, timeout=60
        )
        assert reply["content"]["status"] == "ok", "".join(errors)
        lines = "".join(output).strip().splitlines()
        return t.cast("dict[str, t.Any]", json.loads(lines[-1]))

    async def stop(self) -> None:
        self.client.stop_channels()
        await self.manager.shutdown_kernel(now=True)


@pytest.fixture
async def kernels(globus_env: dict[str, str]) -> t.AsyncIterator[list[Kernel]]:
    assert sys.executable
    started = [Kernel(), Kernel()]
    for kernel in started:
        await kernel.start()
    yield started
    for kernel in started:
        await kernel.stop()


async def test_login_shared_everywhere(api: Api, kernels: list[Kernel]) -> None:
    first, second = kernels
    assert (await first.run(STATUS_CODE))["logged_in"] is False

    # Login in the server: both running kernels see it without a restart.
    await paste_login(api)
    for kernel in kernels:
        status = await kernel.run(STATUS_CODE)
        assert status == {"logged_in": True, "username": "ada@example.org"}
    assert (await second.run(USE_CODE))["records"] == 1

    # Logout in one kernel: the server and the other kernel see it.
    assert (await first.run(LOGOUT_CODE))["revoked"] is True
    assert (await api.get("status"))["logged_in"] is False
    assert (await second.run(STATUS_CODE))["logged_in"] is False
    error = await api.get("endpoints", expect=401)
    assert error["code"] == "LoginRequired"

    # Login in the other kernel: the server uses it.
    assert (await second.run(LOGIN_CODE))["username"] == "ada@example.org"
    status = await api.get("status")
    assert status["logged_in"] is True
    page = await api.get("endpoints", params={"scope": "shared-with-me"})
    assert len(page["records"]) == 1
    assert (await first.run(USE_CODE))["records"] == 1
