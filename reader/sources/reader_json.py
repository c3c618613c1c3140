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

A paper's ``annotations`` (stars, read state, tags, notes) are not part of a
:class:`~reader.sources.Batch`: the store-side restore that comes with the
exporter reads them from the same objects. This importer passes over the key.

The parsers never raise anything but :class:`~reader.sources.SourceError`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import fields

from reader.models import Paper
from reader.sources import Batch, SourceError, batch_of
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
    return batch_of(
        "reader-json", (_to_paper(item) if isinstance(item, Mapping) else None for item in items)
    )


def parse_reader_jsonl(text: str, *, source: str) -> Batch:
    """The papers of a reader JSON Lines export: one paper object per line.

    Blank lines are passed over. A line that is not JSON, or not an object, is a
    :class:`SourceError` naming that line; so is a header of another format or
    of a newer version.
    """
    papers: list[Paper] = []
    skipped = 0
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
        paper = _to_paper(value)
        if paper is None:
            skipped += 1
        else:
            papers.append(paper)
    return Batch("reader-jsonl", papers, skipped)


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
        raise SourceError(source, line, f"unknown reader export version {version!r}")
    if version > VERSION:
        raise SourceError(
            source,
            line,
            f"written by a newer reader (export version {version}; this one reads "
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
