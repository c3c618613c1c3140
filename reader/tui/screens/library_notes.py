"""The library screen's notes: the note editor, and ``$EDITOR`` with the app aside.

Which text an editor opens with (an unsaved draft taken up, or the note) and how a
note is saved are :class:`reader.triage.Triage`'s."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from functools import partial

from reader.models import Paper
from reader.store import LibraryError, NoteConflict
from reader.tui.dialogs.note_editor import Drafts, NoteEditor
from reader.tui.screens.library_base import LibraryBase
from reader.tui.system import EditorError, edit_in_editor


class NotesPart(LibraryBase):
    """n opens the note editor, E the user's own editor."""

    def action_edit_note(self) -> None:
        paper = self._current()
        if paper is None or paper.id is None:
            return
        paper_id = paper.id
        try:
            start = self.triage.start_note(paper_id)
        except LibraryError as error:
            self.notify(str(error), title="Cannot open the note", severity="error", markup=False)
            return
        self._remember_all({paper_id: self._marks[paper_id]})
        if start.notice is not None:
            self._say(start.notice)
        self.app.push_screen(
            NoteEditor(
                paper.title,
                start.text,
                self._note_saver(paper_id),
                original=start.base if start.draft is not None else None,
                drafts=self._drafts(paper_id),
                recovered=start.recovered,
            )
        )

    def _drafts(self, paper_id: int) -> Drafts:
        """Where the note editor keeps the unsaved text of ``paper_id``'s note."""
        return Drafts(
            keep=partial(self.triage.keep_draft, paper_id),
            drop=partial(self.triage.drop_draft, paper_id),
        )

    def _note_saver(self, paper_id: int) -> Callable[[str, str], None]:
        """What the note editor calls to save: compare-and-set, undoable."""

        def save(text: str, original: str) -> None:
            outcome = self.triage.save_note(paper_id, text, original)
            self._remember_all(outcome.marks)
            if outcome.notice is not None:
                self.notify(outcome.notice.message)

        return save

    def action_edit_note_externally(self) -> None:
        """Write the note in $EDITOR (the app steps aside while it runs)."""
        paper = self._current()
        if paper is None or paper.id is None:
            return
        paper_id = paper.id
        try:
            # An unsaved draft is where the writing stopped: take it up, over its note.
            start = self.triage.start_external_note(paper_id)
        except LibraryError as error:
            self.notify(str(error), title="Cannot open the note", severity="error", markup=False)
            return
        try:
            text = edit_in_editor(self.app, paper.title, start.text)
        except EditorError as error:
            self.notify(str(error), title="Note not saved", severity="error", markup=False)
            return
        if text is None or text == start.text:
            kept = " The unsaved draft is kept: n takes it up." if start.draft else ""
            self.notify(f"Note unchanged.{kept}", timeout=3)
            return
        try:
            self._note_saver(paper_id)(text, start.base)
        except NoteConflict as conflict:
            # Changed elsewhere while the editor ran: keep the text, let the user decide.
            self._keep_in_editor(
                paper,
                text,
                conflict.current,
                "It was changed elsewhere meanwhile. Your text is in the editor: "
                "ctrl+s replaces the other version, esc drops yours.",
            )
            return
        except LibraryError as error:
            # Busy, or not writable: the text is only here.
            self._keep_in_editor(
                paper, text, start.base, f"{error} Your text is in the editor: ctrl+s saves it."
            )
            return
        if start.draft is not None:
            with suppress(LibraryError):  # a draft equal to its note is never offered
                self.triage.drop_draft(paper_id, start.draft.text)

    def _keep_in_editor(self, paper: Paper, text: str, original: str, why: str) -> None:
        """Text from $EDITOR the library did not take: in the note editor, not lost."""
        assert paper.id is not None
        self.notify(why, title="Note not saved yet", severity="warning", markup=False)
        self.app.push_screen(
            NoteEditor(
                paper.title,
                text,
                self._note_saver(paper.id),
                original=original,
                drafts=self._drafts(paper.id),
            )
        )
