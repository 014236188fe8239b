"""The demo's own folder: working folder, sandbox state and Jupyter paths.

Everything the demo writes lives under one folder, so it never reads or changes the
user's real Jupyter data (and with it a real Globus login), and a restarted demo finds
its sandbox login again.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
import typing as t
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ..errors import UsageError

log = logging.getLogger(__name__)

DEMO_NOTEBOOK = "globus-demo.ipynb"
STATE_FILE = "demo.json"


def default_data_dir() -> Path:
    """Return the folder the demo uses when ``--data-dir`` is not given.

    ``$XDG_DATA_HOME/tunel-jupyter-demo`` (``~/.local/share/tunel-jupyter-demo``) on
    Linux and macOS, ``%LOCALAPPDATA%\\tunel-jupyter-demo`` on Windows.
    """
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "tunel-jupyter-demo"
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local/share")
    return Path(data_home) / "tunel-jupyter-demo"


@dataclass(frozen=True)
class DemoLayout:
    """Paths inside the demo folder.

    :ivar root: the demo folder itself (``--data-dir``)
    :ivar work_dir: JupyterLab's root folder and the sandbox collection rooted there
    :ivar sandbox_dir: the sandbox's state (tokens, consents, tasks, seed folders)
    :ivar jupyter_data_dir: ``JUPYTER_DATA_DIR`` of the demo's JupyterLab and kernels,
        which contains the demo's Globus token store
    :ivar jupyter_config_dir: ``JUPYTER_CONFIG_DIR`` (JupyterLab settings, workspaces)
    :ivar jupyter_runtime_dir: ``JUPYTER_RUNTIME_DIR`` (server and kernel
        connection files)
    :ivar log_dir: JupyterLab's log file
    """

    root: Path
    work_dir: Path
    sandbox_dir: Path
    jupyter_data_dir: Path
    jupyter_config_dir: Path
    jupyter_runtime_dir: Path
    log_dir: Path

    @classmethod
    def at(cls, root: str | os.PathLike[str] | None) -> DemoLayout:
        """Describe the layout under ``root`` (the default folder when ``None``)."""
        base = Path(root).expanduser() if root else default_data_dir()
        base = base.absolute()
        return cls(
            root=base,
            work_dir=base / "work",
            sandbox_dir=base / "sandbox",
            jupyter_data_dir=base / "jupyter" / "data",
            jupyter_config_dir=base / "jupyter" / "config",
            jupyter_runtime_dir=base / "jupyter" / "runtime",
            log_dir=base / "logs",
        )

    def create(self) -> None:
        """Create the folders; the demo folder is private because it contains tokens."""
        if self.root.exists() and not self.root.is_dir():
            raise UsageError(
                f"The demo data folder {str(self.root)!r} exists and is not a folder; "
                "choose another path with --data-dir.",
                field="data_dir",
            )
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            self.root.chmod(0o700)
            for folder in (
                self.work_dir,
                self.sandbox_dir,
                self.jupyter_data_dir,
                self.jupyter_config_dir,
                self.jupyter_runtime_dir,
                self.log_dir,
            ):
                folder.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise UsageError(
                f"Cannot create the demo data folder {str(self.root)!r}: "
                f"{err.strerror or err}; choose a writable path with --data-dir.",
                field="data_dir",
            ) from err

    def write_lab_settings(self) -> None:
        """Answer JupyterLab's news question in the demo's settings, once.

        JupyterLab otherwise shows a pop-up that asks whether to fetch news from the
        internet. An existing settings file is kept, so a choice made in the demo's
        settings editor stays.
        """
        path = (
            self.jupyter_config_dir
            / "lab"
            / "user-settings"
            / "@jupyterlab"
            / "apputils-extension"
            / "notification.jupyterlab-settings"
        )
        if path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        settings = {"fetchNews": "false", "checkForUpdates": False}
        path.write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")

    def jupyter_env(self) -> dict[str, str]:
        """Return the Jupyter path variables that keep the demo apart from real data."""
        return {
            "JUPYTER_DATA_DIR": str(self.jupyter_data_dir),
            "JUPYTER_CONFIG_DIR": str(self.jupyter_config_dir),
            "JUPYTER_RUNTIME_DIR": str(self.jupyter_runtime_dir),
        }

    def read_state(self) -> dict[str, t.Any]:
        """Return what an earlier run saved (the sandbox port), or ``{}``."""
        path = self.root / STATE_FILE
        try:
            state = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as err:
            log.warning("Ignoring unreadable demo state file %s: %s", path, err)
            return {}
        return state if isinstance(state, dict) else {}

    def write_state(self, state: t.Mapping[str, t.Any]) -> None:
        """Save ``state`` for the next run."""
        path = self.root / STATE_FILE
        path.write_text(json.dumps(dict(state), indent=2) + "\n", encoding="utf-8")


def packaged_notebook() -> t.Any:
    """Return the demo notebook shipped in the package (an importlib resource)."""
    return resources.files("tunel_jupyter.demo").joinpath("notebooks", DEMO_NOTEBOOK)


def install_notebook(folder: Path, *, overwrite: bool = False) -> Path:
    """Copy the packaged demo notebook into ``folder`` and return its path.

    An existing copy is kept unless ``overwrite`` is true, so edits made in an earlier
    demo session survive a restart.
    """
    target = folder / DEMO_NOTEBOOK
    if target.exists() and not overwrite:
        log.debug("Keeping the existing demo notebook %s", target)
        return target

    with resources.as_file(packaged_notebook()) as source:
        shutil.copyfile(source, target)
    return target
