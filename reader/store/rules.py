"""What each user's config rules did (see :mod:`reader.rules`): the ``rule_hits``
table, and the marks the rules' actions make.

A hit is (user, rule key, paper, action): a rule acts on a paper at most once, so
a mark the user takes off again (a star, a tag) is never put back by the rule. The
hit and the mark it makes are written in one transaction, and the mark only when
the hit is new: two processes applying the same rules never act twice.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence

from reader.store import typed
from reader.store.rows import ANNOTATED

# The actions a rule takes, as ``rule_hits.action`` names them (a tag as "tag:NAME").
STAR = "star"
DISMISS = "dismiss"
HIDE = "hide"
TAG = "tag:"

_HIT = (
    "INSERT INTO rule_hits (user, rule, paper_id, action, at) "
    "SELECT ?, ?, id, ?, ? FROM papers WHERE id = ? "
    "ON CONFLICT (user, rule, paper_id, action) DO NOTHING"
)
_STAR = (
    "INSERT INTO annotations (user, paper_id, starred, created_at, updated_at) "
    "VALUES (?, ?, 1, ?, ?) ON CONFLICT (user, paper_id) DO UPDATE SET "
    "starred = 1, updated_at = excluded.updated_at"
)
_DISMISS = (
    "INSERT INTO annotations (user, paper_id, dismissed_at, created_at, updated_at) "
    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (user, paper_id) DO UPDATE SET "
    "dismissed_at = coalesce(dismissed_at, excluded.dismissed_at), "
    "updated_at = excluded.updated_at"
)
_TAGS = (
    f"SELECT {typed.optional_text('tags')} FROM annotations "
    f"WHERE user = ? AND paper_id = ? AND {ANNOTATED}"
)
_SET_TAGS = (
    "INSERT INTO annotations (user, paper_id, tags, created_at, updated_at) "
    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (user, paper_id) DO UPDATE SET "
    "tags = excluded.tags, updated_at = excluded.updated_at"
)
# A dismissal a hide rule made: the paper's dismissed_at is the hit's own time (a
# paper the user dismissed before, or again after taking the hide off, has another),
# and no dismiss rule acted on it at that moment too.
_HIDDEN = (
    "SELECT DISTINCT h.paper_id FROM rule_hits AS h JOIN annotations AS a "
    "ON a.user = h.user AND a.paper_id = h.paper_id "
    f"WHERE h.user = ? AND h.action = '{HIDE}' AND a.dismissed_at = h.at "
    "AND NOT EXISTS (SELECT 1 FROM rule_hits AS d WHERE d.user = h.user "
    f"AND d.paper_id = h.paper_id AND d.action = '{DISMISS}' AND d.at = h.at)"
)


def act(
    conn: sqlite3.Connection, user: str, hits: Sequence[tuple[str, int, str]], at: str
) -> list[tuple[str, int, str]]:
    """Record each (rule key, paper id, action) of ``user`` at ``at`` and make its
    mark, where the rule had not acted so on that paper before (and the paper is
    still in the library); the hits that were new. Call inside a transaction."""
    made = []
    for rule, paper_id, action in hits:
        if conn.execute(_HIT, (user, rule, action, at, paper_id)).rowcount != 1:
            continue
        made.append((rule, paper_id, action))
        if action == STAR:
            conn.execute(_STAR, (user, paper_id, at, at))
        elif action in (DISMISS, HIDE):
            conn.execute(_DISMISS, (user, paper_id, at, at, at))
        elif action.startswith(TAG):
            _add_tag(conn, user, paper_id, action.removeprefix(TAG), at)
    return made


def _add_tag(conn: sqlite3.Connection, user: str, paper_id: int, tag: str, at: str) -> None:
    row = typed.fetch_one(conn, _TAGS, (user, paper_id))
    tags = list(typed.tags(row[0]) if row else ())
    if tag in tags:
        return
    tags.append(tag)
    conn.execute(_SET_TAGS, (user, paper_id, json.dumps(tags, ensure_ascii=False), at, at))


def counts(conn: sqlite3.Connection, user: str) -> dict[str, dict[str, int]]:
    """How many papers each rule of ``user`` acted on, by rule key: per action, and
    (under "") in all."""
    found: dict[str, dict[str, int]] = {}
    rows = typed.fetch_all(
        conn,
        f"SELECT {typed.text('rule')}, {typed.text('action')}, count(*) "
        "FROM rule_hits WHERE user = ? GROUP BY 1, 2",
        (user,),
    )
    for rule, action, count in rows:
        found.setdefault(rule, {})[action] = count
    papers = typed.fetch_all(
        conn,
        f"SELECT {typed.text('rule')}, count(DISTINCT paper_id) "
        "FROM rule_hits WHERE user = ? GROUP BY 1",
        (user,),
    )
    for rule, count in papers:
        found.setdefault(rule, {})[""] = count
    return found


def hits_of(conn: sqlite3.Connection, user: str, paper_id: int) -> list[tuple[str, str, str]]:
    """What ``user``'s rules did to one paper: (rule key, action, when), oldest first."""
    return [
        (rule, action, typed.timestamp(at) or "")
        for rule, action, at in typed.fetch_all(
            conn,
            f"SELECT {typed.text('rule')}, {typed.text('action')}, {typed.optional_text('at')} "
            "FROM rule_hits WHERE user = ? AND paper_id = ? "
            "ORDER BY at, rule, action",
            (user, paper_id),
        )
    ]


def hidden(conn: sqlite3.Connection, user: str) -> set[int]:
    """The papers ``user`` has dismissed only because a hide rule did (not themselves)."""
    return {paper_id for (paper_id,) in typed.fetch_all(conn, _HIDDEN, (user,))}
