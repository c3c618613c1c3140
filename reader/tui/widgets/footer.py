"""KeyFooter: Textual's Footer, made to fit a narrow terminal."""

from __future__ import annotations

from collections.abc import Iterable

from textual import events
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer

# Not exported by textual.widgets; textual is pinned, and tests/tui/test_layout.py reads
# the footer at 80 and 120 columns.
from textual.widgets._footer import FooterKey


class KeyFooter(Footer):
    """A Footer that turns compact below ``compact_below`` columns, and below
    ``narrow_below`` leaves out the keys of ``optional`` actions, so the keys used
    most still fit in 80 columns (the help screen, ?, lists every key)."""

    DEFAULT_CSS = """
    KeyFooter.-narrow FooterKey.-optional { display: none; }
    """

    def __init__(
        self, *, optional: Iterable[str] = (), compact_below: int = 0, narrow_below: int = 0
    ) -> None:
        super().__init__()
        self._optional = frozenset(optional)
        self._compact_below = compact_below
        self._narrow_below = narrow_below
        # A rebuild asked for and not yet run: the bindings change several times
        # as a screen starts (focus, each widget mounted), and one rebuild, run
        # after them, shows the last of them.
        self._rebuild_pending = False

    def bindings_changed(self, screen: Screen[object]) -> None:
        """Rebuild once for any number of changes before the next refresh (Textual's
        Footer rebuilds for each: five times as the library screen starts)."""
        self._bindings_ready = True
        if not screen.app.app_focus or self._rebuild_pending:
            return
        if self.is_attached and screen is self.screen:
            self._rebuild_pending = True
            self.call_after_refresh(self._rebuild)

    async def _rebuild(self) -> None:
        self._rebuild_pending = False
        await self.recompose()

    def compose(self) -> ComposeResult:
        for widget in super().compose():
            if isinstance(widget, FooterKey) and widget.action in self._optional:
                widget.add_class("-optional")
            yield widget

    def on_resize(self, event: events.Resize) -> None:
        self.compact = event.size.width < self._compact_below
        self.set_class(event.size.width < self._narrow_below, "-narrow")
