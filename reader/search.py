"""The filter: fuzzy matching over title, authors and abstract. Pure, no I/O.

A query is a list of words; a paper matches when every word matches one of its
fields. The fields are not equal: the title is matched fuzzily (a typo still
finds "diffusion"), author names too but weigh a little less, and the abstract
only counts a word it really contains. That keeps a filter meaningful: typing
"grokking" finds the papers about grokking, not every long abstract that happens
to hold those letters in order.

The index is built once per library change; a query only reads it, so a worker
thread can run one while the UI thread builds the next.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Indel

from reader.models import Paper

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


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed filter: its lower-cased words."""

    text: str
    words: tuple[str, ...]

    @classmethod
    def parse(cls, text: str) -> Query:
        return cls(text, tuple(text.lower().split()))

    @property
    def is_empty(self) -> bool:
        return not self.words


def _lower_same_length(text: str) -> str:
    """Lower-case ``text`` keeping every index in place, so spans map back to it."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(ch.lower()[:1] or ch for ch in text)


def _word_start(word: str) -> re.Pattern[str]:
    """``word`` where a word begins (not inside another word)."""
    return re.compile(r"(?<!\w)" + re.escape(word))


class SearchIndex:
    """Lower-cased copies of every paper's searchable fields, in library order."""

    def __init__(self, papers: Sequence[Paper]) -> None:
        self.ids: list[int] = [paper.id for paper in papers if paper.id is not None]
        kept = [paper for paper in papers if paper.id is not None]
        self._titles = [_lower_same_length(paper.title) for paper in kept]
        self._authors = [", ".join(paper.authors).lower() for paper in kept]
        self._abstracts = [paper.abstract.lower() for paper in kept]

    def __len__(self) -> int:
        return len(self.ids)

    def search(self, query: Query) -> list[int]:
        """Ids of the papers matching every word of ``query``, best first.

        Ties keep library order (newest first). An empty query matches everything.
        """
        if query.is_empty:
            return list(self.ids)
        totals: dict[int, float] | None = None
        for word in query.words:
            scores = self._word_scores(word, candidates=totals)
            if totals is None:
                totals = scores
            else:
                totals = {i: totals[i] + s for i, s in scores.items() if i in totals}
            if not totals:
                return []
        assert totals is not None
        phrase = " ".join(query.words)
        if len(query.words) > 1:
            for i in totals:
                if phrase in self._titles[i]:
                    totals[i] += PHRASE_BONUS
        ranked = sorted(totals, key=lambda i: (-totals[i], i))
        return [self.ids[i] for i in ranked]

    def _word_scores(self, word: str, candidates: dict[int, float] | None) -> dict[int, float]:
        """Best weighted score of ``word`` per paper position; absent means no match."""
        scores: dict[int, float] = {}

        def offer(i: int, score: float) -> None:
            if score > scores.get(i, 0.0):
                scores[i] = score

        positions = range(len(self.ids)) if candidates is None else sorted(candidates)
        for field, weight in ((self._titles, TITLE_WEIGHT), (self._authors, AUTHOR_WEIGHT)):
            for i, score in self._field_scores(word, field, positions).items():
                offer(i, score * weight)
        if len(word) >= 3:
            abstracts = self._abstracts
            for i in positions:
                if word in abstracts[i]:
                    offer(i, 100.0 * ABSTRACT_WEIGHT)
        return scores

    @staticmethod
    def _field_scores(word: str, field: list[str], positions: Sequence[int]) -> dict[int, float]:
        """Score out of 100 (+ bonus at a word start) of ``word`` in one field."""
        starts = _word_start(word)
        if len(word) < FUZZY_MIN_LEN:
            # Short words: exact, and one or two letters only at the start of a word.
            found: dict[int, float] = {}
            for i in positions:
                text = field[i]
                if word not in text:
                    continue
                if starts.search(text):
                    found[i] = 100.0 + WORD_START_BONUS
                elif len(word) >= 3:
                    found[i] = 100.0
            return found
        choices = {i: field[i] for i in positions}
        hits = process.extract(
            word, choices, scorer=fuzz.partial_ratio, score_cutoff=FUZZY_CUTOFF, limit=None
        )
        found = {}
        for _text, score, i in hits:
            if score >= 100.0 and starts.search(field[i]):
                score += WORD_START_BONUS
            found[i] = score
        return found


def title_spans(title: str, query: Query) -> list[tuple[int, int]]:
    """Character ranges of ``title`` that the query's words matched, for highlighting."""
    text = _lower_same_length(title)
    spans: list[tuple[int, int]] = []
    for word in query.words:
        spans.extend(_word_spans(text, word))
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
