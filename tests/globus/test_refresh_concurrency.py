"""Four processes refresh and read one store while the sandbox rotates tokens."""

from __future__ import annotations

import json
import multiprocessing
import multiprocessing.synchronize
import os
import typing as t
from pathlib import Path

import pytest
import requests

from tests.globus.conftest import SandboxControl
from tunel_jupyter.globus import GlobusSession, Identity

PROCESSES = 4
ROUNDS = 50
BARRIER_TIMEOUT = 60


def worker(
    index: int,
    env: dict[str, str],
    control_url: str,
    barrier: multiprocessing.synchronize.Barrier,
    results: multiprocessing.Queue[dict[str, t.Any]],
) -> None:
    """Each round: wait, let worker 0 expire every access token, wait, then call
    Transfer and read the store, counting anything that went wrong."""
    os.environ.update(env)
    from tunel_jupyter.errors import LoginRequired, TunelError
    from tunel_jupyter.globus.store import StoreFile

    report: dict[str, t.Any] = {
        "index": index,
        "calls": 0,
        "false_login_required": [],
        "corrupt_reads": [],
        "errors": [],
    }
    session = GlobusSession(max_retries=2, http_timeout=20)
    store = StoreFile(Path(env["JUPYTER_DATA_DIR"]) / "tunel" / "globus")
    try:
        for round_number in range(ROUNDS):
            barrier.wait(BARRIER_TIMEOUT)
            if index == 0:
                answer = requests.post(control_url + "expire-tokens", timeout=10)
                answer.raise_for_status()
            barrier.wait(BARRIER_TIMEOUT)

            try:
                session.search_endpoints(limit=1)
                report["calls"] += 1
            except LoginRequired as err:
                report["false_login_required"].append((round_number, err.message))
            except TunelError as err:
                report["errors"].append((round_number, repr(err)))

            # Read the store through its lock and, as a tool outside tunel-jupyter
            # would, without it: atomic replacement keeps both whole.
            try:
                if not session.status().logged_in:
                    report["false_login_required"].append((round_number, "status"))
                store.read()
                json.loads(store.path.read_text())
            except (LoginRequired, ValueError) as err:
                report["corrupt_reads"].append((round_number, repr(err)))
    except Exception as err:  # any crash must reach the test, not vanish
        report["errors"].append(("crash", repr(err)))
        barrier.abort()
    results.put(report)


@pytest.mark.slow
def test_four_processes_one_refresh_per_expiry(
    globus_env: dict[str, str],
    identity: Identity,
    control: SandboxControl,
    sandbox: t.Any,
) -> None:
    control.options(rotate_refresh_tokens=True)
    control.post("requests")
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(PROCESSES)
    results: multiprocessing.Queue[dict[str, t.Any]] = context.Queue()
    env = {**os.environ, **globus_env}
    processes = [
        context.Process(
            target=worker,
            args=(index, env, sandbox.url + "/_sandbox/", barrier, results),
        )
        for index in range(PROCESSES)
    ]
    for process in processes:
        process.start()
    reports = [results.get(timeout=240) for _ in processes]
    for process in processes:
        process.join(30)
        assert process.exitcode == 0

    for report in reports:
        assert report["errors"] == [], report
        assert report["false_login_required"] == [], report
        assert report["corrupt_reads"] == [], report
        assert report["calls"] == ROUNDS

    # One refresh per expiry across all processes, each accepted by Globus Auth.
    refreshes = control.token_requests("refresh_token")
    assert len(refreshes) == ROUNDS
    assert all(entry["status"] == 200 for entry in refreshes)

    # The store opens and its (rotated) refresh token still works.
    status = GlobusSession().check()
    assert status.logged_in
    assert status.identity == identity
