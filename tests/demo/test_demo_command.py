"""``tunel-globus demo`` end to end: a real sandbox and a real JupyterLab."""

from __future__ import annotations

import argparse
import json
import re
import socket
import subprocess
import sys
import typing as t
import urllib.parse
from pathlib import Path

import psutil
import pytest
import requests
from jupyter_client.blocking import BlockingKernelClient

from tests.demo.helpers import START_TIMEOUT
from tunel_jupyter.demo import lab
from tunel_jupyter.demo.cli import add_arguments
from tunel_jupyter.demo.layout import DemoLayout, install_notebook
from tunel_jupyter.demo.runner import notebook_url
from tunel_jupyter.errors import UsageError


def api(
    base: str,
    token: str,
    method: str,
    path: str,
    *,
    headers_extra: dict[str, str] | None = None,
    **kwargs: t.Any,
) -> requests.Response:
    """Call JupyterLab at ``base + path`` authenticated with ``token``."""
    headers = {"Authorization": f"token {token}", **(headers_extra or {})}
    return requests.request(
        method,
        base + path,
        headers=headers,
        timeout=30,
        allow_redirects=False,
        **kwargs,
    )


def run_in_kernel(connection_file: Path, code: str) -> str:
    """Run ``code`` in a running kernel; return its text output and results."""
    client = BlockingKernelClient(connection_file=str(connection_file))
    client.load_connection_file()
    # Without a kernel manager, the heartbeat counts a kernel that is still
    # starting as dead, so readiness is judged by kernel_info replies alone.
    client.start_channels(hb=False)
    parts: list[str] = []

    def collect(message: dict[str, t.Any]) -> None:
        content = message["content"]
        if message["msg_type"] == "stream":
            parts.append(content["text"])
        elif message["msg_type"] in ("display_data", "execute_result"):
            parts.append(content["data"].get("text/plain", ""))
        elif message["msg_type"] == "error":
            parts.append("\n".join(content["traceback"]))

    try:
        client.wait_for_ready(timeout=60)
        reply = client.execute_interactive(code, timeout=60, output_hook=collect)
    finally:
        client.stop_channels()
    assert reply["content"]["status"] == "ok", "".join(parts)
    return "".join(parts)


def process_tree(pid: int) -> list[psutil.Process]:
    root = psutil.Process(pid)
    return [root, *root.children(recursive=True)]


def is_gone(process: psutil.Process) -> bool:
    try:
        return process.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


@pytest.mark.slow
def test_demo_serves_status_and_stops_cleanly(start_demo, tmp_path):
    demo = start_demo()
    base, token = demo.wait_for_url()
    assert base.startswith("http://127.0.0.1:")

    status = api(base, token, "GET", "tunel/globus/status")
    assert status.status_code == 200, status.text
    body = status.json()
    assert body["environment"]["is_sandbox"] is True
    assert body["logged_in"] is False
    assert body["local_collection"] is not None
    assert api(base, "wrong-token", "GET", "tunel/globus/status").status_code in (
        401,
        403,
    )

    runtime_dir = tmp_path / "demo-data" / "jupyter" / "runtime"
    notebook = api(base, token, "GET", "api/contents/globus-demo.ipynb")
    assert notebook.status_code == 200
    kernel = api(base, token, "POST", "api/kernels", json={"name": "python3"})
    assert kernel.status_code == 201, kernel.text

    # A notebook in the demo logs in through the login pages JupyterLab forwards.
    connection_file = runtime_dir / f"kernel-{kernel.json()['id']}.json"
    prompt = run_in_kernel(connection_file, "%load_ext tunel_jupyter\n%globus login")
    match = re.search(r"Please go to this URL and login: (\S+)", prompt)
    assert match, prompt
    authorize_path = match.group(1)
    assert authorize_path.startswith("/tunel/sandbox/"), "a path on JupyterLab's origin"
    allowed = api(
        base,
        token,
        "GET",
        authorize_path.lstrip("/"),
        headers_extra={"Accept": "application/json"},
    )
    assert allowed.status_code == 200, allowed.text
    done = run_in_kernel(connection_file, f"%globus login {allowed.json()['code']}")
    assert "Logged in to Globus as ada@example.org" in done
    shared = api(base, token, "GET", "tunel/globus/status").json()
    assert shared["logged_in"] is True, "the server sees the kernel's login"

    tree = process_tree(demo.proc.pid)
    assert len(tree) >= 3, "expected the demo, JupyterLab and a kernel"

    assert demo.interrupt() == 0
    output = "".join(demo.output)
    assert "Demo stopped." in output
    assert psutil.wait_procs(tree, timeout=10)
    leftovers = [process.pid for process in tree if not is_gone(process)]
    assert leftovers == []
    assert not list(runtime_dir.glob("jpserver-*.json"))


@pytest.mark.slow
def test_restarted_demo_is_still_logged_in(start_demo, tmp_path, demo_env):
    demo = start_demo()
    base, token = demo.wait_for_url()

    started = api(base, token, "POST", "tunel/globus/login", json={})
    assert started.status_code == 200, started.text
    authorize_url = urllib.parse.urljoin(base, started.json()["authorize_url"])
    assert authorize_url.startswith(base), "login pages go through the server"
    # A person's browser sends JupyterLab's cookie; the token header replaces it.
    allowed = api(
        base,
        token,
        "GET",
        authorize_url[len(base) :],
        headers_extra={"Accept": "application/json"},
    )
    assert allowed.status_code == 200, allowed.text
    code = allowed.json()["code"]
    finished = api(base, token, "POST", "tunel/globus/login/code", json={"code": code})
    assert finished.status_code == 200, finished.text
    assert finished.json()["logged_in"] is True

    second = subprocess.run(
        [sys.executable, "-m", "tunel_jupyter.cli", "demo", "--no-browser"]
        + ["--data-dir", str(tmp_path / "demo-data")],
        env=demo_env,
        capture_output=True,
        text=True,
        timeout=START_TIMEOUT,
    )
    assert second.returncode == 2
    assert f"Another tunel-globus demo (PID {demo.proc.pid})" in second.stderr
    assert demo.interrupt() == 0

    demo = start_demo()
    base, token = demo.wait_for_url()
    status = api(base, token, "GET", "tunel/globus/status").json()
    assert status["logged_in"] is True
    assert status["identity"]["username"]
    assert demo.interrupt() == 0


@pytest.mark.slow
def test_demo_stops_lab_left_by_killed_demo(start_demo):
    killed = start_demo()
    killed.wait_for_url()
    (lab_process,) = psutil.Process(killed.proc.pid).children()
    orphans = [lab_process, *lab_process.children(recursive=True)]
    try:
        killed.proc.kill()
        killed.proc.wait(10)
        assert lab_process.is_running(), "JupyterLab outlives a killed demo"

        demo = start_demo()
        demo.wait_for_url()
        output = "".join(demo.output)
        assert f"Stopping JupyterLab (PID {lab_process.pid}) left running" in output
        assert all(is_gone(process) for process in orphans)
        assert demo.interrupt() == 0
    finally:
        for process in orphans:
            if not is_gone(process):
                process.kill()


@pytest.mark.slow
def test_demo_reports_busy_port(tmp_path, demo_env):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "tunel_jupyter.cli", "demo", "--no-browser"]
            + ["--port", str(port), "--data-dir", str(tmp_path / "demo-data")],
            env=demo_env,
            capture_output=True,
            text=True,
            timeout=START_TIMEOUT,
        )

    assert result.returncode == 1
    assert "JupyterLab exited with status 1 before it was ready" in result.stderr
    assert f"{port}" in result.stderr, "the log tail names the busy port"
    assert "Demo stopped." not in result.stdout, "no demo started, so none stopped"


def test_lab_command_allows_root_only_as_root(monkeypatch, tmp_path):
    monkeypatch.setattr(lab, "is_root", lambda: True)
    command = lab.lab_command(ip="127.0.0.1", port=0, root_dir=tmp_path)
    assert "--allow-root" in command
    assert f"--ServerApp.root_dir={tmp_path}" in command
    assert "--TunelGlobus.sandbox=True" in command

    monkeypatch.setattr(lab, "is_root", lambda: False)
    assert "--allow-root" not in lab.lab_command(
        ip="127.0.0.1", port=0, root_dir=tmp_path
    )


def test_demo_arguments_default_to_loopback():
    parser = argparse.ArgumentParser()
    add_arguments(parser)

    args = parser.parse_args([])
    assert args.ip == "127.0.0.1"
    assert args.port == 0
    assert args.open_browser is True

    args = parser.parse_args(["--port", "8890", "--no-browser", "--data-dir", "x"])
    assert args.port == 8890
    assert args.open_browser is False
    assert args.data_dir == Path("x")


@pytest.mark.parametrize("port", ["-1", "65536", "http"])
def test_demo_rejects_invalid_port(port, capsys):
    parser = argparse.ArgumentParser()
    add_arguments(parser)

    with pytest.raises(SystemExit):
        parser.parse_args(["--port", port])
    assert f"invalid port {port!r}" in capsys.readouterr().err


def test_layout_rejects_file_as_data_dir(tmp_path):
    path = tmp_path / "file"
    path.write_text("")

    with pytest.raises(UsageError, match="is not a folder"):
        DemoLayout.at(path).create()


def test_layout_keeps_demo_apart(tmp_path):
    layout = DemoLayout.at(tmp_path / "demo")
    layout.create()

    env = layout.jupyter_env()
    for name in ("JUPYTER_DATA_DIR", "JUPYTER_CONFIG_DIR", "JUPYTER_RUNTIME_DIR"):
        assert Path(env[name]).is_relative_to(tmp_path / "demo")
        assert Path(env[name]).is_dir()
    assert (tmp_path / "demo").stat().st_mode & 0o777 == 0o700


def test_lab_settings_turn_news_off_once(tmp_path):
    layout = DemoLayout.at(tmp_path / "demo")
    layout.create()

    layout.write_lab_settings()
    (path,) = layout.jupyter_config_dir.rglob("notification.jupyterlab-settings")
    assert json.loads(path.read_text()) == {
        "fetchNews": "false",
        "checkForUpdates": False,
    }

    path.write_text('{"fetchNews": "true"}')
    layout.write_lab_settings()
    assert json.loads(path.read_text()) == {"fetchNews": "true"}


def test_install_notebook_keeps_edited_copy(tmp_path):
    notebook = install_notebook(tmp_path)
    assert notebook.name == "globus-demo.ipynb"
    assert '"%load_ext tunel_jupyter"' in notebook.read_text()

    notebook.write_text("{}")
    assert install_notebook(tmp_path).read_text() == "{}"
    assert install_notebook(tmp_path, overwrite=True).read_text() != "{}"


def test_notebook_url_carries_token():
    info = {"url": "http://127.0.0.1:8888/base/", "token": "abc"}

    url = notebook_url(info, "globus demo.ipynb")
    assert url == "http://127.0.0.1:8888/base/lab/tree/globus%20demo.ipynb?token=abc"
