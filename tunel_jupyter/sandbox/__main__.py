"""``python -m tunel_jupyter.sandbox``: run the sandbox until interrupted."""

from __future__ import annotations

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
