"""The triage layer without Textual: star, read, tags, notes, undo, the selection,
drafts, outside changes and the read policy, on a real library file."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import pytest

from reader.models import Annotation, NoteDraft, Paper
from reader.store import Library, LibraryError, open_library
from reader.triage import (
    UNDO_LEVELS,
    Change,
    Notice,
    Outcome,
    Removal,
    Triage,
    WriteNow,
    changed_line,
    local_time,
    note_start,
)
from tests.support.store import stored

T = TypeVar("T")
USER = "ana"


class FakeClock:
    """A clock the test moves by hand: nothing here ever sleeps."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Session:
    """A triage session that records every outcome it reports."""

    def __init__(self, library: Library, **kwargs: object) -> None:
        self.outcomes: list[Outcome] = []
        self.clock = FakeClock()
        self.triage = Triage(
            library,
            USER,
            report=self.outcomes.append,
            clock=self.clock,
            **kwargs,  # type: ignore[arg-type]
        )
        self.triage.read()

    @property
    def last(self) -> Outcome:
        return self.outcomes[-1]

    def said(self) -> list[str]:
        return [o.notice.message for o in self.outcomes if o.notice is not None]


@pytest.fixture
def session(library: Library) -> Session:
    return Session(library)


@pytest.fixture
def ids(library: Library) -> list[int]:
    return [paper.id for paper in library.listing()[:4]]


@pytest.fixture
def other(library: Library) -> Iterator[Library]:
    """A second connection to the same file: another window, another process."""
    assert library.path is not None
    lib = open_library(library.path, create=False)
    yield lib
    lib.close()


# -- star ---------------------------------------------------------------------------


def test_star_one_paper_then_unstar_it(session: Session, library: Library, ids: list[int]) -> None:
    session.triage.toggle_star(ids[:1])
    assert library.annotation(USER, ids[0]).starred
    assert session.triage.marks[ids[0]].starred
    assert session.last.marks[ids[0]].starred and session.last.notice is None
    session.triage.toggle_star(ids[:1])
    assert not library.annotation(USER, ids[0]).starred
    assert not session.triage.marks[ids[0]].starred
    assert [c.label for c in session.triage.undo_stack] == ["Star", "Star"]


def test_star_one_toggles_what_the_file_holds_not_the_cache(
    session: Session, library: Library, other: Library, ids: list[int]
) -> None:
    other.toggle_star(USER, ids[0])  # starred in another window, not seen yet
    session.triage.toggle_star(ids[:1])
    assert not library.annotation(USER, ids[0]).starred


def test_star_a_selection_stars_all_unless_all_are_starred(
    session: Session, library: Library, ids: list[int]
) -> None:
    session.triage.toggle_star(ids[:1])
    for paper_id in ids[:3]:
        session.triage.toggle_selected(paper_id)
    session.triage.toggle_star(ids[:3])
    assert all(library.annotation(USER, i).starred for i in ids[:3])
    assert session.last.notice == Notice("Star: 2 papers (1 already were). z undoes.", timeout=3)
    session.triage.toggle_star(ids[:3])
    assert not any(library.annotation(USER, i).starred for i in ids[:3])
    assert session.said()[-1] == "Unstar: 3 papers. z undoes."


# -- read ---------------------------------------------------------------------------


def test_read_and_unread(session: Session, library: Library, ids: list[int]) -> None:
    session.triage.set_read(ids[:1], True)
    assert library.annotation(USER, ids[0]).is_read
    assert session.triage.marks[ids[0]].is_read
    session.triage.set_read(ids[:1], False)
    assert not library.annotation(USER, ids[0]).is_read
    assert [c.label for c in session.triage.undo_stack] == ["Read", "Unread"]


def test_mark_all_read_counts_those_that_already_were(
    session: Session, library: Library, ids: list[int]
) -> None:
    session.triage.set_read(ids[:1], True)
    session.triage.set_read(ids, True)
    assert session.said()[-1] == "Read: 3 papers (1 already were). z undoes."
    change = session.triage.undo_stack[-1]
    assert isinstance(change, Change)
    # Undo takes back only what this step changed: the first stays read.
    assert sorted(mark.paper_id for mark in change.before) == sorted(ids[1:])
    session.triage.undo()
    assert library.annotation(USER, ids[0]).is_read
    assert not any(library.annotation(USER, i).is_read for i in ids[1:])
    assert session.said()[-1] == "Undone: read (3 papers)."


def test_mark_all_read_when_all_were_changes_nothing_undoable(
    session: Session, ids: list[int]
) -> None:
    session.triage.set_read(ids, True)
    depth = len(session.triage.undo_stack)
    session.triage.set_read(ids, True)
    assert session.said()[-1] == "Read: nothing to change (all 4 papers already were)."
    assert len(session.triage.undo_stack) == depth


def test_nothing_to_act_on_writes_nothing(session: Session) -> None:
    session.triage.set_read([], True)
    session.triage.toggle_star([])
    assert session.outcomes == [] and session.triage.undo_stack == []


def test_a_write_that_fails_says_so_and_is_not_undoable(library: Library, ids: list[int]) -> None:
    def refuse(
        label: str,
        write: Callable[[Library], T],
        done: Callable[[T], None],
        failed: Callable[[LibraryError], None],
    ) -> None:
        failed(LibraryError("the library is read-only"))

    session = Session(library, submit=refuse)
    session.triage.toggle_star(ids[:1])
    assert session.last.notice == Notice("the library is read-only", "Star not saved", "error")
    assert session.triage.undo_stack == []


# -- tags ---------------------------------------------------------------------------


def test_tags_added_and_removed_on_a_selection(
    session: Session, library: Library, ids: list[int]
) -> None:
    selection = ids[:2]
    session.triage.change_tags(selection, ["to-read", "ml"], [])
    assert all(set(library.annotation(USER, i).tags) == {"to-read", "ml"} for i in selection)
    current, known = session.triage.tag_start(selection)
    assert current == () and set(known) == {"to-read", "ml"}
    assert session.triage.tag_start(selection[:1])[0] == session.triage.marks[ids[0]].tags
    session.triage.change_tags(selection, [], ["ml"])
    assert all(library.annotation(USER, i).tags == ("to-read",) for i in selection)
    session.triage.undo()
    assert all(set(library.annotation(USER, i).tags) == {"to-read", "ml"} for i in selection)
    assert session.said()[-1] == "Undone: tags (2 papers)."


def test_no_tag_change_writes_nothing(session: Session, ids: list[int]) -> None:
    session.triage.change_tags(ids[:2], [], [])
    assert session.outcomes == []


# -- notes --------------------------------------------------------------------------


def test_a_note_saved_is_undoable(session: Session, library: Library, ids: list[int]) -> None:
    paper_id = ids[0]
    library.set_note(USER, paper_id, "first thoughts")
    saved = session.triage.save_note(paper_id, "second thoughts", "first thoughts")
    assert saved.notice == Notice("Note saved.")
    assert session.triage.marks[paper_id].note == "second thoughts"
    removed = session.triage.save_note(paper_id, "", "second thoughts")
    assert removed.notice == Notice("Note removed.")
    session.triage.undo()
    assert library.annotation(USER, paper_id).note == "second thoughts"
    session.triage.undo()
    assert library.annotation(USER, paper_id).note == "first thoughts"


def test_a_note_changed_since_is_not_overwritten(
    session: Session, library: Library, other: Library, ids: list[int]
) -> None:
    from reader.store import NoteConflict

    other.set_note(USER, ids[0], "other window")
    with pytest.raises(NoteConflict):
        session.triage.save_note(ids[0], "mine", "")
    assert library.annotation(USER, ids[0]).note == "other window"
    assert session.triage.undo_stack == []


def test_undo_never_overwrites_a_note_written_elsewhere_since(
    session: Session, library: Library, other: Library, ids: list[int]
) -> None:
    session.triage.save_note(ids[0], "mine", "")
    other.set_note(USER, ids[0], "from the other window")
    session.triage.undo()
    assert library.annotation(USER, ids[0]).note == "from the other window"
    assert session.last.notice is not None and session.last.notice.title == "Not undone"
    assert "changed since" in session.last.notice.message
    assert session.triage.marks[ids[0]].note == "from the other window"
    assert session.last.marks[ids[0]].note == "from the other window"  # shown as it is
    assert session.triage.undo_stack == []


# -- undo ---------------------------------------------------------------------------


def test_undo_of_a_star_keeps_the_read_state_set_since(
    session: Session, library: Library, ids: list[int]
) -> None:
    session.triage.toggle_star(ids[:1])
    session.triage.set_read(ids[:1], True)
    session.triage.undo_stack.pop()  # the read step: the star is left to undo
    session.triage.undo()
    mark = library.annotation(USER, ids[0])
    assert not mark.starred and mark.is_read
    assert session.last.marks[ids[0]] == mark


def test_undo_with_nothing_or_while_saving(session: Session, ids: list[int]) -> None:
    session.triage.undo()
    assert session.last.notice == Notice("Nothing to undo.", severity="warning", timeout=2)
    session.triage.toggle_star(ids[:1])
    session.triage.undo(saving=True)
    assert session.last.notice is not None and "Still saving" in session.last.notice.message
    assert len(session.triage.undo_stack) == 1


def test_an_undo_that_fails_stays_on_the_stack(library: Library, ids: list[int]) -> None:
    writes = WriteNow(library)
    busy = {"Undo"}

    def submit(
        label: str,
        write: Callable[[Library], T],
        done: Callable[[T], None],
        failed: Callable[[LibraryError], None],
    ) -> None:
        if label in busy:
            failed(LibraryError("database is locked"))
        else:
            writes(label, write, done, failed)

    session = Session(library, submit=submit)
    session.triage.toggle_star(ids[:1])
    session.triage.undo()
    assert session.last.notice == Notice("database is locked", "Undo failed", "error")
    assert len(session.triage.undo_stack) == 1
    busy.clear()
    session.triage.undo()
    assert not library.annotation(USER, ids[0]).starred


def test_undo_keeps_at_most_its_levels(session: Session, ids: list[int]) -> None:
    for _ in range(UNDO_LEVELS + 5):
        session.triage.toggle_star(ids[:1])
    assert len(session.triage.undo_stack) == UNDO_LEVELS


# -- removal ------------------------------------------------------------------------


def test_removal_drops_the_papers_from_the_selection_and_undo_puts_them_back(
    session: Session, library: Library, ids: list[int]
) -> None:
    library.toggle_star("bo", ids[0])
    for paper_id in ids[:3]:
        session.triage.toggle_selected(paper_id)
    session.triage.remove(ids[:2], "remove")
    assert session.last.removed == frozenset(ids[:2])
    assert session.triage.selected == {ids[2]}
    assert isinstance(session.triage.undo_stack[-1], Removal)
    assert session.said()[-1] == "Removed 2 papers. z undoes it."
    assert library.paper(ids[0]) is None
    session.triage.remove(ids[:2], "remove")
    assert session.said()[-1] == "Those papers were removed already."
    session.triage.undo()
    assert session.last.restored == tuple(ids[:2])
    assert session.said()[-1] == "Undone: removed 2 papers."
    assert library.paper(ids[0]) is not None
    assert library.annotation("bo", ids[0]).starred  # everyone's marks come back


def test_undo_of_a_star_on_a_paper_removed_since_is_dropped(
    session: Session, other: Library, ids: list[int]
) -> None:
    session.triage.toggle_star(ids[:1])
    other.remove_papers(ids[:1], noted="remove")
    session.triage.undo()
    assert session.last.notice is not None and session.last.notice.title == "Not undone"
    assert session.triage.undo_stack == []


def test_restored_rows_bring_their_annotations(
    session: Session, library: Library, ids: list[int]
) -> None:
    session.triage.toggle_star(ids[:1])
    session.triage.remove(ids[:1], "remove")
    del session.triage.marks[ids[0]]
    session.triage.undo()
    order, rows = session.triage.restored_rows(ids[:1])
    assert [row.id for row in rows] == ids[:1] and ids[0] in order
    assert session.triage.marks[ids[0]].starred


# -- the selection ------------------------------------------------------------------


def test_the_selection_keeps_only_papers_in_sight(session: Session, ids: list[int]) -> None:
    triage = session.triage
    for paper_id in ids:
        triage.toggle_selected(paper_id)
    triage.toggle_selected(ids[3])
    assert triage.selected == set(ids[:3])
    triage.keep_selected([ids[2], ids[0]])
    assert triage.selected == {ids[0], ids[2]}
    # In the order shown, else in the library's.
    assert triage.selected_in([ids[2], ids[1], ids[0]], ids) == [ids[2], ids[0]]
    assert triage.selected_in([], ids) == [ids[0], ids[2]]
    assert triage.clear_selection() and not triage.clear_selection()


# -- drafts -------------------------------------------------------------------------


def test_an_unsaved_draft_is_taken_up_over_the_note_it_began_from(
    session: Session, library: Library, ids: list[int]
) -> None:
    library.set_note(USER, ids[0], "the note")
    library.save_draft(USER, ids[0], "the note, and more", "the note")
    start = session.triage.start_note(ids[0])
    assert (start.text, start.base) == ("the note, and more", "the note")
    assert start.draft is not None and start.recovered is not None
    assert session.triage.marks[ids[0]].note == "the note"
    assert library.draft(USER, ids[0]) is not None  # kept until saved or dropped


def test_a_draft_that_says_what_the_note_says_is_dropped(
    session: Session, library: Library, ids: list[int]
) -> None:
    library.set_note(USER, ids[0], "same")
    library.save_draft(USER, ids[0], "same", "")
    start = session.triage.start_note(ids[0])
    assert (start.text, start.base, start.draft) == ("same", "same", None)
    assert library.draft(USER, ids[0]) is None


def test_the_external_editor_takes_up_a_draft_and_keeps_it(
    session: Session, library: Library, ids: list[int]
) -> None:
    library.save_draft(USER, ids[0], "typed", "")
    start = session.triage.start_external_note(ids[0])
    assert (start.text, start.base) == ("typed", "")
    session.triage.drop_draft(ids[0], "typed")
    assert library.draft(USER, ids[0]) is None


def test_the_draft_policy() -> None:
    mark = Annotation(1, note="note")
    saved_at = datetime(2026, 1, 2, 3, 4, tzinfo=UTC).isoformat()
    recovered = note_start(mark, NoteDraft(1, "draft", "base", saved_at))
    assert (recovered.text, recovered.base, recovered.recovered) == (
        "draft",
        "base",
        "2026-01-02 03:04",
    )
    assert note_start(mark, NoteDraft(1, "note", "", saved_at)).draft is None
    assert note_start(mark, None) == note_start(mark, None)
    assert note_start(mark, None).text == "note"


def test_unsaved_drafts_are_mentioned(session: Session, library: Library, ids: list[int]) -> None:
    assert session.triage.drafts_notice() is None
    library.save_draft(USER, ids[0], "one", "")
    notice = session.triage.drafts_notice()
    assert notice is not None and notice.title == "An unsaved note was kept"
    assert stored(library, ids[0]).title in notice.message
    for paper_id in ids[1:]:
        library.save_draft(USER, paper_id, "more", "")
    notice = session.triage.drafts_notice()
    assert notice is not None and notice.title == "Unsaved notes kept"
    assert "and 1 more." in notice.message


def test_local_time_says_today_or_the_date() -> None:
    now = datetime(2026, 5, 6, 12, 0, tzinfo=UTC)
    assert local_time((now - timedelta(hours=1)).isoformat(), now) == "today 11:00"
    assert local_time((now - timedelta(days=2)).isoformat(), now) == "2026-05-04 12:00"
    assert local_time("not a time", now) == "not a time"


# -- outside changes ----------------------------------------------------------------


def test_outside_changes_are_what_changed_since_the_last_look(
    session: Session, other: Library, ids: list[int]
) -> None:
    triage = session.triage
    assert triage.look_outside() is None
    other.toggle_star(USER, ids[0])
    other.toggle_star("bo", ids[1])  # another user's: not this session's business
    change = triage.look_outside()
    assert change is not None and not change.papers
    assert set(change.marks) == {ids[0]} and change.marks[ids[0]].starred
    assert triage.marks[ids[0]].starred
    assert triage.look_outside() is None  # seen once
    other.import_papers([Paper(title="A new paper from cron", arxiv_id="2501.00001")])
    change = triage.look_outside()
    assert change is not None and change.papers and change.marks == {}


def test_own_writes_are_no_outside_change(session: Session, ids: list[int]) -> None:
    session.triage.toggle_star(ids[:1])
    assert session.triage.look_outside() is None


def test_a_first_page_says_how_many_papers_remain(library: Library) -> None:
    triage = Triage(library, USER)
    total = library.count()
    page = triage.read(first_page=5)
    assert len(page.papers) == 5 and page.remaining == total
    whole = triage.read(first_page=total)
    assert len(whole.papers) == total and whole.remaining is None


# -- the read policy ----------------------------------------------------------------


def test_a_paper_turns_read_only_after_the_delay_on_it(
    session: Session, library: Library, ids: list[int]
) -> None:
    triage, clock = session.triage, session.clock
    assert triage.start_reading(ids[1]) == 2.0
    clock.now += 1.0
    triage.check_reading(ids[1])
    assert not library.annotation(USER, ids[1]).is_read
    clock.now += 1.5
    triage.check_reading(ids[1])
    assert library.annotation(USER, ids[1]).is_read
    assert session.last.marks[ids[1]].is_read and session.last.notice is None
    assert triage.undo_stack == []  # the delay's read is no step to undo
    # Moving on before the delay is up leaves a paper unread.
    triage.start_reading(ids[2])
    clock.now += 1.0
    triage.start_reading(ids[3])
    clock.now += 5.0
    triage.check_reading(ids[3])
    triage.check_reading(ids[2])
    assert not library.annotation(USER, ids[2]).is_read


def test_only_the_paper_the_user_went_to_turns_read(
    session: Session, library: Library, ids: list[int]
) -> None:
    triage, clock = session.triage, session.clock
    triage.start_reading(ids[0])
    clock.now += 10
    triage.check_reading(ids[1])  # the cursor is elsewhere now (a filter put it there)
    assert library.annotations(USER) == {}
    assert triage.is_reading(ids[0])
    triage.stop_reading()
    triage.check_reading(ids[0])
    assert library.annotations(USER) == {}


def test_no_read_timer_for_a_read_paper_or_a_zero_delay(library: Library, ids: list[int]) -> None:
    session = Session(library)
    session.triage.set_read(ids[:1], True)
    assert session.triage.start_reading(ids[0]) is None
    assert session.triage.start_reading(None) is None
    off = Session(library, read_delay=0)
    assert off.triage.start_reading(ids[1]) is None
    off.clock.now += 100
    off.triage.check_reading(ids[1])
    assert not library.annotation(USER, ids[1]).is_read


def test_unread_stops_the_read_timer(session: Session, library: Library, ids: list[int]) -> None:
    session.triage.start_reading(ids[0])
    session.triage.set_read(ids[:1], False)
    session.clock.now += 10
    session.triage.check_reading(ids[0])
    assert not library.annotation(USER, ids[0]).is_read


def test_changed_line() -> None:
    assert changed_line("Read", 3, 3) == "Read: 3 papers. z undoes."
    assert changed_line("Read", 1, 3) == "Read: 1 paper (2 already were). z undoes."
    assert changed_line("Star", 0, 2) == "Star: nothing to change (all 2 papers already were)."


def test_a_look_when_nothing_changed_reads_only_the_files_version(
    session: Session, library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every second, for as long as the app runs: it must cost next to nothing."""
    reads: list[str] = []
    for name in ("papers_version", "annotations_since"):
        original = getattr(library, name)

        def counted(*args: object, _name: str = name, _original: object = original) -> object:
            reads.append(_name)
            return _original(*args)  # type: ignore[operator]

        monkeypatch.setattr(library, name, counted)
    assert session.triage.look_outside() is None
    assert reads == []
