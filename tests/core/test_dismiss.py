"""Not interested ("dismiss"), without Textual: the store, undo, the search leaving
dismissed papers out unless asked, exports and imports, and the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from reader.cli import main
from reader.export.json_export import render_json
from reader.models import Annotation
from reader.ranking.model import Labels
from reader.search import Query, SearchIndex
from reader.search.direct import DirectSearch
from reader.sources.reader_json import parse_reader_json
from reader.store import Library, clock, open_library
from reader.store.schema import SCHEMA_VERSION
from reader.triage import Triage, WriteNow
from tests.support.store import older_library


def first_ids(library: Library, count: int) -> list[int]:
    return library.order()[:count]


def test_a_paper_is_dismissed_once_and_can_be_taken_back(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    paper_id = first_ids(library, 1)[0]
    monkeypatch.setattr(clock, "now", lambda: "2026-12-01T10:00:00+00:00")
    marks = library.set_dismissed("ana", [paper_id], True)
    assert marks[paper_id].dismissed_at == "2026-12-01T10:00:00+00:00"
    assert marks[paper_id].is_dismissed and marks[paper_id].marks_anything
    # Dismissed again later: when it first was is kept.
    monkeypatch.setattr(clock, "now", lambda: "2026-12-02T10:00:00+00:00")
    library.set_dismissed("ana", [paper_id], True)
    assert library.annotation("ana", paper_id).dismissed_at == "2026-12-01T10:00:00+00:00"
    # A dismissal alone is a mark the user has; nobody else's.
    assert paper_id in library.annotations("ana")
    assert paper_id not in library.annotations("bo")
    library.set_dismissed("ana", [paper_id], False)
    assert library.annotation("ana", paper_id).dismissed_at is None


def test_dismissing_is_undone_with_z(library: Library) -> None:
    ids = first_ids(library, 3)
    triage = Triage(library, "ana", submit=WriteNow(library), report=lambda outcome: None)
    triage.read()
    triage.toggle_dismissed(ids[:2])
    assert all(library.annotation("ana", i).is_dismissed for i in ids[:2])
    # All dismissed already: the same key takes them back.
    triage.toggle_dismissed(ids[:2])
    assert not any(library.annotation("ana", i).is_dismissed for i in ids[:2])
    triage.toggle_dismissed([ids[2]])
    library.set_starred("ana", ids[2], True)  # meanwhile, in another window
    triage.undo()
    mark = library.annotation("ana", ids[2])
    assert not mark.is_dismissed and mark.starred  # only the dismissal is undone


def test_an_older_library_gains_the_column_and_keeps_its_marks(db_path: Path) -> None:
    conn = older_library(db_path, SCHEMA_VERSION - 1)
    conn.execute(
        "INSERT INTO papers (id, title, title_key, added_at, updated_at) "
        "VALUES (1, 'Kept', 'kept', '2026-01-01', '2026-01-01')"
    )
    conn.execute(
        "INSERT INTO annotations (user, paper_id, starred, created_at, updated_at) "
        "VALUES ('ana', 1, 1, '2026-01-01', '2026-01-01')"
    )
    conn.close()
    library = open_library(db_path)
    try:
        mark = library.annotation("ana", 1)
        assert mark.starred and mark.dismissed_at is None
        assert library.set_dismissed("ana", [1], True)[1].is_dismissed
    finally:
        library.close()


def test_searches_leave_dismissed_papers_out_unless_asked(library: Library) -> None:
    dismissed = {
        i: Annotation(i, dismissed_at="2026-12-01T10:00:00+00:00") for i in first_ids(library, 2)
    }
    marks: dict[int, Annotation] = {**dismissed}
    index = SearchIndex(library.listing(), library.words())
    direct = DirectSearch(library.words())
    every = index.search(Query.parse(""))
    for text in ("", "diffusion", "-is:read", "-is:dismissed"):
        found = index.search(Query.parse(text), marks)
        assert not set(found) & set(dismissed), text
        assert found == [i for i in index.search(Query.parse(text)) if i not in dismissed]
        result = direct.search(Query.parse(text), marks)
        left = result.left_out if result.only is None else set(every) - result.only
        if result.scores is not None:
            left = set(every) - set(result.scores)
        assert set(dismissed) <= left, text
    assert set(index.search(Query.parse("is:dismissed"), marks)) == set(dismissed)
    assert direct.search(Query.parse("is:dismissed"), marks).only == set(dismissed)
    # is:dismissed names them, negated or not: "every paper but the dismissed".
    assert Query.parse("-is:dismissed").asks_dismissed
    assert not Query.parse("dismissed").asks_dismissed


def test_the_ranking_learns_from_a_dismissal() -> None:
    labels = Labels.from_marks({1: Annotation(1, starred=True, dismissed_at="2026-01-01")})
    # Dismissed wins over a star: the user said no last.
    assert labels.negative == {1} and not labels.positive


def test_a_json_export_carries_a_dismissal_and_imports_it_back(library: Library) -> None:
    paper = library.papers()[0]
    assert paper.id is not None
    plain = render_json([(paper, Annotation(paper.id))], user="ana", exported_at="now")
    assert "dismissed_at" not in plain  # files without dismissals read as before
    when = "2026-12-01T10:00:00+00:00"
    text = render_json(
        [(paper, Annotation(paper.id, dismissed_at=when))], user="ana", exported_at="now"
    )
    batch = parse_reader_json(json.loads(text), source="x.json")
    assert batch.marks[0].dismissed_at == when


def run(db: Path, *args: str) -> str:
    result = CliRunner().invoke(main, ["--db", str(db), "--user", "ana", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_reader_list_leaves_dismissed_papers_out(library: Library, db_path: Path) -> None:
    paper = library.listing()[0]
    library.set_dismissed("ana", [paper.id], True)
    shown = run(db_path, "list")
    assert paper.short_id not in shown and len(shown.splitlines()) == library.count() - 1
    assert run(db_path, "list", "is:dismissed").split("\t")[0] == paper.short_id
    listed = json.loads(run(db_path, "list", "is:dismissed", "--json"))
    assert [item["dismissed"] for item in listed] == [True]
    assert not any(item["dismissed"] for item in json.loads(run(db_path, "list", "--json")))
    # Another user still sees it.
    other = CliRunner().invoke(main, ["--db", str(db_path), "--user", "bo", "list"])
    assert paper.short_id in other.output


def test_a_removed_paper_comes_back_still_dismissed(library: Library) -> None:
    paper_id = first_ids(library, 1)[0]
    library.set_dismissed("ana", [paper_id], True)
    removed = library.remove_papers([paper_id])
    library.restore_papers(removed)
    assert library.annotation("ana", paper_id).is_dismissed


def test_star_always_stars_and_is_undone(library: Library) -> None:
    ids = first_ids(library, 2)
    library.set_starred("ana", ids[0], True)
    triage = Triage(library, "ana", submit=WriteNow(library), report=lambda outcome: None)
    triage.read()
    triage.star(ids)  # a star, not a toggle: the starred one stays starred
    assert all(library.annotation("ana", i).starred for i in ids)
    triage.undo()
    assert library.annotation("ana", ids[0]).starred
    assert not library.annotation("ana", ids[1]).starred
