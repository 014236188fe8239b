"""Run the command line as ``python -m tunel_jupyter.cli``."""

from __future__ import annotations

import sys

from . import main

sys.exit(main())
