"""Highlighting: which letters of a title a query matched, to light them up."""

from __future__ import annotations

import re

from reader.search.query import FUZZY_CUTOFF, FUZZY_MIN_LEN, Query


def _lower_same_length(text: str) -> str:
    """Lower-case ``text`` keeping every index in place, so spans map back to it."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(ch.lower()[:1] or ch for ch in text)


def _word_start(word: str) -> re.Pattern[str]:
    """``word`` where a word begins (not inside another word)."""
    return re.compile(r"(?<!\w)" + re.escape(word))


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
    from rapidfuzz import fuzz  # only for a word the title does not hold as typed
    from rapidfuzz.distance import Indel

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
