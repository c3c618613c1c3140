"""The inbox (see :class:`~reader.store.library.Library`): how far each user had
looked at a view, and the papers that came into the library since.

A mark is the newest paper's ``added_at`` and the largest paper id when it was set:
a paper is new when it came in later or has a larger id (two papers of one second;
an id SQLite gave again after the paper that had it was removed). Its time is the
latest paper update's instead when that is later (see :mod:`reader.store.updates`),
and it holds the largest update row id then: an update is unseen when it was made
after the mark's time, or in its very second with a larger row id (an import in
chunks writes every update at its own start time, before and after a mark).
"""

from __future__ import annotations

import sqlite3
from typing import NamedTuple

from reader.store import typed, updates
from reader.store.rows import IDS_IN_JSON, id_list


class Mark(NamedTuple):
    """How far a user had looked, as the library held it then."""

    # The newest paper's time (or the latest update's, when later).
    at: str
    # The largest paper id.
    last_id: int
    # The largest paper update row id (0: none, or a mark from before updates).
    last_update: int = 0
    # When the user set it (None: a mark from before this was kept).
    seen_at: str | None = None


_LOOKED = (
    f"SELECT {typed.optional_text('at')}, {typed.integer('last_id')}, "
    f"{typed.integer('last_update')}, {typed.optional_text('seen_at')} FROM looked "
    "WHERE user = ? AND view = ?"
)
_NEWEST = f"SELECT max({typed.optional_text('added_at')}), max(id) FROM papers"
_SINCE = f"SELECT id FROM papers WHERE {typed.optional_text('added_at')} > ? OR id > ?"
_UPSERT = (
    "INSERT INTO looked (user, view, at, last_id, last_update, seen_at) "
    "VALUES (?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (user, view) DO UPDATE SET at = excluded.at, last_id = excluded.last_id, "
    "last_update = excluded.last_update, seen_at = excluded.seen_at"
)


def looked(conn: sqlite3.Connection, user: str, view: str) -> Mark | None:
    """How far ``user`` had looked at ``view`` (None: never)."""
    row = typed.fetch_one(conn, _LOOKED, (user, view))
    if row is None or row[1] is None:
        return None
    at = typed.timestamp(row[0])
    if at is None:
        return None
    return Mark(at, row[1], row[2] or 0, typed.timestamp(row[3]))


def set_looked(conn: sqlite3.Connection, user: str, view: str, mark: Mark | None) -> None:
    """Put ``user``'s mark on ``view`` at ``mark`` (None: never looked)."""
    if mark is None:
        conn.execute("DELETE FROM looked WHERE user = ? AND view = ?", (user, view))
    else:
        conn.execute(_UPSERT, (user, view, mark.at, mark.last_id, mark.last_update, mark.seen_at))


def newest(conn: sqlite3.Connection) -> Mark | None:
    """The mark of the library as it is now (None: no paper): past every paper and
    every paper update."""
    row = typed.fetch_one(conn, _NEWEST)
    if row is None or row[1] is None:
        return None
    at = typed.timestamp(row[0]) or ""
    latest, last_update = updates.newest(conn)
    return Mark(max(at, latest or ""), int(row[1]), last_update)


def added(conn: sqlite3.Connection, paper_ids: list[int]) -> dict[int, str]:
    """When each of these papers came in."""
    sql = f"SELECT id, {typed.optional_text('added_at')} FROM papers WHERE id IN {IDS_IN_JSON}"
    return {
        i: typed.timestamp(at) or "" for i, at in typed.fetch_all(conn, sql, (id_list(paper_ids),))
    }


def added_from(conn: sqlite3.Connection, day: str) -> set[int]:
    """The papers that came in on ``day`` (YYYY-MM-DD) or later."""
    sql = f"SELECT id FROM papers WHERE {typed.optional_text('added_at')} >= ?"
    return {paper_id for (paper_id,) in typed.fetch_all(conn, sql, (day,))}


def since(conn: sqlite3.Connection, mark: Mark) -> set[int]:
    """The papers that came in after ``mark``."""
    return {paper_id for (paper_id,) in typed.fetch_all(conn, _SINCE, (mark.at, mark.last_id))}
