"""The filter: query terms and fuzzy matching over title, authors and abstract. Pure, no I/O.

A query is plain words plus field terms; a paper matches when every one of them
holds. Text is compared word by word, a word being a run of letters and digits,
lower-cased with accents removed ("Müller" is "muller", "GPT-4o" is "gpt" and
"4o"), exactly as the store's word indexes split it. The fields are not equal: a
title word is matched fuzzily (a typo still finds "diffusion"), an author's name
too but weighs a little less, and the abstract counts only a word that starts
with what was typed. That keeps a filter meaningful: typing "grokking" finds the
papers about grokking, not every long abstract that happens to hold those letters
in order. Words of one or two letters match where a word starts; of three or four,
anywhere inside a word; from five on, fuzzily.

The query language (field names and values are case-insensitive):

==========================  ===================================================
``diffusion``               a plain word, fuzzy, in title, authors or abstract
``"flow matching"``         an exact phrase in title, authors or abstract, starting
                            where a word starts
``author:li``               a whole word of an author's name ("Li", not "Liu");
                            one typo forgiven in a word of six letters or more
                            that is nobody's name word (see AUTHOR_TYPO_MIN_LEN);
                            ``author:li-wei``: those words in a row in one name
``author:"Yann LeCun"``     one author's full name, word for word: also written
                            "LeCun, Yann" (BibTeX) or "Y. LeCun", with or without
                            middle initials; no typo forgiven
``title:diffusion``         the title only, fuzzy like a plain word
``year:2024``               published that year; also ``2020..2023``, ``2020..``,
                            ``..2023``, ``>2020``, ``>=2020``, ``<2020``, ``<=2020``
``before:2024-06``          published before the period starts (YYYY, YYYY-MM or
``after:2024``              YYYY-MM-DD); ``after:`` once the period has ended
``tag:survey``              carries that tag (exact, case-insensitive)
``is:starred``              also ``is:read`` and ``is:unread``
``has:note``                also ``has:code`` (a GitHub link)
``upvotes:>10``             also ``<``, ``>=``, ``<=``, ``=``, ``5..20``; a bare
                            number means ``=``; no count counts as 0
``github:>100``             GitHub stars, compared as upvotes are
``comments:>5``             the number of comments on Hugging Face, the same
``-anything``               negates a word, a phrase or any term
==========================  ===================================================

Dates have the precision the source gave ("2024", "2024-06" or "2024-06-30"). A
date term matches only when the paper's date surely satisfies it: a paper
published "2024" is not ``before:2024-06``. A paper without a date matches no date
term (``year:``, ``before:``, ``after:``), negated or not.

A word with a colon is a field term when the part before the colon is a field
name. When that part is letters that look like a mistyped or guessed field
(``autor:``, ``tags:``, ``date:``, ``stars:``), the term gets a hint and is
ignored. Anything else with a colon (``re:zero``, ``arXiv:2409.11074``, a URL,
``12:30``) is plain text; quoting it (``"ai:ml"``) always makes it text.

:meth:`Query.parse` never raises. A malformed term (an unknown field, a year or
count that is not one, an unclosed quote) adds a friendly hint to
:attr:`Query.errors` and is left out of matching; a query made only of such terms
matches nothing rather than everything. The one forgiven mistake is an unclosed
quote: its value runs to the end of the text and the hint is still given; a
quote with nothing after it yet gives one hint, what to type next. Typing
``author:"Yann Le`` keeps narrowing: until the quote closes, its words are looked
for among all of a paper's authors, the last as a beginning (checking each name
at every key would be slow); closed, they must be one author's full name.

Speed: a keystroke must not cost a pass over the library. The words themselves
live in the store's word indexes (a :class:`WordSource`); what a typed word is
matched against is the list of distinct title and author words (tens of
thousands, not a million titles), and each matching word costs one index lookup.
In memory the index keeps only the list's columns (dates, counts) for the
structured terms, and the answers for the last few words typed, since typing
asks them again at every key. An author's full name is checked against the
names of only those papers whose authors hold its first and last words (the
indexes know a paper's words, not which name each belongs to).
:class:`MemoryWords` answers the same questions by reading every paper: the
reference the tests hold the store to.

The index is built once per library change; a query only reads it, so a worker
thread can run one while the UI thread builds the next. Cheap structured terms
run first and narrow the candidates before any fuzzy scoring.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date
from difflib import get_close_matches
from functools import cached_property
from itertools import compress
from operator import attrgetter, itemgetter
from typing import Any, Generic, Protocol, TypeVar

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA, Indel

from reader.models import Annotation, Paper, normalise_tags

# Words shorter than this match only exactly; longer ones may carry a typo.
FUZZY_MIN_LEN = 5
# partial_ratio needed for a fuzzy word: one typo in a 5-8 letter word passes,
# an unrelated word that shares a few letters ("working" for "grokking") does not.
FUZZY_CUTOFF = 80.0
# How much a word found in each field counts, out of 100.
TITLE_WEIGHT = 1.0
AUTHOR_WEIGHT = 0.9
ABSTRACT_WEIGHT = 0.6
# Extras: a word at the start of a title word, and the whole query as one title phrase.
WORD_START_BONUS = 10.0
PHRASE_BONUS = 25.0

FIELDS = (
    "author",
    "title",
    "year",
    "before",
    "after",
    "recent",
    "tag",
    "is",
    "has",
    "upvotes",
    "github",
    "comments",
)
# Fields that compare a count: a paper without one counts 0.
COUNT_FIELDS = ("upvotes", "github", "comments")
IS_VALUES = ("starred", "unread", "read")
HAS_VALUES = ("note", "code")
# Names people try that are not fields, and what they probably meant.
_GUESSES = {
    "authors": "author:",
    "au": "author:",
    "ti": "title:",
    "titles": "title:",
    "tags": "tag:",
    "label": "tag:",
    "labels": "tag:",
    "date": "after:, before: or year:",
    "published": "after:, before: or year:",
    "since": "after:",
    "until": "before:",
    "votes": "upvotes:",
    "likes": "upvotes:",
    "star": "is:starred",
    "stars": "is:starred",
    "starred": "is:starred",
    "comment": "comments:",
    "discussion": "comments:",
    "unread": "is:unread",
    "read": "is:read",
    "note": "has:note",
    "notes": "has:note",
    "code": "has:code",
    "repo": "has:code",
}
# ... and with a count after them ("stars:>100"), what they probably meant then.
_COUNT_GUESSES = {
    "stars": "github: (GitHub stars)",
    "star": "github: (GitHub stars)",
    "githubstars": "github: (GitHub stars)",
    "gh": "github: (GitHub stars)",
}
_NEEDS = {
    "author": "author: needs a name, e.g. author:lecun",
    "title": "title: needs a word, e.g. title:diffusion",
    "tag": "tag: needs a tag, e.g. tag:survey",
    "year": "year: needs a year like 2024 or 2020..2023",
    "before": "before: needs a date like 2024, 2024-06 or 2024-06-30",
    "after": "after: needs a date like 2024, 2024-06 or 2024-06-30",
    "upvotes": "upvotes: needs a number, e.g. upvotes:>10",
    "github": "github: needs a number of GitHub stars, e.g. github:>100",
    "comments": "comments: needs a number, e.g. comments:>5",
    "recent": "recent: needs a number of days, e.g. recent:7",
    "is": "is: takes starred, unread or read",
    "has": "has: takes note or code",
}
UNCLOSED_QUOTE = 'unclosed quote — add a closing "'
# A quote with nothing after it yet: one hint, not "unclosed" and "empty" both.
LONE_QUOTE = 'a lone " — type a phrase after it, then a closing "'
LONE_MINUS = "'-' needs something to leave out after it, e.g. -is:read"
EMPTY_QUOTES = "empty quotes — put a phrase between them"

_QUOTES = '"“”'
# Terms matched against text, after the structured ones have narrowed the candidates.
_TEXT_FIELDS = ("word", "phrase", "author", "title")
_FIELD_PREFIX = re.compile(r"([A-Za-z]+):")
_COMPARISON = re.compile(r"(>=|<=|>|<|=)?(\S+)")
_BACKWARDS = re.compile(r"(\d{1,12})\.\.(\d{1,12})")
_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
# A term of the word indexes: letters and digits (SQLite's unicode61 tokenizer).
_TERM = re.compile(r"[^\W_]+")
_WORD_FIELDS = ("title", "authors", "abstract")
_WEIGHTS = {"title": TITLE_WEIGHT, "authors": AUTHOR_WEIGHT, "abstract": ABSTRACT_WEIGHT}
# Answers kept for the next keystrokes, in bytes (each is 8 bytes a paper).
_RECENT_BYTES = 64 << 20
# The score of a word that is only punctuation: it matches every paper, ranks none.
_ANYWHERE = 1e-9
# The index's ordering of each count, by field (cached properties of SearchIndex).
_BY_COUNT = {"upvotes": "_by_upvotes", "github": "_by_stars", "comments": "_by_comments"}
# numpy arrays: a score per paper position, and paper positions or ids.
Scores = Any
Positions = Any


@dataclass(frozen=True, slots=True)
class Term:
    """One condition of a query other than its plain words.

    ``field`` is one of :data:`FIELDS`, ``"word"`` (a negated plain word) or
    ``"phrase"`` (a quoted phrase). ``value`` is lower-case: the word, phrase,
    name, tag or ``is:``/``has:`` flag; for ``before:`` the first day of the date
    given and for ``after:`` its last (``YYYY-MM-31`` stands for a month's end).
    ``low`` and ``high`` bound ``year:`` and the counts, inclusive; None is open.
    ``quoted``: the value was in quotes (an author's full name); ``partial``: the
    closing quote is still to come, so its last word may be cut short.
    """

    field: str
    value: str = ""
    negated: bool = False
    low: int | None = None
    high: int | None = None
    quoted: bool = False
    partial: bool = False


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed filter: its positive plain words, its other terms, and hints.

    ``words`` are the lower-cased plain words that must match (and rank);
    ``terms`` everything else, negated words included; ``errors`` one hint per
    malformed term, which matching ignores.
    """

    text: str
    words: tuple[str, ...] = ()
    terms: tuple[Term, ...] = ()
    errors: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str, *, today: date | None = None) -> Query:
        """The query in ``text``; never raises (mistakes become :attr:`errors`).

        ``today`` anchors ``recent:N`` (default: the system's date).
        """
        return _parse(text, today or date.today())

    @property
    def is_empty(self) -> bool:
        """Nothing typed: no words, no terms, not even a malformed one."""
        return not (self.words or self.terms or self.errors)

    @property
    def is_ranked(self) -> bool:
        """Whether results come best match first (plain words or a phrase), not in
        library order."""
        return bool(self.words) or any(t.field == "phrase" and not t.negated for t in self.terms)

    @property
    def is_valid(self) -> bool:
        """Whether anything is left to match once malformed terms are dropped."""
        return bool(self.words or self.terms) or not self.errors


# -- parsing --------------------------------------------------------------------


def _parse(text: str, today: date) -> Query:
    words: list[str] = []
    terms: list[Term] = []
    errors: dict[str, None] = {}  # in order, once each
    for negated, prefix, value, quoted, closed in _tokens(text):
        # Only the quote typed so far: the one hint is what to type next.
        lone = not closed and not value.strip()
        if not closed and not lone:
            errors[UNCLOSED_QUOTE] = None
        if prefix is not None:
            field = prefix.lower()
            if field in FIELDS:
                term = _field_term(field, value, negated, today, quoted=quoted, closed=closed)
                if isinstance(term, str):
                    errors[term] = None
                else:
                    terms.append(term)
                continue
            hint = _unknown_field(field, value)
            if hint is not None:
                errors[hint] = None
                continue
            value = f"{prefix}:{value}"  # not a field: text with a colon in it
        value = " ".join(value.lower().split())
        if lone:
            errors[LONE_QUOTE] = None
        elif not value:
            errors[EMPTY_QUOTES if quoted else LONE_MINUS] = None
        elif quoted:
            terms.append(Term("phrase", value, negated))
        elif negated:
            terms.append(Term("word", value, negated=True))
        else:
            words.append(value)
    return Query(text, tuple(words), tuple(terms), tuple(errors))


def _tokens(text: str) -> Iterable[tuple[bool, str | None, str, bool, bool]]:
    """(negated, field prefix, value, quoted, quote closed) for each term of ``text``.

    Quotes count only where a value starts: at the start of a term (after ``-``)
    or right after ``field:``; elsewhere ``"`` is an ordinary character.
    """
    at, end = 0, len(text)
    while True:
        while at < end and text[at].isspace():
            at += 1
        if at >= end:
            return
        negated = text[at] == "-"
        if negated:
            at += 1
        prefix = None
        match = _FIELD_PREFIX.match(text, at)
        if match:
            prefix = match.group(1)
            at = match.end()
        if at < end and text[at] in _QUOTES:
            close = next((i for i in range(at + 1, end) if text[i] in _QUOTES), -1)
            if close < 0:
                yield negated, prefix, text[at + 1 :], True, False
                return
            yield negated, prefix, text[at + 1 : close], True, True
            at = close + 1
            continue
        stop = at
        while stop < end and not text[stop].isspace():
            stop += 1
        yield negated, prefix, text[at:stop], False, True
        at = stop


def _unknown_field(name: str, value: str = "") -> str | None:
    """A hint for ``name:value`` when ``name`` looks like a field; None when it reads
    as text."""
    name = name.lower()
    guess = _GUESSES.get(name)
    if name in _COUNT_GUESSES and _bounds(value.strip(), digits=None) is not None:
        guess = _COUNT_GUESSES[name]
    if guess is None:
        close = get_close_matches(name, FIELDS, n=1, cutoff=0.75)
        # Two letters are enough to guess a field, except where they read as a word
        # ("re:zero" is a title, not a half-typed recent:).
        shortest = {"recent": 3}
        starts = [
            field
            for field in FIELDS
            if len(name) >= shortest.get(field, 2) and field.startswith(name)
        ]
        found = close or starts
        if not found:
            return None
        guess = found[0] + ":"
    return f"unknown field '{name}:' — did you mean {guess}?"


def _field_term(
    field: str, raw: str, negated: bool, today: date, *, quoted: bool, closed: bool
) -> Term | str:
    """The term ``field:raw``, or the hint saying what the field needs. ``quoted``:
    ``raw`` was in quotes, ``closed`` by a second one."""
    value = " ".join(raw.lower().split())
    needs = _NEEDS[field]
    if field == "recent":
        days = value.removesuffix("d")
        if not days.isdigit() or not 0 < int(days) <= 36500:
            return needs
        since = date.fromordinal(today.toordinal() - int(days) + 1)
        return Term(field, since.isoformat(), negated)
    if field == "author":
        if not value:
            return needs
        return Term(field, value, negated, quoted=quoted, partial=not closed)
    if field == "title":
        return Term(field, value, negated) if value else needs
    if field == "tag":
        tags = normalise_tags([value])
        return Term(field, tags[0], negated) if tags else needs
    if field in ("is", "has"):
        allowed = IS_VALUES if field == "is" else HAS_VALUES
        if value in allowed:
            return Term(field, value, negated)
        other = "has" if field == "is" else "is"
        if value in (HAS_VALUES if field == "is" else IS_VALUES):
            return f"{needs} — did you mean {other}:{value}?"
        close = get_close_matches(value, allowed, n=1, cutoff=0.6) if value else []
        if close:
            return f"{needs} — did you mean {field}:{close[0]}?"
        return f"{needs}, e.g. {field}:{allowed[0]}"
    if field in ("before", "after"):
        period = _period(value)
        if period is None:
            return needs
        return Term(field, period[0] if field == "before" else period[1], negated)
    bounds = _bounds(value, digits=4 if field == "year" else None)
    if bounds is None:
        backwards = _BACKWARDS.fullmatch(value)
        if backwards and int(backwards.group(1)) > int(backwards.group(2)):
            low, high = backwards.group(2), backwards.group(1)
            return f"{field}: {value} runs backwards — did you mean {field}:{low}..{high}?"
        return needs
    return Term(field, value, negated, low=bounds[0], high=bounds[1])


def _bounds(value: str, *, digits: int | None) -> tuple[int | None, int | None] | None:
    """Inclusive bounds of ``N``, ``=N``, ``>N``, ``>=N``, ``<N``, ``<=N``, ``A..B``,
    ``A..`` or ``..B``; None when malformed. ``digits`` fixes a number's length."""

    def number(text: str) -> int | None:
        if not text.isascii() or not text.isdigit() or len(text) > 12:
            return None
        if digits is not None and len(text) != digits:
            return None
        return int(text)

    if ".." in value:
        first, _, last = value.partition("..")
        low = number(first) if first else None
        high = number(last) if last else None
        if (first and low is None) or (last and high is None) or not (first or last):
            return None
        if low is not None and high is not None and low > high:
            return None
        return low, high
    match = _COMPARISON.fullmatch(value)
    if not match:
        return None
    found = number(match.group(2))
    if found is None:
        return None
    return {
        None: (found, found),
        "=": (found, found),
        ">": (found + 1, None),
        ">=": (found, None),
        "<": (None, found - 1),
        "<=": (None, found),
    }[match.group(1)]


def _period(text: str | None) -> tuple[str, str] | None:
    """First and last day of the period a date names, as comparable strings.

    A month's last day is written ``-31`` whatever the month: it only has to sort
    after every real day of that month and before the next month.
    """
    if not text:
        return None
    match = _DATE.fullmatch(text) if text.isascii() else None
    if not match:
        return None
    year, month, day = match.groups()
    try:
        date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return None
    if day:
        return text, text
    if month:
        return f"{year}-{month}-01", f"{year}-{month}-31"
    return f"{year}-01-01", f"{year}-12-31"


def _paper_period(published: str | None) -> tuple[str, str] | None:
    """A paper's date as a period; a date with a time or junk after it is cut down."""
    if not published:
        return None
    match = _DATE.match(published) if published.isascii() else None
    return _period(match.group(0)) if match else None


# -- matching -------------------------------------------------------------------


def _lower_same_length(text: str) -> str:
    """Lower-case ``text`` keeping every index in place, so spans map back to it."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(ch.lower()[:1] or ch for ch in text)


def _word_start(word: str) -> re.Pattern[str]:
    """``word`` where a word begins (not inside another word)."""
    return re.compile(r"(?<!\w)" + re.escape(word))


K = TypeVar("K", int, str)


class _Ordered(Generic[K]):
    """Positions sorted by one key: a key range is two bisections and a slice."""

    def __init__(self, values: list[K | None]) -> None:
        self.values: list[K | None] = values
        present = [(value, i) for i, value in enumerate(values) if value is not None]
        present.sort()
        self.keys: list[K] = [value for value, _ in present]
        self.positions: list[int] = [i for _, i in present]

    def select(
        self,
        low: K | None,
        high: K | None,
        chosen: AbstractSet[int] | None,
        *,
        open_ends: bool = False,
    ) -> AbstractSet[int]:
        """Positions whose key lies between ``low`` and ``high`` (None: unbounded).

        Inclusive, or exclusive at both ends with ``open_ends``. When fewer papers
        are ``chosen`` than the range holds, only those are looked at.
        """
        keys = self.keys
        if low is None:
            start = 0
        else:
            start = bisect_right(keys, low) if open_ends else bisect_left(keys, low)
        if high is None:
            stop = len(keys)
        else:
            stop = bisect_left(keys, high) if open_ends else bisect_right(keys, high)
        if chosen is not None and len(chosen) < stop - start:
            values = self.values
            inside: set[int] = set()
            for i in chosen:
                key = values[i]
                if key is None:
                    continue
                if low is not None and (key <= low if open_ends else key < low):
                    continue
                if high is not None and (key >= high if open_ends else key > high):
                    continue
                inside.add(i)
            return inside
        return set(self.positions[start:stop])


class Listed(Protocol):
    """What the index reads of a paper: a :class:`~reader.models.Paper` or the
    list's :class:`~reader.models.ListedPaper`."""

    @property
    def id(self) -> int | None: ...
    @property
    def title(self) -> str: ...
    @property
    def published(self) -> str | None: ...
    @property
    def upvotes(self) -> int | None: ...
    @property
    def github_stars(self) -> int | None: ...
    @property
    def num_comments(self) -> int | None: ...
    @property
    def github_url(self) -> str | None: ...
    @property
    def featured(self) -> str | None: ...


class WordSource(Protocol):
    """Which papers hold which words (the store's word indexes, or :class:`MemoryWords`).

    Fields are ``title``, ``authors`` and ``abstract``; terms are what
    :func:`words` makes of text; answers are paper ids.
    """

    def terms(self, field: str) -> Sequence[str]:
        """Every distinct term of ``title`` or ``authors``."""
        ...

    def split(self, text: str) -> list[str]:
        """The terms of ``text``, in order, as this source splits what it holds."""
        ...

    def having(self, field: str, terms: Collection[str]) -> Collection[int]:
        """Papers whose ``field`` holds any of ``terms``."""
        ...

    def starting(self, field: str, prefix: str) -> Collection[int]:
        """Papers whose ``field`` holds a term starting with ``prefix``."""
        ...

    def texts(self, field: str, ids: Iterable[int]) -> Iterable[tuple[int, str]]:
        """(id, text of ``field``) for each of ``ids``; authors as "A, B"."""
        ...

    def names(
        self, ids: Iterable[int], holding: str, starting: str = ""
    ) -> Iterable[tuple[int, Sequence[str]]]:
        """(id, the names of its authors that hold the term ``holding`` and, when
        given, a term starting with ``starting``) for each of ``ids`` that has such
        an author."""
        ...


class MemoryWords:
    """A :class:`WordSource` over papers held whole in memory.

    What the store's indexes answer, computed the slow, obvious way: the
    reference the tests hold the store to, and the source for a handful of papers.
    """

    def __init__(self, papers: Iterable[Paper]) -> None:
        self._texts: dict[str, dict[int, str]] = {
            field: {} for field in ("title", "authors", "abstract")
        }
        self._terms: dict[str, dict[int, set[str]]] = {field: {} for field in self._texts}
        self._names: dict[int, tuple[str, ...]] = {}
        for paper in papers:
            if paper.id is None:
                continue
            self._names[paper.id] = paper.authors
            for field, text in (
                ("title", paper.title),
                ("authors", ", ".join(paper.authors)),
                ("abstract", paper.abstract),
            ):
                self._texts[field][paper.id] = text
                self._terms[field][paper.id] = set(words(text))

    def terms(self, field: str) -> list[str]:
        return sorted(set().union(*self._terms[field].values()))

    def split(self, text: str) -> list[str]:
        return words(text)

    def having(self, field: str, terms: Collection[str]) -> set[int]:
        wanted = set(terms)
        return {i for i, held in self._terms[field].items() if held & wanted}

    def starting(self, field: str, prefix: str) -> set[int]:
        return {
            i
            for i, held in self._terms[field].items()
            if any(term.startswith(prefix) for term in held)
        }

    def texts(self, field: str, ids: Iterable[int]) -> Iterator[tuple[int, str]]:
        texts = self._texts[field]
        return ((i, texts[i]) for i in ids if i in texts)

    def names(
        self, ids: Iterable[int], holding: str, starting: str = ""
    ) -> Iterator[tuple[int, list[str]]]:
        for i in ids:
            found = [name for name in self._names.get(i, ()) if _holds(name, holding, starting)]
            if found:
                yield i, found


def _holds(name: str, holding: str, starting: str) -> bool:
    terms = words(name)
    return holding in terms and (not starting or any(t.startswith(starting) for t in terms))


class SearchIndex:
    """What the filter keeps of a library in memory: its order, titles, dates and
    counts; the words themselves are asked of a :class:`WordSource`.

    ``papers`` need only the list columns (``Library.listing()``); without
    ``source`` they must be whole, and are searched in memory. A one-off search
    (``reader list``) can give only the ``order`` of the paper ids and a way to
    ``load`` the papers, read only if a term needs their dates or counts.
    """

    def __init__(
        self,
        papers: Sequence[Listed],
        source: WordSource | None = None,
        *,
        order: Sequence[int] | None = None,
        load: Callable[[], Sequence[Listed]] | None = None,
    ) -> None:
        """Cheap: what a search needs is worked out by the first search (or
        :meth:`warm`), in whichever thread runs it."""
        self._papers = papers
        self._source = source
        self._order = order
        self._load = load
        self._vocabulary: dict[str, Sequence[str]] = {}
        self._by_length: dict[str, tuple[list[str], list[int]]] = {}
        # Recent answers per (field, term): typing extends one word at a time, so
        # the words before it are asked again at every key. Bounded by size.
        self._recent: OrderedDict[tuple[str, str], Scores] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.ids)

    def warm(self) -> None:
        """Do now what the first search would wait for: the per-paper columns and
        the title and author terms (e.g. in a worker while the first screen shows)."""
        for name in (
            "_position_of",
            "_everything",
            "_dated",
            "_code",
            "_by_start",
            "_by_end",
            "_by_upvotes",
        ):
            getattr(self, name)  # a cached property: reading it builds it
        for field in ("title", "authors"):
            self._terms_by_length(field)

    @cached_property
    def source(self) -> WordSource:
        if self._source is not None:
            return self._source
        return MemoryWords([paper for paper in self._papers if isinstance(paper, Paper)])

    @cached_property
    def ids(self) -> list[int]:
        if self._order is not None:
            return list(self._order)
        return [paper.id for paper in self._papers if paper.id is not None]

    @cached_property
    def _kept(self) -> list[Listed]:
        papers = self._papers if self._load is None else self._load()
        kept = [paper for paper in papers if paper.id is not None]
        if [paper.id for paper in kept] != self.ids:
            # Read after the order, and another process changed the library between.
            raise ValueError("the library changed while it was searched; search again")
        return kept

    @cached_property
    def _position_of(self) -> Positions:
        """Each paper's position by its id (-1: not listed), as an array: a word
        index answers with tens of thousands of ids, mapped here in one step."""
        np = _numpy()
        ids = self._ids_array
        position_of = np.full(int(ids.max(initial=0)) + 1, -1, dtype=np.int64)
        position_of[ids] = np.arange(len(ids))
        return position_of

    @cached_property
    def _ids_array(self) -> Positions:
        np = _numpy()
        return np.array(self.ids, dtype=np.int64)

    @cached_property
    def _periods(self) -> tuple[list[str | None], list[str | None]]:
        # Parsed once per distinct date: a large library has far fewer days than papers.
        published = [paper.published for paper in self._kept]
        periods = {text: _paper_period(text) for text in set(published)}
        starts = {text: period[0] if period else None for text, period in periods.items()}
        ends = {text: period[1] if period else None for text, period in periods.items()}
        return [starts[text] for text in published], [ends[text] for text in published]

    @cached_property
    def _starts(self) -> list[str | None]:
        return self._periods[0]

    @cached_property
    def _ends(self) -> list[str | None]:
        return self._periods[1]

    def _counts(self, field: str) -> list[int | None]:
        """Each paper's count of a :data:`COUNT_FIELDS` field, 0 where unknown."""
        read = {
            "upvotes": attrgetter("upvotes"),
            "github": attrgetter("github_stars"),
            "comments": attrgetter("num_comments"),
        }[field]
        return [read(paper) or 0 for paper in self._kept]

    @cached_property
    def _featured(self) -> list[str | None]:
        return [paper.featured for paper in self._kept]

    @cached_property
    def _code(self) -> frozenset[int]:
        kept = self._kept
        return frozenset(compress(range(len(kept)), [paper.github_url for paper in kept]))

    # Built only when a query first needs them: most filters never do.
    @cached_property
    def _everything(self) -> frozenset[int]:
        return frozenset(range(len(self.ids)))

    @cached_property
    def _dated(self) -> frozenset[int]:
        return frozenset(compress(range(len(self.ids)), self._starts))

    @cached_property
    def _by_start(self) -> _Ordered[str]:
        return _Ordered(self._starts)

    @cached_property
    def _by_end(self) -> _Ordered[str]:
        return _Ordered(self._ends)

    @cached_property
    def _by_upvotes(self) -> _Ordered[int]:
        return _Ordered(self._counts("upvotes"))

    # Not warmed: few filters ask for them.
    @cached_property
    def _by_stars(self) -> _Ordered[int]:
        return _Ordered(self._counts("github"))

    @cached_property
    def _by_comments(self) -> _Ordered[int]:
        return _Ordered(self._counts("comments"))

    def search(self, query: Query, marks: Mapping[int, Annotation] | None = None) -> list[int]:
        """Ids of the papers matching every word and term of ``query``.

        ``marks`` are the user's annotations by paper id; a paper without one is
        unstarred, unread, untagged and has no note. With plain words or phrases
        the best text matches come first; with only other terms, library order
        (newest first). Ties keep library order. An empty query matches
        everything; one made only of malformed terms matches nothing.
        """
        if not query.words and not query.terms:
            return [] if query.errors else list(self.ids)
        structured = [t for t in query.terms if t.field not in _TEXT_FIELDS]
        # From marks first (usually a few papers), then ranges; exclusions last.
        structured.sort(key=lambda t: (t.negated, t.field not in ("is", "tag", "has")))
        chosen: AbstractSet[int] | None = None
        for term in structured:
            chosen = self._narrow(term, chosen, self._structured(term, marks or {}, chosen))
            if not chosen:
                return []
        for term in query.terms:
            if term.field in ("author", "title") and not term.negated:
                matched = self._matched(self._text_term(term, chosen))
                chosen = matched if chosen is None else chosen & matched
                if not chosen:
                    return []
        np = _numpy()
        totals: Scores | None = None
        scored = [t for t in query.terms if t.field == "phrase" and not t.negated]
        scored += [Term("word", word) for word in query.words]
        for term in scored:
            # A phrase reads text: only of the papers still in the running.
            within = chosen if totals is None or term.field != "phrase" else self._matched(totals)
            scores = self._text_term(term, within)
            if totals is None:
                totals = self._only(scores, chosen)
            else:
                totals = np.where((totals > 0) & (scores > 0), totals + scores, 0.0)
            if not totals.any():
                return []
        for term in query.terms:
            if term.field in _TEXT_FIELDS and term.negated and self.source.split(term.value):
                found = self._text_term(term, chosen) > 0
                if totals is None:
                    chosen = set(self._all_or(chosen)) - set(np.flatnonzero(found).tolist())
                else:
                    totals[found] = 0.0
        if totals is None:
            if chosen is None:  # only terms that leave nothing out ("-&")
                return list(self.ids)
            return [self.ids[i] for i in sorted(chosen)]
        hits = np.flatnonzero(totals)
        if len(query.words) > 1:
            # The words typed, in order, in the title: read only for the papers found.
            phrase = fold(" ".join(query.words))
            for i, title in self._titles_of(hits.tolist()):
                if phrase in fold(title):
                    totals[i] += PHRASE_BONUS
        # Best first, ties in library order: a stable sort of the positions in order.
        ranked = hits[np.argsort(-totals[hits], kind="stable")]
        return self._ids_array[ranked].tolist()  # type: ignore[no-any-return]

    def _matched(self, scores: Scores) -> set[int]:
        return set(_numpy().flatnonzero(scores).tolist())

    def _only(self, scores: Scores, chosen: AbstractSet[int] | None) -> Scores:
        """``scores`` of the ``chosen`` positions only (all of them for None), as a copy."""
        np = _numpy()
        if chosen is None:
            return scores.copy()
        kept = np.zeros_like(scores)
        at = np.fromiter(chosen, dtype=np.int64, count=len(chosen))
        kept[at] = scores[at]
        return kept

    def _titles_of(self, positions: Collection[int]) -> Iterable[tuple[int, str]]:
        """(position, title) of these papers: from memory, or asked of the source
        when only the order is held."""
        if self._load is None or "_kept" in self.__dict__:
            kept = self._kept
            return ((i, kept[i].title) for i in positions)
        ids = self.ids
        found = self.source.texts("title", [ids[i] for i in positions])
        position_of = self._position_of
        return ((int(position_of[paper_id]), title) for paper_id, title in found)

    def _all_or(self, chosen: AbstractSet[int] | None) -> AbstractSet[int]:
        return self._everything if chosen is None else chosen

    def _narrow(
        self, term: Term, chosen: AbstractSet[int] | None, matched: AbstractSet[int]
    ) -> AbstractSet[int]:
        """``chosen`` (None: every paper) cut down by one structured term's matches."""
        negated = term.negated
        if term.field == "is" and term.value == "unread":
            negated = not negated  # ``matched`` holds the read papers
        if not negated:
            return matched if chosen is None else chosen & matched
        # A paper without a date satisfies no date term, not even a negated one.
        dated = term.field in ("year", "before", "after")
        if chosen is None:
            return (self._dated if dated else self._everything) - matched
        return (chosen & self._dated if dated else chosen) - matched

    def _structured(
        self, term: Term, marks: Mapping[int, Annotation], chosen: AbstractSet[int] | None
    ) -> AbstractSet[int]:
        """Positions matching a term that needs no text matching (negation aside)."""
        field, value = term.field, term.value
        if field == "has" and value == "code":
            return self._code
        if field in ("is", "has", "tag"):
            test: Callable[[Annotation], bool]
            if field == "tag":
                test = lambda mark: value in mark.tags  # noqa: E731
            elif value == "starred":
                test = lambda mark: mark.starred  # noqa: E731
            elif field == "has":
                test = lambda mark: mark.has_note  # noqa: E731
            else:
                test = lambda mark: mark.is_read  # noqa: E731
            # ``marks`` must not change while this runs: the TUI hands its worker a copy.
            marked = [paper_id for paper_id, mark in marks.items() if test(mark)]
            return set(self._at(marked).tolist())
        if field in COUNT_FIELDS:
            by_count: _Ordered[int] = getattr(self, _BY_COUNT[field])  # built on first use
            return by_count.select(term.low, term.high, chosen)
        if field == "year":
            low = None if term.low is None else f"{term.low:04d}"
            high = None if term.high is None else f"{term.high:04d}-99"
            return self._by_start.select(low, high, chosen)
        if field == "before":
            return self._by_end.select(None, value, chosen, open_ends=True)
        if field == "after":
            return self._by_start.select(value, None, chosen, open_ends=True)
        if field == "recent":
            # Featured on Hugging Face, or published (to the day), on or after ``value``.
            featured, starts = self._featured, self._starts
            return {
                i
                for i in (range(len(self.ids)) if chosen is None else chosen)
                if (featured[i] or "") >= value or (starts[i] or "") >= value
            }
        raise ValueError(f"not a structured term: {field}")

    # -- text -----------------------------------------------------------------

    def _text_term(self, term: Term, within: AbstractSet[int] | None) -> Scores:
        """Score per position (0: no match) of a word, phrase, author or title term.
        ``within`` only says where the answer matters: a phrase is checked there only."""
        np = _numpy()
        if term.field == "phrase":
            found = np.zeros(len(self.ids))
            for i, score in self._phrase_scores(term.value, within).items():
                found[i] = score
            return found
        if term.field == "author":
            return self._author_scores(term, within)
        fields = {"word": _WORD_FIELDS, "title": ("title",)}[term.field]
        typed = self.source.split(term.value)
        tokens = list(dict.fromkeys(typed))
        if not tokens:
            # Only punctuation: nothing a word index holds, so it leaves nothing out.
            return np.full(len(self.ids), _ANYWHERE)
        # A word of letters and more ("re:zero", "gpt-4o") looks for all of its
        # parts; a short part then counts in an abstract too.
        whole = len(term.value) >= 3 and len(typed) > 1
        parts = [self._token_scores(token, fields, short=whole) for token in tokens]
        if len(parts) == 1:
            return parts[0]
        everywhere = np.logical_and.reduce([part > 0 for part in parts])
        # The mean over the word's parts (each counted as often as it was typed).
        counts = [typed.count(token) for token in tokens]
        total = sum(part * count for part, count in zip(parts, counts, strict=True))
        return np.where(everywhere, total / sum(counts), 0.0)

    def _author_scores(self, term: Term, within: AbstractSet[int] | None) -> Scores:
        """100 per position whose paper has an author ``term`` names (see
        :func:`author_kind`), else 0. The word indexes find the papers holding the
        words; a full name or a run is then checked against the names themselves,
        only ``within`` those positions when given."""
        np = _numpy()
        key = (f"author+{term.quoted}+{term.partial}", term.value)
        cached = self._recalled(key) if within is None else None
        if cached is not None:
            return cached
        typed = name_words(term.value, self._split_name)
        if not typed:
            # Only punctuation: nothing a word index holds, so it leaves nothing out.
            return np.full(len(self.ids), _ANYWHERE)
        kind = author_kind(term, typed)
        source = self.source
        scores = np.zeros(len(self.ids))
        if kind == "word":
            (word,) = typed
            if term.quoted and term.partial:
                found = self._at(source.starting("authors", word))
            else:
                found = self._at(source.having("authors", self._author_words(word, term)))
            scores[found] = 100.0
        elif kind == "name" and term.partial:
            # While the quote is open the words, as typed ("Li, H" too), are looked
            # for among all the authors, the last as a beginning: checking names at
            # every key would read the names of most papers for a first letter.
            as_typed = self._split_name(term.value)
            held = self._holding(as_typed[:-1], optional_initials=True)
            held &= set(self._at(source.starting("authors", as_typed[-1])).tolist())
            scores[list(held)] = 100.0
        else:
            # A full name's first and last words must be there; its middle ones may be
            # initials on one side, or left out.
            if kind == "name":
                held = self._holding(typed[:1]) & self._holding(typed[-1:], exact=True)
            else:
                held = self._holding(typed, exact=True)
            if within is not None:
                held &= within
            self._check_names(typed, kind, held, scores)
        if within is None:
            self._remember(key, scores)
        return scores

    def _holding(
        self, typed: Sequence[str], *, exact: bool = False, optional_initials: bool = False
    ) -> set[int]:
        """Positions of the papers whose authors hold every word of ``typed``: each
        as itself, or (unless ``exact``) as its initial, a one-letter word standing
        for any word it starts. With ``optional_initials``, one-letter words after
        the first are not looked for."""
        source = self.source
        held: set[int] | None = None
        for at, word in enumerate(typed):
            if exact:
                found: Collection[int] = source.having("authors", {word})
            elif len(word) == 1:
                if optional_initials and at > 0:
                    continue
                found = source.starting("authors", word)
            else:
                found = source.having("authors", {word, word[0]})
            positions = set(self._at(found).tolist())
            held = positions if held is None else held & positions
            if not held:
                return set()
        return set(self._everything) if held is None else held

    def _check_names(
        self, typed: Sequence[str], kind: str, held: Collection[int], scores: Scores
    ) -> None:
        """Set ``scores`` to 100 at the ``held`` positions whose paper has an author
        with the full name (``kind`` "name") or the run of words (``run``) ``typed``."""
        ids, position_of = self.ids, self._position_of
        # Only the names holding the family name and a word starting as the first
        # given name does (the first and last words of a run) are read whole.
        if kind == "name":
            needed, starting = typed[-1], typed[0][:1]
        else:
            needed, starting = typed[0], typed[-1]
        for paper_id, names in self.source.names([ids[i] for i in held], needed, starting):
            for name in names:
                words_held = name_words(name, self._split_name)
                if (
                    is_full_name(typed, words_held)
                    if kind == "name"
                    else has_run(typed, words_held)
                ):
                    scores[int(position_of[paper_id])] = 100.0
                    break

    def _split_name(self, name: str) -> list[str]:
        """An author's name as the word index splits it (plain ASCII needs no asking)."""
        return words(name) if name.isascii() else self.source.split(name)

    def _author_words(self, word: str, term: Term) -> list[str]:
        """The name words an author word finds: itself, and for an unquoted word of
        :data:`AUTHOR_TYPO_MIN_LEN` letters that is nobody's name word, the name
        words one typo away from it."""
        if term.quoted or len(word) < AUTHOR_TYPO_MIN_LEN or word in self._author_vocabulary:
            return [word]
        by_length, lengths = self._terms_by_length("authors")
        near = by_length[bisect_left(lengths, len(word) - 1) : bisect_right(lengths, len(word) + 1)]
        found = process.extract(word, near, scorer=OSA.distance, score_cutoff=1, limit=None)
        return [word, *(held for held, _distance, _at in found)]

    @cached_property
    def _author_vocabulary(self) -> frozenset[str]:
        return frozenset(self._terms("authors"))

    def _token_scores(self, token: str, fields: tuple[str, ...], *, short: bool = False) -> Scores:
        """Best weighted score per position (0: none) of one term over ``fields``;
        with ``short``, abstracts are searched for terms under three letters too."""
        key = ("+".join(fields) + ("+short" if short else ""), token)
        cached = self._recalled(key)
        if cached is not None:
            return cached
        groups = [
            (score * _WEIGHTS[field], positions)
            for field in fields
            for score, positions in self._field_scores(token, field, short=short)
        ]
        # The best last, so it wins where a paper is in several groups.
        groups.sort(key=itemgetter(0))
        np = _numpy()
        scores = np.zeros(len(self.ids))
        for score, positions in groups:
            scores[positions] = score
        self._remember(key, scores)
        return scores

    def _recalled(self, key: tuple[str, str]) -> Scores | None:
        """A recent answer, if it is still kept."""
        with self._lock:
            cached = self._recent.get(key)
            if cached is not None:
                self._recent.move_to_end(key)
            return cached

    def _remember(self, key: tuple[str, str], scores: Scores) -> None:
        with self._lock:
            self._recent[key] = scores
            # A few dozen arrays at most: each is 8 bytes a paper.
            while len(self._recent) > max(4, _RECENT_BYTES // max(1, scores.nbytes)):
                self._recent.popitem(last=False)

    def _field_scores(
        self, token: str, field: str, *, short: bool = False
    ) -> list[tuple[float, Positions]]:
        """(score out of 100, + a bonus at a word start; positions) of one term in
        one field, a group per score.

        Titles and authors: a term shorter than :data:`FUZZY_MIN_LEN` is found
        exactly inside a word (one or two letters only where a word starts); a
        longer one fuzzily, against every distinct word of the field. Abstracts:
        a word starting with the term, from three letters on.
        """
        source = self.source
        if field == "abstract":
            if len(token) < 3 and not short:
                return []
            return [(100.0, self._at(source.starting(field, token)))]
        if len(token) < FUZZY_MIN_LEN:
            starts = (100.0 + WORD_START_BONUS, self._at(source.starting(field, token)))
            if len(token) < 3:
                return [starts]
            inside = [t for t in self._terms(field) if token in t and not t.startswith(token)]
            return [(100.0, self._at(source.having(field, inside))), starts]
        groups: dict[float, list[str]] = {}
        length = len(token)
        # A word shorter than two thirds of the typed one cannot reach the cutoff
        # (below, a shorter word is scored by ratio: 2 * common / total length).
        by_length, lengths = self._terms_by_length(field)
        candidates = by_length[bisect_left(lengths, -(-2 * length // 3)) :]
        np = _numpy()
        # The words down the side, the typed one across: that is how cdist uses
        # both cores.
        scores = process.cdist(
            candidates,
            [token],
            scorer=fuzz.partial_ratio,
            score_cutoff=FUZZY_CUTOFF,
            workers=-1,
            dtype=np.float64,
        )[:, 0]
        for index in np.flatnonzero(scores).tolist():
            term, score = candidates[index], float(scores[index])
            if len(term) < length:
                # A shorter word is not found inside the typed one: "mod" is no "model".
                score = fuzz.ratio(token, term, score_cutoff=FUZZY_CUTOFF)
                if not score:
                    continue
            if score >= 100.0 and term.startswith(token):
                score += WORD_START_BONUS
            groups.setdefault(score, []).append(term)
        return [(score, self._at(source.having(field, groups[score]))) for score in sorted(groups)]

    def _phrase_scores(self, phrase: str, within: Collection[int] | None) -> dict[int, float]:
        """Score of an exact phrase per position: by the best field it is found in.

        The phrase must start where a word starts. The word indexes narrow the
        papers to those holding every word of it; their text is then read.
        """
        tokens = self.source.split(phrase)
        if not tokens:
            return {}
        target = " ".join(fold(phrase).split())
        pattern = re.compile(r"(?<![^\W_])" + re.escape(target))
        ids = self.ids
        scores: dict[int, float] = {}
        for field in sorted(_WORD_FIELDS, key=_WEIGHTS.__getitem__):
            candidates: set[int] | None = None if within is None else set(within)
            for token in dict.fromkeys(tokens):
                held = set(self._at(self.source.starting(field, token)).tolist())
                candidates = held if candidates is None else candidates & held
                if not candidates:
                    break
            if not candidates:
                continue
            score = 100.0 * _WEIGHTS[field]
            for paper_id, text in self.source.texts(field, [ids[i] for i in candidates]):
                if pattern.search(" ".join(fold(text).split())):
                    scores[int(self._position_of[paper_id])] = score
        return scores

    def _terms_by_length(self, field: str) -> tuple[list[str], list[int]]:
        """The field's words shortest first, and their lengths (for bisecting)."""
        with self._lock:
            found = self._by_length.get(field)
        if found is None:
            ordered = sorted(self._terms(field), key=len)
            found = (ordered, [len(term) for term in ordered])
            with self._lock:
                self._by_length[field] = found
        return found

    def _terms(self, field: str) -> Sequence[str]:
        with self._lock:
            terms = self._vocabulary.get(field)
        if terms is None:
            terms = self.source.terms(field)
            with self._lock:
                self._vocabulary[field] = terms
        return terms

    def _at(self, paper_ids: Collection[int]) -> Positions:
        """Positions of these papers (ones added since this index was built are skipped)."""
        np = _numpy()
        position_of = self._position_of
        ids = np.fromiter(paper_ids, dtype=np.int64, count=len(paper_ids))
        ids = ids[ids < len(position_of)]
        found = position_of[ids]
        return found[found >= 0]


def _numpy() -> Any:
    """numpy, imported on the first search (in a worker), not with the app."""
    import numpy

    return numpy


# -- authors --------------------------------------------------------------------

# An unquoted author word of at least this many letters may carry one typo (one
# letter added, dropped, changed, or two swapped), and only when no author in the
# library has that very word. Shorter, a typo turns one common name into another:
# Li/Lu/Liu/Lin, Chen/Chan, Wang/Wong, Zhao/Zhou, Kim/Lim, and at five letters
# still Huang/Hwang, Smith/Smyth, Meyer/Mayer, Zhang/Chang. From six on such pairs
# are rare (Miller/Muller, Fisher/Fischer), and they are why the second rule: a
# word that is someone's name finds that name, never its neighbours.
AUTHOR_TYPO_MIN_LEN = 6
# Name suffixes that follow a comma without making the name BibTeX's "Last, First".
_NAME_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})


def name_words(name: str, split: Callable[[str], list[str]] | None = None) -> list[str]:
    """The words of one author's name, given names first, as ``split`` (default
    :func:`words`) makes them: BibTeX's "Li, Hao" is "hao li", "Li, Jr., Hao" is
    "hao li jr"; "Hao Li, Jr." stays as it is."""
    if "," in name:
        parts = [part for part in (p.strip() for p in name.split(",")) if part]
        if len(parts) == 2 and "".join(words(parts[1])) not in _NAME_SUFFIXES:
            name = f"{parts[1]} {parts[0]}"
        elif len(parts) == 3:
            name = f"{parts[2]} {parts[0]} {parts[1]}"
    return (split or words)(name)


def author_kind(term: Term, typed: Sequence[str]) -> str:
    """How an author term with the name words ``typed`` matches one author:

    ``name``: the author's full name (quoted, or a BibTeX "Last, First");
    ``word``: one whole word of the name; ``run``: words that follow each other
    in the name (an unquoted "li-wei" or "o'brien").
    """
    if len(typed) < 2:
        return "word"
    if term.quoted or "," in term.value:
        return "name"
    return "run"


def _same_name_word(typed: str, held: str) -> bool:
    # An initial stands for any given name it starts: "h" is "hao", "hao" is "h".
    if typed == held:
        return True
    return (len(typed) == 1 and held.startswith(typed)) or (
        len(held) == 1 and typed.startswith(held)
    )


def _without_middle_initials(name: Sequence[str]) -> Sequence[str]:
    if len(name) < 3:
        return name
    return [name[0], *(word for word in name[1:-1] if len(word) > 1), name[-1]]


def _names_align(typed: Sequence[str], held: Sequence[str]) -> bool:
    """``typed`` is ``held``, word for word: the last (the family name) exactly,
    the others or their initials."""
    if len(held) != len(typed) or held[-1] != typed[-1]:
        return False
    return all(map(_same_name_word, typed[:-1], held[:-1]))


def is_full_name(typed: Sequence[str], held: Sequence[str]) -> bool:
    """Whether ``held`` (an author's name words) is the full name ``typed``: word
    for word, the given names or their initials ("H. Li" is "Hao Li"), with middle
    initials only one side has left out ("Ricky T. Q. Chen" is "Ricky Chen")."""
    if not typed or not held or held[-1] != typed[-1]:
        return False  # most names tried: another family name
    return (
        _names_align(typed, held)
        or _names_align(typed, _without_middle_initials(held))
        or _names_align(_without_middle_initials(typed), held)
    )


def has_run(typed: Sequence[str], held: Sequence[str]) -> bool:
    """Whether the words ``typed`` follow each other, in order, in ``held``."""
    size, typed = len(typed), list(typed)
    return any(list(held[at : at + size]) == typed for at in range(len(held) - size + 1))


def fold(text: str) -> str:
    """``text`` lower-cased with the accents of Latin letters removed, close to how
    SQLite's word index sees it ("Müller" is "muller"; "новый" stays as it is).

    The store splits typed words with SQLite's own tokenizer (``Words.split``);
    this is for :class:`MemoryWords` and for comparing a phrase with a text.
    """
    lowered = text.lower()
    if lowered.isascii():
        return lowered
    kept: list[str] = []
    for ch in unicodedata.normalize("NFD", lowered):
        if kept and unicodedata.combining(ch) and _is_latin(kept[-1]):
            continue
        kept.append(ch)
    # SQLite folds the final sigma as Python's casefold does.
    return unicodedata.normalize("NFC", "".join(kept)).replace("\u03c2", "\u03c3")


def _is_latin(ch: str) -> bool:
    code = ord(ch)
    return ch.isascii() or 0xC0 <= code <= 0x24F or 0x1E00 <= code <= 0x1EFF


def words(text: str) -> list[str]:
    """The terms of ``text``: runs of letters and digits, folded (see :func:`fold`)."""
    return _TERM.findall(fold(text))


def title_spans(title: str, query: Query) -> list[tuple[int, int]]:
    """Character ranges of ``title`` that the query matched, for highlighting.

    Only what a paper must contain lights up: plain words, ``title:`` values and
    phrases (exactly); never a negated word.
    """
    text = _lower_same_length(title)
    spans: list[tuple[int, int]] = []
    for word in query.words:
        spans.extend(_word_spans(text, word))
    for term in query.terms:
        if term.negated:
            continue
        if term.field == "title":
            spans.extend(_word_spans(text, term.value))
        elif term.field == "phrase":
            at = text.find(term.value)
            if at >= 0:
                spans.append((at, at + len(term.value)))
    return _merge_spans(spans)


def _word_spans(text: str, word: str) -> list[tuple[int, int]]:
    match = _word_start(word).search(text)
    if match:
        return [(match.start(), match.end())]
    if len(word) < 3:
        return []
    at = text.find(word)
    if at >= 0:
        return [(at, at + len(word))]
    if len(word) < FUZZY_MIN_LEN:
        return []
    alignment = fuzz.partial_ratio_alignment(word, text, score_cutoff=FUZZY_CUTOFF)
    if alignment is None:
        return []
    # The aligned window can end one letter short of the word it found; widen it
    # a little and light only the letters the word shares with it.
    start = max(0, alignment.dest_start - 1)
    window = text[start : alignment.dest_end + 1]
    return [
        (start + op.dest_start, start + op.dest_end)
        for op in Indel.opcodes(word, window)
        if op.tag == "equal"
    ]


def _merge_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
