"""The filter's index: which papers match a query, best first.

Speed: a keystroke must not cost a pass over the library. The words themselves
live in the store's word indexes (a :class:`WordSource`); what a typed word is
matched against is the list of distinct title and author words (tens of
thousands, not a million titles), and each matching word costs one index lookup.
In memory the index keeps the list's columns (dates, counts) for the structured
terms, the answers for the last few words typed, since typing asks them again at
every key, and once warm the title and author words with their papers (a
:class:`HeldWords`), so that those lookups are slices of an array, not queries.
A typed word is scored only against the words that can reach the fuzzy cutoff
(:class:`FuzzyWords` finds them by their letters). An author's full name is
checked against the names of only those papers whose authors hold its first and
last words (the indexes know a paper's words, not which name each belongs to).
:class:`MemoryWords` answers the same questions by reading every paper: the
reference the tests hold the store to.

The index is built once per library change; a query only reads it, so a worker
thread can run one while the UI thread builds the next. Cheap structured terms
run first and narrow the candidates before any fuzzy scoring.
"""

from __future__ import annotations

import importlib
import re
import threading
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from functools import cached_property
from operator import itemgetter
from typing import TYPE_CHECKING, TypeAlias

from reader.lab import Lab
from reader.models import Annotation, Paper
from reader.search.columns import Columns, Listed
from reader.search.fuzzy import FuzzyWords
from reader.search.held import HeldWords
from reader.search.query import FUZZY_CUTOFF, FUZZY_MIN_LEN, Query, Term
from reader.search.terms import (
    AUTHOR_TYPO_MIN_LEN,
    MemoryWords,
    WordSource,
    author_kind,
    authors_holding,
    fold,
    has_run,
    is_full_name,
    name_words,
    words,
)

if TYPE_CHECKING:
    # Not ``np``: each method imports numpy (and rapidfuzz) itself, when a search
    # first needs it: listing a library in its order needs neither.
    import numpy
    from numpy.typing import NDArray

    # A score per paper position; paper positions (or ids).
    Scores: TypeAlias = NDArray[numpy.float64]
    Positions: TypeAlias = NDArray[numpy.int64]

# How much a word found in each field counts, out of 100.
TITLE_WEIGHT = 1.0
AUTHOR_WEIGHT = 0.9
ABSTRACT_WEIGHT = 0.6
# Extras: a word at the start of a title word, and the whole query as one title phrase.
WORD_START_BONUS = 10.0
PHRASE_BONUS = 25.0
# Terms matched against text, after the structured ones have narrowed the candidates.
_TEXT_FIELDS = ("word", "phrase", "author", "title")
_WORD_FIELDS = ("title", "authors", "abstract")
_WEIGHTS = {"title": TITLE_WEIGHT, "authors": AUTHOR_WEIGHT, "abstract": ABSTRACT_WEIGHT}
# Answers kept for the next keystrokes, in bytes (each is 8 bytes a paper).
_RECENT_BYTES = 64 << 20
# The score of a word that is only punctuation: it matches every paper, ranks none.
_ANYWHERE = 1e-9


def fuzzy_score(token: str, term: str, partial: float) -> float:
    """A word's score for a typed ``token`` (of FUZZY_MIN_LEN letters or more), from
    its ``partial_ratio`` to it: a word shorter than the token is scored by its plain
    ratio instead, as it is not found inside it ("mod" is no "model"), and a whole
    match at the word's start gets WORD_START_BONUS. 0: no match."""
    from rapidfuzz import fuzz

    score = partial
    if score and len(term) < len(token):
        score = fuzz.ratio(token, term, score_cutoff=FUZZY_CUTOFF)
    if score >= 100.0 and term.startswith(token):
        score += WORD_START_BONUS
    return score


class SearchIndex(Columns):
    """What the filter keeps of a library in memory: its order, titles, dates and
    counts; the words themselves are asked of a :class:`WordSource`.

    ``papers`` need only the list columns (``Library.listing()``); without
    ``source`` they must be whole, and are searched in memory. A one-off search
    (``reader list``) can give only the ``order`` of the paper ids and a way to
    ``load`` the papers, read only if a term needs their dates or counts.
    """

    def __init__(
        self,
        papers: Sequence[Listed],
        source: WordSource | None = None,
        *,
        order: Sequence[int] | None = None,
        load: Callable[[], Sequence[Listed]] | None = None,
    ) -> None:
        """Cheap: what a search needs is worked out by the first search (or
        :meth:`warm`), in whichever thread runs it."""
        super().__init__(papers, order=order, load=load)
        self._source = source
        # The title and author words in memory, once :meth:`warm` has read them.
        self._held: HeldWords | None = source if isinstance(source, HeldWords) else None
        self._vocabulary: dict[str, Sequence[str]] = {}
        self._by_length: dict[str, FuzzyWords] = {}
        # Recent answers per (field, term): typing extends one word at a time, so
        # the words before it are asked again at every key. Bounded by size.
        self._recent: OrderedDict[tuple[str, str], Scores] = OrderedDict()
        self._lock = threading.Lock()

    def warm(self) -> None:
        """Do now what the first search would wait for: the per-paper columns, the
        title and author terms and the fuzzy matcher's import (e.g. in a worker
        while the first screen shows); and read the title and author words into
        memory, so that no key asks SQLite for them (a second at 100,000 papers)."""
        importlib.import_module("rapidfuzz")
        for name in (
            "_position_of",
            "_everything",
            "_dated",
            "_code",
            "_by_start",
            "_by_end",
            "_by_upvotes",
        ):
            getattr(self, name)  # a cached property: reading it builds it
        if self._held is None and self._source is not None:
            # Searches until now asked the source; from here on, memory (same answers).
            self._held = HeldWords(self._source)
        for field in ("title", "authors"):
            self._terms_by_length(field)

    @property
    def held_words(self) -> HeldWords | None:
        """The title and author words :meth:`warm` read into memory, if it has: an
        index of the same library less some papers can be given them as its source."""
        return self._held

    @property
    def source(self) -> WordSource:
        """Where the words are looked up: memory once warm, else the source given."""
        held = self._held
        return self._given_source if held is None else held

    @cached_property
    def _given_source(self) -> WordSource:
        if self._source is not None:
            return self._source
        return MemoryWords([paper for paper in self._papers if isinstance(paper, Paper)])

    def search(
        self,
        query: Query,
        marks: Mapping[int, Annotation] | None = None,
        for_you: Mapping[int, float] | None = None,
        new: AbstractSet[int] | None = None,
        lab: Lab | None = None,
        *,
        updated: AbstractSet[int] = frozenset(),
    ) -> list[int]:
        """Ids of the papers matching every word and term of ``query``.

        ``marks`` are the user's annotations by paper id; a paper without one is
        unstarred, unread, untagged and has no note. ``for_you`` are the user's
        "For you" scores (``fy:``), by paper id; a paper without one matches no ``fy:``.
        ``new``: the papers that came in since the user last looked (``is:new``);
        None when they never have, and every paper is new. ``lab``: who starred
        each paper, of the users the user may see (``starred-by:``, ``lab:``).
        ``updated``: the papers with an update since the user last looked (a newer
        version, new code: see :mod:`reader.updates`), of which ``is:updated`` finds
        those starred in ``marks``; ``is:inbox`` finds the new and the updated papers.
        With plain words or phrases the best text matches come first; with only
        other terms, library order (newest first). Ties keep library order. An empty query matches
        everything; one made only of malformed terms matches nothing. Papers marked
        not interested are left out unless the query names ``is:dismissed``.
        """
        found = self._search(query, marks, for_you, new, lab, updated=updated)
        if not query.asks_dismissed and marks:
            dismissed = {i for i, mark in marks.items() if mark.dismissed_at is not None}
            if dismissed:
                return [i for i in found if i not in dismissed]
        return found

    def _search(
        self,
        query: Query,
        marks: Mapping[int, Annotation] | None,
        for_you: Mapping[int, float] | None,
        new: AbstractSet[int] | None,
        lab: Lab | None = None,
        *,
        updated: AbstractSet[int],
    ) -> list[int]:
        if not query.words and not query.terms:
            return [] if query.errors else list(self.ids)
        structured = [t for t in query.terms if t.field not in _TEXT_FIELDS]
        # From marks first (usually a few papers), then ranges; exclusions last.
        structured.sort(key=lambda t: (t.negated, t.field not in ("is", "tag", "has")))
        chosen: AbstractSet[int] | None = None
        for term in structured:
            matched = self._structured(
                term, marks or {}, chosen, for_you or {}, new, lab, updated=updated
            )
            chosen = self._narrow(term, chosen, matched)
            if not chosen:
                return []
        for term in query.terms:
            if term.field in ("author", "title") and not term.negated:
                matched = self._matched(self._text_term(term, chosen))
                chosen = matched if chosen is None else chosen & matched
                if not chosen:
                    return []
        import numpy as np

        totals: Scores | None = None
        scored = [t for t in query.terms if t.field == "phrase" and not t.negated]
        scored += [Term("word", word) for word in query.words]
        for term in scored:
            # A phrase reads text: only of the papers still in the running.
            within = chosen if totals is None or term.field != "phrase" else self._matched(totals)
            scores = self._text_term(term, within)
            if totals is None:
                totals = self._only(scores, chosen)
            else:
                totals = np.where((totals > 0) & (scores > 0), totals + scores, 0.0)
            if not totals.any():
                return []
        for term in query.terms:
            if term.field in _TEXT_FIELDS and term.negated and self.source.split(term.value):
                found = self._text_term(term, chosen) > 0
                if totals is None:
                    chosen = set(self._all_or(chosen)) - set(np.flatnonzero(found).tolist())
                else:
                    totals[found] = 0.0
        if totals is None:
            if chosen is None:  # only terms that leave nothing out ("-&")
                return list(self.ids)
            return [self.ids[i] for i in sorted(chosen)]
        hits = np.flatnonzero(totals)
        if len(query.words) > 1:
            # The words typed, in order, in the title: read only for the papers found.
            phrase = fold(" ".join(query.words))
            for i, title in self._titles_of(hits.tolist()):
                if phrase in fold(title):
                    totals[i] += PHRASE_BONUS
        # Best first, ties in library order: a stable sort of the positions in order.
        ranked = hits[np.argsort(-totals[hits], kind="stable")]
        ranked_ids: list[int] = self._ids_array[ranked].tolist()
        return ranked_ids

    def _matched(self, scores: Scores) -> set[int]:
        import numpy as np

        return set(np.flatnonzero(scores).tolist())

    def _only(self, scores: Scores, chosen: AbstractSet[int] | None) -> Scores:
        """``scores`` of the ``chosen`` positions only (all of them for None), as a copy."""
        import numpy as np

        if chosen is None:
            return scores.copy()
        kept = np.zeros_like(scores)
        at = np.fromiter(chosen, dtype=np.int64, count=len(chosen))
        kept[at] = scores[at]
        return kept

    def _titles_of(self, positions: Collection[int]) -> Iterable[tuple[int, str]]:
        """(position, title) of these papers: from memory, or asked of the source
        when only the order is held."""
        if self._load is None or "_kept" in self.__dict__:
            kept = self._kept
            return ((i, kept[i].title) for i in positions)
        ids = self.ids
        found = self.source.texts("title", [ids[i] for i in positions])
        position_of = self._position_of
        return ((int(position_of[paper_id]), title) for paper_id, title in found)

    # -- text -----------------------------------------------------------------

    def _text_term(self, term: Term, within: AbstractSet[int] | None) -> Scores:
        """Score per position (0: no match) of a word, phrase, author or title term.
        ``within`` only says where the answer matters: a phrase is checked there only."""
        import numpy as np

        if term.field == "phrase":
            found = np.zeros(len(self.ids))
            for i, score in self._phrase_scores(term.value, within).items():
                found[i] = score
            return found
        if term.field == "author":
            return self._author_scores(term, within)
        fields = {"word": _WORD_FIELDS, "title": ("title",)}[term.field]
        typed = self.source.split(term.value)
        tokens = list(dict.fromkeys(typed))
        if not tokens:
            # Only punctuation: nothing a word index holds, so it leaves nothing out.
            return np.full(len(self.ids), _ANYWHERE)
        # A word of letters and more ("re:zero", "gpt-4o") looks for all of its
        # parts; a short part then counts in an abstract too.
        whole = len(term.value) >= 3 and len(typed) > 1
        parts = [self._token_scores(token, fields, short=whole) for token in tokens]
        if len(parts) == 1:
            return parts[0]
        everywhere = np.logical_and.reduce([part > 0 for part in parts])
        # The mean over the word's parts (each counted as often as it was typed).
        counts = [typed.count(token) for token in tokens]
        total = sum(part * count for part, count in zip(parts, counts, strict=True))
        return np.where(everywhere, total / sum(counts), 0.0)

    def _author_scores(self, term: Term, within: AbstractSet[int] | None) -> Scores:
        """100 per position whose paper has an author ``term`` names (see
        :func:`author_kind`), else 0. The word indexes find the papers holding the
        words; a full name or a run is then checked against the names themselves,
        only ``within`` those positions when given."""
        import numpy as np

        key = (f"author+{term.quoted}+{term.partial}", term.value)
        cached = self._recalled(key) if within is None else None
        if cached is not None:
            return cached
        typed = name_words(term.value, self._split_name)
        if not typed:
            # Only punctuation: nothing a word index holds, so it leaves nothing out.
            return np.full(len(self.ids), _ANYWHERE)
        kind = author_kind(term, typed)
        source = self.source
        scores = np.zeros(len(self.ids))
        if kind == "word":
            (word,) = typed
            if term.quoted and term.partial:
                found = self._at(source.starting("authors", word))
            else:
                found = self._at(source.having("authors", self._author_words(word, term)))
            scores[found] = 100.0
        elif kind == "name" and term.partial:
            # While the quote is open the words, as typed ("Li, H" too), are looked
            # for among all the authors, the last as a beginning: checking names at
            # every key would read the names of most papers for a first letter.
            as_typed = self._split_name(term.value)
            held = self._holding(as_typed[:-1], optional_initials=True)
            held &= set(self._at(source.starting("authors", as_typed[-1])).tolist())
            scores[list(held)] = 100.0
        else:
            # A full name's first and last words must be there; its middle ones may be
            # initials on one side, or left out.
            if kind == "name":
                held = self._holding(typed[:1]) & self._holding(typed[-1:], exact=True)
            else:
                held = self._holding(typed, exact=True)
            if within is not None:
                held &= within
            self._check_names(typed, kind, held, scores)
        if within is None:
            self._remember(key, scores)
        return scores

    def _holding(
        self, typed: Sequence[str], *, exact: bool = False, optional_initials: bool = False
    ) -> set[int]:
        """Positions of the papers whose authors hold every word of ``typed`` (see
        :func:`~reader.search.terms.authors_holding`)."""
        held = authors_holding(self.source, typed, exact=exact, optional_initials=optional_initials)
        return set(self._everything) if held is None else set(self._at(held).tolist())

    def _check_names(
        self, typed: Sequence[str], kind: str, held: Collection[int], scores: Scores
    ) -> None:
        """Set ``scores`` to 100 at the ``held`` positions whose paper has an author
        with the full name (``kind`` "name") or the run of words (``run``) ``typed``."""
        ids, position_of = self.ids, self._position_of
        # Only the names holding the family name and a word starting as the first
        # given name does (the first and last words of a run) are read whole.
        if kind == "name":
            needed, starting = typed[-1], typed[0][:1]
        else:
            needed, starting = typed[0], typed[-1]
        for paper_id, names in self.source.names([ids[i] for i in held], needed, starting):
            for name in names:
                words_held = name_words(name, self._split_name)
                if (
                    is_full_name(typed, words_held)
                    if kind == "name"
                    else has_run(typed, words_held)
                ):
                    scores[int(position_of[paper_id])] = 100.0
                    break

    def _split_name(self, name: str) -> list[str]:
        """An author's name as the word index splits it (plain ASCII needs no asking)."""
        return words(name) if name.isascii() else self.source.split(name)

    def _author_words(self, word: str, term: Term) -> list[str]:
        """The name words an author word finds: itself, and for an unquoted word of
        :data:`AUTHOR_TYPO_MIN_LEN` letters that is nobody's name word, the name
        words one typo away from it."""
        if term.quoted or len(word) < AUTHOR_TYPO_MIN_LEN or word in self._author_vocabulary:
            return [word]
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        by_length, lengths = self._terms_by_length("authors")
        near = by_length[bisect_left(lengths, len(word) - 1) : bisect_right(lengths, len(word) + 1)]
        found = process.extract(word, near, scorer=OSA.distance, score_cutoff=1, limit=None)
        return [word, *(held for held, _distance, _at in found)]

    @cached_property
    def _author_vocabulary(self) -> frozenset[str]:
        return frozenset(self._terms("authors"))

    def _token_scores(self, token: str, fields: tuple[str, ...], *, short: bool = False) -> Scores:
        """Best weighted score per position (0: none) of one term over ``fields``;
        with ``short``, abstracts are searched for terms under three letters too."""
        key = ("+".join(fields) + ("+short" if short else ""), token)
        cached = self._recalled(key)
        if cached is not None:
            return cached
        groups = [
            (score * _WEIGHTS[field], positions)
            for field in fields
            for score, positions in self._field_scores(token, field, short=short)
        ]
        # The best last, so it wins where a paper is in several groups.
        groups.sort(key=itemgetter(0))
        import numpy as np

        scores = np.zeros(len(self.ids))
        for score, positions in groups:
            scores[positions] = score
        self._remember(key, scores)
        return scores

    def _recalled(self, key: tuple[str, str]) -> Scores | None:
        """A recent answer, if it is still kept."""
        with self._lock:
            cached = self._recent.get(key)
            if cached is not None:
                self._recent.move_to_end(key)
            return cached

    def _remember(self, key: tuple[str, str], scores: Scores) -> None:
        with self._lock:
            self._recent[key] = scores
            # A few dozen arrays at most: each is 8 bytes a paper.
            while len(self._recent) > max(4, _RECENT_BYTES // max(1, scores.nbytes)):
                self._recent.popitem(last=False)

    def _field_scores(
        self, token: str, field: str, *, short: bool = False
    ) -> list[tuple[float, Positions]]:
        """(score out of 100, + a bonus at a word start; positions) of one term in
        one field, a group per score.

        Titles and authors: a term shorter than :data:`FUZZY_MIN_LEN` is found
        exactly inside a word (one or two letters only where a word starts); a
        longer one fuzzily, against every distinct word of the field. Abstracts:
        a word starting with the term, from three letters on.
        """
        source = self.source
        if field == "abstract":
            if len(token) < 3 and not short:
                return []
            return [(100.0, self._at(source.starting(field, token)))]
        if len(token) < FUZZY_MIN_LEN:
            starts = (100.0 + WORD_START_BONUS, self._at(source.starting(field, token)))
            if len(token) < 3:
                return [starts]
            inside = [t for t in self._terms(field) if token in t and not t.startswith(token)]
            return [(100.0, self._at(source.having(field, inside))), starts]
        groups: dict[float, list[str]] = {}
        # A word shorter than two thirds of the typed one cannot reach the cutoff
        # (below, a shorter word is scored by ratio: 2 * common / total length).
        candidates = self._fuzzy(field).near(token, FUZZY_CUTOFF)
        import numpy as np
        from rapidfuzz import fuzz, process

        # The words down the side, the typed one across: that is how cdist uses
        # both cores.
        scores = process.cdist(
            candidates,
            [token],
            scorer=fuzz.partial_ratio,
            score_cutoff=FUZZY_CUTOFF,
            workers=-1,
            dtype=np.float64,
        )[:, 0]
        for index in np.flatnonzero(scores).tolist():
            term = candidates[index]
            score = fuzzy_score(token, term, float(scores[index]))
            if score:
                groups.setdefault(score, []).append(term)
        return [(score, self._at(source.having(field, groups[score]))) for score in sorted(groups)]

    def _phrase_scores(self, phrase: str, within: Collection[int] | None) -> dict[int, float]:
        """Score of an exact phrase per position: by the best field it is found in.

        The phrase must start where a word starts. The word indexes narrow the
        papers to those holding every word of it; their text is then read.
        """
        tokens = self.source.split(phrase)
        if not tokens:
            return {}
        target = " ".join(fold(phrase).split())
        pattern = re.compile(r"(?<![^\W_])" + re.escape(target))
        ids = self.ids
        scores: dict[int, float] = {}
        for field in sorted(_WORD_FIELDS, key=_WEIGHTS.__getitem__):
            candidates: set[int] | None = None if within is None else set(within)
            for token in dict.fromkeys(tokens):
                held = set(self._at(self.source.starting(field, token)).tolist())
                candidates = held if candidates is None else candidates & held
                if not candidates:
                    break
            if not candidates:
                continue
            score = 100.0 * _WEIGHTS[field]
            for paper_id, text in self.source.texts(field, [ids[i] for i in candidates]):
                if pattern.search(" ".join(fold(text).split())):
                    scores[int(self._position_of[paper_id])] = score
        return scores

    def _terms_by_length(self, field: str) -> tuple[list[str], list[int]]:
        """The field's words shortest first, and their lengths (for bisecting)."""
        fuzzy = self._fuzzy(field)
        return fuzzy.words, fuzzy.lengths

    def _fuzzy(self, field: str) -> FuzzyWords:
        """The field's words, as the fuzzy matcher picks the ones worth scoring."""
        with self._lock:
            found = self._by_length.get(field)
        if found is None:
            found = FuzzyWords(self._terms(field))
            with self._lock:
                self._by_length[field] = found
        return found

    def _terms(self, field: str) -> Sequence[str]:
        with self._lock:
            terms = self._vocabulary.get(field)
        if terms is None:
            terms = self.source.terms(field)
            with self._lock:
                self._vocabulary[field] = terms
        return terms
