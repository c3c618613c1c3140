"""What the filter keeps of each paper in memory, beside the word indexes: the
list's order, dates and counts, and the terms matched against them alone
(``year:``, ``before:``, ``upvotes:``, ``is:``, ``tag:``...). Positions are a
paper's place in the list order; numpy maps paper ids to them.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Collection, Mapping, Sequence
from collections.abc import Set as AbstractSet
from functools import cached_property
from itertools import compress
from operator import attrgetter
from typing import TYPE_CHECKING, Generic, Protocol, TypeAlias, TypeVar

from reader.lab import Lab
from reader.models import Annotation
from reader.search.query import COUNT_FIELDS, FY_SCALE, LAB_FIELDS, Term, paper_period

if TYPE_CHECKING:
    # Not ``np``: each method imports numpy itself, when a search first runs.
    import numpy
    from numpy.typing import NDArray

    # Paper positions (or ids), as numpy arrays.
    Positions: TypeAlias = NDArray[numpy.int64]

# The ordering of each count, by field (cached properties of Columns).
_BY_COUNT = {"upvotes": "_by_upvotes", "github": "_by_stars", "comments": "_by_comments"}


K = TypeVar("K", int, str)


class _Ordered(Generic[K]):
    """Positions sorted by one key: a key range is two bisections and a slice."""

    def __init__(self, values: list[K | None]) -> None:
        self.values: list[K | None] = values
        present = [(value, i) for i, value in enumerate(values) if value is not None]
        present.sort()
        self.keys: list[K] = [value for value, _ in present]
        self.positions: list[int] = [i for _, i in present]

    def select(
        self,
        low: K | None,
        high: K | None,
        chosen: AbstractSet[int] | None,
        *,
        open_ends: bool = False,
    ) -> AbstractSet[int]:
        """Positions whose key lies between ``low`` and ``high`` (None: unbounded).

        Inclusive, or exclusive at both ends with ``open_ends``. When fewer papers
        are ``chosen`` than the range holds, only those are looked at.
        """
        keys = self.keys
        if low is None:
            start = 0
        else:
            start = bisect_right(keys, low) if open_ends else bisect_left(keys, low)
        if high is None:
            stop = len(keys)
        else:
            stop = bisect_left(keys, high) if open_ends else bisect_right(keys, high)
        if chosen is not None and len(chosen) < stop - start:
            values = self.values
            inside: set[int] = set()
            for i in chosen:
                key = values[i]
                if key is None:
                    continue
                if low is not None and (key <= low if open_ends else key < low):
                    continue
                if high is not None and (key >= high if open_ends else key > high):
                    continue
                inside.add(i)
            return inside
        return set(self.positions[start:stop])


class Listed(Protocol):
    """What the index reads of a paper: a :class:`~reader.models.Paper` or the
    list's :class:`~reader.models.ListedPaper`."""

    @property
    def id(self) -> int | None: ...
    @property
    def title(self) -> str: ...
    @property
    def published(self) -> str | None: ...
    @property
    def upvotes(self) -> int | None: ...
    @property
    def github_stars(self) -> int | None: ...
    @property
    def num_comments(self) -> int | None: ...
    @property
    def github_url(self) -> str | None: ...
    @property
    def featured(self) -> str | None: ...


class Columns:
    """The papers' order and the list's columns, and the structured terms matched
    against them (see :class:`~reader.search.index.SearchIndex`, built on this).

    ``papers`` need only the list columns (``Library.listing()``). A one-off
    search can give only the ``order`` of the paper ids and a way to ``load`` the
    papers, read only if a term needs their dates or counts.
    """

    def __init__(
        self,
        papers: Sequence[Listed],
        *,
        order: Sequence[int] | None = None,
        load: Callable[[], Sequence[Listed]] | None = None,
    ) -> None:
        self._papers = papers
        self._order = order
        self._load = load

    def __len__(self) -> int:
        return len(self.ids)

    @cached_property
    def ids(self) -> list[int]:
        if self._order is not None:
            return list(self._order)
        return [paper.id for paper in self._papers if paper.id is not None]

    @cached_property
    def _kept(self) -> list[Listed]:
        papers = self._papers if self._load is None else self._load()
        kept = [paper for paper in papers if paper.id is not None]
        if [paper.id for paper in kept] != self.ids:
            # Read after the order, and another process changed the library between.
            raise ValueError("the library changed while it was searched; search again")
        return kept

    @cached_property
    def _position_of(self) -> Positions:
        """Each paper's position by its id (-1: not listed), as an array: a word
        index answers with tens of thousands of ids, mapped here in one step."""
        import numpy as np

        ids = self._ids_array
        position_of = np.full(int(ids.max(initial=0)) + 1, -1, dtype=np.int64)
        position_of[ids] = np.arange(len(ids))
        return position_of

    @cached_property
    def _ids_array(self) -> Positions:
        import numpy as np

        return np.array(self.ids, dtype=np.int64)

    @cached_property
    def _periods(self) -> tuple[list[str | None], list[str | None]]:
        # Parsed once per distinct date: a large library has far fewer days than papers.
        published = [paper.published for paper in self._kept]
        periods = {text: paper_period(text) for text in set(published)}
        starts = {text: period[0] if period else None for text, period in periods.items()}
        ends = {text: period[1] if period else None for text, period in periods.items()}
        return [starts[text] for text in published], [ends[text] for text in published]

    @cached_property
    def _starts(self) -> list[str | None]:
        return self._periods[0]

    @cached_property
    def _ends(self) -> list[str | None]:
        return self._periods[1]

    def _counts(self, field: str) -> list[int | None]:
        """Each paper's count of a :data:`COUNT_FIELDS` field, 0 where unknown."""
        read = {
            "upvotes": attrgetter("upvotes"),
            "github": attrgetter("github_stars"),
            "comments": attrgetter("num_comments"),
        }[field]
        return [read(paper) or 0 for paper in self._kept]

    @cached_property
    def _featured(self) -> list[str | None]:
        return [paper.featured for paper in self._kept]

    @cached_property
    def _code(self) -> frozenset[int]:
        kept = self._kept
        return frozenset(compress(range(len(kept)), [paper.github_url for paper in kept]))

    # Built only when a query first needs them: most filters never do.
    @cached_property
    def _everything(self) -> frozenset[int]:
        return frozenset(range(len(self.ids)))

    @cached_property
    def _dated(self) -> frozenset[int]:
        return frozenset(compress(range(len(self.ids)), self._starts))

    @cached_property
    def _by_start(self) -> _Ordered[str]:
        return _Ordered(self._starts)

    @cached_property
    def _by_end(self) -> _Ordered[str]:
        return _Ordered(self._ends)

    @cached_property
    def _by_upvotes(self) -> _Ordered[int]:
        return _Ordered(self._counts("upvotes"))

    # Not warmed: few filters ask for them.
    @cached_property
    def _by_stars(self) -> _Ordered[int]:
        return _Ordered(self._counts("github"))

    @cached_property
    def _by_comments(self) -> _Ordered[int]:
        return _Ordered(self._counts("comments"))

    def _all_or(self, chosen: AbstractSet[int] | None) -> AbstractSet[int]:
        return self._everything if chosen is None else chosen

    def _narrow(
        self, term: Term, chosen: AbstractSet[int] | None, matched: AbstractSet[int]
    ) -> AbstractSet[int]:
        """``chosen`` (None: every paper) cut down by one structured term's matches."""
        negated = term.negated
        if term.field == "is" and term.value == "unread":
            negated = not negated  # ``matched`` holds the read papers
        if not negated:
            return matched if chosen is None else chosen & matched
        # A paper without a date satisfies no date term, not even a negated one.
        dated = term.field in ("year", "before", "after")
        if chosen is None:
            return (self._dated if dated else self._everything) - matched
        return (chosen & self._dated if dated else chosen) - matched

    def _structured(
        self,
        term: Term,
        marks: Mapping[int, Annotation],
        chosen: AbstractSet[int] | None,
        scores: Mapping[int, float],
        new: AbstractSet[int] | None = None,
        lab: Lab | None = None,
        *,
        updated: AbstractSet[int] = frozenset(),
    ) -> AbstractSet[int]:
        """Positions matching a term that needs no text matching (negation aside)."""
        field, value = term.field, term.value
        if field in LAB_FIELDS:
            return self._lab_term(term, lab or Lab(""))
        if field == "is" and value in ("new", "updated", "inbox"):
            # Updated: starred (as the marks say now), with an update since the mark.
            starred = [i for i in updated if (mark := marks.get(i)) and mark.starred]
            if value == "updated":
                return set(self._at(starred).tolist())
            if new is None:
                return self._everything
            wanted = list(new) if value == "new" else list(set(new).union(starred))
            return set(self._at(wanted).tolist())
        if field == "fy":
            least = -1 if term.low is None else term.low
            most = FY_SCALE if term.high is None else term.high
            scored = [i for i, score in scores.items() if least <= round(score * FY_SCALE) <= most]
            return set(self._at(scored).tolist())
        if field == "has" and value == "code":
            return self._code
        if field in ("is", "has", "tag"):
            test: Callable[[Annotation], bool]
            if field == "tag":
                test = lambda mark: value in mark.tags  # noqa: E731
            elif value == "starred":
                test = lambda mark: mark.starred  # noqa: E731
            elif value == "dismissed":
                test = lambda mark: mark.is_dismissed  # noqa: E731
            elif field == "has":
                test = lambda mark: mark.has_note  # noqa: E731
            else:
                test = lambda mark: mark.is_read  # noqa: E731
            # ``marks`` must not change while this runs: the TUI hands its worker a copy.
            marked = [paper_id for paper_id, mark in marks.items() if test(mark)]
            return set(self._at(marked).tolist())
        if field in COUNT_FIELDS:
            by_count: _Ordered[int] = getattr(self, _BY_COUNT[field])  # built on first use
            return by_count.select(term.low, term.high, chosen)
        if field == "year":
            low = None if term.low is None else f"{term.low:04d}"
            high = None if term.high is None else f"{term.high:04d}-99"
            return self._by_start.select(low, high, chosen)
        if field == "before":
            return self._by_end.select(None, value, chosen, open_ends=True)
        if field == "after":
            return self._by_start.select(value, None, chosen, open_ends=True)
        if field == "recent":
            # Featured on Hugging Face, or published (to the day), on or after ``value``.
            featured, starts = self._featured, self._starts
            return {
                i
                for i in (range(len(self.ids)) if chosen is None else chosen)
                if (featured[i] or "") >= value or (starts[i] or "") >= value
            }
        raise ValueError(f"not a structured term: {field}")

    def _lab_term(self, term: Term, lab: Lab) -> AbstractSet[int]:
        """Positions of the papers ``starred-by:NAME`` or ``lab:N`` names."""
        if term.field == "starred-by":
            return set(self._at(lab.starred_by(term.value)).tolist())
        low = 0 if term.low is None else term.low
        high = term.high
        counts = lab.counts()
        inside = [i for i, n in counts.items() if low <= n and (high is None or n <= high)]
        if low > 0:
            return set(self._at(inside).tolist())
        # No lab mate's star counts as 0: every paper but those counted outside the range.
        kept = set(inside)
        outside = [i for i in counts if i not in kept]
        return self._everything - set(self._at(outside).tolist())

    def _at(self, paper_ids: Collection[int]) -> Positions:
        """Positions of these papers (ones added since this index was built are skipped)."""
        import numpy as np

        position_of = self._position_of
        if isinstance(paper_ids, np.ndarray):
            ids = paper_ids.astype(np.int64, copy=False)
        else:
            ids = np.fromiter(paper_ids, dtype=np.int64, count=len(paper_ids))
        ids = ids[ids < len(position_of)]
        found = position_of[ids]
        return found[found >= 0]
