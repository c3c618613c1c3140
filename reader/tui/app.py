"""ReaderApp: the terminal UI. Small on purpose: screens own their behaviour."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from reader.store import Library
from reader.tui.screens.library import LibraryScreen
from reader.tui.screens.note_editor import ConfirmDiscard, NoteEditor

if TYPE_CHECKING:
    import httpx


class ReaderApp(App[None]):
    """The reader, open on one library for one user."""

    TITLE = "reader"
    BINDINGS = [Binding("q", "quit", "Quit", id="app.quit")]

    def __init__(
        self,
        library: Library,
        user: str,
        *,
        notice: str | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        """``transport`` replaces the network for fetches (tests pass a MockTransport)."""
        super().__init__()
        self.library = library
        self.user = user
        self._notice = notice
        self._transport = transport
        # Why the app had to stop, for the command line to print as one clean line.
        self.failure: str | None = None

    async def on_mount(self) -> None:
        # Pushed rather than returned from get_default_screen, which skips screen CSS_PATH;
        # awaited so the notice lands on the library screen, not the one beneath it.
        await self.push_screen(LibraryScreen(self.library, self.user, transport=self._transport))
        if self._notice:
            self.notify(self._notice, title="Welcome", timeout=10, markup=False)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if isinstance(screen, LibraryScreen):
            yield SystemCommand(
                "Fetch today's Hugging Face papers",
                "Add the latest Daily Papers to the library (key: f)",
                screen.action_fetch_hf,
            )

    def on_library_screen_failed(self, event: LibraryScreen.Failed) -> None:
        """Stop: the library cannot be used. The command line prints the reason."""
        self.failure = event.reason
        self.exit(return_code=1)

    async def action_quit(self) -> None:
        """Quit, but never throw away a note being edited without asking."""
        if not any(isinstance(s, NoteEditor) and s.is_modified for s in self.screen_stack):
            self.exit()
            return
        if isinstance(self.screen, ConfirmDiscard):
            return  # Already asking.

        def answered(discard: bool | None) -> None:
            if discard:
                self.exit()

        self.push_screen(ConfirmDiscard("Quit and discard the unsaved note?"), answered)
