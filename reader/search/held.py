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
        rows = source.postings()
        self._fields = {
            field: _held(rows, column) for column, field in enumerate(HELD_FIELDS, start=1)
        }

    @property
    def nbytes(self) -> int:
        """The size of the papers' arrays, in bytes (the terms come on top)."""
        return sum(field.ids.nbytes for field in self._fields.values())

    def terms(self, field: str) -> Sequence[str]:
        held = self._fields.get(field)
        return self._source.terms(field) if held is None else held.terms

    def split(self, text: str) -> list[str]:
        return self._source.split(text)

    def postings(self) -> list[tuple[str, str, str]]:
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


def _held(rows: Sequence[tuple[str, str, str]], column: int) -> _Field:
    """One field of ``source.postings()``: its terms in order and their papers,
    each paper once a term."""
    import numpy as np

    kept = sorted((row[0], row[column]) for row in rows if row[column] not in ("", "[]"))
    terms = [term for term, _ in kept]
    texts = [text for _, text in kept]
    # One parse of all the arrays together; the commas say where each one ends.
    sizes = np.array([text.count(",") + 1 for text in texts], dtype=np.int64)
    joined = ",".join(text[1:-1] for text in texts)
    ids = np.array(json.loads(f"[{joined}]"), dtype=np.int64)
    starts = np.zeros(len(terms) + 1, dtype=np.int64)
    np.cumsum(sizes, out=starts[1:])
    # A paper is listed once per place the term is in its text: keep it once.
    keep = np.ones(len(ids), dtype=bool)
    keep[1:] = ids[1:] != ids[:-1]
    keep[starts[:-1][sizes > 0]] = True
    counted = np.zeros(len(ids) + 1, dtype=np.int64)
    np.cumsum(keep, out=counted[1:])
    starts = counted[starts]
    ids = ids[keep]
    if len(ids) and ids.min() >= 0 and ids.max() < 2**31:
        ids = ids.astype(np.int32)
    where = {term: at for at, term in enumerate(terms)}
    return _Field(terms, starts.tolist(), ids, where)
