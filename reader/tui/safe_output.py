"""The terminal rule for the TUI, in one place: every line any widget draws passes here.

Widgets show text from papers, notes, tags, file names, the user name and the
config; any of it may come from a shared or hostile library. Rather than trust each
widget (Textual's ``TextArea`` draws a note's ESC bytes as they are), the app runs
one line filter over every rendered line: whatever a widget drew, no control,
bidi control or zero-width character reaches the terminal, and no link but an
http(s) one is written as an OSC 8 hyperlink.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.color import Color
from textual.filter import LineFilter

from reader.text import safe_url, terminal_text


class TerminalSafe(LineFilter):
    """Drops what could steer the terminal from each segment of a rendered line.

    The characters dropped take no cells (Rich counts them as zero wide), so a
    line keeps its width; a lone surrogate becomes U+FFFD, one cell as it was.
    """

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        cleaned: list[Segment] | None = None
        for index, segment in enumerate(segments):
            text, style, control = segment
            link = style._link if style is not None else None
            if text.isprintable() and (not link or safe_url(link) == link):
                if cleaned is not None:
                    cleaned.append(segment)
                continue
            if cleaned is None:
                cleaned = segments[:index]  # nearly every line has nothing to clean
            if link and safe_url(link) != link and style is not None:
                style = style.update_link(None)
            text = terminal_text(text, lines=False)
            if text or control:
                cleaned.append(Segment(text, style, control))
        return segments if cleaned is None else cleaned
