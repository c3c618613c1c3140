"""Triage: one user's session over a library, without Textual.

What the library screen does to papers, as plain Python: the user's annotations as
last read (the cache the list draws from), the selection, the undo stack, star,
read, tags and notes, when a paper turns read by itself, which unsaved draft a note
editor takes up, and what another process changed in the file since the last look.

Writes go through ``submit`` (the screen passes its queue of writes, see
:mod:`reader.writes`; tests and the command line write at once), and what each
one did comes back through ``report`` as an :class:`Outcome`: the annotations
saved, papers removed or put back, and the message to show.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol, TypeVar

from reader.config import DEFAULT_READ_DELAY
from reader.models import Annotation, ListedPaper, NoteDraft, papers_label
from reader.store import (
    INBOX,
    Library,
    LibraryError,
    NoteConflict,
    NotRestored,
    PapersGone,
    Removed,
)
from reader.store.inbox import Mark
from reader.store.removal import Noted
from reader.text import one_line
from reader.writes import ATTEMPT_WAIT_MS

T = TypeVar("T")

# How many changes undo can take back.
UNDO_LEVELS = 100

Severity = Literal["information", "warning", "error"]


@dataclass(frozen=True, slots=True)
class Notice:
    """A message for the user (the screen shows it as a toast, as plain text)."""

    message: str
    title: str = ""
    severity: Severity = "information"
    timeout: float | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a write did, once it is saved (or failed): for the screen to show."""

    # Annotations saved (the cache holds them already): rows to draw again.
    marks: Mapping[int, Annotation] = field(default_factory=dict)
    notice: Notice | None = None
    # Papers taken out of the library, and papers put back in it.
    removed: frozenset[int] = frozenset()
    restored: tuple[int, ...] = ()
    # The inbox's mark moved (or was put back): what is new has changed.
    inbox: bool = False


@dataclass(frozen=True, slots=True)
class Change:
    """One undoable step: which fields of which papers it changed, and from what to what.

    Undo puts back only ``fields``, so it never takes away what happened since to
    the others (a star undone leaves the read state the read delay set meanwhile).
    """

    label: str
    fields: tuple[str, ...]
    before: list[Annotation]
    after: dict[int, Annotation]


@dataclass(frozen=True, slots=True)
class Removal:
    """Papers removed: undo puts them back, with everyone's marks and drafts."""

    label: str
    removed: Removed


@dataclass(frozen=True, slots=True)
class Looked:
    """The inbox marked done: undo puts the mark back where it was."""

    label: str
    view: str
    before: Mark | None


@dataclass(frozen=True, slots=True)
class OutsideChange:
    """What another process changed since the last look: this user's annotations
    (already in the cache), and whether papers came, went or changed."""

    marks: dict[int, Annotation]
    papers: bool
    # Whether another user's marks (or the lab's members) changed: the lab is read again.
    lab: bool = False


@dataclass(frozen=True, slots=True)
class Page:
    """The library as read: its first rows (all of them, unless ``remaining``)."""

    papers: list[ListedPaper]
    # How many papers the library holds when only the first ones were read, else None.
    remaining: int | None


@dataclass(frozen=True, slots=True)
class NoteStart:
    """What a note editor opens with: the text, the note it was begun over, and the
    unsaved draft it takes up (with when that was typed), if any."""

    text: str
    base: str
    draft: NoteDraft | None = None
    recovered: str | None = None
    # Something to tell first (the draft could not be read).
    notice: Notice | None = None


class Submit(Protocol):
    """Makes a write: ``done`` with its result, or ``failed`` (now or later)."""

    def __call__(
        self,
        label: str,
        write: Callable[[Library], T],
        done: Callable[[T], None],
        failed: Callable[[LibraryError], None],
    ) -> None: ...


class WriteNow:
    """A :class:`Submit` that writes at once, through ``library`` (tests, scripts)."""

    def __init__(self, library: Library) -> None:
        self.library = library

    def __call__(
        self,
        label: str,
        write: Callable[[Library], T],
        done: Callable[[T], None],
        failed: Callable[[LibraryError], None],
    ) -> None:
        try:
            result = write(self.library)
        except LibraryError as error:
            failed(error)
            return
        done(result)


def nothing(_: object) -> None:
    """Hears a write's result and has nothing to do with it."""


def changed_line(label: str, changed: int, asked: int) -> str:
    """What a change to several papers did, counting only those it changed (as its undo
    does): "Read: 151 papers (3 already were). z undoes."."""
    if not changed:
        return f"{label}: nothing to change (all {papers_label(asked)} already were)."
    already = f" ({asked - changed} already were)" if changed < asked else ""
    return f"{label}: {papers_label(changed)}{already}. z undoes."


def local_time(timestamp: str, now: datetime | None = None) -> str:
    """An ISO timestamp (UTC) as the local time, with the date unless it is today."""
    try:
        moment = datetime.fromisoformat(timestamp).astimezone()
    except ValueError:
        return timestamp
    today = (now or datetime.now()).astimezone().date()
    if moment.date() == today:
        return f"today {moment:%H:%M}"
    return f"{moment:%Y-%m-%d %H:%M}"


def note_start(mark: Annotation, draft: NoteDraft | None) -> NoteStart:
    """The draft policy: an unsaved draft that differs from the note is where the
    writing stopped (the app was killed, the terminal closed), taken up over the
    note it began from, so a note changed since is not overwritten without asking.
    A draft that says what the note says is no draft."""
    if draft is not None and draft.text != mark.note:
        return NoteStart(draft.text, draft.base, draft, local_time(draft.saved_at))
    return NoteStart(mark.note, mark.note)


def _one(mark: Annotation) -> dict[int, Annotation]:
    return {mark.paper_id: mark}


class Triage:
    """One user's triage of ``library``: see the module's docstring."""

    def __init__(
        self,
        library: Library,
        user: str,
        *,
        submit: Submit | None = None,
        report: Callable[[Outcome], None] = lambda outcome: None,
        clock: Callable[[], float] = time.monotonic,
        read_delay: float = DEFAULT_READ_DELAY,
    ) -> None:
        """``clock`` times the read delay (tests pass a fake one)."""
        self.library = library
        self.user = user
        self.submit: Submit = submit or WriteNow(library)
        self.report = report
        self.clock = clock
        self.read_delay = read_delay
        self.marks: dict[int, Annotation] = {}
        self.selected: set[int] = set()
        self.undo_stack: list[Change | Removal | Looked] = []
        self._reading: tuple[int, float] | None = None
        # The file as last read: what tells a change by another process.
        self._data_version = 0
        self._papers_version: str | None = None
        # The latest change among the marks read (see Library.annotations_since).
        self._marks_since: str | None = None
        # The other users' marks as last seen (see Library.lab_stamp).
        self._lab_stamp: tuple[object, ...] = ()

    # -- reading the library --------------------------------------------------

    def read(self, first_page: int | None = None) -> Page:
        """Read the papers (with ``first_page``, a larger library only that many) and
        this user's annotations. Raises LibraryError."""
        # Versions first: a change made while the rows are read is then seen again.
        data_version = self.library.data_version()
        papers_version = self.library.papers_version()
        total = None if first_page is None else self.library.count()
        partial = total is not None and first_page is not None and total > first_page
        papers = self.library.listing(limit=first_page if partial else None)
        marks = self.library.annotations(self.user)
        self._lab_stamp = self.library.lab_stamp(self.user)
        self._data_version, self._papers_version = data_version, papers_version
        self.marks = marks
        self._marks_since = max(
            (mark.updated_at for mark in marks.values() if mark.updated_at), default=None
        )
        return Page(papers, total if partial else None)

    def look_outside(self) -> OutsideChange | None:
        """What another process (another window, a ``reader fetch`` from cron) changed
        in the file since the last look; None when nothing did, or the file cannot be
        read now (looked at again later; actions say what is wrong)."""
        try:
            version = self.library.data_version()
            if version == self._data_version:
                return None  # the cost of a second that nothing happened in
            self._data_version = version
            papers = self.library.papers_version()
            marks, self._marks_since = self.library.annotations_since(self.user, self._marks_since)
            lab = self.library.lab_stamp(self.user)
        except LibraryError:
            return None
        changed = {i: mark for i, mark in marks.items() if self.marks.get(i) != mark}
        self.marks.update(changed)
        papers_changed = papers != self._papers_version
        self._papers_version = papers
        lab_changed = lab != self._lab_stamp
        self._lab_stamp = lab
        if not changed and not papers_changed and not lab_changed:
            return None
        return OutsideChange(changed, papers_changed, lab_changed)

    def read_marks(self, paper_ids: Sequence[int]) -> dict[int, Annotation]:
        """Read this user's marks of these papers again, into the cache (a write made
        elsewhere: the rules'); those that changed. Raises LibraryError."""
        marks = self.library.annotations_of(self.user, paper_ids)
        changed = {i: mark for i, mark in marks.items() if self.marks.get(i) != mark}
        self.marks.update(changed)
        return changed

    def restored_rows(self, paper_ids: Sequence[int]) -> tuple[list[int], list[ListedPaper]]:
        """The library's order and the rows of papers put back (their annotations go
        in the cache). Raises LibraryError."""
        order = self.library.order()
        listed = self.library.listed_by_id(paper_ids)
        self.marks.update(self.library.annotations_of(self.user, paper_ids))
        return order, listed

    # -- the selection ----------------------------------------------------------

    def toggle_selected(self, paper_id: int) -> None:
        self.selected ^= {paper_id}

    def clear_selection(self) -> bool:
        """Drop the selection; whether there was one."""
        had = bool(self.selected)
        self.selected.clear()
        return had

    def keep_selected(self, paper_ids: Iterable[int]) -> None:
        """Only papers in ``paper_ids`` stay selected (the rest went out of sight,
        or out of the library): an action never hits papers the user cannot see."""
        if self.selected:
            self.selected &= set(paper_ids)

    def selected_in(self, *orders: Sequence[int]) -> list[int]:
        """The selected papers in the first of ``orders`` that holds any of them."""
        for order in orders:
            found = [i for i in order if i in self.selected]
            if found:
                return found
        return []

    # -- changes ------------------------------------------------------------------

    def toggle_star(self, paper_ids: list[int]) -> None:
        """Star the papers, or unstar them when all are starred; one highlighted paper
        (no selection) is toggled as the file has it now."""
        if len(paper_ids) == 1 and not self.selected:
            only = paper_ids[0]
            self._change(
                "Star", "starred", paper_ids, lambda lib: _one(lib.toggle_star(self.user, only))
            )
            return
        star = not all(self.marks.get(i, Annotation(i)).starred for i in paper_ids)
        self._change(
            "Star" if star else "Unstar",
            "starred",
            paper_ids,
            lambda lib: lib.set_starred_many(self.user, paper_ids, star),
        )

    def star(self, paper_ids: list[int]) -> None:
        """Star the papers (those starred already stay so). Undoable."""
        self._change(
            "Star",
            "starred",
            paper_ids,
            lambda lib: lib.set_starred_many(self.user, paper_ids, True),
        )

    def toggle_dismissed(self, paper_ids: list[int]) -> None:
        """Mark the papers not interested, or interested again when all of them are
        marked so already. Undoable like a star."""
        dismiss = not all(self.marks.get(i, Annotation(i)).is_dismissed for i in paper_ids)
        self._change(
            "Not interested" if dismiss else "Interested again",
            "dismissed_at",
            paper_ids,
            lambda lib: lib.set_dismissed(self.user, paper_ids, dismiss),
        )

    def set_read(self, paper_ids: list[int], read: bool) -> None:
        """Mark the papers read (or unread)."""
        if not read:
            self.stop_reading()
        self._change(
            "Read" if read else "Unread",
            "read_at",
            paper_ids,
            lambda lib: lib.set_read(self.user, paper_ids, read),
        )

    def tag_start(self, paper_ids: Sequence[int]) -> tuple[tuple[str, ...], list[str]]:
        """What a tag editor starts from: the paper's tags (none for several papers),
        and every tag the user has. Raises LibraryError."""
        known = list(self.library.tag_counts(self.user))
        first = paper_ids[0]
        current = self.marks.get(first, Annotation(first)).tags if len(paper_ids) == 1 else ()
        return tuple(current), known

    def change_tags(self, paper_ids: list[int], add: Sequence[str], remove: Sequence[str]) -> None:
        """Add and remove tags on the papers."""
        if add or remove:
            self._change(
                "Tags",
                "tags",
                paper_ids,
                lambda lib: lib.change_tags(self.user, paper_ids, add=add, remove=remove),
            )

    def _change(
        self,
        label: str,
        field: str,
        paper_ids: list[int],
        write: Callable[[Library], Mapping[int, Annotation]],
    ) -> None:
        """Make one undoable change of one field, through the library ``write`` is
        given; reported once it is saved."""
        if not paper_ids:
            return
        user = self.user

        def run(library: Library) -> tuple[dict[int, Annotation], dict[int, Annotation]]:
            # Fresh from the file: what undo puts back must be what was really there.
            before = library.annotations_of(user, paper_ids)
            return before, dict(write(library))

        def done(result: tuple[dict[int, Annotation], dict[int, Annotation]]) -> None:
            before, after = result
            changed = [
                i for i in paper_ids if getattr(before[i], field) != getattr(after[i], field)
            ]
            if changed:
                self._push_undo(
                    Change(
                        label,
                        (field,),
                        [before[i] for i in changed],
                        {i: after[i] for i in changed},
                    )
                )
            self.marks.update(after)
            notice = None
            if len(paper_ids) > 1:
                notice = Notice(changed_line(label, len(changed), len(paper_ids)), timeout=3)
            self.report(Outcome(after, notice))

        self.submit(label, run, done, self._failed(label))

    def _failed(self, label: str) -> Callable[[LibraryError], None]:
        def failed(error: LibraryError) -> None:
            self.report(Outcome(notice=Notice(str(error), f"{label} not saved", "error")))

        return failed

    def _push_undo(self, change: Change | Removal | Looked) -> None:
        self.undo_stack.append(change)
        del self.undo_stack[:-UNDO_LEVELS]

    # -- undo -----------------------------------------------------------------------

    def undo(self, *, saving: bool = False) -> None:
        """Take back the last change (``saving``: writes still wait, and what waits is
        not on the undo stack yet, so undoing now would undo the one before)."""
        if saving:
            warn = Notice("Still saving; undo once it is saved.", severity="warning", timeout=2)
            self.report(Outcome(notice=warn))
            return
        if not self.undo_stack:
            self.report(Outcome(notice=Notice("Nothing to undo.", severity="warning", timeout=2)))
            return
        change = self.undo_stack.pop()
        if isinstance(change, Removal):
            self._undo_removal(change)
            return
        if isinstance(change, Looked):
            self._undo_looked(change)
            return
        user = self.user

        def run(library: Library) -> dict[int, Annotation]:
            return library.restore(user, change.before, change.fields, after=change.after)

        def done(restored: dict[int, Annotation]) -> None:
            self.marks.update(restored)
            said = f"Undone: {change.label.lower()} ({papers_label(len(change.before))})."
            self.report(Outcome(restored, Notice(said)))

        def failed(error: LibraryError) -> None:
            if isinstance(error, NoteConflict):
                kept = Annotation(change.before[0].paper_id, note=error.current)
                self.marks.update(_one(kept))
                why = "The note was changed since (in another window?); it is left as it is."
                self.report(Outcome(_one(kept), Notice(why, "Not undone", "warning")))
                return
            if isinstance(error, PapersGone):  # removed since: never undoable again
                self.report(Outcome(notice=Notice(str(error), "Not undone", "warning")))
                return
            self.undo_stack.append(change)
            self.report(Outcome(notice=Notice(str(error), "Undo failed", "error")))

        self.submit("Undo", run, done, failed)

    def _undo_looked(self, change: Looked) -> None:
        def done(_: None) -> None:
            self.report(Outcome(notice=Notice(f"Undone: {change.label.lower()}."), inbox=True))

        def failed(error: LibraryError) -> None:
            self.undo_stack.append(change)
            self.report(Outcome(notice=Notice(str(error), "Undo failed", "error")))

        user = self.user
        self.submit(
            "Undo",
            lambda lib: lib.set_looked(user, change.view, change.before),
            done,
            failed,
        )

    # -- the inbox ------------------------------------------------------------------

    def mark_inbox_done(self, new: int) -> None:
        """Every paper in the library now is seen: only papers that come in later are
        new (``new``: how many were, for the message). Undoable."""
        user = self.user

        def done(marks: tuple[Mark | None, Mark | None]) -> None:
            before, _ = marks
            self._push_undo(Looked("Inbox done", INBOX, before))
            said = f"Inbox done: {papers_label(new)} seen; what comes in next is new."
            self.report(Outcome(notice=Notice(said, timeout=3), inbox=True))

        self.submit("Inbox done", lambda lib: lib.mark_looked(user), done, self._failed("Inbox"))

    # -- triage mode's decisions ------------------------------------------------------

    def log_decision(self, paper_id: int, action: str, seconds: float) -> None:
        """Set down a decision made in triage mode, through the queue of writes (the
        stats screen's figures: a failure says so, the decision itself stands)."""
        user = self.user
        self.submit(
            "Triage decision",
            lambda lib: lib.log_decision(user, paper_id, action, seconds),
            nothing,
            self._failed("Triage decision"),
        )

    def forget_decision(self, paper_id: int) -> None:
        """Take back the last decision on ``paper_id`` (an undo in triage mode)."""
        user = self.user
        self.submit(
            "Triage decision undone",
            lambda lib: lib.forget_decision(user, paper_id),
            nothing,
            self._failed("Triage decision undone"),
        )

    def _undo_removal(self, change: Removal) -> None:
        removed = change.removed

        def done(_: None) -> None:
            said = Notice(f"Undone: {change.label.lower()}.")
            self.report(Outcome(notice=said, restored=tuple(removed.ids)))

        def failed(error: LibraryError) -> None:
            if isinstance(error, NotRestored):  # imported again since: never undoable
                self.report(Outcome(notice=Notice(str(error), "Not undone", "warning")))
                return
            self.undo_stack.append(change)
            self.report(Outcome(notice=Notice(str(error), "Undo failed", "error")))

        self.submit("Undo", lambda lib: lib.restore_papers(removed), done, failed)

    # -- removing papers --------------------------------------------------------------

    def remove(self, paper_ids: list[int], noted: Noted) -> None:
        """Remove papers from the library (undoable), as :func:`reader.removal.plan`
        planned."""

        def done(removed: Removed) -> None:
            if not removed.ids:
                warn = Notice("Those papers were removed already.", severity="warning", timeout=3)
                self.report(Outcome(notice=warn))
                return
            label = f"Removed {papers_label(len(removed.ids))}"
            self._push_undo(Removal(label, removed))
            gone = frozenset(removed.ids)
            self.selected -= gone
            kept = f" {papers_label(len(removed.kept))} with notes stay." if removed.kept else ""
            self.report(
                Outcome(notice=Notice(f"{label}.{kept} z undoes it.", timeout=5), removed=gone)
            )

        self.submit(
            "Remove",
            lambda lib: lib.remove_papers(paper_ids, noted=noted),
            done,
            self._failed("Remove"),
        )

    # -- reading ---------------------------------------------------------------------

    def start_reading(self, paper_id: int | None) -> float | None:
        """The user moved to ``paper_id``: how long until :meth:`check_reading` may
        mark it read (None: it never will, it is read already or the delay is off)."""
        self._reading = None
        delay = self.read_delay
        if paper_id is None or delay <= 0:
            return None
        if self.marks.get(paper_id, Annotation(paper_id)).is_read:
            return None
        self._reading = (paper_id, self.clock())
        return delay

    def stop_reading(self) -> None:
        self._reading = None

    def is_reading(self, paper_id: int | None) -> bool:
        """Whether ``paper_id`` is the paper waiting out the read delay."""
        return self._reading is not None and self._reading[0] == paper_id

    def check_reading(self, highlighted: int | None) -> None:
        """Mark the paper read if the user is still on it (``highlighted``) and it has
        stayed the read delay; nothing else ever turns a paper read by itself."""
        if self._reading is None:
            return
        paper_id, since = self._reading
        if highlighted != paper_id or self.clock() - since < self.read_delay:
            return
        self._reading = None

        def done(marks: dict[int, Annotation]) -> None:
            self.marks.update(marks)
            self.report(Outcome(marks))

        self.submit(
            "Read state",
            lambda lib: lib.set_read(self.user, [paper_id], True),
            done,
            self._failed("Read state"),
        )

    # -- notes ------------------------------------------------------------------

    def start_note(self, paper_id: int) -> NoteStart:
        """What the note editor opens with (see :func:`note_start`), the note fresh
        from the file (another window may have changed it) and in the cache. Raises
        LibraryError when the note cannot be read; a draft that cannot be read is
        only told. A draft that says what the note says is dropped."""
        mark = self.library.annotation(self.user, paper_id)
        self.marks[paper_id] = mark
        try:
            draft = self.library.draft(self.user, paper_id)
        except LibraryError as error:
            notice = Notice(str(error), "Cannot read the draft", "error")
            return NoteStart(mark.note, mark.note, notice=notice)
        start = note_start(mark, draft)
        if draft is not None and start.draft is None:
            with suppress(LibraryError):  # offered again next time: harmless
                self.drop_draft(paper_id, draft.text)
        return start

    def start_external_note(self, paper_id: int) -> NoteStart:
        """What ``$EDITOR`` opens with (see :func:`note_start`); a draft taken up is
        dropped once the note is saved. Raises LibraryError."""
        mark = self.library.annotation(self.user, paper_id)
        return note_start(mark, self.library.draft(self.user, paper_id))

    def save_note(self, paper_id: int, text: str, original: str) -> Outcome:
        """Save a note written over ``original`` (compare-and-set, undoable). Raises
        NoteConflict when it changed since, LibraryError when the file is busy a
        moment (the editor keeps the text to save again)."""
        before = self.library.annotation(self.user, paper_id)
        with self.library.waiting_at_most(ATTEMPT_WAIT_MS):
            saved = self.library.set_note(self.user, paper_id, text, expected=original)
        if saved.note != before.note:
            self._push_undo(Change("Note", ("note",), [before], {paper_id: saved}))
        self.marks[paper_id] = saved
        return Outcome(_one(saved), Notice("Note saved." if saved.has_note else "Note removed."))

    def keep_draft(self, paper_id: int, text: str, base: str) -> None:
        """Keep text typed over the note ``base``, not saved yet."""
        self.library.save_draft(self.user, paper_id, text, base)

    def drop_draft(self, paper_id: int, text: str | None = None) -> None:
        """Drop the draft (if it still holds ``text``)."""
        self.library.discard_draft(self.user, paper_id, text)

    def drafts_notice(self) -> Notice | None:
        """Which notes were left unsaved (the app was killed while one was typed)."""
        try:
            drafts = self.library.drafts(self.user)
            papers = self.library.papers_by_id([draft.paper_id for draft in drafts[:3]])
        except LibraryError:
            return None  # reading the library says what is wrong with the file
        if not drafts:
            return None
        titles = ", ".join(f"“{one_line(paper.title)}”" for paper in papers)
        more = f" and {len(drafts) - len(papers)} more" if len(drafts) > len(papers) else ""
        return Notice(
            f"{titles}{more}. Press n on the paper to take it up again.",
            "Unsaved notes kept" if len(drafts) > 1 else "An unsaved note was kept",
            timeout=10,
        )
