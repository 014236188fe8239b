"""Commands that manage the Globus login: update-tokens (login), whoami, logout."""

from __future__ import annotations

import argparse
import contextlib
import os
import shlex
import sys
import typing as t

from ..errors import ConsentRequired, LoginRequired, UsageError
from .context import CLIENT_SECRET_VARIABLE, hint_command, open_session
from .endpoints import print_endpoint_table
from .output import print_json

if t.TYPE_CHECKING:
    from ..globus import GlobusSession, LoginRequest, LoginStatus

CODE_PROMPT = "Please enter the code you get after login here: "


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the login, whoami and logout commands."""
    login = commands.add_parser(
        "update-tokens",
        aliases=["login"],
        help="log in to Globus, or check that the stored login still works",
        description=(
            "Log in to Globus with a code you paste back, and store the tokens for "
            "the command line, the Jupyter server and every kernel. When the stored "
            "refresh token still works, say so and ask nothing."
        ),
    )
    login.add_argument(
        "--force",
        action="store_true",
        help="log in again even when the stored tokens work",
    )
    login.add_argument(
        "--no-browser",
        action="store_true",
        help="only print the login URL; never open a web browser",
    )
    login.add_argument(
        "--scope",
        dest="scopes",
        action="append",
        default=[],
        metavar="SCOPE",
        help="also consent to SCOPE (repeatable); commands print the scopes a "
        "collection needs",
    )
    login.add_argument(
        "--domain",
        dest="domains",
        action="append",
        default=[],
        metavar="DOMAIN",
        help="log in with an identity from DOMAIN, as a high-assurance collection "
        "requires (repeatable)",
    )
    login.add_argument(
        "--identity",
        dest="identities",
        action="append",
        default=[],
        metavar="ID",
        help="log in with this Globus identity (repeatable)",
    )
    login.add_argument(
        "--policy",
        dest="policies",
        action="append",
        default=[],
        metavar="ID",
        help="log in so that this Globus authentication policy is met (repeatable)",
    )
    login.add_argument(
        "--mfa", action="store_true", help="log in with multi-factor authentication"
    )
    login.set_defaults(func=run_login)

    whoami = commands.add_parser(
        "whoami",
        help="show the Globus identity you are logged in as",
        description="Show the Globus identity of the stored login, after checking "
        "that its refresh token still works.",
    )
    whoami.add_argument("--json", action="store_true", help="print JSON")
    whoami.set_defaults(func=run_whoami)

    logout = commands.add_parser(
        "logout",
        help="revoke the tokens at Globus and remove them from this computer",
        description="Revoke the stored tokens at Globus and remove them from this "
        "computer. When Globus cannot be reached, the tokens are still removed and "
        "the command says that the revocation failed (exit status 1).",
    )
    logout.set_defaults(func=run_logout)


def run_login(args: argparse.Namespace) -> int:
    """Log in with the paste flow unless the stored tokens still work."""
    session = open_session(args)
    if session.is_confidential:
        return _login_confidential(args, session)
    session_requirements = _session_requirements(args)
    wants_more = bool(args.scopes or session_requirements)

    if not args.force and not wants_more and _tokens_work(session):
        print("Your tokens are up to date.")
        return 0

    request = session.start_login(
        required_scopes=tuple(args.scopes),
        session_requirements=session_requirements or None,
    )
    paste_code(args, session, request, open_browser=not args.no_browser)

    print_endpoint_table(session)
    print("Tokens updated!")
    return 0


def _login_confidential(args: argparse.Namespace, session: GlobusSession) -> int:
    """Get tokens for a confidential client with its secret; no browser, no code."""
    if args.scopes or _session_requirements(args):
        raise UsageError(
            "A confidential client gets its tokens with its secret, so --scope, "
            "--domain, --identity, --policy and --mfa do not apply; unset "
            f"{CLIENT_SECRET_VARIABLE} to log in as a person.",
            field="client_secret",
        )
    status = session.check()
    if not status.logged_in:
        raise LoginRequired(status.reason or "Globus issued no tokens to the client.")

    print_endpoint_table(session)
    print("Tokens updated!")
    return 0


def consent_at_terminal(args: argparse.Namespace, error: ConsentRequired) -> None:
    """Log in again with the consent ``error`` requires, prompting on the terminal.

    The prompts go to stderr, so stdout keeps only the command's own output.
    """
    session = open_session(args)
    request = session.consent_login(error)
    paste_code(args, session, request, open_browser=True, stream=sys.stderr)
    print("Consent given; running the command again.", file=sys.stderr)


def paste_code(
    args: argparse.Namespace,
    session: GlobusSession,
    request: LoginRequest,
    *,
    open_browser: bool,
    stream: t.TextIO | None = None,
) -> None:
    """Show the login URL, read the code the user pastes, and finish the login."""
    stream = stream or sys.stdout
    print(f"Please go to this URL and login: {request.authorize_url}", file=stream)
    stream.flush()
    if open_browser:
        _open_browser(request.authorize_url)
    code = _read_code(args, stream)
    session.finish_login(code, state=request.state)


def _session_requirements(args: argparse.Namespace) -> dict[str, t.Any]:
    requirements: dict[str, t.Any] = {}
    if args.domains:
        requirements["session_required_single_domain"] = list(args.domains)
    if args.identities:
        requirements["session_required_identities"] = list(args.identities)
    if args.policies:
        requirements["session_required_policies"] = list(args.policies)
    if args.mfa:
        requirements["session_required_mfa"] = True
    return requirements


def _tokens_work(session: GlobusSession) -> bool:
    """Return whether the stored refresh token still gets tokens from Globus."""
    try:
        status = session.check()
    except LoginRequired as err:
        reason: str | None = err.message
    else:
        if status.logged_in:
            return True
        reason = status.reason
    # "Not logged in ..." is the plain first-login case: nothing to explain. Other
    # reasons (a revoked token, a corrupt store moved aside) are news to the user.
    if reason and not reason.startswith("Not logged in"):
        print(f"Your stored login no longer works: {reason}", file=sys.stderr)
    return False


def _read_code(args: argparse.Namespace, stream: t.TextIO) -> str:
    """Read the authorization code from a terminal or a pipe; skip blank lines."""
    # A closed stdin (``<&-``) leaves sys.stdin as None: treat it as empty input.
    stdin = sys.stdin
    interactive = stdin is not None and stdin.isatty()
    while True:
        stream.write(CODE_PROMPT)
        stream.flush()
        line = stdin.readline() if stdin is not None else ""
        if not line:
            # Ctrl-D at a terminal echoes no newline, so end the prompt's line
            # here too, before the error.
            print(file=stream, flush=True)
            raise UsageError(
                "No code was entered: the input ended before a login code was read. "
                "Open the URL above, log in, and paste the code it shows into "
                f"'{hint_command(args, 'login')}'.",
                field="code",
            )
        if not interactive:
            # Nothing echoes a piped line, so end the prompt's line here.
            print(file=stream)
        code = line.strip()
        if code:
            return code


def _open_browser(url: str) -> None:
    """Open ``url`` in a web browser when this session can show one."""
    if not _can_open_browser():
        return
    import webbrowser

    # The URL is printed already, so a browser that fails to start costs nothing.
    with contextlib.suppress(webbrowser.Error):
        webbrowser.open(url, new=2)


def _can_open_browser() -> bool:
    # A browser started on the far side of an SSH session would open on the
    # wrong screen, and without a display webbrowser falls back to text
    # browsers that would take over this terminal.
    if os.environ.get("SSH_CONNECTION") or os.environ.get("SSH_TTY"):
        return False
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def consent_hint(args: argparse.Namespace, error: ConsentRequired) -> str:
    """Return the ``login`` command that grants what ``error`` reports as missing."""
    words = ["login"]
    for scope in error.required_scopes:
        words += ["--scope", scope]
    requirements = error.session_requirements
    flags = (
        ("session_required_single_domain", "--domain"),
        ("session_required_identities", "--identity"),
        ("session_required_policies", "--policy"),
    )
    for key, flag in flags:
        values = requirements.get(key) or []
        if isinstance(values, str):
            values = values.split(",")
        for value in values:
            words += [flag, value]
    if requirements.get("session_required_mfa"):
        words.append("--mfa")
    return hint_command(args, shlex.join(words))


def run_whoami(args: argparse.Namespace) -> int:
    """Print the identity of the stored login."""
    status = _checked_status(args)
    identity = status.identity
    if args.json:
        print_json(identity.to_dict() if identity is not None else None)
        return 0
    if identity is None:
        print("Logged in, but no identity is stored with the login.")
        return 0
    print(identity.username)
    for label, value in (("Name", identity.name), ("Email", identity.email)):
        if value:
            print(f"{label}: {value}")
    print(f"ID: {identity.id}")
    return 0


def _checked_status(args: argparse.Namespace) -> LoginStatus:
    status = open_session(args).check()
    if not status.logged_in:
        reason = status.reason or "You are not logged in to Globus."
        raise LoginRequired(reason)
    return status


def run_logout(args: argparse.Namespace) -> int:
    """Revoke and remove the stored tokens."""
    session = open_session(args)
    # A login Globus stopped accepting still has tokens (and an identity) to remove.
    status = session.status()
    had_tokens = status.logged_in or status.identity is not None

    revoked = session.logout()
    if revoked:
        print("Logged out: Globus revoked your tokens and they were removed.")
        return 0
    if not had_tokens:
        print("You were not logged in; there were no tokens to remove.")
        return 0
    print("Removed your tokens from this computer.")
    print(
        "Error: revoking them at Globus failed (Globus could not be reached or "
        "refused), so they stay valid until they expire. To end them now, revoke "
        "this app's consent in your Globus account settings.",
        file=sys.stderr,
    )
    return 1
