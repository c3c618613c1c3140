"""An open library file: reading it, and writing it in transactions.

Every write is one short transaction, taken with ``BEGIN IMMEDIATE`` and a wait
for another process's write that tries again every couple of milliseconds, in
turn with an import that commits in chunks (see :mod:`reader.store.journal`).
Reads turn SQLite's errors (a damaged file) into :class:`LibraryError`.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from reader.store import access, typed
from reader.store import journal as journaling
from reader.store.errors import LibraryBusy, LibraryError

# How long a write waits for another process's write lock (ms): long enough for a
# large import by another process to finish, so writes do not fail for it.
BUSY_MS = 10_000
# How often a write waiting for the lock tries again (s): SQLite's own wait sleeps
# up to 100 ms between tries, and missed the moment between two chunks of an import.
_RETRY_S = 0.002


class Connection:
    """A library file, open: its reads and its write transactions."""

    def __init__(
        self, conn: sqlite3.Connection, path: Path | None, *, read_only: str | None = None
    ) -> None:
        self.path = path
        self._conn = conn
        # The schema's triggers were written with recursive triggers on (sqlite-utils
        # turned them on for every connection it wrapped, until issue 17): kept so.
        conn.execute("PRAGMA recursive_triggers = ON")
        # How long a write waits for another process's write lock (ms).
        self._write_wait_ms = BUSY_MS
        # Why we may not write the file (one line for the user), or None.
        self.read_only = read_only
        # How another connection reads the file (see Library.words).
        self._read_uri: str | None = None
        if path is not None:
            uri = access.read_only_uri(path) if read_only else f"{path.absolute().as_uri()}?mode=ro"
            self._read_uri = uri

    @property
    def db(self) -> sqlite3.Connection:
        """The SQLite connection itself, for tests and tools that speak SQL."""
        return self._conn

    # -- reading --------------------------------------------------------------

    def _rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """All rows of a query; a damaged file is a LibraryError, not a crash."""
        try:
            return typed.fetch_all(self._conn, sql, params)
        except sqlite3.Error as error:
            raise LibraryError(f"cannot read library {self._where}: {error}") from None

    def _row(self, sql: str, params: tuple[Any, ...] = ()) -> tuple[Any, ...] | None:
        try:
            return typed.fetch_one(self._conn, sql, params)
        except sqlite3.Error as error:
            raise LibraryError(f"cannot read library {self._where}: {error}") from None

    def _json_rows(
        self, sql: str, column: str, params: tuple[Any, ...] = ()
    ) -> list[tuple[Any, ...]]:
        """:meth:`_rows` of SQL reading a JSON column (see :func:`typed.json_rows`)."""
        try:
            return typed.json_rows(self._conn, sql, column, params)
        except sqlite3.Error as error:
            raise LibraryError(f"cannot read library {self._where}: {error}") from None

    @property
    def _where(self) -> str:
        return str(self.path) if self.path else ":memory:"

    # -- metadata -------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        row = self._row(f"SELECT {typed.text('value')} FROM meta WHERE key = ?", (key,))
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self._conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    # -- writing --------------------------------------------------------------

    @contextmanager
    def waiting_at_most(self, wait_ms: int) -> Iterator[None]:
        """Writes in the body wait at most ``wait_ms`` for another process's write
        lock, then raise :class:`LibraryBusy`: the app's writes, made on its UI
        thread, try again later rather than freeze it."""
        before = self._write_wait_ms
        self._write_wait_ms = wait_ms
        try:
            yield
        finally:
            self._write_wait_ms = before

    @contextmanager
    def transaction(self, *, wait_ms: int | None = None) -> Iterator[None]:
        """One write transaction: all of it lands, or none of it.

        It waits up to ``wait_ms`` (default: 10 s, or what :meth:`waiting_at_most`
        says) for another process's write to end, then raises :class:`LibraryBusy`.
        """
        if self.read_only:
            raise LibraryError(self.read_only)
        if wait_ms is None:
            wait_ms = self._write_wait_ms
        try:
            self._begin(wait_ms)
            try:
                yield
            except BaseException:
                # SQLite may have rolled it back itself (a full disk as it spilled its
                # cache); a second rollback would fail and hide why.
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")
        except sqlite3.Error as error:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            raise LibraryError(f"{self._where}: {error}") from None

    def _begin(self, wait_ms: int) -> None:
        """Take the write lock, waiting up to ``wait_ms`` for another's write: trying
        again every couple of milliseconds, in turn with an import that writes in
        chunks (see :mod:`reader.store.journal`)."""
        self._conn.execute("PRAGMA busy_timeout = 0")
        try:
            if self._try_begin():
                return
            deadline = time.monotonic() + wait_ms / 1000
            with journaling.waiting_turn(self.path):
                while not self._try_begin():
                    if time.monotonic() >= deadline:
                        raise LibraryBusy(f"{self._where}: busy with another process's write")
                    time.sleep(_RETRY_S)
        finally:
            self._conn.execute(f"PRAGMA busy_timeout = {BUSY_MS}")

    def _try_begin(self) -> bool:
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            if error.sqlite_errorcode == sqlite3.SQLITE_BUSY:
                return False
            raise
        return True

    def checkpoint(self) -> None:
        """Fold what the write-ahead log holds into the file, as far as no reader
        needs it still; never waits, and is never needed (SQLite does it too)."""
        with suppress(sqlite3.Error):
            self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    def close(self) -> None:
        self._conn.close()
