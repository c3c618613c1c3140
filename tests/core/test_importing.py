"""A reader JSON export imported back: papers and the user's marks, restored or merged."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from reader.importing import import_batch
from reader.models import Annotation, Paper
from reader.sample import load_sample_if_empty
from reader.sources import Batch
from reader.sources.reader_json import paper_to_json, parse_reader_json, parse_reader_jsonl
from reader.store import Library, LibraryError, clock, open_library
from tests.support.data import FIXED_NOW

USER = "ana"
READ_AT = "2025-03-01T08:30:00+00:00"
NOTES = [
    # Markdown as users write it: front-matter-like rules, code with braces and
    # backslashes, quotes of every kind, unicode beyond the BMP, tabs, CRLF.
    '---\ntitle: "not front matter"\n---\n\n# Why it matters\n\n'
    "- quotes: \"double\", 'single', «guillemets», „low“\n"
    "- code: `f(x) = {a: [1, 2]}` and ```\\frac{a}{b} \\\\ \\n```\n"
    "- unicode: naïve café, 数学, 🧪, e\u0301\n\n---\n\ttabbed\r\nend with spaces   \n\n",
    "{}",
    "\\",
    "Single line, but *Markdown* and a [link](https://arxiv.org/abs/2501.04519).",
]
EXTRA = [
    Paper(title='A Paper Without an arXiv Id: {Braces} & "Quotes"', published="1998"),
    Paper(
        title="Universal Image Restoration Pre-training via Degradation Classification",
        arxiv_id="2501.15510",
        abstract="Multi-part abstract.",
        authors=("JiaKui Hu", "Lujia Jin"),
        author_count=2,
        published="2025-01",
        upvotes=2,
        github_url="https://github.com/MILab-PKU/dcpt",
        arxiv_version=3,
        updated="2025-02-03",
        featured="2025-01-28",
        categories=("cs.CV", "cs.AI"),
        primary_category="cs.CV",
        comment="ICLR 2025",
        doi="10.48550/arXiv.2501.15510",
        journal_ref="ICLR 2025",
        url="https://milab-pku.github.io/dcpt/",
        num_comments=1,
        github_stars=58,
        ai_summary="Classifying degradations helps.",
        ai_keywords=("degradation classification",),
    ),
]


# --- building an export by hand (the format the exporter writes) -------------------


def annotations_json(mark: Annotation) -> dict[str, Any]:
    return {
        "starred": mark.starred,
        "read_at": mark.read_at,
        "tags": list(mark.tags),
        "note": mark.note,
    }


def export_objects(library: Library, user: str) -> list[dict[str, Any]]:
    """Every paper with ``user``'s annotations, as export version 1 writes them."""
    objects = []
    for paper in library.papers():
        assert paper.id is not None
        objects.append(
            {
                **paper_to_json(paper),
                "annotations": annotations_json(library.annotation(user, paper.id)),
            }
        )
    return objects


def export_json(library: Library, user: str = USER) -> str:
    header = {"format": "reader", "version": 1, "exported_at": "2026-11-26T12:00:00+00:00"}
    document = {**header, "user": user, "papers": export_objects(library, user)}
    return json.dumps(document, ensure_ascii=False, indent=2)


def export_jsonl(library: Library, user: str = USER) -> str:
    header = {"format": "reader", "version": 1, "exported_at": "2026-11-26T12:00:00Z", "user": user}
    lines = [header, *export_objects(library, user)]
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)


def parse_json(text: str) -> Batch:
    return parse_reader_json(json.loads(text), source="export.json")


def parse_jsonl(text: str) -> Batch:
    return parse_reader_jsonl(text, source="export.jsonl")


def marks_of(library: Library, user: str = USER) -> dict[str, tuple[object, ...]]:
    """``user``'s marks (star, read time, tags, note) by paper title."""
    titles = {paper.id: paper.title for paper in library.papers()}
    return {
        titles[paper_id]: (mark.starred, mark.read_at, mark.tags, mark.note)
        for paper_id, mark in library.annotations(user).items()
    }


def papers_of(library: Library) -> list[Paper]:
    return [replace(paper, id=None) for paper in library.papers()]


def paper_id(library: Library, title: str) -> int:
    [found] = [paper.id for paper in library.papers() if paper.title == title]
    assert found is not None
    return found


@pytest.fixture
def source(tmp_path: Path) -> Iterator[Library]:
    """A library with the sample papers and ``ana``'s (and ``bo``'s) marks on them."""
    lib = open_library(tmp_path / "source.db")
    load_sample_if_empty(lib, now=FIXED_NOW)
    lib.import_papers(EXTRA)
    ids = [paper.id for paper in lib.papers() if paper.id is not None]
    lib.set_starred_many(USER, ids[0:6:2], True)
    lib.set_read(USER, ids[1:4], True)
    lib.restore(USER, [Annotation(ids[5], read_at=READ_AT)], ["read_at"])
    lib.change_tags(USER, ids[2:5], add=["to-read", "vision"])
    lib.change_tags(USER, [ids[4]], add=["ünïcode-tag"])
    for pid, note in zip(ids[3:], NOTES, strict=False):
        lib.set_note(USER, pid, note)
    for note_id in (ids[-1], ids[-2]):  # the extra papers, one of them untitled by arXiv
        lib.set_note(USER, note_id, NOTES[0])
    lib.set_starred(USER, ids[-1], True)
    lib.set_starred("bo", ids[7], True)  # another user's marks stay behind
    lib.set_note("bo", ids[8], "bo's note")
    yield lib
    lib.close()


def test_the_source_library_marks_what_the_round_trip_must_keep(source: Library) -> None:
    marks = source.annotations(USER).values()
    assert sum(mark.starred for mark in marks) >= 3
    assert {mark.read_at for mark in marks} >= {READ_AT}
    assert sum(mark.is_read for mark in marks) == 4
    assert {tag for mark in marks for tag in mark.tags} == {"to-read", "vision", "ünïcode-tag"}
    assert {mark.note for mark in marks} >= set(NOTES)
    assert len(source.annotations(USER)) < source.count()  # some papers have no marks


# --- the round trip into an empty library ------------------------------------------


@pytest.mark.parametrize(
    ("export", "parse"), [(export_json, parse_json), (export_jsonl, parse_jsonl)]
)
def test_an_export_restores_everything_into_an_empty_library(
    source: Library, empty_library: Library, export: Any, parse: Any
) -> None:
    batch = parse(export(source))
    report = import_batch(empty_library, batch, user=USER)

    assert papers_of(empty_library) == papers_of(source)
    assert marks_of(empty_library) == marks_of(source)
    assert empty_library.annotations("bo") == {}
    marked = len(source.annotations(USER))
    assert (report.papers.added, report.papers.updated, report.papers.unchanged) == (
        source.count(),
        0,
        0,
    )
    assert (report.marks.restored, report.marks.merged, report.marks.conflicts) == (marked, 0, 0)
    assert report.summary() == (
        f"{source.count()} added, 0 updated, 0 unchanged; {marked} annotations restored"
    )


def test_the_notes_come_back_byte_for_byte(source: Library, empty_library: Library) -> None:
    import_batch(empty_library, parse_json(export_json(source)), user=USER)
    notes = sorted(mark.note for mark in empty_library.annotations(USER).values() if mark.note)
    assert notes == sorted(mark.note for mark in source.annotations(USER).values() if mark.note)
    assert NOTES[0] in notes and "\r\n" in NOTES[0] and "\t" in NOTES[0]


def test_marks_go_to_the_importing_user(source: Library, empty_library: Library) -> None:
    import_batch(empty_library, parse_json(export_json(source)), user="carla")
    assert marks_of(empty_library, "carla") == marks_of(source)
    assert empty_library.annotations(USER) == {}


def test_importing_the_same_export_twice_changes_nothing(
    source: Library, empty_library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch = parse_json(export_json(source))
    import_batch(empty_library, batch, user=USER)
    before = (papers_of(empty_library), empty_library.annotations(USER))

    # Any write the second time would stamp this time on what it wrote.
    monkeypatch.setattr(clock, "now", lambda: "2099-01-01T00:00:00+00:00")
    report = import_batch(empty_library, batch, user=USER)

    assert (papers_of(empty_library), empty_library.annotations(USER)) == before
    marked = len(source.annotations(USER))
    assert (report.papers.added, report.papers.updated) == (0, 0)
    assert (report.marks.restored, report.marks.merged, report.marks.unchanged) == (0, 0, marked)
    assert report.marks.conflicts == 0
    assert report.summary() == (
        f"0 added, 0 updated, {source.count()} unchanged; "
        f"0 annotations restored, {marked} already there"
    )


# --- merging into a library that has marks of its own ------------------------------


def one_paper_export(annotations: dict[str, Any] | None, paper: Paper | None = None) -> Batch:
    item: dict[str, Any] = paper_to_json(paper or EXTRA[1])
    if annotations is not None:
        item["annotations"] = annotations
    return parse_json(json.dumps({"format": "reader", "version": 1, "papers": [item]}))


def merge(library: Library, existing: dict[str, Any], imported: dict[str, Any]) -> Annotation:
    """``imported`` marks merged into a paper that ``existing`` marks already; the result."""
    library.import_papers([EXTRA[1]])
    pid = paper_id(library, EXTRA[1].title)
    if existing:
        current = Annotation(pid, **existing)
        library.restore(USER, [current], list(existing))
    import_batch(library, one_paper_export(imported), user=USER)
    return library.annotation(USER, pid)


def test_a_paper_the_user_has_not_marked_gets_the_imported_marks_exactly(
    empty_library: Library,
) -> None:
    mark = merge(
        empty_library,
        {},
        {"starred": True, "read_at": READ_AT, "tags": ["b", "a"], "note": NOTES[0]},
    )
    assert (mark.starred, mark.read_at, mark.tags, mark.note) == (
        True,
        READ_AT,
        ("b", "a"),
        NOTES[0],
    )


@pytest.mark.parametrize(("existing", "imported"), [(True, False), (False, True), (True, True)])
def test_starred_if_either_is(empty_library: Library, existing: bool, imported: bool) -> None:
    mark = merge(
        empty_library, {"starred": existing, "note": "x"}, {"starred": imported, "tags": ["t"]}
    )
    assert mark.starred
    assert (mark.note, mark.tags) == ("x", ("t",))


def test_unstarred_on_both_sides_stays_unstarred(empty_library: Library) -> None:
    assert not merge(empty_library, {"note": "x"}, {"starred": False, "tags": ["t"]}).starred


def test_the_first_read_time_is_kept(empty_library: Library) -> None:
    earlier = "2024-01-01T00:00:00+00:00"
    assert merge(empty_library, {"read_at": earlier}, {"read_at": READ_AT}).read_at == earlier


def test_an_unread_paper_takes_the_imported_read_time(empty_library: Library) -> None:
    assert merge(empty_library, {"starred": True}, {"read_at": READ_AT}).read_at == READ_AT


def test_an_import_never_marks_a_read_paper_unread(empty_library: Library) -> None:
    mark = merge(empty_library, {"read_at": READ_AT}, {"read_at": None, "starred": True})
    assert (mark.read_at, mark.starred) == (READ_AT, True)


def test_new_tags_come_after_the_existing_ones(empty_library: Library) -> None:
    mark = merge(empty_library, {"tags": ("b", "a")}, {"tags": ["a", "C", "d e"]})
    assert mark.tags == ("b", "a", "c", "d-e")


def test_a_blank_note_takes_the_imported_one(empty_library: Library) -> None:
    assert merge(empty_library, {"starred": True}, {"note": NOTES[0]}).note == NOTES[0]


def test_a_note_is_never_emptied_by_an_import(empty_library: Library) -> None:
    mark = merge(empty_library, {"note": NOTES[1]}, {"note": "", "starred": True})
    assert (mark.note, mark.starred) == (NOTES[1], True)


def test_a_different_note_keeps_the_librarys_and_is_counted(empty_library: Library) -> None:
    empty_library.import_papers([EXTRA[1]])
    pid = paper_id(empty_library, EXTRA[1].title)
    empty_library.set_note(USER, pid, "mine")
    empty_library.change_tags(USER, [pid], add=["old"])

    report = import_batch(
        empty_library, one_paper_export({"note": "theirs", "tags": ["new"]}), user=USER
    )

    mark = empty_library.annotation(USER, pid)
    assert (mark.note, mark.tags) == ("mine", ("old", "new"))  # the rest still merges
    assert (report.marks.merged, report.marks.conflicts) == (1, 1)
    assert report.summary() == (
        "0 added, 0 updated, 1 unchanged; 0 annotations restored, 1 merged, 1 note kept (differs)"
    )


def test_the_same_note_is_no_conflict(empty_library: Library) -> None:
    empty_library.import_papers([EXTRA[1]])
    empty_library.set_note(USER, paper_id(empty_library, EXTRA[1].title), NOTES[0])
    report = import_batch(empty_library, one_paper_export({"note": NOTES[0]}), user=USER)
    assert (report.marks.conflicts, report.marks.unchanged) == (0, 1)


def test_marks_of_another_user_are_never_touched(empty_library: Library) -> None:
    empty_library.import_papers([EXTRA[1]])
    pid = paper_id(empty_library, EXTRA[1].title)
    empty_library.set_note("bo", pid, "bo's")
    import_batch(empty_library, one_paper_export({"note": "ana's", "starred": True}), user=USER)
    bo = empty_library.annotation("bo", pid)
    assert (bo.note, bo.starred) == ("bo's", False)
    assert empty_library.annotation(USER, pid).note == "ana's"


def test_marks_land_on_the_paper_the_import_matched(empty_library: Library) -> None:
    # Known by its title while it has no arXiv id; the export brings the id.
    empty_library.import_papers([Paper(title=EXTRA[1].title)])
    pid = paper_id(empty_library, EXTRA[1].title)
    report = import_batch(empty_library, one_paper_export({"starred": True}), user=USER)
    assert report.papers.updated == 1 and empty_library.count() == 1
    assert empty_library.annotation(USER, pid).starred


def test_a_paper_twice_in_one_export_gets_both_marks(empty_library: Library) -> None:
    item = paper_to_json(EXTRA[1])
    document = {
        "format": "reader",
        "papers": [
            {**item, "annotations": {"tags": ["a"], "note": "first"}},
            {"title": "Untitled by arXiv", "annotations": {"starred": True}},
            {**item, "annotations": {"tags": ["b"], "note": "second", "starred": True}},
        ],
    }
    report = import_batch(empty_library, parse_json(json.dumps(document)), user=USER)
    mark = empty_library.annotation(USER, paper_id(empty_library, EXTRA[1].title))
    assert (mark.tags, mark.note, mark.starred) == (("a", "b"), "first", True)
    assert (report.marks.restored, report.marks.merged, report.marks.conflicts) == (2, 1, 1)
    assert empty_library.annotation(USER, paper_id(empty_library, "Untitled by arXiv")).starred


def test_a_batch_without_marks_reads_as_a_plain_import(empty_library: Library) -> None:
    report = import_batch(empty_library, Batch("bibtex", list(EXTRA), skipped=2), user=USER)
    assert report.summary() == "2 added, 0 updated, 0 unchanged, 2 skipped"
    assert empty_library.annotations(USER) == {}


def test_a_failed_import_writes_neither_papers_nor_marks(empty_library: Library) -> None:
    marks = {0: Annotation(0, starred=True), 5: Annotation(5, starred=True)}  # no paper 5
    with pytest.raises(IndexError):
        empty_library.import_papers_with_marks(list(EXTRA), USER, marks)
    assert empty_library.count() == 0
    assert empty_library.annotations(USER) == {}


def test_a_database_error_rolls_back_the_papers_too(
    empty_library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*args: object) -> None:
        raise LibraryError("disk full")

    monkeypatch.setattr(Library, "_upsert", fail)
    with pytest.raises(LibraryError):
        import_batch(empty_library, one_paper_export({"starred": True}), user=USER)
    assert empty_library.count() == 0
