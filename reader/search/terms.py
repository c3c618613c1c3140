"""Terms: how text is split into the terms the word indexes hold, which papers
hold which (:class:`WordSource`, answered in memory by :class:`MemoryWords`),
and how an author term's words meet an author's name.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from typing import Protocol

from reader.models import Paper
from reader.search.query import Term

# A term of the word indexes: letters and digits (SQLite's unicode61 tokenizer).
_TERM = re.compile(r"[^\W_]+")


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

    def postings(self) -> Iterable[tuple[str, str, str]]:
        """(term, the ids of the papers whose title holds it, the same for authors)
        for every title and author term, in order, the ids as JSON arrays ("[]":
        none)."""
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

    def postings(self) -> list[tuple[str, str, str]]:
        held: dict[str, tuple[list[int], list[int]]] = {}
        for at, field in enumerate(("title", "authors")):
            for paper_id, terms in self._terms[field].items():
                for term in terms:
                    held.setdefault(term, ([], []))[at].append(paper_id)
        return [
            (term, json.dumps(sorted(title)), json.dumps(sorted(authors)))
            for term, (title, authors) in sorted(held.items())
        ]

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


def authors_holding(
    source: WordSource,
    typed: Sequence[str],
    *,
    exact: bool = False,
    optional_initials: bool = False,
) -> set[int] | None:
    """Ids of the papers whose authors hold every word of ``typed``: each as itself,
    or (unless ``exact``) as its initial, a one-letter word standing for any word it
    starts. With ``optional_initials``, one-letter words after the first are not
    looked for; None when no word was (every paper holds them)."""
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
        held = set(found) if held is None else held & set(found)
        if not held:
            return set()
    return held
