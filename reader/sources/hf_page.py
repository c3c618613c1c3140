"""Import a Hugging Face Daily Papers page that was copied from a browser as text.

The copied page looks like this (chrome first, then one block per paper)::

    new
    Get trending papers in your email inbox!
    Subscribe
    Daily Papers
    byAK and the research community
    Dec 12                              <- the page date

    RAM++: Robust Representation ...    <- title

    This work presents ...              <- abstract (one long line)

      • 7 authors                       <- optional meta block
    ·
    Sep 15                              <- "Sep 15", "Nov 25, 2024", "Jan 26 2" (2 upvotes)

The parser is a line-based state machine; it never raises anything but
:class:`~reader.sources.SourceError`, whatever the input.

Dates without a year
--------------------
The page date ("Dec 12" before the first paper) is resolved as the most recent
such date not after ``now``. Every year-less paper date is then resolved as the
most recent such date not after the page date (or not after ``now`` when the
page has no date). "Feb 29" resolves to the most recent leap year; an impossible
date ("Feb 30") leaves ``published`` as ``None``.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from reader.models import Paper
from reader.sources import SourceError
from reader.text import find_github_url, one_line

# Lines of the page around the papers; compared after one_line() and casefold().
CHROME = frozenset(
    line.casefold()
    for line in (
        "new",
        "Get trending papers in your email inbox!",
        "Subscribe",
        "Daily Papers",
        "byAK and the research community",
    )
)
# No longer line is chrome: a long one (a title of megabytes) is not folded to compare.
_CHROME_CHARS = max(map(len, CHROME))
# The dot between the author count and the date.
SEPARATORS = frozenset({"·", "•"})

# A line longer than this that follows an abstract continues it: titles are short.
CONTINUATION_MIN_CHARS = 200

_MONTH_NAMES = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
# "sep" and "september" (and "sept") -> 9.
_MONTHS = {
    name[:length]: number
    for number, name in enumerate(_MONTH_NAMES, start=1)
    for length in (3, len(name))
} | {"sept": 9}

# "Sep 15", "Nov 25, 2024", "Jan 26 2" (2 upvotes), "Sep 25, 2024 5". A year needs the comma.
_DATE = re.compile(r"([A-Za-z]{3,9})\.?\s+([0-9]{1,2})(?:,\s*([0-9]{4}))?(?:\s+([0-9]{1,7}))?")
# "• 7 authors", "1 author".
_AUTHORS = re.compile(r"(?:[•·*-]\s*)?([0-9]{1,5})\s+authors?", re.IGNORECASE)
_NEWLINE = re.compile(r"\r\n|\r|\n")

# For looks_like_hf_page: the same markers, found anywhere in raw multi-line text.
_AUTHORS_ANYWHERE = re.compile(
    r"^[ \t]*(?:[•·*-][ \t]*)?[0-9]{1,5}[ \t]+authors?[ \t]*$", re.IGNORECASE | re.MULTILINE
)
_CHROME_ANYWHERE = re.compile(
    r"^[ \t]*(?:Daily Papers|byAK and the research community)[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
_SNIFF_CHARS = 20_000


@dataclass(frozen=True, slots=True)
class _Date:
    """A date line as written: the year may be missing, the day may be impossible."""

    month: int
    day: int
    year: int | None
    upvotes: int | None


@dataclass(slots=True)
class _Draft:
    """The paper being read: a title, then abstract parts, then the meta block."""

    title: str
    line: int
    abstract: list[str]
    author_count: int | None = None
    date: _Date | None = None
    in_meta: bool = False


def looks_like_hf_page(text: str) -> bool:
    """Cheap guess that ``text`` is a copied HF papers page (an "N authors" line or the chrome)."""
    # Bare "\r" line breaks (the parser splits on them too) as "\n", for ^ and $.
    head = text[:_SNIFF_CHARS].replace("\r", "\n")
    if head.lstrip("\ufeff \t\r\n")[:1] in ("{", "[", "<", "@"):
        return False  # JSON, XML/HTML, BibTeX
    return bool(_AUTHORS_ANYWHERE.search(head) or _CHROME_ANYWHERE.search(head))


def parse_hf_page(
    text: str, *, source: str = "<stdin>", now: datetime.datetime | None = None
) -> list[Paper]:
    """Papers from a copied HF Daily Papers page, in page order.

    ``source`` names the input in errors; ``now`` (default: the current time)
    anchors dates written without a year, as described in the module docstring.
    Raises :class:`SourceError` for a title without an abstract (naming its line)
    and when the text holds no papers at all.
    """
    today = (now or datetime.datetime.now()).date()
    page_date: _Date | None = None
    drafts: list[_Draft] = []
    draft: _Draft | None = None
    saw_marker = False  # a chrome, author-count or date line: this is a page, not garbage

    for number, raw in enumerate(_NEWLINE.split(text), start=1):
        line = one_line(raw)
        if not line or line in SEPARATORS:
            continue
        if len(line) <= _CHROME_CHARS and line.casefold() in CHROME:
            saw_marker = True
            continue
        authors = _AUTHORS.fullmatch(line)
        date = _parse_date(line)
        if authors or date:
            saw_marker = True
            if draft is None:
                if date and page_date is None and not drafts:
                    page_date = date
                continue  # a stray meta line before the first paper
            if not draft.abstract:
                raise SourceError(source, draft.line, "title without an abstract")
            draft.in_meta = True
            if authors:
                draft.author_count = int(authors.group(1))
            else:
                draft.date = date
            continue
        # Plain text: the abstract, its continuation, or the next paper's title.
        if draft is not None and _continues(draft, line):
            draft.abstract.append(line)
            continue
        if draft is not None:
            drafts.append(draft)
        draft = _Draft(title=line, line=number, abstract=[])

    if saw_marker and draft is not None:
        if not draft.abstract:
            raise SourceError(source, draft.line, "title without an abstract")
        drafts.append(draft)
    if not saw_marker or not drafts:
        raise SourceError(
            source, None, "no papers found: expected a Hugging Face papers page copied as text"
        )

    anchor = (_resolve(page_date, today) if page_date else None) or today
    return [_to_paper(d, anchor) for d in drafts]


def _continues(draft: _Draft, line: str) -> bool:
    """Whether a text ``line`` belongs to ``draft``'s abstract rather than starting a paper."""
    if not draft.abstract:
        return True  # the line after a title is its abstract
    return not draft.in_meta and len(line) > CONTINUATION_MIN_CHARS


def _parse_date(line: str) -> _Date | None:
    """A date line ("Sep 15", "Nov 25, 2024", "Jan 26 2"), or None if ``line`` is not one."""
    match = _DATE.fullmatch(line)
    if not match:
        return None
    month = _MONTHS.get(match.group(1).lower())
    if month is None:
        return None
    year, upvotes = match.group(3), match.group(4)
    return _Date(
        month=month,
        day=int(match.group(2)),
        year=int(year) if year else None,
        upvotes=int(upvotes) if upvotes else None,
    )


def _resolve(date: _Date, anchor: datetime.date) -> datetime.date | None:
    """The calendar date; without a year, the most recent one not after ``anchor``."""
    years = [date.year] if date.year is not None else range(anchor.year, anchor.year - 9, -1)
    for year in years:
        try:
            candidate = datetime.date(year, date.month, date.day)
        except ValueError:
            continue  # Feb 29 in a common year, Feb 30, year 0
        if date.year is not None or candidate <= anchor:
            return candidate
    return None


def _to_paper(draft: _Draft, anchor: datetime.date) -> Paper:
    abstract = " ".join(draft.abstract)
    published = _resolve(draft.date, anchor) if draft.date else None
    return Paper(
        title=draft.title,
        abstract=abstract,
        author_count=draft.author_count,
        published=published.isoformat() if published else None,
        upvotes=draft.date.upvotes if draft.date else None,
        github_url=find_github_url(abstract),
    )
