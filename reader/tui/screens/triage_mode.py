"""Triage mode: the papers of a list one at a time, full screen, one key a decision.

Over the library screen's list as it was when the mode began (a view, a filter, the
inbox): title, authors, Hugging Face's signals, who in the lab starred it and the
abstract of one paper; ``s`` stars and ``d`` marks not interested, each moving on to
the next; space skips; ``t``, ``n`` and ``o`` tag, write a note and open it, as on the
list; ``z`` undoes the last change and goes back to its paper. At the end (or on
Esc), a summary: how many of each, and how fast. The marks are the library screen's
own (its triage layer), so undo, the list and the read state stay one.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from reader.limits import ABSTRACT_CHARS, TITLE_CHARS, cut
from reader.models import Paper, papers_label
from reader.text import one_line, strip_controls
from reader.triage import Change
from reader.tui.keys import bindings

if TYPE_CHECKING:
    from reader.tui.screens.library import LibraryScreen

AUTHORS_SHOWN = 8
# Each decision as the log keeps it: a paper starred already was still decided on.
_LOGGED = {
    "star": "star",
    "starred already": "star",
    "dismiss": "dismiss",
    "dismissed already": "dismiss",
    "skip": "skip",
}


@dataclass
class Tally:
    """What a triage session decided, and when it began."""

    began: float
    starred: int = 0
    dismissed: int = 0
    skipped: int = 0
    # (paper position, what was decided) in order: undo steps back through them.
    steps: list[tuple[int, str]] = field(default_factory=list)

    @property
    def decided(self) -> int:
        return self.starred + self.dismissed + self.skipped

    def count(self, decision: str, by: int) -> None:
        if decision in ("star", "starred already"):
            self.starred += by
        elif decision in ("dismiss", "dismissed already"):
            self.dismissed += by
        else:
            self.skipped += by


def summary(tally: Tally, total: int, now: float) -> str:
    """What a triage session did, in a line or two."""
    seconds = max(0.0, now - tally.began)
    minutes, rest = divmod(int(seconds), 60)
    rate = tally.decided / (seconds / 60) if seconds > 0 and tally.decided else 0.0
    return (
        f"Triaged {tally.decided} of {papers_label(total)} in {minutes}:{rest:02d}: "
        f"{tally.starred} starred, {tally.dismissed} not interested, {tally.skipped} skipped"
        + (f" ({rate:.0f} papers a minute)." if rate else ".")
    )


class TriageScreen(Screen[None]):
    """One paper at a time over ``paper_ids``, deciding through ``library``'s triage."""

    CSS_PATH = "triage_mode.tcss"
    BINDINGS = bindings("triage")

    def __init__(
        self,
        library: LibraryScreen,
        paper_ids: list[int],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self._library = library
        self._ids = list(paper_ids)
        self._clock = clock
        self._at = 0
        self.tally = Tally(began=clock())
        self._done = False
        # When the paper on show was shown: the seconds a decision took.
        self._shown_at = self.tally.began

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="≡")
        with VerticalScroll(id="triage-body"):
            yield Static(id="triage-title")
            yield Static(id="triage-meta")
            yield Static(id="triage-abstract")
        yield Static(id="triage-summary")
        yield Footer()

    def on_mount(self) -> None:
        self._show()

    @property
    def paper_id(self) -> int | None:
        """The paper on show (None once every paper is decided)."""
        return self._ids[self._at] if self._at < len(self._ids) else None

    def _show(self) -> None:
        paper_id = self.paper_id
        if paper_id is None:
            self._finish()
            return
        paper = self._library.library.paper(paper_id)
        if paper is None:  # removed meanwhile (another window): on to the next
            self._ids.pop(self._at)
            self._show()
            return
        # The list's cursor follows, so t, n and o act on this paper (not the user's
        # move there: it does not turn read by itself).
        self._library.place_cursor(paper_id)
        self._shown_at = self._clock()
        mark = self._library.triage.marks.get(paper_id)
        self.sub_title = (
            f"{self._library.user} · Triage · {self._at + 1} of {len(self._ids)} · "
            f"{self.tally.starred} starred, {self.tally.dismissed} not interested"
        )
        heading = Text(one_line(cut(paper.title, TITLE_CHARS)), style="bold")
        if mark is not None and mark.starred:
            heading = Text.assemble("★ ", heading)
        self.query_one("#triage-title", Static).update(heading)
        self.query_one("#triage-meta", Static).update(self._meta(paper, paper_id))
        abstract = strip_controls(cut(paper.ai_summary or paper.abstract, ABSTRACT_CHARS))
        self.query_one("#triage-abstract", Static).update(Text(abstract.strip() or "No abstract."))
        self.query_one("#triage-body", VerticalScroll).scroll_home(animate=False)

    def _meta(self, paper: Paper, paper_id: int) -> Text:
        names = [one_line(name) for name in paper.authors[:AUTHORS_SHOWN]]
        more = len(paper.authors) - AUTHORS_SHOWN
        lines = []
        if names:
            lines.append(", ".join(names) + (f" + {more} more" if more > 0 else ""))
        elif paper.author_label:
            lines.append(paper.author_label)  # a count without names (a copied page)
        facts = [paper.published or "no date"]
        if paper.upvotes:
            facts.append(f"▲ {paper.upvotes} upvotes")
        if paper.num_comments:
            facts.append(f"{paper.num_comments} comments")
        if paper.github_stars:
            facts.append(f"GitHub ★ {paper.github_stars}")
        elif paper.github_url:
            facts.append("code")
        ranking = self._library.ranking
        score = ranking.score(paper_id) if ranking is not None else None
        if score is not None:
            facts.append(f"For you {score:.2f}")
        lines.append(" · ".join(facts))
        mates = self._library.lab.mates(paper_id)
        if mates:
            lines.append("Starred by your lab: " + ", ".join(one_line(name) for name in mates))
        if paper.ai_keywords:
            lines.append("Keywords: " + ", ".join(one_line(k) for k in paper.ai_keywords[:8]))
        return Text("\n".join(lines))

    def _decide(self, decision: str) -> None:
        paper_id = self.paper_id
        if paper_id is None:
            return
        self.tally.steps.append((self._at, decision))
        # Through the queue of writes: a key never waits for another process's write.
        self._library.triage.log_decision(
            paper_id, _LOGGED[decision], self._clock() - self._shown_at
        )
        self.tally.count(decision, 1)
        self._at += 1
        self._show()

    def _finish(self) -> None:
        self._done = True
        self.sub_title = f"{self._library.user} · Triage · done"
        self.query_one("#triage-body").display = False
        said = summary(self.tally, len(self._ids), self._clock())
        keys = "Esc or q: back to the list · z: undo the last one"
        self.query_one("#triage-summary", Static).update(Text(f"{said}\n\n{keys}"))
        self.query_one("#triage-summary").display = True

    # -- keys ------------------------------------------------------------------------

    def action_star(self) -> None:
        """Star (a decision, not a toggle: a starred paper stays starred) and move on."""
        paper_id = self.paper_id
        if paper_id is None:
            return
        mark = self._library.triage.marks.get(paper_id)
        if mark is not None and mark.starred:
            self._decide("starred already")  # nothing written: nothing for z to undo
            return
        self._library.triage.star([paper_id])
        self._decide("star")

    def action_dismiss_paper(self) -> None:
        paper_id = self.paper_id
        if paper_id is None:
            return
        mark = self._library.triage.marks.get(paper_id)
        if mark is not None and mark.is_dismissed:
            self._decide("dismissed already")
            return
        self._library.triage.toggle_dismissed([paper_id])
        self._decide("dismiss")

    def action_skip(self) -> None:
        self._decide("skip")

    def action_back(self) -> None:
        """To the paper before, its decision left as it is."""
        if self._at > 0:
            if self._done:
                self._reopen()
            self._at -= 1
            self._show()

    def action_undo(self) -> None:
        """Undo the last decision and go back to its paper (a skip, or a paper that was
        starred or dismissed already: only go back); a change made here since (tags, a
        note) is undone first, staying put."""
        triage = self._library.triage
        top = triage.undo_stack[-1] if triage.undo_stack else None
        if self.tally.steps:
            at, decision = self.tally.steps[-1]
            wrote = decision in ("star", "dismiss")
            if not wrote or (isinstance(top, Change) and self._ids[at] in top.after):
                self.tally.steps.pop()
                self.tally.count(decision, -1)
                self._library.triage.forget_decision(self._ids[at])
                if wrote:
                    self._library.action_undo()
                if self._done:
                    self._reopen()
                self._at = at
                self._show()
                return
        if top is None:
            self.notify("Nothing to undo.", severity="warning", timeout=2)
            return
        self._library.action_undo()

    def _reopen(self) -> None:
        self._done = False
        self.query_one("#triage-body").display = True
        self.query_one("#triage-summary").display = False

    def action_tags(self) -> None:
        if self.paper_id is not None:
            self._library.action_edit_tags()

    def action_note(self) -> None:
        if self.paper_id is not None:
            self._library.action_edit_note()

    def action_open_paper(self) -> None:
        if self.paper_id is not None:
            self._library.action_open("abs")

    def action_end(self) -> None:
        """Esc: to the summary first; from the summary, back to the list."""
        if self._done:
            self.dismiss()
        else:
            self._finish()
