"""Where reader keeps its files. Reads the environment only when asked."""

from __future__ import annotations

import getpass
import os
from pathlib import Path

import platformdirs

APP_NAME = "reader"


def default_db_path() -> Path:
    """The library file: ``$READER_DB``, else ``library.db`` in the user data directory."""
    override = os.environ.get("READER_DB")
    if override:
        return Path(override).expanduser()
    return platformdirs.user_data_path(APP_NAME) / "library.db"


def default_user() -> str:
    """Whose annotations we show: ``$READER_USER``, else the login name."""
    override = os.environ.get("READER_USER", "").strip()
    if override:
        return override
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (e.g. a container with an unnamed uid)
        return "default"
