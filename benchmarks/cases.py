"""The benchmark cases; each adds rows to the results, with its baseline first."""

from __future__ import annotations

import concurrent.futures
import contextlib
import dataclasses
import json
import math
import subprocess
import sys
import typing as t
from pathlib import Path

from . import peers
from .harness import Results, Row, measure, median, percentile
from .services import BIN, JupyterServer, SandboxProcess

BULK_COLLECTION = "0b5c4a8e-6f0e-4c3a-9d5e-2f1a7b8c9d04"
BULK_PATH = "/many"
API = "tunel/globus/"
SCOPES = ("my-endpoints", "shared-with-me")


@dataclasses.dataclass
class Context:
    """Shared state of the cases: the sandbox, the environment, the run's sizes."""

    workdir: Path
    sandbox: SandboxProcess
    env: dict[str, str]
    repeat: int
    startup_pairs: int
    submit_files: int
    peers: bool
    servers: dict[str, JupyterServer] = dataclasses.field(default_factory=dict)
    sdk_token: str = ""
    peer_notes: dict[str, str] = dataclasses.field(default_factory=dict)
    globus_cli_login: tuple[Path, dict[str, str]] | None = None

    def globus_cli(self) -> tuple[Path, dict[str, str]]:
        """Install and log in globus-cli once per run; return it and its env."""
        if self.globus_cli_login is None:
            home = self.workdir / "globus-cli-home"
            self.globus_cli_login = peers.globus_cli(self.env, home)
        return self.globus_cli_login

    def server(self, name: str, **kwargs: t.Any) -> JupyterServer:
        """Start (once) a Jupyter server named ``name`` and wait until it responds."""
        if name not in self.servers:
            server = JupyterServer(workdir=self.workdir / name, env=self.env, **kwargs)
            server.wait_ready()
            self.servers[name] = server
        return self.servers[name]

    def transfer_client(self) -> t.Any:
        import globus_sdk

        if not self.sdk_token:
            self.sdk_token = peers.sdk_transfer_token(
                self.env["TUNEL_GLOBUS_CLIENT_ID"]
            )
        return globus_sdk.TransferClient(
            authorizer=globus_sdk.AccessTokenAuthorizer(self.sdk_token)
        )


def run_command(command: t.Sequence[str], env: dict[str, str]) -> str:
    result = subprocess.run(
        list(command), env=env, capture_output=True, text=True, timeout=600
    )
    if result.returncode != 0:
        name = " ".join(command[:3])
        raise RuntimeError(f"{name} exited {result.returncode}: {result.stderr[-500:]}")
    return result.stdout


def ms(samples: t.Sequence[float]) -> float:
    return median(samples) * 1000


# 1. Start-up


def startup(ctx: Context, results: Results) -> None:
    case = "1 start-up"
    plain: list[float] = []
    ours: list[float] = []
    for pair in range(ctx.startup_pairs):
        # Alternate which server starts first, so warm file caches favour neither.
        order = (False, True) if pair % 2 == 0 else (True, False)
        for extension in order:
            server = JupyterServer(
                workdir=ctx.workdir / f"startup-{pair}-{extension}",
                env=ctx.env,
                extension=extension,
            )
            try:
                (ours if extension else plain).append(server.wait_ready())
            finally:
                server.stop()
    results.add(Row(case, "jupyter server without tunel-jupyter", ms(plain)))
    row = results.add(
        Row(
            case,
            "jupyter server with tunel-jupyter",
            ms(ours),
            baseline="jupyter server without tunel-jupyter",
            target="<= 1.05x",
            note=f"{len(ours)} paired runs",
        )
    )
    row.met = row.ratio is not None and row.ratio <= 1.05

    python = [sys.executable, "-c"]
    bare = measure(
        lambda: run_command([*python, "pass"], ctx.env), repeat=ctx.repeat * 4
    )
    imported = measure(
        lambda: run_command([*python, "import tunel_jupyter"], ctx.env),
        repeat=ctx.repeat * 4,
    )
    results.add(Row(case, "python -c pass", ms(bare)))
    added = ms(imported) - ms(bare)
    results.add(
        Row(
            case,
            "import tunel_jupyter (added)",
            added,
            target="< 20 ms",
            met=added < 20,
            note="difference of medians against python -c pass",
        )
    )

    load = (
        "import time\n"
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "shell = InteractiveShell.instance()\n"
        "start = time.perf_counter()\n"
        "shell.run_line_magic('load_ext', 'tunel_jupyter')\n"
        "print(time.perf_counter() - start)\n"
    )
    loads = [
        float(run_command([*python, load], ctx.env).strip().splitlines()[-1])
        for _ in range(ctx.repeat * 2)
    ]
    results.add(
        Row(
            case,
            "%load_ext tunel_jupyter",
            ms(loads),
            target="< 100 ms",
            met=ms(loads) < 100,
            note="in a fresh IPython shell",
        )
    )


# 2. Endpoints


def page_endpoints_rest(server: JupyterServer, scopes: t.Sequence[str] = SCOPES) -> int:
    """Page through ``scopes`` with our REST API; return the number of records."""
    count = 0
    for scope in scopes:
        offset: int | None = 0
        while offset is not None:
            response = server.api(
                "GET",
                API + "endpoints",
                params={"scope": scope, "limit": 100, "offset": offset},
            )
            response.raise_for_status()
            body = response.json()
            count += len(body["records"])
            offset = body.get("next_offset") if body.get("has_next_page") else None
    return count


def page_endpoints_sdk(tc: t.Any) -> int:
    count = 0
    for scope in SCOPES:
        pages = tc.paginated.endpoint_search(filter_scope=scope, limit=100)
        count += sum(1 for _ in pages.items())
    return count


def scope_counts(tc: t.Any) -> list[int]:
    """Return how many endpoints each scope has."""
    return [
        sum(1 for _ in tc.paginated.endpoint_search(filter_scope=scope).items())
        for scope in SCOPES
    ]


SDK_SCRIPT = """
import os, sys, globus_sdk
tc = globus_sdk.TransferClient(authorizer=globus_sdk.AccessTokenAuthorizer(sys.argv[1]))
for scope in ("my-endpoints", "shared-with-me"):
    sum(1 for _ in tc.paginated.endpoint_search(filter_scope=scope, limit=100).items())
"""


def endpoints(ctx: Context, results: Results) -> None:
    case = "2 endpoints"
    tc = ctx.transfer_client()
    expected = page_endpoints_sdk(tc)
    sdk = measure(lambda: page_endpoints_sdk(tc), repeat=ctx.repeat)
    results.add(
        Row(case, "bare SDK paginated (floor)", ms(sdk), note=f"{expected} records")
    )

    cold_server = ctx.server(
        "cold", extra_args=["--TunelGlobus.endpoint_cache_seconds=0"]
    )
    got = page_endpoints_rest(cold_server)
    cold = measure(lambda: page_endpoints_rest(cold_server), repeat=ctx.repeat)
    row = results.add(
        Row(
            case,
            "REST API, cold",
            ms(cold),
            baseline="bare SDK paginated (floor)",
            target="<= 1.15x",
            note=f"{got} records; cache off",
        )
    )
    row.met = row.ratio is not None and row.ratio <= 1.15

    warm_server = ctx.server("ours")
    page_endpoints_rest(warm_server)
    warm = measure(lambda: page_endpoints_rest(warm_server), repeat=ctx.repeat)
    row = results.add(
        Row(
            case,
            "REST API, warm",
            ms(warm),
            baseline="bare SDK paginated (floor)",
            target="< 0.05x",
        )
    )
    row.met = row.ratio is not None and row.ratio < 0.05

    # The same number of requests to Jupyter's own cheapest route, the least any
    # extension route costs through this client on this machine.
    pages = sum(math.ceil(count / 100) for count in scope_counts(tc))

    def jupyter_floor() -> None:
        for _ in range(pages):
            warm_server.api("GET", "api/status").raise_for_status()

    floor = measure(jupyter_floor, repeat=ctx.repeat)
    results.add(
        Row(
            case,
            "Jupyter's GET api/status, as many requests",
            ms(floor),
            baseline="bare SDK paginated (floor)",
            note="the HTTP floor of any REST route",
        )
    )

    script = measure(
        lambda: run_command([sys.executable, "-c", SDK_SCRIPT, ctx.sdk_token], ctx.env),
        repeat=ctx.repeat,
    )
    results.add(Row(case, "bare SDK script (process)", ms(script)))
    command = [str(BIN / "tunel-globus"), "endpoints", "--json"]
    command += [arg for scope in SCOPES for arg in ("--scope", scope)]
    cli = measure(lambda: run_command(command, ctx.env), repeat=ctx.repeat)
    results.add(
        Row(
            case,
            "tunel-globus endpoints",
            ms(cli),
            baseline="bare SDK script (process)",
        )
    )

    if ctx.peers:
        globus_cli_endpoints(ctx, results, case)
        globus_jupyterlab_endpoints(ctx, results, case)


def globus_cli_endpoints(ctx: Context, results: Results, case: str) -> None:
    try:
        globus, env = ctx.globus_cli()
    except (RuntimeError, subprocess.SubprocessError, OSError) as err:
        ctx.peer_notes["globus-cli"] = str(err)
        results.add(Row(case, "globus endpoint search", None, note=f"not run: {err}"))
        return

    def search() -> None:
        for scope in SCOPES:
            run_command(
                [
                    str(globus),
                    "endpoint",
                    "search",
                    "--filter-scope",
                    scope,
                    "--limit",
                    "1000",
                    "-F",
                    "json",
                ],
                env,
            )

    samples = measure(search, repeat=ctx.repeat)
    results.add(
        Row(
            case,
            "globus endpoint search (globus-cli)",
            ms(samples),
            baseline="bare SDK script (process)",
        )
    )


def globus_jupyterlab_endpoints(ctx: Context, results: Results, case: str) -> None:
    name = "globus-jupyterlab 1.0.0b10"
    try:
        python, env = peers.globus_jupyterlab(ctx.env, ctx.workdir)
        server = JupyterServer(
            workdir=ctx.workdir / "globus-jupyterlab", env=env, python=python
        )
        server.wait_ready()
    except (RuntimeError, subprocess.SubprocessError, OSError, ValueError) as err:
        ctx.peer_notes["globus-jupyterlab"] = str(err)
        results.add(Row(case, name, None, note=f"not run: {err}"))
        return
    ctx.servers["globus-jupyterlab"] = server

    def search() -> int:
        count = 0
        for scope in SCOPES:
            offset: int | None = 0
            while offset is not None:
                response = server.api(
                    "GET",
                    "globus-jupyterlab/endpoint_search",
                    params={"filter_scope": scope, "limit": 100, "offset": offset},
                )
                response.raise_for_status()
                body = response.json()
                count += len(body["DATA"])
                offset = offset + 100 if body.get("has_next_page") else None
        return count

    try:
        got = search()
    except Exception as err:  # noqa: BLE001 - a peer's failure is a result to report
        ctx.peer_notes["globus-jupyterlab"] = str(err)
        results.add(Row(case, name, None, note=f"failed: {err}"))
        return
    samples = measure(search, repeat=ctx.repeat)
    results.add(
        Row(
            case,
            name,
            ms(samples),
            baseline="bare SDK paginated (floor)",
            note=f"{got} records via its REST API",
        )
    )


# 3. Browse


def browse(ctx: Context, results: Results) -> None:
    case = "3 browse 20,000"
    tc = ctx.transfer_client()
    # The sandbox sorts a large folder's names on its first listing and keeps
    # them, so one untimed listing first keeps that cost out of either figure.
    tc.operation_ls(BULK_COLLECTION, path=BULK_PATH, limit=100)
    sdk = measure(
        lambda: tc.operation_ls(BULK_COLLECTION, path=BULK_PATH, limit=100),
        repeat=ctx.repeat,
    )
    results.add(Row(case, "bare SDK operation_ls, first 100", ms(sdk)))

    server = ctx.server("ours")

    def rest() -> None:
        response = server.api(
            "GET",
            f"{API}endpoints/{BULK_COLLECTION}/ls",
            params={"path": BULK_PATH, "limit": 100},
        )
        response.raise_for_status()

    results.add(
        Row(
            case,
            "REST API ls, first 100",
            ms(measure(rest, repeat=ctx.repeat)),
            baseline="bare SDK operation_ls, first 100",
        )
    )
    target = f"{BULK_COLLECTION}:{BULK_PATH}"
    cli = measure(
        lambda: run_command(
            [str(BIN / "tunel-globus"), "ls", target, "--limit", "100", "--json"],
            ctx.env,
        ),
        repeat=ctx.repeat,
    )
    results.add(Row(case, "tunel-globus ls --limit 100", ms(cli), note="a process"))
    if ctx.peers and "globus-cli" not in ctx.peer_notes:
        globus, env = ctx.globus_cli()
        samples = measure(
            lambda: run_command([str(globus), "ls", target, "-F", "json"], env),
            repeat=ctx.repeat,
        )
        results.add(
            Row(
                case,
                "globus ls (globus-cli)",
                ms(samples),
                baseline="tunel-globus ls --limit 100",
                note="a process; lists all 20,000",
            )
        )


# 4. Submit


def submit(ctx: Context, results: Results) -> None:
    import globus_sdk

    case = f"4 submit {ctx.submit_files:,} files"
    source = BULK_COLLECTION
    destination = ctx.env["TUNEL_GLOBUS_LOCAL_COLLECTION_ID"]
    names = [f"file-{number:05d}.txt" for number in range(1, ctx.submit_files + 1)]
    tc = ctx.transfer_client()

    def sdk() -> None:
        data = globus_sdk.TransferData(source, destination, label="benchmark sdk")
        for name in names:
            data.add_item(f"{BULK_PATH}/{name}", f"/bench-sdk/{name}")
        tc.submit_transfer(data)

    server = ctx.server("ours")
    body = {
        "source_endpoint": source,
        "destination_endpoint": destination,
        "label": "benchmark rest",
        "items": [
            {
                "source_path": f"{BULK_PATH}/{name}",
                "destination_path": f"/bench-rest/{name}",
            }
            for name in names
        ],
    }

    def rest() -> None:
        response = server.api("POST", API + "transfers", json=body)
        response.raise_for_status()
        assert response.json()["task_id"]

    batch = ctx.workdir / "batch.txt"
    batch.write_text(
        "".join(f"{BULK_PATH}/{name} /bench-cli/{name}\n" for name in names)
    )
    command = [
        str(BIN / "tunel-globus"),
        "transfer",
        f"{source}:/",
        f"{destination}:/",
        "--batch",
        str(batch),
        "--label",
        "benchmark cli",
    ]
    actions: dict[str, t.Callable[[], object]] = {
        "sdk": sdk,
        "rest": rest,
        "cli": lambda: run_command(command, ctx.env),
    }
    if ctx.peers and "globus-cli" not in ctx.peer_notes:
        globus, env = ctx.globus_cli()
        peer_batch = ctx.workdir / "globus-cli-batch.txt"
        peer_batch.write_text(
            "".join(f"{BULK_PATH}/{name} /bench-globus-cli/{name}\n" for name in names)
        )
        peer = [
            str(globus),
            "transfer",
            source,
            destination,
            "--batch",
            str(peer_batch),
            "--label",
            "benchmark globus-cli",
        ]
        actions["globus-cli"] = lambda: run_command(peer, env)

    # The sandbox saves every task on each task change, so each submit costs more
    # than the one before. The tools take turns within each round to share that
    # growth, and each task is cancelled before the next run, outside the timing,
    # so no copy loads the sandbox while later figures are taken.
    # One untimed call first: in a fresh server it imports globus-sdk and builds
    # the session.
    for action in (sdk, rest):
        action()
        cancel_active_tasks(tc)
    samples: dict[str, list[float]] = {name: [] for name in actions}
    for _ in range(ctx.repeat):
        for name, action in actions.items():
            samples[name] += measure(action, repeat=1)
            cancel_active_tasks(tc)

    results.add(Row(case, "bare SDK submit_transfer", ms(samples["sdk"])))
    row = results.add(
        Row(
            case,
            "REST API transfers",
            ms(samples["rest"]),
            baseline="bare SDK submit_transfer",
            target="<= 1.2x",
        )
    )
    row.met = row.ratio is not None and row.ratio <= 1.2
    results.add(
        Row(
            case,
            "tunel-globus transfer --batch",
            ms(samples["cli"]),
            note="a process",
        )
    )
    if "globus-cli" in samples:
        results.add(
            Row(
                case,
                "globus transfer --batch (globus-cli)",
                ms(samples["globus-cli"]),
                baseline="tunel-globus transfer --batch",
                note="a process",
            )
        )


def cancel_active_tasks(tc: t.Any) -> None:
    """Cancel every task still running, so it does not load the sandbox."""
    import globus_sdk

    for task in tc.task_list(filter={"status": ["ACTIVE", "INACTIVE"]}, limit=100):
        with contextlib.suppress(globus_sdk.GlobusAPIError):
            tc.cancel_task(task["task_id"])


# 5. Refresh storm


def storm(ctx: Context, results: Results, *, requests_count: int = 50) -> int:
    case = "5 refresh storm"
    server = ctx.server("ours")
    path = f"{API}endpoints/{BULK_COLLECTION}"

    def one() -> float:
        import time

        start = time.perf_counter()
        response = server.api("GET", path)
        response.raise_for_status()
        return time.perf_counter() - start

    def burst() -> list[float]:
        with concurrent.futures.ThreadPoolExecutor(requests_count) as pool:
            return list(pool.map(lambda _: one(), range(requests_count)))

    calm = burst()
    # The request log keeps only the newest entries, so it is emptied first and
    # then contains every request of the storm.
    ctx.sandbox.control("POST", "requests", json={})
    ctx.sandbox.control("POST", "expire-tokens", json={})
    stormy = burst()
    refresh_ms = ctx.sandbox.token_request_ms()
    refreshes = len(refresh_ms)

    results.add(
        Row(
            case,
            f"{requests_count} concurrent, token valid, p50",
            ms([percentile(calm, 0.5)]),
        )
    )
    results.add(
        Row(
            case,
            f"{requests_count} concurrent, token valid, p99",
            ms([percentile(calm, 0.99)]),
        )
    )
    results.add(
        Row(
            case,
            f"{requests_count} concurrent after expiry, p50",
            ms([percentile(stormy, 0.5)]),
            baseline=f"{requests_count} concurrent, token valid, p50",
        )
    )
    results.add(
        Row(
            case,
            f"{requests_count} concurrent after expiry, p99",
            ms([percentile(stormy, 0.99)]),
            baseline=f"{requests_count} concurrent, token valid, p99",
        )
    )
    results.add(
        Row(
            case,
            "refresh requests reaching the sandbox",
            float(refreshes),
            unit="",
            target="exactly 1",
            met=refreshes == 1,
            note="the sandbox took "
            + ", ".join(f"{duration:.0f} ms" for duration in refresh_ms)
            + " to answer it",
        )
    )
    return refreshes


# 6. Memory


def memory(ctx: Context, results: Results) -> None:
    case = "6 memory"
    plain = ctx.server("plain", extension=False)
    results.add(Row(case, "server without tunel-jupyter", plain.rss_mib(), unit="MiB"))

    server = ctx.server("memory")
    scopes = [
        "my-endpoints",
        "shared-with-me",
        "recently-used",
        "in-use",
        "shared-by-me",
        "administered-by-me",
        "my-gcp-endpoints",
    ]
    records = page_endpoints_rest(server, scopes)
    response = server.api(
        "GET", API + "endpoints", params={"scope": "all", "search": "Data"}
    )
    response.raise_for_status()
    records += len(response.json()["records"])

    offset: int | None = 0
    entries = 0
    while offset is not None:
        response = server.api(
            "GET",
            f"{API}endpoints/{BULK_COLLECTION}/ls",
            params={"path": BULK_PATH, "limit": 1000, "offset": offset},
        )
        response.raise_for_status()
        body = response.json()
        entries += len(body["entries"])
        offset = body.get("next_offset") if body.get("has_next_page") else None

    results.add(
        Row(
            case,
            "server with tunel-jupyter, after listing and browsing",
            server.rss_mib(),
            unit="MiB",
            baseline="server without tunel-jupyter",
            note=f"{records} endpoint records, {entries} entries",
        )
    )


def dump(results: Results, path: Path) -> None:
    path.write_text(json.dumps([row.to_dict() for row in results.rows], indent=2))
