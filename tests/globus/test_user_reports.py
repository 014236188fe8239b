"""Problems a new user ran into with the Globus core, checked against the sandbox."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tests.globus.conftest import SandboxControl
from tunel_jupyter.errors import LoginRequired, TunelError, UsageError
from tunel_jupyter.globus import Environment, GlobusSession, Identity
from tunel_jupyter.globus.store import StoreFile


@pytest.mark.parametrize("source", ["argument", "variable"])
def test_client_id_not_uuid_rejected_early(
    globus_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, source: str
) -> None:
    if source == "variable":
        monkeypatch.setenv("TUNEL_GLOBUS_CLIENT_ID", "my-app")
        session = GlobusSession(max_retries=0)
    else:
        session = GlobusSession(client_id="my-app", max_retries=0)
    try:
        with pytest.raises(UsageError) as caught:
            session.start_login()
    finally:
        session.close()
    assert "'my-app'" in caught.value.message
    assert "UUID" in caught.value.message
    assert caught.value.field == "client_id"


OMGTACOS = "29890592-374e-11e8-b96a-0ac6873fc732"


@pytest.mark.parametrize(
    "path", ["/~/", "/~/.", "/~/data/..", "/./", "~/..", "/~/../..", "/~"]
)
def test_delete_home_spellings_rejected(
    session: GlobusSession, identity: Identity, control: SandboxControl, path: str
) -> None:
    control.post("requests")

    with pytest.raises(UsageError) as caught:
        session.delete(OMGTACOS, [path], recursive=True)

    assert repr(path) in caught.value.message
    assert "root or home" in caught.value.message
    # Rejected before anything reaches Globus, which might delete the whole home.
    assert not [r for r in control.requests() if r["path"].endswith("/delete")]


def test_delete_below_home_still_submitted(
    session: GlobusSession, identity: Identity
) -> None:
    task = session.delete(OMGTACOS, ["/~/data/../README.txt"])
    assert task.task_id
    assert task.type == "DELETE"


@pytest.mark.parametrize("path", ["/~/", "/~/data/..", "~"])
def test_rename_home_rejected(
    session: GlobusSession, identity: Identity, control: SandboxControl, path: str
) -> None:
    control.post("requests")

    with pytest.raises(UsageError) as caught:
        session.rename(OMGTACOS, path, "/~/moved")

    assert repr(path) in caught.value.message
    assert "root or home" in caught.value.message
    assert not [r for r in control.requests() if r["path"].endswith("/rename")]


def test_client_mismatch_names_option(
    globus_env: dict[str, str], session: GlobusSession, identity: Identity
) -> None:
    other = GlobusSession(
        client_id="11111111-2222-4333-8444-555555555555", max_retries=0
    )
    try:
        checked = other.check()
    finally:
        other.close()

    assert not checked.logged_in
    message = checked.reason or ""
    assert globus_env["TUNEL_GLOBUS_CLIENT_ID"] in message
    assert "11111111-2222-4333-8444-555555555555" in message
    # The command line's option is one of the places the other ID can come from.
    assert "--client-id" in message
    assert session.status().logged_in


def test_store_folder_not_creatable(globus_env: dict[str, str], tmp_path: Path) -> None:
    # A file where the data directory should be, as after a mistyped variable.
    a_file = tmp_path / "data-is-a-file"
    a_file.write_text("")
    session = GlobusSession(data_dir=a_file, max_retries=0)
    try:
        with pytest.raises(TunelError) as caught:
            session.status()
    finally:
        session.close()

    message = caught.value.message
    assert str(a_file / "tunel" / "globus") in message
    assert "Not a directory" in message
    assert "JUPYTER_DATA_DIR" in message


def test_store_symlink_moved_aside_not_followed(tmp_path: Path) -> None:
    directory = tmp_path / "store"
    directory.mkdir(mode=0o700)
    target = tmp_path / "elsewhere.json"
    content = b'{"format_version": 1, "environments": {}}'
    target.write_bytes(content)
    target.chmod(0o644)
    link = directory / "tokens.json"
    link.symlink_to(target)

    with pytest.raises(LoginRequired) as caught:
        StoreFile(directory).read()

    # The link's target keeps its mode and content; only the link moves aside.
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o644
    assert target.read_bytes() == content
    assert not os.path.lexists(link)
    moved = list(directory.glob("tokens.json.corrupt-*"))
    assert len(moved) == 1
    assert moved[0].is_symlink()
    assert os.readlink(moved[0]) == str(target)
    message = caught.value.message
    assert "symbolic link" in message
    assert str(moved[0]) in message


@pytest.mark.parametrize(
    "variable", ["GLOBUS_SDK_SERVICE_URL_AUTH", "GLOBUS_SDK_SERVICE_URL_TRANSFER"]
)
@pytest.mark.parametrize("url", ["not-a-url", "127.0.0.1:8000/auth/", "http:///x/"])
def test_service_url_without_host_rejected(
    globus_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    variable: str,
    url: str,
) -> None:
    monkeypatch.setenv(variable, url)

    with pytest.raises(UsageError) as caught:
        Environment.current()

    assert variable in caught.value.message
    assert repr(url) in caught.value.message
    assert caught.value.field == variable
