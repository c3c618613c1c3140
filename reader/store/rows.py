"""The rows of the store as SQL reads them and Python gets them: columns, the
conversions both ways, and the queries more than one module runs (the list,
author counts). The one way ids are bound: :data:`IDS_IN_JSON` with
:func:`id_list`, for any number of them.
"""

from __future__ import annotations

import gc
import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from json.encoder import encode_basestring
from typing import Any

from reader.models import Annotation, ListedPaper, NoteDraft, Paper
from reader.store import typed
from reader.store.merge import FIELD_VALUES, FIELDS

# Any number of ids (or keys) as one parameter, a JSON array (see id_list): one
# lookup each, and no limit on how many (SQLite's on ``?`` parameters is not met).
IDS_IN_JSON = "(SELECT value FROM json_each(?))"


def id_list(values: Iterable[int] | Iterable[str]) -> str:
    """The parameter :data:`IDS_IN_JSON` reads: ``values`` as a JSON array."""
    return json.dumps(list(values))


# How many of some papers (ids as one JSON array) each author name is on, each paper
# once. (Through typed.json_rows: a row's bad JSON would fail the query.)
_VIEW_AUTHORS = (
    f"SELECT author.value, count(DISTINCT papers.id) FROM papers, json_each({typed.JSON}) "
    f"AS author WHERE papers.id IN {IDS_IN_JSON} AND author.type = 'text' "
    "GROUP BY author.value"
)
# The library's most frequent authors, as schema 9 counts them: in ``authors``, plus
# the counts an import under way (or cut short) has set down as pending.
_LIBRARY_AUTHORS = (
    "SELECT name, papers FROM authors WHERE papers > 0 ORDER BY papers DESC, name LIMIT ?"
)
_LIBRARY_AUTHORS_PENDING = """
    SELECT name, sum(papers) AS counted FROM (
        SELECT name, papers FROM authors UNION ALL SELECT name, papers FROM pending_authors)
    GROUP BY name HAVING counted > 0 ORDER BY counted DESC, name LIMIT ?
"""


def whole_library(conn: sqlite3.Connection, paper_ids: Sequence[int]) -> bool:
    """Whether ``paper_ids`` (a view's: ids of the library, each once) are every
    paper: then a query reads every row rather than looking up a list of ids."""
    total = int(conn.execute("SELECT count(*) FROM papers").fetchone()[0])
    return len(paper_ids) >= total and len(set(paper_ids)) >= total


def author_counts(
    conn: sqlite3.Connection, paper_ids: Sequence[int], limit: int
) -> list[tuple[str, int]]:
    """The ``limit`` names found most often among the authors of ``paper_ids``, with
    how many of those papers each is on: most first, ties by name. The whole library
    reads the counts schema 9 keeps (hundredths of a second at 100,000 papers); a view
    of most of it, those counts less the authors of the papers it leaves out; a
    smaller view, its own papers' author lists."""
    if limit < 1 or not paper_ids:
        return []
    if whole_library(conn, paper_ids):
        return _library_authors(conn, limit)
    view = set(paper_ids)
    rest = [
        paper_id for (paper_id,) in conn.execute("SELECT id FROM papers") if paper_id not in view
    ]
    if len(rest) >= len(view):
        return _top(_view_authors(conn, list(view)), limit)
    less = dict(_view_authors(conn, rest))
    # Only names the papers left out hold can fall: the top ``limit`` are among the
    # library's top ``limit`` plus as many as those names.
    library = _library_authors(conn, limit + len(less))
    return _top(((name, count - less.get(name, 0)) for name, count in library), limit)


def _library_authors(conn: sqlite3.Connection, limit: int) -> list[tuple[str, int]]:
    pending = conn.execute("SELECT 1 FROM pending_authors LIMIT 1").fetchone() is not None
    sql = _LIBRARY_AUTHORS_PENDING if pending else _LIBRARY_AUTHORS
    return _named(typed.fetch_all(conn, sql, (limit,)))


def _view_authors(conn: sqlite3.Connection, paper_ids: list[int]) -> list[tuple[str, int]]:
    return _named(typed.json_rows(conn, _VIEW_AUTHORS, "papers.authors", (id_list(paper_ids),)))


def _named(rows: Iterable[tuple[Any, ...]]) -> list[tuple[str, int]]:
    return [(str(name), int(count)) for name, count in rows]


def _top(counts: Iterable[tuple[str, int]], limit: int) -> list[tuple[str, int]]:
    """The ``limit`` highest counts above 0, most first, ties by name."""
    return sorted((item for item in counts if item[1] > 0), key=lambda item: (-item[1], item[0]))[
        :limit
    ]


# Stored as JSON arrays.
_LIST_FIELDS = frozenset({"authors", "categories", "ai_keywords"})
# How each field is read back: whatever the file holds, a Paper gets the types it
# promises (see reader.store.typed).
_TEXT_FIELDS = frozenset({"title", "abstract"})
_COUNT_FIELDS = frozenset(
    {"author_count", "upvotes", "arxiv_version", "num_comments", "github_stars"}
)
_DATE_FIELDS = frozenset({"published", "updated", "featured"})


def column(name: str) -> str:
    """SQL reading the paper field ``name`` as :class:`Paper` types it."""
    if name in _TEXT_FIELDS:
        return typed.text(name)
    if name in _COUNT_FIELDS:
        return typed.integer(name)
    return typed.optional_text(name)  # text, dates and JSON lists, checked in Python


PAPER_COLUMNS = ", ".join(("id", *map(column, FIELDS)))
# ListedPaper's fields, as read (dates checked in Python: see listing).
LISTED_COLUMNS = ", ".join(("id", *map(column, ListedPaper._fields[1:])))
LISTED_DATES = tuple(
    index for index, name in enumerate(ListedPaper._fields) if name in _DATE_FIELDS
)
_LIST_INDEXES = tuple(index for index, name in enumerate(FIELDS) if name in _LIST_FIELDS)
LISTING_ORDER = "published IS NULL, published DESC, title COLLATE NOCASE"

ANNOTATION_COLUMNS = ", ".join(
    (
        "paper_id",
        typed.flag("starred"),
        typed.text("note"),
        typed.optional_text("updated_at"),
        typed.optional_text("read_at"),
        typed.optional_text("tags"),
        typed.optional_text("dismissed_at"),
    )
)
# Annotations of rows a paper id can name: a file may hold others.
ANNOTATED = typed.is_integer("paper_id")
NOTE = f"SELECT {typed.text('note')} FROM annotations WHERE user = ? AND paper_id = ?"
DRAFT_COLUMNS = ", ".join(
    (
        "d.paper_id",
        typed.text("d.text"),
        typed.text("d.base"),
        typed.optional_text("d.saved_at"),
    )
)
DRAFTED = typed.is_integer("d.paper_id")


def listing(conn: sqlite3.Connection, limit: int | None = None) -> list[ListedPaper]:
    """Every paper (or the first ``limit``) as the list shows it, through ``conn``
    (see :meth:`Library.listing <reader.store.library.Library.listing>`)."""
    with uncollected():
        found = typed.fetch_all(
            conn,
            f"SELECT {LISTED_COLUMNS} FROM papers INDEXED BY papers_listing "
            f"ORDER BY {LISTING_ORDER} LIMIT ?",
            (-1 if limit is None else limit,),
        )
        return list(map(ListedPaper._make, typed.dated(found, LISTED_DATES)))


@contextmanager
def uncollected() -> Iterator[None]:
    """No garbage collection meanwhile: while the rows of a whole library are read.
    Millions of new objects, none in a cycle: the collector would walk the heap again
    and again for nothing (a fifth of the time at a million papers)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def papers_by_id(conn: sqlite3.Connection, paper_ids: Sequence[int]) -> list[Paper]:
    """The papers with these ids, whole, in the order given (unknown ids skipped),
    through ``conn`` (see :meth:`Library.papers_by_id
    <reader.store.library.Library.papers_by_id>`)."""
    with uncollected():
        rows = typed.fetch_all(
            conn,
            f"SELECT {PAPER_COLUMNS} FROM papers WHERE id IN {IDS_IN_JSON}",
            (id_list(paper_ids),),
        )
        found = {row[0]: paper_from_row(row) for row in rows}
        return [found[paper_id] for paper_id in paper_ids if paper_id in found]


def order(conn: sqlite3.Connection) -> list[int]:
    """The ids of :func:`listing`, alone, through ``conn`` (see :meth:`Library.order
    <reader.store.library.Library.order>`): a tenth of its time."""
    rows = typed.fetch_all(
        conn, f"SELECT id FROM papers INDEXED BY papers_listing ORDER BY {LISTING_ORDER}"
    )
    return [paper_id for (paper_id,) in rows]


def annotation_from_row(row: tuple[Any, ...]) -> Annotation:
    """An annotation from its row as :data:`ANNOTATION_COLUMNS` reads it."""
    return Annotation(
        row[0],
        bool(row[1]),
        row[2],
        typed.timestamp(row[3]),
        typed.timestamp(row[4]),
        typed.tags(row[5]),
        typed.timestamp(row[6]),
    )


def mark_values(mark: Annotation) -> dict[str, Any]:
    """The annotation columns ``mark`` sets, as stored."""
    return {
        "starred": int(mark.starred),
        "read_at": mark.read_at,
        "tags": json.dumps(list(mark.tags), ensure_ascii=False),
        "note": mark.note,
        "dismissed_at": mark.dismissed_at,
    }


def draft_from_row(row: tuple[Any, ...]) -> NoteDraft:
    """A draft from its row as :data:`DRAFT_COLUMNS` reads it."""
    return NoteDraft(row[0], row[1], row[2], typed.timestamp(row[3]) or "")


def paper_values(paper: Paper) -> list[Any]:
    """The values of :data:`~reader.store.merge.FIELDS` as stored, the lists as JSON
    arrays."""
    values = list(FIELD_VALUES(paper))
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


def paper_from_row(row: Sequence[Any]) -> Paper:
    """A paper from its row as :data:`PAPER_COLUMNS` reads it (or as
    :func:`paper_values` stores it)."""
    # By position, in one call: an export reads 100,000 of these, and a dict of the
    # fields built and unpacked for each took twice as long.
    (
        paper_id,
        arxiv_id,
        title,
        abstract,
        authors,
        author_count,
        published,
        upvotes,
        github_url,
        arxiv_version,
        updated,
        featured,
        categories,
        primary_category,
        comment,
        doi,
        journal_ref,
        url,
        num_comments,
        github_stars,
        ai_summary,
        ai_keywords,
    ) = row
    strings, date = typed.strings, typed.date
    return Paper(
        title,
        arxiv_id,
        abstract,
        strings(authors),
        author_count,
        date(published),
        upvotes,
        github_url,
        paper_id,
        arxiv_version,
        date(updated),
        date(featured),
        strings(categories),
        primary_category,
        comment,
        doi,
        journal_ref,
        url,
        num_comments,
        github_stars,
        ai_summary,
        strings(ai_keywords),
    )


def read_back(row_id: int, paper: Paper) -> Paper:
    """``paper`` as the library reads it back once stored under ``row_id``."""
    return paper_from_row((row_id, *paper_values(paper)))


def activity(
    conn: sqlite3.Connection, user: str, paper_ids: Sequence[int] | None = None
) -> list[tuple[str | None, str | None, str | None]]:
    """When ``user`` read, starred and first noted each paper (of ``paper_ids``, when
    given), through ``conn``: see :meth:`reader.store.annotations.Annotations.activity`."""
    sql = (
        f"SELECT {typed.optional_text('read_at')}, "
        f"CASE WHEN {typed.flag('starred')} THEN {typed.optional_text('starred_at')} END, "
        f"CASE WHEN note != '' THEN {typed.optional_text('noted_at')} END "
        "FROM annotations WHERE user = ?"
    )
    params: tuple[Any, ...] = (user,)
    if paper_ids is not None and not whole_library(conn, paper_ids):
        sql += f" AND paper_id IN {IDS_IN_JSON}"
        params += (id_list(paper_ids),)
    rows = typed.fetch_all(conn, sql, params)
    stamp = typed.timestamp
    return [(stamp(row[0]), stamp(row[1]), stamp(row[2])) for row in rows]


# What papers_json writes for a list it leaves to Python: a control character, which
# nothing else it writes holds (JSON text escapes them all, and a list whose JSON has
# one raw is no JSON).
NOT_WRITTEN = b"\x01"
# A date as typed.date accepts one ("YYYY", "YYYY-MM", "YYYY-MM-DD"), in SQL.
_DATE_GLOBS = ("[0-9]" * 4, "[0-9]" * 4 + "-[0-9][0-9]", "[0-9]" * 4 + "-[0-9][0-9]" * 2)


def _json_value(name: str) -> str:
    """SQL writing the paper field ``name`` as JSON text, as ``json.dumps`` writes the
    value :func:`paper_from_row` gives it; :data:`NOT_WRITTEN` for a list this cannot
    vouch for.

    SQLite's ``json_quote`` escapes exactly what ``json.dumps(ensure_ascii=False)``
    does (quote, backslash, C0 controls, in the same spellings), and a list is written
    only when it is a plain JSON array of strings without escapes and no string is a
    lone comma: then its text, minified, holds no quote but the ones around each
    string, and ``","`` only between two of them.
    """
    if name in _LIST_FIELDS:
        text = f"CAST({name} AS TEXT)"
        # Nested CASEs: the JSON functions run only on text json_valid accepts.
        return (
            f"CASE WHEN {text} = '[]' THEN '[]' "
            # A string that is a lone comma reads as the quotes between two strings.
            f"WHEN instr({text}, '\\') != 0 OR instr({text}, '\",\"') != 0 "
            f"OR NOT json_valid({text}) THEN char(1) "
            f"WHEN json_type({text}) != 'array' OR json_array_length({text}) = 0 "
            f"OR EXISTS (SELECT 1 FROM json_each({text}) WHERE type != 'text') THEN char(1) "
            f"ELSE :list_open || replace(rtrim(ltrim(json({text}), '['), ']'), "
            f"'\",\"', '\"' || :list_separator || '\"') || :list_close END"
        )
    if name in _DATE_FIELDS:
        text = f"CAST({name} AS TEXT)"
        dated = " OR ".join(f"{text} GLOB '{glob}'" for glob in _DATE_GLOBS)
        return f"CASE WHEN {dated} THEN '\"' || {text} || '\"' ELSE 'null' END"
    if name in _COUNT_FIELDS:
        return f"CASE typeof({name}) WHEN 'integer' THEN {name} ELSE 'null' END"
    if name in _TEXT_FIELDS:
        return f"json_quote({typed.text(name)})"
    return f"CASE WHEN {name} IS NULL THEN 'null' ELSE json_quote(CAST({name} AS TEXT)) END"


def papers_json(
    conn: sqlite3.Connection,
    paper_ids: Sequence[int],
    fields: Sequence[str],
    template: str,
    lists: tuple[str, str, str],
) -> dict[int, bytes]:
    """The papers with these ids (unknown ids left out) written by SQLite: each
    ``template`` (a ``printf`` format) with a ``%s`` for each of ``fields`` in turn,
    the field as JSON text as :func:`_json_value` writes it; a list with each string
    after the first of ``lists`` (its opening), between them the second, and the last
    after them (``template`` spells a ``%`` as ``%%``). UTF-8 bytes as the file holds
    them, not decoded: an export writes them as they are. A paper whose lists are not
    plain arrays of strings holds :data:`NOT_WRITTEN`: that one is for
    :func:`papers_by_id` and Python to write.

    The reader JSON export of a whole library, this way, takes a third of the time
    of making a :class:`Paper` of each row and writing that.
    """
    values = ", ".join(map(_json_value, fields))
    chosen = IDS_IN_JSON.replace("?", ":ids")
    sql = f"SELECT id, printf(:template, {values}) FROM papers WHERE id IN {chosen}"
    opening, separator, closing = lists
    params = {
        "template": template,
        "ids": id_list(paper_ids),
        "list_open": opening,
        "list_separator": separator,
        "list_close": closing,
    }
    before = conn.text_factory
    conn.text_factory = bytes
    try:
        return dict(conn.execute(sql, params).fetchall())
    finally:
        conn.text_factory = before
