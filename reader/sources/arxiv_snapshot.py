"""Import the arXiv metadata snapshot (Kaggle's ``arxiv-metadata-oai-snapshot.json``):
JSON Lines, a record per paper, millions of them, read as a stream (see
:mod:`reader.sources.streaming`)::

    {"id": "0704.0001", "submitter": "Pavel Nadolsky",
     "authors": "C. Bal\\'azs, E. L. Berger, P. M. Nadolsky, C.-P. Yuan",   <- LaTeX
     "title": "Calculation of prompt diphoton production cross sections at\\n  Tevatron ...",
     "comments": "37 pages, 15 figures; published version",
     "journal-ref": "Phys.Rev.D76:013009,2007", "doi": "10.1103/PhysRevD.76.013009",
     "report-no": "ANL-HEP-PR-07-12", "categories": "hep-ph", "license": null,
     "abstract": "  A fully differential calculation in perturbative quantum ...\\n",
     "versions": [{"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"},
                  {"version": "v2", "created": "Tue, 24 Jul 2007 20:10:27 GMT"}],
     "update_date": "2008-11-13",
     "authors_parsed": [["Balázs", "C.", ""], ["Berger", "E. L.", ""], ...]}

Names come from ``authors_parsed`` (last, first, suffix), else from ``authors`` split
at its commas and "and"s; either way LaTeX accents are decoded (``Bal\\'azs`` is
"Balázs", as the arXiv API gives it). Titles and abstracts are kept as written, on
one line, as the Atom importer keeps them. The first version's day is the paper's
publication, the last one's its last revision; the first category is the primary one.
A record without an id or a title is skipped and counted, as in every importer.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Collection, Mapping
from email.utils import parsedate
from typing import Any

from reader.limits import AUTHOR_CHARS
from reader.models import Paper
from reader.sources import in_categories
from reader.sources.hf_json import json_arxiv_id, json_date, json_text
from reader.sources.streaming import LEFT_OUT, LeftOut
from reader.text import find_github_url, one_line

FORMAT = "arxiv-snapshot"
# What tells a snapshot record from a Hugging Face paper (which has "summary").
_SNAPSHOT_KEYS = frozenset({"versions", "authors_parsed", "update_date"})
# LaTeX in a name: a macro or a braced group. Most names have none, and skip the decoder.
_LATEX_MARKS = re.compile(r"[\\{}$~]")
# Where ``authors`` splits (a comma or "and"), and the groups it does not split inside.
_NAME_MARKS = re.compile(r"[{}()]|,|\s+and\s+")
_VERSION = re.compile(r"v(\d{1,9})")
# How much of an ``authors`` text is read (the longest real lists are some 100 KB).
_AUTHORS_CHARS = 1_000_000


def looks_like_arxiv_snapshot(value: object) -> bool:
    """Whether a decoded JSON value is a snapshot record."""
    return (
        isinstance(value, dict)
        and "abstract" in value
        and isinstance(value.get("categories"), str)
        and not _SNAPSHOT_KEYS.isdisjoint(value)
    )


def record_reader(wanted: Collection[str] = ()) -> Callable[[object], Paper | LeftOut | None]:
    """What makes a paper of a decoded record: ``None`` when it is not one, and
    :data:`LEFT_OUT` when it is in none of the ``wanted`` categories (if any are)."""

    def read(record: object) -> Paper | LeftOut | None:
        if not isinstance(record, Mapping):
            return None
        if wanted and not in_categories(_categories(record.get("categories")), wanted):
            return LEFT_OUT  # before the paper is made: most records of a whole snapshot
        return paper_of_record(record)

    return read


def paper_of_value(value: object) -> Paper | None:
    """A decoded JSON value as a paper: ``None`` when it is not a record of one."""
    return paper_of_record(value) if isinstance(value, Mapping) else None


def paper_of_record(record: Mapping[str, object]) -> Paper | None:
    """One snapshot record as a Paper, or ``None`` without an arXiv id or a title."""
    arxiv_id = json_arxiv_id(record.get("id"))
    title = json_text(record.get("title"))
    if arxiv_id is None or title is None:
        return None
    abstract = json_text(record.get("abstract")) or ""
    comment = json_text(record.get("comments"))
    categories = _categories(record.get("categories"))
    days, last_version = _versions(record.get("versions"))
    doi = json_text(record.get("doi"))
    return Paper(
        title=title,
        arxiv_id=arxiv_id.id,
        arxiv_version=arxiv_id.version or last_version,
        abstract=abstract,
        authors=_authors(record.get("authors_parsed"), record.get("authors")),
        published=days[0] if days else None,
        updated=days[-1] if days else json_date(record.get("update_date")),
        categories=categories,
        primary_category=categories[0] if categories else None,
        comment=comment,
        # Several DOIs are written one after the other: the first is the paper's.
        doi=doi.split()[0] if doi else None,
        journal_ref=json_text(record.get("journal-ref")),
        github_url=find_github_url(abstract) or find_github_url(comment or ""),
    )


def _categories(value: object) -> tuple[str, ...]:
    """ "cs.LG stat.ML" as its categories, in order, each once."""
    if not isinstance(value, str):
        return ()
    return tuple(dict.fromkeys(one_line(value).split()))


def _versions(value: object) -> tuple[list[str], int | None]:
    """The days of the versions (``created``, in order), and the last version's number."""
    if not isinstance(value, list):
        return [], None
    days: list[str] = []
    number = None
    for version in value:
        if not isinstance(version, Mapping):
            continue
        day = _rfc_day(version.get("created"))
        if day is not None:
            days.append(day)
        match = _VERSION.fullmatch(str(version.get("version", "")))
        if match:
            number = int(match[1])
    return days, number


def _rfc_day(value: object) -> str | None:
    """``Mon, 2 Apr 2007 19:18:42 GMT`` -> ``2007-04-02``; ``None`` for anything else."""
    if not isinstance(value, str) or len(value) > 100:
        return None
    parsed = parsedate(value)
    if parsed is None:
        return None
    return json_date(f"{parsed[0]:04d}-{parsed[1]:02d}-{parsed[2]:02d}")


def _authors(parsed: object, written: object) -> tuple[str, ...]:
    """Names first-name-first from ``authors_parsed``, else from the ``authors`` text."""
    names: list[str] = []
    if isinstance(parsed, list):
        for parts in parsed:
            if isinstance(parts, list) and parts and all(isinstance(p, str) for p in parts):
                last, first, suffix = (*parts, "", "")[:3]
                names.append(" ".join(part for part in (first, last, suffix) if part.strip()))
    elif isinstance(written, str):
        names = _split_names(written[:_AUTHORS_CHARS])
    # Cut before they are decoded and cached: a name of a megabyte is junk (the
    # import cuts names to AUTHOR_CHARS, and says so, as for every source).
    return tuple(name for name in (_name(raw[: 2 * AUTHOR_CHARS]) for raw in names) if name)


def _split_names(text: str) -> list[str]:
    """``A, B and C`` as its names: split at commas and "and" outside braces
    (``{\\'E}mile``); what is in parentheses (affiliations: ``(1)``,
    ``((1) MIT, (2) ETH)``) dropped. One pass, however deep the nesting."""
    names: list[str] = []
    name: list[str] = []
    braces = parens = at = 0
    for match in _NAME_MARKS.finditer(text):
        mark, start = match[0], match.start()
        if mark == "(":
            if not parens:
                name.append(text[at:start])
            parens += 1
        elif mark == ")":
            if parens:
                parens -= 1
                at = match.end()
        elif parens:
            continue
        elif mark == "{":
            braces += 1
        elif mark == "}":
            braces = max(0, braces - 1)
        elif not braces:
            names.append("".join([*name, text[at:start]]))
            name, at = [], match.end()
    if not parens:
        name.append(text[at:])
    names.append("".join(name))
    return names


@functools.lru_cache(maxsize=65_536)
def _name(latex: str) -> str:
    """A name on one line, its LaTeX decoded; cached: names come back paper after paper."""
    if not _LATEX_MARKS.search(latex):
        return one_line(latex)
    try:
        text = str(_decoder().latex_to_text(latex))
    except Exception:  # pylatexenc gave up (deep nesting and the like): keep it as written
        text = latex.replace("{", "").replace("}", "")
    return one_line(text)


@functools.cache
def _decoder() -> Any:
    """pylatexenc's decoder, math kept as written (imported when a name needs it)."""
    from pylatexenc.latex2text import LatexNodes2Text  # type: ignore[import-untyped]

    return LatexNodes2Text(math_mode="verbatim", keep_braced_groups=False)
