"""The sandbox and demo commands, whose options live in their own packages.

Their modules start servers and import tornado, so they are imported only when
their command runs (or shows its help), never for other commands.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import typing as t

EXTERNAL_COMMANDS = {
    "sandbox": (
        "tunel_jupyter.sandbox.cli",
        "run the local stand-in for Globus Auth and Transfer",
    ),
    "demo": (
        "tunel_jupyter.demo.cli",
        "start the sandbox and JupyterLab with demo data",
    ),
}


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    *,
    selected: str | None,
) -> None:
    """Add the external commands; load the options of ``selected`` only."""
    for name, (module_name, help_text) in EXTERNAL_COMMANDS.items():
        if name != selected:
            commands.add_parser(name, help=help_text, description=help_text)
            continue
        try:
            module = importlib.import_module(module_name)
        except ImportError as err:
            # Without its module the command has no options to check, so every
            # argument after its name is accepted and the error explains why.
            parser = commands.add_parser(
                name, help=help_text, prefix_chars="\0", add_help=False
            )
            parser.add_argument("ignored", nargs="*", help=argparse.SUPPRESS)
            parser.set_defaults(func=_unavailable(name, module_name, err))
            continue
        parser = commands.add_parser(name, help=help_text, description=help_text)
        module.add_arguments(parser)
        parser.set_defaults(func=module.run)


def _unavailable(
    name: str, module_name: str, error: ImportError
) -> t.Callable[[argparse.Namespace], int]:
    """Return a command that explains why ``module_name`` could not be imported."""
    missing = error.name or ""
    if module_name == missing or module_name.startswith(missing + "."):
        reason = f"{module_name} is not part of this installation"
    else:
        # A dependency of the command is missing or broken: name it, so the
        # user knows what to install.
        reason = f"importing {module_name} failed: {error}"

    def run(args: argparse.Namespace) -> int:
        print(f"Error: the {name} command is not available: {reason}.", file=sys.stderr)
        return 1

    return run
