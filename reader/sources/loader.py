"""Bytes from a file or stdin to papers: decoding, detecting the format, parsing.

The format is told by the content, not the file name: XML is an arXiv Atom feed,
JSON is a Hugging Face API response or our own export, ``@entry{`` is BibTeX, and
text with a Daily Papers header is a copied page. ``--format`` skips the guessing.
Parsers are imported only when a file needs them, so the CLI starts fast.
"""

from __future__ import annotations

import codecs
import gc
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from reader.sources import Batch, SourceError

# The line breaks the importers split on, so an error's line matches theirs.
_NEWLINE = re.compile(rb"\r\n|\r|\n")
_TEXT_NEWLINE = re.compile(r"\r\n|\r|\n")
# How much of a file tells UTF-16 without a byte order mark.
_SNIFF_BYTES = 4096

FORMATS = ("auto", "hf-page", "hf-json", "arxiv", "arxiv-snapshot", "bibtex", "reader-json")
KNOWN = (
    "expected a Hugging Face papers page or API JSON, an arXiv Atom feed or metadata "
    "snapshot, BibTeX, or a reader export"
)


def decode(source: str, data: bytes) -> str:
    """Text from UTF-8 (a BOM is dropped) or UTF-16 (with a BOM, or without one when its
    NULs give it away); bad bytes name their line."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode_utf16(source, data, "utf-16")
    codec = utf16_codec(data)
    if codec is not None:
        return _decode_utf16(source, data, codec)
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = len(_NEWLINE.findall(data, 0, error.start)) + 1
        raise SourceError(source, line, "not UTF-8 text") from None


def utf16_codec(data: bytes) -> str | None:
    """``"utf-16-le"`` or ``"utf-16-be"`` when ``data`` is UTF-16 saved without a BOM.

    Papers are mostly ASCII, which UTF-16 writes as a NUL and a byte: a NUL on the
    same side of a third of the byte pairs at the start, and hardly any on the other,
    is UTF-16. UTF-8 text has a NUL only by accident; read as UTF-8, such a file
    would fail at its first accent or, all ASCII, hide a NUL in every other place.
    """
    head = data[:_SNIFF_BYTES]
    pairs = len(head) // 2
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if pairs and odd * 3 >= pairs and even * 10 <= odd:
        return "utf-16-le"
    if pairs and even * 3 >= pairs and odd * 10 <= even:
        return "utf-16-be"
    return None


def _decode_utf16(source: str, data: bytes, codec: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as error:
        # Half a character at the end (a cut file) or a lone surrogate: name its line.
        before = data[: error.start].decode(codec, errors="replace")
        line = len(_TEXT_NEWLINE.findall(before)) + 1
        raise SourceError(source, line, "not valid UTF-16 text") from None


def load(source: str, data: bytes, *, fmt: str = "auto", now: datetime | None = None) -> Batch:
    """Every paper in ``data``, or :class:`SourceError` and nothing."""
    with _cycle_collector_paused():
        return _load(source, data, fmt, now)


@contextmanager
def _cycle_collector_paused() -> Iterator[None]:
    """Parsing a large file makes millions of objects, all kept and none in a cycle:
    the collector would walk them over and over for nothing (a third of the time
    for 100,000 papers). Whatever garbage there is waits for the next collection.

    Another thread's parse may turn it back on before this one ends: that only
    costs the time saved, so the simple on/off is enough.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _load(source: str, data: bytes, fmt: str, now: datetime | None) -> Batch:
    text = decode(source, data)
    if fmt == "auto":
        fmt = detect(source, text)
    if fmt == "hf-page":
        from reader.sources.hf_page import parse_hf_page

        return Batch("hf-page", parse_hf_page(text, source=source, now=now))
    if fmt == "arxiv":
        from reader.sources.arxiv_atom import parse_arxiv_atom

        return parse_arxiv_atom(text, source=source)
    if fmt == "bibtex":
        from reader.sources.bibtex import parse_bibtex

        batch = parse_bibtex(text, source=source)
        if not batch.papers and not batch.skipped and text.strip():
            raise SourceError(source, None, "no BibTeX entries found")
        return batch
    if fmt in ("json", "hf-json", "reader-json", "arxiv-snapshot"):
        return _load_json(source, text, fmt)
    raise SourceError(source, None, f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")


def detect(source: str, text: str) -> str:
    """The format of ``text``, told by its content."""
    head = text.lstrip()
    if not head:
        raise SourceError(source, None, "the file is empty")
    if head.startswith("<"):
        from reader.sources.arxiv_atom import looks_like_arxiv_atom

        if looks_like_arxiv_atom(text):
            return "arxiv"
        raise SourceError(source, 1, "XML, but not an arXiv Atom feed")
    if head[0] in "[{":
        return "json"
    from reader.sources.hf_page import looks_like_hf_page

    if looks_like_hf_page(text):
        return "hf-page"
    from reader.sources.bibtex import looks_like_bibtex

    if looks_like_bibtex(text):
        return "bibtex"
    raise SourceError(source, None, f"not a format reader knows: {KNOWN}")


def _load_json(source: str, text: str, fmt: str) -> Batch:
    from reader.sources.arxiv_snapshot import looks_like_arxiv_snapshot
    from reader.sources.hf_json import looks_like_hf_json, parse_hf_json
    from reader.sources.reader_json import (
        looks_like_reader_json,
        parse_reader_json,
        parse_reader_jsonl,
    )

    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        first = _first_line_object(text)
        if error.msg != "Extra data" or first is None:
            # json counts "\n" only; a file saved with bare "\r" has lines too.
            line = len(_TEXT_NEWLINE.findall(text, 0, error.pos)) + 1
            raise SourceError(source, line, f"not valid JSON: {error.msg}") from None
        # One JSON object per line: our own JSON Lines export, the arXiv metadata
        # snapshot, or Hugging Face items.
        if fmt == "arxiv-snapshot" or (fmt == "json" and looks_like_arxiv_snapshot(first)):
            return _snapshot(_json_lines(source, text))
        if fmt != "hf-json" and (fmt == "reader-json" or looks_like_reader_json(first)):
            return parse_reader_jsonl(text, source=source)
        return parse_hf_json(_json_lines(source, text), source=source)
    except (RecursionError, ValueError):
        # Nesting thousands deep, or a number of thousands of digits.
        raise SourceError(source, None, "not valid JSON: nested too deep or too large") from None
    if fmt == "arxiv-snapshot":
        return _snapshot(data if isinstance(data, list) else [data])
    if fmt == "hf-json":
        if looks_like_reader_json(data) and not looks_like_hf_json(data):
            raise SourceError(source, None, "a reader export, not Hugging Face JSON")
        return parse_hf_json(data, source=source)
    if looks_like_reader_json(data):
        return parse_reader_json(data, source=source)
    if fmt == "reader-json":
        raise SourceError(source, None, 'not a reader export (no "format": "reader")')
    if looks_like_hf_json(data):
        return parse_hf_json(data, source=source)
    raise SourceError(source, None, f"JSON, but not a format reader knows: {KNOWN}")


def _snapshot(records: list[object]) -> Batch:
    """The papers of records of the arXiv metadata snapshot."""
    from reader.sources import batch_of
    from reader.sources.arxiv_snapshot import FORMAT, paper_of_value

    return batch_of(FORMAT, map(paper_of_value, records))


def _first_line_object(text: str) -> object | None:
    """The first non-blank line, when it is a JSON object on its own."""
    for line in _TEXT_NEWLINE.split(text):
        if line.strip():
            try:
                value = json.loads(line)
            except (ValueError, RecursionError):
                return None
            return value if isinstance(value, dict) else None
    return None


def _json_lines(source: str, text: str) -> list[object]:
    """Each non-blank line as a JSON value; a bad line is an error at that line."""
    return [
        json_line(source, number, line)
        for number, line in enumerate(_TEXT_NEWLINE.split(text), start=1)
        if line.strip()
    ]


def json_line(source: str, number: int, line: str) -> object:
    """One line of JSON Lines, or a one-line error naming it."""
    try:
        return json.loads(line)
    except json.JSONDecodeError as error:
        raise SourceError(source, number, f"not valid JSON: {error.msg}") from None
    except (RecursionError, ValueError):
        raise SourceError(source, number, "not valid JSON: nested too deep or too large") from None
