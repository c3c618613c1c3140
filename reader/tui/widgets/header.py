"""The header: Textual's, with a title that is redrawn without laying out the screen."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.visual import VisualType
from textual.widgets import Header
from textual.widgets._header import HeaderClock, HeaderClockSpace, HeaderIcon, HeaderTitle


class _Title(HeaderTitle):
    """One row the width of the screen, whatever it says: a new title (the filter's
    count changes it at every key) needs drawing, not a layout of the whole screen."""

    def update(self, content: VisualType = "", *, layout: bool = True) -> None:
        super().update(content, layout=False)


class ReaderHeader(Header):
    """Textual's :class:`Header`, drawn the same."""

    def show_title(self) -> None:
        """Show the screen's title and subtitle as they are now (for a subtitle set
        without telling its watchers)."""
        self.query_one(_Title).update(self.format_title())

    def compose(self) -> ComposeResult:
        yield HeaderIcon().data_bind(Header.icon)
        yield _Title()
        if self._show_clock:
            yield HeaderClock().data_bind(Header.time_format)
        else:
            yield HeaderClockSpace()
