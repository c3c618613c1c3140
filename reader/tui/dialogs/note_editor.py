"""The in-app note editor, and the question it asks before throwing text away."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, TextArea
from textual.widgets.text_area import Location, Selection

from reader.limits import NOTE_CHARS
from reader.store import LibraryBusy, LibraryError, NoteConflict
from reader.text import one_line
from reader.tui.keys import bindings, key_said

# How often the editor writes down what is typed, as a draft (s): a killed process
# loses at most this much typing.
DRAFT_INTERVAL = 2.0
# What Tab puts before a line: a list item under "- " or "1. " alike becomes a nested one.
INDENT = "    "

# The discard question's answers.
Answer = Literal["save", "discard", "keep"]


@dataclass(frozen=True, slots=True)
class Drafts:
    """Where the editor keeps its text while the user types, and drops it after."""

    # keep(text, base): ``text`` typed over the note ``base``, not saved yet.
    keep: Callable[[str, str], None]
    # drop(text): drop the draft if it still holds ``text`` (another window editing
    # the same note may have written its own since).
    drop: Callable[[str], None]


class ConfirmDiscard(ModalScreen[Answer]):
    """Asks what becomes of unsaved note text: save it, throw it away, or keep editing."""

    CSS_PATH = "note_editor.tcss"
    # The safe answer has the focus, so a stray Enter keeps the text.
    AUTO_FOCUS = "#keep"
    BINDINGS = bindings("confirm")

    def __init__(self, question: str = "Discard the unsaved changes to this note?") -> None:
        super().__init__()
        self._question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-dialog"):
            yield Label(self._question)
            with Horizontal(id="confirm-buttons"):
                yield Button("Save (s)", variant="success", id="save")
                yield Button("Discard (y)", variant="error", id="discard")
                yield Button("Keep editing (n)", variant="primary", id="keep")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        answers: dict[str | None, Answer] = {"save": "save", "discard": "discard"}
        self.dismiss(answers.get(event.button.id, "keep"))

    def action_answer(self, answer: Answer) -> None:
        self.dismiss(answer)


def indent(line: str) -> str:
    """``line`` one level deeper (Tab)."""
    return INDENT + line


def outdent(line: str) -> str:
    """``line`` one level less deep (shift+Tab): a leading tab, or up to four spaces."""
    if line.startswith("\t"):
        return line[1:]
    spaces = len(line) - len(line.lstrip(" "))
    return line[min(spaces, len(INDENT)) :]


class NoteText(TextArea):
    """The note's text. Tab and shift+Tab indent and outdent the lines the cursor or
    the selection is on (nested Markdown lists), wherever the cursor is on them."""

    def on_key(self, event: events.Key) -> None:
        # Here, not as bindings: a binding runs once the key has come back up to the
        # app, after letters typed later went into the text (a burst, a paste).
        change = {"tab": indent, "shift+tab": outdent}.get(event.key)
        if change is not None and not self.read_only:
            event.stop()
            event.prevent_default()
            self.reindent(change)

    def reindent(self, change: Callable[[str], str]) -> None:
        """``change`` every line of the selection (indent or outdent), as one edit."""
        start, end = sorted(self.selection)
        first, last = start[0], end[0]
        if last > first and end[1] == 0:
            last -= 1  # a selection ending where a line starts leaves that line alone
        rows = range(first, last + 1)
        lines = [self.document.get_line(row) for row in rows]
        changed = [change(line) for line in lines]
        if changed == lines:
            return
        shift = {
            row: len(new) - len(old) for row, old, new in zip(rows, lines, changed, strict=True)
        }

        def moved(location: Location) -> Location:
            row, column = location
            return row, max(0, column + shift.get(row, 0))

        selection = self.selection
        self.replace(
            "\n".join(changed),
            (first, 0),
            (last, len(lines[-1])),
            maintain_selection_offset=False,
        )
        self.selection = Selection(moved(selection.start), moved(selection.end))


class NoteEditor(ModalScreen[str | None]):
    """Edit one paper's note as Markdown. Dismisses with the text saved, or ``None``.

    With ``drafts``, the text is written down every :data:`DRAFT_INTERVAL` seconds
    and whenever the editor or the terminal loses the focus, so a crash loses at
    most a few seconds of typing; saving or discarding the note drops the draft.
    """

    CSS_PATH = "note_editor.tcss"
    BINDINGS = bindings("note")

    def __init__(
        self,
        title: str,
        note: str,
        save: Callable[[str, str], None],
        *,
        original: str | None = None,
        drafts: Drafts | None = None,
        recovered: str | None = None,
    ) -> None:
        """``save(text, original)`` stores the text, refusing if the note is no longer
        ``original`` (default: ``note``); if it raises LibraryError the editor stays open.
        ``recovered`` says when ``note``, a draft found on opening, was written down."""
        super().__init__()
        self._paper_title = title
        self._text = note
        self._original = note if original is None else original
        self._save = save
        self._drafts = drafts
        self._recovered = recovered
        # The text as last written down as a draft (None: no draft is kept).
        self._kept: str | None = note if recovered is not None else None
        self._draft_failed = False
        # Saved or thrown away: nothing more to write down.
        self._finished = False

    def compose(self) -> ComposeResult:
        with Vertical(id="note-dialog"):
            yield Label(Text(f"Note · {one_line(self._paper_title)}"), id="note-title")
            if self._recovered is not None:
                yield Label(
                    Text(
                        f"Recovered: the unsaved text you were writing ({self._recovered}). "
                        "ctrl+s saves it, esc discards it."
                    ),
                    id="note-recovered",
                )
            yield NoteText(self._text, id="note-text", soft_wrap=True)
            yield Label(
                "ctrl+s save · esc close · tab indent · shift+tab outdent · Markdown",
                id="note-hint",
            )

    def on_mount(self) -> None:
        editor = self.query_one(TextArea)
        editor.focus()
        editor.move_cursor(editor.document.end)
        if self._drafts is not None:
            self.set_interval(DRAFT_INTERVAL, self.keep_draft, name="draft")
            # Text that is not the note yet (from $EDITOR, say) is kept from the start.
            self.call_after_refresh(self.keep_draft)
            self.watch(self.app, "app_focus", self._app_focus_changed, init=False)

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        self.keep_draft()  # the focus left the text

    def on_screen_suspend(self, event: events.ScreenSuspend) -> None:
        self.keep_draft()  # a dialog or the palette came over the editor

    def _app_focus_changed(self, focused: bool) -> None:
        if not focused:
            self.keep_draft()  # the terminal lost the focus: another window

    @property
    def text(self) -> str:
        return self.query_one(TextArea).text

    @property
    def is_modified(self) -> bool:
        """Whether the text differs from the note as it was opened."""
        return self.text != self._original

    def keep_draft(self) -> None:
        """Write the text down as a draft if it changed since it last was."""
        if self._drafts is None or self._finished or not self.is_mounted:
            return
        text = self.text
        if text == self._kept:
            return
        try:
            if text == self._original:
                if self._kept is not None:
                    self._drafts.drop(self._kept)  # typed back to the note as it is
                self._kept = None
            else:
                self._drafts.keep(text, self._original)
                self._kept = text
        except LibraryBusy:
            return  # another process is writing: the next tick tries again
        except LibraryError as error:
            if not self._draft_failed:  # once, not every few seconds
                self._draft_failed = True
                self.notify(
                    f"{error}. The text is still here: save it with ctrl+s.",
                    title="Draft not kept",
                    severity="warning",
                    markup=False,
                )
            return
        self._draft_failed = False

    def discard_draft(self) -> None:
        """The text is saved or thrown away: so is this editor's draft."""
        self._finished = True
        if self._drafts is None or self._kept is None:
            return
        try:
            self._drafts.drop(self._kept)
        except LibraryError:
            return  # offered again next time, which is the safe way to fail
        self._kept = None

    def save(self) -> bool:
        """Save the text if it changed; whether it is saved. When it is not (too long,
        the library busy, the note changed elsewhere) a toast says why, and the text
        stays in the editor."""
        text = self.text
        if len(text) > NOTE_CHARS:
            self.notify(
                f"A note holds at most {NOTE_CHARS:,} characters; this one has {len(text):,}.",
                title="Note not saved",
                severity="error",
                markup=False,
            )
            return False
        if text != self._original:
            try:
                self._save(text, self._original)
            except LibraryBusy:
                # Another process is writing: the text stays here (and in its draft).
                self.notify(
                    "Another process is writing to the library. Your text is kept here "
                    f"and as a draft: press {key_said(self.app, 'note.save')} again in a moment.",
                    title="Note not saved yet",
                    severity="warning",
                    markup=False,
                )
                return False
            except NoteConflict as conflict:
                # Someone else's newer note: say so, and let a second ctrl+s overwrite it.
                self._original = conflict.current
                self.notify(
                    "It was changed elsewhere since you opened it. "
                    f"Press {key_said(self.app, 'note.save')} again to replace it with your text.",
                    title="Note not saved",
                    severity="warning",
                    markup=False,
                )
                return False
            except LibraryError as error:
                # Keep the editor open: the text is still here to save again.
                self.notify(str(error), title="Note not saved", severity="error", markup=False)
                return False
        self.discard_draft()
        return True

    def action_save(self) -> None:
        if self.save():
            self.dismiss(self.text)

    def action_close(self) -> None:
        if not self.is_modified:
            self.discard_draft()
            self.dismiss(None)
            return

        def answered(answer: Answer | None) -> None:
            if answer == "save":
                self.action_save()
            elif answer == "discard":
                self.discard_draft()
                self.dismiss(None)

        self.app.push_screen(ConfirmDiscard(), answered)
