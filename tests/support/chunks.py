"""A library with papers a user marked, for the chunked-import tests (in tests/core and
tests/robustness): its state as a user sees it, SQLite's own check of the file, and a
clock that ticks a second every write (the fixtures ``kept`` and ``ticking_clock`` are
in tests/conftest.py)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from reader.models import Paper
from reader.store import Library

USER = "ana"


KEPT = 40


JOURNAL = ("imports", "import_added", "import_papers", "import_marks")


def kept_papers() -> list[Paper]:
    return [
        Paper(
            f"Kept paper {n} on sparse attention",
            f"2401.{n:05d}",
            abstract=f"Abstract {n}",
            authors=(f"Author {n}", "Ana Smith"),
            published="2024-01-02",
            upvotes=n,
        )
        for n in range(1, KEPT + 1)
    ]


def state(library: Library) -> tuple[Any, ...]:
    """All a user sees of the library: its papers, USER's marks, what the word index finds."""
    words = library.words()
    try:
        found = tuple(
            sorted(words.having(field, ["attention", "grokking", "smith", "li"]))
            for field in ("title", "authors", "abstract")
        )
    finally:
        words.close()
    return library.papers(), library.annotations(USER), found


def assert_whole(db: Path) -> None:
    """SQLite's and FTS5's own checks of the whole file, and no journal left."""
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        conn.execute("INSERT INTO paper_words (paper_words) VALUES ('integrity-check')")
        conn.execute("INSERT INTO abstract_words (abstract_words) VALUES ('integrity-check')")
        for table in JOURNAL:
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,), table
    finally:
        conn.close()
