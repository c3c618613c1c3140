"""ReaderApp: the terminal UI. Small on purpose: screens own their behaviour."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import date
from typing import TYPE_CHECKING

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.theme import BUILTIN_THEMES, Theme

from reader.config import Config, ConfigError, save_theme
from reader.store import Library
from reader.tui.screens.library import LibraryScreen, ViewSettings
from reader.tui.screens.note_editor import ConfirmDiscard, NoteEditor
from reader.tui.widgets.paper_list import PaperList

if TYPE_CHECKING:
    import httpx


def theme_names() -> set[str]:
    """The themes a config file may name."""
    return set(BUILTIN_THEMES)


def binding_ids() -> set[str]:
    """Every binding id a user may remap in the config file's [keys]."""
    bindings = [*ReaderApp.BINDINGS, *LibraryScreen.BINDINGS, *PaperList.BINDINGS]
    return {b.id for b in bindings if isinstance(b, Binding) and b.id}


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
        config: Config | None = None,
        clock: Callable[[], float] = time.monotonic,
        today: Callable[[], date] = date.today,
    ) -> None:
        """``transport`` replaces the network for fetches (tests pass a MockTransport);
        ``clock`` times the read delay (tests pass a fake one); ``today`` is the day the
        stats screen counts its weeks back from (tests and snapshots pass a fixed one)."""
        super().__init__()
        self.library = library
        self.user = user
        self.config = config or Config()
        self._notice = notice
        self._transport = transport
        self._clock = clock
        self._today = today
        # Why the app had to stop, for the command line to print as one clean line.
        self.failure: str | None = None
        if self.config.keys:
            self.set_keymap(self.config.keymap)

    async def on_mount(self) -> None:
        if self.config.theme in self.available_themes:
            self.theme = self.config.theme
        # Only a theme the user picks from now on is written back to the config file.
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        settings = ViewSettings(
            presets=self.config.presets,
            read_delay=self.config.read_delay,
            default_sort=self.config.default_sort,
        )
        # Pushed rather than returned from get_default_screen, which skips screen CSS_PATH;
        # awaited so the notice lands on the library screen, not the one beneath it.
        await self.push_screen(
            LibraryScreen(
                self.library,
                self.user,
                transport=self._transport,
                settings=settings,
                clock=self._clock,
                today=self._today,
            )
        )
        if self._notice:
            self.notify(self._notice, title="Welcome", timeout=10, markup=False)

    def _remember_theme(self, theme: Theme) -> None:
        try:
            save_theme(theme.name)
        except ConfigError as error:
            self.notify(str(error), title="Theme not saved", severity="warning", markup=False)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if isinstance(screen, LibraryScreen):
            yield from screen.commands()

    def on_library_screen_failed(self, event: LibraryScreen.Failed) -> None:
        """Stop: the library cannot be used. The command line prints the reason."""
        self.failure = event.reason
        self.exit(return_code=1)

    async def action_quit(self) -> None:
        """Quit, but never throw away a note being edited without asking."""
        editors = [screen for screen in self.screen_stack if isinstance(screen, NoteEditor)]
        if not any(editor.is_modified for editor in editors):
            for editor in editors:
                editor.keep_draft()  # typed back to the note: its draft goes too
            self.exit()
            return
        if isinstance(self.screen, ConfirmDiscard):
            return  # Already asking.

        def answered(discard: bool | None) -> None:
            if discard:
                for screen in self.screen_stack:
                    if isinstance(screen, NoteEditor):
                        screen.discard_draft()
                self.exit()

        self.push_screen(ConfirmDiscard("Quit and discard the unsaved note?"), answered)
