"""Paper updates (schema 12): a newer arXiv version of a paper the library held, or a
code link where it had none, as an import or fetch brought it.

Written by :func:`reader.store.imports.import_papers` for every paper (the table is
not per user), read back for the inbox: a user's starred papers with an update since
they last marked the inbox done (``is:updated``). An import undone takes its rows
with it (see :mod:`reader.store.journal`); a removed paper's go and come back with
it (see :mod:`reader.store.removal`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence

from reader.models import UPDATE_KINDS, PaperUpdate
from reader.store import typed
from reader.store.rows import IDS_IN_JSON, id_list

_COLUMNS = (
    f"{typed.integer('paper_id')}, {typed.text('kind')}, {typed.optional_text('at')}, "
    f"{typed.optional_text('old')}, {typed.optional_text('new')}"
)
_INSERT = "INSERT INTO paper_updates (paper_id, kind, at, old, new) VALUES (?, ?, ?, ?, ?)"
_NEWEST = f"SELECT max({typed.optional_text('at')}), max(id) FROM paper_updates"


def record(
    conn: sqlite3.Connection, found: Iterable[tuple[int, str, str | None, str | None]], now: str
) -> None:
    """Write the updates ``found`` (paper id, kind, old, new), all at ``now``."""
    conn.executemany(
        _INSERT, ((paper_id, kind, now, old, new) for paper_id, kind, old, new in found)
    )


def since(conn: sqlite3.Connection, last_update: int | None) -> dict[int, tuple[PaperUpdate, ...]]:
    """The updates made after the one numbered ``last_update`` (None: all of them), by
    paper, oldest first. By number, not time: an import in chunks writes every update
    at its own start time, which may come before a mark set while it ran."""
    if last_update is None:
        sql = f"SELECT {_COLUMNS} FROM paper_updates ORDER BY id"
        return _grouped(typed.fetch_all(conn, sql))
    sql = f"SELECT {_COLUMNS} FROM paper_updates WHERE id > ? ORDER BY id"
    return _grouped(typed.fetch_all(conn, sql, (last_update,)))


def from_day(conn: sqlite3.Connection, day: str) -> dict[int, tuple[PaperUpdate, ...]]:
    """The updates made on ``day`` (YYYY-MM-DD) or later, by paper, oldest first."""
    sql = f"SELECT {_COLUMNS} FROM paper_updates WHERE at >= ? ORDER BY id"
    return _grouped(typed.fetch_all(conn, sql, (day,)))


def of_papers(
    conn: sqlite3.Connection, paper_ids: Sequence[int]
) -> dict[int, tuple[PaperUpdate, ...]]:
    """Every update of these papers, by paper, oldest first."""
    sql = f"SELECT {_COLUMNS} FROM paper_updates WHERE paper_id IN {IDS_IN_JSON} ORDER BY id"
    return _grouped(typed.fetch_all(conn, sql, (id_list(list(paper_ids)),)))


def newest(conn: sqlite3.Connection) -> tuple[str | None, int]:
    """When the latest update was made (None: there is none), and the largest update
    row id (0: none)."""
    row = typed.fetch_one(conn, _NEWEST)
    if row is None:
        return None, 0
    return typed.timestamp(row[0]), row[1] if isinstance(row[1], int) else 0


def _grouped(rows: Iterable[tuple[object, ...]]) -> dict[int, tuple[PaperUpdate, ...]]:
    """Rows as read (a damaged file's too: a row that is no update is left out)."""
    found: dict[int, list[PaperUpdate]] = {}
    for paper_id, kind, at, old, new in rows:
        stamp = typed.timestamp(at if isinstance(at, str) else None)
        if not isinstance(paper_id, int) or kind not in UPDATE_KINDS or stamp is None:
            continue
        found.setdefault(paper_id, []).append(
            PaperUpdate(
                paper_id,
                str(kind),
                stamp,
                old if isinstance(old, str) else None,
                new if isinstance(new, str) else None,
            )
        )
    return {paper_id: tuple(updates) for paper_id, updates in found.items()}
