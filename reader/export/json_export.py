"""The reader's own JSON and JSON Lines export: everything needed to restore a library.

A JSON document (``indent=2``)::

    {"format": "reader", "version": 1, "exported_at": "...", "user": "ana",
     "papers": [{...paper fields..., "annotations": {"starred": true,
                 "read_at": "2026-11-26T12:00:00+00:00", "tags": ["a"], "note": "..."}}]}

JSON Lines: the same header without ``papers`` on the first line, then one paper object
per line. Paper objects come from :func:`~reader.sources.reader_json.paper_to_json`, so
:mod:`reader.sources.reader_json` reads them back. Keys keep a fixed order and
non-ASCII text is written as UTF-8, so two exports of the same library diff cleanly.
The note is written exactly as stored: JSON escapes whatever needs it, and what a
terminal would act on (C1 controls, bidi and zero-width characters, U+2028/9) is
written as ``\\uXXXX`` too, so printing an export shows it as it is.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from json.encoder import encode_basestring
from operator import attrgetter, call
from typing import TYPE_CHECKING, Any

from reader.models import Annotation, Paper
from reader.sources.reader_json import FORMAT_NAME, PAPER_KEYS, VERSION, paper_to_json
from reader.text import json_dumps_safe, json_text_safe

if TYPE_CHECKING:
    from reader.store import Library

# What json.dumps(ensure_ascii=False) writes, built once: a JSON Lines export makes
# one call a paper.
_COMPACT = json.JSONEncoder(ensure_ascii=False)
_CONSTANTS = {None: "null", True: "true", False: "false"}
# One level of json.dumps(indent=2); a document's papers are two levels in.
_INDENT = "  "
_PAPER_LEVEL = 2
# Papers per piece of a document written as it is made (see json_pieces).
PIECE = 500


def _header(user: str, exported_at: str) -> dict[str, object]:
    return {"format": FORMAT_NAME, "version": VERSION, "exported_at": exported_at, "user": user}


def _annotations(annotation: Annotation) -> dict[str, object]:
    marks: dict[str, object] = {
        "starred": annotation.starred,
        "read_at": annotation.read_at,
        "tags": list(annotation.tags),
        "note": annotation.note,
    }
    # Only where there is one: files of libraries without dismissals read as before.
    if annotation.dismissed_at is not None:
        marks["dismissed_at"] = annotation.dismissed_at
    return marks


def paper_object(paper: Paper, annotation: Annotation) -> dict[str, object]:
    """One paper's export object: its fields, then the user's ``annotations``."""
    return {**paper_to_json(paper), "annotations": _annotations(annotation)}


def render_json(items: Sequence[tuple[Paper, Annotation]], *, user: str, exported_at: str) -> str:
    """``items`` as one versioned JSON document, ending in a newline.

    The text is ``json_dumps_safe(document, indent=2)`` of the :func:`paper_object`
    of each item, byte for byte, but written a paper at a time (:func:`_paper_text`):
    the standard library indents in pure Python, which took 8 s at 100,000 papers.
    """
    return "".join(json_pieces(items, user=user, exported_at=exported_at))


def json_pieces(
    items: Sequence[tuple[Paper, Annotation]], *, user: str, exported_at: str
) -> Iterator[str]:
    """The text of :func:`render_json`, in pieces of a few hundred papers each, made as
    they are taken: standard output gets them as they come, and a whole library's
    document is never one string (225 MB at 100,000 papers, copied three times)."""
    header = json_dumps_safe(_header(user, exported_at), indent=2)
    # The header without its closing brace, then "papers" as its last key.
    yield f'{header[:-2]},\n{_INDENT}"papers": '
    if not items:
        yield "[]"
    else:
        for start in range(0, len(items), PIECE):
            batch = items[start : start + PIECE]
            each = ",\n".join(json_text_safe(_paper_text(*item)) for item in batch)
            yield f"{',' if start else '['}\n{each}"
        yield f"\n{_INDENT}]"
    yield "\n}\n"


def indented(value: object, level: int = 0) -> str:
    """``json.dumps(value, ensure_ascii=False, indent=2)`` as it reads ``level`` levels
    deep (its lines after the first start with that much more indentation).

    Strings, numbers, booleans and null go through the C encoder one by one; what is
    neither these nor a list, tuple or dict with string keys is left to ``json.dumps``.
    """
    if isinstance(value, str):
        return encode_basestring(value)
    if value is None or isinstance(value, bool):
        return _CONSTANTS[value]
    if isinstance(value, int):
        return int.__repr__(value)  # as json.dumps writes an int, an IntEnum too
    inner = _INDENT * (level + 1)
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        items = f",\n{inner}".join(indented(item, level + 1) for item in value)
        return f"[\n{inner}{items}\n{_INDENT * level}]"
    if isinstance(value, dict) and all(isinstance(key, str) for key in value):
        if not value:
            return "{}"
        members = f",\n{inner}".join(
            f"{encode_basestring(key)}: {indented(item, level + 1)}" for key, item in value.items()
        )
        return f"{{\n{inner}{members}\n{_INDENT * level}}}"
    # Floats and the rest, as json.dumps writes them: each line it adds is indented
    # by the levels above.
    text = json.dumps(value, ensure_ascii=False, indent=len(_INDENT))
    return text.replace("\n", "\n" + _INDENT * level)


class _ByType(dict[type, Callable[[Any], str]]):
    """How a paper's field value is written, by its type: the text of :func:`indented`
    a paper's field deep, mostly by C functions (no Python call for a string)."""

    def __missing__(self, kind: type) -> Callable[[Any], str]:
        return _field_value


def _field_value(value: object) -> str:
    return indented(value, _PAPER_LEVEL + 1)


def _strings(value: list[Any] | tuple[Any, ...]) -> str:
    """A list field (authors, categories, keywords): strings, one a line."""
    if not value or not all(type(item) is str for item in value):
        return _field_value(value)
    inner = _INDENT * (_PAPER_LEVEL + 2)
    items = f",\n{inner}".join(map(encode_basestring, value))
    return f"[\n{inner}{items}\n{_INDENT * (_PAPER_LEVEL + 1)}]"


_FIELD_WRITERS = _ByType(
    {
        str: encode_basestring,
        type(None): _CONSTANTS.__getitem__,
        bool: _CONSTANTS.__getitem__,
        int: int.__repr__,
        tuple: _strings,
        list: _strings,
    }
)
_PAPER_VALUES = attrgetter(*PAPER_KEYS)
# Each field's key as written before its value, after the comma ending the one before.
_FIELD_STARTS = tuple(
    f"{',' if index else ''}\n{_INDENT * (_PAPER_LEVEL + 1)}{encode_basestring(key)}: "
    for index, key in enumerate(PAPER_KEYS)
)


def _marks_text(annotation: Annotation) -> str:
    no_marks = annotation.starred is False and annotation.read_at is None
    if no_marks and annotation.tags == () and annotation.note == "" and not annotation.dismissed_at:
        return _NO_MARKS_TEXT  # most papers of a whole library
    return indented(_annotations(annotation), _PAPER_LEVEL + 1)


_NO_MARKS_TEXT = indented(_annotations(Annotation(0)), _PAPER_LEVEL + 1)


def _paper_text(paper: Paper, annotation: Annotation) -> str:
    """``indented(paper_object(paper, annotation), 2)`` as it stands in the document's
    list of papers (indented), with no dict built and no Python call a field but for a
    list: a whole export is 100,000 of these."""
    values = _PAPER_VALUES(paper)
    written = map(call, map(_FIELD_WRITERS.__getitem__, map(type, values)), values)
    fields = "".join(map(str.__add__, _FIELD_STARTS, written))
    inner = _INDENT * (_PAPER_LEVEL + 1)
    marks = _marks_text(annotation)
    outer = _INDENT * _PAPER_LEVEL
    return f'{outer}{{{fields},\n{inner}"annotations": {marks}\n{outer}}}'


def render_jsonl(items: Sequence[tuple[Paper, Annotation]], *, user: str, exported_at: str) -> str:
    """``items`` as JSON Lines: a header line, then one paper object per line."""
    lines = [_header(user, exported_at), *(_paper_line(*item) for item in items)]
    # JSON escapes \n and \r inside strings, so each object stays on its line.
    return "".join(json_text_safe(_COMPACT.encode(line)) + "\n" for line in lines)


def _paper_line(paper: Paper, annotation: Annotation) -> dict[str, object]:
    """:func:`paper_object`, but built in one step: its tuples stay tuples, which
    JSON writes as the lists they become there."""
    line = dict(zip(PAPER_KEYS, _PAPER_VALUES(paper), strict=True))
    line["annotations"] = _annotations(annotation)
    return line


# What SQLite writes of each paper (see stored_json_pieces): the start of
# _paper_text, the fields as JSON in the text around them, up to the annotations.
_STORED_TEMPLATE = "".join(
    (
        f"{_INDENT * _PAPER_LEVEL}{{",
        *(f"{start.replace('%', '%%')}%s" for start in _FIELD_STARTS),
        f',\n{_INDENT * (_PAPER_LEVEL + 1)}"annotations": ',
    )
)
# A list field's strings, as _strings writes them: opening, between two, closing.
_STORED_LISTS = (
    f"[\n{_INDENT * (_PAPER_LEVEL + 2)}",
    f",\n{_INDENT * (_PAPER_LEVEL + 2)}",
    f"\n{_INDENT * (_PAPER_LEVEL + 1)}]",
)
_PAPER_END = f"\n{_INDENT * _PAPER_LEVEL}}}"


def stored_json_pieces(
    library: Library,
    chosen: Sequence[int],
    marks: Mapping[int, Annotation],
    *,
    user: str,
    exported_at: str,
) -> Iterator[bytes]:
    """The UTF-8 text of :func:`render_json` of the papers ``chosen`` (ids, in the
    order written) with their ``marks``, as ``library`` holds them, in pieces of
    :data:`PIECE` papers made as they are taken, byte for byte.

    SQLite writes each paper's fields as JSON (:meth:`Library.papers_json
    <reader.store.library.Library.papers_json>`), as the file holds them: no
    :class:`Paper` is made, nothing is decoded but a paper with text beyond ASCII
    (to check it is printable and valid UTF-8), and the annotations are added here.
    A paper whose lists SQLite leaves alone (not plain arrays of strings) is read
    whole and written by :func:`_paper_text`. At 100,000 papers this takes a third
    of the time :func:`json_pieces` of the papers read whole does.
    """
    from reader.store.rows import NOT_WRITTEN

    header = json_dumps_safe(_header(user, exported_at), indent=2)
    yield f'{header[:-2]},\n{_INDENT}"papers": '.encode()
    between = b",\n"
    plain_ending = (_NO_MARKS_TEXT + _PAPER_END).encode()
    opening = b"["  # before the first paper; then a comma before each
    for start in range(0, len(chosen), PIECE):
        batch = chosen[start : start + PIECE]
        written = library.papers_json(batch, PAPER_KEYS, _STORED_TEMPLATE, _STORED_LISTS)
        left = [paper_id for paper_id in batch if NOT_WRITTEN in written.get(paper_id, b"")]
        whole = {paper.id: paper for paper in library.papers_by_id(left)} if left else {}
        out: list[bytes] = []
        for paper_id in batch:
            text = written.get(paper_id)
            if text is None:
                continue  # removed since the ids were read
            mark = marks.get(paper_id)
            out.append(opening + b"\n" if opening else between)
            opening = b""
            if paper_id in whole:
                paper_text = _paper_text(whole[paper_id], mark or Annotation(paper_id))
                out.append(json_text_safe(paper_text).encode())
                continue
            if not text.isascii() or b"\x7f" in text:
                text = _printable(text)
            out.append(text)
            if mark is None:
                out.append(plain_ending)
            else:
                out.append(json_text_safe(_marks_text(mark) + _PAPER_END).encode())
        yield b"".join(out)
    yield b"[]\n}\n" if opening else f"\n{_INDENT}]\n}}\n".encode()


def _printable(text: bytes) -> bytes:
    """A paper's JSON ``text`` as SQLite wrote it, made safe to print as
    :func:`json_text_safe` makes it, and what is not UTF-8 made U+FFFD as the store
    reads it (see :func:`reader.store.typed.fetch_all`)."""
    # The whole text checked as UTF-8 first: the bytes beyond ASCII of two fields
    # (b"\xe4" in one, b"\x80\x80" in the next) can make a valid character together.
    try:
        decoded = text.decode()
    except UnicodeDecodeError:
        return json_text_safe(text.decode(errors="replace")).encode()
    # Nearly always every character beyond ASCII is printable: told by a C scan of
    # those alone (UTF-8 writes them with bytes above 127 only), not a pattern's
    # walk through the whole paper.
    if text.translate(None, _PLAIN_JSON_BYTES).decode().isprintable():
        return text
    safe = json_text_safe(decoded)
    return text if safe == decoded else safe.encode()


# What json_text_safe leaves as it is without looking further: printable ASCII and
# line breaks.
_PLAIN_JSON_BYTES = bytes(range(0x20, 0x7F)) + b"\n"
