"""The ``tunel-globus`` command line, also installed as ``jupyter-globus``.

``main`` builds the argument parser, runs one command, and turns every error of
``tunel_jupyter.errors`` into one or two lines on stderr and the error's exit
status. Importing this package loads neither globus-sdk nor tornado: commands
import the Globus layer when they run.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import typing as t

from .._version import __version__
from ..errors import (
    ConsentRequired,
    GlobusFailure,
    LoginRequired,
    NotFound,
    PermissionDenied,
    TunelError,
)
from .arguments import non_negative_int

__all__ = ["main"]

log = logging.getLogger(__name__)

EXIT_STATUS_HELP = """\
exit status:
  0    success
  1    Globus or network failure, not found, permission denied, a task that
       ended FAILED, or a logout whose revocation at Globus failed
  2    usage error: invalid arguments or input, or no code entered at the
       login prompt
  3    login or consent required; the message says how to log in
  4    'wait' (or --wait) timed out while the task is still active
  130  interrupted (Ctrl-C)
  141  the reader of the output exited early (as with '| head'); the
       command stops without a message, as Unix tools that SIGPIPE ends do
"""

ENDPOINT_HELP = """\
Endpoints are named by UUID or by an exact display name. ENDPOINT:PATH splits
at the first ':' followed by '/' or '~', so names with a colon work.
"""

# 128 + SIGPIPE, the status a shell reports for a tool that SIGPIPE ended.
EXIT_BROKEN_PIPE = 128 + 13

# The token store's logger for tightened permissions (globus/store.py).
PERMISSIONS_LOGGER = "tunel_jupyter.globus.store.permissions"

# Options of the main parser that take a value, so the command is not mistaken
# for that value when looking for the command's name.
_VALUE_OPTIONS = ("--client-id", "--max-retries")


def main(argv: t.Sequence[str] | None = None) -> int:
    """Run one ``tunel-globus`` command and return its exit status."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    prog = _program_name()
    command = _find_command(arguments)
    parser = build_parser(prog, selected=command)
    try:
        args = parser.parse_args(arguments)
    except SystemExit as exit:
        # argparse exits 0 after --help and 2 on a usage error.
        return exit.code if isinstance(exit.code, int) else 2

    _configure_logging(args.verbose)
    if getattr(args, "func", None) is None:
        parser.print_help(sys.stderr)
        return 2
    args.prog = prog
    args.command = command
    args.session = None
    status = _run(args)
    try:
        # Output still buffered would otherwise meet a closed pipe at exit,
        # where Python prints a complaint about it.
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    return status


def build_parser(prog: str, *, selected: str | None = None) -> argparse.ArgumentParser:
    """Build the parser with every command; ``selected`` names the command to run."""
    from . import endpoints, external, files, login, tasks, transfer

    parser = argparse.ArgumentParser(
        prog=prog,
        description="Log in to Globus once, then list endpoints, browse, move data "
        "and follow tasks. The tokens are shared with the tunel-jupyter server "
        "extension and kernels.",
        epilog=EXIT_STATUS_HELP + "\n" + ENDPOINT_HELP,
        formatter_class=HelpFormatter,
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__}"
    )
    parser.add_argument(
        "--client-id",
        metavar="ID",
        help="the Globus native app client ID to log in with (default: "
        "$TUNEL_GLOBUS_CLIENT_ID, then the one stored at the last login)",
    )
    parser.add_argument(
        "--max-retries",
        type=non_negative_int,
        metavar="N",
        help="retry a Globus request that failed on the network or with a "
        "temporary error up to N times (default: globus-sdk's 5)",
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="log what happens on stderr (-vv for debug detail and tracebacks)",
    )

    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    login.register(commands)
    endpoints.register(commands)
    files.register(commands)
    transfer.register(commands)
    tasks.register(commands)
    external.register(commands, selected=selected)

    for subparser in commands.choices.values():
        if subparser.epilog is None:
            subparser.epilog = EXIT_STATUS_HELP
        subparser.formatter_class = HelpFormatter
    return parser


class HelpFormatter(argparse.HelpFormatter):
    """Wrap prose paragraphs, but keep paragraphs with indented lines as written.

    The exit status table is such a paragraph; the default formatter would run
    its rows together.
    """

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        paragraphs = []
        for paragraph in text.strip("\n").split("\n\n"):
            lines = paragraph.splitlines()
            if any(line.startswith(" ") for line in lines):
                paragraphs.append("\n".join(indent + line for line in lines))
            else:
                paragraphs.append(super()._fill_text(paragraph, width, indent))
        return "\n\n".join(paragraphs)


def _configure_logging(verbose: int) -> None:
    if verbose:
        logging.basicConfig(
            level=logging.DEBUG if verbose > 1 else logging.INFO,
            format="%(levelname)s %(name)s: %(message)s",
        )
        return
    # Every failure reaches the user as an error message of this module, so
    # library log records would only repeat it. Without any handler, Python's
    # last-resort handler would print WARNING records on stderr.
    logging.getLogger().addHandler(logging.NullHandler())
    # Tightened token store permissions are no failure, and the user should know.
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("Warning: %(message)s"))
    logging.getLogger(PERMISSIONS_LOGGER).addHandler(handler)


def _program_name() -> str:
    name = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    if name.startswith("jupyter-globus"):
        return "jupyter globus"
    return "tunel-globus"


def _find_command(arguments: t.Sequence[str]) -> str | None:
    skip_next = False
    for argument in arguments:
        if skip_next:
            skip_next = False
        elif argument in _VALUE_OPTIONS:
            skip_next = True
        elif not argument.startswith("-"):
            return argument
    return None


def _run(args: argparse.Namespace) -> int:
    try:
        return _run_with_consent(args)
    except KeyboardInterrupt:
        print("\nInterrupted.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader of stdout exited (`| head`), so write nothing more to it.
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except TunelError as err:
        _report_error(args, err)
        return err.exit_code
    except Exception as err:
        # The one place that catches everything: a bug must not greet the user
        # with a traceback, but -vv shows it.
        log.debug("Unexpected error", exc_info=True)
        print(f"Error: unexpected {type(err).__name__}: {err}", file=sys.stderr)
        if args.verbose < 2:
            print(f"Run '{args.prog} -vv ...' to see the traceback.", file=sys.stderr)
        return 1


def _run_with_consent(args: argparse.Namespace) -> int:
    """Run the command; at a terminal, a missing consent is given and the command rerun.

    Without a terminal (scripts, pipes) the ConsentRequired error ends the command
    with exit status 3 and the login command that gives the consent.
    """
    func: t.Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except ConsentRequired as err:
        if not (sys.stdin and sys.stdin.isatty() and sys.stderr.isatty()):
            raise
        from .login import consent_at_terminal

        print(f"Error: {err.message}", file=sys.stderr)
        consent_at_terminal(args, err)
    return func(args)


def _report_error(args: argparse.Namespace, err: TunelError) -> None:
    log.debug("Command failed", exc_info=True)
    lines = [line for line in err.message.splitlines() if line.strip()]
    from_globus = isinstance(err, (GlobusFailure, NotFound, PermissionDenied))
    if from_globus and len(lines) > 1 and not args.verbose:
        # Globus's messages can run to several lines (endpoint, server, file,
        # details), and the first one names what failed. Our own messages, such
        # as login steps or a log excerpt, keep every line.
        print(f"Error: {lines[0]}", file=sys.stderr)
        print(_full_message_hint(args, err), file=sys.stderr)
        return
    print(f"Error: {err.message.rstrip()}", file=sys.stderr)
    if isinstance(err, ConsentRequired):
        from .login import consent_hint

        if err.login_url:
            print(f"Login URL: {err.login_url}", file=sys.stderr)
        if err.required_scopes:
            what = "To consent and store the new tokens, run"
        else:
            what = "To log in again as required, run"
        print(f"{what}: {consent_hint(args, err)}", file=sys.stderr)
    elif isinstance(err, LoginRequired) and "login`" not in err.message:
        # The core's messages usually name the command already.
        print(f"Log in again with: {args.prog} login", file=sys.stderr)
    elif (
        isinstance(err, GlobusFailure)
        and err.request_id
        and err.request_id not in err.message
    ):
        print(f"Globus request ID: {err.request_id}", file=sys.stderr)


def _full_message_hint(args: argparse.Namespace, err: TunelError) -> str:
    """Return the hint line for seeing the rest of a long error message."""
    hint = f"For the full message, run the command with -v: {args.prog} -v"
    if args.command:
        hint += f" {args.command} ..."
    if isinstance(err, GlobusFailure) and err.request_id:
        hint += f" (Globus request ID: {err.request_id})"
    return hint


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except OSError:
        pass
