"""Browsing and changing files: hidden files, paging, names, mkdir, rename, delete."""

from __future__ import annotations

from pathlib import Path

import pytest

from tunel_jupyter.errors import NotFound, UsageError
from tunel_jupyter.globus import GlobusSession, Identity
from tunel_jupyter.sandbox import Sandbox

BULK = "0b5c4a8e-6f0e-4c3a-9d5e-2f1a7b8c9d04"
ODD_FOLDER = "data set ü #1 & co"
ODD_FILE = "naïve résumé #2 & x?.txt"


@pytest.fixture
def root(sandbox: Sandbox) -> Path:
    assert sandbox.root is not None
    return sandbox.root


def test_ls_hidden_files(
    session: GlobusSession, identity: Identity, sandbox: Sandbox, root: Path
) -> None:
    (root / ".hidden").write_text("secret")
    (root / "visible.txt").write_text("hello")
    collection = str(sandbox.local_collection_id)

    shown = session.ls(collection, "/")
    assert [entry.name for entry in shown.entries] == ["visible.txt"]
    assert shown.entries[0].size == 5
    assert shown.entries[0].type == "file"
    assert shown.path == "/"
    assert not shown.has_next_page

    everything = session.ls(collection, "/", show_hidden=True)
    assert {entry.name for entry in everything.entries} == {".hidden", "visible.txt"}


@pytest.mark.slow
def test_ls_pages_a_large_folder(identity: Identity) -> None:
    # The sandbox writes the 20,000 files when the folder is first listed.
    session = GlobusSession(http_timeout=180)
    first = session.ls(BULK, "/many/", limit=1000)
    assert len(first.entries) == 1000
    assert first.total == 20000
    assert first.has_next_page
    assert first.next_offset == 1000

    last = session.ls(BULK, "/many/", limit=1000, offset=19500)
    assert len(last.entries) == 500
    assert not last.has_next_page
    assert last.next_offset is None
    assert not {e.name for e in first.entries} & {e.name for e in last.entries}


def test_odd_names_round_trip(
    session: GlobusSession, identity: Identity, sandbox: Sandbox, root: Path
) -> None:
    collection = str(sandbox.local_collection_id)
    folder = f"/{ODD_FOLDER}"

    session.mkdir(collection, folder)
    assert (root / ODD_FOLDER).is_dir()
    (root / ODD_FOLDER / ODD_FILE).write_text("odd")

    assert ODD_FOLDER in [entry.name for entry in session.ls(collection, "/").entries]
    listing = session.ls(collection, folder)
    assert [entry.name for entry in listing.entries] == [ODD_FILE]

    renamed = f"{folder}/ünïcode & more #3.txt"
    session.rename(collection, f"{folder}/{ODD_FILE}", renamed)
    assert (root / ODD_FOLDER / "ünïcode & more #3.txt").read_text() == "odd"
    assert not (root / ODD_FOLDER / ODD_FILE).exists()


def test_ls_errors(
    session: GlobusSession, identity: Identity, sandbox: Sandbox
) -> None:
    collection = str(sandbox.local_collection_id)
    with pytest.raises(NotFound):
        session.ls(collection, "/no/such/folder")
    with pytest.raises(UsageError, match="'relative/path'"):
        session.ls(collection, "relative/path")
    with pytest.raises(UsageError, match="limit 0"):
        session.ls(collection, "/", limit=0)
    with pytest.raises(UsageError, match="expected a UUID"):
        session.ls("not-an-id", "/")


def test_delete_task(
    session: GlobusSession, identity: Identity, sandbox: Sandbox, root: Path
) -> None:
    (root / "old" / "deep").mkdir(parents=True)
    (root / "old" / "deep" / "file.txt").write_text("bye")
    collection = str(sandbox.local_collection_id)

    task = session.delete(collection, ["/old"], recursive=True, label="clean up")
    assert task.type == "DELETE"
    assert task.label == "clean up"

    done = session.wait_task(task.task_id, timeout=30, polling_interval=0.2)
    assert done.status == "SUCCEEDED"
    assert not (root / "old").exists()


def test_delete_rejects_bad_paths(
    session: GlobusSession, identity: Identity, sandbox: Sandbox
) -> None:
    collection = str(sandbox.local_collection_id)
    with pytest.raises(UsageError, match="Nothing to delete"):
        session.delete(collection, [])
    with pytest.raises(UsageError, match="'/'"):
        session.delete(collection, ["/"])
    with pytest.raises(UsageError, match="'data'"):
        session.delete(collection, ["data"])
