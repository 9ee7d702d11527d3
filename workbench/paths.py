"""Where the program finds its bundled resources and where it keeps user data.

Resources live in the top-level `resources/` folder of the source tree; a frozen build
(PyInstaller) carries them under `sys._MEIPASS/resources`. User data (workbooks, saved
import profiles, logs) goes to the platform's usual places via platformdirs, never next to
the program.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from platformdirs import PlatformDirs

from workbench import APP_ID

_DIRS = PlatformDirs(appname=APP_ID, appauthor=False)


def resources_dir() -> Path:
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


def demo_dir() -> Path:
    return resource("demo")


def user_data_dir() -> Path:
    """Workbooks and the demo workbook live here. WORKBENCH_DATA_DIR overrides (tests)."""
    override = os.environ.get("WORKBENCH_DATA_DIR")
    path = Path(override) if override else Path(_DIRS.user_data_dir)
    path.mkdir(parents=True, exist_ok=True)
    return path


def user_config_dir() -> Path:
    """Saved import profiles (TOML). WORKBENCH_CONFIG_DIR overrides (tests)."""
    override = os.environ.get("WORKBENCH_CONFIG_DIR")
    path = Path(override) if override else Path(_DIRS.user_config_dir)
    path.mkdir(parents=True, exist_ok=True)
    return path


def user_profiles_dir() -> Path:
    path = user_config_dir() / "profiles"
    path.mkdir(parents=True, exist_ok=True)
    return path
