"""The export dialog (x): format, which papers, where; prefilled so Enter just works."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select

from reader.export.run import FORMATS, default_target

SCOPE_LABELS = {
    "marked": "Marked papers",
    "visible": "Papers in the list now",
    "starred-or-noted": "Starred or noted",
    "starred": "Starred",
    "noted": "With a note",
    "all": "Every paper",
}


@dataclass(frozen=True, slots=True)
class ExportRequest:
    fmt: str
    scope: str
    target: Path
    force: bool


class ExportDialog(ModalScreen[ExportRequest | None]):
    """Choose format, scope and path; the screen behind does the writing."""

    CSS_PATH = "note_editor.tcss"
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="export.cancel")]
    # Focused by Textual once the dialog is built (if the app is not quitting by then).
    AUTO_FOCUS = "#path"

    def __init__(self, scopes: list[str], folder: Path, today: date) -> None:
        """``scopes``: the choices that make sense now (marked only when there are marks)."""
        super().__init__()
        self._scopes = scopes
        self._folder = folder
        self._today = today
        self._suggested = default_target("markdown", folder, today)

    def compose(self) -> ComposeResult:
        with Vertical(id="export-dialog"):
            yield Label("Export", id="export-title")
            yield Select(
                [(fmt, fmt) for fmt in FORMATS], value="markdown", allow_blank=False, id="format"
            )
            yield Select(
                [(SCOPE_LABELS[scope], scope) for scope in self._scopes],
                value=self._scopes[0],
                allow_blank=False,
                id="scope",
            )
            yield Input(str(self._suggested), id="path")
            yield Checkbox("Overwrite the file if it exists", id="force")
            with Horizontal(id="export-buttons"):
                yield Button("Export", variant="primary", id="export")
                yield Button("Cancel", id="cancel")

    @on(Select.Changed, "#format")
    def _format_changed(self, event: Select.Changed) -> None:
        path = next(iter(self.query("#path").results(Input)), None)
        if path is None:
            return  # the first value, as the dialog mounts (or goes, as the app quits)
        # Follow the format only while the path is still the one we suggested.
        if path.value == str(self._suggested):
            self._suggested = default_target(str(event.value), self._folder, self._today)
            path.value = str(self._suggested)

    @on(Input.Submitted, "#path")
    @on(Button.Pressed, "#export")
    def _export(self) -> None:
        text = self.query_one("#path", Input).value.strip()
        if not text:
            self.notify("Give a file (or folder) to write to.", severity="warning")
            return
        self.dismiss(
            ExportRequest(
                fmt=str(self.query_one("#format", Select).value),
                scope=str(self.query_one("#scope", Select).value),
                target=Path(text).expanduser(),
                force=self.query_one("#force", Checkbox).value,
            )
        )

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)
