"""Large inputs read as they arrive, a paper at a time, in memory that stays flat
however large the file: a JSON array of Hugging Face items, JSON Lines (Hugging
Face items, or records of the arXiv metadata snapshot), and an arXiv Atom feed.

Every other input (a page copied as text, a lone Atom entry, BibTeX, a reader export,
a single JSON object, UTF-16 text) is small or cannot be cut into papers as it is read:
:func:`open_stream` says so and the caller reads it whole (:func:`reader.sources.loader.load`).
A streamed file is told and checked as :func:`~reader.sources.loader.load` does it
and its errors are the same one line, naming the file and the line; but they come
as the papers are read, so the importer undoes what it wrote before them.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Callable, Collection, Iterator
from typing import BinaryIO

from reader.models import Paper
from reader.sources import SourceError, in_categories
from reader.sources.loader import KNOWN, json_line, utf16_codec

# How much is read at a time.
CHUNK_BYTES = 1 << 20
# JSON's own whitespace (other spaces are errors to its parser too).
_JSON_SPACE = " \t\n\r"
_BYTE_SPACE = b" \t\n\r"
# An error this close to the end of what is read may only mean the value goes on.
_NEAR_END = 32
_decoder = json.JSONDecoder()
# The formats read so, as ``--format`` names them.
STREAMED = ("auto", "hf-json", "arxiv-snapshot", "arxiv")


class LeftOut:
    """An item of a stream left out by the category filter (not counted as skipped)."""


LEFT_OUT = LeftOut()
Item = Paper | LeftOut | None


class PaperStream:
    """The papers of one input, read as they are iterated (once); ``skipped`` counts
    the items that were not papers so far, ``left_out`` those in none of the
    ``categories`` asked for (when any are)."""

    def __init__(
        self, format: str, items: Iterator[Item], categories: Collection[str] = ()
    ) -> None:
        self.format = format
        self.skipped = 0
        self.left_out = 0
        self._items = items
        self._categories = categories

    def __iter__(self) -> Iterator[Paper]:
        wanted = self._categories
        for paper in self._items:
            if paper is None:
                self.skipped += 1
            elif isinstance(paper, LeftOut) or (
                wanted and not in_categories(paper.categories, wanted)
            ):
                self.left_out += 1
            else:
                yield paper


def open_stream(
    source: str, f: BinaryIO, *, fmt: str = "auto", categories: Collection[str] = ()
) -> PaperStream | bytes:
    """The papers of the input ``f`` (only those in one of ``categories``, if any are
    given), streamed; or, when it is not a format read so, the bytes read of it so
    far (the caller reads the rest and loads it whole)."""
    head = f.read(CHUNK_BYTES)
    if fmt not in STREAMED or not head:
        return head
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or utf16_codec(head):
        return head
    text = head.removeprefix(codecs.BOM_UTF8)
    start = text.lstrip(_BYTE_SPACE)[:1]
    if start == b"<" and fmt in ("auto", "arxiv"):
        from reader.sources.arxiv_atom import SNIFF_CHARS, stream_arxiv_atom, streams_as_feed

        # Enough to see the feed's own tag, its namespace with it.
        while len(text) < SNIFF_CHARS and (more := f.read(CHUNK_BYTES)):
            head += more
            text += more
        if not streams_as_feed(text.decode("utf-8", "replace")):
            return head  # a lone entry, or not Atom: the loader says which
        papers = stream_arxiv_atom(source, _texts(source, text, f))
        return PaperStream("arxiv", papers, categories)
    if start == b"[" and fmt not in ("arxiv-snapshot", "arxiv"):
        items = _hf_array(source, text, f, checked=fmt == "auto")
        return PaperStream("hf-json", items, categories)
    if start != b"{" or fmt == "arxiv":
        return head
    while (lines := _is_json_lines(text, eof=False)) is None:
        more = f.read(max(CHUNK_BYTES, len(head)))
        head += more
        text += more
        if not more:
            lines = _is_json_lines(text, eof=True)
            break
    if not lines:
        return head
    return _json_lines(source, text, f, fmt, categories)


# --- a JSON array, a value at a time -------------------------------------------------


class _Window:
    """The text of a file from the value being read on, decoded as it is read."""

    def __init__(self, source: str, head: bytes, rest: BinaryIO) -> None:
        self.source = source
        self._rest = rest
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self._lines = 0  # line breaks in the text already dropped
        self.text = ""
        self.pos = 0
        self.eof = False
        self._add(head, final=False)

    def more(self) -> bool:
        """Read on (as much again as the window holds: a long value is read in a few
        steps, not in a step per megabyte); False at the end of the file."""
        if self.eof:
            return False
        data = self._rest.read(max(CHUNK_BYTES, len(self.text) - self.pos))
        self.eof = not data
        self._add(data, final=self.eof)
        return True

    def _add(self, data: bytes, *, final: bool) -> None:
        try:
            text = self._decoder.decode(data, final)
        except UnicodeDecodeError as error:
            line = self.line_at(len(self.text)) + _breaks(
                data[: error.start].decode("utf-8", "replace")
            )
            raise SourceError(self.source, line, "not UTF-8 text") from None
        # Drop what was read: the window starts at the value being read.
        self._lines += _breaks(self.text, self.pos)
        self.text = self.text[self.pos :] + text
        self.pos = 0

    def line_at(self, pos: int) -> int:
        """The line (from 1) of position ``pos`` of the window."""
        return self._lines + _breaks(self.text, pos) + 1

    def skip_space(self) -> str:
        """The next character that is not whitespace ("" at the end), not taken."""
        while True:
            text, pos = self.text, self.pos
            while pos < len(text) and text[pos] in _JSON_SPACE:
                pos += 1
            self.pos = pos
            if pos < len(text):
                return text[pos]
            if not self.more():
                return ""

    def value(self) -> object:
        """The JSON value at the window's position, taken."""
        while True:
            try:
                value, end = _decoder.raw_decode(self.text, self.pos)
            except json.JSONDecodeError as error:
                cut_short = error.pos >= len(self.text) - _NEAR_END or error.msg.startswith(
                    "Unterminated string"
                )
                if cut_short and self.more():
                    continue
                raise self.error(error.pos, f"not valid JSON: {error.msg}") from None
            except (RecursionError, ValueError):
                raise self.error(self.pos, "not valid JSON: nested too deep or too large") from None
            if end >= len(self.text) and self.more():
                continue  # a number may go on in what comes next
            self.pos = end
            return value

    def error(self, pos: int, message: str) -> SourceError:
        return SourceError(self.source, self.line_at(pos), message)


def _texts(source: str, head: bytes, rest: BinaryIO) -> Iterator[str]:
    """The text of a file, a chunk at a time, as UTF-8 is decoded; bad bytes name
    their line, as the loader does."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    lines = 0
    data, final = head, False
    while True:
        try:
            text = decoder.decode(data, final)
        except UnicodeDecodeError as error:
            line = lines + _breaks(data[: error.start].decode("utf-8", "replace")) + 1
            raise SourceError(source, line, "not UTF-8 text") from None
        lines += _breaks(text)
        yield text
        if final:
            return
        data = rest.read(CHUNK_BYTES)
        final = not data


def _breaks(text: str, end: int | None = None) -> int:
    """The line breaks in ``text`` (up to ``end``): ``\\r\\n``, ``\\r`` or ``\\n``, as the
    loader counts them."""
    count = text.count("\n", 0, end)
    if "\r" in text:
        count += text.count("\r", 0, end) - text.count("\r\n", 0, end)
    return count


def _hf_array(source: str, head: bytes, rest: BinaryIO, *, checked: bool) -> Iterator[Item]:
    """Each item of a JSON array as a paper (``None``: not one); with ``checked``, the
    first few items must look like Hugging Face's, as the loader asks of a whole file."""
    from reader.sources.hf_json import SNIFF_ITEMS, looks_like_hf_json, paper_of_item

    window = _Window(source, head, rest)
    window.skip_space()
    window.pos += 1  # the "["
    values = _array_values(window)
    first = [value for _, value in zip(range(SNIFF_ITEMS), values, strict=False)]
    if checked and not looks_like_hf_json(first):
        raise SourceError(source, None, f"JSON, but not a format reader knows: {KNOWN}")
    for value in first:
        yield paper_of_item(value)
    for value in values:
        yield paper_of_item(value)


def _array_values(window: _Window) -> Iterator[object]:
    """The values of the array whose "[" was just taken, then the end of the file."""
    if window.skip_space() == "]":
        window.pos += 1
    else:
        while True:
            if window.skip_space() == "":
                raise window.error(window.pos, "not valid JSON: Expecting value")
            yield window.value()
            after = window.skip_space()
            window.pos += 1
            if after == "]":
                break
            if after != ",":
                raise window.error(window.pos - 1, "not valid JSON: Expecting ',' delimiter")
    if window.skip_space():
        raise window.error(window.pos, "not valid JSON: Extra data")


# --- JSON Lines, a line at a time ----------------------------------------------------


def _is_json_lines(head: bytes, *, eof: bool) -> bool | None:
    """Whether the file starting with ``head`` is JSON Lines: a first line that is a
    JSON object on its own, and something after it; ``None`` when more must be read
    to tell. Otherwise it is one JSON document (an error in one, at worst)."""
    lines = iter(head.splitlines(keepends=True))
    for line in lines:
        if not line.strip(_BYTE_SPACE):
            continue
        if not eof and not line.endswith((b"\n", b"\r")):
            return None  # the first line is not all here yet
        if _first_object(line) is None:
            return False
        if any(rest.strip(_BYTE_SPACE) for rest in lines):
            return True
        return None if not eof else False
    return None if not eof else False


def _json_lines(
    source: str, head: bytes, rest: BinaryIO, fmt: str, categories: Collection[str]
) -> PaperStream | bytes:
    """A stream of the values of a JSON Lines file (Hugging Face items, or records
    of the arXiv snapshot), or ``head`` when it is a reader export (read whole,
    marks and all)."""
    from reader.sources.arxiv_snapshot import looks_like_arxiv_snapshot, record_reader
    from reader.sources.hf_json import paper_of_item
    from reader.sources.reader_json import looks_like_reader_json

    first = _first_object(head.lstrip(_BYTE_SPACE).splitlines()[0])
    if fmt == "auto" and looks_like_reader_json(first):
        return head
    if fmt == "arxiv-snapshot" or (fmt == "auto" and looks_like_arxiv_snapshot(first)):
        # The records' own categories filter them before they are made papers.
        items = _values(source, _lines(head, rest), record_reader(categories))
        return PaperStream("arxiv-snapshot", items)
    return PaperStream("hf-json", _values(source, _lines(head, rest), paper_of_item), categories)


def _first_object(line: bytes) -> object:
    """The first line's JSON object, or ``None`` when it is not one on its own."""
    try:
        value = json.loads(line)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def _values(
    source: str, lines: Iterator[tuple[int, bytes]], read: Callable[[object], Item]
) -> Iterator[Item]:
    """Each non-blank line's value, as ``read`` makes a paper of it; a bad line is an
    error at that line."""
    for number, line in lines:
        if not line.strip(_BYTE_SPACE):
            continue
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            raise SourceError(source, number, "not UTF-8 text") from None
        yield read(json_line(source, number, text))


def _lines(head: bytes, rest: BinaryIO) -> Iterator[tuple[int, bytes]]:
    """Each line of the file (numbered from 1) without its break: ``\\r\\n``, ``\\r``
    or ``\\n``, as the loader splits lines."""
    buffer, number, eof = head, 0, False
    while not eof:
        data = rest.read(max(CHUNK_BYTES, len(buffer)))
        eof = not data
        buffer += data
        if eof:
            cut = len(buffer)
        else:
            # A "\r" at the end may be the first half of "\r\n": it waits for the next.
            end = len(buffer) - 1 if buffer.endswith(b"\r") else len(buffer)
            cut = max(buffer.rfind(b"\n", 0, end), buffer.rfind(b"\r", 0, end)) + 1
            if cut == 0:
                continue  # a line longer than the buffer: read on
        for line in buffer[:cut].splitlines():
            number += 1
            yield number, line
        buffer = buffer[cut:]
