"""The question asked before papers are removed from the library (D)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label

from reader.tui.keys import bindings


class ConfirmRemove(ModalScreen[bool]):
    """Asks whether to remove papers: a few of their titles, the marks and notes
    that go with them, and that z undoes it. True to remove."""

    CSS_PATH = "remove_dialog.tcss"
    # The safe answer has the focus, so a stray Enter removes nothing.
    AUTO_FOCUS = "#remove-keep"
    BINDINGS = bindings("remove")

    def __init__(self, question: str, details: Sequence[str], warnings: Sequence[str]) -> None:
        """``question`` ("Remove 3 papers?"), then ``details`` (titles) and
        ``warnings`` (the marks and notes that go with them)."""
        super().__init__()
        self._question = question
        self._details = tuple(details)
        self._warnings = tuple(warnings)

    def compose(self) -> ComposeResult:
        with Vertical(id="remove-dialog"):
            yield Label(Text(self._question), id="remove-question")
            for line in self._details:
                yield Label(Text(line), classes="remove-title")
            with Vertical(id="remove-notes"):
                for line in self._warnings:
                    yield Label(Text(line), classes="remove-warning")
                yield Label("z undoes it.", id="remove-hint")
            with Horizontal(id="remove-buttons"):
                yield Button("Remove (y)", variant="error", id="remove-yes")
                yield Button("Keep (n)", variant="primary", id="remove-keep")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "remove-yes")

    def action_answer(self, remove: bool) -> None:
        self.dismiss(remove)
