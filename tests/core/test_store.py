"""The store: files, schema, imports that merge, annotations per user."""

from __future__ import annotations

import sqlite3
import stat
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from reader.models import Paper
from reader.store import Library, LibraryError, NoteConflict, open_library
from reader.store.schema import SCHEMA_VERSION
from tests.support.store import corrupt, ids, older_library, stored_id


def _paper(title: str = "A Paper About Grokking", **fields: object) -> Paper:
    return Paper(title=title, abstract="An abstract.", **fields)  # type: ignore[arg-type]


def test_new_library_file_is_private_wal_and_versioned(db_path: Path) -> None:
    lib = open_library(db_path)
    lib.close()
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o600
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()


def test_library_folder_is_created_private(tmp_path: Path) -> None:
    path = tmp_path / "new" / "dir" / "library.db"
    open_library(path).close()
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_refuses_a_file_that_is_not_sqlite(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("my precious notes\n")
    with pytest.raises(LibraryError, match="not a reader library"):
        open_library(path)
    assert path.read_text() == "my precious notes\n"


def test_refuses_another_programs_database(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE accounts (id INTEGER)")
    conn.commit()
    conn.close()
    with pytest.raises(LibraryError, match="another program"):
        open_library(path)
    conn = sqlite3.connect(path)
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master")]
    conn.close()
    assert tables == ["accounts"]


def test_refuses_a_newer_schema_and_leaves_it_untouched(db_path: Path) -> None:
    open_library(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(LibraryError, match="newer version"):
        open_library(db_path)
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
    conn.close()


def test_a_directory_is_not_a_library(tmp_path: Path) -> None:
    with pytest.raises(LibraryError, match="directory"):
        open_library(tmp_path)


def test_import_counts_added_updated_unchanged(empty_library: Library) -> None:
    first = empty_library.import_papers([_paper(upvotes=1), _paper("Another One")])
    assert (first.added, first.updated, first.unchanged) == (2, 0, 0)
    again = empty_library.import_papers([_paper(upvotes=1), _paper("Another One")])
    assert (again.added, again.updated, again.unchanged) == (0, 0, 2)
    moved = empty_library.import_papers([_paper(upvotes=7)])
    assert (moved.added, moved.updated, moved.unchanged) == (0, 1, 0)
    assert empty_library.count() == 2
    [paper] = [p for p in empty_library.papers() if p.title == "A Paper About Grokking"]
    assert paper.upvotes == 7


def test_missing_fields_never_erase_known_ones(empty_library: Library) -> None:
    empty_library.import_papers(
        [_paper(upvotes=3, published="2024-01-02", github_url="https://github.com/a/b")]
    )
    result = empty_library.import_papers([Paper(title="A Paper About Grokking")])
    assert result.unchanged == 1
    [paper] = empty_library.papers()
    assert (paper.upvotes, paper.published, paper.github_url) == (
        3,
        "2024-01-02",
        "https://github.com/a/b",
    )
    assert paper.abstract == "An abstract."


def test_title_keyed_paper_merges_when_its_arxiv_id_arrives(empty_library: Library) -> None:
    empty_library.import_papers([_paper()])
    [before] = ids(empty_library.papers())
    empty_library.set_note("ana", before, "keep me")
    result = empty_library.import_papers([_paper("A paper about grokking", arxiv_id="2401.00001")])
    assert (result.added, result.updated) == (0, 1)
    [after] = empty_library.papers()
    assert after.id == before and after.arxiv_id == "2401.00001"
    assert empty_library.annotation("ana", before).note == "keep me"


def test_reimport_never_touches_annotations(library: Library) -> None:
    paper = library.papers()[0]
    paper_id = stored_id(paper)
    library.toggle_star("ana", paper_id)
    library.set_note("ana", paper_id, "# Mine\n\nkeep")
    library.import_papers([replace(paper, id=None, upvotes=(paper.upvotes or 0) + 10)])
    mark = library.annotation("ana", paper_id)
    assert mark.starred and mark.note == "# Mine\n\nkeep"


def test_stars_and_notes_belong_to_their_user(library: Library) -> None:
    first, second = ids(library.papers()[:2])
    assert library.toggle_star("ana", first).starred is True
    library.set_note("ana", second, "ana's note")
    library.set_note("ben", first, "ben's note")
    assert set(library.annotations("ana")) == {first, second}
    assert library.annotations("ben")[first].note == "ben's note"
    assert not library.annotations("ben")[first].starred
    assert library.annotations("cy") == {}


def test_toggle_star_twice_unstars_and_keeps_the_note(library: Library) -> None:
    paper_id = stored_id(library.papers()[0])
    library.set_note("ana", paper_id, "note")
    assert library.toggle_star("ana", paper_id).starred
    mark = library.toggle_star("ana", paper_id)
    assert not mark.starred and mark.note == "note"


def test_annotated_lists_starred_and_noted_papers_only(library: Library) -> None:
    a, b, _c = ids(library.papers()[:3])
    library.toggle_star("ana", a)
    library.set_note("ana", b, "x")
    assert [p.id for p, _ in library.annotated("ana")] == [a, b]
    library.set_note("ana", b, "")
    assert [p.id for p, _ in library.annotated("ana")] == [a]


def test_a_failed_import_changes_nothing(library: Library) -> None:
    before = library.count()

    def papers() -> Iterator[Paper]:
        yield _paper("Brand New Paper")
        raise RuntimeError("parser blew up half way")

    with pytest.raises(RuntimeError):
        library.import_papers(papers())
    assert library.count() == before


def test_data_survives_reopening(db_path: Path) -> None:
    lib = open_library(db_path)
    lib.import_papers([_paper()])
    paper_id = stored_id(lib.papers()[0])
    lib.toggle_star("ana", paper_id)
    lib.set_note("ana", paper_id, "persisted")
    lib.close()
    lib = open_library(db_path)
    mark = lib.annotation("ana", paper_id)
    lib.close()
    assert mark.starred and mark.note == "persisted"


def test_a_blank_note_is_no_note(library: Library) -> None:
    paper_id = stored_id(library.papers()[0])
    library.set_note("ana", paper_id, "  \n\t\n")
    mark = library.annotation("ana", paper_id)
    assert mark.note == "" and not mark.has_note
    assert paper_id not in library.annotations("ana")


def test_a_note_changed_since_it_was_opened_is_not_overwritten(library: Library) -> None:
    paper_id = stored_id(library.papers()[0])
    library.set_note("ana", paper_id, "first")
    library.set_note("ana", paper_id, "from another window")
    with pytest.raises(NoteConflict) as raised:
        library.set_note("ana", paper_id, "mine", expected="first")
    assert raised.value.current == "from another window"
    assert library.annotation("ana", paper_id).note == "from another window"
    saved = library.set_note("ana", paper_id, "mine", expected="from another window")
    assert saved.note == "mine"
    # A paper with no annotation yet is expected to have the empty note.
    other = stored_id(library.papers()[1])
    assert library.set_note("ana", other, "new", expected="").note == "new"


def test_open_without_create_refuses_a_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "typo.db"
    with pytest.raises(LibraryError, match="no library at"):
        open_library(missing, create=False)
    assert not missing.exists()


def test_reading_a_damaged_file_is_a_library_error(db_path: Path) -> None:
    lib = open_library(db_path)
    lib.import_papers([replace(_paper(f"Paper {i}"), abstract="words " * 60) for i in range(200)])
    lib.close()
    # Fold the WAL in, so the damage reaches the data the next open reads.
    with sqlite3.connect(db_path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    corrupt(db_path)
    lib = open_library(db_path)  # The first page, with the schema, is intact.
    try:
        with pytest.raises(LibraryError, match=f"cannot read library {db_path}: .*malformed"):
            lib.papers()
    finally:
        lib.close()


def test_a_version_1_library_is_upgraded_keeping_its_data(db_path: Path) -> None:
    from reader.store.schema import APPLICATION_ID, MIGRATIONS

    conn = sqlite3.connect(db_path, isolation_level=None)
    for statement in MIGRATIONS[0]:
        conn.execute(statement)
    conn.execute(
        "INSERT INTO papers (title, title_key, added_at, updated_at) "
        "VALUES ('Old Paper', 'old paper', 'x', 'x')"
    )
    conn.execute("INSERT INTO annotations VALUES ('ana', 1, 1, 'kept', 'x', 'x')")
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 1")
    conn.close()
    lib = open_library(db_path)
    try:
        assert lib.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 12
        (paper,) = lib.papers()
        assert paper.title == "Old Paper" and paper.categories == ()
        assert lib.annotation("ana", 1).note == "kept"
    finally:
        lib.close()


def test_every_paper_field_is_stored_and_read_back(empty_library: Library) -> None:
    from tests.support.store import FULL

    paper = replace(FULL, id=None)
    empty_library.import_papers([paper])
    (stored,) = empty_library.papers()
    assert replace(stored, id=None) == paper


def test_an_older_arxiv_revision_never_replaces_a_newer_one(empty_library: Library) -> None:
    newer = _paper("Final Title", arxiv_id="2409.11074", arxiv_version=3, updated="2024-12-01")
    older = _paper("Draft Title", arxiv_id="2409.11074", arxiv_version=1, updated="2024-09-17")
    empty_library.import_papers([newer])
    result = empty_library.import_papers([replace(older, upvotes=9, comment="draft comment")])
    (stored,) = empty_library.papers()
    assert stored.title == "Final Title" and stored.arxiv_version == 3
    # What the newer record lacked is still filled in; revision-free counts move on.
    assert stored.comment == "draft comment" and stored.upvotes == 9
    assert result.updated == 1


def test_a_later_upvote_count_replaces_an_earlier_one(empty_library: Library) -> None:
    empty_library.import_papers([_paper(arxiv_id="2409.11074", upvotes=3)])
    empty_library.import_papers([_paper(arxiv_id="2409.11074", upvotes=17)])
    assert empty_library.papers()[0].upvotes == 17


def test_a_coarser_date_never_replaces_a_full_one(empty_library: Library) -> None:
    empty_library.import_papers([_paper(arxiv_id="2409.11074", published="2024-09-17")])
    empty_library.import_papers([_paper(arxiv_id="2409.11074", published="2024")])
    assert empty_library.papers()[0].published == "2024-09-17"
    # Even a disagreeing venue year: the arXiv day is the more precise fact.
    empty_library.import_papers([_paper(arxiv_id="2409.11074", published="2025-03")])
    assert empty_library.papers()[0].published == "2024-09-17"
    empty_library.import_papers([_paper(arxiv_id="2409.11074", published="2025-01-02")])
    assert empty_library.papers()[0].published == "2025-01-02"


def test_read_state_keeps_the_first_read_time_and_unread_clears_it(library: Library) -> None:
    a, b = ids(library.papers()[:2])
    first = library.set_read("ana", [a, b], True)
    assert first[a].is_read and first[b].is_read
    again = library.set_read("ana", [a], True)
    assert again[a].read_at == first[a].read_at
    assert not library.set_read("ana", [b], False)[b].is_read
    assert library.annotation("ana", a).is_read and not library.annotation("ben", a).is_read
    assert set(library.annotations("ana")) == {a}


def test_tags_are_added_and_removed_per_paper_keeping_the_others(library: Library) -> None:
    a, b = ids(library.papers()[:2])
    library.change_tags("ana", [a], add=["Diffusion", "to read"])
    marks = library.change_tags("ana", [a, b], add=["vision", "diffusion"], remove=["to-read"])
    assert marks[a].tags == ("diffusion", "vision")
    assert marks[b].tags == ("vision", "diffusion")
    assert library.tag_counts("ana") == {"diffusion": 2, "vision": 2}
    assert library.tag_counts("ben") == {}


def test_tags_and_stars_are_separate_columns(library: Library) -> None:
    paper_id = stored_id(library.papers()[0])
    library.toggle_star("ana", paper_id)
    library.set_note("ana", paper_id, "kept")
    library.change_tags("ana", [paper_id], add=["x"])
    mark = library.annotation("ana", paper_id)
    assert mark.starred and mark.note == "kept" and mark.tags == ("x",)


def test_restore_puts_back_only_the_fields_undone(library: Library) -> None:
    a, b = ids(library.papers()[:2])
    library.set_note("ana", a, "kept")
    before = list(library.annotations_of("ana", [a, b]).values())
    library.set_starred_many("ana", [a, b], True)
    library.set_read("ana", [a, b], True)  # later, by the read delay
    restored = library.restore("ana", before, ["starred"])
    for paper_id in (a, b):
        assert not restored[paper_id].starred and restored[paper_id].is_read
    assert restored[a].note == "kept"
    tags_before = list(library.annotations_of("ana", [a]).values())
    library.change_tags("ana", [a], add=["x"])
    assert library.restore("ana", tags_before, ["tags"])[a].tags == ()


def test_an_undone_note_never_overwrites_one_written_since(library: Library) -> None:
    paper_id = stored_id(library.papers()[0])
    library.set_note("ana", paper_id, "first")
    before = [library.annotation("ana", paper_id)]
    after = {paper_id: library.set_note("ana", paper_id, "second")}
    library.set_note("ana", paper_id, "from the other window")
    with pytest.raises(NoteConflict):
        library.restore("ana", before, ["note"], after=after)
    assert library.annotation("ana", paper_id).note == "from the other window"
    after = {paper_id: library.set_note("ana", paper_id, "third")}
    assert library.restore("ana", before, ["note"], after=after)[paper_id].note == "first"


def test_listing_puts_the_garbage_collector_back_as_it_was(empty_library: Library) -> None:
    import gc

    empty_library.import_papers([_paper("One")])
    assert empty_library.listing() and gc.isenabled()
    gc.disable()
    try:
        empty_library.listing()
        assert not gc.isenabled()
    finally:
        gc.enable()


def _version_3_library(path: Path) -> None:

    conn = older_library(path, 3)
    conn.execute(
        "INSERT INTO papers (title, title_key, added_at, updated_at) "
        "VALUES ('Old Paper', 'old paper', 'x', 'x')"
    )
    conn.execute(
        "INSERT INTO annotations (user, paper_id, note, created_at, updated_at) "
        "VALUES ('ana', 1, 'my note', 'x', 'x')"
    )
    conn.close()


def _read_version_and_note(path: Path) -> tuple[int, str]:
    conn = sqlite3.connect(path)
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        (note,) = conn.execute("SELECT note FROM annotations").fetchone()
    finally:
        conn.close()
    return version, note


def test_an_upgrade_writes_a_private_backup_of_the_old_file_first(db_path: Path) -> None:
    _version_3_library(db_path)
    open_library(db_path).close()
    backup = db_path.with_name(db_path.name + ".schema3.bak")
    assert _read_version_and_note(backup) == (3, "my note")
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert _read_version_and_note(db_path) == (SCHEMA_VERSION, "my note")
    # Opening the upgraded file again backs nothing up; another old file beside it
    # does not overwrite the first backup.
    open_library(db_path).close()
    assert sorted(p.name for p in db_path.parent.glob("*.bak")) == [backup.name]
    db_path.unlink()
    _version_3_library(db_path)
    open_library(db_path).close()
    assert sorted(p.name for p in db_path.parent.glob("*.bak")) == [
        db_path.name + ".schema3.2.bak",
        backup.name,
    ]


def test_a_new_library_needs_no_backup(db_path: Path) -> None:
    open_library(db_path).close()
    assert list(db_path.parent.glob("*.bak")) == []


def test_no_backup_no_upgrade(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    _version_3_library(db_path)
    real_open = os.open

    def full_disk(path: str | Path, flags: int, mode: int = 0o777) -> int:
        if str(path).endswith(".bak"):
            raise OSError(28, "No space left on device")
        return real_open(path, flags, mode)

    monkeypatch.setattr(os, "open", full_disk)
    with pytest.raises(LibraryError, match=r"cannot write a backup.*No space left.*untouched"):
        open_library(db_path)
    monkeypatch.undo()
    assert _read_version_and_note(db_path) == (3, "my note")
