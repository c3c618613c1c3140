"""Where reader keeps its files. Reads the environment only when asked."""

from __future__ import annotations

import getpass
import os
from pathlib import Path

import platformdirs

APP_NAME = "reader"


class PathError(ValueError):
    """A path that cannot be used as given; the message is one line naming it."""


def expand_user(path: str | Path, *, source: str | None = None) -> Path:
    """``path`` with a leading ``~`` or ``~user`` expanded, as a shell would.

    ``~nosuchuser/...`` is a :class:`PathError` naming ``source`` (an option or an
    environment variable) rather than the RuntimeError pathlib raises.
    """
    try:
        return Path(path).expanduser()
    except RuntimeError:
        user = str(path).split("/", 1)[0]
        where = f"{source}: " if source else ""
        raise PathError(f"{where}{path}: no such user as {user}") from None


def default_db_path() -> Path:
    """The library file: ``$READER_DB``, else ``library.db`` in the user data directory."""
    override = os.environ.get("READER_DB")
    if override:
        return expand_user(override, source="READER_DB")
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


def crash_log_path() -> Path:
    """Where the app writes down a bug it stopped on: ``crash.log`` in the user state
    directory (``~/.local/state/reader`` on Linux)."""
    return platformdirs.user_state_path(APP_NAME) / "crash.log"


def write_crash_log(text: str) -> Path | None:
    """Keep ``text`` (a traceback) in :func:`crash_log_path`, private to its owner as
    the library is (it may quote paper text); None when it cannot be written."""
    path = crash_log_path()
    try:
        missing = [folder for folder in (path.parent, *path.parent.parents) if not folder.exists()]
        for folder in reversed(missing):
            folder.mkdir(mode=0o700, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace") as f:
            f.write(text)
    except OSError:
        return None
    return path
