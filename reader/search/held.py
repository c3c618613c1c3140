"""The title and author words held in memory: which papers hold which, without
asking SQLite at each key.

A :class:`HeldWords` reads the word index once (a worker does it while the first
screen shows) into, per field, the sorted distinct terms and for each term the
papers holding it, all the papers in one array: a term's papers are a slice of
it, and so are those of every term starting with some letters, since such terms
sit side by side in the sorted list. Abstracts, texts and names are still asked
of the source it was read from (abstracts hold too many words to keep here).
"""

from __future__ import annotations

import json
from bisect import bisect_left
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING, Any, TypeAlias

from reader.search.terms import WordSource

if TYPE_CHECKING:
    import numpy
    from numpy.typing import NDArray

    # Paper ids: 32 bits wide when they fit.
    Ids: TypeAlias = NDArray[numpy.signedinteger[Any]]

# The fields held; the others are asked of the source.
HELD_FIELDS = ("title", "authors")


@dataclass(frozen=True, slots=True)
class _Field:
    """One field's terms in order, and the papers of term ``i``:
    ``ids[starts[i] : starts[i + 1]]``."""

    terms: list[str]
    starts: list[int]
    ids: Ids
    where: dict[str, int]

    def slice(self, first: int, end: int) -> Ids:
        return self.ids[self.starts[first] : self.starts[end]]


class HeldWords:
    """A :class:`WordSource` answering ``terms``, ``having`` and ``starting`` for
    titles and authors from memory, as the ``source`` it was read from would;
    everything else is asked of that source. Answers may hold a paper twice."""

    def __init__(self, source: WordSource) -> None:
        """Reads every title and author term of ``source`` with its papers (slow:
        a second at 100,000 papers; build it off the UI thread)."""
        self._source = source
        self._fields = _read(source.postings())

    @property
    def nbytes(self) -> int:
        """The size of the papers' arrays, in bytes (the terms come on top)."""
        return sum(field.ids.nbytes for field in self._fields.values())

    def terms(self, field: str) -> Sequence[str]:
        held = self._fields.get(field)
        return self._source.terms(field) if held is None else held.terms

    def split(self, text: str) -> list[str]:
        return self._source.split(text)

    def postings(self) -> Iterable[tuple[str, str, str]]:
        return self._source.postings()

    def having(self, field: str, terms: Collection[str]) -> Collection[int]:
        held = self._fields.get(field)
        if held is None:
            return self._source.having(field, terms)
        import numpy as np

        where = held.where
        found = [held.slice(at, at + 1) for term in terms if (at := where.get(term)) is not None]
        if not found:
            return np.zeros(0, dtype=held.ids.dtype)
        return found[0] if len(found) == 1 else np.concatenate(found)

    def starting(self, field: str, prefix: str) -> Collection[int]:
        held = self._fields.get(field)
        if held is None:
            return self._source.starting(field, prefix)
        terms = held.terms
        # The terms starting with ``prefix`` follow each other from ``first`` on.
        first = bisect_left(terms, prefix)
        if first == len(terms) or not terms[first].startswith(prefix):
            return held.slice(first, first)
        return held.slice(first, _past(terms, prefix, first))

    def texts(self, field: str, ids: Iterable[int]) -> Iterable[tuple[int, str]]:
        return self._source.texts(field, ids)

    def names(
        self, ids: Iterable[int], holding: str, starting: str = ""
    ) -> Iterable[tuple[int, Sequence[str]]]:
        return self._source.names(ids, holding, starting)


def _past(terms: list[str], prefix: str, at: int) -> int:
    """Where the run of terms starting with ``prefix`` that holds ``at`` ends: found
    by doubling steps, then bisection (a one-letter prefix spans thousands)."""
    step = 1
    while at + step < len(terms) and terms[at + step].startswith(prefix):
        at += step
        step *= 2
    low, high = at, min(at + step, len(terms))
    while low + 1 < high:
        middle = (low + high) // 2
        if terms[middle].startswith(prefix):
            low = middle
        else:
            high = middle
    return high


def _read(rows: Iterable[tuple[str, str, str]]) -> dict[str, _Field]:
    """Both fields of ``source.postings()``, each term's papers parsed as it comes
    (in C: a list of Python ints for every paper of every term would take a
    hundred megabytes at its peak)."""
    terms: dict[str, list[str]] = {field: [] for field in HELD_FIELDS}
    arrays: dict[str, list[Ids]] = {field: [] for field in HELD_FIELDS}
    for row in rows:
        for column, field in enumerate(HELD_FIELDS, start=1):
            text = row[column]
            if text and text != "[]":
                terms[field].append(row[0])
                arrays[field].append(_papers(text))
    return {field: _held(terms[field], arrays[field]) for field in HELD_FIELDS}


def _papers(text: str) -> Ids:
    """The ids in a JSON array of them, each once, in 32 bits where they fit."""
    import numpy as np

    ids = np.fromstring(text[1:-1], dtype=np.int64, sep=",")
    if len(ids) != text.count(",") + 1:
        ids = np.array(json.loads(text), dtype=np.int64)  # not plain integers after all
    if len(ids) > 1:
        # A paper is listed once per place the term is in its text, those together.
        ids = ids[np.concatenate(([True], ids[1:] != ids[:-1]))]
    if len(ids) and ids.min() >= 0 and ids.max() < 2**31:
        return ids.astype(np.int32)
    return ids


def _held(terms: list[str], arrays: list[Ids]) -> _Field:
    """One field: its terms in order and the papers of each, in one array."""
    import numpy as np

    if any(a >= b for a, b in pairwise(terms)):
        order = sorted(range(len(terms)), key=terms.__getitem__)
        terms, arrays = [terms[at] for at in order], [arrays[at] for at in order]
    starts = [0]
    for found in arrays:
        starts.append(starts[-1] + len(found))
    ids = np.concatenate(arrays) if arrays else np.zeros(0, dtype=np.int32)
    return _Field(terms, starts, ids, {term: at for at, term in enumerate(terms)})
