"""The library screen's export (``x``): a prefilled dialog, the papers it asks for.

Which papers an export takes is :func:`reader.export.scope.papers_to_export`, as
for ``reader export``; the screen adds its own scopes (the selected papers, the
papers in the list now). Which papers is chosen on the UI thread, from what the
screen shows; reading them whole, rendering and writing run in the dialog's worker.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from reader.models import Annotation
from reader.tui.dialogs.export_dialog import ExportDialog, ExportRequest
from reader.tui.screens.library_base import LibraryBase
from reader.tui.widgets.paper_list import PaperList

if TYPE_CHECKING:
    from reader.export.run import Outcome


class Exporting(LibraryBase):
    """What :class:`~reader.tui.screens.library.LibraryScreen` does to export (a
    mixin: it holds the library, the marks, the order and the selection)."""

    def action_export(self) -> None:
        """Export papers to a file (or an Obsidian folder) from a prefilled dialog."""
        if self._still_loading():
            return
        scopes = ["visible", "starred-or-noted", "starred", "noted", "all"]
        if self._selected:
            scopes.insert(0, "selected")

        def done(outcome: Outcome | None) -> None:
            if outcome is None:
                return
            if outcome.complete:
                self.notify(outcome.message, title="Exported", markup=False)
            else:  # conflicts: named in the message, with how to resolve them
                title = "Exported; some files left as they are"
                self.notify(
                    outcome.message, title=title, severity="warning", timeout=30, markup=False
                )

        dialog = ExportDialog(scopes, Path.home(), date.today(), self._export)
        self.app.push_screen(dialog, done)

    def _export(self, request: ExportRequest) -> Callable[[], Outcome]:
        """Check the target and choose which papers the dialog asks for, now; the
        work of reading them whole, rendering and writing them, for the dialog's
        worker (100,000 papers take seconds to read). Raises ExportError (the
        dialog shows it), never over the library or its files."""
        from reader.export.run import check_request
        from reader.export.scope import ids_to_read

        check_request(request.fmt, request.target, force=request.force, library=self.library.path)
        only: Sequence[int] | None = None
        if request.scope == "selected":
            only = list(self._selected)
        elif request.scope == "visible":
            only = self.query_one(PaperList).paper_ids
        # Copies: the worker reads them while the list takes new marks.
        marks = dict(self._marks)
        wanted, scope = ids_to_read(
            self._order, marks, scope=request.scope, only=None if only is None else set(only)
        )
        return partial(self._read_and_export, request, wanted, scope, marks, only)

    def _read_and_export(
        self,
        request: ExportRequest,
        wanted: list[int],
        scope: str,
        marks: dict[int, Annotation],
        only: Sequence[int] | None,
    ) -> Outcome:
        """Read the papers through a connection of the worker's own, then render and
        write them. Raises ExportError."""
        from reader.export.files import ExportError
        from reader.export.run import export, select
        from reader.store import LibraryError

        words = self.library.words()
        try:
            papers = words.papers_by_id(wanted)
        except LibraryError as error:
            raise ExportError(str(error)) from None
        finally:
            words.close()
        items = select(papers, marks, scope=scope, only=None if only is None else set(only))
        return export(
            request.fmt,
            items,
            request.target,
            user=self.user,
            now=datetime.now(UTC),
            force=request.force,
            library=self.library.path,
        )
