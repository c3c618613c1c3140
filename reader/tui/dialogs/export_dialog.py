"""The export dialog (x): format, which papers, where; prefilled so Enter just works."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select
from textual.worker import Worker, WorkerState

from reader.export.files import ExportError, TargetExists, shown
from reader.export.run import FORMATS, Outcome, default_target
from reader.text import one_line
from reader.tui.keys import bindings

OVERWRITE = "Overwrite the file if it exists"
SCOPE_LABELS = {
    "selected": "Selected papers",
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


class ExportDialog(ModalScreen[Outcome | None]):
    """Choose format, scope and path; ``write`` (the screen behind's) does the writing.

    The dialog stays open when the export is refused or fails, and says why in one
    line above its buttons, so the path can be changed; it is dismissed with what was
    written (the :class:`~reader.export.run.Outcome`). The rendering and writing run
    in a thread worker, so a large export never holds the screen; a failure there
    is the same one line.
    """

    CSS_PATH = "export_dialog.tcss"
    BINDINGS = bindings("export")
    # Focused by Textual once the dialog is built (if the app is not quitting by then).
    AUTO_FOCUS = "#path"

    def __init__(
        self,
        scopes: list[str],
        folder: Path,
        today: date,
        write: Callable[[ExportRequest], Callable[[], Outcome]],
    ) -> None:
        """``scopes``: the choices that make sense now ("selected" only while papers are).
        ``write`` checks the request and chooses the papers (on the UI thread), or
        raises ExportError; what it returns renders and writes them, says what it
        did, or raises ExportError (in a worker)."""
        super().__init__()
        self._write = write
        # An export running: Enter again waits for it, rather than writing twice.
        self._writing = False
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
            yield Checkbox(OVERWRITE, id="force")
            yield Label("", id="export-error", markup=False)
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
        if self._writing:
            return
        text = self.query_one("#path", Input).value.strip()
        if not text:
            self.notify("Give a file (or folder) to write to.", severity="warning")
            return
        try:
            target = Path(text).expanduser()
        except RuntimeError:  # "~name" of no one
            self._show_error(f"{text}: no such home folder")
            return
        request = ExportRequest(
            fmt=str(self.query_one("#format", Select).value),
            scope=str(self.query_one("#scope", Select).value),
            target=target,
            force=self.query_one("#force", Checkbox).value,
        )
        try:
            job = self._write(request)
        except ExportError as error:
            self._refused(error)
            return
        self._writing = True
        self._run_export(job)

    @work(thread=True, group="export", exit_on_error=False)
    def _run_export(self, job: Callable[[], Outcome]) -> Outcome:
        return job()

    @on(Worker.StateChanged)
    def _export_finished(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "export" or not event.worker.is_finished:
            return
        self._writing = False
        if event.state == WorkerState.SUCCESS:
            self.dismiss(event.worker.result)
        elif event.state == WorkerState.ERROR and event.worker.error is not None:
            self._refused(event.worker.error)

    def _refused(self, error: BaseException) -> None:
        """Say why the export was not written, in one line; the dialog stays open."""
        if isinstance(error, TargetExists):
            # The command line's --force is the checkbox here: point at it.
            self._show_error(
                f"{shown(error.path)} exists: tick “{OVERWRITE}” above to replace it, "
                "or give another path."
            )
            self.query_one("#force", Checkbox).focus()
        elif isinstance(error, ExportError):
            self._show_error(str(error))
        else:  # a bug: one line here too, not a traceback
            self._show_error(f"The export failed: {type(error).__name__}: {error}")

    def _show_error(self, message: str) -> None:
        error = self.query_one("#export-error", Label)
        error.update(one_line(message))
        error.add_class("-shown")

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        """Close without exporting; while an export is being written it finishes
        first (a thread is not stopped half way), and says so when it is done."""
        if self._writing:
            self.notify(
                "The export is being written: this closes, and says so, when it is done.",
                title="Export",
                markup=False,
            )
            return
        self.dismiss(None)
