"""Fixtures for the browser tests: a real ``jupyter lab`` and Debian's Chromium."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import typing as t
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from tunel_jupyter.sandbox import Sandbox

CHROMIUM = Path("/usr/bin/chromium")

# Root, no GPU and no traffic to any host but the lab under test.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

REPO = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = REPO / "build" / "screenshots"
DOCS_IMAGES = REPO / "docs" / "images"
LAB_START_TIMEOUT = 90.0


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-screenshots",
        action="store_true",
        default=False,
        help="Copy the panel screenshots of the browser tests to docs/images/.",
    )


@dataclass
class Lab:
    """A running ``jupyter lab`` with its URL, token and root directory."""

    url: str
    token: str
    root: Path
    log: Path

    def page_url(self, path: str = "lab") -> str:
        return f"{self.url}{path}?token={self.token}"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for_lab(lab: Lab, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + LAB_START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"jupyter lab exited with {process.returncode}:\n"
                + lab.log.read_text(errors="replace")[-4000:]
            )
        try:
            response = requests.get(
                f"{lab.url}tunel/globus/status",
                headers={"Authorization": f"token {lab.token}"},
                timeout=5,
            )
            if response.status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.5)
    raise RuntimeError(
        f"jupyter lab did not answer within {LAB_START_TIMEOUT:.0f} s:\n"
        + lab.log.read_text(errors="replace")[-4000:]
    )


@pytest.fixture
def lab(
    sandbox: Sandbox, globus_env: dict[str, str], tmp_path: Path
) -> t.Iterator[Lab]:
    """``jupyter lab`` in sandbox mode whose root is the sandbox's collection."""
    assert sandbox.local_collection_id, "the sandbox fixture serves no root folder"
    root = tmp_path / "jupyter-root"
    config_dir = tmp_path / "config"
    (config_dir / "labconfig").mkdir(parents=True)
    # The news and update checks would reach the internet; the lab under test
    # stays on loopback.
    announcements = "@jupyterlab/apputils-extension:announcements"
    (config_dir / "labconfig" / "page_config.json").write_text(
        json.dumps({"disabledExtensions": {announcements: True}})
    )
    token = secrets.token_hex(16)
    port = _free_port()
    log = tmp_path / "jupyter-lab.log"
    env = {
        **os.environ,
        **globus_env,
        "JUPYTER_CONFIG_DIR": str(config_dir),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
    }
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--allow-root",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.token={token}",
        f"--ServerApp.root_dir={root}",
        "--TunelGlobus.sandbox=True",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.expose_app_in_browser=True",
    ]
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, env=env, stdout=output, stderr=subprocess.STDOUT, cwd=root
        )
    server = Lab(url=f"http://127.0.0.1:{port}/", token=token, root=root, log=log)
    try:
        _wait_for_lab(server, process)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@pytest.fixture
def browser(tmp_path: Path) -> t.Iterator[t.Any]:
    """A Playwright browser context on Debian's Chromium, with a fresh profile."""
    if not CHROMIUM.exists():
        pytest.skip(
            f"Chromium is not installed at {CHROMIUM}; install it with "
            "`apt-get install chromium` (.ci/setup does)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1400, "height": 1000},
        )
        context.set_default_timeout(30_000)
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def save_screenshot(request: pytest.FixtureRequest) -> t.Callable[[t.Any, str], Path]:
    """Save an element's screenshot to build/screenshots/, and to docs/images/
    with ``--update-screenshots``."""
    update = bool(request.config.getoption("--update-screenshots", default=False))

    def save(locator: t.Any, name: str) -> Path:
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOT_DIR / name
        locator.screenshot(path=str(path), animations="disabled")
        assert path.stat().st_size > 0, f"empty screenshot {path}"
        if update:
            DOCS_IMAGES.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, DOCS_IMAGES / name)
        return path

    return save
