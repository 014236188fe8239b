"""This server's files: which collection serves them, local paths, pending logins."""

from __future__ import annotations

from pathlib import Path

import pytest

from tunel_jupyter.errors import UsageError
from tunel_jupyter.handlers.local import LocalCollection, find_local_collection
from tunel_jupyter.handlers.logins import PendingLogins

from .server_helpers import Api

GCP_ID = "5c4b1a2e-7d0e-4c6f-9a8b-1e2d3c4b5a69"
OPTION_ID = "0f0e0d0c-0b0a-4909-8807-060504030201"
SANDBOX_ID = "81dbd6b6-f81a-5a4b-a74a-7ae85044e6e0"


@pytest.fixture
def gcp_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A HOME with Globus Connect Personal set up."""
    home = tmp_path / "gcp-home"
    folder = home / ".globusonline" / "lta"
    folder.mkdir(parents=True)
    (folder / "client-id.txt").write_text(GCP_ID + "\n")
    monkeypatch.setenv("HOME", str(home))
    return home


def test_option_wins(gcp_home: Path, tmp_path: Path) -> None:
    found = find_local_collection(
        option_id=OPTION_ID,
        option_root="/project/",
        root_dir=str(tmp_path),
        sandbox_collection_id=SANDBOX_ID,
    )
    assert found == LocalCollection(
        id=OPTION_ID,
        root="/project/",
        display_name="This Jupyter server",
        source="option",
    )


def test_gcp_before_sandbox(gcp_home: Path, tmp_path: Path) -> None:
    found = find_local_collection(
        option_id=None,
        option_root=None,
        root_dir=str(tmp_path / "work"),
        sandbox_collection_id=SANDBOX_ID,
    )
    assert found is not None
    assert found.id == GCP_ID
    assert found.source == "globus_connect_personal"
    assert found.root == str(tmp_path / "work") + "/"


def test_sandbox_last(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    found = find_local_collection(
        option_id=None,
        option_root=None,
        root_dir=str(tmp_path),
        sandbox_collection_id=SANDBOX_ID,
    )
    assert found is not None
    assert (found.id, found.root, found.source) == (SANDBOX_ID, "/", "sandbox")
    none = find_local_collection(
        option_id=None,
        option_root=None,
        root_dir=str(tmp_path),
        sandbox_collection_id=None,
    )
    assert none is None


def test_gcp_file_not_an_id(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / ".globusonline" / "lta"
    folder.mkdir(parents=True)
    (folder / "client-id.txt").write_text("garbage")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert (
        find_local_collection(
            option_id=None,
            option_root=None,
            root_dir=str(tmp_path),
            sandbox_collection_id=None,
        )
        is None
    )


@pytest.mark.parametrize(
    ("local_path", "expected"),
    [
        ("data/a.csv", "/root/data/a.csv"),
        ("/data/a.csv", "/root/data/a.csv"),
        ("data/", "/root/data/"),
        ("", "/root/"),
        ("./data/../b.txt", "/root/b.txt"),
    ],
)
def test_collection_path(tmp_path: Path, local_path: str, expected: str) -> None:
    collection = LocalCollection(
        id=OPTION_ID, root="/root/", display_name="", source="option"
    )
    assert collection.collection_path(
        local_path, root_dir=str(tmp_path), field="f"
    ) == (expected)


@pytest.mark.parametrize("local_path", ["..", "../x", "a/../../x", "a\x00b"])
def test_collection_path_outside(tmp_path: Path, local_path: str) -> None:
    collection = LocalCollection(
        id=OPTION_ID, root="/", display_name="", source="option"
    )
    with pytest.raises(UsageError) as caught:
        collection.collection_path(
            local_path, root_dir=str(tmp_path), field="items[0].x"
        )
    assert caught.value.field == "items[0].x"


async def test_status_shows_gcp(
    api: Api, jp_root_dir: Path, gcp_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TUNEL_GLOBUS_LOCAL_COLLECTION_ID", raising=False)
    monkeypatch.delenv("TUNEL_GLOBUS_CLIENT_ID", raising=False)
    status = await api.get("status")
    assert status["logged_in"] is False
    assert status["environment"] == {
        "name": "production",
        "label": "Globus",
        "is_sandbox": False,
    }
    assert status["local_collection"] == {
        "id": GCP_ID,
        "root": str(jp_root_dir) + "/",
        "display_name": "This Jupyter server (Globus Connect Personal)",
        "source": "globus_connect_personal",
    }


def test_pending_login_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    logins = PendingLogins()
    logins.add(
        state="s1", owner="user ada", flow="redirect", next_url=None, expires_at=None
    )
    with pytest.raises(UsageError):
        logins.take("s1", owner="user grace")
    assert logins.take("s1", owner="user ada").next_url is None
    with pytest.raises(UsageError):
        logins.take("s1", owner="user ada")

    logins.add(
        state="s2", owner="user ada", flow="redirect", next_url=None, expires_at=1.0
    )
    with pytest.raises(UsageError):
        logins.take("s2", owner="user ada")

    logins.add(
        state="p1", owner="user ada", flow="paste", next_url=None, expires_at=None
    )
    logins.add(
        state="p2", owner="user ada", flow="paste", next_url=None, expires_at=None
    )
    assert logins.take_latest(owner="user ada", flow="paste").state == "p2"
    with pytest.raises(UsageError):
        logins.take_latest(owner="user grace", flow="paste")
    assert "p1" not in repr(logins.take_latest(owner="user ada", flow="paste"))
