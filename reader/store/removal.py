"""Removing papers, and putting them back exactly (undo).

A paper goes with everything that hangs on it: its word-index entries (the
triggers of schema 4 take them out), every user's annotation of it and their
drafts, its place among the sample papers (schema 7). What goes is kept as it was
stored, for :func:`restore` to write back under the same row ids, so that a mark
or an undo step that names a paper by its id finds it again. Row ids are never
handed out twice: the largest one a library has had is remembered (meta
``paper_ids_used``) and imports number their new rows above it (:func:`next_id`).

Each function here runs inside the caller's transaction.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from reader.store import typed
from reader.store.errors import LibraryError
from reader.store.rows import IDS_IN_JSON, id_list

# What to do with papers that hold someone's note: refuse to remove any of the
# papers, leave those in the library and remove the others, or remove them too.
Noted = Literal["refuse", "keep", "remove"]
# The meta key that holds the largest row id a paper ever had.
IDS_USED = "paper_ids_used"
# The tables of schema 12 whose rows hang on a paper, kept and put back with it.
_MORE = ("decisions", "rule_hits", "paper_updates")


@dataclass(frozen=True, slots=True)
class Held:
    """What users hold on some papers: per user, how many of the papers each has
    noted (a note, or an unsaved draft of one), starred and tagged."""

    notes: Mapping[str, int] = field(default_factory=dict)
    starred: Mapping[str, int] = field(default_factory=dict)
    tagged: Mapping[str, int] = field(default_factory=dict)
    # The papers that hold anyone's note or draft.
    noted: frozenset[int] = frozenset()


class PapersNoted(LibraryError):
    """Papers to remove hold notes, and the caller asked to refuse them."""

    def __init__(self, held: Held) -> None:
        super().__init__(f"{len(held.noted)} of the papers hold notes; nothing removed")
        self.held = held


class NotRestored(LibraryError):
    """Removed papers cannot be put back: the library has one of them again."""


@dataclass(frozen=True, slots=True)
class Rows:
    """Rows of a table as stored: the column names and the values."""

    columns: tuple[str, ...] = ()
    values: tuple[tuple[Any, ...], ...] = ()


@dataclass(frozen=True, slots=True)
class Removed:
    """Papers removed, with all that hung on them: what :func:`restore` puts back."""

    # The papers removed, in the order asked.
    ids: tuple[int, ...] = ()
    # Papers asked for but left in the library, for their notes (``noted="keep"``).
    kept: tuple[int, ...] = ()
    # What users held on the papers removed.
    held: Held = Held()
    papers: Rows = Rows()
    annotations: Rows = Rows()
    drafts: Rows = Rows()
    sample: tuple[int, ...] = ()
    # The rest that hangs on a paper (schema 12): triage decisions, what rules did,
    # its updates; by table.
    more: tuple[tuple[str, Rows], ...] = ()


def held(conn: sqlite3.Connection, paper_ids: Sequence[int]) -> Held:
    """What every user holds on ``paper_ids``."""
    notes: dict[str, set[int]] = {}
    starred: dict[str, int] = {}
    tagged: dict[str, int] = {}
    ids = id_list(list(paper_ids))
    for user, paper_id, star, note, tags in typed.fetch_all(
        conn,
        f"SELECT {typed.text('user')}, paper_id, {typed.flag('starred')}, "
        f"{typed.text('note')}, {typed.optional_text('tags')} "
        f"FROM annotations WHERE paper_id IN {IDS_IN_JSON}",
        (ids,),
    ):
        if note.strip():
            notes.setdefault(user, set()).add(paper_id)
        if star:
            starred[user] = starred.get(user, 0) + 1
        if typed.tags(tags):
            tagged[user] = tagged.get(user, 0) + 1
    # A draft is a note being written: it counts as one, unless it says what the note says.
    for user, paper_id, text, note in typed.fetch_all(
        conn,
        f"SELECT {typed.text('d.user')}, d.paper_id, {typed.text('d.text')}, "
        f"{typed.text('a.note')} FROM drafts AS d LEFT JOIN annotations AS a "
        "ON a.user = d.user AND a.paper_id = d.paper_id "
        f"WHERE d.paper_id IN {IDS_IN_JSON}",
        (ids,),
    ):
        if text.strip() and text != note:
            notes.setdefault(user, set()).add(paper_id)
    return Held(
        notes={user: len(papers) for user, papers in sorted(notes.items())},
        starred=dict(sorted(starred.items())),
        tagged=dict(sorted(tagged.items())),
        noted=frozenset(paper_id for papers in notes.values() for paper_id in papers),
    )


def existing(conn: sqlite3.Connection, paper_ids: Sequence[int]) -> list[int]:
    """Those of ``paper_ids`` that are in the library, in the order given, once each."""
    found = {
        row[0]
        for row in typed.fetch_all(
            conn,
            f"SELECT id FROM papers WHERE id IN {IDS_IN_JSON}",
            (id_list(list(paper_ids)),),
        )
    }
    return [paper_id for paper_id in dict.fromkeys(paper_ids) if paper_id in found]


def remove(conn: sqlite3.Connection, paper_ids: Sequence[int], *, noted: Noted) -> Removed:
    """Remove ``paper_ids`` (those in the library) with everything that hangs on
    them, and keep it all for :func:`restore`. Papers that hold someone's note are
    refused (:class:`PapersNoted`, nothing removed), kept or removed, as ``noted``
    says."""
    ids = existing(conn, paper_ids)
    on_them = held(conn, ids)
    if on_them.noted and noted == "refuse":
        raise PapersNoted(on_them)
    kept = [i for i in ids if i in on_them.noted] if noted == "keep" else []
    gone = [i for i in ids if i not in kept]
    if kept:
        on_them = held(conn, gone)
    if not gone:
        return Removed(kept=tuple(kept))
    removed = Removed(
        ids=tuple(gone),
        kept=tuple(kept),
        held=on_them,
        papers=_saved(conn, "papers", "id", gone),
        annotations=_saved(conn, "annotations", "paper_id", gone),
        drafts=_saved(conn, "drafts", "paper_id", gone),
        more=tuple((table, _saved(conn, table, "paper_id", gone)) for table in _MORE),
        sample=tuple(
            row[0]
            for row in typed.fetch_all(
                conn,
                f"SELECT paper_id FROM sample_papers WHERE paper_id IN {IDS_IN_JSON}",
                (id_list(gone),),
            )
        ),
    )
    # Never handed out again (see next_id): a window's undo step or marks that
    # name this id must not reach a paper imported later.
    _set_meta(conn, IDS_USED, str(next_id(conn) - 1))
    ids_json = id_list(gone)
    for table in ("drafts", "annotations", "sample_papers", *_MORE):
        conn.execute(f"DELETE FROM {table} WHERE paper_id IN {IDS_IN_JSON}", (ids_json,))
    # The word indexes lose them by trigger (schema 4).
    conn.execute(f"DELETE FROM papers WHERE id IN {IDS_IN_JSON}", (ids_json,))
    changed(conn)
    return removed


def restore(conn: sqlite3.Connection, removed: Removed) -> None:
    """Put ``removed`` back as it was, under the same row ids; :class:`NotRestored`
    (and nothing written) when the library has one of its papers again, as an
    import would find it (by arXiv id, or by title where either has none)."""
    papers = removed.papers
    if not papers.values:
        return
    _refuse_returned(conn, papers)
    _insert(conn, "papers", papers)
    # Inserted whole; the trigger of schema 5 then sets when each was starred and
    # noted to the row's last change: put back what they were.
    columns = removed.annotations.columns
    _insert(conn, "annotations", removed.annotations, replace=True)
    if {"user", "paper_id", "starred_at", "noted_at"} <= set(columns):
        at = {name: columns.index(name) for name in ("user", "paper_id", "starred_at", "noted_at")}
        conn.executemany(
            "UPDATE annotations SET starred_at = ?, noted_at = ? WHERE user = ? AND paper_id = ?",
            (
                (row[at["starred_at"]], row[at["noted_at"]], row[at["user"]], row[at["paper_id"]])
                for row in removed.annotations.values
            ),
        )
    _insert(conn, "drafts", removed.drafts, replace=True)
    for table, rows in removed.more:
        _insert(conn, table, rows, replace=True)
    conn.executemany(
        "INSERT OR IGNORE INTO sample_papers (paper_id) VALUES (?)",
        ((paper_id,) for paper_id in removed.sample),
    )
    changed(conn)


def _refuse_returned(conn: sqlite3.Connection, papers: Rows) -> None:
    at = {name: papers.columns.index(name) for name in ("id", "arxiv_id", "title_key", "title")}
    for row in papers.values:
        paper_id, arxiv_id, key = row[at["id"]], row[at["arxiv_id"]], row[at["title_key"]]
        again = typed.fetch_one(
            conn,
            "SELECT 1 FROM papers WHERE id = ? OR arxiv_id = ? "
            "OR (title_key = ? AND (arxiv_id IS NULL OR ? IS NULL)) LIMIT 1",
            (paper_id, arxiv_id, key, arxiv_id),
        )
        if again is not None:
            title = row[at["title"]]
            shown = title if isinstance(title, str) else str(paper_id)
            raise NotRestored(
                f"“{shown}” is in the library again (added since it was removed); nothing put back"
            )


def next_id(conn: sqlite3.Connection) -> int:
    """The row id the next new paper gets: one past any a paper has ever had."""
    row = typed.fetch_one(
        conn,
        "SELECT max(ifnull((SELECT max(id) FROM papers), 0), "
        f"ifnull((SELECT {typed.integer('CAST(value AS INTEGER)')} FROM meta WHERE key = ?), 0))",
        (IDS_USED,),
    )
    return (int(row[0]) if row and isinstance(row[0], int) else 0) + 1


def sample_ids(conn: sqlite3.Connection) -> list[int]:
    """The papers that came from the bundled sample (and no other import)."""
    return [row[0] for row in typed.fetch_all(conn, "SELECT paper_id FROM sample_papers")]


def mark_sample(conn: sqlite3.Connection, paper_ids: Iterable[int]) -> None:
    """These papers came from the bundled sample."""
    conn.executemany(
        "INSERT OR IGNORE INTO sample_papers (paper_id) VALUES (?)",
        ((paper_id,) for paper_id in paper_ids),
    )


def unmark_sample(conn: sqlite3.Connection, paper_ids: Sequence[int]) -> None:
    """Another import brought these papers too: they are the user's now."""
    if paper_ids and typed.fetch_one(conn, "SELECT 1 FROM sample_papers LIMIT 1"):
        conn.execute(
            f"DELETE FROM sample_papers WHERE paper_id IN {IDS_IN_JSON}",
            (id_list(list(paper_ids)),),
        )


def adopt_sample(conn: sqlite3.Connection, title_keys: Iterable[str]) -> None:
    """In a library filled before schema 7: mark as sample papers those of the
    first import (the sample goes only into an empty library) that have one of
    the sample's titles and still no arXiv id (no other import has brought them)."""
    conn.execute(
        "INSERT OR IGNORE INTO sample_papers (paper_id) SELECT id FROM papers "
        "WHERE added_at = (SELECT min(added_at) FROM papers) AND arxiv_id IS NULL "
        f"AND title_key IN {IDS_IN_JSON}",
        (id_list(sorted(set(title_keys))),),
    )


def changed(conn: sqlite3.Connection) -> None:
    """A new mark for open windows to see (see Library.papers_version)."""
    _set_meta(conn, "papers_changed", uuid.uuid4().hex)


def _set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


def _saved(conn: sqlite3.Connection, table: str, column: str, ids: Sequence[int]) -> Rows:
    """The rows of ``table`` whose ``column`` is one of ``ids``, every column as stored."""
    columns = tuple(str(row[1]) for row in typed.fetch_all(conn, f"PRAGMA table_info({table})"))
    values = typed.fetch_all(
        conn,
        f"SELECT {', '.join(map(_quoted, columns))} FROM {table} WHERE {column} IN {IDS_IN_JSON}",
        (id_list(list(ids)),),
    )
    return Rows(columns, tuple(values))


def _insert(conn: sqlite3.Connection, table: str, rows: Rows, *, replace: bool = False) -> None:
    if not rows.values:
        return
    verb = "INSERT OR REPLACE" if replace else "INSERT"
    conn.executemany(
        f"{verb} INTO {table} ({', '.join(map(_quoted, rows.columns))}) "
        f"VALUES ({', '.join('?' * len(rows.columns))})",
        rows.values,
    )


def _quoted(name: str) -> str:
    """A column name as SQL (the names come from the file itself)."""
    return '"' + name.replace('"', '""') + '"'
