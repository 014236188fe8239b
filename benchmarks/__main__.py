"""Run the benchmarks and print a table of medians and ratios.

Usage: ``python -m benchmarks [--quick] [--no-peers] [--json FILE] [--only CASE ...]``
from the repository root, after the README's install. See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

from . import cases
from .harness import Results
from .services import SandboxProcess, write_seed

CASES = {
    "startup": cases.startup,
    "endpoints": cases.endpoints,
    "browse": cases.browse,
    "submit": cases.submit,
    "storm": cases.storm,
    "memory": cases.memory,
}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="small seed and few repetitions, to check the benchmarks still run",
    )
    parser.add_argument(
        "--no-peers",
        action="store_true",
        help="skip globus-cli and globus-jupyterlab (their set-up needs the "
        "package index the first time)",
    )
    parser.add_argument("--json", type=Path, help="also write the rows to FILE")
    parser.add_argument(
        "--only", nargs="+", choices=sorted(CASES), help="run only these cases"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the work folder for inspection"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="tunel-benchmarks-"))
    generate = (
        {"public": 240, "my-endpoints": 150, "shared-with-me": 50}
        if args.quick
        else {"public": 1000, "my-endpoints": 1000, "shared-with-me": 1000}
    )
    seed = write_seed(workdir / "seed.json", generate=generate)
    sandbox = SandboxProcess(
        seed=seed, state_dir=workdir / "sandbox-state", root=workdir / "ours" / "root"
    )
    env = {
        **os.environ,
        **sandbox.env,
        "JUPYTER_DATA_DIR": str(workdir / "jupyter-data"),
        "HOME": str(workdir / "home"),
    }
    env.pop("GLOBUS_SDK_ENVIRONMENT", None)
    (workdir / "home").mkdir()
    os.environ.update(env)

    ctx = cases.Context(
        workdir=workdir,
        sandbox=sandbox,
        env=env,
        repeat=2 if args.quick else 5,
        startup_pairs=2 if args.quick else 10,
        submit_files=1000 if args.quick else 10000,
        peers=not (args.quick or args.no_peers),
    )
    results = Results()
    started = time.monotonic()
    try:
        login(ctx)
        for name, case in CASES.items():
            if args.only and name not in args.only:
                continue
            print(f"running {name} ...", file=sys.stderr, flush=True)
            case(ctx, results)
    finally:
        for server in ctx.servers.values():
            server.stop()
        sandbox.stop()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; "
        f"{'quick' if args.quick else 'full'} run in "
        f"{time.monotonic() - started:.0f} s"
    )
    print(results.table())
    for peer, reason in ctx.peer_notes.items():
        print(f"{peer}: {reason}")
    if args.json:
        cases.dump(results, args.json)
    return 0


def login(ctx: cases.Context) -> None:
    """Log the shared token store in to the sandbox, as a user would once."""
    from tunel_jupyter.globus import GlobusSession

    from .peers import authorize

    session = GlobusSession()
    request = session.start_login()
    session.finish_login(authorize(request.authorize_url), state=request.state)
    session.close()


if __name__ == "__main__":
    sys.exit(main())
