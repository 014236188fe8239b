"""``tunel-globus demo``: the command-line arguments and their entry point."""

from __future__ import annotations

import argparse
import sys
import typing as t
from pathlib import Path

from ..errors import TunelError
from .layout import default_data_dir
from .runner import Demo, DemoOptions

DESCRIPTION = """\
Start a local Globus sandbox with demo collections and JupyterLab configured
against it, with the Globus panel, the %globus magics and a demo notebook. No
Globus account is needed and nothing leaves this machine. The demo keeps its
Jupyter data, its login and its sandbox state in its own folder (--data-dir),
never touching a real Globus login; a restarted demo is still logged in.
Ctrl-C stops JupyterLab and the sandbox."""


def port_number(value: str) -> int:
    """Parse a TCP port (0 picks a free one) for argparse."""
    try:
        port = int(value)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(
            f"invalid port {value!r}: give a number from 0 to 65535 (0 = a free port)"
        )
    return port


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the demo's options to ``parser`` (the ``demo`` subcommand's parser)."""
    parser.description = DESCRIPTION
    parser.add_argument(
        "--port",
        type=port_number,
        default=0,
        help="port JupyterLab listens on (default: 0, a free port)",
    )
    parser.add_argument(
        "--ip",
        default="127.0.0.1",
        help="address JupyterLab listens on (default: 127.0.0.1, this machine only); "
        "the sandbox always listens on 127.0.0.1 and JupyterLab forwards its login "
        "pages",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        metavar="DIR",
        help="folder for the demo's working folder, Jupyter data, login and sandbox "
        f"state (default: {default_data_dir()})",
    )
    parser.add_argument(
        "--no-browser",
        dest="open_browser",
        action="store_false",
        help="print the URL without opening a browser",
    )
    parser.add_argument(
        "--reset-notebook",
        action="store_true",
        help="replace the demo notebook in the working folder with the packaged one",
    )
    parser.add_argument(
        "--start-timeout",
        type=float,
        default=120.0,
        metavar="SECONDS",
        help="how long to wait for JupyterLab to start (default: 120)",
    )


def options_from_args(args: argparse.Namespace) -> DemoOptions:
    """Turn parsed arguments into :class:`DemoOptions`."""
    return DemoOptions(
        data_dir=args.data_dir,
        ip=args.ip,
        port=args.port,
        open_browser=args.open_browser,
        reset_notebook=args.reset_notebook,
        start_timeout=args.start_timeout,
    )


def run(args: argparse.Namespace, *, out: t.TextIO | None = None) -> int:
    """Run the demo until Ctrl-C or SIGTERM; return the exit status."""
    return Demo(options_from_args(args), out=out).run()


def main(argv: t.Sequence[str] | None = None) -> int:
    """Run ``tunel-globus demo`` on its own (``python -m tunel_jupyter.demo``)."""
    parser = argparse.ArgumentParser(prog="tunel-globus demo")
    add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        return run(args)
    except TunelError as err:
        print(f"Error: {err.message}", file=sys.stderr)
        return err.exit_code
