"""The command palette's "Open paper: ...", over the filter's own fuzzy index."""

from __future__ import annotations

import asyncio
import re
from functools import partial
from typing import TYPE_CHECKING

from textual.command import Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher

from reader.text import one_line

if TYPE_CHECKING:
    from reader.tui.screens.library import LibraryScreen

# The palette shows a handful of hits; more only costs time.
MAX_HITS = 30
PREFIX = "Open paper: "
# "open paper", then a colon or a space (or nothing more): the rest names the paper.
_OPEN_PAPER = re.compile(r"open papers?(?::|\s|$)", re.IGNORECASE)
# Typed this far, "open paper" is likelier than any other command.
_STARTS_PHRASE = "open p"


class PaperCommands(Provider):
    """Jump to any paper by typing part of its title."""

    def _library_screen(self) -> LibraryScreen | None:
        from reader.tui.screens.library import LibraryScreen

        screen = self.screen
        return screen if isinstance(screen, LibraryScreen) else None

    async def search(self, query: str) -> Hits:
        screen = self._library_screen()
        if screen is None:
            return
        asked = paper_query(query)
        if asked is None:
            return
        text, weight = asked
        # The filter's own index and ranking, off the event loop: a large library
        # takes a while to search, and the palette must keep taking keys.
        found = await asyncio.to_thread(screen.find_papers, text, MAX_HITS)
        matcher = self.matcher(query)
        for rank, (paper_id, title) in enumerate(found):
            label = f"{PREFIX}{one_line(title)}"
            # Best first, above the commands whose names merely share a letter or two.
            score = weight * (1.0 - rank / (2 * MAX_HITS))
            yield Hit(
                score, _highlight(matcher, label), partial(screen.go_to_paper, paper_id), text=label
            )


def paper_query(query: str) -> tuple[str, float] | None:
    """What to find papers by, for what was typed in the palette, and how far above the
    commands to rank them (1: first, 0.5: after the commands that match well).

    After "open paper" ("Open paper: grokking", "open papers grokking"), the words that
    follow; the phrase alone, or a start of it from "open p" on, gives the newest papers
    (below "Open PDF" while it could still be that); anything else is searched as typed.
    None: nothing to search for.
    """
    text = " ".join(query.split())
    asked = _OPEN_PAPER.match(text)
    if asked:
        return text[asked.end() :].strip(), 1.0
    folded = text.casefold().rstrip(":")
    if len(folded) >= len(_STARTS_PHRASE) and PREFIX.casefold().startswith(folded):
        return "", 0.5
    return (text, 1.0) if text else None


def _highlight(matcher: Matcher, label: str) -> Content:
    """``label`` as plain text with the matched letters picked out.

    Not ``Matcher.highlight``: that parses its candidate as markup, and a title is data.
    """
    content = Content(label)
    _score, offsets = matcher.fuzzy_search.match(matcher.query, label)
    for offset in offsets:
        content = content.stylize("bold underline", offset, offset + 1)
    return content
