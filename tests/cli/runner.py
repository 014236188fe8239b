"""Run the real tunel-globus process in tests, with the sandbox's environment."""

from __future__ import annotations

import os
import re
import select
import subprocess
import sys
import threading
import time
import typing as t

from tests.utils import sandbox_authorize

# Every test run of the command line must end on its own; a hang fails the test.
RUN_TIMEOUT = 60

LOGIN_URL = re.compile(r"^Please go to this URL and login: (\S+)$", re.MULTILINE)

RunCli = t.Callable[..., subprocess.CompletedProcess[str]]


def cli_environment(globus_env: t.Mapping[str, str]) -> dict[str, str]:
    """Return the environment for a command-line process: the sandbox, no browser."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in ("BROWSER", "DISPLAY", "WAYLAND_DISPLAY")
        and not name.startswith(("GLOBUS_", "TUNEL_GLOBUS_"))
    }
    env.update(globus_env)
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def login_with_paste_flow(
    globus_env: t.Mapping[str, str], *args: str
) -> subprocess.CompletedProcess[str]:
    """Run ``login ARGS`` and paste the code the sandbox gives for its URL.

    The URL is read from the process's stdout as a person would read it. A timer
    kills the process if the URL or the end of the output never comes.
    """
    process = subprocess.Popen(
        [sys.executable, "-m", "tunel_jupyter.cli", "login", "--no-browser", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=cli_environment(globus_env),
    )
    timer = threading.Timer(RUN_TIMEOUT, process.kill)
    timer.start()
    try:
        head = _read_first_line(process)
        match = LOGIN_URL.match(head.decode("utf-8").split("\n", 1)[0])
        if match is None:
            process.kill()
            rest, stderr = process.communicate()
            raise AssertionError(f"no login URL; stdout={head + rest!r} {stderr!r}")
        code, _state = sandbox_authorize(match.group(1))
        rest, stderr = process.communicate(input=(code + "\n").encode())
    finally:
        timer.cancel()
    return subprocess.CompletedProcess(
        process.args,
        process.returncode,
        (head + rest).decode("utf-8"),
        stderr.decode("utf-8"),
    )


def _read_first_line(process: subprocess.Popen[bytes]) -> bytes:
    # Read the raw pipe, not a buffered reader: bytes a reader buffered past
    # the first line would be missing from what communicate() returns.
    assert process.stdout is not None
    head = b""
    while b"\n" not in head:
        chunk = os.read(process.stdout.fileno(), 4096)
        if not chunk:
            break
        head += chunk
    return head


def read_available(descriptor: int) -> str:
    """Read what a pseudo-terminal holds now, without blocking."""
    chunks = []
    while select.select([descriptor], [], [], 0.1)[0]:
        try:
            chunk = os.read(descriptor, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks).decode("utf-8", "replace")


def read_until(descriptor: int, text: str) -> str:
    """Read a pseudo-terminal until ``text`` shows, or for ``RUN_TIMEOUT`` at most."""
    shown = ""
    deadline = time.monotonic() + RUN_TIMEOUT
    while text not in shown and time.monotonic() < deadline:
        shown += read_available(descriptor)
    return shown
