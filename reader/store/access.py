"""May we write a library, and how to read it when we may not, changing nothing.

A library in WAL mode has two side files while it is open: ``-wal`` (commits not
yet folded into the file) and ``-shm`` (the index of the log, shared by every
process that has the file open). SQLite makes them when it opens the file, even
only to read it, with the file's own permission bits, and a connection that may
not write leaves them behind: a library read while it was read-only (``chmod
400``) then kept a -shm only its owner could read, and once made writable again
every write failed with "attempt to write a readonly database". So a library we
may not write is opened read-only in a way that makes no side file, and one whose
side files we may not write is read-only too, naming the file that makes it so.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from pathlib import Path


def side_files(path: Path) -> tuple[Path, Path]:
    """The library's -wal and -shm files."""
    return path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")


def _may(path: Path, mode: int) -> bool:
    """Whether we may (``os.W_OK``...) use ``path``, as the kernel would judge us."""
    if os.access in os.supports_effective_ids:
        return os.access(path, mode, effective_ids=True)
    return os.access(path, mode)


def _holds_commits(wal: Path) -> bool:
    try:
        return wal.stat().st_size > 0
    except OSError:
        return False


def why_read_only(path: Path) -> str | None:
    """Why we may not write the library at ``path`` (which exists), in one line for
    the user; None when we may."""
    if not _may(path, os.W_OK):
        return f"{path} is read-only: you may not write to it"
    wal, shm = side_files(path)
    stale = [side for side in (wal, shm) if os.path.lexists(side) and not _may(side, os.W_OK)]
    if stale:
        # Left so by a process that read the library while it was read-only.
        names = " and ".join(map(str, stale))
        these = "them" if len(stale) > 1 else "it"
        if wal in stale and _holds_commits(wal):
            advice = f"make {these} writable ({wal} holds changes not yet in the library)"
        else:
            advice = f"make {these} writable, or remove {these} while no reader runs"
        beside = "are" if len(stale) > 1 else "is"
        return f"{path} is read-only: {names} beside it {beside} not writable by you; {advice}"
    if not (wal.exists() and shm.exists()) and not _may(path.parent, os.W_OK | os.X_OK):
        return (
            f"{path} is read-only: its folder is read-only "
            "(SQLite needs to write its -wal and -shm files beside it)"
        )
    return None


def read_only_uri(path: Path) -> str:
    """The URI to read the library at ``path`` without writing anything beside it."""
    wal, shm = side_files(path)
    uri = path.absolute().as_uri()
    if (wal.exists() and shm.exists()) or _holds_commits(wal):
        # Open elsewhere (or left so by a process that died): read it as any reader
        # does, through its log and index. (A log of commits without its index gets
        # one made: no other way reads those commits.)
        return f"{uri}?mode=ro"
    # Without a -shm beside it no process has the file open, and a reader would
    # make both side files. ``immutable`` reads the file alone, with no side file
    # and no lock. What that costs: a process that starts writing the library while
    # this one has it open (its owner, having made it writable again; another user
    # who may write it) is not seen, and a checkpoint it makes while this one reads
    # can show this one a torn state (an error; this connection never writes).
    return f"{uri}?mode=ro&immutable=1"


def logged_header(path: Path) -> tuple[int, int, int] | None:
    """The header values a refusal depends on (the schema cookie, ``user_version``,
    ``application_id``), as SQLite reads them through the write-ahead log beside
    ``path``; None when the log holds no commits (the file's own header is current).

    A newer version of reader may have changed them in commits still in the log.
    Opening the file to write would fold the log in, and delete it, before the
    version could be refused: they are read here without changing any file, the
    log's index opened read-only where there is one, else from a private copy of
    the log and the file's first page."""
    wal, shm = side_files(path)
    if not _holds_commits(wal):
        return None
    if _may(shm, os.R_OK):
        try:
            return _read_header(f"{path.absolute().as_uri()}?mode=ro&readonly_shm=1")
        except sqlite3.Error:
            pass  # an index it cannot use read-only: the copy has none
    return _read_copy(path, wal)


def _read_header(uri: str) -> tuple[int, int, int]:
    conn = sqlite3.connect(uri, uri=True, isolation_level=None)
    try:
        schema, version, app_id = (
            int(conn.execute(f"PRAGMA {name}").fetchone()[0])
            for name in ("schema_version", "user_version", "application_id")
        )
    finally:
        conn.close()
    return schema, version, app_id


def _read_copy(path: Path, wal: Path) -> tuple[int, int, int] | None:
    """:func:`logged_header` from a copy of the log and the file's first page (the
    header lives there, or in the log), in a private folder of its own."""
    with tempfile.TemporaryDirectory(prefix="reader-") as folder:
        copy = Path(folder) / "library.db"
        try:
            with path.open("rb") as source, copy.open("wb") as target:
                head = source.read(100)
                size = int.from_bytes(head[16:18], "big")
                page = 65536 if size == 1 else size
                if page < 512:
                    return None
                target.write(head + source.read(page - 100))
            shutil.copyfile(wal, side_files(copy)[0])
            return _read_header(f"{copy.as_uri()}?mode=ro")
        except (OSError, sqlite3.Error):
            return None  # SQLite, opening the file itself, will say what is wrong
