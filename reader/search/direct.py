"""One search, answered from the word indexes alone: what ``reader list`` runs.

:class:`~reader.search.index.SearchIndex` holds the library's order and columns
in memory, with a score per paper in numpy arrays: right for an app that asks at
every key, slow to start for a command that asks once (numpy's import and the
order of every paper cost more than the search). :class:`DirectSearch` asks the
same :class:`~reader.search.terms.WordSource` the same questions and keeps a
score only for the papers that match, by id; the store then reads those papers
alone, in the list's order (:meth:`Library.listed_among`). The answers are
SearchIndex's, paper for paper and in the same order: the tests hold it to them.

What it does not answer (:class:`NotDirect`): terms on dates and counts
(``year:``, ``before:``, ``after:``, ``recent:``, ``upvotes:``, ``github:``,
``comments:``) and ``has:code``, which read every paper's columns, and a word or
author term made only of punctuation, which matches every paper. Those take
SearchIndex's way.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Protocol

from reader.models import Annotation, ListedPaper
from reader.search.index import (
    ABSTRACT_WEIGHT,
    AUTHOR_WEIGHT,
    PHRASE_BONUS,
    TITLE_WEIGHT,
    WORD_START_BONUS,
    fuzzy_score,
)
from reader.search.query import FUZZY_CUTOFF, FUZZY_MIN_LEN, Query, Term
from reader.search.terms import (
    AUTHOR_TYPO_MIN_LEN,
    WordSource,
    author_kind,
    authors_holding,
    fold,
    has_run,
    is_full_name,
    name_words,
    words,
)

_TEXT_FIELDS = ("word", "phrase", "author", "title")
_WORD_FIELDS = ("title", "authors", "abstract")
_WEIGHTS = {"title": TITLE_WEIGHT, "authors": AUTHOR_WEIGHT, "abstract": ABSTRACT_WEIGHT}
# The terms answered from the user's marks (and is:updated, from the papers updated
# with them); every other structured term is not.
_MARK_FIELDS = ("is", "tag")
# is: values that ask when papers came in.
_BY_TIME = ("new", "inbox")
# A score by paper id: only the papers that match are in it.
Scores = dict[int, float]
# A field's words, shortest first, and their lengths (for bisecting).
ByLength = tuple[list[str], list[int]]


class NotDirect(Exception):
    """The query needs what only SearchIndex holds (see the module's docstring)."""


def answers(query: Query) -> bool:
    """Whether :class:`DirectSearch` answers ``query`` (the rest may still raise
    :class:`NotDirect` once its words are split)."""
    return all(
        term.field in _TEXT_FIELDS
        # is:new (and is:inbox, which holds it) asks when papers came in: the list's
        # columns, through SearchIndex.
        or (term.field in _MARK_FIELDS and not (term.field == "is" and term.value in _BY_TIME))
        or (term.field == "has" and term.value == "note")
        for term in query.terms
    )


@dataclass
class Found:
    """What a search found. Ranked: a ``score`` by paper id, best first, ties in the
    list's order, the titles holding ``phrase`` (when there is one) still to get
    PHRASE_BONUS. Otherwise, in the list's order, ``only`` these papers, or (None)
    every paper but those ``left_out``."""

    scores: Scores | None = None
    phrase: str | None = None
    only: set[int] | None = None
    left_out: set[int] = field(default_factory=set)


class Listing(Protocol):
    """Where the papers found are read, in the list's order (a Library)."""

    def listed_among(
        self, paper_ids: Collection[int], limit: int | None = None
    ) -> list[ListedPaper]: ...

    def listed_except(
        self, paper_ids: Collection[int], limit: int | None = None
    ) -> list[ListedPaper]: ...

    def listed_ranked(
        self, groups: Sequence[Collection[int]], limit: int | None = None
    ) -> Iterator[list[ListedPaper]]: ...


def found_rows(
    found: Found, listing: Listing, limit: int | None = None
) -> Iterator[list[ListedPaper]]:
    """The list's rows of what was ``found`` (the first ``limit``), in order, a batch
    at a time as they are read: best first, ties in the list's order."""
    scores = found.scores
    if scores is None:
        if found.only is None:
            yield listing.listed_except(found.left_out, limit)
        else:
            yield listing.listed_among(found.only, limit)
        return
    if found.phrase is None:
        groups: dict[float, list[int]] = {}
        for paper_id, score in scores.items():
            groups.setdefault(score, []).append(paper_id)
        ranked = [groups[score] for score in sorted(groups, reverse=True)]
        yield from listing.listed_ranked(ranked, limit)
        return
    # The bonus reads every title found: so every row, once, in the list's order,
    # then a stable sort by score keeps that order among ties.
    rows = listing.listed_among(scores.keys())
    phrase = found.phrase
    totals = {
        paper.id: scores[paper.id] + PHRASE_BONUS
        if phrase in fold(paper.title)
        else scores[paper.id]
        for paper in rows
    }
    rows.sort(key=lambda paper: -totals[paper.id])
    yield rows[:limit]


@dataclass
class _Chosen:
    """The papers still in the running: ``only`` these (None: all) but ``left_out``."""

    only: set[int] | None = None
    left_out: set[int] = field(default_factory=set)

    def keep(self, matched: Collection[int]) -> None:
        if self.only is None:
            self.only = set(matched) - self.left_out
            self.left_out = set()
        else:
            self.only &= set(matched)

    def drop(self, matched: Collection[int]) -> None:
        if self.only is None:
            self.left_out |= set(matched)
        else:
            self.only -= set(matched)

    def of(self, scores: Scores) -> Scores:
        """The scores of the papers still in the running, as a copy."""
        if self.only is None:
            left_out = self.left_out
            if not left_out:
                return dict(scores)
            return {i: s for i, s in scores.items() if i not in left_out}
        only = self.only
        if len(only) < len(scores):
            return {i: scores[i] for i in only if i in scores}
        return {i: s for i, s in scores.items() if i in only}

    @property
    def empty(self) -> bool:
        return self.only is not None and not self.only


class DirectSearch:
    """One query over a :class:`WordSource`, as SearchIndex answers it."""

    def __init__(self, source: WordSource) -> None:
        self.source = source
        self._by_length: dict[str, ByLength] = {}
        self._vocabulary: dict[str, Sequence[str]] = {}
        self._token_cache: dict[tuple[str, str], Scores] = {}

    def search(
        self,
        query: Query,
        marks: Mapping[int, Annotation] | None = None,
        *,
        updated: Collection[int] = (),
    ) -> Found:
        """The papers matching every word and term of ``query`` (as
        :meth:`SearchIndex.search`, ``updated`` as it takes them);
        :class:`NotDirect` for what it does not answer."""
        if not answers(query):
            raise NotDirect(query.text)
        # Papers marked not interested, unless asked for (as SearchIndex.search).
        hidden = set()
        if not query.asks_dismissed:
            hidden = {i for i, mark in (marks or {}).items() if mark.dismissed_at is not None}
        if not query.words and not query.terms:
            return Found(only=set()) if query.errors else Found(left_out=hidden)
        chosen = _Chosen(left_out=hidden)
        structured = [t for t in query.terms if t.field not in _TEXT_FIELDS]
        structured.sort(key=lambda t: t.negated)
        for term in structured:
            self._narrow(chosen, term, marks or {}, updated=updated)
            if chosen.empty:
                return Found(only=set())
        for term in query.terms:
            if term.field in ("author", "title") and not term.negated:
                chosen.keep(self._text_term(term, chosen.only))
                if chosen.empty:
                    return Found(only=set())
        totals: Scores | None = None
        scored = [t for t in query.terms if t.field == "phrase" and not t.negated]
        scored += [Term("word", word) for word in query.words]
        for term in scored:
            within = chosen.only if totals is None or term.field != "phrase" else set(totals)
            scores = self._text_term(term, within)
            if totals is None:
                totals = chosen.of(scores)
            else:
                totals = {i: s + scores[i] for i, s in totals.items() if i in scores}
            if not totals:
                return Found(only=set())
        for term in query.terms:
            if term.field in _TEXT_FIELDS and term.negated and self.source.split(term.value):
                found = self._text_term(term, chosen.only)
                if totals is None:
                    chosen.drop(found)
                else:
                    totals = {i: s for i, s in totals.items() if i not in found}
        if totals is None:
            return Found(only=chosen.only, left_out=chosen.left_out)
        # The words typed, in order, in a title: a bonus added as the titles are read.
        phrase = fold(" ".join(query.words)) if len(query.words) > 1 else None
        return Found(scores=totals, phrase=phrase)

    def _narrow(
        self,
        chosen: _Chosen,
        term: Term,
        marks: Mapping[int, Annotation],
        *,
        updated: Collection[int] = (),
    ) -> None:
        """``chosen`` cut down by a term on the user's marks (as Columns._narrow)."""
        value = term.value
        if term.field == "is" and value == "updated":
            matched = [i for i in updated if (mark := marks.get(i)) and mark.starred]
        elif term.field == "tag":
            matched = [i for i, mark in marks.items() if value in mark.tags]
        elif value == "starred":
            matched = [i for i, mark in marks.items() if mark.starred]
        elif value == "dismissed":
            matched = [i for i, mark in marks.items() if mark.is_dismissed]
        elif term.field == "has":
            matched = [i for i, mark in marks.items() if mark.has_note]
        else:  # is:read, is:unread (the read papers, left out)
            matched = [i for i, mark in marks.items() if mark.is_read]
        negated = term.negated != (term.field == "is" and value == "unread")
        if negated:
            chosen.drop(matched)
        else:
            chosen.keep(matched)

    # -- text -----------------------------------------------------------------

    def _text_term(self, term: Term, within: set[int] | None) -> Scores:
        """Score by paper id of a word, phrase, author or title term; ``within`` (if
        given) is where the answer matters: a phrase or a name is checked there only."""
        if term.field == "phrase":
            return self._phrase_scores(term.value, within)
        if term.field == "author":
            return self._author_scores(term, within)
        fields = _WORD_FIELDS if term.field == "word" else ("title",)
        typed = self.source.split(term.value)
        tokens = list(dict.fromkeys(typed))
        if not tokens:
            raise NotDirect(term.value)  # only punctuation: every paper matches
        whole = len(term.value) >= 3 and len(typed) > 1
        parts = [self._token_scores(token, fields, short=whole) for token in tokens]
        if len(parts) == 1:
            return parts[0]
        counts = [typed.count(token) for token in tokens]
        first, others = parts[0], parts[1:]
        total = sum(counts)
        scored: Scores = {}
        for paper_id in first:
            if all(paper_id in part for part in others):
                # The mean over the word's parts, summed as SearchIndex sums them.
                scored[paper_id] = (
                    sum(part[paper_id] * count for part, count in zip(parts, counts, strict=True))
                    / total
                )
        return scored

    def _token_scores(self, token: str, fields: tuple[str, ...], *, short: bool = False) -> Scores:
        """Best weighted score by paper id of one term over ``fields``."""
        key = ("+".join(fields) + ("+short" if short else ""), token)
        cached = self._token_cache.get(key)
        if cached is not None:
            return cached
        groups = [
            (score * _WEIGHTS[field_name], paper_ids)
            for field_name in fields
            for score, paper_ids in self._field_scores(token, field_name, short=short)
        ]
        # The best last, so it wins where a paper is in several groups.
        groups.sort(key=itemgetter(0))
        scores: Scores = {}
        for score, paper_ids in groups:
            scores.update(dict.fromkeys(paper_ids, score))
        self._token_cache[key] = scores
        return scores

    def _field_scores(
        self, token: str, field_name: str, *, short: bool = False
    ) -> list[tuple[float, Collection[int]]]:
        """(score, papers) groups of one term in one field, as SearchIndex makes them."""
        source = self.source
        if field_name == "abstract":
            if len(token) < 3 and not short:
                return []
            return [(100.0, source.starting(field_name, token))]
        if len(token) < FUZZY_MIN_LEN:
            starts = (100.0 + WORD_START_BONUS, source.starting(field_name, token))
            if len(token) < 3:
                return [starts]
            inside = [t for t in self._terms(field_name) if token in t and not t.startswith(token)]
            return [(100.0, source.having(field_name, inside)), starts]
        groups = fuzzy_groups(token, self._terms_by_length(field_name))
        return [(score, source.having(field_name, groups[score])) for score in sorted(groups)]

    def _phrase_scores(self, phrase: str, within: set[int] | None) -> Scores:
        """Score of an exact phrase by paper id: by the best field it is found in."""
        tokens = self.source.split(phrase)
        if not tokens:
            return {}
        target = " ".join(fold(phrase).split())
        pattern = re.compile(r"(?<![^\W_])" + re.escape(target))
        scores: Scores = {}
        for field_name in sorted(_WORD_FIELDS, key=_WEIGHTS.__getitem__):
            candidates: set[int] | None = None if within is None else set(within)
            for token in dict.fromkeys(tokens):
                held = set(self.source.starting(field_name, token))
                candidates = held if candidates is None else candidates & held
                if not candidates:
                    break
            if not candidates:
                continue
            score = 100.0 * _WEIGHTS[field_name]
            for paper_id, text in self.source.texts(field_name, candidates):
                if pattern.search(" ".join(fold(text).split())):
                    scores[paper_id] = score
        return scores

    # -- authors --------------------------------------------------------------

    def _author_scores(self, term: Term, within: set[int] | None) -> Scores:
        """100 by paper id for the papers with an author ``term`` names."""
        typed = name_words(term.value, self._split_name)
        if not typed:
            raise NotDirect(term.value)  # only punctuation: every paper matches
        kind = author_kind(term, typed)
        source = self.source
        if kind == "word":
            (word,) = typed
            if term.quoted and term.partial:
                found: Collection[int] = source.starting("authors", word)
            else:
                found = source.having("authors", self._author_words(word, term))
            return dict.fromkeys(found, 100.0)
        if kind == "name" and term.partial:
            as_typed = self._split_name(term.value)
            held = set(source.starting("authors", as_typed[-1]))
            before = self._holding(as_typed[:-1], optional_initials=True)
            return dict.fromkeys(held if before is None else held & before, 100.0)
        if kind == "name":
            first = self._holding(typed[:1])
            last = self._holding(typed[-1:], exact=True)
            assert first is not None and last is not None
            held = first & last
        else:
            every = self._holding(typed, exact=True)
            assert every is not None
            held = every
        if within is not None:
            held &= within
        return self._check_names(typed, kind, held)

    def _holding(
        self, typed: Sequence[str], *, exact: bool = False, optional_initials: bool = False
    ) -> set[int] | None:
        """Papers whose authors hold every word of ``typed`` (see
        :func:`~reader.search.terms.authors_holding`)."""
        return authors_holding(self.source, typed, exact=exact, optional_initials=optional_initials)

    def _check_names(self, typed: Sequence[str], kind: str, held: Collection[int]) -> Scores:
        if kind == "name":
            needed, starting = typed[-1], typed[0][:1]
        else:
            needed, starting = typed[0], typed[-1]
        scores: Scores = {}
        for paper_id, names in self.source.names(held, needed, starting):
            for name in names:
                words_held = name_words(name, self._split_name)
                if (
                    is_full_name(typed, words_held)
                    if kind == "name"
                    else has_run(typed, words_held)
                ):
                    scores[paper_id] = 100.0
                    break
        return scores

    def _split_name(self, name: str) -> list[str]:
        return words(name) if name.isascii() else self.source.split(name)

    def _author_words(self, word: str, term: Term) -> list[str]:
        """As SearchIndex._author_words: the word, and for an unquoted one of six
        letters or more that is nobody's name word, the name words one typo away."""
        if term.quoted or len(word) < AUTHOR_TYPO_MIN_LEN:
            return [word]
        if word in set(self._terms("authors")):
            return [word]
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        ordered, lengths = self._terms_by_length("authors")
        near = ordered[bisect_left(lengths, len(word) - 1) : bisect_right(lengths, len(word) + 1)]
        found = process.extract(word, near, scorer=OSA.distance, score_cutoff=1, limit=None)
        return [word, *(held for held, _distance, _at in found)]

    # -- vocabulary -------------------------------------------------------------

    def _terms(self, field_name: str) -> Sequence[str]:
        terms = self._vocabulary.get(field_name)
        if terms is None:
            terms = self._vocabulary[field_name] = self.source.terms(field_name)
        return terms

    def _terms_by_length(self, field_name: str) -> ByLength:
        found = self._by_length.get(field_name)
        if found is None:
            ordered = sorted(self._terms(field_name), key=len)
            found = self._by_length[field_name] = (ordered, list(map(len, ordered)))
        return found


def fuzzy_groups(token: str, by_length: ByLength) -> dict[float, list[str]]:
    """The words a typed ``token`` of :data:`FUZZY_MIN_LEN` letters or more finds
    among a field's words (shortest first, with their lengths), grouped by score:
    SearchIndex's fuzzy match, word for word.

    ``partial_ratio`` against every word is most of a search's time. A word it can
    keep has a window whose ratio to the token is at least the cutoff (80), so the
    word holds at least two thirds of the token's letters in order; its plain
    ``ratio`` to the token is then at least ``200 * ceil(2m/3) / (m + n)`` (m, n
    the lengths), which most words fail several times as cheaply. Only the words
    that pass are scored in full.
    """
    from rapidfuzz import fuzz, process

    ordered, lengths = by_length
    length = len(token)
    common = -(-2 * length // 3)  # letters in common, in order, at the least
    groups: dict[float, list[str]] = {}
    start = bisect_left(lengths, common)
    while start < len(ordered):
        size = lengths[start]
        stop = bisect_right(lengths, size, start)
        # A shorter word is scored by its ratio to the token, which must reach the
        # cutoff itself. A point below the bound: rounding must never leave one out.
        bound = FUZZY_CUTOFF if size < length else 200.0 * common / (length + size)
        passed = process.extract(
            token, ordered[start:stop], scorer=fuzz.ratio, score_cutoff=bound - 1.0, limit=None
        )
        start = stop
        for term, _ratio, _at in passed:
            partial = fuzz.partial_ratio(token, term, score_cutoff=FUZZY_CUTOFF)
            score = fuzzy_score(token, term, partial)
            if score:
                groups.setdefault(score, []).append(term)
    return groups
