"""The Binder start script and the logic it runs, in real subprocesses."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import psutil
import pytest
import requests

from tests.demo.helpers import REPO_ROOT, clean_env
from tunel_jupyter.demo.binder import PID_FILE, format_exports, parse_exports

START_SCRIPT = REPO_ROOT / "binder" / "start"
BUILT_EXTENSION = REPO_ROOT / "tunel_jupyter" / "labextension"
# The command the start script execs: prints the environment it was given.
PRINT_ENV = [
    sys.executable,
    "-c",
    "import json, os; print(json.dumps(dict(os.environ)))",
]


def run_start(env: dict[str, str], root: Path) -> tuple[dict[str, str], str]:
    """Run binder/start in ``root``; return the environment it passed on and stderr."""
    result = subprocess.run(
        ["bash", str(START_SCRIPT), *PRINT_ENV],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1]), result.stderr


def server_config_value(env: dict[str, str], section: str, name: str) -> str:
    """Return ``c.<section>.<name>`` as a Jupyter server started in ``env`` loads it."""
    script = (
        "from jupyter_server.serverapp import ServerApp\n"
        "app = ServerApp()\n"
        "app.load_config_file()\n"
        f"print(app.config.{section}.get({name!r}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip()


def stop_background_sandbox(env: dict[str, str], state_dir: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "tunel_jupyter.demo.binder", "--stop"]
        + ["--state-dir", str(state_dir)],
        env=env,
        capture_output=True,
        timeout=30,
        check=True,
    )


@pytest.fixture
def binder_root(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    return root


@pytest.fixture
def state_dir(demo_env: dict[str, str]) -> Path:
    return Path(demo_env["HOME"]) / ".local" / "share" / "tunel-jupyter-binder"


def test_parse_exports_waits_for_ready_line():
    text = (
        "export GLOBUS_SDK_SERVICE_URL_AUTH=http://127.0.0.1:5/auth/\nexport A='b c'\n"
    )

    exports, ready = parse_exports(text)
    assert exports == {
        "GLOBUS_SDK_SERVICE_URL_AUTH": "http://127.0.0.1:5/auth/",
        "A": "b c",
    }
    assert not ready

    _, ready = parse_exports(text + "Sandbox ready")
    assert not ready, "a line without its newline may still be written"

    exports, ready = parse_exports(text + "# Sandbox ready at http://127.0.0.1:5\n")
    assert ready
    assert exports["A"] == "b c"


def test_format_exports_quotes_values():
    text = format_exports({"A": "it's here", "B": "plain"})

    assert text == "export A='it'\"'\"'s here'\nexport B=plain\n"
    assert parse_exports(text + "ready\n") == ({"A": "it's here", "B": "plain"}, True)


@pytest.mark.slow
def test_start_without_client_id_runs_sandbox(demo_env, binder_root, state_dir):
    env, stderr = run_start(demo_env, binder_root)
    try:
        auth_url = env["GLOBUS_SDK_SERVICE_URL_AUTH"]
        assert auth_url.startswith("http://127.0.0.1:")
        assert env["GLOBUS_SDK_SERVICE_URL_TRANSFER"].startswith("http://127.0.0.1:")
        assert env["TUNEL_GLOBUS_CLIENT_ID"]
        assert env["TUNEL_GLOBUS_LOCAL_COLLECTION_ID"]
        assert "sandbox" in stderr

        oidc = requests.get(f"{auth_url}.well-known/openid-configuration", timeout=5)
        assert oidc.status_code == 200
        assert oidc.json()["issuer"]

        config_dir = Path(env["JUPYTER_CONFIG_PATH"].split(":")[0])
        config = json.loads((config_dir / "jupyter_server_config.json").read_text())
        assert config == {"TunelGlobus": {"sandbox": True}}
        assert server_config_value(env, "TunelGlobus", "sandbox") == "True"
        assert (binder_root / "globus-demo.ipynb").is_file()

        pid = int((state_dir / PID_FILE).read_text())
        assert psutil.pid_exists(pid)

        again, _ = run_start(demo_env, binder_root)
        assert again["GLOBUS_SDK_SERVICE_URL_AUTH"] == auth_url, "sandbox reused"
        assert int((state_dir / PID_FILE).read_text()) == pid
    finally:
        stop_background_sandbox(demo_env, state_dir)

    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == "zombie"
    assert not (state_dir / PID_FILE).exists()


def test_start_with_client_id_uses_real_globus(demo_env, binder_root, state_dir):
    demo_env["TUNEL_GLOBUS_CLIENT_ID"] = "4b6a3a2e-0b3c-4c39-9a4e-7f1f2f0f6e11"

    env, stderr = run_start(demo_env, binder_root)

    assert env["TUNEL_GLOBUS_CLIENT_ID"] == "4b6a3a2e-0b3c-4c39-9a4e-7f1f2f0f6e11"
    assert "GLOBUS_SDK_SERVICE_URL_AUTH" not in env
    assert "GLOBUS_SDK_SERVICE_URL_TRANSFER" not in env
    assert "JUPYTER_CONFIG_PATH" not in env
    assert "real Globus" in stderr
    assert not (state_dir / PID_FILE).exists()
    assert (binder_root / "globus-demo.ipynb").is_file()


def test_start_runs_command_when_sandbox_fails(demo_env, tmp_path):
    # A root that is a file makes the sandbox exit at start-up.
    root = tmp_path / "not-a-folder"
    root.write_text("")
    result = subprocess.run(
        ["bash", str(START_SCRIPT), sys.executable, "-c", "print('server started')"],
        cwd=tmp_path,
        env={**demo_env, "REPO_DIR": str(root)},
        capture_output=True,
        text=True,
        timeout=90,
    )

    assert result.returncode == 0
    assert result.stdout.strip() == "server started"
    assert "could not be started" in result.stderr
    assert "Continuing without the Globus sandbox" in result.stderr


def shadow_site_packages(folder: Path) -> Path:
    """Link this venv's packages, except tunel-jupyter, into ``folder``.

    A fresh venv that finds its dependencies there installs only tunel-jupyter, so
    pip needs neither the network nor minutes, and never touches this venv.
    """
    folder.mkdir()
    for entry in Path(sysconfig.get_paths()["purelib"]).iterdir():
        name = entry.name
        if "tunel_jupyter" in name or name.endswith(".pth"):
            continue
        (folder / name).symlink_to(entry)
    return folder


def copy_checkout(target: Path) -> Path:
    """Copy the files a commit of this checkout would contain, plus the built
    JupyterLab extension, which the build then reuses instead of running npm."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO_ROOT,
        capture_output=True,
        check=True,
        timeout=30,
    ).stdout.decode()
    for relative in filter(None, listed.split("\0")):
        source = REPO_ROOT / relative
        if source.is_file():
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / relative)
    # A `jupyter labextension develop` link writes install.json into the built
    # folder; a fresh build (Binder's) has none, and the wheel adds its own.
    shutil.copytree(
        BUILT_EXTENSION,
        target / BUILT_EXTENSION.relative_to(REPO_ROOT),
        ignore=shutil.ignore_patterns("install.json"),
    )
    return target


@pytest.mark.slow
def test_post_build_installs_package_with_extension(tmp_path):
    if not (BUILT_EXTENSION / "static" / "style.js").is_file():
        pytest.skip("the JupyterLab extension is not built here; pip install -e .")
    checkout = copy_checkout(tmp_path / "repo")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [
            str(python),
            "-c",
            "import sysconfig; print(sysconfig.get_paths()['purelib'])",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout.strip()
    shadow = shadow_site_packages(tmp_path / "shadow")
    (Path(purelib) / "_test_dependencies.pth").write_text(f"{shadow}\n")

    env = clean_env(tmp_path)
    env.update(
        PATH=os.pathsep.join([str(venv / "bin"), env["PATH"]]),
        PYTHON=str(python),
        REPO_DIR=str(checkout),
        PIP_NO_INDEX="1",
        # pip reads "0" here as "do not isolate the build": the backend then uses
        # the hatchling and hatch-jupyter-builder found through the shadow folder.
        PIP_NO_BUILD_ISOLATION="0",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    result = subprocess.run(
        ["bash", str(REPO_ROOT / "binder" / "postBuild")],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "installed with its JupyterLab extension" in result.stdout
    installed = Path(purelib) / "tunel_jupyter"
    assert (installed / "demo" / "notebooks" / "globus-demo.ipynb").is_file()
    labextension = venv / "share" / "jupyter" / "labextensions" / "tunel-jupyter"
    assert (labextension / "static" / "style.js").is_file()
    assert not (checkout / "labextension" / "node_modules").exists(), "npm ran"
