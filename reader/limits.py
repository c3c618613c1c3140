"""How large a paper's fields and a user's marks may be, and how they are cut to size.

Oversized fields used to be stored whole and then hung whatever touched them: a
50 MB title froze the app for minutes, a 9 MB abstract froze start-up. Every
import therefore passes :func:`bound_import` (called by the store's one import
path), which cuts what is too long and says what it cut (:class:`Cut`). The
editors bound what a user types with the same constants and :func:`cut`.

The limits are far above real papers, so they only ever catch junk:

- A title of 1,000 characters is ten times the longest real ones (about 300).
- An author name of 300 characters holds any real name, transliterations and all;
  5,000 authors keeps the largest collaborations whole (ATLAS and CMS papers list
  about 3,000).
- An abstract of 20,000 characters: arXiv caps abstracts at 1,920, Hugging Face
  summaries are shorter, BibTeX abstracts can be long (a whole extended abstract).
- An AI summary of 5,000 characters: Hugging Face's are a sentence or two.
- A comment or journal reference of 2,000 characters: a few lines of prose.
- A DOI or URL of 2,000 characters: what browsers and servers take at the most.
  One that is longer is dropped, not cut: a cut link is a wrong link.
- 200 categories or keywords of 100 characters each: arXiv codes are a few
  characters and papers have a handful; keywords are short phrases.
- 200 tags of 100 characters: tags are labels, not text.
- A note of 1,000,000 characters: a long chapter of notes; bounded, because a note
  is drawn, searched and exported whole.

Text is cut at a character (a base character keeps its accents), on a word
boundary when one is near, and ends in "…" within the limit, so a cut field is
never longer than its limit and cutting it again changes nothing.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from reader.text import one_line

if TYPE_CHECKING:
    from reader.models import Annotation, Paper

TITLE_CHARS = 1_000
AUTHOR_CHARS = 300
AUTHORS = 5_000
ABSTRACT_CHARS = 20_000
AI_SUMMARY_CHARS = 5_000
# A comment or journal reference.
PROSE_CHARS = 2_000
# A DOI, URL or GitHub URL: longer ones are dropped.
LINK_CHARS = 2_000
# Categories (the primary one too) and keywords: each, and how many.
TERM_CHARS = 100
TERMS = 200
TAG_CHARS = 100
TAGS = 200
NOTE_CHARS = 1_000_000

ELLIPSIS = "\u2026"
# How far back from the limit a cut looks for a space to end on (at most a quarter
# of the limit).
_NEAR_CHARS = 20
# How far a cut steps back so as not to split a character from its accents.
_MAX_MARKS = 16
_SPACES = (" ", "\n", "\t")
# What the summary line quotes of a cut paper's title.
_QUOTE_CHARS = 40


def cut(text: str, limit: int) -> str:
    """``text`` when it fits in ``limit`` (at least 1) characters, else its start
    ending in "…".

    The result is never longer than ``limit``, so ``cut(cut(t, n), n) == cut(t, n)``.
    It ends on a word boundary when there is one within the last few characters,
    and does not separate a character from its accents or a joined emoji.
    """
    if len(text) <= limit:
        return text
    end = _character_start(text, max(limit - 1, 0))  # room for the ellipsis
    if not text[end].isspace() and not text[end - 1 : end].isspace():
        # Mid-word: end on the last space near the limit, when there is one.
        since = end - min(_NEAR_CHARS, end // 4)
        space = max(text.rfind(mark, since, end) for mark in _SPACES)
        if space > 0:
            end = space
    return text[:end].rstrip() + ELLIPSIS


def _character_start(text: str, end: int) -> int:
    """``end``, moved back so that ``text[end]`` does not extend the character before it."""
    for _ in range(_MAX_MARKS):
        if end <= 0 or not (_extends(text[end]) or text[end - 1] == "\u200d"):
            break
        end -= 1
    return end


def _extends(char: str) -> bool:
    """Whether ``char`` belongs to the character before it: an accent, a joiner, a
    variation selector or a skin tone."""
    if char.isascii():
        return False
    return (
        unicodedata.category(char) in ("Mn", "Mc", "Me")
        or char == "\u200d"
        or "\U0001f3fb" <= char <= "\U0001f3ff"
    )


@dataclass(frozen=True, slots=True)
class Cut:
    """A field cut to size (or dropped) on import, for the line that reports it."""

    # The position, from 1, of its paper in what was imported.
    record: int
    # The paper's title, as kept: names the paper in the message.
    title: str
    # What was cut, in the user's words: "title", "author name", "tags", "note".
    field: str
    # Its size before, in ``unit``s.
    before: int
    # The limit it was cut to; 0 when it was dropped (a link too long to be right).
    after: int
    unit: str = "characters"

    def describe(self) -> str:
        """One short line, e.g. "paper 17 'A title…': title, 50,000,000 characters to 1,000"."""
        title = cut(one_line(self.title), _QUOTE_CHARS)
        if self.after:
            what = f"{self.before:,} {self.unit} to {self.after:,}"
        else:
            what = f"{self.before:,} {self.unit}, dropped"
        return f"paper {self.record} '{title}': {self.field}, {what}"


# Text fields of a Paper: attribute, limit, the user's word for it.
_TEXTS = (
    ("title", TITLE_CHARS, "title"),
    ("abstract", ABSTRACT_CHARS, "abstract"),
    ("ai_summary", AI_SUMMARY_CHARS, "AI summary"),
    ("comment", PROSE_CHARS, "comment"),
    ("journal_ref", PROSE_CHARS, "journal reference"),
    ("primary_category", TERM_CHARS, "primary category"),
)
# Links: dropped when longer than LINK_CHARS.
_LINKS = (("doi", "DOI"), ("url", "URL"), ("github_url", "GitHub URL"))
# Lists of a Paper: attribute, most items, item limit, the words for the list,
# an item and the items.
_LISTS = (
    ("authors", AUTHORS, AUTHOR_CHARS, "authors", "author name", "names"),
    ("categories", TERMS, TERM_CHARS, "categories", "category", "categories"),
    ("ai_keywords", TERMS, TERM_CHARS, "keywords", "keyword", "keywords"),
)


def fits(paper: Paper) -> bool:
    """Whether every field of ``paper`` is within its limit (then bounding keeps it as it
    is): a few length checks, the only cost of bounding for a normal paper."""
    # One expression, no calls but len and max: it runs for every paper imported.
    # A missing value is let through: the store reports a paper it cannot write.
    return (
        len(paper.title or "") <= TITLE_CHARS
        and len(paper.abstract or "") <= ABSTRACT_CHARS
        and len(paper.ai_summary or "") <= AI_SUMMARY_CHARS
        and len(paper.comment or "") <= PROSE_CHARS
        and len(paper.journal_ref or "") <= PROSE_CHARS
        and len(paper.primary_category or "") <= TERM_CHARS
        and len(paper.doi or "") <= LINK_CHARS
        and len(paper.url or "") <= LINK_CHARS
        and len(paper.github_url or "") <= LINK_CHARS
        and len(paper.authors) <= AUTHORS
        and (not paper.authors or max(map(len, paper.authors)) <= AUTHOR_CHARS)
        and len(paper.categories) <= TERMS
        and (not paper.categories or max(map(len, paper.categories)) <= TERM_CHARS)
        and len(paper.ai_keywords) <= TERMS
        and (not paper.ai_keywords or max(map(len, paper.ai_keywords)) <= TERM_CHARS)
    )


def _list_fits(items: Sequence[str], most: int, chars: int) -> bool:
    return not items or (len(items) <= most and max(map(len, items)) <= chars)


def bound_paper(paper: Paper, record: int = 1) -> tuple[Paper, list[Cut]]:
    """``paper`` with every field within its limit, and what was cut (nothing when it
    :func:`fits`). ``record`` is its position in the import, for the message."""
    if fits(paper):
        return paper, []
    changes: dict[str, Any] = {}
    found: list[tuple[str, int, int, str]] = []  # field, before, after, unit
    for name, limit, word in _TEXTS:
        value = getattr(paper, name)
        if value is not None and len(value) > limit:
            changes[name] = cut(value, limit)
            found.append((word, len(value), limit, "characters"))
    for name, word in _LINKS:
        value = getattr(paper, name)
        if value is not None and len(value) > LINK_CHARS:
            changes[name] = None
            found.append((word, len(value), 0, "characters"))
    for name, most, chars, word, item_word, unit in _LISTS:
        items: tuple[str, ...] = getattr(paper, name)
        if _list_fits(items, most, chars):
            continue
        kept = tuple(cut(item, chars) for item in items[:most])
        changes[name] = kept
        if len(items) > most:
            found.append((word, len(items), most, unit))
        longest = max(map(len, items[:most]))
        if longest > chars:
            found.append((item_word, longest, chars, "characters"))
    bounded = replace(paper, **changes)
    return bounded, [Cut(record, bounded.title, *what) for what in found]


def bound_annotation(
    mark: Annotation, record: int = 1, title: str = ""
) -> tuple[Annotation, list[Cut]]:
    """``mark`` with its note and tags within their limits, and what was cut.

    ``record`` and ``title`` name its paper in the message. Tags cut to the same
    text count once.
    """
    tags, note = mark.tags, mark.note
    if len(note) <= NOTE_CHARS and _list_fits(tags, TAGS, TAG_CHARS):
        return mark, []
    cuts: list[Cut] = []
    if len(note) > NOTE_CHARS:
        cuts.append(Cut(record, title, "note", len(note), NOTE_CHARS))
        note = cut(note, NOTE_CHARS)
    if not _list_fits(tags, TAGS, TAG_CHARS):
        kept = _first_distinct((cut(tag, TAG_CHARS) for tag in tags), TAGS)
        distinct = len(set(tags))
        if distinct > TAGS:
            cuts.append(Cut(record, title, "tags", distinct, TAGS, "tags"))
        longest = max(map(len, tags))
        if longest > TAG_CHARS:
            cuts.append(Cut(record, title, "tag", longest, TAG_CHARS))
        tags = kept
    return replace(mark, note=note, tags=tags), cuts


def _first_distinct(items: Iterable[str], most: int) -> tuple[str, ...]:
    """The first ``most`` distinct ``items``, in order, looking no further."""
    seen: dict[str, None] = {}
    for item in items:
        seen[item] = None
        if len(seen) == most:
            break
    return tuple(seen)


def bound_import(
    papers: Sequence[Paper], marks: Mapping[int, Annotation]
) -> tuple[Sequence[Paper], Mapping[int, Annotation], list[Cut]]:
    """``papers`` and their ``marks`` (keyed by paper position) within the limits, and
    what was cut, in paper order.

    What already fits is passed on as it is: for a normal import this costs a
    few length checks per paper and copies nothing.
    """
    cuts: list[Cut] = []
    if not all(map(fits, papers)):
        papers = list(papers)
        for index, paper in enumerate(papers):
            papers[index], found = bound_paper(paper, index + 1)
            cuts.extend(found)
    bounded_marks: dict[int, Annotation] = {}
    for index, mark in marks.items():
        bounded_marks[index], found = bound_annotation(mark, index + 1, papers[index].title)
        cuts.extend(found)
    cuts.sort(key=lambda found: found.record)  # stable: a paper's own fields first
    return papers, bounded_marks, cuts
