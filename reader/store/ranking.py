"""What the ranking reads of the library (see :mod:`reader.ranking`): every paper's
stamp, date and upvotes; the texts of the papers to count; when a user marked what."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from reader.ranking.evaluate import Marked
from reader.ranking.features import PaperText
from reader.ranking.model import Paper
from reader.store import rules, typed
from reader.store.rows import IDS_IN_JSON, column, id_list

# What tells a changed paper: when it was last updated (to the second), and the
# sizes of the texts the ranking reads (two changes in one second). Sizes in bytes:
# SQLite knows them without reading the text (a length in characters reads it all).
_STAMP = " || ':' || ".join(
    (
        typed.text("updated_at"),
        *(
            f"length(CAST({name} AS BLOB))"
            for name in ("title", "abstract", "authors", "categories", "ai_keywords")
        ),
    )
)
# In the file's order: sorting by date is the caller's, when it needs it (a sort by
# the list's order took longer than reading the rows).
_ROWS = (
    f"SELECT id, {_STAMP}, {column('published')}, {column('upvotes')}, "
    f"{typed.optional_text('added_at')} FROM papers"
)
_TEXTS = (
    f"SELECT id, {column('title')}, {column('abstract')}, {column('authors')}, "
    f"{column('categories')}, {column('ai_keywords')} FROM papers WHERE id IN {IDS_IN_JSON}"
)
_MARKED = (
    f"SELECT paper_id, "
    f"CASE WHEN {typed.flag('starred')} THEN {typed.optional_text('starred_at')} END, "
    f"CASE WHEN note != '' THEN {typed.optional_text('noted_at')} END, "
    f"{typed.optional_text('read_at')}, {typed.optional_text('dismissed_at')} "
    f"FROM annotations WHERE user = ? AND {typed.is_integer('paper_id')}"
)


def papers(conn: sqlite3.Connection) -> tuple[list[tuple[int, str]], list[Paper]]:
    """Every paper, in no particular order: (id, stamp) to tell a changed paper by,
    and what the fallback ranking reads."""
    rows = typed.fetch_all(conn, _ROWS)
    stamps = [(row[0], row[1] or "") for row in rows]
    # Few distinct days and moments among many papers: each checked once.
    dates: dict[str | None, str | None] = {}
    moments: dict[str | None, str | None] = {}
    for _, _, day, _, added in rows:
        if day not in dates:
            dates[day] = typed.date(day)
        if added not in moments:
            moments[added] = typed.timestamp(added)
    return stamps, [
        Paper(paper_id, dates[day], upvotes, moments[added])
        for paper_id, _, day, upvotes, added in rows
    ]


def texts(conn: sqlite3.Connection, paper_ids: Sequence[int]) -> list[PaperText]:
    """The texts of these papers (unknown ids skipped)."""
    rows = typed.fetch_all(conn, _TEXTS, (id_list(paper_ids),))
    strings = typed.strings
    return [
        PaperText(paper_id, title, abstract, strings(authors), strings(cats), strings(words))
        for paper_id, title, abstract, authors, cats, words in rows
    ]


def marked(conn: sqlite3.Connection, user: str) -> list[Marked]:
    """When ``user`` starred, first noted, read and dismissed each paper they marked."""
    stamp = typed.timestamp
    # A paper only a hide rule dismissed was never the user's "not interested".
    hidden = rules.hidden(conn, user)
    return [
        Marked(
            paper_id,
            stamp(starred),
            stamp(noted),
            stamp(read),
            None if paper_id in hidden else stamp(dismissed),
        )
        for paper_id, starred, noted, read, dismissed in typed.fetch_all(conn, _MARKED, (user,))
    ]
