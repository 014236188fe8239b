"""``python -m tunel_jupyter.sandbox``: run the sandbox until interrupted."""

from __future__ import annotations

import argparse
import sys

from .cli import add_arguments, run


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tunel_jupyter.sandbox",
        description="Run the tunel-jupyter sandbox (local Globus Auth and Transfer).",
    )
    add_arguments(parser)
    return run(parser.parse_args())


if __name__ == "__main__":
    sys.exit(main())
