"""The library screen's keys for triage: star, read, tags, select, undo, and the
read timer. What each does is :class:`reader.triage.Triage`'s; this part picks the
papers, asks for tags, runs the timers and shows the outcome."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial

from textual import on

from reader.models import Annotation, papers_label
from reader.store import LibraryError
from reader.triage import Outcome
from reader.tui.dialogs.tag_editor import TagEdit, TagEditor
from reader.tui.screens.library_base import LibraryBase
from reader.tui.widgets.paper_list import PaperList

# How long the keys must pause before the detail pane follows the cursor (s).
DETAIL_DELAY = 0.04
# The same after a filter result: typing pauses longer between keys than a held j,
# and each abstract drawn on the way would cost the next key a frame.
TYPING_DELAY = 0.25


class TriagePart(LibraryBase):
    """Star, read, tags, selection, undo and the read timer, through the triage layer."""

    def _report(self, outcome: Outcome) -> None:
        """Show what a write did: its rows drawn again, the papers it took out or put
        back, and its message."""
        if outcome.marks:
            self._follow_dismissals(outcome.marks)
            self._remember_all(outcome.marks)
        if outcome.removed:
            self._drop_papers(outcome.removed)
        if outcome.restored:
            self._put_back(list(outcome.restored))
        if outcome.inbox:
            self._read_new()
            self._refilter()
            self._update_title()
        if outcome.notice is not None:
            self._say(outcome.notice)

    def action_inbox_done(self) -> None:
        self.triage.mark_inbox_done(self._new_count())

    def action_toggle_dismissed(self) -> None:
        self.triage.toggle_dismissed(self._targets())

    def _follow_dismissals(self, marks: Mapping[int, Annotation]) -> None:
        """Papers just marked not interested leave the list (the cursor goes on to
        the next); ones marked interested again (an undo) come back, the cursor on
        them. Under a query that names is:dismissed, rows stay where they are."""
        if self._query.asks_dismissed:
            return
        papers = self.query_one(PaperList)
        shown = set(papers.paper_ids)
        gone = {i for i, mark in marks.items() if mark.is_dismissed and i in shown}
        back = [
            i for i, mark in marks.items() if not mark.is_dismissed and i in self._dismissed_here
        ]
        if gone:
            self._dismissed_here |= gone
            self._cursor_past(gone)
            self._show(self._query, [i for i in self._matches if i not in gone])
        if back:
            self._dismissed_here -= set(back)
            self._cursor_to = back[0]
            self._refilter()

    def action_toggle_star(self) -> None:
        self.triage.toggle_star(self._targets())
        if self._learning() and not self._selected:
            # In the "help it learn" list each key is one decision: on to the next.
            self.query_one(PaperList).action_cursor_down()

    def action_mark_read(self) -> None:
        self.triage.set_read(self._targets(), True)

    def action_mark_unread(self) -> None:
        ids = self._targets()
        self._stop_reading()
        self.triage.set_read(ids, False)

    def action_mark_all_read(self) -> None:
        self.triage.set_read(list(self.query_one(PaperList).paper_ids), True)

    def action_toggle_selected(self) -> None:
        papers = self.query_one(PaperList)
        paper_id = papers.highlighted
        if paper_id is None:
            return
        self.triage.toggle_selected(paper_id)
        self._redraw_marks()
        papers.action_cursor_down()

    def action_undo(self) -> None:
        self.triage.undo(saving=self._writes.pending > 0)

    def action_edit_tags(self) -> None:
        ids = self._targets()
        if not ids:
            return
        try:
            current, known = self.triage.tag_start(ids)
        except LibraryError as error:
            self.notify(str(error), title="Tags", severity="error", markup=False)
            return

        def apply(entered: TagEdit | None) -> None:
            if entered is not None:
                add, remove = entered.changes(current)
                self.triage.change_tags(ids, add, remove)

        title = self._title_of(ids[0]) if len(ids) == 1 else papers_label(len(ids))
        self.app.push_screen(TagEditor(title, current, known, bulk=len(ids) > 1), apply)

    # -- the highlighted paper, and reading it ------------------------------------

    @on(PaperList.Highlighted)
    def _highlighted(self, event: PaperList.Highlighted) -> None:
        self._cancel_pending_g()  # g then j: the g meant nothing for the next paper
        if event.by_user:
            self._start_reading(event.paper_id)
        elif not self.triage.is_reading(event.paper_id):
            # New rows put another paper here (a filter, a view, a reload, start-up):
            # the user has not gone to it, so it does not turn read by itself.
            self._stop_reading()
        # The list moves at once; the detail pane (a new layout each time, the
        # dearer half of a move) follows once the keys pause: holding j scrolls at
        # the key repeat rate instead of redrawing every abstract on the way.
        delay = DETAIL_DELAY
        if self._detail_waits_for_typing and not event.by_user:
            delay = TYPING_DELAY
        self._detail_waits_for_typing = False
        if self._detail_timer is not None:
            self._detail_timer.stop()
        self._detail_timer = self.set_timer(
            delay, partial(self._show_detail, event.paper_id), name="detail"
        )

    def _cancel_pending_g(self) -> None:
        if self._pending_g is not None:
            self._pending_g.stop()
            self._pending_g = None

    def _start_reading(self, paper_id: int | None) -> None:
        """Mark ``paper_id`` read once it has stayed highlighted for the read delay."""
        self._stop_reading()
        delay = self.triage.start_reading(paper_id)
        if delay is not None:
            self._read_timer = self.set_timer(delay, self.check_reading)

    def _stop_reading(self) -> None:
        self.triage.stop_reading()
        if self._read_timer is not None:
            self._read_timer.stop()
            self._read_timer = None

    def check_reading(self) -> None:
        """The read delay is up (or a test says so): mark the paper read if still here."""
        self.triage.check_reading(self.query_one(PaperList).highlighted)
