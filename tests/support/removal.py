"""A library for the removal tests (the command line's and the app's in a terminal), and
reading it back."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.models import Paper
from reader.sample import load_sample_if_empty
from reader.store import Library, open_library
from tests.support.data import FIXED_NOW


def removal_library(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The sample and two arXiv papers (one an old-style id) at ``db_path``, which
    READER_DB names, with READER_USER ana."""
    library = open_library(db_path)
    load_sample_if_empty(library, now=FIXED_NOW)
    library.import_papers(
        [
            Paper("Flow matching for everyone", "2409.11074", published="2024-09-17"),
            Paper("Old style paper", "hep-th/9901001", published="1999-01-01"),
        ]
    )
    library.close()
    monkeypatch.setenv("READER_DB", str(db_path))
    monkeypatch.setenv("READER_USER", "ana")
    return db_path


def opened(db: Path) -> Library:
    return open_library(db, create=False)


def row_id(db: Path, title_start: str) -> str:
    library = opened(db)
    try:
        [paper] = [p for p in library.papers() if p.title.startswith(title_start)]
    finally:
        library.close()
    return f"#{paper.id}"


def mark(db: Path, user: str, title_start: str, *, note: str = "", star: bool = False) -> None:
    library = opened(db)
    try:
        paper_id = int(row_id(db, title_start)[1:])
        if note:
            library.set_note(user, paper_id, note)
        if star:
            library.set_starred(user, paper_id, True)
    finally:
        library.close()


def titles(db: Path) -> set[str]:
    library = opened(db)
    try:
        return {paper.title for paper in library.papers()}
    finally:
        library.close()
