"""The library screen's "For you": the user's own ranking (:mod:`reader.ranking`),
trained in a worker when first asked for (the For you view or sort, ``fy:``, the
"help it learn" list) and kept up to date as marks change and papers arrive; why a
paper ranks where it does, in the detail pane; and the papers it is least sure
about, one key each to star or dismiss."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.message import Message
from textual.worker import get_current_worker

from reader.limits import cut
from reader.models import Annotation
from reader.ranking.explain import Why
from reader.ranking.model import MIN_POSITIVES, Ranking
from reader.search import Query
from reader.store.words import Words
from reader.text import one_line
from reader.tui.screens.library_base import LEARN_VIEW, LibraryBase
from reader.tui.widgets.paper_detail import PaperDetail
from reader.tui.widgets.paper_list import PaperList

# Papers whose words, to be counted, are worth a word to the user first.
COUNTING_SAID = 5000
# Papers in the "help it learn" list, at most.
UNSURE_SHOWN = 50
# A starred paper's title in "like ...", in characters.
LIKE_CHARS = 60


class RankingPart(LibraryBase):
    """Keeps the user's ranking and shows it: sort, view, ``fy:``, why, unsure."""

    @dataclass
    class Ranked(Message, namespace="library_screen"):
        """A ranking made off the UI thread, from the marks of ``version``."""

        ranking: Ranking
        version: int
        # Whether it read the library's papers again first.
        synced: bool

    @dataclass
    class Explained(Message, namespace="library_screen"):
        """Why ``paper_id`` scores as it does in ``ranking``."""

        paper_id: int
        ranking: Ranking
        why: Why | None

    # -- asking for it -------------------------------------------------------------

    def _want_ranking(self) -> None:
        """Start keeping the ranking (once: it is kept up to date from then on)."""
        if not self._ranking_wanted:
            self._ranking_wanted = True
            # The ranking's own connection, made here: its workers share it (one
            # query at a time), rather than each making one.
            self._ranking_words = self.library.words()
            self._rerank(sync=True)
            self._update_title()

    def _marks_changed(self) -> None:
        if self._ranking_wanted:
            self._rerank()
        self._count_new()  # a view of marks (Unread, Starred) holds others now

    def _papers_changed(self) -> None:
        if self._ranking_wanted:
            self._rerank(sync=True)

    def _rerank(self, *, sync: bool = False) -> None:
        self._marks_version += 1
        # Papers came or went: every ranking from now on reads them first, until one
        # that did is shown (a newer change may drop the one that was asked).
        self._sync_due = self._sync_due or sync
        self._rank(dict(self._marks), self._marks_version, self._sync_due)

    def _counting_words(self, papers: int) -> None:
        if papers >= COUNTING_SAID:
            self.app.call_from_thread(
                self.notify,
                f"Counting the words of {papers:,} papers for For you, once: a few seconds.",
                title="For you",
                timeout=5,
            )

    @work(exclusive=True, thread=True, group="rank", exit_on_error=False)
    def _rank(self, marks: dict[int, Annotation], version: int, sync: bool) -> None:
        """Train and score off the UI thread; a newer change makes this one stale."""
        source = self._rank_source()
        if sync:
            labelled = frozenset(i for i, mark in marks.items() if mark.marks_anything)
            self._ranker.sync(source, labelled)
        hidden = source.rule_hidden(self.user)
        ranking = self._ranker.rank(source, marks, followed=self._settings.follow, hidden=hidden)
        if not get_current_worker().is_cancelled:
            self.post_message(self.Ranked(ranking, version, sync))

    @on(Ranked)
    def _ranked(self, event: Ranked) -> None:
        if event.version != self._marks_version:
            return  # a newer one is coming
        if event.synced:
            self._sync_due = False
        first = self._ranking is None
        self._ranking = event.ranking
        sort = self._effective_sort(self._query)
        if Query.parse(self._query_text()).asks_for_you:
            self._refilter()  # matched before there were scores
        elif first and sort in ("for-you", "unsure"):
            self._show(self._query, self._matches)
            self.query_one(PaperList).action_first()
        self._update_title()
        highlighted = self.query_one(PaperList).highlighted
        if highlighted is not None:
            self._explain(highlighted, event.ranking)

    # -- the detail pane's "why" ---------------------------------------------------

    def _explain_later(self, paper_id: int | None) -> None:
        detail = self.query_one(PaperDetail)
        if paper_id is None or self._ranking is None:
            detail.show_why(None)
            return
        self._explain(paper_id, self._ranking)

    @work(exclusive=True, thread=True, group="why", exit_on_error=False)
    def _explain(self, paper_id: int, ranking: Ranking) -> None:
        why = self._ranker.why(self._rank_source(), paper_id, ranking)
        if not get_current_worker().is_cancelled:
            self.post_message(self.Explained(paper_id, ranking, why))

    @on(Explained)
    def _explained(self, event: Explained) -> None:
        if event.paper_id != self.query_one(PaperList).highlighted:
            return
        self.query_one(PaperDetail).show_why(self._why_text(event))

    def _why_text(self, event: Explained) -> Text:
        ranking, why = event.ranking, event.why
        score = ranking.score(event.paper_id)
        if not ranking.learned:
            return Text(
                f"For you: ranked by upvotes and recency, and the authors of your starred "
                f"papers, until {MIN_POSITIVES} papers are starred, noted or tagged "
                f"({ranking.positives} so far)."
            )
        text = Text()
        heading = "For you" if score is None else f"For you {score:.2f}"
        text.append(f"{heading}  (learned from {ranking.positives} papers)", style="bold")
        if why is None:
            return text
        for sign, reasons in (("up:", why.up), ("down:", why.down)):
            if reasons:
                shown = ", ".join(
                    r.text if r.kind == "word" else f"{r.text} ({r.kind})" for r in reasons
                )
                text.append(f"\n{sign} {one_line(shown)}")
        if why.like:
            titles = "; ".join(
                f"“{cut(one_line(self._title_of(i)), LIKE_CHARS)}”" for i in why.like
            )
            text.append(f"\nLike {titles}")
        return text

    # -- help it learn -------------------------------------------------------------

    def action_help_learn(self) -> None:
        """The papers the ranking is least sure about, to star or dismiss one key each."""
        self._want_ranking()
        if self._ranking is not None and not self._ranking.learned:
            self.notify(
                f"Star, note or tag {MIN_POSITIVES} papers first ({self._ranking.positives} "
                "so far): until then there is nothing to learn from.",
                title="Help it learn",
                timeout=4,
            )
            return
        self._preset = LEARN_VIEW
        self._sort_chosen_here = False
        self._refilter()

    def _unsure(self, ids: list[int]) -> list[int]:
        """The papers of ``ids`` the ranking is least sure about, surest last."""
        if self._ranking is None:
            return []
        return self._ranking.unsure(set(ids), UNSURE_SHOWN)

    def _rank_source(self) -> Words:
        """The ranking's own connection to the library (its workers read through it)."""
        assert self._ranking_words is not None, "made when the ranking is first wanted"
        return self._ranking_words
