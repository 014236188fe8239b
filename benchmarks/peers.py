"""The tools we compare against: the bare SDK, globus-cli and globus-jupyterlab.

Each peer's environment is set up here and not timed. globus-cli pins
globus-sdk 4.9.0 and globus-jupyterlab 1.0.0b10 pins JupyterLab 3, jupyter-server 1
and globus-sdk 3, so both live in virtual environments of their own, kept under
``~/.cache/tunel-jupyter`` between runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import typing as t
import venv
from pathlib import Path

import requests

CACHE = Path(
    os.environ.get("TUNEL_BENCHMARK_CACHE", Path.home() / ".cache" / "tunel-jupyter")
)
GLOBUS_CLI_VERSION = "3.44.0"
GLOBUS_JUPYTERLAB_VERSION = "1.0.0b10"
TRANSFER_SCOPE = "urn:globus:auth:scope:transfer.api.globus.org:all"


def authorize(authorize_url: str) -> str:
    """Approve a sandbox login as its default identity; return the code."""
    response = requests.get(
        authorize_url, headers={"Accept": "application/json"}, timeout=30
    )
    response.raise_for_status()
    return str(response.json()["code"])


def sdk_transfer_token(client_id: str) -> str:
    """Log in with the bare SDK's native-app flow; return a Transfer access token."""
    import globus_sdk

    client = globus_sdk.NativeAppAuthClient(client_id)
    client.oauth2_start_flow(requested_scopes=TRANSFER_SCOPE, refresh_tokens=True)
    code = authorize(client.oauth2_get_authorize_url())
    tokens = client.oauth2_exchange_code_for_tokens(code)
    return str(tokens.by_resource_server["transfer.api.globus.org"]["access_token"])


def make_venv(name: str, packages: t.Sequence[str]) -> Path:
    """Create (once) a virtual environment with ``packages``; return its bin dir."""
    folder = CACHE / name
    marker = folder / ".installed"
    if marker.exists() and marker.read_text() == " ".join(packages):
        return folder / "bin"
    venv.EnvBuilder(with_pip=True, clear=True).create(folder)
    pip = [str(folder / "bin" / "python"), "-m", "pip", "install", "-q"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, *packages], check=True)
    marker.write_text(" ".join(packages))
    return folder / "bin"


def globus_cli(env: dict[str, str], home: Path) -> tuple[Path, dict[str, str]]:
    """Install globus-cli and log it in to the sandbox as the default identity.

    Returns the ``globus`` executable and the environment to run it with.
    """
    bin_dir = make_venv(
        f"globus-cli-{GLOBUS_CLI_VERSION}", [f"globus-cli=={GLOBUS_CLI_VERSION}"]
    )
    home.mkdir(parents=True, exist_ok=True)
    cli_env = {**env, "HOME": str(home)}
    cli_env.pop("GLOBUS_CLI_CLIENT_ID", None)
    cli_env.pop("GLOBUS_CLI_CLIENT_SECRET", None)
    globus = bin_dir / "globus"

    login = subprocess.Popen(
        [str(globus), "login", "--no-local-server"],
        env=cli_env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert login.stdout is not None and login.stdin is not None
    url = ""
    for line in login.stdout:
        if "/v2/oauth2/authorize" in line:
            url = line.strip()
            break
    if not url:
        login.kill()
        raise RuntimeError("globus login printed no authorize URL")
    login.stdin.write(authorize(url) + "\n")
    login.stdin.close()
    if login.wait(timeout=120) != 0:
        raise RuntimeError("globus login failed against the sandbox")
    return globus, cli_env


GJL_LOGIN = textwrap.dedent(
    """
    import json, sys, requests, globus_sdk
    from globus_sdk.tokenstorage import SimpleJSONFileAdapter
    client = globus_sdk.NativeAppAuthClient(sys.argv[1])
    client.oauth2_start_flow(
        requested_scopes="openid profile email "
        "urn:globus:auth:scope:transfer.api.globus.org:all",
        refresh_tokens=True,
    )
    url = client.oauth2_get_authorize_url()
    answer = requests.get(url, headers={"Accept": "application/json"}, timeout=30)
    tokens = client.oauth2_exchange_code_for_tokens(answer.json()["code"])
    SimpleJSONFileAdapter(sys.argv[2]).store(tokens)
    """
)


def globus_jupyterlab(env: dict[str, str], workdir: Path) -> tuple[str, dict[str, str]]:
    """Install globus-jupyterlab in its own environment and log it in.

    Returns the interpreter to start its ``jupyter server`` with, and the
    environment (its token file path, the sandbox URLs).
    """
    bin_dir = make_venv(
        f"globus-jupyterlab-{GLOBUS_JUPYTERLAB_VERSION}",
        [
            f"globus-jupyterlab=={GLOBUS_JUPYTERLAB_VERSION}",
            "pydantic<2",
            "jupyterlab<4",
            "jupyter-server<2",
            "globus-sdk<4",
        ],
    )
    python = str(bin_dir / "python")
    token_file = workdir / "globus-jupyterlab-tokens.json"
    peer_env = {
        **env,
        "GLOBUS_TOKEN_STORAGE_PATH": str(token_file),
        "GLOBUS_CLIENT_ID": env["TUNEL_GLOBUS_CLIENT_ID"],
    }
    subprocess.run(
        [python, "-c", GJL_LOGIN, env["TUNEL_GLOBUS_CLIENT_ID"], str(token_file)],
        env=peer_env,
        check=True,
        timeout=120,
    )
    json.loads(token_file.read_text())
    return python, peer_env


def this_python() -> str:
    return sys.executable
