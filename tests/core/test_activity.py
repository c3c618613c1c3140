"""When each mark was made, for the stats screen: set by the store on every way of
writing a mark, and guessed for marks made before the file recorded it."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.models import Annotation, Paper
from reader.store import open_library
from tests.support.store import older_library


def test_starring_noting_and_reading_are_dated(monkeypatch: pytest.MonkeyPatch) -> None:
    from reader.store import clock

    library = open_library(None)
    library.import_papers([Paper("A", "2401.00001"), Paper("B", "2401.00002")])
    a, b = sorted(paper.id for paper in library.papers() if paper.id is not None)
    monkeypatch.setattr(clock, "now", lambda: "2026-01-05T10:00:00+00:00")
    library.set_starred("ana", a, True)
    library.set_note("ana", b, "first words")
    library.set_read("ana", [b], True)
    monkeypatch.setattr(clock, "now", lambda: "2026-02-01T10:00:00+00:00")
    # Later changes keep the first dates; a second star is dated anew.
    library.set_note("ana", b, "first words, and more")
    library.set_starred("ana", b, True)
    assert sorted(library.activity("ana"), key=str) == sorted(
        [
            (None, "2026-01-05T10:00:00+00:00", None),
            (
                "2026-01-05T10:00:00+00:00",
                "2026-02-01T10:00:00+00:00",
                "2026-01-05T10:00:00+00:00",
            ),
        ],
        key=str,
    )
    # Unstarred, or the note removed: no longer counted.
    library.set_starred("ana", a, False)
    library.set_note("ana", b, "")
    assert (None, None, None) in library.activity("ana")
    assert all(noted is None for _, _, noted in library.activity("ana"))
    assert library.activity("ben") == []


def test_marks_restored_from_an_export_are_dated_too() -> None:
    library = open_library(None)
    library.import_papers([Paper("A", "2401.00001")])
    (paper,) = library.papers()
    assert paper.id is not None
    library.restore("ana", [Annotation(paper.id, starred=True, note="kept")], ("starred", "note"))
    ((_, starred_at, noted_at),) = library.activity("ana")
    assert starred_at is not None and noted_at is not None


def test_an_older_library_guesses_the_dates_of_its_marks(tmp_path: Path) -> None:
    path = tmp_path / "library.db"
    conn = older_library(path, 4)
    conn.execute(
        "INSERT INTO papers (title, title_key, added_at, updated_at) VALUES ('A', 'a', 'x', 'x')"
    )
    conn.execute(
        "INSERT INTO annotations (user, paper_id, starred, note, created_at, updated_at) "
        "VALUES ('ana', 1, 1, 'kept', 'x', '2025-03-01T00:00:00+00:00')"
    )
    conn.close()
    library = open_library(path)
    try:
        assert library.activity("ana") == [
            (None, "2025-03-01T00:00:00+00:00", "2025-03-01T00:00:00+00:00")
        ]
        assert library.annotation("ana", 1).note == "kept"
    finally:
        library.close()
