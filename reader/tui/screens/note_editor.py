"""The in-app note editor, and the question it asks before throwing text away."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, TextArea

from reader.store import LibraryError, NoteConflict
from reader.text import one_line


class ConfirmDiscard(ModalScreen[bool]):
    """Asks whether unsaved note text may be thrown away."""

    CSS_PATH = "note_editor.tcss"
    # The safe answer has the focus, so a stray Enter keeps the text.
    AUTO_FOCUS = "#keep"
    BINDINGS = [
        Binding("y", "answer(True)", "Discard", id="confirm.discard"),
        Binding("n,escape", "answer(False)", "Keep editing", id="confirm.keep"),
    ]

    def __init__(self, question: str = "Discard the unsaved changes to this note?") -> None:
        super().__init__()
        self._question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-dialog"):
            yield Label(self._question)
            with Horizontal(id="confirm-buttons"):
                yield Button("Discard (y)", variant="error", id="discard")
                yield Button("Keep editing (n)", variant="primary", id="keep")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "discard")

    def action_answer(self, discard: bool) -> None:
        self.dismiss(discard)


class NoteEditor(ModalScreen[str | None]):
    """Edit one paper's note as Markdown. Dismisses with the text saved, or ``None``."""

    CSS_PATH = "note_editor.tcss"
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="note.save", priority=True),
        Binding("escape", "close", "Close", id="note.close"),
    ]

    def __init__(
        self,
        title: str,
        note: str,
        save: Callable[[str, str], None],
        *,
        original: str | None = None,
    ) -> None:
        """``save(text, original)`` stores the text, refusing if the note is no longer
        ``original`` (default: ``note``); if it raises LibraryError the editor stays open."""
        super().__init__()
        self._paper_title = title
        self._text = note
        self._original = note if original is None else original
        self._save = save

    def compose(self) -> ComposeResult:
        with Vertical(id="note-dialog"):
            yield Label(Text(f"Note · {one_line(self._paper_title)}"), id="note-title")
            yield TextArea(self._text, id="note-text", soft_wrap=True)
            yield Label("ctrl+s save · esc close · Markdown", id="note-hint")

    def on_mount(self) -> None:
        editor = self.query_one(TextArea)
        editor.focus()
        editor.move_cursor(editor.document.end)

    @property
    def text(self) -> str:
        return self.query_one(TextArea).text

    @property
    def is_modified(self) -> bool:
        """Whether the text differs from the note as it was opened."""
        return self.text != self._original

    def action_save(self) -> None:
        text = self.text
        if text != self._original:
            try:
                self._save(text, self._original)
            except NoteConflict as conflict:
                # Someone else's newer note: say so, and let a second ctrl+s overwrite it.
                self._original = conflict.current
                self.notify(
                    "It was changed elsewhere since you opened it. "
                    "Press ctrl+s again to replace it with your text.",
                    title="Note not saved",
                    severity="warning",
                    markup=False,
                )
                return
            except LibraryError as error:
                # Keep the editor open: the text is still here to save again.
                self.notify(str(error), title="Note not saved", severity="error", markup=False)
                return
        self.dismiss(text)

    def action_close(self) -> None:
        if not self.is_modified:
            self.dismiss(None)
            return

        def closed(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(ConfirmDiscard(), closed)
