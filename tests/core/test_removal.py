"""Removing papers (issue 15, item 12): in one transaction, with their word-index
entries, everyone's annotations and drafts, and put back exactly (undo) under the
same row ids; the sample's papers marked as such (schema 7)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reader.models import Paper
from reader.sample import load_sample_if_empty, sample_papers
from reader.store import (
    Library,
    NotRestored,
    PapersGone,
    PapersNoted,
    open_library,
)
from reader.store.schema import SCHEMA_VERSION
from tests.support.data import FIXED_NOW
from tests.support.store import new_papers

TABLES = ("papers", "annotations", "drafts", "sample_papers")
# Schema 12's, whose paper id is their second column for rule_hits and first else.
MORE = ("decisions", "rule_hits", "paper_updates")


def rows(library: Library) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the tables a removal touches, as stored, in row order."""
    return (
        {
            table: library.db.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
            for table in ("papers", "sample_papers")
        }
        | {
            table: library.db.execute(f"SELECT * FROM {table} ORDER BY user, paper_id").fetchall()
            for table in ("annotations", "drafts")
        }
        | {
            table: library.db.execute(f"SELECT * FROM {table} ORDER BY 1, 2, 3").fetchall()
            for table in MORE
        }
    )


def assert_whole(library: Library) -> None:
    """SQLite's own check, and the word indexes' check against the papers they index
    (rank 1: a row deleted but still indexed, or not indexed, fails it)."""
    conn = library.db
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    conn.execute("INSERT INTO paper_words (paper_words, rank) VALUES ('integrity-check', 1)")
    conn.execute("INSERT INTO abstract_words (abstract_words, rank) VALUES ('integrity-check', 1)")


def found(library: Library, field: str, word: str) -> set[int]:
    words = library.words()
    try:
        return set(words.having(field, [word]))
    finally:
        words.close()


def id_of(library: Library, title_start: str) -> int:
    [paper] = [p for p in library.papers() if p.title.startswith(title_start)]
    assert paper.id is not None
    return paper.id


@pytest.fixture
def marked(library: Library) -> Iterator[Library]:
    """The sample, marked by two users: notes, stars, tags, read state, drafts."""
    ram = id_of(library, "RAM++")
    glad = id_of(library, "GLAD")
    compute = id_of(library, "Pre-training under infinite compute")
    library.set_note("ana", ram, "# RAM++\nmy note")
    library.toggle_star("ana", ram)
    library.change_tags("ana", [ram, glad], add=["restoration"])
    library.set_read("ana", [ram], True)
    library.toggle_star("bob", ram)
    library.set_note("bob", glad, "bob's note")
    library.save_draft("ana", glad, "half a note", "")
    library.toggle_star("bob", compute)
    # Starred and noted long before the last change: put back as they were, not as
    # the trigger that sets them on an insert would.
    library.db.execute(
        "UPDATE annotations SET starred_at = '2020-01-01T00:00:00+00:00', "
        "noted_at = '2020-01-02T00:00:00+00:00'"
    )
    # What triage mode, a rule and an import set down on papers (schema 12).
    library.db.execute(
        "INSERT INTO decisions VALUES ('ana', ?, 'star', '2026-01-01T00:00:00+00:00', 2.5)",
        (ram,),
    )
    library.db.execute(
        "INSERT INTO rule_hits VALUES ('ana', 'tag:x', ?, 'tag', '2026-01-01T00:00:00+00:00')",
        (glad,),
    )
    library.db.execute(
        "INSERT INTO paper_updates (paper_id, kind, at, old, new) "
        "VALUES (?, 'version', '2026-01-01T00:00:00+00:00', '1', '2')",
        (ram,),
    )
    yield library


def test_removing_and_putting_back_restores_every_row_exactly(marked: Library) -> None:
    library = marked
    ram, glad = id_of(library, "RAM++"), id_of(library, "GLAD")
    before = rows(library)
    assert found(library, "title", "restoration") >= {ram}

    removed = library.remove_papers([ram, glad], noted="remove")

    assert removed.ids == (ram, glad) and library.count() == 37
    after = rows(library)
    for table in TABLES:
        assert all(ram not in row[:2] and glad not in row[:2] for row in after[table]), table
    assert all(not after[table] for table in MORE)
    assert all(before[table] for table in MORE)
    # Another user's mark on another paper stays.
    assert library.annotation("bob", id_of(library, "Pre-training under")).starred
    assert ram not in found(library, "title", "restoration")
    assert glad not in found(library, "authors", "glad") | found(library, "title", "glad")
    assert_whole(library)

    library.restore_papers(removed)

    assert rows(library) == before
    assert ram in found(library, "title", "restoration")
    assert library.annotation("ana", ram).note == "# RAM++\nmy note"
    assert library.draft("ana", glad) is not None
    assert_whole(library)


def test_what_is_held_on_papers_names_each_user(marked: Library) -> None:
    library = marked
    ram, glad = id_of(library, "RAM++"), id_of(library, "GLAD")
    held = library.held([ram, glad])
    # ana's draft on GLAD is a note being written: it counts.
    assert held.notes == {"ana": 2, "bob": 1}
    assert held.starred == {"ana": 1, "bob": 1}
    assert held.tagged == {"ana": 2}
    assert held.noted == {ram, glad}


def test_papers_with_notes_are_refused_whole_unless_asked(marked: Library) -> None:
    library = marked
    ram, compute = id_of(library, "RAM++"), id_of(library, "Pre-training under")
    before = rows(library)
    with pytest.raises(PapersNoted) as refused:
        library.remove_papers([compute, ram])
    assert refused.value.held.notes == {"ana": 1}
    assert rows(library) == before

    removed = library.remove_papers([compute, ram], noted="keep")
    assert removed.ids == (compute,) and removed.kept == (ram,)
    assert library.paper(ram) is not None and library.paper(compute) is None


def test_a_removed_id_is_never_given_again(library: Library) -> None:
    top = max(paper.id for paper in library.papers() if paper.id is not None)
    removed = library.remove_papers([top])
    library.import_papers([Paper("A paper imported after the removal", "2501.00001")])
    [new] = [p for p in library.papers() if p.arxiv_id == "2501.00001"]
    assert new.id is not None and new.id > top
    # ... so an undo puts the removed paper back where it was.
    library.restore_papers(removed)
    restored = library.paper(top)
    assert restored is not None and restored.title == removed_title(removed)


def removed_title(removed: Any) -> str:
    return str(removed.papers.values[0][removed.papers.columns.index("title")])


def test_putting_back_a_paper_imported_again_since_is_refused_whole(library: Library) -> None:
    ram, glad = id_of(library, "RAM++"), id_of(library, "GLAD")
    removed = library.remove_papers([ram, glad])
    library.import_papers([p for p in sample_papers(FIXED_NOW) if p.title.startswith("GLAD")])
    before = rows(library)
    with pytest.raises(NotRestored, match="GLAD"):
        library.restore_papers(removed)
    assert rows(library) == before

    with_id = Paper("A paper with an id", "2501.00002")
    library.import_papers([with_id])
    removed = library.remove_papers(list(library.ids_of_arxiv_ids(["2501.00002"]).values()))
    library.import_papers([Paper("Another title, same arXiv id", "2501.00002")])
    with pytest.raises(NotRestored, match="A paper with an id"):
        library.restore_papers(removed)


def test_undoing_a_mark_on_a_paper_removed_since_says_so(library: Library) -> None:
    ram, glad = id_of(library, "RAM++"), id_of(library, "GLAD")
    before = list(library.annotations_of("ana", [ram, glad]).values())
    library.set_starred_many("ana", [ram, glad], True)
    library.remove_papers([ram])
    # The paper still there gets its mark back; the one removed is left out.
    assert set(library.restore("ana", before, ("starred",))) == {glad}
    library.remove_papers([glad])
    with pytest.raises(PapersGone):
        library.restore("ana", before, ("starred",))
    assert library.db.execute("SELECT count(*) FROM annotations").fetchone() == (0,)


def test_the_sample_papers_are_marked_and_stop_being_so_once_imported_again(
    library: Library,
) -> None:
    assert len(library.sample_ids()) == 39
    glad = id_of(library, "GLAD")
    library.import_papers([p for p in sample_papers(FIXED_NOW) if p.title.startswith("GLAD")])
    assert glad not in library.sample_ids() and len(library.sample_ids()) == 38
    removed = library.remove_papers(library.sample_ids())
    assert library.count() == 1 and library.sample_ids() == []
    library.restore_papers(removed)
    assert len(library.sample_ids()) == 38


def test_an_import_undone_leaves_the_sample_marks_as_they_were(library: Library) -> None:
    """A large import commits in chunks; a sample paper it brings stays a sample
    paper until the import stands, so an import undone changes nothing."""
    glad = next(p for p in sample_papers(FIXED_NOW) if p.title.startswith("GLAD"))

    def stop(step: str) -> None:
        if step.startswith("imported"):
            raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        library.import_papers_with_marks([glad, *new_papers(3_000)], "", {}, on_step=stop)
    assert library.count() == 39 and len(library.sample_ids()) == 39

    library.import_papers_with_marks([glad, *new_papers(3_000)], "", {})
    assert len(library.sample_ids()) == 38


def test_a_library_filled_before_schema_7_gets_its_sample_marked(db_path: Path) -> None:
    library = open_library(db_path)
    load_sample_if_empty(library, now=FIXED_NOW)
    library.import_papers([Paper("Imported later", "2501.00003")])
    library.close()
    # As schema 6 left it: no marks, the user's own paper added later.
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("DROP TABLE sample_papers")
    for trigger in ("insert", "update", "delete"):  # and schema 9's author counts
        conn.execute(f"DROP TRIGGER papers_authors_{trigger}")
    conn.execute("DROP TABLE authors")
    conn.execute("DROP TABLE pending_authors")
    conn.execute("ALTER TABLE annotations DROP COLUMN dismissed_at")  # and schema 10's
    conn.execute("DROP TABLE looked")  # and 11's
    conn.execute("DROP INDEX papers_added")
    for table in ("decisions", "rule_hits", "paper_updates", "lab_members"):  # and 12's
        conn.execute(f"DROP TABLE {table}")
    conn.execute("DROP TRIGGER annotations_note_unshared")
    conn.execute("DROP INDEX annotations_paper")
    conn.execute("ALTER TABLE annotations DROP COLUMN note_shared")
    conn.execute("UPDATE papers SET added_at = '2099-01-01' WHERE arxiv_id = '2501.00003'")
    conn.execute("PRAGMA user_version = 6")
    conn.close()

    library = open_library(db_path)
    try:
        assert library.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 12
        marked = library.sample_ids()
        assert len(marked) == 39
        assert library.ids_of_arxiv_ids(["2501.00003"]).keys() == {"2501.00003"}
        assert set(library.ids_of_arxiv_ids(["2501.00003"]).values()).isdisjoint(marked)
    finally:
        library.close()
    assert db_path.with_name(db_path.name + ".schema6.bak").exists()


def test_other_windows_see_a_removal_as_a_change_of_papers(library: Library) -> None:
    version = library.papers_version()
    removed = library.remove_papers([id_of(library, "GLAD")])
    assert library.papers_version() != version
    version = library.papers_version()
    library.restore_papers(removed)
    assert library.papers_version() != version
