"""Which schema a library file is at, and bringing an older one up to date, with
a backup of it taken first.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from reader.store import removal
from reader.store.connection import Connection
from reader.store.errors import LibraryError
from reader.store.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION

# The schema that marks the sample papers (see reader.store.removal).
_SAMPLE_MARKED = 7


def newer(where: str, version: int) -> str:
    """The refusal of a file a newer reader wrote."""
    return (
        f"{where} was written by a newer version of reader (schema {version}, "
        f"this one knows {SCHEMA_VERSION}); upgrade reader to open it"
    )


def check_version(library: Connection) -> int:
    """The schema version, after refusing a file that is not ours or too new."""
    db = library._conn
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    app_id = db.execute("PRAGMA application_id").fetchone()[0]
    has_tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0
    # An empty file is ours to fill; one with tables, a version or an id is not.
    if app_id != APPLICATION_ID and (has_tables or version or app_id):
        raise LibraryError(f"{library._where} is another program's SQLite database; left untouched")
    if version > SCHEMA_VERSION:
        raise LibraryError(newer(library._where, version))
    return version


def migrate(library: Connection) -> None:
    """Bring the library's schema up to date (a new file: create it), after a
    backup of an older one."""
    version = check_version(library)
    if version == SCHEMA_VERSION:
        return
    if library.read_only and version > 0:
        raise LibraryError(
            f"{library.read_only}; and it needs upgrading (schema {version} to "
            f"{SCHEMA_VERSION}) before this version of reader can read it"
        )
    if version > 0 and library.path is not None:
        back_up(library, library.path, version)
    with library.transaction():
        # Checked again under the write lock: another process may have just done it.
        version = check_version(library)
        for statements in MIGRATIONS[version:]:
            for statement in statements:
                library._conn.execute(statement)
        if 0 < version < _SAMPLE_MARKED:
            _adopt_sample(library)
        library._conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        library._conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _adopt_sample(library: Connection) -> None:
    """Mark the sample papers of a library filled before they were marked."""
    from reader.sample import sample_title_keys  # reader.sample needs the store

    removal.adopt_sample(library._conn, sample_title_keys())


def back_up(library: Connection, path: Path, version: int) -> Path:
    """A copy of the library as it is, next to it, before an upgrade changes it:
    ``library.db.schema3.bak`` (then ``.schema3.2.bak``...), private to its owner.

    Taken through SQLite's backup API, so it is whole (a committed state, with
    what the write-ahead log holds). If it cannot be written, the upgrade does
    not happen.
    """
    for n in range(1, 1000):
        suffix = f".schema{version}.bak" if n == 1 else f".schema{version}.{n}.bak"
        target = path.with_name(path.name + suffix)
        try:
            fd = os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            continue
        except OSError as error:
            raise LibraryError(
                f"{path}: cannot write a backup before upgrading it ({error.strerror}); "
                "left untouched"
            ) from None
        os.close(fd)
        try:
            copy = sqlite3.connect(target)
            try:
                library._conn.backup(copy)
            finally:
                copy.close()
        except sqlite3.Error as error:
            target.unlink(missing_ok=True)
            raise LibraryError(
                f"{path}: cannot write a backup before upgrading it ({error}); left untouched"
            ) from None
        return target
    raise LibraryError(f"{path}: too many backups next to it; move some away")
