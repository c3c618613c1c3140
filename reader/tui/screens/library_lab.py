"""The library screen's lab: in a library shared by several users, who else starred
each paper (a column in the list, ``starred-by:`` and ``lab:`` in the filter), and
in the detail pane their stars, tags and the notes they shared; ``N`` shares the
user's own note, or stops. What a user may see of the others is the store's to
decide (:mod:`reader.store.lab`): a user who keeps their marks private is never
shown, and a note never shared is never read."""

from __future__ import annotations

from rich.text import Text

from reader.lab import Lab
from reader.limits import cut
from reader.store import LibraryError
from reader.store.lab import LabMark
from reader.text import one_line, strip_controls
from reader.triage import nothing
from reader.tui.screens.library_base import LibraryBase
from reader.tui.widgets.paper_detail import PaperDetail
from reader.tui.widgets.paper_list import PaperList

# A shared note in the detail pane: its first characters (the author has the rest).
SHARED_NOTE_CHARS = 600


class LabPart(LibraryBase):
    """Keeps who else starred what, and shows it."""

    def _join_lab(self) -> None:
        """Set the user down as one of the lab, private or not, as the config says:
        through the queue of writes, so a busy library never holds the screen."""
        user, private = self.user, self._settings.private
        self._write("Lab privacy", lambda lib: lib.join_lab(user, private=private), nothing)

    def _read_lab(self) -> None:
        """Read who starred what again (at the start, and when another user's marks
        changed); the list's column and the detail pane follow."""
        try:
            lab = Lab(self.user, self.library.lab_stars(self.user))
            self._others_marked = self.library.lab_others_marked(self.user)
        except LibraryError as error:
            self.notify(str(error), title="Lab", severity="error", markup=False)
            return
        if lab != self._lab:
            self._lab = lab
            self.query_one(PaperList).update_lab(lab.counts())
            if self._query.asks_lab:
                self._refilter()
        # Their tags and shared notes may have changed without a star: shown again.
        self._show_lab(self.query_one(PaperList).highlighted)

    def _show_lab(self, paper_id: int | None) -> None:
        """The lab's marks on ``paper_id`` in the detail pane (none: hidden); read only
        when the library has another user's marks to show."""
        detail = self.query_one(PaperDetail)
        if paper_id is None:
            detail.show_lab(None)
            return
        marks: list[LabMark] = []
        shared = False
        try:
            if self._lab_others:
                marks = self.library.lab_marks(self.user, paper_id)
            mark = self._marks.get(paper_id)
            if mark is not None and mark.has_note:
                shared = paper_id in self.library.shared_notes(self.user, [paper_id])
        except LibraryError as error:
            self.notify(str(error), title="Lab", severity="error", markup=False)
        detail.show_lab(lab_text(marks) if marks else None, note_shared=shared)

    @property
    def _lab_others(self) -> bool:
        """Whether another user may have marks to show (anyone else has marked)."""
        return self._lab.has_mates or self._others_marked

    def action_share_note(self) -> None:
        """Share the highlighted paper's note with the lab, or stop sharing it."""
        paper_id = self.query_one(PaperList).highlighted
        if paper_id is None:
            self.notify("No paper here to act on.", severity="warning")
            return
        mark = self._marks.get(paper_id)
        if mark is None or not mark.has_note:
            self.notify(
                "No note on this paper to share: n writes one.", severity="warning", timeout=3
            )
            return
        try:
            shared = paper_id in self.library.shared_notes(self.user, [paper_id])
        except LibraryError as error:
            self.notify(str(error), title="Lab", severity="error", markup=False)
            return
        user = self.user

        def done(had_note: bool) -> None:
            if not had_note:  # deleted meanwhile (another window)
                self.notify("No note on this paper to share.", severity="warning", timeout=3)
            elif shared:
                self.notify("Your note is no longer shared.", timeout=3)
            else:
                self.notify(
                    "Your note is shared: the lab's other users see it on this paper.", timeout=3
                )
            if self.query_one(PaperList).highlighted == paper_id:
                self._show_lab(paper_id)

        # Through the queue of writes: a busy library never holds the screen.
        self._write(
            "Sharing the note", lambda lib: lib.share_note(user, paper_id, not shared), done
        )


def lab_text(marks: list[LabMark]) -> Text:
    """The other users' stars, tags and shared notes on one paper, as plain text."""
    text = Text()
    starred = [one_line(mark.user) for mark in marks if mark.starred]
    if starred:
        text.append("★ " + ", ".join(starred), style="bold")
    for mark in marks:
        if mark.tags:
            if text:
                text.append("\n")
            text.append(f"{one_line(mark.user)}: " + " ".join(f"#{one_line(t)}" for t in mark.tags))
    for mark in marks:
        note = strip_controls(cut(mark.note, SHARED_NOTE_CHARS)).strip()
        if note:
            if text:
                text.append("\n")
            text.append(f"{one_line(mark.user)}'s note (shared):", style="bold")
            text.append("\n" + note)
    return text
