"""The extension as installed: enabled, documented options, lazy globus-sdk import."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
import typing as t
from pathlib import Path

import pytest
from traitlets import TraitError

from tunel_jupyter.app import TunelGlobus

JUPYTER = Path(sys.executable).with_name("jupyter")


@pytest.mark.slow
def test_extension_enabled_on_install(tmp_path: Path) -> None:
    env = {**os.environ, "HOME": str(tmp_path), "JUPYTER_CONFIG_DIR": str(tmp_path)}
    result = subprocess.run(
        [str(JUPYTER), "server", "extension", "list"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    output = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout + result.stderr)
    assert re.search(r"tunel_jupyter\s+enabled", output), output
    assert re.search(r"tunel_jupyter \S+ OK", output), output


def test_every_option_has_help() -> None:
    options = TunelGlobus.class_own_traits(config=True)
    assert {
        "client_id",
        "client_secret",
        "login_flow",
        "redirect_uri",
        "sandbox",
        "local_collection_id",
        "local_collection_root",
        "endpoint_cache_seconds",
        "request_timeout",
        "max_retries",
        "data_dir",
    } <= set(options)
    for name, trait in options.items():
        assert len(trait.help) > 60, name
        assert trait.help.rstrip().endswith("."), name


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("request_timeout", -1),
        ("endpoint_cache_seconds", -5),
        ("max_retries", -1),
        ("login_flow", "implicit"),
    ],
)
def test_invalid_option_rejected(name: str, value: t.Any) -> None:
    with pytest.raises(TraitError):
        TunelGlobus(**{name: value})


def test_client_id_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUNEL_GLOBUS_CLIENT_ID", "5a0b1c2d-0000-4000-8000-000000000001")
    assert TunelGlobus().client_id == "5a0b1c2d-0000-4000-8000-000000000001"
    monkeypatch.delenv("TUNEL_GLOBUS_CLIENT_ID")
    assert TunelGlobus().client_id is None


async def test_token_store_in_jupyter_data_dir(
    jp_serverapp: t.Any, globus_env: dict[str, str]
) -> None:
    app = jp_serverapp.extension_manager.extension_points["tunel_jupyter"].app
    assert app.data_dir == os.environ["JUPYTER_DATA_DIR"]
    assert app.service.data_dir == app.data_dir


# Runs a real Jupyter server in a fresh interpreter, because the test process has
# imported globus_sdk long ago.
LAZY_IMPORT_SCRIPT = textwrap.dedent(
    """
    import asyncio, json, sys
    from jupyter_server.serverapp import ServerApp
    from tornado.httpclient import AsyncHTTPClient

    app = ServerApp.instance()
    app.initialize(argv=[
        "--ServerApp.port=0", "--ServerApp.ip=127.0.0.1", "--allow-root",
        "--ServerApp.open_browser=False", "--ServerApp.root_dir=" + sys.argv[1],
        "--IdentityProvider.token=secret-token",
        "--ServerApp.base_url=/a%40b/",
    ])
    app.start_app()
    report = {"after_start": "globus_sdk" in sys.modules}

    async def main():
        await app.extension_manager.start_all_extensions()
        report["after_start_hooks"] = "globus_sdk" in sys.modules
        client = AsyncHTTPClient()
        headers = {"Authorization": "token secret-token"}
        base = f"http://127.0.0.1:{app.port}/a%40b/"
        contents = await client.fetch(base + "api/contents", headers=headers)
        report["contents"] = contents.code
        report["after_jupyter_route"] = "globus_sdk" in sys.modules
        status = await client.fetch(base + "tunel/globus/status", headers=headers)
        report["status"] = json.loads(status.body)["logged_in"]
        report["after_status"] = "globus_sdk" in sys.modules
        await app._cleanup()

    asyncio.get_event_loop().run_until_complete(main())
    print(json.dumps(report))
    """
)


@pytest.mark.slow
def test_globus_sdk_imported_on_first_use(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    env = {
        **os.environ,
        "HOME": str(tmp_path),
        "JUPYTER_DATA_DIR": str(tmp_path / "data"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "TUNEL_GLOBUS_CLIENT_ID": "5a0b1c2d-0000-4000-8000-000000000001",
    }
    result = subprocess.run(
        [sys.executable, "-c", LAZY_IMPORT_SCRIPT, str(root)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["after_start"] is False
    assert report["after_start_hooks"] is False
    assert report["contents"] == 200
    assert report["after_jupyter_route"] is False
    assert report["status"] is False
    assert report["after_status"] is True
