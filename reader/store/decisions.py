"""Triage mode's decisions (schema 12): each paper decided, what was decided, when,
and how many seconds it was on show first; the stats screen's "papers triaged per
day" and "median seconds per decision" are counted from them."""

from __future__ import annotations

import sqlite3

from reader.store import clock, typed

# The actions a decision can be.
ACTIONS = ("star", "dismiss", "skip")


def log(conn: sqlite3.Connection, user: str, paper_id: int, action: str, seconds: float) -> None:
    """Set down ``user``'s decision on ``paper_id``."""
    conn.execute(
        "INSERT INTO decisions (user, paper_id, action, at, seconds) VALUES (?, ?, ?, ?, ?)",
        (user, paper_id, action, clock.now(), max(0.0, seconds)),
    )


def forget(conn: sqlite3.Connection, user: str, paper_id: int) -> None:
    """Take back ``user``'s last decision on ``paper_id`` (an undo in triage mode)."""
    conn.execute(
        "DELETE FROM decisions WHERE rowid = "
        "(SELECT max(rowid) FROM decisions WHERE user = ? AND paper_id = ?)",
        (user, paper_id),
    )


def of(conn: sqlite3.Connection, user: str, since: str | None = None) -> list[tuple[str, float]]:
    """``user``'s decisions (at or after ``since``): (when, seconds on show), oldest first."""
    rows = typed.fetch_all(
        conn,
        f"SELECT {typed.text('at')}, seconds FROM decisions WHERE user = ? AND at >= ? ORDER BY at",
        (user, since or ""),
    )
    return [(at, float(seconds)) for at, seconds in rows if isinstance(seconds, int | float)]
