"""Import Hugging Face papers JSON, in every shape the API has served it.

Shapes, all already decoded by ``json.loads``:

``/api/daily_papers``
    An array of items. Each wraps the paper and adds what the feed knows::

        {"paper": {"id": "2501.04519", "title": ..., "summary": ...,
                   "authors": [{"name": "Xinyu Guan", "hidden": false}, ...],
                   "publishedAt": "2025-01-08T18:59:51.000Z",   <- on arXiv
                   "submittedOnDailyAt": "2025-01-09T00:31:28.283Z",
                   "upvotes": 246, "githubRepo": ..., "githubStars": ...,
                   "ai_summary": ..., "ai_keywords": [...]},
         "publishedAt": "2025-01-09T05:31:28.283Z",             <- featured
         "title": ..., "summary": ..., "numComments": 12, "thumbnail": ...}

``/api/papers/search``
    An array of the same items, or of flat papers.

``/api/papers/{id}``
    One flat paper object: the fields of ``paper`` above, at the top level.

Wrapped lists
    An object holding a list of items under ``papers`` (or ``results``,
    ``items``, ``data``, ``dailyPapers``), as other tools save them. Their
    ``authors`` may be names, objects with a ``name``, or one comma-separated string.

Field placement has moved over the years, so every field is read from the nested
``paper`` first and from the item itself as a fallback; the first value of the
right type wins. One exception: an item's own ``publishedAt`` is the day it was
featured when it wraps a ``paper`` (whose ``publishedAt`` is the arXiv date), and
the arXiv date when the item is a flat paper.

Every field but the title is optional: a missing, null or wrong-typed field is
ignored. An item without a usable title is skipped and counted. The parser never
raises anything but :class:`~reader.sources.SourceError`, whatever the input.

The ``json_*`` helpers below turn one decoded JSON value into a clean Paper field
(or ``None``); the reader's own JSON importer shares them.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Callable, Mapping
from typing import TypeVar

from reader.ids import ArxivId, parse_arxiv_id
from reader.models import Paper
from reader.sources import Batch, SourceError, batch_of
from reader.text import find_github_url, one_line, one_lines, safe_url

FORMAT = "hf-json"
# Keys under which a saved response may wrap its list of papers, in the order tried.
WRAPPER_KEYS = ("papers", "results", "items", "data", "dailyPapers")
# Besides a title, a flat paper has at least one of these.
_PAPER_KEYS = frozenset(
    {"id", "summary", "authors", "upvotes", "publishedAt", "githubRepo", "submittedOnDailyAt"}
)
# looks_like_hf_json judges a list by its first few items.
SNIFF_ITEMS = 20

# Counts beyond this are junk, and would not fit an SQLite integer.
MAX_COUNT = 2**53
# Longer than any id form parse_arxiv_id reads; keeps absurd input away from int().
_MAX_ID_CHARS = 200
# Lone surrogates (from "\ud800" escapes) cannot be encoded as UTF-8 to be stored.
_SURROGATES = re.compile("[\ud800-\udfff]")
# "2025-01-15", "2025-01-15T12:34:56.000Z", "2025-01-15 12:34:56+02:00".
_DATE = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})"
    r"(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,9})?)?(?:Z|[+-][0-9]{2}:?[0-9]{2})?)?",
    re.IGNORECASE,
)
_YEAR = re.compile(r"[0-9]{4}")
_YEAR_MONTH = re.compile(r"\d{4}-(\d{2})")
_GITHUB_URL = re.compile(r"https?://(?:www\.)?github\.com(?:[/?#]|$)", re.IGNORECASE)

Json = Mapping[str, object]
T = TypeVar("T")


# --- one JSON value to one clean field ---------------------------------------------


def json_text(value: object) -> str | None:
    """A string on one line, without controls; ``None`` when not a string or empty."""
    if not isinstance(value, str):
        return None
    # one_line drops lone surrogates with the other unsafe characters.
    return one_line(value) or None


def json_count(value: object) -> int | None:
    """A non-negative integer count; ``None`` for anything else (``true`` is not ``1``)."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 0 <= value <= MAX_COUNT else None


def json_date(value: object, *, partial: bool = False) -> str | None:
    """``YYYY-MM-DD`` from an ISO date or datetime string; with ``partial``, also
    ``YYYY`` and ``YYYY-MM`` (what BibTeX gives).

    The date is taken as written (no time zone conversion); junk gives ``None``.
    """
    if not isinstance(value, str):
        return None
    value = value.strip()
    if partial and _YEAR.fullmatch(value):
        return value if value != "0000" else None
    if partial and (month := _YEAR_MONTH.fullmatch(value)):
        return value if value[:4] != "0000" and 1 <= int(month[1]) <= 12 else None
    return _calendar_day(value[:10]) if _DATE.fullmatch(value) else None


@functools.lru_cache(maxsize=4096)
def _calendar_day(day: str) -> str | None:
    """``day`` (``YYYY-MM-DD``, digits) if the calendar has it; cached, as the papers
    of a file share a few hundred days."""
    try:
        datetime.date(int(day[:4]), int(day[5:7]), int(day[8:]))
    except ValueError:
        return None  # month 13, Feb 30, year 0
    return day


def json_url(value: object) -> str | None:
    """An http(s) URL we may show and open; ``None`` for any other value."""
    return safe_url(value) if isinstance(value, str) else None


def json_strings(value: object) -> tuple[str, ...]:
    """The non-empty strings of a list, each on one line; other items are dropped."""
    if not isinstance(value, list):
        return ()
    return tuple(filter(None, one_lines([item for item in value if isinstance(item, str)])))


def json_arxiv_id(value: object) -> ArxivId | None:
    """An arXiv id in any form (``2409.11074v2``, an abs URL...), or ``None``."""
    if not isinstance(value, str) or len(value) > _MAX_ID_CHARS:
        return None
    arxiv_id = parse_arxiv_id(value if value.isascii() else _SURROGATES.sub("", value))
    if arxiv_id is not None and arxiv_id.version is not None and arxiv_id.version > MAX_COUNT:
        return ArxivId(arxiv_id.id)
    return arxiv_id


# --- the importer ------------------------------------------------------------------


def looks_like_hf_json(data: object) -> bool:
    """Whether decoded JSON ``data`` has one of the Hugging Face shapes above.

    An empty array counts: the daily feed of a day without papers is ``[]``.
    """
    if isinstance(data, Mapping) and data.get("format") == "reader":
        return False  # the reader's own export, which also holds "papers"
    items = _items(data)
    if items is None:
        return False
    if not items:
        return True
    return any(_looks_like_item(item) for item in items[:SNIFF_ITEMS])


def parse_hf_json(data: object, *, source: str) -> Batch:
    """The papers in decoded Hugging Face JSON ``data``, in order.

    ``source`` names the input in errors. Items that are not papers (no usable
    title, not an object) are counted in ``Batch.skipped``; a value that is none
    of the shapes is a :class:`SourceError`.
    """
    items = _items(data)
    if items is None:
        raise SourceError(
            source,
            None,
            "JSON, but not Hugging Face papers: expected a list of papers or a paper object",
        )
    return batch_of(FORMAT, map(paper_of_item, items))


def paper_of_item(item: object) -> Paper | None:
    """One item of a list of papers as a Paper; ``None`` when it is not one (no usable
    title, not an object)."""
    return _to_paper(item) if isinstance(item, Mapping) else None


def _items(data: object) -> list[object] | None:
    """The items of a response: the array, the wrapped list, or the one paper object."""
    if isinstance(data, list):
        return data
    if not isinstance(data, Mapping):
        return None
    for key in WRAPPER_KEYS:
        wrapped = data.get(key)
        if isinstance(wrapped, list):
            return wrapped
    return [data] if _looks_like_item(data) else None


def _looks_like_item(item: object) -> bool:
    """A daily item (a nested ``paper`` object) or a flat paper (a title and a paper key)."""
    if not isinstance(item, Mapping):
        return False
    if isinstance(item.get("paper"), Mapping):
        return True
    return isinstance(item.get("title"), str) and not _PAPER_KEYS.isdisjoint(item)


def _to_paper(item: Json) -> Paper | None:
    """One item as a Paper, or ``None`` when it has no usable title."""
    nested = item.get("paper")
    # dict first: what json.loads makes, and far cheaper to test than the Mapping ABC.
    paper: Json | None = nested if isinstance(nested, (dict, Mapping)) and nested else None
    # Nested first, flat as fallback; a flat paper has only the one place to look.
    first, second = (paper, item) if paper is not None else (item, None)

    title = _first(json_text, first, second, "title")
    if title is None:
        return None
    arxiv_id = _first(json_arxiv_id, first, second, "id")
    abstract = _first(json_text, first, second, "summary") or ""
    if paper is not None:
        # A daily item: the paper's own date is the arXiv one, the item's the feed's.
        published = json_date(paper.get("publishedAt"))
        featured = _first(json_date, first, second, "submittedOnDailyAt") or json_date(
            item.get("publishedAt")
        )
    else:
        published = json_date(item.get("publishedAt"))
        featured = json_date(item.get("submittedOnDailyAt"))
    return Paper(
        title=title,
        arxiv_id=arxiv_id.id if arxiv_id else None,
        arxiv_version=arxiv_id.version if arxiv_id else None,
        abstract=abstract,
        authors=_first(_authors, first, second, "authors") or (),
        published=published,
        featured=featured,
        upvotes=_first(json_count, first, second, "upvotes"),
        num_comments=_first(json_count, first, second, "numComments"),
        github_url=_first(_github_url, first, second, "githubRepo") or find_github_url(abstract),
        github_stars=_first(json_count, first, second, "githubStars"),
        url=_first(json_url, first, second, "projectPage"),
        ai_summary=_first(json_text, first, second, "ai_summary"),
        ai_keywords=_first(_non_empty_strings, first, second, "ai_keywords") or (),
    )


def _first(
    read: Callable[[object], T | None], first: Json, second: Json | None, key: str
) -> T | None:
    """The usable value of ``key`` in ``first``, else in ``second``, as ``read`` turns it
    into a field. A missing key and a null are passed over without a call (every
    reader makes ``None`` of a null): half the keys of an item are missing."""
    value = first.get(key)
    if value is not None:
        result = read(value)
        if result is not None or second is None:
            return result
    if second is None:
        return None
    value = second.get(key)
    return None if value is None else read(value)


def _authors(value: object) -> tuple[str, ...] | None:
    """Names from a list of objects with ``name`` or of strings, or one "A, B" string."""
    if isinstance(value, str):
        parts: list[object] = list(value.split(","))
    elif isinstance(value, list):
        # The dict test inline: most names come from dicts, and a call each adds up.
        parts = [
            author.get("name") if isinstance(author, dict) else _author_name(author)
            for author in value
        ]
    else:
        return None
    names = one_lines([part for part in parts if isinstance(part, str)])
    return tuple(filter(None, names)) or None


def _author_name(author: object) -> object:
    """An author's name, as given. ``hidden`` is not looked at: it hides a claimed
    paper from its author's HF profile, not the author from the paper."""
    return author.get("name") if isinstance(author, Mapping) else author


def _github_url(value: object) -> str | None:
    """An http(s) URL on github.com, else ``None`` (a repo elsewhere is not "code on GitHub")."""
    url = json_url(value)
    return url if url and _GITHUB_URL.match(url) else None


def _non_empty_strings(value: object) -> tuple[str, ...] | None:
    return json_strings(value) or None
