"""The token store: location, permissions, corrupt files, environments."""

from __future__ import annotations

import json
import logging
import os
import stat
import typing as t
from pathlib import Path

import pytest

from tunel_jupyter.errors import LoginRequired
from tunel_jupyter.globus import Environment, GlobusSession, Identity
from tunel_jupyter.globus.store import StoreFile, default_directory


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def store_dir(globus_env: dict[str, str]) -> Path:
    return Path(globus_env["JUPYTER_DATA_DIR"]) / "tunel" / "globus"


def test_store_location_honours_jupyter_data_dir(
    globus_env: dict[str, str], identity: Identity
) -> None:
    assert default_directory() == store_dir(globus_env)
    assert (store_dir(globus_env) / "tokens.json").is_file()


def test_store_modes_after_login(
    globus_env: dict[str, str], identity: Identity
) -> None:
    directory = store_dir(globus_env)
    assert mode(directory) == 0o700
    assert mode(directory / "tokens.json") == 0o600
    assert mode(directory / "tokens.lock") == 0o600
    assert not list(directory.glob(".tokens-*.tmp")), "a temporary file was left"


def test_store_tightens_looser_modes(
    globus_env: dict[str, str],
    identity: Identity,
    caplog: pytest.LogCaptureFixture,
) -> None:
    directory = store_dir(globus_env)
    os.chmod(directory, 0o755)
    os.chmod(directory / "tokens.json", 0o644)

    caplog.set_level(logging.WARNING, logger="tunel_jupyter.globus.store")
    status = GlobusSession().status()

    assert status.logged_in
    assert mode(directory) == 0o700
    assert mode(directory / "tokens.json") == 0o600
    warnings = [r.getMessage() for r in caplog.records]
    assert any("755" in text and str(directory) in text for text in warnings)
    assert any("644" in text and "tokens.json" in text for text in warnings)


def test_store_file_written_0644_elsewhere_is_tightened(tmp_path: Path) -> None:
    store = StoreFile(tmp_path / "store")
    with store.updating() as data:
        data["environments"]["x"] = {"client_id": "c"}
    os.chmod(store.path, 0o644)

    assert store.read()["environments"]["x"]["client_id"] == "c"
    assert mode(store.path) == 0o600


@pytest.mark.parametrize(
    "content",
    [b"{not json", b"\xff\xfe\x00", b"[1, 2, 3]", b'{"format_version": 99}'],
    ids=["invalid-json", "not-utf8", "wrong-type", "unknown-version"],
)
def test_corrupt_store_is_moved_aside(
    globus_env: dict[str, str], identity: Identity, content: bytes
) -> None:
    path = store_dir(globus_env) / "tokens.json"
    path.write_bytes(content)

    with pytest.raises(LoginRequired) as caught:
        GlobusSession().list_endpoints()

    assert "log in again" in caught.value.message
    assert not path.exists()
    moved = list(path.parent.glob("tokens.json.corrupt-*"))
    assert len(moved) == 1
    assert moved[0].read_bytes() == content, "the corrupt store must be kept"
    assert str(moved[0]) in caught.value.message


def test_corrupt_store_status_and_new_login(
    globus_env: dict[str, str], session: GlobusSession, identity: Identity
) -> None:
    path = store_dir(globus_env) / "tokens.json"
    path.write_text("{")

    status = session.status()
    assert not status.logged_in
    assert status.reason is not None
    assert "log in again" in status.reason

    # The next login starts a fresh store and keeps the moved file.
    from tests.utils import login_with_sandbox

    assert login_with_sandbox(session).id == identity.id
    assert session.status().logged_in
    assert len(list(path.parent.glob("tokens.json.corrupt-*"))) == 1


def test_malformed_token_entry_is_moved_aside(
    globus_env: dict[str, str], identity: Identity
) -> None:
    path = store_dir(globus_env) / "tokens.json"
    data = json.loads(path.read_text())
    (record,) = data["environments"].values()
    record["tokens"]["transfer.api.globus.org"]["expires_at_seconds"] = "soon"
    path.write_text(json.dumps(data))

    with pytest.raises(LoginRequired, match="log in again"):
        GlobusSession().list_endpoints()
    assert len(list(path.parent.glob("tokens.json.corrupt-*"))) == 1


def test_tokens_kept_per_environment(
    globus_env: dict[str, str], identity: Identity
) -> None:
    real = GlobusSession(
        environment=Environment.from_urls(
            "https://auth.globus.org/", "https://transfer.api.globus.org/"
        ),
        client_id="3b0c1e8c-5f0d-4a57-8d47-3b2f0a8f1e11",
    )
    assert not real.status().logged_in
    real.logout()  # nothing stored there: must not touch the sandbox login

    data = json.loads((store_dir(globus_env) / "tokens.json").read_text())
    sandbox_auth_url = globus_env["GLOBUS_SDK_SERVICE_URL_AUTH"]
    assert set(data["environments"]) >= {sandbox_auth_url}
    assert data["environments"][sandbox_auth_url]["tokens"]
    assert GlobusSession().status().logged_in


def test_store_records_login_details(
    globus_env: dict[str, str], identity: Identity
) -> None:
    data = json.loads((store_dir(globus_env) / "tokens.json").read_text())
    record = data["environments"][globus_env["GLOBUS_SDK_SERVICE_URL_AUTH"]]
    assert record["client_id"] == globus_env["TUNEL_GLOBUS_CLIENT_ID"]
    assert record["identity"]["id"] == identity.id
    assert "transfer.api.globus.org" in record["tokens"]
    assert record["tokens"]["transfer.api.globus.org"]["refresh_token"]
    assert "openid" in record["scopes"]


def write_entries(directory: str, name: str, count: int) -> None:
    store = StoreFile(directory)
    for number in range(count):
        with store.updating() as data:
            data["environments"][f"{name}-{number}"] = {"client_id": name}


@pytest.mark.slow
def test_store_created_and_updated_by_processes_at_once(tmp_path: Path) -> None:
    import multiprocessing

    directory = tmp_path / "new" / "tunel" / "globus"
    context = multiprocessing.get_context("spawn")
    workers = [
        context.Process(target=write_entries, args=(str(directory), f"p{i}", 20))
        for i in range(4)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0

    environments = StoreFile(directory).read()["environments"]
    assert len(environments) == 80, "no update may be lost"
    assert mode(directory) == 0o700
    assert mode(directory / "tokens.json") == 0o600
    assert not list(directory.glob(".tokens-*.tmp"))


def test_status_reads_no_network(
    session: GlobusSession, identity: Identity, control: t.Any
) -> None:
    control.post("requests")
    assert session.status().logged_in
    assert control.requests() == []


def test_store_folder_removed_while_running(
    globus_env: dict[str, str], session: GlobusSession, identity: Identity
) -> None:
    import shutil

    shutil.rmtree(store_dir(globus_env))

    status = session.status()
    assert not status.logged_in
    assert mode(store_dir(globus_env)) == 0o700
