"""Sample files that seed collections start with.

A seed entry's ``contents`` names what to create: ``{"sample": true}`` for a small
tree of text, CSV and binary files (with a hidden file and a nested folder),
``{"sample": "small"}`` for a README only, ``{"files": {"a/b.txt": "text"}}`` for
given files, and ``{"bulk": {"path": "many", "count": 20000}}`` for one folder of
many empty files. Everything is written once, when the collection is first used.
"""

from __future__ import annotations

import os
import random
import typing as t
from pathlib import Path

README = """This folder is a collection of the tunel-jupyter sandbox.
It stands in for Globus storage on this machine; nothing here is on Globus.
"""

CSV_HEADER = "sample,temperature_c,pressure_kpa\n"


def populate(root: Path, contents: dict[str, t.Any]) -> None:
    """Create ``root`` and the files ``contents`` describes (see module doc)."""
    root.mkdir(parents=True, exist_ok=True)
    sample = contents.get("sample")
    if sample:
        (root / "README.txt").write_text(README, encoding="utf-8")
    if sample is True:
        _write_sample_tree(root)

    for relative, text in contents.get("files", {}).items():
        target = root / relative.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(str(text), encoding="utf-8")

    bulk = contents.get("bulk")
    if bulk:
        write_many_files(root / str(bulk.get("path", "many")), int(bulk["count"]))


def _write_sample_tree(root: Path) -> None:
    # A fixed seed keeps the sample bytes identical on every start.
    generator = random.Random(20260101)
    data = root / "data"
    (data / "raw").mkdir(parents=True, exist_ok=True)
    rows = [
        f"{i},{generator.uniform(-5, 35):.2f},{generator.uniform(95, 105):.2f}\n"
        for i in range(200)
    ]
    (data / "measurements.csv").write_text(CSV_HEADER + "".join(rows), "utf-8")
    (data / "notes.md").write_text("# Notes\n\nCalibrated on 2026-01-01.\n", "utf-8")
    for number in range(1, 4):
        payload = bytes(generator.getrandbits(8) for _ in range(4096 * number))
        (data / "raw" / f"run-{number:03d}.bin").write_bytes(payload)
    (root / ".hidden-settings").write_text("color = blue\n", encoding="utf-8")
    (root / "empty-folder").mkdir(exist_ok=True)


def write_many_files(folder: Path, count: int) -> None:
    """Create ``count`` empty files named ``file-00001.txt``... in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    width = max(5, len(str(count)))
    flags = os.O_CREAT | os.O_WRONLY
    # Opening relative to a folder descriptor skips a path lookup per file.
    folder_fd = os.open(folder, os.O_RDONLY)
    try:
        for number in range(1, count + 1):
            name = f"file-{number:0{width}d}.txt"
            os.close(os.open(name, flags, 0o644, dir_fd=folder_fd))
    finally:
        os.close(folder_fd)
