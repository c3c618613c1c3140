"""Links in notes: only http(s) ones stay links.

A note may come from someone else's export. markdown-it makes a link of any
target (``[x](ssh://host)``, ``<javascript:...>``, an image from ``file://``); this
plugin turns every link and image whose target :func:`reader.text.safe_url`
refuses into its plain text, wherever the note is drawn as Markdown. No Textual.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from reader.text import safe_url


def only_web_links(md: MarkdownIt) -> None:
    """A markdown-it plugin: links and images to anything but http(s) become text."""
    md.core.ruler.push("only_web_links", _plain_other_links)


def note_parser() -> MarkdownIt:
    """The parser notes are shown with: GitHub-like Markdown, web links only."""
    return MarkdownIt("gfm-like").use(only_web_links)


def _plain_other_links(state: StateCore) -> None:
    for block in state.tokens:
        if block.type == "inline" and block.children:
            block.children = _unlinked(block.children)


def _unlinked(tokens: list[Token]) -> list[Token]:
    kept: list[Token] = []
    # For each link open around this point: whether it stays a link.
    links: list[bool] = []
    for token in tokens:
        if token.type == "link_open":
            links.append(_is_web(token.attrGet("href")))
            if links[-1]:
                kept.append(token)
        elif token.type == "link_close":
            if links.pop() if links else True:
                kept.append(token)
        elif token.type == "image" and not _is_web(token.attrGet("src")):
            alt = Token("text", "", 0)
            alt.content = token.content
            kept.append(alt)
        else:
            kept.append(token)
    return kept


def _is_web(target: object) -> bool:
    return isinstance(target, str) and safe_url(target) is not None
