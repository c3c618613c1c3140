"""What the parts of the library screen share: its state, the writes, the status line.

:class:`~reader.tui.screens.library.LibraryScreen` is assembled from small parts
(loading, filter, triage, notes, links, commands, removal), each a class over
this one; the behaviour itself lives in :class:`reader.triage.Triage`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from rich.text import Text
from textual import on
from textual.app import App
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Static

from reader.config import DEFAULT_READ_DELAY, DEFAULT_SORT, DEFAULT_VIEWS, View
from reader.lab import Lab
from reader.models import Annotation, ListedPaper, Paper, PaperUpdate
from reader.ranking.features import cache_path
from reader.ranking.model import Ranking
from reader.ranking.ranker import Ranker
from reader.rules import Rule
from reader.search import Query, SearchIndex
from reader.store import Library, LibraryError, open_library
from reader.store.words import Words
from reader.triage import Notice, Outcome, Triage
from reader.tui.keys import key_said, key_shown
from reader.tui.widgets.filter_bar import FilterBar
from reader.tui.widgets.paper_detail import PaperDetail
from reader.tui.widgets.paper_list import PaperList
from reader.updates import badge, starred_updated
from reader.writes import PendingWrites

T = TypeVar("T")

# {fetch}: the fetch key as the user has it (see empty_library).
EMPTY_LIBRARY = "No papers yet. Press {fetch} to fetch today's Hugging Face papers."
EMPTY_LIBRARY_HELP = """Your library is empty.

Press {fetch} to fetch today's Hugging Face Daily Papers, or from a shell:

  reader fetch hf --days 7         the last week
  reader fetch arxiv -q cat:cs.LG  a category
  reader add 2409.11074            by arXiv id
  reader import FILE               a saved file"""


def empty_library(app: App[Any], text: str = EMPTY_LIBRARY) -> str:
    """What an empty library says (:data:`EMPTY_LIBRARY` or :data:`EMPTY_LIBRARY_HELP`),
    naming the fetch key the user has."""
    return text.format(fetch=key_said(app, "library.fetch"))


# The papers the For you ranking is least sure about, as a view of their own (no key:
# reached with library.learn).
LEARN_VIEW = View("", "Help it learn", "is:unread -is:starred", sort="unsure")


@dataclass(frozen=True, slots=True)
class ViewSettings:
    """What the config file says about the library screen."""

    presets: tuple[View, ...] = DEFAULT_VIEWS
    read_delay: float = DEFAULT_READ_DELAY
    default_sort: str = DEFAULT_SORT
    # Authors For you counts as followed (config: follow).
    follow: tuple[str, ...] = ()
    # The user keeps their marks from the lab's other users (config: [lab] private).
    private: bool = False
    # What to do to papers as they arrive (config: [[rules]]).
    rules: tuple[Rule, ...] = ()


class LibraryBase(Screen[None]):
    """The library screen's shared state and the helpers every part uses."""

    def __init__(
        self, library: Library, user: str, *, settings: ViewSettings, clock: Callable[[], float]
    ) -> None:
        """``clock`` times the read delay (tests pass a fake one)."""
        super().__init__()
        self.library = library
        self.user = user
        self._settings = settings
        self._fetching = False
        self._papers: dict[int, ListedPaper] = {}
        self._order: list[int] = []
        self._position: dict[int, int] = {}
        self._words: Words = library.words()
        self._index = SearchIndex([], self._words)
        # Writes wait a moment at most for the lock; while the library is busy
        # (another process writing), they queue for a writer thread, in order.
        path = library.path
        self._writes = PendingWrites(
            library,
            connect=None if path is None else partial(open_library, path, create=False),
            deliver=self._deliver_write,
        )
        self.triage = Triage(
            library,
            user,
            submit=self._write,
            report=self._report,
            clock=clock,
            read_delay=settings.read_delay,
        )
        self._preset: View | None = settings.presets[0] if settings.presets else None
        self._sort = settings.default_sort
        self._sort_chosen = False
        # A sort picked (O) since the view was chosen: it overrides the view's own.
        self._sort_chosen_here = False
        # The For you ranking (see library_ranking): kept once asked for.
        self._ranker = Ranker(
            cache_path(library.path) if library.path is not None else None,
            counting=self._counting_words,
        )
        self._ranking: Ranking | None = None
        self._ranking_wanted = False
        self._ranking_words: Words | None = None
        # The papers that came in since the user last marked the inbox done (is:new);
        # None: they never have, and every paper is new.
        self._new: set[int] | None = None
        # The paper updates made since then (a newer version, new code), by paper: the
        # user's starred ones are in the inbox too (is:updated, see reader.updates).
        self._updates: dict[int, tuple[PaperUpdate, ...]] = {}
        # Who else starred each paper (see library_lab), and its other users' marks
        # stamp, to know when to read it again.
        self._lab = Lab(user)
        self._others_marked = False
        # How many new papers each view (by key) holds, once the inbox was marked done.
        self._view_new: dict[str, int] = {}
        # Papers this screen took out of the list when they were marked not interested
        # (an undo puts them back), and the paper the cursor goes to once shown.
        self._dismissed_here: set[int] = set()
        self._cursor_to: int | None = None
        # Bumped by every change of marks: a ranking made from older ones is dropped.
        self._marks_version = 0
        self._sync_due = False
        # The filter's last matches, in relevance order, before sorting.
        self._matches: list[int] = []
        self._query = Query.parse("")
        self._read_timer: Timer | None = None
        self._pending_g: Timer | None = None
        self._detail_timer: Timer | None = None
        # The next highlight comes from a key typed into the filter (see TYPING_DELAY).
        self._detail_waits_for_typing = False
        # The filter hint's text as shown ("": none).
        self._hint = ""
        # Papers in the library while only its first page is loaded, else None.
        self._loading: int | None = None
        # Bumped by every read of the library: a slower, older read is then dropped.
        self._generation = 0
        self._shown_filter = ""
        # A filter typed whose result the list does not show yet (see holds_keys).
        self._filter_pending = False
        # Until on_mount has run, the filter bar may hold the focus Textual gave it.
        self._ready_for_keys = False

    @dataclass
    class WriteDone(Message, namespace="library_screen"):
        """A write that waited for the library was made (or failed): show it."""

        outcome: Callable[[], None]

    @dataclass
    class Failed(Message, namespace="library_screen"):
        """The library cannot be read: the app should stop and say ``reason``."""

        reason: str

    @property
    def _marks(self) -> dict[int, Annotation]:
        """This user's annotations as last read (the triage layer's cache)."""
        return self.triage.marks

    @property
    def _selected(self) -> set[int]:
        """The papers selected with space (the triage layer's selection)."""
        return self.triage.selected

    # -- parts other parts call (each defined by its own part) -------------------

    def reload(self, *, first_page: int | None = None) -> None:
        raise NotImplementedError

    def _refilter(self) -> None:
        raise NotImplementedError

    def _show(self, query: Query, ids: list[int]) -> None:
        raise NotImplementedError

    def _update_title(self) -> None:
        raise NotImplementedError

    def _query_text(self) -> str:
        raise NotImplementedError

    def _stop_reading(self) -> None:
        raise NotImplementedError

    def _report(self, outcome: Outcome) -> None:
        raise NotImplementedError

    def _drop_papers(self, gone: set[int] | frozenset[int]) -> None:
        raise NotImplementedError

    def _effective_sort(self, query: Query) -> str:
        raise NotImplementedError

    def _want_ranking(self) -> None:
        raise NotImplementedError

    def _marks_changed(self) -> None:
        raise NotImplementedError

    def _papers_changed(self) -> None:
        raise NotImplementedError

    def _explain_later(self, paper_id: int | None) -> None:
        raise NotImplementedError

    def _unsure(self, ids: list[int]) -> list[int]:
        raise NotImplementedError

    def _counting_words(self, papers: int) -> None:
        """(From the ranking's worker.) Say that papers' words are being counted."""
        raise NotImplementedError

    def _learning(self) -> bool:
        """Whether the list is the "help it learn" one (each key a decision)."""
        return self._preset is LEARN_VIEW

    def _put_back(self, ids: list[int]) -> None:
        raise NotImplementedError

    def _show_lab(self, paper_id: int | None) -> None:
        raise NotImplementedError

    def _read_lab(self) -> None:
        raise NotImplementedError

    def _apply_rules(self) -> None:
        raise NotImplementedError

    def _rules_said(self, paper_id: int | None, mark: Annotation | None) -> list[str]:
        raise NotImplementedError

    # -- shared -----------------------------------------------------------------

    def _say(self, notice: Notice) -> None:
        """Show a notice from the triage layer, as plain text."""
        self.notify(
            notice.message,
            title=notice.title,
            severity=notice.severity,
            timeout=notice.timeout,
            markup=False,
        )

    def _set_status(self, text: str | None) -> None:
        status = self.query_one("#status", Static)
        status.update(Text(text or ""))
        status.set_class(bool(text), "-active")

    def _fail(self, message: str) -> None:
        self.post_message(self.Failed(message))

    def _title_of(self, paper_id: int) -> str:
        """The title of a listed paper; read, while a large library's rows are still
        being read (its list holds every id first)."""
        listed = self._papers.get(paper_id)
        if listed is None:
            try:
                listed = next(iter(self.library.listed_by_id([paper_id])), None)
            except LibraryError:
                listed = None
        return listed.title if listed is not None else ""

    def _still_loading(self) -> bool:
        """Say so when an action needs every paper and only the first rows are read."""
        if self._loading is None:
            return False
        self.notify("Still reading the library; try again in a moment.", severity="warning")
        return True

    def _key_shown(self, binding_id: str) -> str:
        """The first key of one of this screen's bindings as the user has it (remapped or
        not), as the footer shows it."""
        return key_shown(self.app, binding_id)

    def _current(self) -> Paper | None:
        paper_id = self.query_one(PaperList).highlighted
        if paper_id is None:
            self.notify("No paper here to act on.", severity="warning")
            return None
        return self._read_paper(paper_id)

    def _targets(self) -> list[int]:
        """The selected papers (in list order), else the highlighted one."""
        if self._selected:
            return self.triage.selected_in(self.query_one(PaperList).paper_ids, self._order)
        paper = self._current()
        return [paper.id] if paper is not None and paper.id is not None else []

    def _read_paper(self, paper_id: int) -> Paper | None:
        """The whole paper (the list holds only its columns), as the file has it now."""
        try:
            paper = self.library.paper(paper_id)
        except LibraryError as error:
            self.notify(str(error), severity="error", markup=False)
            return None
        if paper is None:
            self.notify("That paper is no longer in the library.", severity="warning")
        return paper

    def _show_detail(self, paper_id: int | None) -> None:
        paper = self._read_paper(paper_id) if paper_id is not None else None
        mark = self._marks.get(paper_id) if paper_id is not None else None
        # An empty list says why it is empty and what to do; the detail pane says the same.
        empty = (
            empty_library(self.app, EMPTY_LIBRARY_HELP)
            if not self._papers
            else self.query_one(PaperList).empty_message
        )
        updates: tuple[PaperUpdate, ...] = ()
        if paper is not None and paper_id is not None:
            try:
                updates = self.library.updates_of([paper_id]).get(paper_id, ())
            except LibraryError:
                updates = ()  # the pane shows the rest; the list says what is wrong
        # New to the user only where the paper is theirs (starred): the inbox's updates.
        theirs = paper_id is not None and mark is not None and mark.starred
        unseen = self._updates.get(paper_id, ()) if theirs and paper_id is not None else ()
        self.query_one(PaperDetail).show(
            paper,
            mark,
            empty_message=empty,
            rules=self._rules_said(paper_id, mark),
            updates=updates,
            unseen=unseen,
        )
        self._show_lab(paper_id if paper is not None else None)
        self._explain_later(paper_id if paper is not None else None)

    def _remember_all(self, marks: Mapping[int, Annotation]) -> None:
        """Show saved annotations (in the cache already) in the list and the detail pane."""
        self._marks_changed()
        self._redraw_marks()
        highlighted = self.query_one(PaperList).highlighted
        if highlighted in marks:
            self._show_detail(highlighted)

    def _read_new(self) -> None:
        """Read again which papers are new, and which updated (the inbox's mark moved,
        or papers came or changed)."""
        try:
            mark = self.library.looked(self.user)
            self._new = self.library.new_since(mark)
            self._updates = self.library.updates_since(mark)
        except LibraryError as error:
            self.notify(str(error), title="Inbox", severity="error", markup=False)
        self.query_one(PaperList).set_badges(
            {paper_id: badge(found) for paper_id, found in self._updates.items()}
        )
        self._count_new()

    def _count_new(self) -> None:
        raise NotImplementedError

    def _new_count(self) -> int:
        """How many papers the inbox holds: new ones (listed ones: a paper marked not
        interested too) and starred ones updated."""
        if self._new is None:
            return len(self._order)
        return len(self._new | starred_updated(self._updates, self._marks))

    def _undismissed(self, ids: list[int]) -> list[int]:
        """``ids`` but the papers marked not interested (what an empty query shows)."""
        dismissed = {i for i, mark in self._marks.items() if mark.dismissed_at is not None}
        return [i for i in ids if i not in dismissed] if dismissed else ids

    def _cursor_past(self, gone: set[int] | frozenset[int]) -> None:
        """Before ``gone`` leave the list: the cursor off them, to the next paper still
        listed (else the one before); it stays where it is when it is on none of them.
        The app's move, not the user's: the paper it lands on does not turn read by
        itself until the user moves to it (or stays, in triage mode, on another)."""
        papers = self.query_one(PaperList)
        if papers.highlighted not in gone:
            return
        shown = list(papers.paper_ids)
        at = papers.cursor
        after = [i for i in shown[at + 1 :] if i not in gone]
        before = [i for i in shown[:at] if i not in gone]
        if after or before:
            papers.place(after[0] if after else before[-1])

    def _redraw_marks(self) -> None:
        self.query_one(PaperList).update_marks(self._marks, self._selected)
        self._update_title()

    def _typed(self) -> str:
        """What the filter bar holds."""
        return self.query_one(FilterBar).value

    # -- writes -------------------------------------------------------------------

    def _write(
        self,
        label: str,
        write: Callable[[Library], T],
        done: Callable[[T], None],
        failed: Callable[[LibraryError], None] | None = None,
    ) -> None:
        """Save through the queue of writes: now, or once the library is free."""

        def say_failed(error: LibraryError) -> None:
            self.notify(str(error), title=f"{label} not saved", severity="error", markup=False)

        if not self._writes.submit(label, write, done, failed or say_failed):
            self._show_waiting_writes()

    def _deliver_write(self, outcome: Callable[[], None]) -> None:
        """From the writer thread: a waiting write's outcome, to run here (posting a
        message is safe from any thread, and never waits)."""
        self.post_message(self.WriteDone(outcome))

    @on(WriteDone)
    def _write_done(self, event: WriteDone) -> None:
        event.outcome()
        self._show_waiting_writes()

    def _show_waiting_writes(self) -> None:
        waiting = self._writes.pending
        if waiting:
            self._set_status(
                f"Saving {waiting} {'change' if waiting == 1 else 'changes'} once the library "
                "is free (another reader is writing to it)…"
            )
        elif not self._fetching:
            self._set_status(None)

    def save_waiting_writes(self) -> list[str]:
        """Save every write still waiting for the library (the app is quitting): the
        labels of those that could not be saved, the library busy all along."""
        return self._writes.flush()
