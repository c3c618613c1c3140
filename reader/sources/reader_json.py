"""Import the reader's own JSON export (format version 1).

A JSON document::

    {"format": "reader", "version": 1, "exported_at": "2026-11-26T12:00:00Z",
     "user": "ana",
     "papers": [{"title": ..., "arxiv_id": "2409.11074", "arxiv_version": 2,
                 "authors": ["Ana Silva", ...], "categories": ["cs.CV"], ...,
                 "annotations": {...}}]}

or JSON Lines: one paper object per line, optionally after a header line that is
the document above without ``papers``. Concatenated exports (a header again
further down) read as one.

A paper object holds the fields of :class:`~reader.models.Paper` under their
attribute names, tuples as lists, ``null`` for nothing, as :func:`paper_to_json`
writes them. The library row ``id`` is never read: it means nothing in another
library. Unknown keys are ignored, so a later version 1 exporter may add some; a
``version`` above 1 is refused rather than half understood. A paper object
without a usable title is skipped and counted. Values are cleaned as on any
import: text on one line without controls, URLs http(s) only, wrong types dropped.

A paper object may carry the exporting user's marks on it::

    "annotations": {"starred": true, "read_at": "2026-11-26T12:00:00+00:00",
                    "tags": ["a", "b"], "note": "Markdown..."}

They become the batch's :class:`~reader.sources.ImportedMark` for that paper.
Each key is read on its own, a wrong type dropping only that key: ``starred``
must be ``true`` to star, ``read_at`` an ISO timestamp (date and time) or
``null``, ``tags`` a list of strings (normalised as the library stores tags),
``dismissed_at`` (written only for a paper marked not interested) a timestamp.
The note is the user's own text and is kept exactly as written, line breaks,
tabs and all; only what no database can store (NUL, lone surrogates) goes.
Annotations that mark nothing give no mark.

The parsers never raise anything but :class:`~reader.sources.SourceError`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import fields, replace
from datetime import datetime

from reader.models import Paper, normalise_tags
from reader.sources import Batch, ImportedMark, SourceError, brief
from reader.sources.hf_json import (
    json_arxiv_id,
    json_count,
    json_date,
    json_strings,
    json_text,
    json_url,
)

FORMAT_NAME = "reader"
VERSION = 1
# The Paper attributes an export holds: all but the library row id.
PAPER_KEYS = tuple(f.name for f in fields(Paper) if f.name != "id")

# The line breaks the loader counts, so a JSONL error names the same line.
_NEWLINE = re.compile(r"\r\n|\r|\n")
# What SQLite text cannot hold: NUL ends a C string, a lone surrogate is no UTF-8.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# An ISO timestamp as reader writes one ("2026-11-26T12:00:00+00:00"), or near it:
# a date and a time, seconds and fraction optional, "Z" or an offset or neither.
_TIMESTAMP = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?"
    r"(?:Z|[+-][0-9]{2}:[0-9]{2})?"
)


def paper_to_json(paper: Paper) -> dict[str, object]:
    """``paper`` as an export's paper object: every field but ``id``, tuples as lists.

    :func:`parse_reader_json` reads it back to an equal Paper (with ``id`` None).
    """
    out: dict[str, object] = {}
    for key in PAPER_KEYS:
        value = getattr(paper, key)
        out[key] = list(value) if isinstance(value, tuple) else value
    return out


def looks_like_reader_json(data: object) -> bool:
    """Whether decoded JSON ``data`` is a reader export, or one of its paper objects.

    A lone paper object is what a one-line JSON Lines export decodes to.
    """
    if not isinstance(data, Mapping):
        return False
    if "format" in data:
        return bool(data["format"] == FORMAT_NAME)
    return "title" in data and "arxiv_id" in data and "paper" not in data


def parse_reader_json(data: object, *, source: str) -> Batch:
    """The papers of a decoded reader export document (or one paper object, or a list).

    Raises :class:`SourceError` for another format, a newer version, or a
    ``papers`` that is not a list.
    """
    if isinstance(data, Mapping) and "format" in data:
        _check_header(data, source, None)
        items = data.get("papers", [])
        if not isinstance(items, list):
            raise SourceError(source, None, '"papers" is not a list')
    elif isinstance(data, Mapping):
        items = [data]
    elif isinstance(data, list):
        items = data
    else:
        raise SourceError(source, None, "not a reader export: expected a JSON object")
    reading = _Reading()
    for item in items:
        reading.add(item)
    return reading.batch("reader-json")


def parse_reader_jsonl(text: str, *, source: str) -> Batch:
    """The papers of a reader JSON Lines export: one paper object per line.

    Blank lines are passed over. A line that is not JSON, or not an object, is a
    :class:`SourceError` naming that line; so is a header of another format or
    of a newer version.
    """
    reading = _Reading()
    for number, line in enumerate(_NEWLINE.split(text.removeprefix("\ufeff")), start=1):
        if not line.strip():
            continue
        value = _decode_line(line, source, number)
        if not isinstance(value, Mapping):
            raise SourceError(source, number, "expected a paper object on each line")
        if "format" in value and "title" not in value:
            _check_header(value, source, number)
            if "papers" in value:
                raise SourceError(
                    source, number, "a whole JSON export inside JSON Lines: expected one paper"
                )
            continue
        reading.add(value)
    return reading.batch("reader-jsonl")


class _Reading:
    """The papers, marks and skipped items read so far from one input."""

    def __init__(self) -> None:
        self.papers: list[Paper] = []
        self.marks: list[ImportedMark] = []
        self.skipped = 0

    def add(self, item: object) -> None:
        if not isinstance(item, Mapping) or (paper := _to_paper(item)) is None:
            self.skipped += 1
            return
        mark = _to_mark(item.get("annotations"), len(self.papers))
        self.papers.append(paper)
        if mark is not None:
            self.marks.append(mark)

    def batch(self, format: str) -> Batch:
        return Batch(format, self.papers, self.skipped, tuple(self.marks))


def _decode_line(line: str, source: str, number: int) -> object:
    try:
        return json.loads(line)
    except json.JSONDecodeError as error:
        raise SourceError(source, number, f"not valid JSON: {error.msg}") from None
    except RecursionError:
        raise SourceError(source, number, "not valid JSON: nested too deeply") from None
    except ValueError as error:  # a number with thousands of digits
        raise SourceError(source, number, f"not valid JSON: {error}") from None


def _check_header(header: Mapping[str, object], source: str, line: int | None) -> None:
    """Refuse another format and a version this reader cannot read."""
    if header.get("format") != FORMAT_NAME:
        raise SourceError(source, line, 'not a reader export (no "format": "reader")')
    version = header.get("version", VERSION)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise SourceError(source, line, f"unknown reader export version {brief(repr(version))}")
    if version > VERSION:
        raise SourceError(
            source,
            line,
            f"written by a newer reader (export version {brief(str(version))}; this one reads "
            f"version {VERSION}): update reader to import it",
        )


def _to_paper(item: Mapping[str, object]) -> Paper | None:
    """One paper object as a Paper, or ``None`` without a usable title."""
    title = json_text(item.get("title"))
    if title is None:
        return None
    arxiv_id = json_arxiv_id(item.get("arxiv_id"))
    version = json_count(item.get("arxiv_version"))
    if arxiv_id is not None and version is None:
        version = arxiv_id.version  # "2409.11074v2" written whole
    return Paper(
        title=title,
        arxiv_id=arxiv_id.id if arxiv_id else None,
        arxiv_version=version if arxiv_id and version else None,
        abstract=json_text(item.get("abstract")) or "",
        authors=json_strings(item.get("authors")),
        author_count=json_count(item.get("author_count")),
        published=json_date(item.get("published"), partial=True),
        updated=json_date(item.get("updated")),
        featured=json_date(item.get("featured")),
        upvotes=json_count(item.get("upvotes")),
        github_url=json_url(item.get("github_url")),
        categories=json_strings(item.get("categories")),
        primary_category=json_text(item.get("primary_category")),
        comment=json_text(item.get("comment")),
        doi=json_text(item.get("doi")),
        journal_ref=json_text(item.get("journal_ref")),
        url=json_url(item.get("url")),
        num_comments=json_count(item.get("num_comments")),
        github_stars=json_count(item.get("github_stars")),
        ai_summary=json_text(item.get("ai_summary")),
        ai_keywords=json_strings(item.get("ai_keywords")),
    )


def _to_mark(value: object, index: int) -> ImportedMark | None:
    """A paper object's ``annotations`` as the mark on paper ``index``, or ``None``
    when there are none or they mark nothing."""
    if not isinstance(value, Mapping):
        return None
    tags = value.get("tags")
    texts = [tag for tag in tags if isinstance(tag, str)] if isinstance(tags, list) else []
    note = value.get("note")
    mark = ImportedMark(
        index=index,
        starred=value.get("starred") is True,
        read_at=_timestamp(value.get("read_at")),
        tags=normalise_tags(texts),
        note=_UNSTORABLE.sub("", note) if isinstance(note, str) else "",
        dismissed_at=_timestamp(value.get("dismissed_at")),
    )
    if not mark.note.strip():
        mark = replace(mark, note="")  # a blank note is no note, as the library stores it
    if mark.starred or mark.read_at or mark.tags or mark.note or mark.dismissed_at:
        return mark
    return None


def _timestamp(value: object) -> str | None:
    """An ISO timestamp string as written, or ``None`` for anything else."""
    if not isinstance(value, str) or not _TIMESTAMP.fullmatch(value):
        return None
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return None  # month 13, hour 25
    return value
