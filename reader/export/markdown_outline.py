"""A note's headings moved below the heading of the paper it belongs to.

A note is the user's own Markdown; its ``# Key idea`` is a top-level heading of its
own. Put under a paper's ``###`` heading as it is, it would end the paper's section
(and its tag's) in every outline and table of contents. :func:`demote_headings`
moves each heading of the note down by the paper's level, as the CommonMark block
parser (markdown-it) finds them, so code blocks and anything else that is not a
heading are never touched:

- an ATX heading (``## Method``) gets more ``#``, at most six (deeper ones stay at six);
- a setext heading (``Method`` underlined with ``===`` or ``---``), which cannot go below
  level 2, is written as the ATX heading of its new level on one line.

Headings inside block quotes and list items move too: they are in the outline as well.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt

# Block structure only: the inline parser is slow and headings are blocks.
_BLOCKS = MarkdownIt("commonmark").disable("inline")
_DEEPEST = 6
# A closing sequence an ATX heading would drop from the end of its text ("C #").
_CLOSING = re.compile(r"(?:^|[ \t])#+[ \t]*$")


def demote_headings(text: str, *, below: int, after: str = "") -> str:
    """``text`` with every heading made deeper than level ``below`` (``# x`` becomes
    level ``below + 1``), at most level six; nothing else changes.

    ``after`` is the Markdown ``text`` will follow (as for
    :func:`~reader.export.markdown_safety.neutralise`): it decides what the first lines
    of ``text`` are. Linear in ``text``.
    """
    if below <= 0 or not any(mark in text for mark in "#=-"):  # no heading can be there
        return text
    if after and not after.endswith("\n"):
        after += "\n"
    skip = after.count("\n")  # the lines of ``after``, left alone
    lines = (after + text).split("\n")
    tokens = _BLOCKS.parse(after + text)
    dropped: set[int] = set()
    for index, token in enumerate(tokens):
        if token.type != "heading_open" or token.map is None or token.map[0] < skip:
            continue
        level = min(int(token.tag[1]) + below, _DEEPEST)
        start, end = token.map
        if token.markup.startswith("#"):
            line = lines[start]
            at = line.index("#")  # containers' markers (> - + * 1.) hold no "#"
            lines[start] = line[:at] + "#" * level + line[at + len(token.markup) :]
            continue
        atx = _setext_as_atx(lines[start], tokens[index + 1].content, level)
        if atx is not None:
            lines[start] = atx
            dropped.update(range(start + 1, end))  # its other lines and the underline
    kept = (line for number, line in enumerate(lines) if number not in dropped)
    return "\n".join(kept)[len(after) :]


def _setext_as_atx(first: str, content: str, level: int) -> str | None:
    """The ATX heading of ``level`` for a setext heading whose first line is ``first``
    and whose text is ``content``, its containers' markers kept; None if the text is
    not found on that line (then the heading is left as it is)."""
    head = content.split("\n", 1)[0]
    at = first.find(head) if head else -1
    if at < 0:
        return None
    title = " ".join(part.strip() for part in content.split("\n"))
    if _CLOSING.search(title):
        title += " #"  # the closing sequence ATX drops, so the text keeps its own "#"
    return f"{first[:at]}{'#' * level} {title}"
