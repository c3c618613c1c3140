"""A large import commits in chunks (issue 14, item 10): other processes write between
two chunks, and the import is still whole or not at all. What undoes it is journaled
in the chunks' transactions (schema 6, see reader.store.journal): an import that
fails undoes itself, one whose process died is undone by the next process to open
the library, and never one that still runs."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

import reader.store.imports as imports_module
from reader.models import Annotation, Paper
from reader.store import Library, LibraryError, open_library
from reader.store import journal as journaling
from reader.store.merge import FIELDS
from reader.store.schema import SCHEMA_VERSION
from tests.support.chunks import (
    KEPT,
    USER,
    assert_whole,
    state,
)
from tests.support.store import new_papers, older_library


def changed_and_new(library: Library, count: int) -> list[Paper]:
    """An import that changes every kept paper (a new title, more upvotes) and adds
    ``count`` new ones."""
    changed = [
        replace(paper, id=None, title=f"{paper.title} revised", upvotes=(paper.upvotes or 0) + 100)
        for paper in library.papers()
    ]
    return [*changed, *new_papers(count)]


def fail_on_chunk(monkeypatch: pytest.MonkeyPatch, chunk: int) -> None:
    """The ``chunk``-th chunk's insert fails, as a full disk or a broken file would."""
    calls = []
    real = imports_module._insert

    def insert(*args: Any) -> None:
        calls.append(1)
        if len(calls) == chunk:
            raise LibraryError("database or disk is full")
        real(*args)

    monkeypatch.setattr(imports_module, "_insert", insert)


# Each write a second after the one before (see the fixture).
pytestmark = pytest.mark.usefixtures("ticking_clock")


# -- in one process -------------------------------------------------------------------


def test_a_large_import_commits_in_chunks_and_ends_whole(kept: Library, db_path: Path) -> None:
    commits = []
    real = Library.transaction

    def counted(self: Library, **options: Any) -> Any:
        commits.append(1)
        return real(self, **options)

    papers = changed_and_new(kept, 6_000)
    marks = {KEPT + 1: Annotation(0, starred=True, tags=("new",))}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Library, "transaction", counted)
        result, marked = kept.import_papers_with_marks(papers, USER, marks)
    assert len(commits) > 3
    assert (result.added, result.updated, result.unchanged) == (6_000, KEPT, 0)
    assert marked.restored == 1
    assert kept.count() == KEPT + 6_000
    revised = [paper.title for paper in kept.papers() if paper.title.startswith("Kept")]
    assert len(revised) == KEPT and all(title.endswith(" revised") for title in revised)
    assert_whole(db_path)


def test_an_import_that_fails_midway_is_undone(
    kept: Library, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunks in, then an error: the papers it added are gone, the ones it changed as
    they were, the marks it brought undone."""
    before = state(kept)
    papers = changed_and_new(kept, 6_000)
    marks = {
        0: Annotation(0, starred=True, note="imported note", tags=("imported",)),
        KEPT + 5: Annotation(0, starred=True),
    }
    fail_on_chunk(monkeypatch, 3)
    with pytest.raises(LibraryError, match="disk is full"):
        kept.import_papers_with_marks(papers, USER, marks)
    assert state(kept) == before
    assert_whole(db_path)


def test_an_import_that_fills_the_disk_midway_is_undone_by_the_next_open(
    kept: Library, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No room even to undo it at once: the next process to open the library does."""
    before = state(kept)
    pages = kept.db.execute("PRAGMA page_count").fetchone()[0]
    kept.db.execute(f"PRAGMA max_page_count = {pages + 3_000}")  # some chunks fit
    big = [replace(paper, abstract="word " * 600) for paper in new_papers(8_000)]
    with pytest.raises(LibraryError, match="full"):
        kept.import_papers(big)
    kept.close()
    library = open_library(db_path)
    try:
        assert state(library) == before
    finally:
        library.close()
    assert_whole(db_path)


def test_a_mark_made_between_two_chunks_outlives_the_undo(
    kept: Library, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another window, between two chunks, notes a paper the import marked, and
    stars another: when the import is undone, those stay."""
    ids = sorted(paper.id for paper in kept.papers() if paper.id is not None)
    papers = changed_and_new(kept, 6_000)
    position = {paper.arxiv_id: n for n, paper in enumerate(papers)}
    first, other = kept.paper(ids[5]), kept.paper(ids[6])
    assert first is not None and other is not None
    marks = {position[first.arxiv_id]: Annotation(0, starred=True, note="imported")}
    window = open_library(db_path)
    real = journaling.pass_turn

    def meanwhile(path: Path | None) -> None:
        if window.annotation(USER, ids[6]).starred is False:
            window.set_note(USER, ids[5], "written meanwhile")
            window.set_starred(USER, ids[6], True)
        real(path)

    monkeypatch.setattr(journaling, "pass_turn", meanwhile)
    fail_on_chunk(monkeypatch, 3)
    with pytest.raises(LibraryError):
        kept.import_papers_with_marks(papers, USER, marks)
    window.close()
    assert kept.annotation(USER, ids[5]).note == "written meanwhile"
    assert kept.annotation(USER, ids[5]).starred is False  # the import's star undone
    assert kept.annotation(USER, ids[6]).starred is True
    assert kept.count() == KEPT
    assert_whole(db_path)


def test_a_small_import_is_one_transaction_with_no_journal_or_lock_file(
    kept: Library, db_path: Path
) -> None:
    kept.import_papers(new_papers(imports_module._CHUNK_FIRST))
    assert kept.count() == KEPT + imports_module._CHUNK_FIRST
    assert sorted(p.name for p in db_path.parent.iterdir() if "lock" in p.name) == []
    assert_whole(db_path)


def test_the_journal_keeps_every_column_an_import_writes(kept: Library) -> None:
    written = {*FIELDS, "title_key", "updated_at"}
    assert set(journaling.PAPER_COLUMNS) == written
    columns = {row[1] for row in kept.db.execute("PRAGMA table_info(import_papers)")}
    assert written <= columns


def test_a_schema_5_library_is_upgraded_with_a_backup(db_path: Path) -> None:
    conn = older_library(db_path, 5)
    conn.execute(
        "INSERT INTO papers (id, arxiv_id, title, title_key, added_at, updated_at) "
        "VALUES (1, '2401.00001', 'Old', 'old', 'x', 'x')"
    )
    conn.execute("INSERT INTO paper_words (paper_words) VALUES ('rebuild')")
    conn.close()
    library = open_library(db_path)
    try:
        version = library.db.execute("PRAGMA user_version").fetchone()[0]
        assert version == SCHEMA_VERSION == 12
        assert [paper.title for paper in library.papers()] == ["Old"]
        library.import_papers(new_papers(1_500))
        assert library.count() == 1_501
    finally:
        library.close()
    assert db_path.with_name(db_path.name + ".schema5.bak").exists()
    assert_whole(db_path)


# -- with other processes -------------------------------------------------------------
