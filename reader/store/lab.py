"""The lab (schema 12): the users of one library seeing each other's stars and tags,
and the notes their authors share.

Every user's marks are in the same file; what one user may see of another's is
decided here, in SQL, so no other code reads another user's annotations:

- another user's stars and tags, unless that user keeps their marks private
  (``[lab] private = true`` in their config, written to ``lab_members`` as they
  open the library);
- another user's note only when they shared it (``annotations.note_shared``) and
  do not keep their marks private. A note never shared is never read for anyone
  but its author.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from reader.store import clock, typed
from reader.store.rows import IDS_IN_JSON, id_list

# The users whose marks others may see: every user but those who keep them private.
_VISIBLE = "a.user NOT IN (SELECT user FROM lab_members WHERE private)"


@dataclass(frozen=True, slots=True)
class LabMark:
    """What another user lets the lab see of their marks on one paper."""

    user: str
    starred: bool
    tags: tuple[str, ...]
    # Their note, when they shared it ("" otherwise: never read).
    note: str


def is_private(conn: sqlite3.Connection, user: str) -> bool | None:
    """Whether ``user`` keeps their marks private (None: not set down yet)."""
    row = typed.fetch_one(conn, "SELECT private FROM lab_members WHERE user = ?", (user,))
    return None if row is None else bool(row[0])


def join(conn: sqlite3.Connection, user: str, private: bool) -> None:
    """Set down ``user`` as a lab member, keeping their marks private or not."""
    conn.execute(
        "INSERT INTO lab_members (user, private, seen_at) VALUES (?, ?, ?) "
        "ON CONFLICT (user) DO UPDATE SET private = excluded.private, seen_at = excluded.seen_at",
        (user, int(private), clock.now()),
    )


def stars(conn: sqlite3.Connection, user: str) -> dict[int, tuple[str, ...]]:
    """Who starred each paper, of the users ``user`` may see (``user`` among them:
    their own stars are theirs to see), names sorted."""
    rows = typed.fetch_all(
        conn,
        f"SELECT a.paper_id, {typed.text('a.user')} FROM annotations AS a "
        f"WHERE a.starred AND (a.user = ? OR {_VISIBLE}) ORDER BY a.paper_id, a.user",
        (user,),
    )
    found: dict[int, list[str]] = {}
    for paper_id, name in rows:
        found.setdefault(paper_id, []).append(name)
    return {paper_id: tuple(names) for paper_id, names in found.items()}


def starred_since(conn: sqlite3.Connection, user: str, since: str | None) -> set[int]:
    """The papers a lab mate of ``user`` (one who shares their marks) starred after
    ``since`` (an ISO time or date; None: ever)."""
    rows = typed.fetch_all(
        conn,
        "SELECT DISTINCT a.paper_id FROM annotations AS a WHERE a.starred AND a.user != ? "
        f"AND {typed.optional_text('a.starred_at')} > ? AND {_VISIBLE}",
        (user, since or ""),
    )
    return {paper_id for (paper_id,) in rows}


def marks_on(conn: sqlite3.Connection, user: str, paper_id: int) -> list[LabMark]:
    """What the other users ``user`` may see marked on ``paper_id``: stars, tags and
    shared notes (a note not shared is not even read), by user name."""
    rows = typed.fetch_all(
        conn,
        f"SELECT {typed.text('a.user')}, {typed.flag('a.starred')}, "
        f"{typed.optional_text('a.tags')}, "
        f"CASE WHEN a.note_shared THEN {typed.text('a.note')} ELSE '' END "
        "FROM annotations AS a "
        f"WHERE a.paper_id = ? AND a.user != ? AND {_VISIBLE} ORDER BY a.user",
        (paper_id, user),
    )
    found = [
        LabMark(name, bool(starred), typed.tags(tags), note) for name, starred, tags, note in rows
    ]
    return [mark for mark in found if mark.starred or mark.tags or mark.note.strip()]


def others_marked(conn: sqlite3.Connection, user: str) -> bool:
    """Whether another user ``user`` may see has starred, tagged or shared a note."""
    row = typed.fetch_one(
        conn,
        "SELECT 1 FROM annotations AS a WHERE a.user != ? AND "
        f"(a.starred OR a.tags != '[]' OR a.note_shared) AND {_VISIBLE} LIMIT 1",
        (user,),
    )
    return row is not None


def stamp(conn: sqlite3.Connection, user: str) -> tuple[object, ...]:
    """What changes when another user's marks or the lab's members change: read
    again, the lab is read again only when this differs."""
    row = typed.fetch_one(
        conn,
        "SELECT count(*), max(updated_at), "
        "(SELECT group_concat(user || ':' || private, ',') FROM "
        "(SELECT user, private FROM lab_members ORDER BY user)) "
        "FROM annotations WHERE user != ?",
        (user,),
    )
    return tuple(row) if row is not None else ()


def share_note(conn: sqlite3.Connection, user: str, paper_id: int, shared: bool) -> bool:
    """Share ``user``'s note on ``paper_id`` with the lab, or stop: whether there was a
    note to share (an empty note is never shared)."""
    cursor = conn.execute(
        "UPDATE annotations SET note_shared = ?, updated_at = ? "
        "WHERE user = ? AND paper_id = ? AND note != ''",
        (int(shared), clock.now(), user, paper_id),
    )
    return cursor.rowcount > 0


def shared_notes(
    conn: sqlite3.Connection, user: str, paper_ids: Sequence[int] | None = None
) -> set[int]:
    """The papers (of ``paper_ids``, or all) whose note ``user`` shares with the lab."""
    sql = "SELECT paper_id FROM annotations WHERE user = ? AND note_shared AND note != ''"
    if paper_ids is None:
        rows = typed.fetch_all(conn, sql, (user,))
    else:
        rows = typed.fetch_all(
            conn, f"{sql} AND paper_id IN {IDS_IN_JSON}", (user, id_list(list(paper_ids)))
        )
    return {paper_id for (paper_id,) in rows}


def members(conn: sqlite3.Connection) -> list[tuple[str, bool]]:
    """The lab's members as set down: (name, keeps their marks private)."""
    rows = typed.fetch_all(
        conn, f"SELECT {typed.text('user')}, private FROM lab_members ORDER BY user"
    )
    return [(name, bool(private)) for name, private in rows]
