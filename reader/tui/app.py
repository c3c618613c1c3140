"""ReaderApp: the terminal UI. Small on purpose: screens own their behaviour."""

from __future__ import annotations

from textual.app import App
from textual.binding import Binding

from reader.store import Library
from reader.tui.screens.library import LibraryScreen


class ReaderApp(App[None]):
    """The reader, open on one library for one user."""

    TITLE = "reader"
    BINDINGS = [Binding("q", "quit", "Quit", id="app.quit")]

    def __init__(self, library: Library, user: str, *, notice: str | None = None) -> None:
        super().__init__()
        self.library = library
        self.user = user
        self._notice = notice

    async def on_mount(self) -> None:
        # Pushed rather than returned from get_default_screen, which skips screen CSS_PATH;
        # awaited so the notice lands on the library screen, not the one beneath it.
        await self.push_screen(LibraryScreen(self.library, self.user))
        if self._notice:
            self.notify(self._notice, title="Welcome", timeout=10, markup=False)
