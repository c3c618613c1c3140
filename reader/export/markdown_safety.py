"""A note made safe to hand to a Markdown viewer: no raw HTML, no link but http(s).

A note may come from someone else's export, and a Markdown viewer (Obsidian, a
browser's preview, a static site) would run its ``<script>``, its ``<img onerror>``,
its ``javascript:`` links. :func:`neutralise` keeps the note's Markdown as written
(lists, emphasis, code, http(s) links) and changes only what is not safe:

- ``<`` that could open HTML (a tag, a comment, a declaration, an autolink that is not
  http(s)) becomes ``&lt;``, outside code: code blocks, fenced or indented, are kept
  as written, and so are code spans when that can be checked (see below);
- a link or image whose target is not http(s) loses its ``]`` (``&#93;``), so it is
  plain text; a link reference definition of such a target loses its ``[``.

Where code is comes from markdown-it's block parser (fast; the inline parser is slow
on some inputs, see ``_VERIFY_LIMIT``). Code spans are found here, the CommonMark way.
Making HTML inert can change the structure around it (an HTML block becomes a
paragraph, a code block after it may be code no more), so the result is parsed and
made safe again until nothing changes. When code spans were kept as written, the
whole result is then parsed, inline too, and must hold no HTML and no bad link; a
note too large for that check keeps no code span as written. When that does not
settle in a few rounds, every ``<`` and ``[`` becomes an entity, code included: safe
in any parse.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.token import Token

# Notes up to this size may keep their code spans as written: checking the result
# takes markdown-it's inline parser, which is slow (tens of microseconds a character)
# on text like "[[[[[".
_VERIFY_LIMIT = 64 * 1024
# Rounds of "make safe, parse again": one more when the first changed the structure.
_ROUNDS = 3
_SAFE_TARGET = re.compile(r"https?://", re.IGNORECASE)
# What can make a "<" HTML or an autolink: a tag, "/", "!", "?", an e-mail address.
_OPENS_HTML = r"<(?=[A-Za-z/!?]|[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@)"
# The "](" that opens a link's target, unless the target (past spaces and at most one
# line break, maybe in <>) is http(s).
_UNSAFE_TARGET = r"\]\((?![ \t]*(?:\n[ \t]*)?<?(?i:https?://))"
# Outside code, what may need a change, and the escapes ("\\<", "\\]") that say not;
# only these are visited, so a note of nothing else is scanned at the regex's speed.
_INLINE = re.compile(rf"\\[\\<\]]|{_OPENS_HTML}|{_UNSAFE_TARGET}")
# The same, and the backtick runs that open and close code spans.
_INLINE_AND_SPANS = re.compile(rf"\\[\\<\]`]|`+|{_OPENS_HTML}|{_UNSAFE_TARGET}")
_HTTP_AUTOLINK = re.compile(r"<https?://[^<>\x00-\x20]*>", re.IGNORECASE)
_CODE_BLOCKS = ("fence", "code_block")


class _Parser(MarkdownIt):
    """CommonMark, with every link a link: which targets are fine is decided here."""

    def validateLink(self, url: str) -> bool:
        return True


# Block structure only: definitions come out as tokens, with their lines.
_BLOCKS = _Parser("commonmark", {"inline_definitions": True}).disable("inline")
_FULL = _Parser("commonmark", {"inline_definitions": True})


@dataclass(frozen=True, slots=True)
class SafeNote:
    """A note made safe, and the fence (its markup) left open at its end, if any."""

    text: str
    open_fence: str | None = None


def neutralise(note: str, *, after: str = "") -> SafeNote:
    """``note`` (controls already stripped) without raw HTML or links but http(s).

    ``after`` is the Markdown the note will follow, which decides what the note's
    first lines are (after a list item, an indented line continues the item): a few
    lines with its structure are enough, and it must hold nothing to make safe.
    """
    if after and not after.endswith("\n"):
        after += "\n"
    safe = _neutralise(after + note.replace("\r\n", "\n").replace("\r", "\n"))
    if not safe.text.startswith(after):
        raise ValueError(f"not a context to follow: {after!r}")
    return SafeNote(safe.text[len(after) :], safe.open_fence)


def _neutralise(text: str) -> SafeNote:
    keep_spans = len(text) <= _VERIFY_LIMIT
    done = _rounds(text, keep_spans=keep_spans)
    if done is not None and done[2]:  # code spans kept as written: check the whole result
        tokens = _FULL.parse(done[0])
        if not _all_safe(tokens):
            done = _rounds(text, keep_spans=False)
    if done is None:
        strict = text.replace("<", "&lt;").replace("[", "&#91;")
        return SafeNote(strict, _open_fence(strict, _BLOCKS.parse(strict)))
    return SafeNote(done[0], _open_fence(done[0], done[1]))


def _rounds(text: str, *, keep_spans: bool) -> tuple[str, list[Token], bool] | None:
    """Make ``text`` safe until a pass over it as it parses changes nothing: the text,
    its block tokens, whether a code span was kept with HTML or a link in it; None when
    that takes too many rounds."""
    tokens = _BLOCKS.parse(text)
    kept = False
    for _ in range(_ROUNDS):
        new_text, kept_now = _make_safe(text, tokens, keep_spans=keep_spans)
        kept = kept or kept_now
        if new_text == text:
            return text, tokens, kept  # safe as it parses now: done
        # What changed may change the structure (an HTML block is a paragraph now, and
        # the code block after it may not be code any more): parse and look again.
        text = new_text
        tokens = _BLOCKS.parse(text)
    return None


def _code_lines(tokens: Iterable[Token]) -> set[int]:
    return {
        line
        for token in tokens
        if token.type in _CODE_BLOCKS and token.map
        for line in range(*token.map)
    }


def _make_safe(text: str, tokens: Sequence[Token], *, keep_spans: bool) -> tuple[str, bool]:
    """One pass over ``text``, whose block ``tokens`` are given; and whether a code
    span with HTML or a link in it was kept as written."""
    lines = text.split("\n")
    done = _code_lines(tokens)
    kept = False
    for token in tokens:
        if token.map is None or token.map[0] in done:
            continue
        start, end = token.map
        if token.type == "definition" and not _SAFE_TARGET.match(str(token.meta["url"])):
            lines[start] = lines[start].replace("[", "&#91;", 1)
        if token.type == "inline":
            segment = "\n".join(lines[start:end])
            # A "|" may make the line a table for GFM viewers, which split cells first.
            safe, kept_here = _inline(segment, keep_spans=keep_spans and "|" not in segment)
            lines[start:end] = safe.split("\n")
            kept = kept or kept_here
            done.update(range(start, end))
    for number, line in enumerate(lines):
        if number not in done:  # HTML blocks, definitions, rules, blank lines
            lines[number] = _inline(line, keep_spans=False)[0]
    return "\n".join(lines), kept


def _inline(text: str, *, keep_spans: bool) -> tuple[str, bool]:
    """``text`` with ``<`` that opens HTML escaped and links to other than http(s)
    made plain text; code spans kept as written with ``keep_spans``. Also whether a
    kept code span holds a ``<`` or ``](``. Linear in ``text``."""
    spans = _CodeSpans(text) if keep_spans else None
    out: list[str] = []
    copied = 0  # text[:copied] is in out
    skip_to = 0  # text before it is settled (a code span, an autolink)
    kept = False
    for match in (_INLINE_AND_SPANS if spans else _INLINE).finditer(text):
        at = match.start()
        if at < skip_to:
            continue
        token = match[0]
        if token[0] == "`":
            end = spans.closing(at, len(token)) if spans else None
            if end is not None:
                inside = text[match.end() : end]
                kept = kept or "<" in inside or "](" in inside
                skip_to = end + len(token)
        elif token == "<":
            autolink = _HTTP_AUTOLINK.match(text, at)
            if autolink:
                skip_to = autolink.end()  # backticks in it open no code span
            else:
                out.append(text[copied:at] + "&lt;")
                copied = at + 1
        elif token == "](":
            out.append(text[copied:at] + "&#93;")
            copied = at + 1
    out.append(text[copied:])
    return "".join(out), kept


class _CodeSpans:
    """Where each backtick run of a text closes a code span: at the next run of the
    same length (CommonMark), found without rescanning the text for each run."""

    def __init__(self, text: str) -> None:
        self._runs: dict[int, list[int]] = {}
        for run in re.finditer("`+", text):
            self._runs.setdefault(len(run[0]), []).append(run.start())
        self._next: dict[int, int] = dict.fromkeys(self._runs, 0)

    def closing(self, start: int, length: int) -> int | None:
        """Where the run of ``length`` backticks at ``start`` is closed, or None."""
        runs = self._runs.get(length, [])
        index = self._next.get(length, 0)
        while index < len(runs) and runs[index] <= start:
            index += 1
        self._next[length] = index
        return runs[index] if index < len(runs) else None


def _all_safe(tokens: Iterable[Token]) -> bool:
    """No HTML and no link, image or definition whose target is not http(s)."""
    for token in tokens:
        if token.type in ("html_block", "html_inline"):
            return False
        target = token.attrs.get("href", token.attrs.get("src"))
        if token.type == "definition":
            target = str(token.meta["url"])
        if target is not None and not _SAFE_TARGET.match(str(target)):
            return False
        if token.children and not _all_safe(token.children):
            return False
    return True


def _open_fence(text: str, tokens: Sequence[Token]) -> str | None:
    """The markup of a fence at the top level that ``text`` leaves open, or None."""
    last = next((t for t in reversed(tokens) if t.level == 0 and t.map), None)
    if last is None or last.type != "fence" or last.map is None:
        return None
    lines = text.split("\n")
    start, end = last.map
    if any(line.strip(" \t") for line in lines[end:]):
        return None  # closed: something follows
    closer = lines[end - 1].strip(" \t") if end - 1 > start else ""
    mark = last.markup
    is_closer = closer.startswith(mark) and not closer.strip(mark[0])
    indented = len(lines[end - 1]) - len(lines[end - 1].lstrip(" ")) > 3
    return None if is_closer and not indented else mark
