"""``python -m tunel_jupyter.demo``: the same as ``tunel-globus demo``."""

from __future__ import annotations

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
