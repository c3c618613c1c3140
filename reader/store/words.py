"""The word indexes, as the filter reads them: which papers hold which words.

Schema 4 keeps two SQLite FTS5 indexes in step with ``papers`` (by triggers):
titles and authors per column, abstracts without positions. The filter never
asks them to rank anything; it asks which papers hold a term, or a term starting
with some letters, and does its own scoring (see :mod:`reader.search`). Answers
are paper ids.

A :class:`Words` reads through a connection of its own, so the filter can run in
a worker thread while the UI thread writes through the library's. One query runs
at a time.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from reader.models import ListedPaper, Paper
from reader.store import typed
from reader.store.errors import LibraryError
from reader.store.rows import (
    IDS_IN_JSON,
    activity,
    author_counts,
    id_list,
    listing,
    order,
    papers_by_id,
)
from reader.store.schema import TOKENIZER

if TYPE_CHECKING:
    from reader.ranking.evaluate import Marked
    from reader.ranking.features import PaperText
    from reader.ranking.model import Paper as RankedPaper

T = TypeVar("T")

# FTS5 parses an OR of many terms fine, but one statement per few hundred keeps
# each query string and its parse small.
_TERMS_PER_QUERY = 200
# Each title and author term with its papers, per field (see Words.postings).
_POSTINGS = (
    "SELECT term, json_group_array(doc) FILTER (WHERE col = 'title'), "
    "json_group_array(doc) FILTER (WHERE col = 'authors') "
    "FROM temp.word_instances GROUP BY term ORDER BY term"
)
# The word_terms row that says a term list is being read (see Words._list_terms).
_LISTING = "listing"
TEXT_FIELDS = ("title", "authors", "abstract")
# A term of plain ASCII text, as the tokenizer makes it (of the lower-cased text).
_ASCII_TERM = re.compile(r"[a-z0-9]+")


class Words:
    """Which papers hold which words, by field: ``title``, ``authors``, ``abstract``.

    Terms are what the index made of the text: runs of letters and digits,
    lower-cased, Latin accents removed. :meth:`split` makes typed words into terms
    with the same tokenizer, so they meet whatever the script.
    """

    def __init__(
        self,
        path: Path | None,
        shared: sqlite3.Connection | None = None,
        *,
        uri: str | None = None,
        writable: bool = True,
    ) -> None:
        """Over the library at ``path``, read through ``uri`` (read-only, by default;
        see :meth:`Library.words`), or through the ``shared`` connection. The term
        lists are kept in the file only if it is ``writable``."""
        self._path = path
        self._uri = uri
        self._writable = writable
        self._conn = shared
        self._lock = threading.Lock()
        self._tokenizer: sqlite3.Connection | None = None
        self._split: dict[str, list[str]] = {}

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            assert self._path is not None
            # Read-only and usable from whichever thread runs the filter (one at a time).
            self._conn = sqlite3.connect(
                self._uri or f"{self._path.absolute().as_uri()}?mode=ro",
                uri=True,
                isolation_level=None,
                check_same_thread=False,
                timeout=10.0,
            )
        return self._conn

    def _ids(self, sql: str, params: tuple[str, ...]) -> list[int]:
        with self._lock:
            try:
                row = typed.fetch_one(self._connection(), sql, params)
            except sqlite3.Error as error:
                raise LibraryError(f"cannot read the word index of {self._path}: {error}") from None
        # One JSON array of ids rather than a row per id: a common word holds tens
        # of thousands of papers, and rows cost more than parsing the text.
        found: list[int] = json.loads(row[0]) if row and row[0] else []
        return found

    def terms(self, field: str) -> list[str]:
        """Every distinct term of titles or authors, sorted.

        Listing them scans the whole index (a third of a second at 100,000
        papers), so the lists are kept in the file until a title or author list
        changes (triggers clear them) and read back in milliseconds.
        """
        if field not in ("title", "authors"):
            raise ValueError(f"no term list for {field}")
        with self._lock:
            try:
                kept = self._kept_terms(field)
                if kept is None:
                    kept = self._list_terms()[field]
            except sqlite3.Error as error:
                raise LibraryError(f"cannot read the word index of {self._path}: {error}") from None
        return kept

    def _kept_terms(self, field: str) -> list[str] | None:
        row = typed.fetch_one(
            self._connection(),
            f"SELECT {typed.optional_text('terms')} FROM word_terms WHERE field = ?",
            (field,),
        )
        if row is None or row[0] == "":
            return None
        # Bad JSON there (a file written by something else) is listed afresh.
        terms = typed.strings(row[0])
        return list(terms) if terms or row[0] == "[]" else None

    def _list_terms(self) -> dict[str, list[str]]:
        """Both fields' terms from the index itself, kept for next time if nothing
        changed meanwhile.

        The scan reads without holding the write lock (seconds at a million
        papers, while the UI may want to save a star). A marker row goes in first;
        any change to titles or authors clears ``word_terms`` (triggers, imports),
        marker included, so the lists are kept only if the marker outlived the
        scan. A file that cannot be written now just has its lists read.
        """
        marked = self._write(
            lambda writer: writer.execute(
                "INSERT OR REPLACE INTO word_terms (field, terms) VALUES (?, '')", (_LISTING,)
            )
        )
        found: dict[str, list[str]] = {"title": [], "authors": []}
        for term, column in typed.fetch_all(
            self._connection(), "SELECT term, col FROM paper_terms"
        ):
            if column in found:
                found[column].append(term)
        if marked:
            kept = [
                (field, json.dumps(terms, ensure_ascii=False)) for field, terms in found.items()
            ]

            def keep(writer: sqlite3.Connection) -> None:
                held = writer.execute("DELETE FROM word_terms WHERE field = ?", (_LISTING,))
                if held.rowcount:
                    writer.executemany(
                        "INSERT OR REPLACE INTO word_terms (field, terms) VALUES (?, ?)", kept
                    )

            self._write(keep)
        return found

    def _write(self, change: Callable[[sqlite3.Connection], object]) -> bool:
        """``change`` in a short write transaction; False when the lock cannot be had
        soon or the file cannot be written."""
        writer = self._writer() if self._writable else None
        if writer is None:
            return False
        try:
            change(writer)
            writer.execute("COMMIT")
            return True
        except sqlite3.Error:
            return False
        finally:
            if writer.in_transaction:
                writer.execute("ROLLBACK")
            if writer is not self._conn:
                writer.close()

    def _writer(self) -> sqlite3.Connection | None:
        """A connection holding the write lock, or None when none can be had soon."""
        writer = self._conn if self._path is None else None
        try:
            if writer is None:
                assert self._path is not None
                writer = sqlite3.connect(self._path, isolation_level=None, timeout=0.2)
            writer.execute("BEGIN IMMEDIATE")
        except sqlite3.Error:
            if writer is not None and writer is not self._conn:
                writer.close()
            return None
        return writer

    def split(self, text: str) -> list[str]:
        """The terms SQLite's tokenizer makes of ``text``, in order: typed words are
        looked up as the index holds them, whatever the script."""
        found = self._split.get(text)
        if found is None:
            with self._lock:
                conn = self._tokenizing()
                conn.execute("INSERT INTO t (rowid, x) VALUES (1, ?)", (text,))
                rows = conn.execute("SELECT term FROM v ORDER BY offset").fetchall()
                conn.execute("DELETE FROM t")
            found = [term for (term,) in rows]
            if len(self._split) > 1000:
                self._split.clear()
            self._split[text] = found
        return list(found)

    def _tokenizing(self) -> sqlite3.Connection:
        # An empty in-memory index with the library's tokenizer: what it makes of a
        # text inserted is read back from its vocabulary.
        if self._tokenizer is None:
            self._tokenizer = sqlite3.connect(":memory:", check_same_thread=False)
            self._tokenizer.execute(f"CREATE VIRTUAL TABLE t USING fts5(x, tokenize='{TOKENIZER}')")
            self._tokenizer.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance')")
        return self._tokenizer

    def having(self, field: str, terms: Collection[str]) -> set[int]:
        """Ids of the papers whose ``field`` holds any of ``terms``."""
        found: set[int] = set()
        listed = sorted(terms)
        for start in range(0, len(listed), _TERMS_PER_QUERY):
            chunk = listed[start : start + _TERMS_PER_QUERY]
            found.update(self._match(field, " OR ".join(_quoted(term) for term in chunk)))
        return found

    def postings(self) -> Iterator[tuple[str, str, str]]:
        """Every title and author term with the papers holding it, in one read of the
        index: (term, ids of the papers whose title holds it, the same for authors),
        the ids as JSON arrays ("[]": none), terms in order. What the filter keeps
        in memory: a second at 100,000 papers, mostly with the GIL released; read
        in chunks, through a connection of its own, so lookups go on meanwhile."""
        if self._path is None:
            with self._lock:
                try:
                    yield from typed.fetch_all(self._instances(self._connection()), _POSTINGS)
                except sqlite3.Error as error:
                    raise LibraryError(f"cannot read the word index: {error}") from None
            return
        conn = sqlite3.connect(
            self._uri or f"{self._path.absolute().as_uri()}?mode=ro",
            uri=True,
            isolation_level=None,
            check_same_thread=False,
            timeout=10.0,
        )
        # A term that is not UTF-8 (a file written by something else) is read as
        # well as it can be, as typed.fetch_all would.
        conn.text_factory = lambda data: data.decode("utf-8", "replace")
        try:
            cursor = self._instances(conn).execute(_POSTINGS)
            while rows := cursor.fetchmany(2000):
                yield from rows
        except sqlite3.Error as error:
            raise LibraryError(f"cannot read the word index of {self._path}: {error}") from None
        finally:
            conn.close()

    @staticmethod
    def _instances(conn: sqlite3.Connection) -> sqlite3.Connection:
        conn.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.word_instances "
            "USING fts5vocab(main, paper_words, instance)"
        )
        return conn

    def starting(self, field: str, prefix: str) -> list[int]:
        """Ids of the papers whose ``field`` holds a term starting with ``prefix``."""
        return self._match(field, _quoted(prefix) + "*")

    def _match(self, field: str, expression: str) -> list[int]:
        if field == "abstract":
            return self._ids(
                "SELECT json_group_array(rowid) FROM abstract_words WHERE abstract_words MATCH ?",
                (expression,),
            )
        if field not in ("title", "authors"):
            raise ValueError(f"no word index for {field}")
        return self._ids(
            "SELECT json_group_array(rowid) FROM paper_words WHERE paper_words MATCH ?",
            (f"{{{field}}} : ({expression})",),
        )

    def listing(self) -> list[ListedPaper]:
        """:meth:`Library.listing`, read through this connection: from a worker
        thread while the first screen shows."""
        with self._lock:
            try:
                return listing(self._connection())
            except sqlite3.Error as error:
                raise LibraryError(f"cannot read library {self._path}: {error}") from None

    def order(self) -> list[int]:
        """:meth:`Library.order`, read through this connection: from a worker thread."""
        with self._lock:
            try:
                return order(self._connection())
            except sqlite3.Error as error:
                raise LibraryError(f"cannot read library {self._path}: {error}") from None

    def papers_by_id(self, paper_ids: Sequence[int]) -> list[Paper]:
        """:meth:`Library.papers_by_id`, read through this connection: from a worker
        thread (an export of 100,000 papers reads for seconds)."""
        with self._lock:
            try:
                return papers_by_id(self._connection(), paper_ids)
            except sqlite3.Error as error:
                raise LibraryError(f"cannot read library {self._path}: {error}") from None

    def activity(
        self, user: str, paper_ids: Sequence[int] | None = None
    ) -> list[tuple[str | None, str | None, str | None]]:
        """:meth:`Library.activity`, read through this connection: from a worker thread."""
        with self._lock:
            try:
                return activity(self._connection(), user, paper_ids)
            except sqlite3.Error as error:
                raise LibraryError(f"cannot read library {self._path}: {error}") from None

    def author_counts(self, paper_ids: Sequence[int], limit: int) -> list[tuple[str, int]]:
        """:meth:`Library.author_counts`, read through this connection: from a worker
        thread, as it takes a second at 100,000 papers."""
        with self._lock:
            try:
                return author_counts(self._connection(), paper_ids, limit)
            except sqlite3.Error as error:
                raise LibraryError(f"cannot read library {self._path}: {error}") from None

    def ranking_papers(self) -> tuple[list[tuple[int, str]], list[RankedPaper]]:
        """Every paper's (id, stamp), and its date and upvotes, in the list's order:
        what the ranking starts from (see :func:`reader.store.ranking.papers`)."""
        from reader.store import ranking

        return self._reading(lambda conn: ranking.papers(conn))

    def ranking_texts(self, paper_ids: Sequence[int]) -> list[PaperText]:
        """The texts the ranking counts, of these papers."""
        from reader.store import ranking

        return self._reading(lambda conn: ranking.texts(conn, paper_ids))

    def marked(self, user: str) -> list[Marked]:
        """When ``user`` starred, noted and read each paper: the ranking's evaluation."""
        from reader.store import ranking

        return self._reading(lambda conn: ranking.marked(conn, user))

    def decisions(self, user: str, since: str | None = None) -> list[tuple[str, float]]:
        """:meth:`Library.decisions`, read through this connection: from a worker."""
        from reader.store import decisions

        return self._reading(lambda conn: decisions.of(conn, user, since))

    def rule_hidden(self, user: str) -> set[int]:
        """:meth:`Library.rule_hidden`, read through this connection: from a worker."""
        from reader.store import rules

        return self._reading(lambda conn: rules.hidden(conn, user))

    def _reading(self, read: Callable[[sqlite3.Connection], T]) -> T:
        with self._lock:
            try:
                return read(self._connection())
            except sqlite3.Error as error:
                raise LibraryError(f"cannot read library {self._path}: {error}") from None

    def texts(self, field: str, ids: Iterable[int]) -> Iterator[tuple[int, str]]:
        """(id, text) of ``field`` for each of ``ids``; authors as one "A, B" string."""
        if field not in TEXT_FIELDS:
            raise ValueError(f"no text field {field}")
        column = (
            f"(SELECT group_concat(value, ', ') FROM json_each({typed.JSON}) "
            "WHERE type IN ('text', 'integer', 'real'))"
            if field == "authors"
            else typed.text(field)
        )
        with self._lock:
            try:
                rows = typed.json_rows(
                    self._connection(),
                    f"SELECT id, {column} FROM papers WHERE id IN {IDS_IN_JSON}",
                    "authors",
                    (id_list(sorted(ids)),),
                )
            except sqlite3.Error as error:
                raise LibraryError(f"cannot read library {self._path}: {error}") from None
        for paper_id, text in rows:
            yield paper_id, text or ""

    def names(
        self, ids: Iterable[int], holding: str, starting: str = ""
    ) -> Iterator[tuple[int, list[str]]]:
        """(id, the names of its authors that hold the term ``holding`` and, when
        given, a term starting with ``starting``) for each of ``ids`` that has such
        an author: what a full name is checked against, once the indexes have found
        the papers holding its words."""
        with self._lock:
            try:
                rows = typed.fetch_all(
                    self._connection(),
                    f"SELECT id, {typed.optional_text('authors')} "
                    f"FROM papers WHERE id IN {IDS_IN_JSON}",
                    (id_list(sorted(ids)),),
                )
            except sqlite3.Error as error:
                raise LibraryError(f"cannot read library {self._path}: {error}") from None
        # Most of those papers' authors are someone else. In plain ASCII text without
        # escapes a name is the text between two quotes, so a row where no such
        # stretch holds both is left unparsed; the rows left are read exactly.
        quick = _plain_letters(holding, starting)
        begun = re.compile(rf"(?<![a-z0-9]){re.escape(starting)}")
        held: list[tuple[int, tuple[str, ...]]] = []
        for paper_id, text in rows:
            if not text:
                continue
            plain = quick and text.isascii() and "\\" not in text
            if plain and not _may_hold(text.lower(), holding, begun):
                continue
            names = typed.strings(text)
            if names:
                held.append((paper_id, names))
        # Names beyond ASCII are split by the tokenizer itself, all in one go.
        unusual = [name for _, names in held for name in names if not name.isascii()]
        split = dict(zip(unusual, self.split_all(unusual), strict=True))
        for paper_id, names in held:
            found = [
                name
                for name in names
                if (
                    _holds(split[name], holding, starting)
                    if name in split
                    else holding in name.lower() and _holds(_ascii_terms(name), holding, starting)
                )
            ]
            if found:
                yield paper_id, found

    def split_all(self, texts: Sequence[str]) -> list[list[str]]:
        """:meth:`split` of each of ``texts``, asking the tokenizer once."""
        if not texts:
            return []
        with self._lock:
            conn = self._tokenizing()
            conn.executemany("INSERT INTO t (rowid, x) VALUES (?, ?)", enumerate(texts, 1))
            rows = conn.execute("SELECT doc, term FROM v ORDER BY doc, offset").fetchall()
            conn.execute("DELETE FROM t")
        found: list[list[str]] = [[] for _ in texts]
        for doc, term in rows:
            found[doc - 1].append(term)
        return found

    def close(self) -> None:
        with self._lock:
            if self._conn is not None and self._path is not None:
                self._conn.close()
                self._conn = None


def _plain_letters(holding: str, starting: str) -> bool:
    """Whether ``holding`` and ``starting`` are plain letters that no number read as
    a name (7, 1e+20, inf, nan: see :func:`typed.strings`) can hold."""
    wanted = holding + starting
    return wanted.isascii() and wanted.isalpha() and holding not in ("inf", "nan")


def _may_hold(text: str, holding: str, begun: re.Pattern[str]) -> bool:
    """Whether some stretch of the lower-cased ``text`` between two quotes holds the
    term ``holding`` and a word ``begun`` finds the start of (ASCII, no escapes)."""
    at = text.find(holding)
    while at != -1:
        end = at + len(holding)
        whole = not text[at - 1 : at].isalnum() and not text[end : end + 1].isalnum()
        if whole:
            opening, closing = text.rfind('"', 0, at) + 1, text.find('"', end)
            stretch = text[opening : closing if closing != -1 else len(text)]
            if begun.search(stretch):
                return True
        at = text.find(holding, end)
    return False


def _ascii_terms(name: str) -> list[str]:
    # Plain ASCII splits the same here as in the tokenizer, without asking it.
    return _ASCII_TERM.findall(name.lower())


def _holds(terms: Sequence[str], holding: str, starting: str) -> bool:
    return holding in terms and (not starting or any(t.startswith(starting) for t in terms))


def _quoted(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'
