"""A cached endpoint search comes from memory: no token store read, no pool
thread, no Globus call, until the store file or the identity changes."""

from __future__ import annotations

import typing as t

import pytest
import requests

from tunel_jupyter.globus.store import StoreFile
from tunel_jupyter.handlers import service as service_module
from tunel_jupyter.handlers.service import GlobusService
from tunel_jupyter.sandbox import Sandbox

from .server_helpers import Api, authorize_json

KARL_TRANSFER = "9ec1db6a-5052-11e7-bdb7-22000b9a448b"
GRACE = "c5687458-1de5-4915-90b0-a13755b6626d"


def endpoint_searches(sandbox: Sandbox) -> int:
    log = requests.get(f"{sandbox.url}/_sandbox/requests", timeout=10).json()
    return sum(entry["path"].endswith("/endpoint_search") for entry in log["requests"])


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Count reads of the token store file and calls run in the thread pool.

    The store counts as settled at once, so the stat check is used right after
    the test's logins instead of a second later.
    """
    monkeypatch.setattr(service_module, "SETTLED_SECONDS", 0.0)
    counts = {"store reads": 0, "pool calls": 0}
    read_locked = StoreFile._read_locked
    call = GlobusService._call

    def counting_read(self: StoreFile) -> t.Any:
        counts["store reads"] += 1
        return read_locked(self)

    def counting_call(self: GlobusService, *args: t.Any) -> t.Any:
        counts["pool calls"] += 1
        return call(self, *args)

    monkeypatch.setattr(StoreFile, "_read_locked", counting_read)
    monkeypatch.setattr(GlobusService, "_call", counting_call)
    return counts


async def test_cache_hit_reads_nothing(
    api: Api, logged_in: dict[str, t.Any], sandbox: Sandbox, counted: dict[str, int]
) -> None:
    params = {"scope": "shared-with-me", "limit": 100}
    first = await api.get("endpoints", params=params)
    searches = endpoint_searches(sandbox)
    counted.update({"store reads": 0, "pool calls": 0})

    pages = [await api.get("endpoints", params=params) for _ in range(3)]

    assert pages == [first] * 3
    assert counted == {"store reads": 0, "pool calls": 0}
    assert endpoint_searches(sandbox) == searches


async def test_store_change_seen_by_stat(
    api: Api, logged_in: dict[str, t.Any], sandbox: Sandbox, counted: dict[str, int]
) -> None:
    params = {"scope": "shared-with-me"}
    await api.get("endpoints", params=params)
    await api.get("endpoints", params=params)
    searches = endpoint_searches(sandbox)

    # Another process logs in to the same store as someone else.
    from tunel_jupyter.globus import GlobusSession

    sandbox.state.default_identity_id = GRACE
    other = GlobusSession()
    request = other.start_login()
    answer = await authorize_json(request.authorize_url)
    other.finish_login(answer["code"], state=request.state)
    counted.update({"store reads": 0, "pool calls": 0})

    page = await api.get("endpoints", params=params)

    assert endpoint_searches(sandbox) == searches + 1
    assert KARL_TRANSFER not in [record["id"] for record in page["records"]]
    assert counted["pool calls"] == 1
    assert counted["store reads"] >= 1
