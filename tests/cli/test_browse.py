"""tunel-globus endpoints, ls, mkdir, rename and rm against the sandbox."""

from __future__ import annotations

import json
import os
import shlex
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.runner import RUN_TIMEOUT, RunCli, cli_environment
from tests.cli.sandbox_data import add_collection, seed_rows
from tunel_jupyter.globus import GlobusSession
from tunel_jupyter.sandbox import Sandbox

pytestmark = pytest.mark.usefixtures("logged_in")


def test_endpoints_json_lists_both_scopes(sandbox: Sandbox, run_cli: RunCli) -> None:
    result = run_cli("endpoints", "--json")

    assert result.returncode == 0, result.stderr
    records = json.loads(result.stdout)
    mine = {
        (r["id"], r["display_name"]) for r in records if "my-endpoints" in r["scopes"]
    }
    shared = {
        (r["id"], r["display_name"]) for r in records if "shared-with-me" in r["scopes"]
    }
    assert mine == seed_rows(sandbox, "my-endpoints")
    assert shared == seed_rows(sandbox, "shared-with-me")
    assert {"owner_string", "entity_type", "non_functional"} <= set(records[0])


def test_endpoints_one_scope_and_search(sandbox: Sandbox, run_cli: RunCli) -> None:
    shared = run_cli("endpoints", "--scope", "shared-with-me", "--json")
    search = run_cli("endpoints", "--search", "Research Storage", "--json")
    table = run_cli("endpoints", "--scope", "shared-with-me")

    assert shared.returncode == 0, shared.stderr
    shared_ids = {record["id"] for record in json.loads(shared.stdout)}
    assert shared_ids == {row[0] for row in seed_rows(sandbox, "shared-with-me")}
    assert search.returncode == 0, search.stderr
    names = [record["display_name"] for record in json.loads(search.stdout)]
    assert "Example University Research Storage" in names
    assert table.returncode == 0, table.stderr
    assert table.stdout.splitlines()[0].split() == [
        "ID",
        "Scopes",
        "Owner",
        "Notes",
        "Display",
        "name",
    ]
    for endpoint_id, name in seed_rows(sandbox, "shared-with-me"):
        assert any(
            line.startswith(endpoint_id) and line.endswith(name)
            for line in table.stdout.splitlines()
        )


def test_ls_hidden_long_and_json(run_cli: RunCli, local: str, root: Path) -> None:
    (root / "data").mkdir()
    (root / "data" / "visible.txt").write_text("seen")
    (root / "data" / ".hidden").write_text("secret")
    (root / "data" / "inner").mkdir()

    plain = run_cli("ls", f"{local}:/data")
    hidden = run_cli("ls", "-a", "-l", f"{local}:/data/")
    as_json = run_cli("ls", "--json", f"{local}:/data")

    assert plain.returncode == 0, plain.stderr
    assert plain.stdout.splitlines() == ["inner/", "visible.txt"]
    assert hidden.returncode == 0, hidden.stderr
    assert ".hidden" in hidden.stdout
    assert "4 B" in hidden.stdout
    listing = json.loads(as_json.stdout)
    assert listing["endpoint_id"] == local
    assert {entry["name"] for entry in listing["entries"]} == {"inner", "visible.txt"}
    assert listing["has_next_page"] is False


def test_ls_truncated_says_how_to_continue(
    run_cli: RunCli, local: str, root: Path
) -> None:
    (root / "many").mkdir()
    for number in range(5):
        (root / "many" / f"file-{number}.txt").write_text(str(number))

    first = run_cli("ls", f"{local}:/many", "--limit", "2")

    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines() == ["file-0.txt", "file-1.txt"]
    notice = first.stderr.splitlines()[-1]
    assert notice.startswith("Listing truncated: showed entries 1-2 of 5.")
    next_command = shlex.split(notice.split("For the next ones run: ", 1)[1])
    assert next_command[:2] == ["tunel-globus", "ls"]

    second = run_cli(*next_command[1:])
    assert second.returncode == 0, second.stderr
    assert second.stdout.splitlines() == ["file-2.txt", "file-3.txt"]
    assert "showed entries 3-4 of 5" in second.stderr


def test_ls_by_display_name_and_missing_path(run_cli: RunCli, root: Path) -> None:
    (root / "by-name.txt").write_text("x")
    name = f"Jupyter server files ({root.name})"

    by_name = run_cli("ls", f"{name}:/")
    missing = run_cli("ls", f"{name}:/no/such/folder")
    unknown = run_cli("ls", "No Such Endpoint:/")

    assert by_name.returncode == 0, by_name.stderr
    assert "by-name.txt" in by_name.stdout.splitlines()
    assert missing.returncode == 1
    assert "/no/such/folder" in missing.stderr
    assert unknown.returncode == 1
    assert "No Such Endpoint" in unknown.stderr
    for result in (missing, unknown):
        assert "Traceback" not in result.stderr


def test_name_with_colon(
    sandbox: Sandbox, run_cli: RunCli, tmp_path: Path, local: str, root: Path
) -> None:
    colon_root = tmp_path / "colon-root"
    colon_root.mkdir()
    (colon_root / "inside.txt").write_text("colon")
    add_collection(sandbox, "lab: raw data", colon_root)
    (root / "to-copy.txt").write_bytes(b"copied across a colon")

    listing = run_cli("ls", "lab: raw data:/")
    transfer = run_cli(
        "transfer",
        f"{local}:/to-copy.txt",
        "lab: raw data:/",
        "--wait",
        "--polling-interval",
        "0.2",
    )

    assert listing.returncode == 0, listing.stderr
    assert listing.stdout.splitlines() == ["inside.txt"]
    assert transfer.returncode == 0, transfer.stderr
    assert (colon_root / "to-copy.txt").read_bytes() == b"copied across a colon"


def test_mkdir_rename_rm(run_cli: RunCli, local: str, root: Path) -> None:
    made = run_cli("mkdir", f"{local}:/made")
    (root / "made" / "inner.txt").write_text("inner")
    renamed = run_cli("rename", f"{local}:/made", "renamed")
    removed = run_cli(
        "rm", "-r", f"{local}:/renamed", "--wait", "--polling-interval", "0.2"
    )

    assert made.returncode == 0, made.stderr
    assert renamed.returncode == 0, renamed.stderr
    assert "to /renamed" in renamed.stdout
    assert removed.returncode == 0, removed.stderr
    assert removed.stdout.startswith("Delete task submitted: ")
    assert not (root / "made").exists()
    assert not (root / "renamed").exists()


def test_paths_with_spaces_and_unicode(run_cli: RunCli, local: str, root: Path) -> None:
    folder = "/dir with spaces/ünïcødé"
    name = "a b #1 & ü.txt"
    (root / "source.txt").write_bytes("naïve data\n".encode())

    made = run_cli("mkdir", f"{local}:/dir with spaces")
    made_inner = run_cli("mkdir", f"{local}:{folder}")
    copied = run_cli(
        "transfer",
        f"{local}:/source.txt",
        f"{local}:{folder}/{name}",
        "--wait",
        "--polling-interval",
        "0.2",
    )
    listing = run_cli("ls", f"{local}:{folder}")
    renamed = run_cli("rename", f"{local}:{folder}/{name}", "ß & #2.txt")

    for result in (made, made_inner, copied, listing, renamed):
        assert result.returncode == 0, result.stderr
    assert listing.stdout.splitlines() == [name]
    target = root / "dir with spaces" / "ünïcødé" / "ß & #2.txt"
    assert target.read_bytes() == "naïve data\n".encode()


def test_rm_refuses_two_endpoints(
    sandbox: Sandbox, run_cli: RunCli, tmp_path: Path, local: str, root: Path
) -> None:
    other = tmp_path / "other-root"
    other.mkdir()
    other_id = add_collection(sandbox, "other collection", other)
    (root / "keep.txt").write_text("keep")

    result = run_cli("rm", f"{local}:/keep.txt", f"{other_id}:/x")

    assert result.returncode == 2
    assert "one endpoint at a time" in result.stderr
    assert (root / "keep.txt").exists()


def test_whoami_json_matches_core(logged_in: GlobusSession, run_cli: RunCli) -> None:
    result = run_cli("whoami", "--json")

    status = logged_in.status()
    assert status.identity is not None
    assert json.loads(result.stdout) == status.identity.to_dict()


def test_network_failure_exits_1(run_cli: RunCli) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    unreachable = {
        "GLOBUS_SDK_SERVICE_URL_TRANSFER": f"http://127.0.0.1:{closed_port}/"
    }

    result = run_cli("--max-retries", "0", "endpoints", env=unreachable)

    assert result.returncode == 1
    assert "Could not reach Globus" in result.stderr
    assert "Traceback" not in result.stderr
    # A network failure never costs the login.
    assert GlobusSession().status().logged_in


def test_ambiguous_name_lists_candidates(
    sandbox: Sandbox, run_cli: RunCli, tmp_path: Path
) -> None:
    ids = []
    for number in (1, 2):
        folder = tmp_path / f"twin-{number}"
        folder.mkdir()
        ids.append(add_collection(sandbox, "twin data", folder))

    result = run_cli("ls", "twin data:/")

    assert result.returncode == 2
    assert "ambiguous" in result.stderr
    for collection_id in ids:
        assert collection_id in result.stderr


def test_jupyter_globus_names_itself_in_hints(
    globus_env: dict[str, str], local: str, root: Path
) -> None:
    bin_dir = Path(sys.executable).parent
    if not (bin_dir / "jupyter-globus").exists():
        pytest.skip("jupyter-globus is not installed next to this Python")
    for number in range(3):
        (root / f"item-{number}.txt").write_text("x")
    env = cli_environment(globus_env)
    env["PATH"] = str(bin_dir) + os.pathsep + env.get("PATH", "")

    result = subprocess.run(
        [str(bin_dir / "jupyter"), "globus", "ls", f"{local}:/", "--limit", "1"],
        capture_output=True,
        text=True,
        env=env,
        timeout=RUN_TIMEOUT,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["item-0.txt"]
    assert f"run: jupyter globus ls {local}:/ --offset 1 --limit 1" in result.stderr
