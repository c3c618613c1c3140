"""The filter's query language: what a typed filter means, parsed into terms.

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
``is:starred``              also ``is:read``, ``is:unread`` and ``is:dismissed``
                            (not interested: hidden unless a query names it)
                            and ``is:new`` (came in since the inbox was last
                            marked done), ``is:updated`` (starred, with a newer
                            arXiv version or new code since then) and
                            ``is:inbox`` (new or updated: view 8)
``has:note``                also ``has:code`` (a GitHub link)
``upvotes:>10``             also ``<``, ``>=``, ``<=``, ``=``, ``5..20``; a bare
                            number means ``=``; no count counts as 0
``github:>100``             GitHub stars, compared as upvotes are
``comments:>5``             the number of comments on Hugging Face, the same
``fy:>0.7``                 the "For you" score, 0 to 1 (the chance the user's
                            model gives of a star); also ``<``, ``>=``, ``<=``,
                            ``0.3..0.8``; matches nothing until there is a ranking
``starred-by:ana``          starred by that user of the library (you, or a lab
                            mate who does not keep their marks private)
``lab:>=2``                 starred by that many lab mates (users other than
                            you), compared as upvotes are
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
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from difflib import get_close_matches
from functools import partial

from reader.models import normalise_tags

# Words shorter than this match only exactly; longer ones may carry a typo.
FUZZY_MIN_LEN = 5
# partial_ratio needed for a fuzzy word: one typo in a 5-8 letter word passes,
# an unrelated word that shares a few letters ("working" for "grokking") does not.
FUZZY_CUTOFF = 80.0

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
    "fy",
    "starred-by",
    "lab",
)
# The "For you" score's bounds are kept in thousandths (Term.low/high are integers).
FY_SCALE = 1000
# Fields that compare a count: a paper without one counts 0.
COUNT_FIELDS = ("upvotes", "github", "comments")
# Fields about the lab: the other users of a shared library.
LAB_FIELDS = ("starred-by", "lab")
IS_VALUES = ("starred", "unread", "read", "dismissed", "new", "updated", "inbox")
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
    "dismissed": "is:dismissed",
    "note": "has:note",
    "notes": "has:note",
    "code": "has:code",
    "repo": "has:code",
    "by": "starred-by:",
    "starredby": "starred-by:",
    "mates": "lab:",
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
    "fy": "fy: needs a For you score from 0 to 1, e.g. fy:>0.7",
    "recent": "recent: needs a number of days, e.g. recent:7",
    "starred-by": "starred-by: needs a user's name, e.g. starred-by:ana",
    "lab": "lab: needs a number of lab mates, e.g. lab:>=2",
    "is": "is: takes starred, unread, read, dismissed, new, updated or inbox",
    "has": "has: takes note or code",
}
UNCLOSED_QUOTE = 'unclosed quote — add a closing "'
# A quote with nothing after it yet: one hint, not "unclosed" and "empty" both.
LONE_QUOTE = 'a lone " — type a phrase after it, then a closing "'
LONE_MINUS = "'-' needs something to leave out after it, e.g. -is:read"
EMPTY_QUOTES = "empty quotes — put a phrase between them"

_QUOTES = '"“”'
# A field's name: letters, and a hyphen between two runs of them (starred-by:).
_FIELD_PREFIX = re.compile(r"([A-Za-z]+(?:-[A-Za-z]+)?):")
_COMPARISON = re.compile(r"(>=|<=|>|<|=)?(\S+)")
_BACKWARDS = re.compile(r"(\d{1,12})\.\.(\d{1,12})")
_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


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
    def asks_for_you(self) -> bool:
        """Whether the query has an ``fy:`` term (it needs the user's ranking)."""
        return any(t.field == "fy" for t in self.terms)

    @property
    def asks_dismissed(self) -> bool:
        """Whether the query names ``is:dismissed`` (negated or not): otherwise papers
        marked not interested are left out of what it finds."""
        return any(t.field == "is" and t.value == "dismissed" for t in self.terms)

    @property
    def asks_lab(self) -> bool:
        """Whether the query asks about the other users' stars (``starred-by:``,
        ``lab:``): it needs the lab's marks."""
        return any(t.field in LAB_FIELDS for t in self.terms)

    @property
    def is_valid(self) -> bool:
        """Whether anything is left to match once malformed terms are dropped."""
        return bool(self.words or self.terms) or not self.errors


# -- parsing ---------------------------------------------------------------------


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
    if field == "starred-by":
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
    if field == "fy":
        score = _bounds(value, number=_score)
        return needs if score is None else Term(field, value, negated, low=score[0], high=score[1])
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


def _bounds(
    value: str,
    *,
    digits: int | None = None,
    number: Callable[[str], int | None] | None = None,
) -> tuple[int | None, int | None] | None:
    """Inclusive bounds of ``N``, ``=N``, ``>N``, ``>=N``, ``<N``, ``<=N``, ``A..B``,
    ``A..`` or ``..B``; None when malformed. ``number`` reads one N (None: a count,
    ``digits`` long when given)."""
    read = number or partial(_count, digits=digits)
    if ".." in value:
        first, _, last = value.partition("..")
        low = read(first) if first else None
        high = read(last) if last else None
        if (first and low is None) or (last and high is None) or not (first or last):
            return None
        if low is not None and high is not None and low > high:
            return None
        return low, high
    match = _COMPARISON.fullmatch(value)
    found = read(match.group(2)) if match else None
    if match is None or found is None:
        return None
    return {
        None: (found, found),
        "=": (found, found),
        ">": (found + 1, None),
        ">=": (found, None),
        "<": (None, found - 1),
        "<=": (None, found),
    }[match.group(1)]


def _count(text: str, *, digits: int | None) -> int | None:
    """A count as a term writes it (``digits`` long, when given); None if it is not one."""
    if not text.isascii() or not text.isdigit() or len(text) > 12:
        return None
    if digits is not None and len(text) != digits:
        return None
    return int(text)


def _score(text: str) -> int | None:
    """A For you score from 0 to 1 in thousandths (``fy:`` bounds); None if it is not one."""
    try:
        number = float(text) if text.isascii() and text.strip(".") else None
    except ValueError:
        return None
    if number is None or not 0.0 <= number <= 1.0:
        return None
    return round(number * FY_SCALE)


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


def paper_period(published: str | None) -> tuple[str, str] | None:
    """A paper's date as a period; a date with a time or junk after it is cut down."""
    if not published:
        return None
    match = _DATE.match(published) if published.isascii() else None
    return _period(match.group(0)) if match else None
