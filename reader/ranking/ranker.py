"""The ranking of one library, kept up to date: what the app's worker and the
command line call.

A :class:`Ranker` holds the library's vectors (read from the cache file, the papers
added or changed since counted, the cache written back) and, per user, the last
ranking and the labels it was made from. Everything here is slow enough to run in
a worker: counting a library never counted before takes seconds (about 8 s at
100,000 papers, once), training a tenth of a second.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from contextlib import suppress
from pathlib import Path
from typing import Protocol

from reader.models import Annotation
from reader.ranking.evaluate import Evaluation, Marked, evaluate, stars_needed
from reader.ranking.explain import Why, explain
from reader.ranking.features import PaperText, Vectors
from reader.ranking.model import MIN_POSITIVES, Labels, Paper, Ranking, rank

# The newest papers ranked at most (and every paper the user labelled): a library
# of a million papers would hold gigabytes of vectors; the daily feed is at the top.
MOST_RANKED = 250_000


class Source(Protocol):
    """What a ranker reads of the library (a store connection: ``Words``)."""

    def ranking_papers(self) -> tuple[list[tuple[int, str]], list[Paper]]: ...

    def ranking_texts(self, paper_ids: Sequence[int]) -> list[PaperText]: ...

    def marked(self, user: str) -> list[Marked]: ...


class Ranker:
    """One library's vectors and each user's ranking over them."""

    def __init__(
        self, cache: Path | None = None, counting: Callable[[int], object] | None = None
    ) -> None:
        """``cache``: the file the vectors are kept in between runs (None: none);
        ``counting`` is told how many papers' words are about to be counted (seconds
        for a large library never counted before), from the thread that counts."""
        self._cache = cache
        self._counting = counting
        self._vectors: Vectors | None = None
        self._papers: list[Paper] = []
        self._lock = threading.Lock()

    @property
    def vectors(self) -> Vectors:
        return self._vectors if self._vectors is not None else Vectors.empty()

    def sync(self, source: Source, keep: frozenset[int] = frozenset()) -> bool:
        """Bring the vectors up to date with the library (papers in ``keep`` are
        ranked however old); whether anything changed."""
        with self._lock:
            stamps, papers = source.ranking_papers()
            if len(stamps) > MOST_RANKED:
                newest = sorted(papers, key=lambda p: p.published or "", reverse=True)
                chosen = {paper.id for paper in newest[:MOST_RANKED]} | set(keep)
                stamps = [pair for pair in stamps if pair[0] in chosen]
                papers = [paper for paper in papers if paper.id in chosen]
            self._papers = papers
            before = self._vectors
            if before is None:
                before = Vectors.load(self._cache) if self._cache else Vectors.empty()
            after = before.update(stamps, source.ranking_texts, self._counting)
            self._vectors = after
            if self._cache is not None and after is not before:
                with suppress(OSError):  # a cache: counted again next time
                    after.save(self._cache)
            return after is not before

    def rank(
        self,
        source: Source,
        marks: Mapping[int, Annotation],
        *,
        followed: Sequence[str] = (),
        hidden: AbstractSet[int] = frozenset(),
    ) -> Ranking:
        """The ranking for the user whose annotations are ``marks`` (``hidden``: the
        papers a hide rule dismissed for them, which teach it nothing)."""
        labels = Labels.from_marks(marks, hidden)
        if self._vectors is None:
            self.sync(source, labels.labelled)
        vectors = self.vectors
        starred_authors: list[str] = []
        if len(labels.positive) < MIN_POSITIVES:  # the fallback follows the starred papers' authors
            for text in source.ranking_texts(sorted(labels.positive)):
                starred_authors.extend(text.authors)
        return rank(
            vectors, labels, self._papers, followed=followed, starred_authors=starred_authors
        )

    def why(self, source: Source, paper_id: int, ranking: Ranking) -> Why | None:
        """Why ``paper_id`` scores as it does in ``ranking`` (None: no model yet)."""
        if ranking.model is None or self._vectors is None:
            return None
        texts = source.ranking_texts([paper_id])
        if not texts:
            return None
        return explain(texts[0], ranking.model, self._vectors, ranking.positive_ids)

    def evaluate(
        self, source: Source, user: str, marked: Sequence[Marked] | None = None
    ) -> Evaluation | None:
        """How well the ranking has done for ``user`` (see reader.ranking.evaluate),
        from ``marked`` when read already; None, at once, with too few stars."""
        if marked is None:
            marked = source.marked(user)
        if stars_needed(marked):
            return None
        if self._vectors is None:
            self.sync(source)
        return evaluate(self.vectors, marked, self._papers)
