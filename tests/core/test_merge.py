"""The pure merge of an import (reader.store.merge), on plain values: no library,
no SQL. Which row each incoming paper meets, what the merged paper is, and what
imported marks add to a user's own."""

from __future__ import annotations

from dataclasses import replace

from reader.models import Annotation, ImportResult, Paper
from reader.store.merge import (
    Known,
    MarksResult,
    match_papers,
    merge_imported_marks,
    merge_marks,
    merge_paper,
    sum_counts,
)

READ = "2026-01-05T10:00:00+00:00"
LATER = "2026-02-01T10:00:00+00:00"


def as_stored(row_id: int, paper: Paper) -> Paper:
    """What the library reads back: the row id set, lists as tuples."""
    return replace(paper, id=row_id, authors=tuple(paper.authors))


def known_rows(*rows: tuple[int, Paper]) -> Known:
    known = Known(as_stored)
    for row_id, paper in rows:
        known.add(row_id, replace(paper, id=row_id), paper.title_key, written=False)
    return known


def match(
    known: Known, papers: list[Paper], first_new: int = 100
) -> tuple[ImportResult, list[int]]:
    matched = match_papers(known, papers, [paper.title_key for paper in papers], first_new)
    return matched.result, matched.ids


# -- papers ------------------------------------------------------------------------


def test_a_paper_twice_in_one_file_is_one_new_row_with_both_merged() -> None:
    known = Known(as_stored)
    first = Paper("Grokking at the edge", "2401.00001", upvotes=3)
    again = Paper("Grokking at the edge", "2401.00001", upvotes=9, github_url="https://x.y/z")
    matched = match_papers(known, [first, again], [first.title_key] * 2, 100)
    assert matched.ids == [100, 100]
    assert matched.result == ImportResult(added=1, updated=1)
    assert matched.added == range(100, 101) and matched.changed == []
    stored, _key = known.stored(100)
    assert (stored.upvotes, stored.github_url, stored.id) == (9, "https://x.y/z", 100)


def test_the_second_copy_by_title_brings_the_arxiv_id_to_the_first() -> None:
    known = Known(as_stored)
    papers = [Paper("Sparse attention"), Paper("Sparse Attention", "2402.00002")]
    result, ids = match(known, papers)
    assert ids == [100, 100] and result == ImportResult(added=1, updated=1)
    assert known.stored(100)[0].arxiv_id == "2402.00002"
    # Once it has an id, a third copy finds the row by it, whatever its title.
    result, ids = match(known, [Paper("Another title", "2402.00002")], first_new=101)
    assert ids == [100] and result.added == 0


def test_a_known_row_is_met_by_arxiv_id_before_title() -> None:
    by_id = Paper("Old title", "2401.00007")
    by_title = Paper("Diffusion models")
    known = known_rows((3, by_id), (5, by_title))
    result, ids = match(known, [Paper("Diffusion models", "2401.00007", upvotes=4)])
    assert ids == [3] and result == ImportResult(updated=1)


def test_a_paper_without_an_id_meets_the_titled_row_without_one_first() -> None:
    with_id = Paper("Flow matching", "2401.00003")
    without = Paper("Flow matching")
    known = known_rows((3, with_id), (5, without))
    _result, ids = match(known, [Paper("Flow matching", upvotes=2)])
    assert ids == [5]
    # A paper with another arXiv id never meets a row that has one.
    result, ids = match(known, [Paper("Flow matching", "2409.99999")])
    assert ids == [5] and result.updated == 1


def test_rows_the_library_held_are_listed_as_changed_new_rows_are_not() -> None:
    known = known_rows((3, Paper("Kept", "2401.00003", upvotes=1)))
    papers = [
        Paper("Kept", "2401.00003", upvotes=2),
        Paper("New", "2401.00004"),
        Paper("New", "2401.00004", upvotes=5),
        Paper("Kept", "2401.00003", upvotes=2),
    ]
    matched = match_papers(known, papers, [p.title_key for p in papers], 10)
    assert matched.ids == [3, 10, 10, 3]
    assert matched.changed == [3] and matched.added == range(10, 11)
    assert matched.result == ImportResult(added=1, updated=2, unchanged=1)


def test_an_empty_field_never_erases_a_known_one() -> None:
    existing = Paper("Title", "2401.00001", abstract="Known words", authors=("Ana",), id=1)
    merged = merge_paper(existing, Paper("Title", "2401.00001", abstract="", authors=()))
    assert merged is existing


def test_an_older_revision_only_fills_gaps() -> None:
    existing = Paper("New title", "2401.00001", arxiv_version=3, id=1)
    older = Paper("Old title", "2401.00001", arxiv_version=1, abstract="Filled", upvotes=7)
    merged = merge_paper(existing, older)
    assert (merged.title, merged.arxiv_version) == ("New title", 3)
    assert (merged.abstract, merged.upvotes) == ("Filled", 7)
    newer = merge_paper(existing, replace(older, title="Newer title", arxiv_version=4))
    assert (newer.title, newer.arxiv_version) == ("Newer title", 4)


def test_a_date_never_loses_precision() -> None:
    existing = Paper("T", published="2024-09-17", id=1)
    assert merge_paper(existing, Paper("T", published="2024")).published == "2024-09-17"
    assert merge_paper(Paper("T", published="2024", id=1), existing).published == "2024-09-17"


# -- marks -------------------------------------------------------------------------


def test_marks_merge_without_losing_anything() -> None:
    mine = Annotation(7, starred=False, note="", read_at=READ, tags=("survey",))
    theirs = Annotation(7, starred=True, note="Read again", read_at=LATER, tags=("x", "survey"))
    merged, conflict = merge_marks(mine, theirs)
    assert merged == Annotation(7, True, "Read again", None, READ, ("survey", "x"))
    assert not conflict


def test_two_different_notes_keep_the_library_s_and_count_a_conflict() -> None:
    mine = Annotation(7, note="my note")
    merged, conflict = merge_marks(mine, Annotation(7, note="their note"))
    assert merged.note == "my note" and conflict
    same, conflict = merge_marks(mine, Annotation(7, note="my note"))
    assert same == mine and not conflict
    # A blank note is no note: it neither conflicts nor replaces.
    blank, conflict = merge_marks(Annotation(7, note="  \n"), Annotation(7, note="theirs"))
    assert blank.note == "theirs" and not conflict
    kept, conflict = merge_marks(mine, Annotation(7, note="   "))
    assert kept.note == "my note" and not conflict


def test_marks_of_a_paper_twice_in_a_file_merge_one_after_the_other() -> None:
    current = {7: Annotation(7)}
    marks = [
        (0, Annotation(0, starred=True)),
        (1, Annotation(0, tags=("b", "a"))),
        (2, Annotation(0, starred=True, tags=("a",))),
    ]
    changes, result = merge_imported_marks(current, marks, [7, 7, 7])
    starred = Annotation(7, starred=True)
    tagged = Annotation(7, starred=True, tags=("b", "a"))
    # The second merges into what the first left; the third brings nothing new.
    assert changes == [(Annotation(7), starred), (starred, tagged)]
    assert result == MarksResult(restored=1, merged=1, unchanged=1, conflicts=0)
    assert current[7] == tagged


def test_a_conflicting_note_changes_nothing_and_is_counted() -> None:
    current = {7: Annotation(7, note="mine"), 8: Annotation(8)}
    marks = [(0, Annotation(0, note="theirs")), (1, Annotation(0, note="new"))]
    changes, result = merge_imported_marks(current, marks, [7, 8])
    assert changes == [(Annotation(8), Annotation(8, note="new"))]
    assert result == MarksResult(restored=1, merged=0, unchanged=1, conflicts=1)
    assert current[7].note == "mine"


def test_the_counts_of_two_chunks_add_up() -> None:
    one = ImportResult(added=2, updated=1, unchanged=0, skipped=1)
    other = ImportResult(added=3, updated=0, unchanged=4, skipped=0)
    assert sum_counts(one, other) == ImportResult(added=5, updated=1, unchanged=4, skipped=1)
    marks = sum_counts(MarksResult(1, 2, 3, 4), MarksResult(10, 20, 30, 40))
    assert marks == MarksResult(11, 22, 33, 44)
