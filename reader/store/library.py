"""The library: one SQLite file of papers and each user's annotations.

With the rest of reader.store, the only code that speaks SQL. Every write is one
short transaction (a large import, a run of them: see reader.store.journal);
annotation writes change only the columns they mean to change, so two processes
marking different things never undo each other.
"""

from __future__ import annotations

import bisect
import gc
import json
import os
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, suppress
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from json.encoder import encode_basestring
from operator import attrgetter, itemgetter
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

import sqlite_utils

from reader.limits import bound_import
from reader.models import (
    Annotation,
    ImportResult,
    ListedPaper,
    NoteDraft,
    Paper,
    normalise_tags,
)
from reader.store import access, removal, typed
from reader.store import journal as journaling
from reader.store.errors import LibraryBusy, LibraryError, NoteConflict, PapersGone
from reader.store.journal import Journal
from reader.store.removal import Held, Noted, Removed
from reader.store.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION
from reader.store.words import AUTHOR_COUNTS, IDS_IN_JSON, Words

_SQLITE_HEADER = b"SQLite format 3\x00"
# Every metadata field of Paper, as stored; an import may set each of them.
_FIELDS = (
    "arxiv_id",
    "title",
    "abstract",
    "authors",
    "author_count",
    "published",
    "upvotes",
    "github_url",
    "arxiv_version",
    "updated",
    "featured",
    "categories",
    "primary_category",
    "comment",
    "doi",
    "journal_ref",
    "url",
    "num_comments",
    "github_stars",
    "ai_summary",
    "ai_keywords",
)
# Stored as JSON arrays.
_LIST_FIELDS = frozenset({"authors", "categories", "ai_keywords"})
# Fields that change with an arXiv revision: an older revision never replaces them.
_REVISED_FIELDS = frozenset(
    {
        "title",
        "abstract",
        "authors",
        "arxiv_version",
        "updated",
        "categories",
        "primary_category",
        "comment",
        "doi",
        "journal_ref",
    }
)
# How each field is read back (see reader.store.rows): whatever the file holds, a
# Paper gets the types it promises.
_TEXT_FIELDS = frozenset({"title", "abstract"})
_COUNT_FIELDS = frozenset(
    {"author_count", "upvotes", "arxiv_version", "num_comments", "github_stars"}
)
_DATE_FIELDS = frozenset({"published", "updated", "featured"})


def _column(name: str) -> str:
    if name in _TEXT_FIELDS:
        return typed.text(name)
    if name in _COUNT_FIELDS:
        return typed.integer(name)
    return typed.optional_text(name)  # text, dates and JSON lists, checked in Python


_PAPER_COLUMNS = ", ".join(("id", *map(_column, _FIELDS)))
# ListedPaper's fields, as read (dates checked in Python: see listing).
_LISTED_COLUMNS = ", ".join(("id", *map(_column, ListedPaper._fields[1:])))
_LISTED_DATES = tuple(
    index for index, name in enumerate(ListedPaper._fields) if name in _DATE_FIELDS
)
# A paper's stored values in one C call; the lists among them become JSON.
_FIELD_VALUES = attrgetter(*_FIELDS)
_LIST_INDEXES = tuple(index for index, name in enumerate(_FIELDS) if name in _LIST_FIELDS)
# Values per lookup query, well under SQLite's limit on ``?`` parameters.
_LOOKUP_CHUNK = 500
_MAX_ROW_ID = 2**63 - 1
# SQLite's page cache while importing, in KiB (as a negative number says).
_IMPORT_CACHE = -64 * 1024
# ... and how many chunks it writes before it folds the write-ahead log in.
_CHECKPOINT_CHUNKS = 10
_LISTING_ORDER = "published IS NULL, published DESC, title COLLATE NOCASE"
_EMPTY: tuple[object, ...] = (None, "", ())
# How long a write waits for another process's write lock (ms): long enough for a
# large import by another process to finish, so writes do not fail for it.
_BUSY_MS = 10_000
# ... and a draft write, on the UI thread while the user types: it tries again soon.
_DRAFT_WAIT_MS = 100
# How often a write waiting for the lock tries again (s): SQLite's own wait sleeps
# up to 100 ms between tries, and missed the moment between two chunks of an import.
_RETRY_S = 0.002
# An import of more papers than this commits in chunks (see _ImportRun), of as many
# as hold the write lock about _CHUNK_S seconds each.
_CHUNK_FIRST = 1_000
_CHUNK_MIN = 200
_CHUNK_MAX = 5_000
_CHUNK_S = 0.1
# The schema that marks the sample papers (see reader.store.removal).
_SAMPLE_MARKED = 7


def _quietly(step: str) -> None:
    """Hears a step of the work and says nothing."""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


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
    log), and so change its file, before :meth:`Library._check_version` could refuse it."""
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
    # made), user_version and application_id, as Library._check_version reads them.
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
        raise LibraryError(_newer(str(path), version))


def _newer(where: str, version: int) -> str:
    return (
        f"{where} was written by a newer version of reader (schema {version}, "
        f"this one knows {SCHEMA_VERSION}); upgrade reader to open it"
    )


class Library:
    """A library file, open. Use :func:`open_library` to get one."""

    def __init__(
        self, conn: sqlite3.Connection, path: Path | None, *, read_only: str | None = None
    ) -> None:
        self.path = path
        self._conn = conn
        self.db = sqlite_utils.Database(conn)
        # How long a write waits for another process's write lock (ms).
        self._write_wait_ms = _BUSY_MS
        # Why we may not write the file (one line for the user), or None.
        self.read_only = read_only
        # How another connection reads the file (see words).
        self._read_uri: str | None = None
        if path is not None:
            uri = access.read_only_uri(path) if read_only else f"{path.absolute().as_uri()}?mode=ro"
            self._read_uri = uri

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

    # -- set-up ---------------------------------------------------------------

    def _check_version(self) -> int:
        """The schema version, after refusing a file that is not ours or too new."""
        version = int(self.db.execute("PRAGMA user_version").fetchone()[0])
        app_id = self.db.execute("PRAGMA application_id").fetchone()[0]
        has_tables = self.db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0
        # An empty file is ours to fill; one with tables, a version or an id is not.
        if app_id != APPLICATION_ID and (has_tables or version or app_id):
            raise LibraryError(
                f"{self._where} is another program's SQLite database; left untouched"
            )
        if version > SCHEMA_VERSION:
            raise LibraryError(_newer(self._where, version))
        return version

    def _migrate(self) -> None:
        version = self._check_version()
        if version == SCHEMA_VERSION:
            return
        if self.read_only and version > 0:
            raise LibraryError(
                f"{self.read_only}; and it needs upgrading (schema {version} to "
                f"{SCHEMA_VERSION}) before this version of reader can read it"
            )
        if version > 0 and self.path is not None:
            self._back_up(self.path, version)
        with self.transaction():
            # Checked again under the write lock: another process may have just done it.
            version = self._check_version()
            for statements in MIGRATIONS[version:]:
                for statement in statements:
                    self.db.execute(statement)
            if 0 < version < _SAMPLE_MARKED:
                self._adopt_sample()
            self.db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _adopt_sample(self) -> None:
        """Mark the sample papers of a library filled before they were marked."""
        from reader.sample import sample_title_keys  # reader.sample needs the store

        removal.adopt_sample(self._conn, sample_title_keys())

    def _back_up(self, path: Path, version: int) -> Path:
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
                    self._conn.backup(copy)
                finally:
                    copy.close()
            except sqlite3.Error as error:
                target.unlink(missing_ok=True)
                raise LibraryError(
                    f"{path}: cannot write a backup before upgrading it ({error}); left untouched"
                ) from None
            return target
        raise LibraryError(f"{path}: too many backups next to it; move some away")

    def _recover(self) -> None:
        """Undo the imports whose process died before they finished, and clear the
        journal of those that finished (see :mod:`reader.store.journal`)."""
        if self.read_only or self.path is None:
            return
        try:
            if journaling.pending(self._conn):
                with journaling.recovering(self.path) as alone:
                    # Read again once alone: an import may have finished meanwhile.
                    dead = journaling.pending(self._conn) if alone else []
                    if dead:
                        self._undo_imports(dead)
            if journaling.has_garbage(self._conn):
                self._clear_journal()
        except sqlite3.Error as error:
            raise LibraryError(f"cannot read library {self._where}: {error}") from None

    def _undo_imports(self, import_ids: Sequence[int]) -> None:
        """Undo what the imports did, in short transactions."""
        while True:
            with self.transaction():
                done = journaling.undo_step(self._conn, import_ids)
            if done:
                return
            journaling.pass_turn(self.path)

    def _clear_journal(self) -> None:
        """Delete the journal rows of finished imports, in short transactions."""
        while True:
            with self.transaction():
                done = journaling.clear_step(self._conn)
            if done:
                return
            journaling.pass_turn(self.path)

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
            self.db.execute("COMMIT")
        except sqlite3.Error as error:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            raise LibraryError(f"{self._where}: {error}") from None

    def _begin(self, wait_ms: int) -> None:
        """Take the write lock, waiting up to ``wait_ms`` for another's write: trying
        again every couple of milliseconds, in turn with an import that writes in
        chunks (see :mod:`reader.store.journal`)."""
        self.db.execute("PRAGMA busy_timeout = 0")
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
            self.db.execute(f"PRAGMA busy_timeout = {_BUSY_MS}")

    def _try_begin(self) -> bool:
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            if error.sqlite_errorcode == sqlite3.SQLITE_BUSY:
                return False
            raise
        return True

    def close(self) -> None:
        self._conn.close()

    # -- metadata -------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        row = self._row(f"SELECT {typed.text('value')} FROM meta WHERE key = ?", (key,))
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    # -- changes by others -----------------------------------------------------

    def data_version(self) -> int:
        """A number that changes whenever another connection (another reader, a
        ``reader fetch`` from cron) commits a change to the file."""
        row = self._row("PRAGMA data_version")
        return int(row[0]) if row else 0

    def annotations_since(
        self, user: str, since: str | None
    ) -> tuple[dict[int, Annotation], str | None]:
        """``user``'s annotations written at or after ``since`` (all, for None), and
        the latest time among them (``since`` again if there are none).

        Every annotation write sets ``updated_at``, and annotations are only ever
        deleted with their paper, so these are all the changes since ``since``
        (the same second's are read again, which is harmless).
        """
        rows = self._rows(
            f"SELECT {_ANNOTATION_COLUMNS} FROM annotations "
            f"WHERE user = ? AND updated_at >= ? AND {_ANNOTATED}",
            (user, since or ""),
        )
        marks = {row[0]: _annotation_from_row(row) for row in rows}
        latest = max((m.updated_at for m in marks.values() if m.updated_at), default=since)
        return marks, latest

    def papers_version(self) -> str | None:
        """A mark that changes whenever papers are added or changed."""
        return self.get_meta("papers_changed")

    # -- papers ---------------------------------------------------------------

    def count(self) -> int:
        row = self._row("SELECT count(*) FROM papers")
        return int(row[0]) if row else 0

    def papers(self) -> list[Paper]:
        """Every paper, newest first (papers without a date last, then by title)."""
        rows = self._rows(
            f"SELECT {_PAPER_COLUMNS} FROM papers "
            "ORDER BY published IS NULL, published DESC, title COLLATE NOCASE"
        )
        return [_paper_from_row(row) for row in rows]

    def paper(self, paper_id: int) -> Paper | None:
        row = self._row(f"SELECT {_PAPER_COLUMNS} FROM papers WHERE id = ?", (paper_id,))
        return _paper_from_row(row) if row else None

    def papers_by_id(self, paper_ids: Sequence[int]) -> list[Paper]:
        """The papers with these ids, whole, in the order given (unknown ids skipped)."""
        rows = self._rows(
            f"SELECT {_PAPER_COLUMNS} FROM papers WHERE id IN {IDS_IN_JSON}",
            (json.dumps(list(paper_ids)),),
        )
        found = {row[0]: _paper_from_row(row) for row in rows}
        return [found[paper_id] for paper_id in paper_ids if paper_id in found]

    def listing(self, limit: int | None = None) -> list[ListedPaper]:
        """Every paper (or the first ``limit``) in :meth:`papers` order, as the list
        shows it: no abstract, no authors (:meth:`paper` has them). Read from an
        index that holds these columns, so a large library's abstracts are not
        read at all. :meth:`Words.listing` reads the same from another thread."""
        try:
            return listing(self._conn, limit)
        except sqlite3.Error as error:
            raise LibraryError(f"cannot read library {self._where}: {error}") from None

    def order(self) -> list[int]:
        """The ids of :meth:`listing`, alone: a search that shows a few papers
        needs no more of the others."""
        rows = self._rows(
            f"SELECT id FROM papers INDEXED BY papers_listing ORDER BY {_LISTING_ORDER}"
        )
        return [paper_id for (paper_id,) in rows]

    def listed_by_id(self, paper_ids: Sequence[int]) -> list[ListedPaper]:
        """:meth:`listing`'s rows of these papers, in the order given."""
        found = {
            row[0]: ListedPaper._make(row)
            for row in typed.dated(
                self._rows(
                    f"SELECT {_LISTED_COLUMNS} FROM papers WHERE id IN {IDS_IN_JSON}",
                    (json.dumps(list(paper_ids)),),
                ),
                _LISTED_DATES,
            )
        }
        return [found[paper_id] for paper_id in paper_ids if paper_id in found]

    def authors_of(self, paper_ids: Sequence[int]) -> dict[int, tuple[tuple[str, ...], int | None]]:
        """Each of these papers' author names and author count, in one query: what
        the list's authors column needs for the rows on screen, which
        :meth:`listing` leaves out. Names are empty when an import knew only the
        count ("7 authors"); unknown ids are left out."""
        found = self._rows(
            f"SELECT id, {_column('authors')}, {_column('author_count')} FROM papers "
            f"WHERE id IN {IDS_IN_JSON}",
            (json.dumps(list(paper_ids)),),
        )
        return {paper_id: (typed.strings(text), count) for paper_id, text, count in found}

    def words(self) -> Words:
        """The word indexes, read through a connection of their own (see :class:`Words`)."""
        if self.path is None:
            return Words(None, self._conn)
        return Words(self.path, uri=self._read_uri, writable=self.read_only is None)

    def import_papers(self, papers: Iterable[Paper], *, sample: bool = False) -> ImportResult:
        """Add new papers and update known ones, all in one transaction.

        A paper is known by its arXiv id, or by its normalised title when either
        side has no id (then the id is filled in). Incoming metadata wins where it
        is present (see :func:`_merge`); annotations are never touched. The papers
        are marked as the bundled sample's with ``sample``; without, any sample
        paper among them is the user's from now on.
        """
        result, _marks = self.import_papers_with_marks(list(papers), "", {}, sample=sample)
        return result

    def import_papers_with_marks(
        self,
        papers: Sequence[Paper],
        user: str,
        marks: Mapping[int, Annotation],
        *,
        on_step: Callable[[str], None] | None = None,
        sample: bool = False,
    ) -> tuple[ImportResult, MarksResult]:
        """Import ``papers`` as :meth:`import_papers` does and merge ``user``'s marks
        on them: all of it, or (an error, the process killed) none of it.

        ``marks`` holds the marks to bring in, keyed by the position of their paper
        in ``papers`` (their ``paper_id`` is not read: the import finds the row).
        ``on_step`` hears what is being done, for a progress line on a large import.
        Where the user has no annotation of the paper, the mark is written as it
        is. Where they have one, nothing of it is lost: starred if either is,
        the first read time kept, the new tags after the old ones, and the note
        kept unless it is blank. Two different notes keep the library's and count
        a conflict. Marks already held change nothing, so a second import of the
        same file writes nothing. Fields too long are cut to size first, as the
        result says (see :mod:`reader.limits`).

        More than a thousand papers are written in chunks, each its own short
        transaction (see :mod:`reader.store.journal`): other processes write in
        between and see the papers arrive, and what the import did is undone if
        it does not finish.
        """
        papers, marks, cuts = bound_import(papers, marks)
        now = _now()
        step = on_step or _quietly
        # Marks by position, in order: each chunk merges those of its papers.
        ordered = sorted(marks.items())
        result, marked = ImportResult(), MarksResult()
        with self._import_cache(), _ImportRun(self, len(papers), now) as run:
            for start, stop in run.spans():
                with self.transaction():
                    journal = run.began()
                    chunk_step = step if run.journal is None else _quietly
                    counts, ids = self._import_papers(papers[start:stop], now, chunk_step, journal)
                    chunk_marks = [(i - start, mark) for i, mark in run.marks_in(ordered, stop)]
                    merged = self._merge_imported_marks(user, chunk_marks, ids, now, journal)
                    run.brought(ids, sample=sample)
                result, marked = _sum(result, counts), _sum(marked, merged)
                run.committed(step)
        return result.with_cuts(cuts), marked

    def _merge_imported_marks(
        self,
        user: str,
        marks: Sequence[tuple[int, Annotation]],
        ids: Sequence[int],
        now: str,
        journal: Journal | None,
    ) -> MarksResult:
        """Merge ``marks`` (by the position of their paper, whose row id ``ids``
        gives) into ``user``'s, in the caller's transaction."""
        restored = merged = held = conflicts = 0
        # Several positions may name one paper (a file holding it twice): each
        # mark then merges into what the one before it left.
        current = self.annotations_of(user, sorted({ids[i] for i, _ in marks}))
        for index, incoming in marks:
            paper_id = ids[index]
            before = current[paper_id]
            after, conflict = _merge_marks(before, incoming)
            conflicts += conflict
            if after == before:
                held += 1
                continue
            if before.marks_anything:
                merged += 1
            else:
                restored += 1
            old = _mark_values(before)
            if journal is not None:
                journal.before_mark(user, paper_id, journaling.MARK_TIME, now)
            # Only the columns that change, as every annotation write here.
            for column, value in _mark_values(after).items():
                if value != old[column]:
                    if journal is not None:
                        journal.before_mark(user, paper_id, column, value)
                    self._upsert(user, paper_id, column, value, now)
            current[paper_id] = after
        return MarksResult(restored=restored, merged=merged, unchanged=held, conflicts=conflicts)

    def _import_papers(
        self,
        papers: Sequence[Paper],
        now: str,
        on_step: Callable[[str], None] = _quietly,
        journal: Journal | None = None,
    ) -> tuple[ImportResult, list[int]]:
        """Merge ``papers`` in, in order: the counts, and the row id of each paper.

        Queries per paper made a large import slow, so the rows the papers can meet
        are read up front and matched in memory (see :class:`_Known`), and every
        changed row is written once, at the end, by one statement for them all.
        """
        keys = [paper.title_key for paper in papers]
        on_step(f"matching {len(papers)} papers with the library")
        known = self._find(papers, keys)
        # Numbered as SQLite numbers rows (one past the largest), so a paper's row
        # id is known, for its marks and for a later copy of it, before it is written.
        # One past the largest id a paper has ever had (see reader.store.removal).
        first_new = next_id = removal.next_id(self._conn)
        added = updated = unchanged = 0
        ids: list[int] = []
        changed: set[int] = set()
        for paper, key in zip(papers, keys, strict=True):
            row_id = known.match(paper, key)
            if row_id is None:
                row_id = next_id
                next_id += 1
                known.add(row_id, paper, key, written=True)
                ids.append(row_id)
                added += 1
                continue
            ids.append(row_id)
            existing = known.paper(row_id)
            paper_merged = _merge(existing, paper)
            if paper_merged == existing:
                unchanged += 1
                continue
            # The merged title is one of the two; only the library's needs folding.
            merged_key = key if paper_merged.title == paper.title else paper_merged.title_key
            known.change(row_id, paper_merged, merged_key)
            if row_id < first_new:
                changed.add(row_id)
            updated += 1
        if next_id - 1 > _MAX_ROW_ID:
            # SQLite would pick free ids at random; a library never gets near this.
            raise LibraryError(f"{self._where}: no row ids left for {next_id - first_new} papers")
        if changed:
            on_step(f"updating {len(changed)} papers")
        if journal is not None and changed:
            journal.before_update(sorted(changed))
        self._update(known, sorted(changed), now)
        self._insert(known, range(first_new, next_id), now, on_step)
        if journal is not None and next_id > first_new:
            journal.added(first_new, next_id - 1)
        if added or updated:
            # A new mark for open windows to see (see papers_version).
            self.set_meta("papers_changed", uuid.uuid4().hex)
        return ImportResult(added=added, updated=updated, unchanged=unchanged), ids

    @contextmanager
    def _import_cache(self) -> Iterator[None]:
        """A page cache to fit a large import: its rows land all over the indexes,
        and the default 2 MB spills their pages to the WAL and reads them back
        again and again (a fifth of the time for 100,000 papers), until the commit.

        And the log folded into the file by the import itself, every few chunks
        (see _ImportRun.committed) and at the end, between two transactions: after
        every chunk (SQLite's way, past 4 MB of log, as it commits) it wrote the
        pages each chunk touches (the indexes', the word index's) again and again,
        and made an import in chunks a third slower. Another process's commit may
        meanwhile fold in what the log holds (SQLite checkpoints as it commits)."""
        row = self._row("PRAGMA cache_size")
        checkpoint = self._row("PRAGMA wal_autocheckpoint")
        self.db.execute(f"PRAGMA cache_size = {_IMPORT_CACHE}")
        self.db.execute("PRAGMA wal_autocheckpoint = 0")
        try:
            yield
        finally:
            if row is not None:
                self.db.execute(f"PRAGMA cache_size = {int(row[0])}")
            if checkpoint is not None:
                self.db.execute(f"PRAGMA wal_autocheckpoint = {int(checkpoint[0])}")
            self.checkpoint()

    def checkpoint(self) -> None:
        """Fold what the write-ahead log holds into the file, as far as no reader
        needs it still; never waits, and is never needed (SQLite does it too)."""
        with suppress(sqlite3.Error):
            self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    def _find(self, papers: Sequence[Paper], keys: Sequence[str]) -> _Known:
        """Every row ``papers`` (with their title ``keys``) can be matched with.

        A paper with an arXiv id meets the row with that id, or else one without
        an id under its title; a paper without an id meets any row under its
        title. Rows only change by meeting a paper, so no other row can match later.
        """
        known = _Known()
        if self._row("SELECT 1 FROM papers LIMIT 1") is None:
            return known  # a first import: hundreds of lookups that can find nothing
        self._read_known(known, "arxiv_id", {paper.arxiv_id for paper in papers if paper.arxiv_id})
        any_row: set[str] = set()
        id_less: set[str] = set()
        for paper, key in zip(papers, keys, strict=True):
            if not paper.arxiv_id:
                any_row.add(key)
            elif not known.has_arxiv_id(paper.arxiv_id):
                id_less.add(key)
        self._read_known(known, "title_key", any_row)
        self._read_known(known, "title_key", id_less - any_row, "AND arxiv_id IS NULL")
        return known

    def _read_known(
        self, known: _Known, column: str, values: Iterable[str], condition: str = ""
    ) -> None:
        """Add the rows whose ``column`` is one of ``values`` to ``known``."""
        wanted = list(values)
        for start in range(0, len(wanted), _LOOKUP_CHUNK):
            chunk = tuple(wanted[start : start + _LOOKUP_CHUNK])
            marks = ", ".join("?" * len(chunk))
            rows = self._rows(
                f"SELECT {_PAPER_COLUMNS}, {typed.text('title_key')} FROM papers "
                f"WHERE {column} IN ({marks}) {condition}",
                chunk,
            )
            for row in rows:
                if row[0] not in known:
                    known.add(row[0], _paper_from_row(row[:-1]), row[-1], written=False)

    def _insert(
        self, known: _Known, row_ids: range, now: str, on_step: Callable[[str], None]
    ) -> None:
        if not row_ids:
            return
        on_step(f"writing {len(row_ids)} new papers")
        columns = ", ".join(("id", *_FIELDS, "title_key", "added_at", "updated_at"))
        marks = ", ".join("?" * (len(_FIELDS) + 4))
        # The rows are indexed below, all at once: the insert trigger stands aside
        # (only inside this transaction).
        self.set_meta("indexing_by_import", "1")
        self._conn.executemany(
            f"INSERT INTO papers ({columns}) VALUES ({marks})",
            (
                (row_id, *_paper_values(paper), key, now, now)
                for row_id in row_ids
                for paper, key in (known.stored(row_id),)
            ),
        )
        self._conn.execute("DELETE FROM meta WHERE key = 'indexing_by_import'")
        on_step(f"indexing the words of {len(row_ids)} new papers")
        # The new rows into the word indexes in one statement each: a trigger per
        # row costs three times as much (26 s against 8 s for 100,000 papers).
        bounds = (row_ids.start, row_ids.stop - 1)
        self._conn.execute(
            "INSERT INTO paper_words (rowid, title, authors) "
            "SELECT id, title, authors FROM papers WHERE id BETWEEN ? AND ?",
            bounds,
        )
        self._conn.execute(
            "INSERT INTO abstract_words (rowid, abstract) "
            "SELECT id, abstract FROM papers WHERE id BETWEEN ? AND ?",
            bounds,
        )
        self._conn.execute("DELETE FROM word_terms")

    def _update(self, known: _Known, row_ids: Iterable[int], now: str) -> None:
        assignments = ", ".join(f"{name} = ?" for name in (*_FIELDS, "title_key", "updated_at"))
        self._conn.executemany(
            f"UPDATE papers SET {assignments} WHERE id = ?",
            (
                (*_paper_values(paper), key, now, row_id)
                for row_id in row_ids
                for paper, key in (known.stored(row_id),)
            ),
        )

    # -- annotations ----------------------------------------------------------

    def annotations(self, user: str) -> dict[int, Annotation]:
        """Every annotation of ``user`` that marks something, by paper id."""
        rows = self._rows(
            f"SELECT {_ANNOTATION_COLUMNS} FROM annotations WHERE user = ? AND {_ANNOTATED} "
            "AND (starred OR note != '' OR read_at IS NOT NULL OR tags != '[]')",
            (user,),
        )
        return {row[0]: _annotation_from_row(row) for row in rows}

    def annotation(self, user: str, paper_id: int) -> Annotation:
        row = self._row(
            f"SELECT {_ANNOTATION_COLUMNS} FROM annotations WHERE user = ? AND paper_id = ? "
            f"AND {_ANNOTATED}",
            (user, paper_id),
        )
        return _annotation_from_row(row) if row else Annotation(paper_id)

    def annotations_of(self, user: str, paper_ids: Sequence[int]) -> dict[int, Annotation]:
        """``user``'s annotation of each of ``paper_ids`` (an empty one where there is none)."""
        found: dict[int, Annotation] = {}
        for chunk in _chunks(paper_ids):
            marks = ", ".join("?" * len(chunk))
            rows = self._rows(
                f"SELECT {_ANNOTATION_COLUMNS} FROM annotations "
                f"WHERE user = ? AND paper_id IN ({marks}) AND {_ANNOTATED}",
                (user, *chunk),
            )
            found.update((row[0], _annotation_from_row(row)) for row in rows)
        return {paper_id: found.get(paper_id, Annotation(paper_id)) for paper_id in paper_ids}

    def set_starred(self, user: str, paper_id: int, starred: bool) -> Annotation:
        """Star or unstar one paper for ``user``; only the star changes."""
        return self._upsert_annotation(user, paper_id, "starred", int(starred))

    def set_starred_many(
        self, user: str, paper_ids: Sequence[int], starred: bool
    ) -> dict[int, Annotation]:
        """Star or unstar several papers in one transaction; only the stars change."""
        now = _now()
        with self.transaction():
            for paper_id in paper_ids:
                self._upsert(user, paper_id, "starred", int(starred), now)
        return self.annotations_of(user, paper_ids)

    def set_read(self, user: str, paper_ids: Sequence[int], read: bool) -> dict[int, Annotation]:
        """Mark papers read (keeping the first time each was read) or unread."""
        now = _now()
        with self.transaction():
            for paper_id in paper_ids:
                self.db.execute(
                    "INSERT INTO annotations (user, paper_id, read_at, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (user, paper_id) DO UPDATE SET "
                    "read_at = CASE WHEN ? THEN coalesce(read_at, excluded.read_at) END, "
                    "updated_at = excluded.updated_at",
                    (user, paper_id, now if read else None, now, now, int(read)),
                )
        return self.annotations_of(user, paper_ids)

    def change_tags(
        self,
        user: str,
        paper_ids: Sequence[int],
        *,
        add: Sequence[str] = (),
        remove: Sequence[str] = (),
    ) -> dict[int, Annotation]:
        """Add and remove tags on several papers; each paper's other tags stay."""
        added = normalise_tags(add)
        dropped = set(normalise_tags(remove))
        now = _now()
        with self.transaction():
            for paper_id, mark in self.annotations_of(user, paper_ids).items():
                tags = [t for t in mark.tags if t not in dropped]
                tags += [t for t in added if t not in tags]
                self._upsert(user, paper_id, "tags", json.dumps(tags, ensure_ascii=False), now)
        return self.annotations_of(user, paper_ids)

    def tag_counts(self, user: str) -> dict[str, int]:
        """Every tag ``user`` has used, with how many papers carry it, most used first."""
        # Tags as stored may not be as written (a file written by something else).
        counts: dict[str, int] = {}
        for value, count in self._json_rows(
            f"SELECT tag.value, count(*) FROM annotations, json_each({typed.JSON}) AS tag "
            f"WHERE user = ? AND {_ANNOTATED} AND tag.type = 'text' GROUP BY tag.value",
            "annotations.tags",
            (user,),
        ):
            for tag in normalise_tags((value,)):
                counts[tag] = counts.get(tag, 0) + count
        return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))

    def restore(
        self,
        user: str,
        before: Sequence[Annotation],
        fields: Sequence[str],
        *,
        after: Mapping[int, Annotation] | None = None,
    ) -> dict[int, Annotation]:
        """Undo: put ``fields`` (starred, read_at, tags, note) back as in ``before``.

        Only those columns change, so an undone star leaves a read state set since
        alone. A note is put back only where it still reads as ``after`` left it:
        a note written since (in another window) is never overwritten, and raises
        :class:`NoteConflict` with nothing changed. Papers removed since are left
        out; :class:`PapersGone` when that leaves none.
        """
        unknown = set(fields) - {"starred", "read_at", "tags", "note"}
        if unknown:
            raise ValueError(f"cannot restore {sorted(unknown)}")
        now = _now()
        with self.transaction():
            present = set(removal.existing(self._conn, [mark.paper_id for mark in before]))
            before = [mark for mark in before if mark.paper_id in present]
            if not before:
                raise PapersGone("the papers were removed from the library since; not undone")
            for mark in before:
                if "note" in fields and after is not None:
                    row = self._row(_NOTE, (user, mark.paper_id))
                    current = row[0] if row else ""
                    if current != after[mark.paper_id].note:
                        raise NoteConflict("the note was changed since; not undone", current)
                values = {
                    "starred": int(mark.starred),
                    "read_at": mark.read_at,
                    "tags": json.dumps(list(mark.tags), ensure_ascii=False),
                    "note": mark.note,
                }
                for field in fields:
                    self._upsert(user, mark.paper_id, field, values[field], now)
        return self.annotations_of(user, [mark.paper_id for mark in before])

    def toggle_star(self, user: str, paper_id: int) -> Annotation:
        """Flip the star in one statement, so two processes never lose a toggle."""
        now = _now()
        with self.transaction():
            self.db.execute(
                "INSERT INTO annotations (user, paper_id, starred, created_at, updated_at) "
                "VALUES (?, ?, 1, ?, ?) ON CONFLICT (user, paper_id) DO UPDATE SET "
                "starred = 1 - starred, updated_at = excluded.updated_at",
                (user, paper_id, now, now),
            )
        return self.annotation(user, paper_id)

    def set_note(
        self, user: str, paper_id: int, note: str, *, expected: str | None = None
    ) -> Annotation:
        """Save ``note`` (Markdown) as ``user``'s note on the paper; blank removes it.

        With ``expected`` (the note as it was when editing began), refuse with
        :class:`NoteConflict` if it has changed since, rather than overwrite it.
        """
        if not note.strip():
            note = ""
        if expected is None:
            return self._upsert_annotation(user, paper_id, "note", note)
        now = _now()
        with self.transaction():
            row = self._row(_NOTE, (user, paper_id))
            current = row[0] if row else ""
            if current != expected:
                raise NoteConflict("this note was changed elsewhere since you opened it", current)
            self.db.execute(
                "INSERT INTO annotations (user, paper_id, note, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (user, paper_id) DO UPDATE SET "
                "note = excluded.note, updated_at = excluded.updated_at",
                (user, paper_id, note, now, now),
            )
        return self.annotation(user, paper_id)

    def activity(
        self, user: str, paper_ids: Sequence[int] | None = None
    ) -> list[tuple[str | None, str | None, str | None]]:
        """When ``user`` read, starred and first noted each paper (of ``paper_ids``,
        when given): (read_at, starred_at, noted_at), each None where the paper is
        not so marked now. (:meth:`Words.activity` reads the same from another thread.)"""
        try:
            return activity(self._conn, user, paper_ids)
        except sqlite3.Error as error:
            raise LibraryError(f"cannot read library {self._where}: {error}") from None

    def author_counts(self, paper_ids: Sequence[int], limit: int) -> list[tuple[str, int]]:
        """The ``limit`` names found most often among the authors of ``paper_ids``,
        with how many of those papers each is on: most first, ties by name.
        (:meth:`Words.author_counts` reads the same from another thread.)"""
        rows = self._json_rows(
            AUTHOR_COUNTS, "papers.authors", (json.dumps(list(paper_ids)), limit)
        )
        return [(row[0], row[1]) for row in rows]

    # -- drafts ---------------------------------------------------------------

    def save_draft(self, user: str, paper_id: int, text: str, base: str) -> None:
        """Keep ``text``, typed over the note ``base`` and not saved yet, as a draft.

        Written while the user types, so it waits only a moment for another
        process's write: :class:`LibraryBusy` says to try again soon.
        """
        with self.transaction(wait_ms=_DRAFT_WAIT_MS):
            self.db.execute(
                "INSERT INTO drafts (user, paper_id, text, base, saved_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (user, paper_id) DO UPDATE SET "
                "text = excluded.text, base = excluded.base, saved_at = excluded.saved_at",
                (user, paper_id, text, base, _now()),
            )

    def draft(self, user: str, paper_id: int) -> NoteDraft | None:
        """The unsaved draft of ``user``'s note on the paper, if there is one."""
        row = self._row(
            f"SELECT {_DRAFT_COLUMNS} FROM drafts AS d "
            f"WHERE d.user = ? AND d.paper_id = ? AND {_DRAFTED}",
            (user, paper_id),
        )
        return _draft_from_row(row) if row else None

    def drafts(self, user: str) -> list[NoteDraft]:
        """``user``'s drafts that say something the note does not, the latest first."""
        rows = self._rows(
            f"SELECT {_DRAFT_COLUMNS} FROM drafts AS d "
            "LEFT JOIN annotations AS a ON a.user = d.user AND a.paper_id = d.paper_id "
            f"WHERE d.user = ? AND {_DRAFTED} AND d.text != coalesce(a.note, '') "
            "ORDER BY d.saved_at DESC, d.paper_id",
            (user,),
        )
        return [_draft_from_row(row) for row in rows]

    def discard_draft(self, user: str, paper_id: int, text: str | None = None) -> None:
        """Drop the draft; with ``text``, only if it still holds that text (another
        window editing the same note may have written its own since)."""
        with self.transaction(wait_ms=_DRAFT_WAIT_MS):
            self._delete_draft(user, paper_id, text)

    def _delete_draft(self, user: str, paper_id: int, text: str | None) -> None:
        self.db.execute(
            "DELETE FROM drafts WHERE user = ? AND paper_id = ? AND (? IS NULL OR text = ?)",
            (user, paper_id, text, text),
        )

    def _upsert_annotation(self, user: str, paper_id: int, column: str, value: Any) -> Annotation:
        now = _now()
        with self.transaction():
            self._upsert(user, paper_id, column, value, now)
        return self.annotation(user, paper_id)

    def _upsert(self, user: str, paper_id: int, column: str, value: Any, now: str) -> None:
        """Set one column of one annotation (creating it); the other columns stay."""
        self.db.execute(
            f"INSERT INTO annotations (user, paper_id, {column}, created_at, updated_at) "
            f"VALUES (?, ?, ?, ?, ?) ON CONFLICT (user, paper_id) DO UPDATE SET "
            f"{column} = excluded.{column}, updated_at = excluded.updated_at",
            (user, paper_id, value, now, now),
        )

    def annotated(self, user: str) -> list[tuple[Paper, Annotation]]:
        """``user``'s starred or noted papers with their annotations, newest first."""
        marks = self.annotations(user)
        return [(paper, marks[paper.id]) for paper in self.papers() if paper.id in marks]

    # -- removing papers ---------------------------------------------------------

    def held(self, paper_ids: Sequence[int]) -> Held:
        """What every user holds on these papers: notes (and drafts), stars, tags."""
        try:
            return removal.held(self._conn, paper_ids)
        except sqlite3.Error as error:
            raise LibraryError(f"cannot read library {self._where}: {error}") from None

    def remove_papers(self, paper_ids: Sequence[int], *, noted: Noted = "refuse") -> Removed:
        """Remove these papers (those still in the library) in one transaction, with
        their word-index entries, every user's annotations and drafts of them;
        what :meth:`restore_papers` needs to put them back. Papers holding anyone's
        note are refused (:class:`~reader.store.removal.PapersNoted`, nothing
        removed), left in place (``"keep"``) or removed too (``"remove"``)."""
        with self.transaction():
            return removal.remove(self._conn, paper_ids, noted=noted)

    def restore_papers(self, removed: Removed) -> None:
        """Undo :meth:`remove_papers`: the papers back under their row ids, with
        everyone's annotations and drafts as they were; refused whole
        (:class:`~reader.store.removal.NotRestored`) when an import has brought one
        of them back since."""
        with self.transaction():
            removal.restore(self._conn, removed)

    def sample_ids(self) -> list[int]:
        """The papers from the bundled sample (that no other import brought), in
        :meth:`listing` order."""
        rows = self._rows(
            "SELECT id FROM papers INDEXED BY papers_listing "
            "WHERE id IN (SELECT paper_id FROM sample_papers) "
            f"ORDER BY {_LISTING_ORDER}"
        )
        return [paper_id for (paper_id,) in rows]

    def ids_of_arxiv_ids(self, arxiv_ids: Sequence[str]) -> dict[str, int]:
        """The row id of each of these arXiv ids (without version) in the library."""
        rows = self._rows(
            f"SELECT {typed.text('arxiv_id')}, id FROM papers WHERE arxiv_id IN {IDS_IN_JSON}",
            (json.dumps(list(arxiv_ids)),),
        )
        return {arxiv_id: paper_id for arxiv_id, paper_id in rows}


_ANNOTATION_COLUMNS = ", ".join(
    (
        "paper_id",
        typed.flag("starred"),
        typed.text("note"),
        typed.optional_text("updated_at"),
        typed.optional_text("read_at"),
        typed.optional_text("tags"),
    )
)
# Annotations of rows a paper id can name: a file may hold others.
_ANNOTATED = typed.is_integer("paper_id")
_NOTE = f"SELECT {typed.text('note')} FROM annotations WHERE user = ? AND paper_id = ?"
_DRAFT_COLUMNS = ", ".join(
    (
        "d.paper_id",
        typed.text("d.text"),
        typed.text("d.base"),
        typed.optional_text("d.saved_at"),
    )
)
_DRAFTED = typed.is_integer("d.paper_id")


@dataclass(frozen=True, slots=True)
class MarksResult:
    """What merging imported marks did, for the summary line."""

    # Written where the user had no marks on the paper.
    restored: int = 0
    # Added to marks the user had (a star, a read time, tags or a note).
    merged: int = 0
    # Already held: nothing to change.
    unchanged: int = 0
    # Two different notes: the library's kept, the imported one not taken.
    conflicts: int = 0


_Counts = TypeVar("_Counts", ImportResult, MarksResult)


def _sum(one: _Counts, other: _Counts) -> _Counts:
    """Two chunks' counts as one."""
    return replace(
        one, **{name: getattr(one, name) + getattr(other, name) for name in _COUNTS[type(one)]}
    )


_COUNTS = {
    ImportResult: ("added", "updated", "unchanged", "skipped"),
    MarksResult: ("restored", "merged", "unchanged", "conflicts"),
}


class _ImportRun:
    """The chunks of one import, the journal that undoes them and the lock held
    meanwhile (see :mod:`reader.store.journal`); one transaction for a small
    import, or where no lock can be held."""

    def __init__(self, library: Library, total: int, now: str) -> None:
        self._library = library
        self._total = total
        self._now = now
        self._size = _CHUNK_FIRST
        self._began = 0.0
        self._marks_at = 0
        self._done = self._told = self._chunks = 0
        self.journal: Journal | None = None
        self._chunked = False
        # Papers a journaled import brought: no longer sample papers once it stands.
        self._brought: list[int] = []
        self._held: AbstractContextManager[bool] | None = None

    def __enter__(self) -> _ImportRun:
        path = self._library.path
        # (Not into a library it may not write: it fails at once, leaving no lock file.)
        if self._total > _CHUNK_FIRST and path is not None and not self._library.read_only:
            self._held = journaling.importing(path)
            self._chunked = self._held.__enter__()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        try:
            if self.journal is not None:
                if error is None:
                    self._finish()
                else:
                    # Undone now; if that fails too (a full disk), by the next process
                    # to open the library, once this one has let go of the lock.
                    with suppress(LibraryError):
                        self._library._undo_imports([self.journal.import_id])
        finally:
            if self._held is not None:
                self._held.__exit__(None, None, None)

    def _finish(self) -> None:
        journal = self.journal
        assert journal is not None
        with self._library.transaction():
            removal.unmark_sample(self._library._conn, self._brought)
            journal.finish()
        # The import stands from here: the journal is garbage, cleared now or
        # by the next process to open the library.
        with suppress(LibraryError):
            self._library._clear_journal()

    def spans(self) -> Iterator[tuple[int, int]]:
        """(start, stop) of each chunk's papers, in order."""
        if not self._chunked:
            yield 0, self._total
            return
        start = 0
        while start < self._total:
            if start:
                journaling.pass_turn(self._library.path)
            stop = min(self._total, start + self._size)
            self._done = stop
            yield start, stop
            start = stop

    def began(self) -> Journal | None:
        """A chunk's transaction began: the journal to write in it."""
        self._began = time.monotonic()
        if self._chunked and self.journal is None:
            self.journal = Journal.start(self._library._conn, self._now)
        return self.journal

    def marks_in(
        self, ordered: Sequence[tuple[int, Annotation]], stop: int
    ) -> list[tuple[int, Annotation]]:
        """The marks (by position, in order) of the papers before ``stop`` not yet
        taken; the last chunk takes the rest (a position past the papers fails it)."""
        at = self._marks_at
        end = (
            len(ordered)
            if stop >= self._total
            else bisect.bisect_left(ordered, stop, lo=at, key=itemgetter(0))
        )
        self._marks_at = end
        return list(ordered[at:end])

    def brought(self, ids: Sequence[int], *, sample: bool) -> None:
        """The chunk's papers (``ids``) are the bundled sample's, or (no longer)
        not: at once in a single transaction, at the end in a journaled import
        (which a dead process's undo would not put back)."""
        conn = self._library._conn
        if sample:
            removal.mark_sample(conn, ids)
        elif self.journal is None:
            removal.unmark_sample(conn, ids)
        else:
            self._brought.extend(ids)

    def committed(self, on_step: Callable[[str], None]) -> None:
        """A chunk is in: the next one sized to hold the lock about ``_CHUNK_S``."""
        if not self._chunked:
            return
        held = max(time.monotonic() - self._began, 0.001)
        self._size = max(_CHUNK_MIN, min(_CHUNK_MAX, int(self._size * min(2.0, _CHUNK_S / held))))
        self._chunks += 1
        if self._chunks % _CHECKPOINT_CHUNKS == 0:
            self._library.checkpoint()  # between two chunks (see Library._import_cache)
        tenth = self._done * 10 // self._total
        if tenth > self._told:  # a line per tenth, not per chunk
            self._told = tenth
            on_step(f"imported {self._done} of {self._total} papers")


def _merge_marks(existing: Annotation, incoming: Annotation) -> tuple[Annotation, bool]:
    """``existing`` with what ``incoming`` adds, and whether their notes conflict.

    Nothing of ``existing`` is lost; without marks it simply becomes ``incoming``.
    """
    note = existing.note if existing.has_note else incoming.note
    conflict = existing.has_note and incoming.has_note and existing.note != incoming.note
    merged = replace(
        existing,
        starred=existing.starred or incoming.starred,
        read_at=existing.read_at or incoming.read_at,
        tags=normalise_tags((*existing.tags, *incoming.tags)),
        note=note if note.strip() else "",
    )
    return merged, conflict


def _mark_values(mark: Annotation) -> dict[str, Any]:
    """The annotation columns ``mark`` sets, as stored."""
    return {
        "starred": int(mark.starred),
        "read_at": mark.read_at,
        "tags": json.dumps(list(mark.tags), ensure_ascii=False),
        "note": mark.note,
    }


def listing(conn: sqlite3.Connection, limit: int | None = None) -> list[ListedPaper]:
    """:meth:`Library.listing` through ``conn``."""
    # Millions of new objects, none in a cycle: the collector would walk the heap
    # again and again for nothing (a fifth of the time at a million papers).
    collecting = gc.isenabled()
    gc.disable()
    try:
        found = typed.fetch_all(
            conn,
            f"SELECT {_LISTED_COLUMNS} FROM papers INDEXED BY papers_listing "
            f"ORDER BY {_LISTING_ORDER} LIMIT ?",
            (-1 if limit is None else limit,),
        )
        return list(map(ListedPaper._make, typed.dated(found, _LISTED_DATES)))
    finally:
        if collecting:
            gc.enable()


def activity(
    conn: sqlite3.Connection, user: str, paper_ids: Sequence[int] | None = None
) -> list[tuple[str | None, str | None, str | None]]:
    """:meth:`Library.activity` through ``conn``."""
    sql = (
        f"SELECT {typed.optional_text('read_at')}, "
        f"CASE WHEN {typed.flag('starred')} THEN {typed.optional_text('starred_at')} END, "
        f"CASE WHEN note != '' THEN {typed.optional_text('noted_at')} END "
        "FROM annotations WHERE user = ?"
    )
    params: tuple[Any, ...] = (user,)
    if paper_ids is not None:
        sql += f" AND paper_id IN {IDS_IN_JSON}"
        params += (json.dumps(list(paper_ids)),)
    rows = typed.fetch_all(conn, sql, params)
    stamp = typed.timestamp
    return [(stamp(row[0]), stamp(row[1]), stamp(row[2])) for row in rows]


def _annotation_from_row(row: tuple[Any, ...]) -> Annotation:
    return Annotation(
        row[0],
        bool(row[1]),
        row[2],
        typed.timestamp(row[3]),
        typed.timestamp(row[4]),
        typed.tags(row[5]),
    )


def _draft_from_row(row: tuple[Any, ...]) -> NoteDraft:
    return NoteDraft(row[0], row[1], row[2], typed.timestamp(row[3]) or "")


def _chunks(items: Sequence[int], size: int = 500) -> Iterator[Sequence[int]]:
    """Slices small enough for SQLite's limit on ``?`` parameters."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _paper_values(paper: Paper) -> list[Any]:
    """The values of :data:`_FIELDS` as stored, the lists as JSON arrays."""
    values = list(_FIELD_VALUES(paper))
    for index in _LIST_INDEXES:
        values[index] = _json_array(values[index])
    return values


def _json_array(items: Sequence[Any]) -> str:
    """``json.dumps(list(items), ensure_ascii=False)``, for less than half the time
    when they are strings (as they should be): an import writes one per paper."""
    if items == ():
        return "[]"  # most papers' categories and keywords
    try:
        return "[" + ", ".join(map(encode_basestring, items)) + "]"
    except TypeError:
        return json.dumps(list(items), ensure_ascii=False)


def _paper_from_row(row: Sequence[Any]) -> Paper:
    """A paper from its row as :data:`_PAPER_COLUMNS` reads it (or as
    :func:`_paper_values` stores it)."""
    values: dict[str, Any] = dict(zip(_FIELDS, row[1:], strict=True))
    for name in _LIST_FIELDS:
        values[name] = typed.strings(values[name])
    for name in _DATE_FIELDS:
        values[name] = typed.date(values[name])
    return Paper(id=row[0], **values)


def _merge(existing: Paper, incoming: Paper) -> Paper:
    """``existing`` updated with what ``incoming`` knows.

    A missing (empty) field never erases a known one. When both records carry an
    arXiv revision date and ``incoming`` is from an older revision, it only fills
    gaps in the fields a revision changes. A date never loses precision to a
    coarser one ("2024" or "2024-09" does not replace "2024-09-17").
    """
    older = _is_older(incoming, existing)
    changes: dict[str, Any] = {}
    for name, value, known in zip(
        _FIELDS, _FIELD_VALUES(incoming), _FIELD_VALUES(existing), strict=True
    ):
        if value in _EMPTY or value == known:
            continue  # nothing to offer, or nothing it would change
        if known not in _EMPTY:
            if older and name in _REVISED_FIELDS:
                continue
            if name == "published" and len(value) < len(known):
                continue  # "2024" (a BibTeX year) never replaces "2024-09-17"
        changes[name] = value
    # A paper imported again usually brings nothing new: skip building a copy.
    return replace(existing, **changes) if changes else existing


def _is_older(incoming: Paper, existing: Paper) -> bool:
    if incoming.arxiv_version and existing.arxiv_version:
        return incoming.arxiv_version < existing.arxiv_version
    if incoming.updated and existing.updated:
        return incoming.updated < existing.updated
    return False


class _Known:
    """The rows an import can meet, as the import leaves them, found as SQLite
    found them with a query per paper: by arXiv id, or by title key taking rows
    without an arXiv id first, then the lowest row id (the index order)."""

    def __init__(self) -> None:
        self._papers: dict[int, Paper] = {}
        # As stored: a row's key is folded again only when the row is written.
        self._keys: dict[int, str] = {}
        self._by_arxiv_id: dict[str, int] = {}
        self._by_key: dict[str, list[int]] = {}
        # Rows this import writes, as given rather than as they read back (where
        # a list reads back as a tuple): read back before anything merges into them.
        self._unread: set[int] = set()

    def __contains__(self, row_id: int) -> bool:
        return row_id in self._papers

    def has_arxiv_id(self, arxiv_id: str) -> bool:
        return arxiv_id in self._by_arxiv_id

    def add(self, row_id: int, paper: Paper, key: str, *, written: bool) -> None:
        """A row read from the library, or (``written``) one this import adds."""
        self._papers[row_id] = paper
        self._keys[row_id] = key
        if paper.arxiv_id is not None:
            self._by_arxiv_id[paper.arxiv_id] = row_id
        bisect.insort(self._by_key.setdefault(key, []), row_id)
        if written:
            self._unread.add(row_id)

    def match(self, paper: Paper, key: str) -> int | None:
        """The row ``paper`` (whose title key is ``key``) merges into, if any."""
        if paper.arxiv_id:
            row_id = self._by_arxiv_id.get(paper.arxiv_id)
            if row_id is not None:
                return row_id
            rows = [r for r in self._by_key.get(key, ()) if self._papers[r].arxiv_id is None]
        else:
            rows = self._by_key.get(key, [])
            rows = [r for r in rows if self._papers[r].arxiv_id is None] + rows
        return rows[0] if rows else None

    def paper(self, row_id: int) -> Paper:
        """The row as the library would read it back."""
        if row_id in self._unread:
            self._unread.discard(row_id)
            self._papers[row_id] = _paper_from_row((row_id, *_paper_values(self._papers[row_id])))
        return self._papers[row_id]

    def change(self, row_id: int, paper: Paper, key: str) -> None:
        """The row is now ``paper``, its title key ``key``."""
        old_key = self._keys[row_id]
        if key != old_key:
            self._by_key[old_key].remove(row_id)
            bisect.insort(self._by_key.setdefault(key, []), row_id)
            self._keys[row_id] = key
        if paper.arxiv_id is not None:
            self._by_arxiv_id[paper.arxiv_id] = row_id
        self._papers[row_id] = paper
        self._unread.add(row_id)

    def stored(self, row_id: int) -> tuple[Paper, str]:
        """What to write for the row: its paper and title key."""
        return self._papers[row_id], self._keys[row_id]


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
        library._migrate()
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
                access.read_only_uri(path), uri=True, isolation_level=None, timeout=_BUSY_MS / 1000
            )
        else:
            conn = sqlite3.connect(path, isolation_level=None, timeout=_BUSY_MS / 1000)
        conn.execute("PRAGMA foreign_keys = ON")
        library = Library(conn, path, read_only=read_only)
        library._migrate()
        library._recover()
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
