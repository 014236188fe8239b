"""The sandbox and demo commands, whose options live in their own packages.

Their modules start servers and import tornado, so they are imported only when
their command runs (or shows its help), never for other commands.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import types
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
        parser = commands.add_parser(name, help=help_text, description=help_text)
        if name != selected:
            continue
        module = _load(module_name)
        if module is None:
            parser.add_argument(
                "ignored", nargs=argparse.REMAINDER, help=argparse.SUPPRESS
            )
            parser.set_defaults(func=_unavailable(name, module_name))
            continue
        module.add_arguments(parser)
        parser.set_defaults(func=module.run)


def _load(module_name: str) -> types.ModuleType | None:
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as err:
        # Only the command's own module may be missing; a missing dependency
        # inside it is a broken installation and must surface as such.
        missing = err.name or ""
        if module_name == missing or module_name.startswith(missing + "."):
            return None
        raise


def _unavailable(name: str, module_name: str) -> t.Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        print(
            f"Error: the {name} command is not available in this installation "
            f"of tunel-jupyter ({module_name} is missing).",
            file=sys.stderr,
        )
        return 1

    return run
