"""Importing papers and marks into the library: the rows read, the merge (worked
out by :mod:`reader.store.merge`) written, a large import in chunks.

More than a thousand papers are written in chunks, each its own short
transaction (see :mod:`reader.store.journal`): other processes write in between
and see the papers arrive, and what the import did is undone if it does not
finish; a dead import is undone by the next process to open the library
(:func:`recover`).
"""

from __future__ import annotations

import bisect
import sqlite3
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, suppress
from dataclasses import replace
from itertools import chain, islice
from operator import itemgetter
from types import TracebackType

from reader.limits import bound_import
from reader.models import Annotation, ImportResult, Paper
from reader.store import clock, removal, typed, updates
from reader.store import journal as journaling
from reader.store.annotations import Annotations
from reader.store.connection import Connection
from reader.store.errors import LibraryError
from reader.store.journal import Journal
from reader.store.merge import (
    FIELDS,
    Known,
    MarksResult,
    match_papers,
    merge_imported_marks,
    paper_updates,
)
from reader.store.merge import sum_counts as _sum
from reader.store.rows import (
    IDS_IN_JSON,
    PAPER_COLUMNS,
    id_list,
    mark_values,
    paper_from_row,
    paper_values,
    read_back,
)
from reader.store.schema import FOLD_AUTHORS, PEND_AUTHORS

_MAX_ROW_ID = 2**63 - 1
# SQLite's page cache while importing, in KiB (as a negative number says).
_IMPORT_CACHE = -64 * 1024
# ... and how many chunks it writes before it folds the write-ahead log in.
_CHECKPOINT_CHUNKS = 10
# An import of more papers than this commits in chunks (see _ImportRun), of as many
# as hold the write lock about _CHUNK_S seconds each. Each commit writes the pages of
# the indexes its rows touched, again: chunks of a tenth of a second made a 100,000
# paper import spend a fifth of its time committing; half a second, half as much
# (another process's write waits for one chunk at most, now up to about that long).
_CHUNK_FIRST = 1_000
# What indexes the words and the authors of a row inserted (see reader.store.schema,
# migrations 4 and 9).
_INSERT_TRIGGERS = ("papers_words_insert", "papers_authors_insert")
_CHUNK_MIN = 200
_CHUNK_MAX = 20_000
_CHUNK_S = 0.5


def _quietly(step: str) -> None:
    """Hears a step of the work and says nothing."""


def import_with_marks(
    library: Annotations,
    papers: Sequence[Paper],
    user: str,
    marks: Mapping[int, Annotation],
    *,
    on_step: Callable[[str], None] | None = None,
    sample: bool = False,
) -> tuple[ImportResult, MarksResult]:
    """Import ``papers`` and merge ``user``'s ``marks`` on them, in chunks when they
    are many: what :meth:`reader.store.library.Library.import_papers_with_marks`
    does (its docstring says how)."""
    papers, marks, cuts = bound_import(papers, marks)
    now = clock.now()
    step = on_step or _quietly
    # Marks by position, in order: each chunk merges those of its papers.
    ordered = sorted(marks.items())
    result, marked = ImportResult(), MarksResult()
    with _import_cache(library), _ImportRun(library, len(papers), now) as run:
        for start, stop in run.spans():
            with library.transaction():
                journal = run.began()
                chunk_step = step if run.journal is None else _quietly
                counts, ids = import_papers(library, papers[start:stop], now, chunk_step, journal)
                chunk_marks = [(i - start, mark) for i, mark in run.marks_in(ordered, stop)]
                merged = _merge_marks(library, user, chunk_marks, ids, now, journal)
                run.brought(ids, sample=sample)
            result, marked = _sum(result, counts), _sum(marked, merged)
            run.committed(step)
    return result.with_cuts(cuts), marked


def import_stream(
    library: Annotations,
    papers: Iterable[Paper],
    user: str,
    *,
    on_step: Callable[[str], None] | None = None,
) -> ImportResult:
    """Import ``papers`` as they come (a file read as it is imported: see
    :mod:`reader.sources.streaming`), holding one chunk of them at a time: what
    :func:`import_with_marks` does with a list, without marks.

    A few papers are one transaction, as a list's; more are written in chunks
    under the journal, so an error while the papers are read (a bad line half way
    through the file), or the process killed, undoes the chunks already written.
    """
    stream = iter(papers)
    head = list(islice(stream, _CHUNK_FIRST + 1))
    if len(head) <= _CHUNK_FIRST:
        return import_with_marks(library, head, user, {}, on_step=on_step)[0]
    pending = chain(head, stream)
    now = clock.now()
    step = on_step or _quietly
    result, done = ImportResult(), 0
    with _import_cache(library), _ImportRun(library, None, now) as run:
        if not run.chunked:  # no lock to hold: one transaction, a chunk at a time
            with library.transaction():
                while chunk := list(islice(pending, _CHUNK_MAX)):
                    result = _sum(result, _stream_chunk(library, chunk, done, now, run))
                    done += len(chunk)
            return result
        for size in run.sizes():
            chunk = list(islice(pending, size))
            if not chunk:
                break
            with library.transaction():
                counts = _stream_chunk(library, chunk, done, now, run)
            result, done = _sum(result, counts), done + len(chunk)
            run.committed(step, len(chunk))
    return result


def _stream_chunk(
    library: Connection, papers: Sequence[Paper], done: int, now: str, run: _ImportRun
) -> ImportResult:
    """One chunk of a stream merged in, in the caller's transaction; ``done`` papers
    came before it (the cuts name a paper by its place in the whole stream)."""
    journal = run.began()
    papers, _, cuts = bound_import(papers, {})
    counts, ids = import_papers(library, papers, now, _quietly, journal)
    run.brought(ids, sample=False)
    return counts.with_cuts([replace(cut, record=cut.record + done) for cut in cuts])


def _merge_marks(
    library: Annotations,
    user: str,
    marks: Sequence[tuple[int, Annotation]],
    ids: Sequence[int],
    now: str,
    journal: Journal | None,
) -> MarksResult:
    """Merge ``marks`` (by the position of their paper, whose row id ``ids``
    gives) into ``user``'s, in the caller's transaction."""
    current = library.annotations_of(user, sorted({ids[i] for i, _ in marks}))
    changes, result = merge_imported_marks(current, marks, ids)
    for before, after in changes:
        paper_id = after.paper_id
        old = mark_values(before)
        if journal is not None:
            journal.before_mark(user, paper_id, journaling.MARK_TIME, now)
        # Only the columns that change, as every annotation write here.
        for column, value in mark_values(after).items():
            if value != old[column]:
                if journal is not None:
                    journal.before_mark(user, paper_id, column, value)
                library._upsert(user, paper_id, column, value, now)
    return result


def import_papers(
    library: Connection,
    papers: Sequence[Paper],
    now: str,
    on_step: Callable[[str], None] = _quietly,
    journal: Journal | None = None,
) -> tuple[ImportResult, list[int]]:
    """Merge ``papers`` in, in order, in the caller's transaction: the counts, and
    the row id of each paper.

    Queries per paper made a large import slow, so the rows the papers can meet
    are read up front and matched in memory (see :class:`Known`), and every
    changed row is written once, at the end, by one statement for them all.
    """
    keys = [paper.title_key for paper in papers]
    on_step(f"matching {len(papers)} papers with the library")
    known = _find(library, papers, keys)
    # Numbered as SQLite numbers rows (one past the largest), so a paper's row
    # id is known, for its marks and for a later copy of it, before it is written.
    # One past the largest id a paper has ever had (see reader.store.removal).
    first_new = removal.next_id(library._conn)
    matched = match_papers(known, papers, keys, first_new)
    added = matched.added
    if added and added.stop - 1 > _MAX_ROW_ID:
        # SQLite would pick free ids at random; a library never gets near this.
        raise LibraryError(f"{library._where}: no row ids left for {len(added)} papers")
    if matched.changed:
        on_step(f"updating {len(matched.changed)} papers")
    if journal is not None and matched.changed:
        journal.before_update(matched.changed)
    _update(library, known, matched.changed, now)
    if matched.changed:
        # A newer version or a code link the rows did not have: the inbox's updates.
        # (A paper's first import is none: the rows it adds were not changed.)
        updates.record(library._conn, _updates(known, matched.changed), now)
    _insert(library, known, added, now, on_step)
    if journal is not None and added:
        journal.added(added.start, added.stop - 1)
    elif added:
        fold_author_counts(library._conn)  # one transaction: done now
    result = matched.result
    if result.added or result.updated:
        # A new mark for open windows to see (see Library.papers_version).
        library.set_meta("papers_changed", uuid.uuid4().hex)
    return result, matched.ids


@contextmanager
def _import_cache(library: Connection) -> Iterator[None]:
    """A page cache to fit a large import: its rows land all over the indexes,
    and the default 2 MB spills their pages to the WAL and reads them back
    again and again (a fifth of the time for 100,000 papers), until the commit.

    And the log folded into the file by the import itself, every few chunks
    (see _ImportRun.committed) and at the end, between two transactions: after
    every chunk (SQLite's way, past 4 MB of log, as it commits) it wrote the
    pages each chunk touches (the indexes', the word index's) again and again,
    and made an import in chunks a third slower. Another process's commit may
    meanwhile fold in what the log holds (SQLite checkpoints as it commits)."""
    row = library._row("PRAGMA cache_size")
    checkpoint = library._row("PRAGMA wal_autocheckpoint")
    library.db.execute(f"PRAGMA cache_size = {_IMPORT_CACHE}")
    library.db.execute("PRAGMA wal_autocheckpoint = 0")
    try:
        yield
    finally:
        if row is not None:
            library.db.execute(f"PRAGMA cache_size = {int(row[0])}")
        if checkpoint is not None:
            library.db.execute(f"PRAGMA wal_autocheckpoint = {int(checkpoint[0])}")
        library.checkpoint()


def _find(library: Connection, papers: Sequence[Paper], keys: Sequence[str]) -> Known:
    """Every row ``papers`` (with their title ``keys``) can be matched with.

    A paper with an arXiv id meets the row with that id, or else one without
    an id under its title; a paper without an id meets any row under its
    title. Rows only change by meeting a paper, so no other row can match later.
    """
    known = Known(read_back)
    if library._row("SELECT 1 FROM papers LIMIT 1") is None:
        return known  # a first import: hundreds of lookups that can find nothing
    arxiv_ids = {paper.arxiv_id for paper in papers if paper.arxiv_id}
    _read_known(library, known, "arxiv_id", arxiv_ids)
    any_row: set[str] = set()
    id_less: set[str] = set()
    for paper, key in zip(papers, keys, strict=True):
        if not paper.arxiv_id:
            any_row.add(key)
        elif not known.has_arxiv_id(paper.arxiv_id):
            id_less.add(key)
    _read_known(library, known, "title_key", any_row)
    _read_known(library, known, "title_key", id_less - any_row, "AND arxiv_id IS NULL")
    return known


def _read_known(
    library: Connection, known: Known, column: str, values: Iterable[str], condition: str = ""
) -> None:
    """Add the rows whose ``column`` is one of ``values`` to ``known``."""
    wanted = sorted(values)
    if not wanted:
        return
    rows = library._rows(
        f"SELECT {PAPER_COLUMNS}, {typed.text('title_key')} FROM papers "
        f"WHERE {column} IN {IDS_IN_JSON} {condition}",
        (id_list(wanted),),
    )
    for row in rows:
        if row[0] not in known:
            known.add(row[0], paper_from_row(row[:-1]), row[-1], written=False)


def _insert(
    library: Connection, known: Known, row_ids: range, now: str, on_step: Callable[[str], None]
) -> None:
    if not row_ids:
        return
    on_step(f"writing {len(row_ids)} new papers")
    columns = ", ".join(("id", *FIELDS, "title_key", "added_at", "updated_at"))
    marks = ", ".join("?" * (len(FIELDS) + 4))
    conn = library._conn
    # The rows are indexed below, all at once, so the insert triggers are set aside:
    # dropped and made again inside this transaction, so no other connection ever
    # sees them gone. Merely standing aside (its WHEN clause) it still cost SQLite a
    # copy of each new row and a query: 2 of the 5.4 s of CPU 100,000 rows took.
    triggers = [
        (name, sql)
        for name in _INSERT_TRIGGERS
        for (sql,) in conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (name,)
        )
    ]
    for name, _sql in triggers:
        conn.execute(f"DROP TRIGGER {name}")
    conn.executemany(
        f"INSERT INTO papers ({columns}) VALUES ({marks})",
        (
            (row_id, *paper_values(paper), key, now, now)
            for row_id in row_ids
            for paper, key in (known.stored(row_id),)
        ),
    )
    for _name, sql in triggers:
        conn.execute(sql)
    on_step(f"indexing the words of {len(row_ids)} new papers")
    # The new rows into the word indexes in one statement each: a trigger per
    # row costs three times as much (26 s against 8 s for 100,000 papers).
    bounds = (row_ids.start, row_ids.stop - 1)
    conn.execute(
        "INSERT INTO paper_words (rowid, title, authors) "
        "SELECT id, title, authors FROM papers WHERE id BETWEEN ? AND ?",
        bounds,
    )
    conn.execute(
        "INSERT INTO abstract_words (rowid, abstract) "
        "SELECT id, abstract FROM papers WHERE id BETWEEN ? AND ?",
        bounds,
    )
    # Their authors' counts, set down as pending (see reader.store.schema, migration
    # 9): counted from the papers in hand, as each paper's names are stored, rather
    # than by parsing the rows' JSON again (1.8 s of SQL at 100,000 papers).
    names: Counter[str] = Counter()
    for row_id in row_ids:
        names.update(set(known.stored(row_id)[0].authors))
    conn.executemany(PEND_AUTHORS, names.items())
    conn.execute("DELETE FROM word_terms")


def _updates(
    known: Known, row_ids: Iterable[int]
) -> Iterator[tuple[int, str, str | None, str | None]]:
    """(paper id, kind, old, new) of what the import brought to rows it changed."""
    for row_id in row_ids:
        for kind, old, new in paper_updates(known.before(row_id), known.stored(row_id)[0]):
            yield row_id, kind, old, new


def _update(library: Connection, known: Known, row_ids: Iterable[int], now: str) -> None:
    assignments = ", ".join(f"{name} = ?" for name in (*FIELDS, "title_key", "updated_at"))
    library._conn.executemany(
        f"UPDATE papers SET {assignments} WHERE id = ?",
        (
            (*paper_values(paper), key, now, row_id)
            for row_id in row_ids
            for paper, key in (known.stored(row_id),)
        ),
    )


class _ImportRun:
    """The chunks of one import, the journal that undoes them and the lock held
    meanwhile (see :mod:`reader.store.journal`); one transaction for a small
    import, or where no lock can be held."""

    def __init__(self, library: Connection, total: int | None, now: str) -> None:
        self._library = library
        self._total = total
        self._now = now
        self._size = _CHUNK_FIRST
        self._began = 0.0
        self._marks_at = 0
        self._done = self._told = self._chunks = 0
        self.journal: Journal | None = None
        # The number of papers; None for a stream (as many as it gives).
        self.chunked = False
        # Papers a journaled import brought: no longer sample papers once it stands.
        self._brought: list[int] = []
        self._held: AbstractContextManager[bool] | None = None

    def __enter__(self) -> _ImportRun:
        path = self._library.path
        # (Not into a library it may not write: it fails at once, leaving no lock file.)
        many = self._total is None or self._total > _CHUNK_FIRST
        if many and path is not None and not self._library.read_only:
            self._held = journaling.importing(path)
            self.chunked = self._held.__enter__()
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
                        undo_imports(self._library, [self.journal.import_id])
        finally:
            if self._held is not None:
                self._held.__exit__(None, None, None)

    def _finish(self) -> None:
        journal = self.journal
        assert journal is not None
        with self._library.transaction():
            removal.unmark_sample(self._library._conn, self._brought)
            fold_author_counts(self._library._conn)
            journal.finish()
        # The import stands from here: the journal is garbage, cleared now or
        # by the next process to open the library.
        with suppress(LibraryError):
            clear_journal(self._library)

    def spans(self) -> Iterator[tuple[int, int]]:
        """(start, stop) of each chunk's papers, in order."""
        assert self._total is not None
        if not self.chunked:
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

    def sizes(self) -> Iterator[int]:
        """How many papers of a stream each chunk takes, for as long as the caller
        finds papers to take."""
        while True:
            yield self._size
            journaling.pass_turn(self._library.path)

    def began(self) -> Journal | None:
        """A chunk's transaction began: the journal to write in it."""
        self._began = time.monotonic()
        if self.chunked and self.journal is None:
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
            if self._total is None or stop >= self._total
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

    def committed(self, on_step: Callable[[str], None], papers: int = 0) -> None:
        """A chunk is in (of ``papers`` papers, from a stream): the next one sized to
        hold the lock about ``_CHUNK_S``."""
        if not self.chunked:
            return
        if self._total is None:
            self._done += papers
        held = max(time.monotonic() - self._began, 0.001)
        self._size = max(_CHUNK_MIN, min(_CHUNK_MAX, int(self._size * min(2.0, _CHUNK_S / held))))
        self._chunks += 1
        if self._chunks % _CHECKPOINT_CHUNKS == 0:
            self._library.checkpoint()  # between two chunks (see _import_cache)
        if self._total is None:
            # A stream: the papers so far, every few chunks (more at a time as they grow).
            if self._chunks % _CHECKPOINT_CHUNKS == 0:
                on_step(f"imported {self._done} papers so far")
            return
        tenth = self._done * 10 // self._total
        if tenth > self._told:  # a line per tenth, not per chunk
            self._told = tenth
            on_step(f"imported {self._done} of {self._total} papers")


def recover(library: Connection) -> None:
    """Undo the imports whose process died before they finished, and clear the
    journal of those that finished (see :mod:`reader.store.journal`)."""
    if library.read_only or library.path is None:
        return
    conn = library._conn
    try:
        if journaling.pending(conn):
            with journaling.recovering(library.path) as alone:
                # Read again once alone: an import may have finished meanwhile.
                dead = journaling.pending(conn) if alone else []
                if dead:
                    undo_imports(library, dead)
        if journaling.has_garbage(conn):
            clear_journal(library)
    except sqlite3.Error as error:
        raise LibraryError(f"cannot read library {library._where}: {error}") from None


def undo_imports(library: Connection, import_ids: Sequence[int]) -> None:
    """Undo what the imports did, in short transactions."""
    while True:
        with library.transaction():
            done = journaling.undo_step(library._conn, import_ids)
            if done:
                fold_author_counts(library._conn)
        if done:
            return
        journaling.pass_turn(library.path)


def fold_author_counts(conn: sqlite3.Connection) -> None:
    """Add the author counts imports set down as pending to ``authors`` (see
    reader.store.schema, migration 9): at the end of an import, or of its undoing
    (whose deletions were counted in ``authors`` already, as every change is)."""
    for statement in FOLD_AUTHORS:
        conn.execute(statement)


def clear_journal(library: Connection) -> None:
    """Delete the journal rows of finished imports, in short transactions."""
    while True:
        with library.transaction():
            done = journaling.clear_step(library._conn)
        if done:
            return
        journaling.pass_turn(library.path)
