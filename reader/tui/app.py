"""ReaderApp: the terminal UI. Small on purpose: screens own their behaviour."""

from __future__ import annotations

import os
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable
from datetime import date
from typing import TYPE_CHECKING

from textual import events, on
from textual.app import App, SystemCommand
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.theme import BUILTIN_THEMES, Theme
from textual.widgets import Input

from reader.config import Config, ConfigError, save_theme
from reader.paths import write_crash_log
from reader.store import Library
from reader.text import shorten
from reader.tui.dialogs.note_editor import Answer, ConfirmDiscard, NoteEditor
from reader.tui.keys import bindings
from reader.tui.safe_output import TerminalSafe
from reader.tui.screens.library import LibraryScreen, ViewSettings

if TYPE_CHECKING:
    from reader.fetching import Network


# A toast's text and title at most (characters): a few lines at any width.
MAX_TOAST_CHARS = 400
MAX_TOAST_TITLE = 80
# The line the command line prints when the app stops on a bug.
MAX_FAILURE_CHARS = 300
# How long keys wait for a screen just opened to focus its first widget (s), and how
# often it is looked at meanwhile: a screen with nothing to focus gets its keys after.
FOCUS_PATIENCE = 0.5
FOCUS_POLL = 0.01
# How many times a key's KeyDone goes from the focused widget up to the app.
KEY_DONE_ROUNDS = 2
# How long keys wait at most for what a screen said they must see first (s): the
# filter's result, after Enter, while a large library is still being read.
HOLD_PATIENCE = 10.0


def theme_names() -> set[str]:
    """The themes a config file may name."""
    return set(BUILTIN_THEMES)


class ReaderApp(App[None]):
    """The reader, open on one library for one user."""

    TITLE = "reader"
    BINDINGS = bindings("app")

    class KeyDone(Message):
        """Follows a key to the widget it went to, and up the same way: once it
        reaches the app, the key has been handled, bindings and all. It goes round
        once more (``rounds``), behind what the binding posted on the way (the
        filter's Done, which gives the list the focus back)."""

        def __init__(self, key: events.Key, rounds: int = KEY_DONE_ROUNDS) -> None:
            super().__init__()
            self.key = key
            self.rounds = rounds

    def __init__(
        self,
        library: Library,
        user: str,
        *,
        notice: str | None = None,
        network: Network | None = None,
        config: Config | None = None,
        clock: Callable[[], float] = time.monotonic,
        today: Callable[[], date] = date.today,
    ) -> None:
        """``network`` is what fetches reach (tests pass a mock: see :class:`Network`);
        ``clock`` times the read delay (tests pass a fake one); ``today`` is the day the
        stats screen counts its weeks back from (tests and snapshots pass a fixed one)."""
        super().__init__()
        self.library = library
        self.user = user
        self.config = config or Config()
        self._notice = notice
        self._network = network
        self._clock = clock
        self._today = today
        # Why the app had to stop, for the command line to print as one clean line.
        self.failure: str | None = None
        # The error it stopped on, when that was a bug.
        self._crash: Exception | None = None
        # Every line drawn passes this: no text reaches the terminal as a control.
        self._filters.append(TerminalSafe())
        # Keys go to widgets one at a time (see on_event): those waiting, the one on
        # its way, whether the next waits for a focus change to settle, and until when.
        self._keys: deque[events.Key] = deque()
        self._key_on_its_way: events.Key | None = None
        self._keys_settling = False
        self._focus_deadline: float | None = None
        self._hold_deadline: float | None = None
        # Keys typed before the library screen is up wait for it (typed ahead while a
        # large library opens, they went to the filter bar and the list by turns).
        self._screen_up = False
        if self.config.keys:
            self.set_keymap(self.config.keymap)

    async def on_mount(self) -> None:
        if self.config.theme in self.available_themes:
            self.theme = self.config.theme
        # Only a theme the user picks from now on is written back to the config file.
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        settings = ViewSettings(
            presets=self.config.views,
            read_delay=self.config.read_delay,
            default_sort=self.config.default_sort,
            follow=self.config.follow,
            private=self.config.private,
            rules=self.config.rules,
        )
        # Pushed rather than returned from get_default_screen, which skips screen CSS_PATH;
        # awaited so the notice lands on the library screen, not the one beneath it.
        await self.push_screen(
            LibraryScreen(
                self.library,
                self.user,
                network=self._network,
                settings=settings,
                clock=self._clock,
                today=self._today,
            )
        )
        self._screen_up = True
        self._settle_keys()  # the keys typed ahead
        if self._notice:
            self.notify(self._notice, title="Welcome", timeout=10, markup=False)

    # -- keys, one at a time ----------------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        """Keys go to the widgets one at a time, each once the one before has been
        handled (its binding run, the focus it moved settled).

        Textual forwards every key to the focused widget the moment it arrives; a
        binding runs only once the key comes back up. So keys typed together
        (``/diffusion``, a paste, tmux send-keys) all went to the list before ``/``
        had moved the focus to the filter, and ran list actions: s starred, f
        fetched. Held here instead, each key finds the widget the one before left
        focused: the filter, the note editor, the list again after Esc.
        """
        if isinstance(event, events.Key) and not event.is_forwarded:
            self._keys.append(event)
            if self._key_on_its_way is None and not self._keys_settling:
                await self._send_keys()
            return
        await super().on_event(event)

    async def _send_keys(self) -> None:
        """Send waiting keys, in order, while none is on its way."""
        if not self._screen_up:
            return  # on_mount sends them once the library screen is up
        if not self._screen_stacks.get(self._current_mode):
            return  # closing: the screens are gone, and the keys with them
        while self._keys and self._key_on_its_way is None and not self._keys_settling:
            if not self._focus_settled() or self._screen_holds_keys():
                return
            key = self._keys.popleft()
            target = self.focused or self.screen
            if key.key == "ctrl+j" and isinstance(target, Input):
                # Enter typed ahead, before the terminal was put in raw mode: its line
                # discipline turned the CR into LF, which reads as ctrl+j. A one-line
                # input has no other use for it.
                key = events.Key("enter", "\r")
            await super().on_event(key)  # a priority binding, or on its way to target
            if key.is_forwarded:
                self._key_on_its_way = key
                if not target.post_message(self.KeyDone(key)):
                    self._key_on_its_way = None  # the target is gone: nothing to wait for
            else:
                self._settle_keys()  # a priority binding ran: let the focus it moved settle

    @on(KeyDone)
    def _key_done(self, message: KeyDone) -> None:
        message.stop()
        if message.key is not self._key_on_its_way:
            return
        if message.rounds > 1:
            # Once more from where the focus is now, behind what was posted there.
            again = self.KeyDone(message.key, message.rounds - 1)
            if (self.focused or self.screen).post_message(again):
                return
        self._key_on_its_way = None
        self._settle_keys()

    def _settle_keys(self) -> None:
        """Send the next key after what the last one set in motion: a focus moved with
        ``focus()`` is moved by a callback already queued here, which runs first."""
        if not self._keys_settling:
            self._keys_settling = True
            self.call_later(self._settled)

    async def _settled(self) -> None:
        self._keys_settling = False
        await self._send_keys()

    def _focus_settled(self) -> bool:
        """Whether the screen shown has focused a widget (a screen just opened focuses
        its first one once mounted); waits a moment for one, looking again shortly."""
        focused = self.screen.focused
        if focused is not None:
            self._focus_deadline = None
            return True
        now = time.monotonic()
        if self._focus_deadline is None:
            self._focus_deadline = now + FOCUS_PATIENCE
        if now >= self._focus_deadline:
            self._focus_deadline = None
            return True  # a screen with nothing to focus
        self._keys_settling = True
        self.set_timer(FOCUS_POLL, self._settled)
        return False

    def _screen_holds_keys(self) -> bool:
        """Whether the screen asks the keys to wait (``holds_keys()``: Enter in the
        filter gave the list the focus, but the list does not show the filter's
        result yet, so an ``s`` would star the paper the cursor was on before). Looks
        again shortly; never for longer than ``HOLD_PATIENCE``."""
        holds_keys = getattr(self.screen, "holds_keys", None)
        if holds_keys is None or not holds_keys():
            self._hold_deadline = None
            return False
        now = time.monotonic()
        if self._hold_deadline is None:
            self._hold_deadline = now + HOLD_PATIENCE
        if now >= self._hold_deadline:
            return False  # a result that never comes must not swallow the keys
        self._keys_settling = True
        self.set_timer(FOCUS_POLL, self._settled)
        return True

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """A toast, never larger than a few lines: a message quoting a file name, a
        server's words or a link is cut (a 300 KB URL once filled half the screen)."""
        if len(message) > MAX_TOAST_CHARS:
            message = message[: MAX_TOAST_CHARS - 1] + "…"
        super().notify(
            message,
            title=shorten(title, MAX_TOAST_TITLE),
            severity=severity,
            timeout=timeout,
            markup=markup,
        )

    def _remember_theme(self, theme: Theme) -> None:
        try:
            save_theme(theme.name)
        except ConfigError as error:
            self.notify(str(error), title="Theme not saved", severity="warning", markup=False)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if isinstance(screen, LibraryScreen):
            yield from screen.commands()

    def _handle_exception(self, error: Exception) -> None:
        self._crash = error
        super()._handle_exception(error)

    def _fatal_error(self) -> None:
        """A bug stops the app with one line for the command line to print, and the
        traceback in a private log: Textual's own report shows the locals (paper
        text, notes) on the terminal, escape sequences and all."""
        error = self._crash
        if error is None:
            super()._fatal_error()
            return
        log = write_crash_log("".join(traceback.format_exception(error)))
        where = f"the details are in {log}" if log else "run with READER_DEBUG=1 to see where"
        self.failure = shorten(
            f"reader stopped on an unexpected {type(error).__name__}: {error} "
            f"(a bug in reader; {where})",
            MAX_FAILURE_CHARS,
        )
        if os.environ.get("READER_DEBUG"):
            super()._fatal_error()
            return
        self._close_messages_no_wait()

    def on_library_screen_failed(self, event: LibraryScreen.Failed) -> None:
        """Stop: the library cannot be used. The command line prints the reason."""
        self.failure = event.reason
        self.exit(return_code=1)

    def _exit_saved(self) -> None:
        """Exit once every change waiting for a busy library is saved (or said lost)."""
        for screen in self.screen_stack:
            if isinstance(screen, LibraryScreen):
                unsaved = screen.save_waiting_writes()
                if unsaved:
                    changes = "1 change" if len(unsaved) == 1 else f"{len(unsaved)} changes"
                    self.failure = (
                        f"{changes} not saved ({', '.join(unsaved[:5])}): "
                        "the library stayed busy (another process writing to it)"
                    )
        self.exit(return_code=1 if self.failure else 0)

    async def action_quit(self) -> None:
        """Quit, but never throw away a note being edited without asking."""
        editors = [screen for screen in self.screen_stack if isinstance(screen, NoteEditor)]
        if not any(editor.is_modified for editor in editors):
            for editor in editors:
                editor.keep_draft()  # typed back to the note: its draft goes too
            self._exit_saved()
            return
        if isinstance(self.screen, ConfirmDiscard):
            return  # Already asking.

        def answered(answer: Answer | None) -> None:
            if answer not in ("save", "discard"):
                return  # keep editing
            for screen in self.screen_stack:
                if not isinstance(screen, NoteEditor):
                    continue
                if answer == "discard":
                    screen.discard_draft()
                elif screen.is_modified and not screen.save():
                    return  # not saved: a toast says why, and the editor stays open
            self._exit_saved()

        self.push_screen(ConfirmDiscard("Quit and discard the unsaved note?"), answered)
