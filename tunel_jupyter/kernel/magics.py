"""The ``%globus`` line magic, loaded with ``%load_ext tunel_jupyter``."""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import shlex
import sys
import typing as t

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_magic, magics_class
from traitlets import Float, Int, Unicode, observe

from tunel_jupyter import errors

from .failures import consent_arguments, describe_error

if t.TYPE_CHECKING:
    from IPython.core.interactiveshell import InteractiveShell

    from . import api
else:

    class _FirstUse:
        """A module imported when one of its attributes is first read."""

        def __init__(self, name: str) -> None:
            self._name = name

        def __getattr__(self, attribute: str) -> t.Any:
            return getattr(importlib.import_module(self._name), attribute)

    # Imported on first use, so %load_ext imports neither the Globus core nor
    # globus-sdk.
    api = _FirstUse("tunel_jupyter.kernel.api")

log = logging.getLogger(__name__)
# globus-sdk's variable for the Auth URL. Its named environments all run on
# Globus's own hosts, so without this variable the sandbox is not in use.
AUTH_URL_VARIABLE = "GLOBUS_SDK_SERVICE_URL_AUTH"


class _HelpShown(Exception):
    """argparse printed help and would have exited; the magic returns instead."""


class _MagicArgumentParser(argparse.ArgumentParser):
    """An argparse parser that raises IPython's ``UsageError`` instead of exiting."""

    def error(self, message: str) -> t.NoReturn:
        raise UsageError(f"{self.prog}: {message}. Run {self.prog} --help for usage.")

    def exit(self, status: int = 0, message: str | None = None) -> t.NoReturn:
        if status:
            raise UsageError(f"{self.prog}: {(message or 'invalid arguments').strip()}")
        raise _HelpShown()


def build_parser() -> argparse.ArgumentParser:
    """Build the parser of ``%globus`` and its subcommands."""
    parser = _MagicArgumentParser(prog="%globus", description="Use Globus.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    login = commands.add_parser("login", help="log in to Globus (paste flow)")
    login.add_argument("code", nargs="?", help="the code shown after Allow")
    login.add_argument(
        "--force", action="store_true", help="log in again even if logged in"
    )
    commands.add_parser("logout", help="revoke and remove the stored tokens")
    commands.add_parser("whoami", help="show who is logged in")

    endpoints = commands.add_parser("endpoints", help="list endpoints by scope")
    endpoints.add_argument(
        "--scope",
        action="append",
        choices=api.ENDPOINT_SCOPES,
        help="scope to list; repeat for several (default: my-endpoints and "
        "shared-with-me; with --search: all)",
    )
    endpoints.add_argument(
        "--search", help="full-text filter; without --scope, searches all endpoints"
    )

    ls = commands.add_parser("ls", help="list a folder: ENDPOINT:PATH")
    ls.add_argument("target", metavar="ENDPOINT:PATH")
    ls.add_argument("-a", "--all", action="store_true", help="include hidden entries")
    ls.add_argument("--limit", type=_positive_int, help="entries per page")
    ls.add_argument("--offset", type=_positive_int, default=0, help="first entry")

    transfer = commands.add_parser("transfer", help="start a transfer")
    transfer.add_argument("source", metavar="SOURCE_ENDPOINT:PATH")
    transfer.add_argument("destination", metavar="DEST_ENDPOINT:PATH")
    transfer.add_argument(
        "-r", "--recursive", action="store_true", help="copy a folder"
    )
    transfer.add_argument("--label", help="label shown in the task list")
    transfer.add_argument(
        "--sync-level", choices=api.SYNC_LEVELS, help="skip files already there"
    )
    transfer.add_argument(
        "--verify-checksum", action="store_true", help="compare checksums"
    )
    transfer.add_argument(
        "--preserve-timestamp", action="store_true", help="keep modification times"
    )

    tasks = commands.add_parser("tasks", help="list recent tasks")
    tasks.add_argument("--limit", type=_positive_int, default=20)
    task = commands.add_parser("task", help="show one task")
    task.add_argument("task_id", metavar="ID")
    wait = commands.add_parser("wait", help="wait until a task ends")
    wait.add_argument("task_id", metavar="ID")
    wait.add_argument("--timeout", type=float, help="seconds to wait at most")
    cancel = commands.add_parser("cancel", help="cancel a task")
    cancel.add_argument("task_id", metavar="ID")
    commands.add_parser("panel", help="open the Globus panel")
    return parser


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = -1
    if number < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {value!r}")
    return number


@magics_class
class GlobusMagics(Magics):
    """The ``%globus`` magic; its traits are options settable in IPython's config."""

    client_id = Unicode(
        None,
        allow_none=True,
        help="""Client ID of the Globus native app to log in with. None uses
        TUNEL_GLOBUS_CLIENT_ID, then the client ID stored with the tokens.""",
    ).tag(config=True)

    ls_page_size = Int(
        1000,
        help="""Entries %globus ls fetches per page when --limit is not given.
        Larger folders show one page and the command for the next.""",
    ).tag(config=True)

    polling_interval = Float(
        2.0, help="Seconds between two status requests while %globus wait runs."
    ).tag(config=True)

    wait_timeout = Float(
        None,
        allow_none=True,
        help="""Seconds %globus wait waits when --timeout is not given; None waits
        until the task ends.""",
    ).tag(config=True)

    def __init__(self, shell: InteractiveShell | None = None, **kwargs: t.Any) -> None:
        super().__init__(shell=shell, **kwargs)
        self._parser: argparse.ArgumentParser | None = None
        self._noticed_environments: set[str] = set()
        if self.client_id:
            # Without a client ID there is nothing to set, and api stays unloaded.
            api.configure(client_id=self.client_id)

    @property
    def parser(self) -> argparse.ArgumentParser:
        """The parser of ``%globus``, built on first use."""
        if self._parser is None:
            self._parser = build_parser()
        return self._parser

    @observe("client_id")
    def _client_id_changed(self, change: dict[str, t.Any]) -> None:
        api.configure(client_id=change["new"])

    @line_magic
    def globus(self, line: str) -> t.Any:
        """Use Globus from a notebook: log in, list endpoints, browse, transfer.

        Usage::

          %globus login              show the login link and a box for the code
          %globus login CODE         finish the login with the code Globus showed
          %globus whoami             show who is logged in
          %globus logout             revoke and remove the stored tokens
          %globus endpoints [--scope SCOPE ...] [--search TEXT]
          %globus ls ENDPOINT:PATH [-a] [--limit N] [--offset N]
          %globus transfer SOURCE_ENDPOINT:PATH DEST_ENDPOINT:PATH [-r]
                  [--label TEXT] [--sync-level exists|size|mtime|checksum]
                  [--verify-checksum] [--preserve-timestamp]
          %globus tasks [--limit N]  list recent tasks
          %globus task ID            show one task
          %globus wait ID [--timeout SECONDS]
          %globus cancel ID
          %globus panel              open the Globus panel

        Endpoints are UUIDs or unique display names. Scopes: my-endpoints,
        shared-with-me, recently-used, my-gcp-endpoints, in-use, shared-by-me,
        administered-by-me, all. Run ``%globus COMMAND --help`` for a command's
        options. Results are values: keep them in a variable.

        Examples::

          %globus login
          eps = %globus endpoints --scope my-endpoints --scope shared-with-me
          %globus ls "my-laptop:/home/ada/run 1"
          task = %globus transfer my-laptop:/home/ada/run1 hpc:/scratch/run1 -r
          task.wait()
          task = %globus transfer lab:/data/a.h5 hpc:/scratch/ --label "one file"
          task.wait()
          %globus wait {task.task_id}

        Python variables expand in the line (``{name}`` or ``$name``). Globus
        failures print the status, the code, the message and what to do; run
        ``%tb`` for the traceback.
        """
        try:
            args = self.parser.parse_args(_protect_login_code(_split(line)))
        except _HelpShown:
            return None
        if args.command is None:
            self.parser.print_help()
            return None

        self._print_notice()
        try:
            return getattr(self, f"_run_{args.command}")(args)
        except errors.UsageError as error:
            raise UsageError(error.message) from error
        except errors.TunelError as error:
            self._report(error)
            return None
        except KeyboardInterrupt:
            if args.command == "wait":
                print("Stopped waiting; the task goes on at Globus.", file=sys.stderr)
            raise

    def _print_notice(self) -> None:
        if not os.environ.get(AUTH_URL_VARIABLE):
            return
        from tunel_jupyter.globus.environment import Environment

        from .display import sandbox_notice

        environment = Environment.current()
        notice = sandbox_notice(environment)
        if notice and environment.auth_url not in self._noticed_environments:
            self._noticed_environments.add(environment.auth_url)
            print(notice)

    def _report(self, error: errors.TunelError) -> None:
        # Keep the exception where %tb looks for it, as if it had reached the shell.
        sys.last_type, sys.last_value = type(error), error
        sys.last_traceback = error.__traceback__
        if sys.version_info >= (3, 12):
            sys.last_exc = error

        log.debug("%%globus failed with %s", error.code)
        print("\n".join(describe_error(error)), file=sys.stderr)
        print("Run %tb for the traceback.", file=sys.stderr)

        arguments = consent_arguments(error)
        if arguments is None:
            return
        from IPython.display import display

        try:
            prompt = api.start_login(**arguments)
        except errors.TunelError as login_error:
            print("\n".join(describe_error(login_error)), file=sys.stderr)
            return
        display(prompt)  # type: ignore[no-untyped-call]

    def _run_login(self, args: argparse.Namespace) -> t.Any:
        return api.login(args.code, force=args.force)

    def _run_logout(self, args: argparse.Namespace) -> None:
        confirmed = api.logout()
        if confirmed:
            print("Logged out: Globus revoked the tokens and they were removed here.")
        else:
            print(
                "Logged out here, but Globus did not confirm the revocation; the "
                "tokens were removed from this computer anyway."
            )

    def _run_whoami(self, args: argparse.Namespace) -> t.Any:
        return api.whoami()

    def _run_endpoints(self, args: argparse.Namespace) -> t.Any:
        # The same rule as tunel-globus endpoints: a search without a scope looks
        # at every endpoint the user can see.
        search = args.search.strip() if args.search else None
        if args.scope:
            scopes: tuple[str, ...] = tuple(dict.fromkeys(args.scope))
        elif search:
            scopes = ("all",)
        else:
            scopes = api.DEFAULT_SCOPES
        return api.endpoints(scopes, search=search)

    def _run_ls(self, args: argparse.Namespace) -> t.Any:
        limit = args.limit if args.limit is not None else self.ls_page_size
        return api.ls(
            args.target, show_hidden=args.all, limit=limit, offset=args.offset
        )

    def _run_transfer(self, args: argparse.Namespace) -> t.Any:
        return api.transfer(
            args.source,
            args.destination,
            recursive=args.recursive,
            label=args.label,
            sync_level=args.sync_level,
            verify_checksum=args.verify_checksum,
            preserve_timestamp=args.preserve_timestamp,
        )

    def _run_tasks(self, args: argparse.Namespace) -> t.Any:
        return api.tasks(limit=args.limit)

    def _run_task(self, args: argparse.Namespace) -> t.Any:
        return api.task(args.task_id)

    def _run_wait(self, args: argparse.Namespace) -> t.Any:
        timeout = args.timeout if args.timeout is not None else self.wait_timeout
        try:
            return api.wait(
                args.task_id, timeout, polling_interval=self.polling_interval
            )
        except errors.LoginRequired as error:
            from .task import LoginEnded

            if not isinstance(error, LoginEnded):
                raise
            raise LoginEnded(error.task_id, f"%globus wait {error.task_id}") from None

    def _run_cancel(self, args: argparse.Namespace) -> None:
        print(api.cancel(args.task_id))

    def _run_panel(self, args: argparse.Namespace) -> t.Any:
        from .panel import GlobusPanel

        return GlobusPanel()


def _split(line: str) -> list[str]:
    try:
        return shlex.split(line)
    except ValueError as error:
        # A login line may carry a code, which no message may show.
        shown = "the login line" if line.lstrip().startswith("login") else repr(line)
        raise UsageError(f"%globus: cannot parse {shown}: {error}.") from error


_LOGIN_OPTIONS = ("--force", "-h", "--help")


def _protect_login_code(words: list[str]) -> list[str]:
    # Login codes may start with "-", which argparse would read as an option.
    if not words or words[0] != "login":
        return words
    options = [word for word in words[1:] if word in _LOGIN_OPTIONS]
    others = [word for word in words[1:] if word not in (*_LOGIN_OPTIONS, "--")]
    if len(others) > 1:
        # Never echo the words: one of them may be the code.
        raise UsageError(
            f"%globus login: expected one code, got {len(others)} words. "
            "Run %globus login --help for usage."
        )
    return ["login", *options, "--", *others]


def load_ipython_extension(ipython: InteractiveShell) -> None:
    """Register ``%globus`` and print a notice when the sandbox is in use."""
    magics = GlobusMagics(shell=ipython, config=ipython.config)
    ipython.register_magics(magics)
    # Listed here, %config shows and changes the traits (%config GlobusMagics).
    ipython.configurables.append(magics)  # type: ignore[arg-type]
    magics._print_notice()
