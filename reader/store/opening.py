"""Opening a library file: the checks that refuse what is not a reader library
(before SQLite could change it), the read-only case, and the schema brought up to
date (see :mod:`reader.store.migrate`).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from reader.store import access
from reader.store.connection import BUSY_MS
from reader.store.errors import LibraryError
from reader.store.imports import recover
from reader.store.library import Library
from reader.store.migrate import migrate, newer
from reader.store.schema import APPLICATION_ID, SCHEMA_VERSION

_SQLITE_HEADER = b"SQLite format 3\x00"


def open_library(path: Path | str | None, *, create: bool = True) -> Library:
    """Open (creating if needed, private to its owner) and upgrade a library file.

    ``None`` opens a throwaway in-memory library. With ``create=False`` a missing
    file is an error rather than a new, empty library. Raises :class:`LibraryError`
    with a one-line message for a file that is not ours or cannot be opened.
    """
    if path is None:
        # The filter's worker thread reads through this one connection too.
        memory = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        library = Library(memory, None)
        migrate(library)
        return library
    path = Path(path).expanduser()
    try:
        is_dir, is_file, exists = path.is_dir(), path.is_file(), path.exists()
        empty = is_file and path.stat().st_size == 0
    except OSError as error:
        # A folder on the way it may not enter: is_dir and exists raise for that one.
        raise LibraryError(f"cannot open library {path}: {error.strerror}") from None
    if is_dir:
        raise LibraryError(f"cannot open library {path}: it is a directory")
    if exists and not is_file:
        # A device or a pipe: /dev/null would get a journal beside it and lose every write.
        raise LibraryError(f"{path} is not a reader library (not a regular file); left untouched")
    if not create and not exists:
        raise LibraryError(f"no library at {path} (check --db or READER_DB)")
    if not create and empty:
        # Only a command that fills a library may make one of an empty file.
        raise LibraryError(f"no library at {path}: the file is empty; left untouched")
    try:
        _create_private(path)
    except OSError as error:
        raise LibraryError(f"cannot create library {path}: {error.strerror}") from None
    _check_is_sqlite(path)
    # A library we may not write is read without a side file left beside it (see
    # reader.store.access); its writes fail with the reason.
    read_only = access.why_read_only(path)
    conn: sqlite3.Connection | None = None
    try:
        if read_only:
            conn = sqlite3.connect(
                access.read_only_uri(path), uri=True, isolation_level=None, timeout=BUSY_MS / 1000
            )
        else:
            conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_MS / 1000)
        conn.execute("PRAGMA foreign_keys = ON")
        library = Library(conn, path, read_only=read_only)
        migrate(library)
        recover(library)
        if not read_only:
            conn.execute("PRAGMA journal_mode = WAL")
    except (sqlite3.Error, LibraryError) as error:
        if conn is not None:
            conn.close()
        if isinstance(error, LibraryError):
            raise
        # SQLite's words for these say what it tried, not why it could not.
        reason = {
            "SQLITE_READONLY_DIRECTORY": "its folder is read-only "
            "(SQLite needs to write its -shm file beside it)",
            "SQLITE_IOERR_SHMSIZE": "database or disk is full",
        }.get(error.sqlite_errorname, str(error))
        raise LibraryError(f"cannot open library {path}: {reason}") from None
    return library


def _create_private(path: Path) -> None:
    """Create an empty file (and any missing folders) readable by its owner only."""
    # mkdir(parents=True) would give the mode to the last folder only, the others
    # the umask's (0777 under umask 0): each folder made here is private.
    missing: list[Path] = []
    for folder in path.parents:
        if folder.exists():
            break
        missing.append(folder)
    for folder in reversed(missing):
        folder.mkdir(mode=0o700, exist_ok=True)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    os.close(fd)


def _check_is_sqlite(path: Path) -> None:
    """Refuse a file that is not a library before SQLite opens it: SQLite would run
    another program's crash recovery (roll back its journal, fold in its write-ahead
    log), and so change its file, before :func:`~reader.store.migrate.check_version`
    could refuse it."""
    try:
        with path.open("rb") as f:
            header = f.read(100)  # SQLite's file header
    except OSError as error:
        raise LibraryError(f"cannot open library {path}: {error.strerror}") from None
    if header and header[: len(_SQLITE_HEADER)] != _SQLITE_HEADER:
        raise LibraryError(
            f"{path} is not a reader library (not an SQLite database); left untouched"
        )
    # Bytes 21-23 are the same in every SQLite file: without them the header is junk,
    # and SQLite says so. At 40, 60 and 68: the schema cookie (not 0 once a table was
    # made), user_version and application_id, as migrate.check_version reads them.
    if len(header) == 100 and header[21:24] == b"\x40\x20\x20":
        schema, version, app_id = (
            int.from_bytes(header[at : at + 4], "big") for at in (40, 60, 68)
        )
        _refuse_foreign(path, schema, version, app_id)
    # A blank header with a write-ahead log beside it: the database lives in the log
    # so far, and SQLite would fold it into the file on closing. Ours never does:
    # a library has its id in the file before write-ahead logging is turned on.
    if not header[68:72].strip(b"\x00"):
        wal = path.with_name(path.name + "-wal")
        try:
            logged = wal.stat().st_size > 0
        except OSError:
            logged = False
        if logged:
            raise LibraryError(
                f"{path} is another program's SQLite database (with a write-ahead log "
                "beside it); left untouched"
            )
    # The header as it is now may be in commits still in the write-ahead log (a
    # newer reader's upgrade, say): read there, so no file changes before a refusal.
    logged_ids = access.logged_header(path)
    if logged_ids is not None:
        _refuse_foreign(path, *logged_ids)


def _refuse_foreign(path: Path, schema: int, version: int, app_id: int) -> None:
    """Refuse a file whose header says it is not ours, or is a newer reader's."""
    if app_id != APPLICATION_ID and (schema or version or app_id):
        raise LibraryError(f"{path} is another program's SQLite database; left untouched")
    if version > SCHEMA_VERSION:
        raise LibraryError(newer(str(path), version))
