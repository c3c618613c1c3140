"""Rules: ``[[rules]]`` in ``config.toml``, each a filter query and what to do to the
papers it finds as they arrive (a killfile, and its opposite)::

    [[rules]]
    name = "surveys"              # optional: how messages name the rule
    query = "title:survey -is:read"
    tag = "survey"                # or tags = ["survey", "later"]

    [[rules]]
    query = 'author:"Spam Bot"'
    hide = true                   # out of every view; For you learns nothing from it

A rule acts on the papers that come into the library (an import, a fetch, in the
app or from the command line) after it was first seen by that user, never on the
papers already there, and on each paper at most once: a star or tag the user takes
off again stays off. It is per user (each user's own config and marks). Its
actions: ``tag``/``tags``, ``star``, ``dismiss`` (the user's "not interested",
which For you learns from) and ``hide`` (dismissed too, so it leaves every view,
but For you does not count it against the paper).

A rule is known by a key made of its query and actions (:attr:`Rule.key`), so an
edited rule is a new rule, starting from the papers that arrive after the edit.
How far each rule has looked is a mark of the inbox's kind (``rule:KEY`` in
:mod:`reader.store.inbox`); what it did is in ``rule_hits``
(:mod:`reader.store.rules`). Each rule sees the new papers as they arrived, with
the marks they came with: the rules do not see each other's work, so their order
never matters. Matching is the filter's own (:mod:`reader.search`), over the new
papers alone.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass
from typing import TYPE_CHECKING

from reader.text import one_line

if TYPE_CHECKING:
    from reader.models import Annotation
    from reader.search.direct import Found
    from reader.search.query import Query
    from reader.store import Library
    from reader.store.inbox import Mark

STAR = "star"
DISMISS = "dismiss"
HIDE = "hide"
TAG = "tag:"

# What each action did to a paper, for sentences: "tagged survey", "hidden".
_DONE = {STAR: "starred", DISMISS: "dismissed", HIDE: "hidden"}
_DOES = {STAR: "star", DISMISS: "dismiss", HIDE: "hide"}


@dataclass(frozen=True, slots=True)
class Rule:
    """One ``[[rules]]`` table: its place in the file (from 1), its name ("" when it
    has none), its filter query and its actions."""

    number: int
    query: str
    name: str = ""
    tags: tuple[str, ...] = ()
    star: bool = False
    dismiss: bool = False
    hide: bool = False

    @property
    def actions(self) -> tuple[str, ...]:
        """The actions as ``rule_hits`` names them: "tag:NAME" for each tag, then
        "star", "dismiss", "hide"."""
        flags = ((STAR, self.star), (DISMISS, self.dismiss), (HIDE, self.hide))
        return (*(TAG + tag for tag in self.tags), *(name for name, on in flags if on))

    @property
    def key(self) -> str:
        """What the library knows the rule by: its query and actions (not its name or
        place), so editing either makes a new rule."""
        spec = json.dumps([self.query, sorted(self.actions)], ensure_ascii=False)
        return hashlib.sha256(spec.encode("utf-8")).hexdigest()[:16]

    @property
    def view(self) -> str:
        """The ``looked`` view that holds how far the rule has looked."""
        return f"rule:{self.key}"

    @property
    def label(self) -> str:
        """How messages name it: ``rule 2 ('surveys')``, or ``rule 2``."""
        return f"rule {self.number} ({_quoted(self.name)})" if self.name else f"rule {self.number}"

    def does(self) -> str:
        """Its actions as words: "tag survey, hide"."""
        return ", ".join(does(action) for action in self.actions)


def does(action: str) -> str:
    """One action as words: "tag survey", "star"."""
    if action.startswith(TAG):
        return f"tag {action.removeprefix(TAG)}"
    return _DOES.get(action, one_line(action))


def done(action: str) -> str:
    """What one action did to a paper: "tagged survey", "hidden"."""
    if action.startswith(TAG):
        return f"tagged {action.removeprefix(TAG)}"
    return _DONE.get(action, one_line(action))


def _action_order(action: str) -> tuple[int, str]:
    """Tags first (by name), then star, dismiss, hide."""
    if action.startswith(TAG):
        return (0, action)
    return (1 + list(_DONE).index(action), "") if action in _DONE else (9, action)


def _quoted(name: str) -> str:
    return "'" + one_line(name).replace("'", "\u2019") + "'"


# New papers up to this many are matched in memory, read whole (see matching).
IN_MEMORY = 2000

# A hit: (rule key, paper id, action).
Hit = tuple[str, int, str]


@dataclass(frozen=True, slots=True)
class Applied:
    """What applying the rules did: each (rule key, paper id, action) made."""

    hits: tuple[Hit, ...] = ()

    @property
    def paper_ids(self) -> set[int]:
        return {paper_id for _, paper_id, _ in self.hits}

    def counts(self) -> dict[str, int]:
        """How many papers each action was made on, tags first, then star,
        dismiss, hide."""
        papers: dict[str, set[int]] = {}
        for _, paper_id, action in self.hits:
            papers.setdefault(action, set()).add(paper_id)
        return {action: len(papers[action]) for action in sorted(papers, key=_action_order)}

    def summary(self) -> str:
        """ "3 tagged survey, 1 hidden" ("" when nothing was done)."""
        return ", ".join(f"{count} {done(action)}" for action, count in self.counts().items())


def watch(library: Library, user: str, rules: Sequence[Rule]) -> None:
    """Start the rules ``user`` has not seen before: they act on the papers that come
    in from now on (an import about to run), never on those already here."""
    if not rules or library.read_only:
        return
    unseen = [rule for rule in rules if library.looked(user, rule.view) is None]
    if unseen:
        now = library.newest()
        library.act_on_rules(user, [], {rule.view: now for rule in unseen})


def apply_rules(library: Library, user: str, rules: Sequence[Rule]) -> Applied:
    """Act on the papers that came in since each rule last looked (a rule never seen
    before starts looking now, and acts on nothing yet); what was done. One write
    transaction, and none when nothing is new. Raises LibraryError."""
    if not rules or library.read_only:  # another's file, open to read: nothing to mark
        return Applied()
    now = library.newest()
    marks: dict[str, Mark] = {}
    new: list[tuple[Rule, set[int]]] = []
    since: dict[Mark, set[int]] = {}  # most rules looked as far as each other
    for rule in rules:
        mark = library.looked(user, rule.view)
        if mark == now:
            continue
        marks[rule.view] = now
        if mark is not None:
            if mark not in since:
                since[mark] = library.new_since(mark) or set()
            new.append((rule, since[mark]))
    if not marks:
        return Applied()
    # Papers that came after ``now`` (while this ran) are the next time's.
    later = library.new_since(now) or set()
    new = [(rule, papers - later) for rule, papers in new if papers - later]
    hits: list[Hit] = []
    if new:
        arrived = sorted(set().union(*(papers for _, papers in new)))
        held = library.annotations_of(user, arrived)
        for rule, papers in new:
            for paper_id in sorted(matching(library, _parse(rule.query), papers, held)):
                hits.extend((rule.key, paper_id, action) for action in rule.actions)
    return Applied(tuple(library.act_on_rules(user, hits, marks)))


def _parse(text: str) -> Query:
    from reader.search.query import Query

    return Query.parse(text)


def matching(
    library: Library,
    query: Query,
    paper_ids: Set[int],
    marks: Mapping[int, Annotation],
) -> set[int]:
    """Which of ``paper_ids`` ``query`` finds, as the filter would (``marks``: the
    user's, of those papers); ``is:new`` holds for each of them.

    A few papers (a day's fetch) are searched in memory, alone: a rule's common word
    costs nothing however large the library. Many (a large import) are searched
    through the word indexes, where
    :class:`~reader.search.direct.DirectSearch` answers, else through a
    :class:`~reader.search.SearchIndex` of those papers' columns.
    """
    from reader.search import SearchIndex

    if len(paper_ids) <= IN_MEMORY:
        papers = library.papers_by_id(sorted(paper_ids))
        return set(SearchIndex(papers).search(query, marks, None, paper_ids)) & paper_ids
    from reader.search.direct import DirectSearch, NotDirect, answers

    words = library.words()
    try:
        if answers(query):
            try:
                return _within(DirectSearch(words).search(query, marks), paper_ids)
            except NotDirect:
                pass
        order = [paper_id for paper_id in library.order() if paper_id in paper_ids]
        index = SearchIndex([], words, order=order, load=lambda: library.listed_by_id(order))
        return set(index.search(query, marks, None, paper_ids)) & paper_ids
    finally:
        words.close()


def _within(found: Found, paper_ids: Set[int]) -> set[int]:
    """The papers of ``paper_ids`` that ``found`` holds."""
    if found.scores is not None:
        return {paper_id for paper_id in paper_ids if paper_id in found.scores}
    if found.only is not None:
        return set(found.only) & paper_ids
    return set(paper_ids) - found.left_out


@dataclass(frozen=True, slots=True)
class Counted:
    """A rule and how many papers it has acted on (for the user asked): in all, and
    per action."""

    rule: Rule
    papers: int
    actions: Mapping[str, int]

    def said(self) -> str:
        """ "12 papers (12 tagged survey, 3 hidden)", or "no papers yet"."""
        if not self.papers:
            return "no papers yet"
        from reader.models import papers_label

        parts = ", ".join(
            f"{self.actions[action]} {done(action)}"
            for action in self.rule.actions
            if self.actions.get(action)
        )
        return f"{papers_label(self.papers)} ({parts})" if parts else papers_label(self.papers)


def counted(library: Library, user: str, rules: Sequence[Rule]) -> list[Counted]:
    """Each rule with what it has done for ``user``. Raises LibraryError."""
    counts = library.rule_counts(user) if rules else {}
    found = []
    for rule in rules:
        held = counts.get(rule.key, {})
        found.append(Counted(rule, held.get("", 0), {a: n for a, n in held.items() if a}))
    return found


def hits_said(library: Library, user: str, paper_id: int, rules: Sequence[Rule]) -> list[str]:
    """What the rules did to one paper, a line each: "Hidden by rule 2 ('spam'),
    2026-12-04". A rule no longer in the config is said so. Raises LibraryError."""
    by_key = {rule.key: rule for rule in rules}
    lines = []
    hits = library.rule_hits_of(user, paper_id)
    for key, action, at in sorted(hits, key=lambda hit: (hit[2], _action_order(hit[1]))):
        rule = by_key.get(key)
        who = rule.label if rule is not None else "a rule no longer in config.toml"
        what = done(action)
        lines.append(f"{what[:1].upper()}{what[1:]} by {who}, {at[:10]}")
    return lines
