"""The library screen's removal: ask, then remove (undoable, see :class:`reader.triage.Triage`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reader.store import LibraryError
from reader.tui.dialogs.remove_dialog import ConfirmRemove
from reader.tui.screens.library_base import LibraryBase

if TYPE_CHECKING:
    from reader.store.removal import Noted


class RemovalPart(LibraryBase):
    """D removes the selected papers (or the highlighted one); the palette the sample."""

    def action_remove_papers(self) -> None:
        """Remove the selected papers, or the highlighted one, once the user says yes."""
        if self._still_loading():
            return
        ids = self._targets()
        if ids:
            self._ask_to_remove(ids, "remove")

    def action_remove_sample(self) -> None:
        """Remove the bundled sample's papers, but those that hold anyone's note."""
        if self._still_loading():
            return
        try:
            ids = self.library.sample_ids()
        except LibraryError as error:
            self.notify(str(error), title="Remove", severity="error", markup=False)
            return
        if not ids:
            self.notify("No sample papers in the library.", timeout=3)
            return
        self._ask_to_remove(ids, "keep", what="sample ")

    def _ask_to_remove(self, ids: list[int], noted: Noted, *, what: str = "") -> None:
        """Ask about removing ``ids`` (see :func:`reader.removal.plan`), then remove."""
        from reader.removal import kept_line, plan, question

        try:
            found = plan(self.library, ids, noted=noted)
        except LibraryError as error:
            self.notify(str(error), title="Remove", severity="error", markup=False)
            return
        if not found.ids:
            message = f"{kept_line(found.kept, found.kept_held)}; nothing removed."
            self.notify(message, title="Remove", markup=False)
            return
        asked = question(found, what=what)

        def answered(remove: bool | None) -> None:
            if remove:
                self.triage.remove(list(found.ids), noted)

        self.app.push_screen(ConfirmRemove(asked.ask, asked.titles, asked.warnings), answered)
