"""tunel-globus login, whoami and logout as a user runs them, against the sandbox."""

from __future__ import annotations

import json
import re
from pathlib import Path

import requests

from tests.cli.runner import RunCli, login_with_paste_flow
from tests.cli.sandbox_data import seed_rows
from tunel_jupyter.globus import GlobusSession
from tunel_jupyter.sandbox import Sandbox

TABLE_ROW = re.compile(r"^(\d+) +(\S+)\t\[(\S+)\]\t(.+)$")


def test_login_prints_url_table_and_updates(
    globus_env: dict[str, str], sandbox: Sandbox, run_cli: RunCli
) -> None:
    result = login_with_paste_flow(globus_env)

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Please go to this URL and login: http://127.0.0.1:")
    assert "code_challenge_method=S256" in lines[0]
    assert lines[1] == "Please enter the code you get after login here: "
    assert lines[2] == "Globus Endpoints"
    assert lines[-1] == "Tokens updated!"

    rows = [TABLE_ROW.match(line) for line in lines[3:-1]]
    assert all(rows), lines[3:-1]
    numbers = [int(row.group(1)) for row in rows if row]
    assert numbers == list(range(1, len(numbers) + 1))
    by_scope: dict[str, set[tuple[str, str]]] = {}
    for row in rows:
        assert row is not None
        by_scope.setdefault(row.group(3), set()).add((row.group(2), row.group(4)))
    assert set(by_scope) == {"my-endpoints", "shared-with-me"}
    assert by_scope["my-endpoints"] == seed_rows(sandbox, "my-endpoints")
    assert by_scope["shared-with-me"] == seed_rows(sandbox, "shared-with-me")
    # Rows are grouped by scope, my-endpoints first, as the earlier tunel tool printed.
    scopes_in_order = [row.group(3) for row in rows if row]
    assert scopes_in_order == sorted(
        scopes_in_order, key=lambda scope: scope != "my-endpoints"
    )

    again = run_cli("update-tokens", "--no-browser", input="")
    assert again.returncode == 0, again.stderr
    assert again.stdout == "Your tokens are up to date.\n"


def test_login_force_asks_again(
    globus_env: dict[str, str], logged_in: GlobusSession, run_cli: RunCli
) -> None:
    result = run_cli("login", "--force", "--no-browser", input="")

    assert result.returncode == 2
    assert "Please enter the code you get after login here: " in result.stdout
    assert "No code was entered" in result.stderr

    forced = login_with_paste_flow(globus_env, "--force")
    assert forced.returncode == 0, forced.stderr
    assert forced.stdout.endswith("Tokens updated!\n")


def test_wrong_code_keeps_tokens(logged_in: GlobusSession, run_cli: RunCli) -> None:
    result = run_cli("login", "--force", "--no-browser", input="not-a-real-code\n")

    assert result.returncode != 0
    assert result.returncode != 130
    assert result.stderr.count("Error: ") == 1
    assert "Traceback" not in result.stderr
    assert "not-a-real-code" not in result.stderr
    assert logged_in.check().logged_in

    rerun = run_cli("login", "--no-browser")
    assert rerun.stdout == "Your tokens are up to date.\n"


def test_whoami_shows_identity(logged_in: GlobusSession, run_cli: RunCli) -> None:
    result = run_cli("whoami")
    as_json = run_cli("whoami", "--json")

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "ada@example.org"
    assert "Name: Ada Lovelace" in result.stdout
    assert as_json.returncode == 0, as_json.stderr
    identity = json.loads(as_json.stdout)
    assert identity["username"] == "ada@example.org"
    assert identity["email"] == "ada@example.org"
    assert f"ID: {identity['id']}" in result.stdout


def test_revoked_refresh_token_exits_3(
    sandbox: Sandbox, logged_in: GlobusSession, run_cli: RunCli
) -> None:
    for route in ("revoke", "expire-tokens"):
        answer = requests.post(f"{sandbox.url}/_sandbox/{route}", json={}, timeout=10)
        assert answer.status_code == 200, answer.text

    listing = run_cli("endpoints")
    login = run_cli("login", "--no-browser", input="")

    assert listing.returncode == 3
    assert "log in again" in listing.stderr.lower()
    assert "tunel-globus login" in listing.stderr
    assert "Traceback" not in listing.stderr
    # Login now requests a new code instead of reporting the tokens as up to date.
    assert "Your tokens are up to date." not in login.stdout
    assert "Please go to this URL and login: " in login.stdout


def test_refresh_token_checked_not_access_token(
    sandbox: Sandbox, logged_in: GlobusSession, run_cli: RunCli
) -> None:
    answer = requests.post(f"{sandbox.url}/_sandbox/revoke", json={}, timeout=10)
    assert answer.status_code == 200, answer.text

    result = run_cli("login", "--no-browser", input="")

    # The access token still works, but up to date means the refresh token works.
    assert "Your tokens are up to date." not in result.stdout
    assert "Your stored login no longer works" in result.stderr
    assert result.returncode == 2


def test_logout_revokes_and_removes(
    sandbox: Sandbox, logged_in: GlobusSession, run_cli: RunCli
) -> None:
    result = run_cli("logout")
    whoami = run_cli("whoami")
    again = run_cli("logout")

    assert result.returncode == 0, result.stderr
    assert "Globus revoked your tokens" in result.stdout
    assert whoami.returncode == 3
    assert again.returncode == 0
    assert "not logged in" in again.stdout
    revocations = [
        entry
        for entry in requests.get(
            f"{sandbox.url}/_sandbox/requests", timeout=10
        ).json()["requests"]
        if "revoke" in json.dumps(entry)
    ]
    assert revocations


def test_logout_offline_removes_tokens(
    sandbox: Sandbox, logged_in: GlobusSession, run_cli: RunCli
) -> None:
    sandbox.stop()

    result = run_cli("logout")

    assert result.returncode == 1
    assert "Removed your tokens from this computer." in result.stdout
    assert "revoking them at Globus failed" in result.stderr
    assert not GlobusSession().status().logged_in


def test_confidential_client_logs_in_without_code(
    sandbox: Sandbox, run_cli: RunCli
) -> None:
    client_id, secret = sandbox.confidential_client
    confidential = {
        "TUNEL_GLOBUS_CLIENT_ID": client_id,
        "TUNEL_GLOBUS_CLIENT_SECRET": secret,
    }

    login = run_cli("login", env=confidential, input=None)
    whoami = run_cli("whoami", "--json", env=confidential)
    with_scope = run_cli("login", "--scope", "openid", env=confidential)

    assert login.returncode == 0, login.stderr
    assert "Please enter the code" not in login.stdout
    assert login.stdout.splitlines()[0] == "Globus Endpoints"
    assert login.stdout.splitlines()[-1] == "Tokens updated!"
    assert secret not in login.stdout + login.stderr
    assert whoami.returncode == 0, whoami.stderr
    assert json.loads(whoami.stdout)["id"] == client_id
    assert with_scope.returncode == 2
    assert "TUNEL_GLOBUS_CLIENT_SECRET" in with_scope.stderr


def test_corrupt_store_moved_aside(globus_env: dict[str, str], run_cli: RunCli) -> None:
    store = Path(globus_env["JUPYTER_DATA_DIR"]) / "tunel" / "globus"
    store.mkdir(parents=True, mode=0o700)
    (store / "tokens.json").write_text("{not json")
    (store / "tokens.json").chmod(0o600)

    listing = run_cli("endpoints")
    kept = list(store.glob("tokens.json.corrupt-*"))
    login = login_with_paste_flow(globus_env)

    assert listing.returncode == 3
    assert "was moved to" in listing.stderr
    assert "log in again" in listing.stderr
    assert len(kept) == 1
    assert kept[0].read_text() == "{not json"
    assert login.returncode == 0, login.stderr
    assert login.stdout.endswith("Tokens updated!\n")
