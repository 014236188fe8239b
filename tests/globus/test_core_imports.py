"""Import cost: the package and its Globus layer load no heavy dependency."""

from __future__ import annotations

import json
import subprocess
import sys

CHECK = """
import json, sys
heavy = ("globus_sdk", "tornado", "IPython")
import tunel_jupyter
after_package = sorted(m for m in heavy if m in sys.modules)
import tunel_jupyter.globus
from tunel_jupyter.globus import GlobusSession, split_endpoint_path
after_globus = sorted(m for m in heavy[1:] if m in sys.modules)
print(json.dumps({"package": after_package, "globus": after_globus}))
"""


def test_imports_stay_light() -> None:
    output = subprocess.run(
        [sys.executable, "-c", CHECK],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    loaded = json.loads(output)
    assert loaded["package"] == [], "import tunel_jupyter must stay cheap"
    assert loaded["globus"] == [], "the Globus layer must not load tornado or IPython"
