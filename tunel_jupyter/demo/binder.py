"""Binder start logic: run the sandbox in the background unless Globus is configured.

``binder/start`` runs ``python -m tunel_jupyter.demo.binder`` and ``eval``s what it
prints. With no Globus client ID configured (``TUNEL_GLOBUS_CLIENT_ID`` unset), it
starts ``tunel-globus sandbox`` as a background process. It then prints ``export``
lines that point globus-sdk, the server extension, kernels and terminals at the
sandbox. They also turn on the server's sandbox mode, so login pages reach the browser
through the Jupyter server. With a client ID configured it prints nothing and the real
Globus is used. Either way the demo notebook is copied into the Jupyter root folder.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shlex
import subprocess
import sys
import time
import typing as t
import urllib.error
from pathlib import Path

import psutil

from ..errors import TunelError
from .lab import LOOPBACK_OPENER
from .layout import default_data_dir, install_notebook

log = logging.getLogger(__name__)

CLIENT_ID_VARIABLE = "TUNEL_GLOBUS_CLIENT_ID"
REQUIRED_VARIABLES = (
    "GLOBUS_SDK_SERVICE_URL_AUTH",
    "GLOBUS_SDK_SERVICE_URL_TRANSFER",
    CLIENT_ID_VARIABLE,
)
PID_FILE = "sandbox.pid"
OUTPUT_FILE = "sandbox.out"
LOG_FILE = "sandbox.log"


def default_state_dir() -> Path:
    """Return the folder for the background sandbox's state, output and PID file."""
    return default_data_dir().with_name("tunel-jupyter-binder")


def sandbox_command(*, root: Path, state_dir: Path) -> list[str]:
    """Build the ``tunel-globus sandbox`` command that serves ``root``."""
    return [
        sys.executable,
        "-m",
        "tunel_jupyter.cli",
        "sandbox",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--root",
        str(root),
        "--state",
        str(state_dir / "sandbox"),
    ]


def parse_exports(text: str) -> tuple[dict[str, str], bool]:
    """Read the sandbox command's output: its ``export`` lines, and whether it is ready.

    The command prints one ``export NAME=VALUE`` line per variable (the value quoted
    for a POSIX shell), then one line saying it is ready.
    """
    exports: dict[str, str] = {}
    # The text after the last newline may be a line still being written.
    complete_lines = text.split("\n")[:-1]
    for line in complete_lines:
        words = shlex.split(line)
        if len(words) == 2 and words[0] == "export" and "=" in words[1]:
            name, _, value = words[1].partition("=")
            exports[name] = value
        elif words and exports:
            return exports, True
    return exports, False


def start_sandbox(
    *, root: Path, state_dir: Path, timeout: float = 60.0
) -> dict[str, str]:
    """Start the sandbox in the background and return the variables it exports.

    The process runs in a session of its own and outlives this one. Its PID is
    written to ``state_dir/sandbox.pid``, its stdout to ``sandbox.out`` and its log
    to ``sandbox.log``. A sandbox still running from an earlier call with the same
    ``state_dir`` is reused.

    :raises TunelError: the sandbox exited, printed no usable variables, or was not
        ready within ``timeout`` seconds.
    """
    running = _running_sandbox(state_dir)
    if running is not None:
        return running

    state_dir.mkdir(parents=True, exist_ok=True)
    output_path = state_dir / OUTPUT_FILE
    with (
        open(output_path, "wb") as output,
        open(state_dir / LOG_FILE, "ab") as log_file,
    ):
        process = subprocess.Popen(
            sandbox_command(root=root, state_dir=state_dir),
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=log_file,
            start_new_session=True,
        )
    (state_dir / PID_FILE).write_text(f"{process.pid}\n", encoding="utf-8")

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        exports, ready = parse_exports(output_path.read_text(encoding="utf-8"))
        if ready:
            _check_exports(exports, state_dir)
            return exports
        status = process.poll()
        if status is not None:
            raise TunelError(
                f"The sandbox exited with status {status} before it was ready; "
                f"see {state_dir / LOG_FILE}."
            )
        time.sleep(0.1)
    stop_sandbox(state_dir)
    raise TunelError(
        f"The sandbox was not ready within {timeout:.0f} seconds; "
        f"see {state_dir / LOG_FILE}."
    )


def stop_sandbox(state_dir: Path, *, timeout: float = 10.0) -> bool:
    """Stop the background sandbox of ``state_dir``; return whether one was running."""
    process = _sandbox_process(state_dir)
    (state_dir / PID_FILE).unlink(missing_ok=True)
    if process is None:
        return False
    try:
        process.terminate()
        process.wait(timeout)
    except psutil.TimeoutExpired:
        process.kill()
        process.wait(5)
    except psutil.NoSuchProcess:
        pass
    return True


def sandbox_mode_config(state_dir: Path) -> Path:
    """Write a Jupyter config folder that turns on the server's sandbox mode."""
    config_dir = state_dir / "jupyter-config"
    config_dir.mkdir(parents=True, exist_ok=True)
    config = {"TunelGlobus": {"sandbox": True}}
    (config_dir / "jupyter_server_config.json").write_text(
        json.dumps(config, indent=2) + "\n", encoding="utf-8"
    )
    return config_dir


def binder_exports(
    *,
    root: Path,
    state_dir: Path,
    environ: t.Mapping[str, str],
    timeout: float = 60.0,
) -> dict[str, str]:
    """Start the sandbox unless Globus is configured; return the variables to export.

    With ``TUNEL_GLOBUS_CLIENT_ID`` set in ``environ`` the real Globus is used: no
    sandbox runs and nothing is exported.
    """
    if environ.get(CLIENT_ID_VARIABLE):
        log.info("A Globus client ID is configured: using the real Globus")
        return {}

    exports = start_sandbox(root=root, state_dir=state_dir, timeout=timeout)
    config_dir = sandbox_mode_config(state_dir)
    config_path = [str(config_dir)]
    if environ.get("JUPYTER_CONFIG_PATH"):
        config_path.append(environ["JUPYTER_CONFIG_PATH"])
    exports["JUPYTER_CONFIG_PATH"] = os.pathsep.join(config_path)
    return exports


def format_exports(exports: t.Mapping[str, str]) -> str:
    """Format ``exports`` as POSIX shell ``export`` lines."""
    return "".join(
        f"export {name}={shlex.quote(value)}\n" for name, value in exports.items()
    )


def main(argv: t.Sequence[str] | None = None) -> int:
    """Print the Binder environment's ``export`` lines (``binder/start`` evals them)."""
    parser = argparse.ArgumentParser(
        prog="python -m tunel_jupyter.demo.binder",
        description="Prepare a Binder session: copy the demo notebook and, unless "
        f"{CLIENT_ID_VARIABLE} is set, start the Globus sandbox in the background "
        "and print the export lines that point Jupyter at it.",
    )
    parser.add_argument(
        "--root",
        type=Path,
        default=Path.cwd(),
        help="the Jupyter root folder, served by the sandbox as a collection "
        "(default: the current folder)",
    )
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=default_state_dir(),
        help="folder for the sandbox's state and logs "
        f"(default: {default_state_dir()})",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=60.0,
        help="seconds to wait for the sandbox to start (default: 60)",
    )
    parser.add_argument(
        "--stop",
        action="store_true",
        help="stop the background sandbox of --state-dir and exit",
    )
    args = parser.parse_args(argv)
    root = args.root.absolute()
    state_dir = args.state_dir.absolute()

    if args.stop:
        stopped = stop_sandbox(state_dir)
        print(
            "Sandbox stopped." if stopped else "No sandbox was running.",
            file=sys.stderr,
        )
        return 0

    try:
        install_notebook(root)
        exports = binder_exports(
            root=root, state_dir=state_dir, environ=os.environ, timeout=args.timeout
        )
    except (TunelError, OSError) as err:
        print(f"Error: the Globus sandbox could not be started: {err}", file=sys.stderr)
        return 1

    if exports:
        print(
            f"Started the tunel-jupyter Globus sandbox at "
            f"{exports['GLOBUS_SDK_SERVICE_URL_AUTH']} (not the real Globus); set "
            f"{CLIENT_ID_VARIABLE} to use the real Globus.",
            file=sys.stderr,
        )
    else:
        print(
            f"{CLIENT_ID_VARIABLE} is set: using the real Globus, no sandbox.",
            file=sys.stderr,
        )
    sys.stdout.write(format_exports(exports))
    return 0


def _check_exports(exports: t.Mapping[str, str], state_dir: Path) -> None:
    missing = [name for name in REQUIRED_VARIABLES if not exports.get(name)]
    if missing:
        raise TunelError(
            f"The sandbox did not print {', '.join(missing)}; see "
            f"{state_dir / OUTPUT_FILE}."
        )
    url = exports["GLOBUS_SDK_SERVICE_URL_AUTH"].rstrip("/")
    try:
        with LOOPBACK_OPENER.open(
            f"{url}/.well-known/openid-configuration", timeout=5
        ) as response:
            response.read()
    except (urllib.error.URLError, OSError) as err:
        raise TunelError(f"The sandbox at {url} does not respond: {err}") from err


def _running_sandbox(state_dir: Path) -> dict[str, str] | None:
    process = _sandbox_process(state_dir)
    if process is None:
        return None
    try:
        text = (state_dir / OUTPUT_FILE).read_text(encoding="utf-8")
    except OSError:
        return None
    exports, ready = parse_exports(text)
    if not ready:
        return None
    try:
        _check_exports(exports, state_dir)
    except TunelError:
        return None
    log.info("Reusing the sandbox already running with PID %s", process.pid)
    return exports


def _sandbox_process(state_dir: Path) -> psutil.Process | None:
    """Return the sandbox process named in the PID file, if it still runs.

    The command line must name this ``state_dir``, so a PID reused by an unrelated
    process after a reboot is never signalled.
    """
    try:
        pid = int((state_dir / PID_FILE).read_text(encoding="utf-8").strip())
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            return None
        command = process.cmdline()
    except (OSError, ValueError, psutil.Error):
        return None
    if str(state_dir / "sandbox") not in command:
        return None
    return process


if __name__ == "__main__":
    sys.exit(main())
