"""``tunel-globus sandbox``: run the sandbox and print the variables to export."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import shlex
import signal
import sys
import typing as t

from .server import Sandbox
from .state import SandboxOptions

log = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the sandbox command's options to ``parser``."""
    # Where it listens
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: 127.0.0.1, reachable from this machine "
        "only)",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=0,
        help="port to listen on (default: 0, a free one, or with --state the last "
        "run's port while it is free)",
    )

    # What it serves
    parser.add_argument(
        "--root",
        metavar="DIR",
        help="folder to serve as an extra collection, e.g. a Jupyter server's root",
    )
    parser.add_argument(
        "--seed",
        metavar="FILE",
        help="seed file (JSON or TOML) with identities, "
        "clients and collections (default: the built-in seed)",
    )
    parser.add_argument(
        "--state",
        metavar="DIR",
        help="folder that keeps tokens, consents, tasks and the port across restarts",
    )

    faults = parser.add_argument_group("faults and lifetimes")
    defaults = SandboxOptions()
    faults.add_argument(
        "--latency-ms",
        type=int,
        default=defaults.latency_ms,
        help="milliseconds added to every Globus request (default: %(default)s)",
    )
    faults.add_argument(
        "--error-rate",
        type=float,
        default=defaults.error_rate,
        help="share of Globus requests, 0 to 1, that fail with a 500, 502 or 503 "
        "(default: %(default)s)",
    )
    faults.add_argument(
        "--access-token-lifetime",
        type=int,
        default=defaults.access_token_lifetime,
        metavar="SECONDS",
        help="lifetime of access tokens (default: %(default)s)",
    )
    faults.add_argument(
        "--transfer-bytes-per-second",
        type=int,
        default=defaults.transfer_bytes_per_second,
        metavar="N",
        help="copy speed of transfer tasks, to watch progress or cancel a task "
        "(default: %(default)s, full speed)",
    )
    faults.add_argument(
        "--rotate-refresh-tokens",
        action="store_true",
        help="issue a new refresh token on every refresh and invalidate the old one",
    )


def run(args: argparse.Namespace) -> int:
    """Run the sandbox until SIGINT or SIGTERM; return the exit status."""
    problem = _invalid_place(args)
    if problem:
        print(f"tunel-globus sandbox: {problem}", file=sys.stderr)
        return 2
    try:
        options = SandboxOptions()
        options.update(
            {
                "latency_ms": args.latency_ms,
                "error_rate": args.error_rate,
                "access_token_lifetime": args.access_token_lifetime,
                "rotate_refresh_tokens": args.rotate_refresh_tokens,
                "transfer_bytes_per_second": args.transfer_bytes_per_second,
            }
        )
        sandbox = Sandbox(
            host=args.host,
            port=args.port,
            root=args.root,
            seed=args.seed,
            state_dir=args.state,
            options=options,
        )
    except ValueError as err:
        print(f"tunel-globus sandbox: {err}", file=sys.stderr)
        return 2
    return asyncio.run(_serve(sandbox))


def _invalid_place(args: argparse.Namespace) -> str | None:
    """Return why --port, --root or --state cannot work, or None."""
    # The socket layer takes a port modulo 65536, so 70000 would listen on 4464.
    if not 0 <= args.port <= 65535:
        return f"invalid --port {args.port}: use 0 to 65535 (0 picks a free port)."
    for option, folder in (("--root", args.root), ("--state", args.state)):
        if folder is not None and os.path.exists(folder) and not os.path.isdir(folder):
            return f"invalid {option} {folder!r}: it is a file; name a folder."
    return None


async def _serve(sandbox: Sandbox) -> int:
    try:
        await sandbox.start_async()
    except OSError as err:
        print(
            f"tunel-globus sandbox: cannot listen on {sandbox.host}:{sandbox.port}: "
            f"{err}",
            file=sys.stderr,
        )
        return 1

    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(number, stopping.set)

    for name, value in sandbox.env().items():
        print(f"export {name}={shlex.quote(value)}")
    print(f"# tunel-jupyter sandbox ready at {sandbox.url} (Ctrl-C stops it)")
    sys.stdout.flush()

    await stopping.wait()
    await sandbox.stop_async()
    return 0


def main(argv: t.Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="tunel-globus sandbox",
        description="Run a local stand-in for Globus Auth and Transfer.",
    )
    add_arguments(parser)
    return run(parser.parse_args(argv))
