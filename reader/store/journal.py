"""What undoes an import that commits in chunks, and the locks that go with it.

A large import commits a few thousand papers at a time, so the write lock is never
held for long (another process's star waits for one chunk, not the import). A file
is still imported whole or not at all: each chunk writes, in its own transaction,
what undoes it (schema 6): the row ids it added, the papers as they were before it
changed them, the annotation columns it changed, as they were and as it left them.
An ``imports`` row says an import is under way. Finishing deletes that row (a tiny
transaction), then the journal in small ones; an import that fails undoes itself
from the journal; one whose process died is undone by the next process to open
the library for writing, but only once no import runs: an importer holds a shared
``flock`` on ``LIBRARY-import.lock`` throughout, and recovery takes it exclusive,
without waiting.

``LIBRARY-turn.lock`` hands the write lock over fairly. SQLite's own wait sleeps up
to 100 ms between tries, and kept missing the moment between two chunks. A writer
that finds the library busy holds this lock shared while it waits (trying every
couple of milliseconds); an importer takes it exclusive between two chunks, so it
begins the next one only after every writer then waiting has had its turn.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import stat
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from reader.store.merge import FIELDS
from reader.store.rows import IDS_IN_JSON, id_list

# The papers columns an import writes, as the journal keeps them (schema 6): every
# field, the title key it matches by, and its time of change.
PAPER_COLUMNS = (*FIELDS, "title_key", "updated_at")
# The annotation columns an import may change, and their value where there was no
# annotation row (what an absent row reads as).
MARK_DEFAULTS = {"starred": 0, "read_at": None, "tags": "[]", "note": "", "dismissed_at": None}
# The annotation's time of change, journaled with the columns so an undone mark reads
# as it did; where there was no row it is the import's own time (nothing to go back to).
MARK_TIME = "updated_at"
# Journal rows handled per undo transaction: each a short hold of the write lock.
UNDO_STEP = 2_000
_JOURNAL_TABLES = ("import_marks", "import_papers", "import_added")
# While an import writes in chunks, FTS5 merges the word indexes' segments less
# eagerly: it merges as each chunk commits, and at its default (a merge of every 4
# segments) a 100,000-paper import was a sixth slower, merging segments it merged
# again later. Back to the default once no import is under way (done or undone).
_MERGE_WHILE_IMPORTING = 16
_MERGE_DEFAULT = 4  # FTS5's own
# And meanwhile FTS5 gathers more of the words in memory before it writes them out as
# a segment: at its default (1 MB, a few hundred abstracts) a chunk of thousands of
# papers became a dozen small segments, each merged again later. In bytes.
_HASH_WHILE_IMPORTING = 8 << 20
_HASH_DEFAULT = 1 << 20  # FTS5's own
_WORD_TABLES = ("paper_words", "abstract_words")


# -- the locks ----------------------------------------------------------------------


def _lock_file(library: Path, suffix: str) -> int | None:
    """An open descriptor of the private lock file beside ``library``, made if need
    be; None where there can be none (a read-only folder, a link or a device there)."""
    try:
        fd = os.open(
            library.with_name(library.name + suffix),
            os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC,
            0o600,
        )
    except OSError:
        return None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        return None
    return fd


@contextmanager
def importing(library: Path) -> Iterator[bool]:
    """Held throughout an import that commits in chunks: True when held. Without it
    (no lock file can be made) an import must be one transaction: recovery could
    not tell it from one whose process died."""
    fd = _lock_file(library, "-import.lock")
    if fd is None:
        yield False
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
        yield True
    finally:
        os.close(fd)  # the lock goes with it


@contextmanager
def recovering(library: Path) -> Iterator[bool]:
    """True (and held) when no import runs: the journaled ones are dead."""
    fd = _lock_file(library, "-import.lock")
    if fd is None:
        yield False
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            yield False  # an import runs (perhaps the one journaled)
            return
        yield True
    finally:
        os.close(fd)


@contextmanager
def waiting_turn(library: Path | None) -> Iterator[None]:
    """Held while a writer waits for the write lock (see the module's docstring)."""
    fd = None if library is None else _lock_file(library, "-turn.lock")
    if fd is None:
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
        yield
    finally:
        os.close(fd)


def pass_turn(library: Path | None) -> None:
    """Between two chunks: wait until the writers waiting now have had their turn."""
    fd = None if library is None else _lock_file(library, "-turn.lock")
    if fd is None:
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
    finally:
        os.close(fd)


# -- the journal ----------------------------------------------------------------------


class Journal:
    """One import's journal, written through ``conn`` inside its chunks' transactions."""

    def __init__(self, conn: sqlite3.Connection, import_id: int) -> None:
        self._conn = conn
        self.import_id = import_id

    @classmethod
    def start(cls, conn: sqlite3.Connection, now: str) -> Journal:
        """Say an import is under way (in its first chunk's transaction)."""
        cursor = conn.execute("INSERT INTO imports (started_at) VALUES (?)", (now,))
        assert cursor.lastrowid is not None
        _merge_every(conn, _MERGE_WHILE_IMPORTING, _HASH_WHILE_IMPORTING)
        return cls(conn, cursor.lastrowid)

    def added(self, first_id: int, last_id: int) -> None:
        """The chunk added the rows ``first_id`` to ``last_id``."""
        self._conn.execute(
            "INSERT INTO import_added (import_id, first_id, last_id) VALUES (?, ?, ?)",
            (self.import_id, first_id, last_id),
        )

    def before_update(self, paper_ids: Sequence[int]) -> None:
        """Keep these rows as they are, before the chunk changes them (the first
        time only: an earlier chunk may have changed them already)."""
        columns = ", ".join(PAPER_COLUMNS)
        self._conn.execute(
            f"INSERT OR IGNORE INTO import_papers (import_id, id, {columns}) "
            f"SELECT ?, id, {columns} FROM papers WHERE id IN {IDS_IN_JSON}",
            (self.import_id, id_list(paper_ids)),
        )

    def before_mark(self, user: str, paper_id: int, field: str, new: Any) -> None:
        """Keep an annotation column as it is, before the chunk sets it to ``new``
        (``MARK_TIME`` included, whose absent value is ``new`` itself)."""
        assert field in MARK_DEFAULTS or field == MARK_TIME
        self._conn.execute(
            "INSERT INTO import_marks (import_id, user, paper_id, field, old, new) "
            f"VALUES (?, ?, ?, ?, coalesce((SELECT {field} FROM annotations "
            "WHERE user = ? AND paper_id = ?), ?), ?) "
            "ON CONFLICT (import_id, user, paper_id, field) DO UPDATE SET new = excluded.new",
            (
                self.import_id,
                user,
                paper_id,
                field,
                user,
                paper_id,
                MARK_DEFAULTS.get(field, new),
                new,
            ),
        )

    def finish(self) -> None:
        """The import is whole: its journal is no longer needed (cleared afterwards,
        by :func:`clear_step`, in small transactions)."""
        self._conn.execute("DELETE FROM imports WHERE id = ?", (self.import_id,))
        _merge_as_usual_when_idle(self._conn)


def pending(conn: sqlite3.Connection) -> list[int]:
    """The imports under way (or whose process died)."""
    return [row[0] for row in conn.execute("SELECT id FROM imports ORDER BY id")]


def has_garbage(conn: sqlite3.Connection) -> bool:
    """Whether finished imports left journal rows to clear."""
    return any(
        conn.execute(
            f"SELECT 1 FROM {table} WHERE import_id NOT IN (SELECT id FROM imports) LIMIT 1"
        ).fetchone()
        is not None
        for table in _JOURNAL_TABLES
    )


def clear_step(conn: sqlite3.Connection) -> bool:
    """Delete some journal rows of finished imports; True when none are left."""
    for table in _JOURNAL_TABLES:
        deleted = conn.execute(
            f"DELETE FROM {table} WHERE rowid IN (SELECT rowid FROM {table} "
            "WHERE import_id NOT IN (SELECT id FROM imports) LIMIT ?)"
            if table == "import_added"
            else f"DELETE FROM {table} WHERE (import_id, {_key(table)}) IN "
            f"(SELECT import_id, {_key(table)} FROM {table} "
            "WHERE import_id NOT IN (SELECT id FROM imports) LIMIT ?)",
            (UNDO_STEP,),
        ).rowcount
        if deleted:
            return False
    return True


def _key(table: str) -> str:
    return "id" if table == "import_papers" else "user, paper_id, field"


def undo_step(conn: sqlite3.Connection, import_ids: Sequence[int]) -> bool:
    """Undo some of what the imports ``import_ids`` did; True once all is undone
    (their ``imports`` rows deleted last). Each step takes its journal rows with it,
    in the caller's transaction, so an undo cut short goes on where it stopped.

    Marks first: a column goes back only where it still reads as the import left
    it (a mark made since, by the user in another window, stays). Then the papers
    it changed, as they were, and the updates it wrote of them (see
    :mod:`reader.store.updates`). Then the rows it added, with any marks on them."""
    ids = id_list(int(import_id) for import_id in import_ids)
    if not (_undo_marks(conn, ids) and _undo_papers(conn, ids) and _undo_added(conn, ids)):
        return False
    conn.execute(f"DELETE FROM imports WHERE id IN {IDS_IN_JSON}", (ids,))
    _merge_as_usual_when_idle(conn)
    return True


def _merge_every(conn: sqlite3.Connection, segments: int, memory: int) -> None:
    """Have FTS5 merge the word indexes' segments once ``segments`` of a size are there,
    and write a segment once ``memory`` bytes of words are gathered."""
    for table in _WORD_TABLES:
        conn.execute(f"INSERT INTO {table} ({table}, rank) VALUES ('automerge', ?)", (segments,))
        conn.execute(f"INSERT INTO {table} ({table}, rank) VALUES ('hashsize', ?)", (memory,))


def _merge_as_usual_when_idle(conn: sqlite3.Connection) -> None:
    """FTS5's own merging again, unless another import is under way."""
    if conn.execute("SELECT 1 FROM imports LIMIT 1").fetchone() is None:
        _merge_every(conn, _MERGE_DEFAULT, _HASH_DEFAULT)


def _undo_marks(conn: sqlite3.Connection, ids: str) -> bool:
    rows = conn.execute(
        "SELECT import_id, user, paper_id, field, old, new FROM import_marks "
        f"WHERE import_id IN {IDS_IN_JSON} ORDER BY import_id DESC LIMIT ?",
        (ids, UNDO_STEP),
    ).fetchall()
    for import_id, user, paper_id, field, old, new in rows:
        if field in MARK_DEFAULTS or field == MARK_TIME:  # from the file: only ours are used
            conn.execute(
                f"UPDATE annotations SET {field} = ? "
                f"WHERE user = ? AND paper_id = ? AND {field} IS ?",
                (old, user, paper_id, new),
            )
        conn.execute(
            "DELETE FROM import_marks "
            "WHERE import_id = ? AND user = ? AND paper_id = ? AND field = ?",
            (import_id, user, paper_id, field),
        )
    return not rows


def _undo_papers(conn: sqlite3.Connection, ids: str) -> bool:
    columns = ", ".join(PAPER_COLUMNS)
    rows = conn.execute(
        f"SELECT import_id, id FROM import_papers WHERE import_id IN {IDS_IN_JSON} "
        "ORDER BY import_id DESC LIMIT ?",
        (ids, UNDO_STEP),
    ).fetchall()
    for import_id, paper_id in rows:
        conn.execute(
            f"UPDATE papers SET ({columns}) = (SELECT {columns} FROM import_papers "
            "WHERE import_id = ? AND id = ?) WHERE id = ?",
            (import_id, paper_id, paper_id),
        )
        # The updates it wrote of the paper (a newer version, a code link) go too:
        # written at the import's own time, which its imports row keeps.
        conn.execute(
            "DELETE FROM paper_updates WHERE paper_id = ? "
            "AND at = (SELECT started_at FROM imports WHERE id = ?)",
            (paper_id, import_id),
        )
        conn.execute(
            "DELETE FROM import_papers WHERE import_id = ? AND id = ?", (import_id, paper_id)
        )
    return not rows


def _undo_added(conn: sqlite3.Connection, ids: str) -> bool:
    row = conn.execute(
        f"SELECT rowid, first_id, last_id FROM import_added WHERE import_id IN {IDS_IN_JSON} "
        "ORDER BY import_id DESC, first_id DESC LIMIT 1",
        (ids,),
    ).fetchone()
    if row is None:
        return True
    rowid, first_id, last_id = row
    # From the top of the range down, a step at a time.
    low = max(first_id, last_id - UNDO_STEP + 1)
    conn.execute("DELETE FROM papers WHERE id BETWEEN ? AND ?", (low, last_id))
    if low > first_id:
        conn.execute("UPDATE import_added SET last_id = ? WHERE rowid = ?", (low - 1, rowid))
    else:
        conn.execute("DELETE FROM import_added WHERE rowid = ?", (rowid,))
    return False
