"""Which words a typed one may fuzzily match, found without scoring every word.

A typed word is matched against every distinct title or author word (tens of
thousands) by rapidfuzz's ``partial_ratio``: the best ``ratio`` of the shorter
string against any stretch of the longer. A ratio is ``2 * M / T``, ``M`` letters
in common in order and ``T`` the two lengths together. Over a stretch of ``k``
letters against the shorter word of ``n``, ``M`` is at most ``k`` and at most
``C``, the letters the two words have in common regardless of order, so the
score is at most ``200 * C / (n + C)``. ``C`` needs no alignment: it is counted
for all the words at once from a table of each word's letter counts, and only
the words that can reach the cutoff are scored. The answer is the same as
scoring them all.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    import numpy
    from numpy.typing import NDArray

    Counts: TypeAlias = NDArray[numpy.uint8]

# Letters a-z and digits 0-9 counted apart; every other character in one bucket,
# which counts at least as many in common as there are.
_BUCKETS = 37
_OTHER = 36
# Counts are kept in a byte; a typed word with more of one letter is scored whole.
_MOST = 255
# Float scores may round: a word this close to the cutoff is scored, not dropped.
_SLACK = 1e-6


class FuzzyWords:
    """A field's distinct words, shortest first, with each one's letter counts."""

    def __init__(self, terms: Iterable[str]) -> None:
        """Slow for a large vocabulary (build it off the UI thread)."""
        self.words = sorted(terms, key=len)
        self.lengths = [len(word) for word in self.words]
        self._counts = _letter_counts(self.words)

    def near(self, token: str, cutoff: float) -> list[str]:
        """The words whose ``partial_ratio`` against ``token`` may reach ``cutoff``
        (out of 100), among those at least two thirds its length: a shorter word
        is scored by ``ratio`` as well, ``2 * common / total`` which it cannot reach."""
        import numpy as np

        start = bisect_left(self.lengths, -(-2 * len(token) // 3))
        wanted = _letter_counts([token])[0]
        if int(wanted.max(initial=0)) >= _MOST:
            return self.words[start:]
        common = np.minimum(self._counts[start:], wanted).sum(axis=1, dtype=np.int64)
        shorter = np.minimum(np.array(self.lengths[start:], dtype=np.int64), len(token))
        best = 200.0 * common / np.maximum(shorter + common, 1)
        words = self.words
        return [words[start + at] for at in np.flatnonzero(best >= cutoff - _SLACK).tolist()]


def _letter_counts(words: list[str]) -> Counts:
    """How many of each letter (see :data:`_BUCKETS`) each word holds, one row a word."""
    import numpy as np

    counts = np.zeros((len(words), _BUCKETS), dtype=np.int32)
    if words:
        points = np.frombuffer("".join(words).encode("utf-32-le"), dtype=np.uint32)
        rows = np.repeat(np.arange(len(words)), [len(word) for word in words])
        table = np.full(128, _OTHER, dtype=np.int64)
        table[ord("a") : ord("z") + 1] = np.arange(26)
        table[ord("0") : ord("9") + 1] = np.arange(26, 36)
        buckets = np.where(points < 128, table[np.minimum(points, 127)], _OTHER)
        np.add.at(counts, (rows, buckets), 1)
    return np.minimum(counts, _MOST).astype(np.uint8)
