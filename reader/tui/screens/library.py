"""LibraryScreen: filter bar, paper list, detail pane; star and note from the keyboard."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from typing import TYPE_CHECKING, TypeVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Header, Input, Static
from textual.worker import Worker, WorkerState, get_current_worker

from reader.config import (
    DEFAULT_READ_DELAY,
    DEFAULT_SORT,
    DEFAULT_VIEWS,
    SORTS,
    View,
)
from reader.models import Annotation, ListedPaper, Paper, papers_label
from reader.search import Query, SearchIndex
from reader.store import (
    Library,
    LibraryError,
    NoteConflict,
    NotRestored,
    PapersGone,
    Removed,
    open_library,
)
from reader.text import one_line, safe_url, shorten
from reader.tui.commands import PaperCommands
from reader.tui.keys import bindings
from reader.tui.screens.exporting import Exporting
from reader.tui.screens.fetching import Fetching
from reader.tui.screens.help import HelpScreen
from reader.tui.screens.note_editor import Drafts, NoteEditor
from reader.tui.screens.remove_dialog import ConfirmRemove
from reader.tui.screens.stats import StatsScreen
from reader.tui.screens.tag_editor import TagEdit, TagEditor
from reader.tui.system import (
    CopyOutcome,
    EditorError,
    copy_to_system,
    edit_in_editor,
    open_in_browser,
)
from reader.tui.widgets.filter_bar import FilterBar
from reader.tui.widgets.footer import KeyFooter
from reader.tui.widgets.paper_detail import PaperDetail
from reader.tui.widgets.paper_list import Authors, PaperList
from reader.writes import ATTEMPT_WAIT_MS, PendingWrites

if TYPE_CHECKING:
    from reader.fetching import Network
    from reader.store.removal import Noted

T = TypeVar("T")

# A library larger than this shows its first rows at once and reads the rest after.
FIRST_PAGE = 300
# How long the keys must pause before the detail pane follows the cursor (s).
DETAIL_DELAY = 0.04
# How often the screen looks for changes another process made to the file (s).
WATCH_INTERVAL = 1.0
EMPTY_LIBRARY = "No papers yet. Press f to fetch today's Hugging Face papers."
EMPTY_LIBRARY_HELP = """Your library is empty.

Press f to fetch today's Hugging Face Daily Papers, or from a shell:

  reader fetch hf --days 7         the last week
  reader fetch arxiv -q cat:cs.LG  a category
  reader add 2409.11074            by arXiv id
  reader import FILE               a saved file"""


SORT_LABELS = {
    "relevance": "by relevance",
    "newest": "newest first",
    "upvotes": "most upvoted",
    "github": "most GitHub stars",
    "title": "by title",
}
# How many changes z can undo, and how quickly a second g must follow the first.
UNDO_LEVELS = 100
# Bindings the palette leaves out: offered above by a clearer name, or no use there.
PALETTE_SKIP = frozenset(
    {"library.fetch", "library.all_read", "library.clear", "library.help", "library.filter"}
)
GG_WINDOW = 0.5
# Under this many columns the detail pane goes below the list and the footer shows
# only the keys used most; from WIDE on, the list gets columns for authors and tags.
NARROW = 100
WIDE = 180
# Under this many rows the filter bar loses its border, to leave rows for papers.
SHORT = 30
# Keys the footer leaves out when narrow (the help screen, ?, has them all), and the
# width under which it drops the spaces between keys (they all fit from here on).
FOOTER_OPTIONAL = frozenset({"toggle_selected", "export", "fetch_hf"})
FOOTER_ROOMY = 110


@dataclass(frozen=True, slots=True)
class ViewSettings:
    """What the config file says about the library screen."""

    presets: tuple[View, ...] = DEFAULT_VIEWS
    read_delay: float = DEFAULT_READ_DELAY
    default_sort: str = DEFAULT_SORT


@dataclass(frozen=True, slots=True)
class Change:
    """One undoable step: which fields of which papers it changed, and from what to what.

    Undo puts back only ``fields``, so it never takes away what happened since to
    the others (a star undone leaves the read state the read delay set meanwhile).
    """

    label: str
    fields: tuple[str, ...]
    before: list[Annotation]
    after: dict[int, Annotation]


@dataclass(frozen=True, slots=True)
class Removal:
    """Papers removed: undo puts them back, with everyone's marks and drafts."""

    label: str
    removed: Removed


def _field(mark: Annotation, field: str) -> object:
    return getattr(mark, field)


def _one(mark: Annotation) -> dict[int, Annotation]:
    return {mark.paper_id: mark}


def _link(paper: Paper, kind: str) -> tuple[str | None, str]:
    """The http(s) URL of one of the paper's pages, and what to call it."""
    urls = {
        "abs": (paper.abs_url, "arXiv"),
        "pdf": (paper.pdf_url, "PDF"),
        "github": (paper.github_url, "GitHub"),
        "hf": (paper.hf_url, "Hugging Face"),
    }
    url, label = urls[kind]
    return safe_url(url), label


def _changed(label: str, changed: int, asked: int) -> str:
    """What a change to several papers did, counting only those it changed (as its undo
    does): "Read: 151 papers (3 already were). z undoes."."""
    if not changed:
        return f"{label}: nothing to change (all {papers_label(asked)} already were)."
    already = f" ({asked - changed} already were)" if changed < asked else ""
    return f"{label}: {papers_label(changed)}{already}. z undoes."


def _when(timestamp: str) -> str:
    """An ISO timestamp (UTC) as the local time, with the date unless it is today."""
    try:
        moment = datetime.fromisoformat(timestamp).astimezone()
    except ValueError:
        return timestamp
    if moment.date() == datetime.now().astimezone().date():
        return f"today {moment:%H:%M}"
    return f"{moment:%Y-%m-%d %H:%M}"


class LibraryScreen(Fetching, Exporting):
    """The main screen: every paper of the library, filtered live."""

    CSS_PATH = "library.tcss"
    # Classes for library.tcss to lay out the panes by the terminal's size.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (NARROW, "-normal"), (WIDE, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (SHORT, "-tall")]
    COMMANDS = {PaperCommands}
    BINDINGS = bindings("library")

    @dataclass
    class FilterResult(Message):
        """Ids matching ``text``, computed off the UI thread over ``index``."""

        text: str
        query: Query
        ids: list[int]
        index: SearchIndex

    @dataclass
    class WriteDone(Message):
        """A write that waited for the library was made (or failed): show it."""

        outcome: Callable[[], None]

    @dataclass
    class Copied(Message):
        """A copy finished: ``what`` was copied, where :class:`CopyOutcome` says."""

        text: str
        what: str
        outcome: CopyOutcome

    @dataclass
    class Loaded(Message):
        """Every paper of a large library, read off the UI thread after its first page."""

        papers: list[ListedPaper]
        generation: int

    @dataclass
    class Failed(Message):
        """The library cannot be read: the app should stop and say ``reason``."""

        reason: str

    def __init__(
        self,
        library: Library,
        user: str,
        *,
        network: Network | None = None,
        settings: ViewSettings | None = None,
        clock: Callable[[], float] = time.monotonic,
        today: Callable[[], date] = date.today,
    ) -> None:
        """``network`` is what fetches reach (tests pass a mock: see :class:`Network`);
        ``clock`` times the read delay (tests pass a fake one); ``today`` dates the
        stats screen's weeks (tests pass a fixed day)."""
        super().__init__()
        self.library = library
        self.user = user
        self._network = network
        self._settings = settings or ViewSettings()
        self._clock = clock
        self._today = today
        self._fetching = False
        self._looking_up = False
        self._papers: dict[int, ListedPaper] = {}
        self._order: list[int] = []
        self._position: dict[int, int] = {}
        self._marks: dict[int, Annotation] = {}
        self._words = library.words()
        self._index = SearchIndex([], self._words)
        # Writes wait a moment at most for the lock; while the library is busy
        # (another process writing), they queue for a writer thread, in order.
        path = library.path
        self._writes = PendingWrites(
            library,
            connect=None if path is None else partial(open_library, path, create=False),
            deliver=self._deliver_write,
        )
        self._selected: set[int] = set()
        self._undo: list[Change | Removal] = []
        self._preset = self._settings.presets[0] if self._settings.presets else None
        self._sort = self._settings.default_sort
        self._sort_chosen = False
        # The filter's last matches, in relevance order, before sorting.
        self._matches: list[int] = []
        self._query = Query.parse("")
        self._reading: tuple[int, float] | None = None
        self._read_timer: Timer | None = None
        self._pending_g: Timer | None = None
        self._detail_timer: Timer | None = None
        # Papers in the library while only its first page is loaded, else None.
        self._loading: int | None = None
        # Bumped by every read of the library: a slower, older read is then dropped.
        self._generation = 0
        self._shown_filter = ""
        # A filter typed whose result the list does not show yet (see holds_keys).
        self._filter_pending = False
        # Until on_mount has run, the filter bar may hold the focus Textual gave it.
        self._ready_for_keys = False
        # The file as last read: what tells a change by another process.
        self._data_version = 0
        self._papers_version: str | None = None
        # The latest change among the marks read (see Library.annotations_since).
        self._marks_since: str | None = None

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="≡")
        yield FilterBar(id="filter")
        yield Static(id="filter-hint")
        with Horizontal(id="panes"):
            yield PaperList(id="papers", authors=self._authors_of)
            yield PaperDetail(id="detail")
        yield Static(id="status")
        yield KeyFooter(optional=FOOTER_OPTIONAL, compact_below=FOOTER_ROOMY, narrow_below=NARROW)

    def on_mount(self) -> None:
        self.query_one(FilterBar).name_keys(
            self._key_shown("library.filter"), self._key_shown("library.filter_help")
        )
        self.query_one(PaperList).focus()
        self.reload(first_page=FIRST_PAGE)
        self._mention_drafts()
        self.set_interval(WATCH_INTERVAL, self.check_outside_changes, name="watch")
        self._ready_for_keys = True

    def _mention_drafts(self) -> None:
        """Say which notes were left unsaved (the app was killed while one was typed)."""
        try:
            drafts = self.library.drafts(self.user)
            papers = self.library.papers_by_id([draft.paper_id for draft in drafts[:3]])
        except LibraryError:
            return  # reload() has said what is wrong with the file
        if not drafts:
            return
        titles = ", ".join(f"“{one_line(paper.title)}”" for paper in papers)
        more = f" and {len(drafts) - len(papers)} more" if len(drafts) > len(papers) else ""
        self.notify(
            f"{titles}{more}. Press n on the paper to take it up again.",
            title="Unsaved notes kept" if len(drafts) > 1 else "An unsaved note was kept",
            timeout=10,
            markup=False,
        )

    @work(thread=True, group="load", exit_on_error=False)
    def _load_rest(self, generation: int) -> None:
        try:
            papers = self._words.listing()
        except LibraryError as error:
            self.post_message(self.Failed(str(error)))
            return
        self.post_message(self.Loaded(papers, generation))

    def _still_loading(self) -> bool:
        """Say so when an action needs every paper and only the first rows are read."""
        if self._loading is None:
            return False
        self.notify("Still reading the library; try again in a moment.", severity="warning")
        return True

    def on_unmount(self) -> None:
        self._words.close()

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        if event.generation != self._generation:
            return  # the library was read again since, by reload()
        self._loading = None
        self._apply(event.papers, self._marks)

    # -- data -----------------------------------------------------------------

    def reload(self, *, first_page: int | None = None) -> None:
        """Read the library again and rebuild the search index (once per change).

        With ``first_page``, a larger library shows that many rows at once and
        reads the rest in a worker (:meth:`_loaded` takes them).
        """
        try:
            # Read first: a change made while the rows are read is then seen again.
            self._data_version = self.library.data_version()
            self._papers_version = self.library.papers_version()
            total = None if first_page is None else self.library.count()
            partial = total is not None and first_page is not None and total > first_page
            papers = self.library.listing(limit=first_page if partial else None)
            marks = self.library.annotations(self.user)
        except LibraryError as error:
            # Nothing can be shown from a library we cannot read: stop with a clear line.
            self._fail(str(error))
            return
        self._generation += 1
        self._loading = total if partial else None
        self._marks_since = max(
            (mark.updated_at for mark in marks.values() if mark.updated_at), default=None
        )
        self._apply(papers, marks)
        if partial:
            self._load_rest(self._generation)

    def check_outside_changes(self) -> None:
        """Show what another process (another window, a ``reader fetch`` from cron)
        changed in the file: new or changed papers, or this user's marks. The cursor
        stays on its paper.

        Marks are shown where their rows are, as the user's own are: a view such as
        is:unread is matched again when papers arrive or the filter changes, not
        under the cursor.
        """
        try:
            version = self.library.data_version()
            if version == self._data_version:
                return  # the cost of a second that nothing happened in
            self._data_version = version
            papers = self.library.papers_version()
            marks, self._marks_since = self.library.annotations_since(self.user, self._marks_since)
        except LibraryError:
            return  # looked at again in a moment; actions say what is wrong
        changed = {i: mark for i, mark in marks.items() if self._marks.get(i) != mark}
        self._marks.update(changed)
        if papers != self._papers_version:
            self._papers_version = papers
            # Read off the UI thread; the list stays in use until the rows arrive.
            self._generation += 1
            self._load_rest(self._generation)
        elif changed:
            self._redraw_marks()
            highlighted = self.query_one(PaperList).highlighted
            if highlighted in changed:
                self._show_detail(highlighted)

    def _apply(self, papers: list[ListedPaper], marks: dict[int, Annotation]) -> None:
        """Show ``papers`` with ``marks``, refiltered, and index them."""
        self._papers = {paper.id: paper for paper in papers}
        self._order = list(self._papers)
        self._position = {paper_id: i for i, paper_id in enumerate(self._order)}
        self._marks = marks
        self._selected &= set(self._papers)
        self._index = SearchIndex(papers, self._words)
        self._refilter()
        if self._loading is None and not self._query_text():
            self._warm(self._index)

    @work(thread=True, group="warm", exit_on_error=False)
    def _warm(self, index: SearchIndex) -> None:
        """Build the index while the first screen shows, so the first key typed
        into the filter does not wait for it."""
        index.warm()

    def _query_text(self) -> str:
        """The filter as typed, inside the active view's own query."""
        view = self._preset.query if self._preset else ""
        return f"{view} {self.query_one(FilterBar).value}".strip()

    def _refilter(self) -> None:
        text = self._query_text()
        self._filter_pending = bool(text)
        if text and self._loading is not None:
            return  # matched once every paper is read (see _loaded)
        if text:
            self._run_filter(text, self._index, dict(self._marks))
        else:
            self.workers.cancel_group(self, "filter")
            self._show(Query.parse(""), self._order)

    def holds_keys(self) -> bool:
        """Whether keys for the list must wait (the app asks before each key): after
        Enter in the filter, until the list shows what the filter matched, so that
        ``/grokking⏎s`` typed at once stars a paper about grokking. Keys typed into
        the filter bar never wait. Keys typed ahead before the screen has started
        wait for it too (Textual may have put the focus on the filter bar meanwhile)."""
        if not self._ready_for_keys:
            return True
        return self._filter_pending and isinstance(self.focused, PaperList)

    def _show(self, query: Query, ids: list[int]) -> None:
        self._query = query
        self._matches = ids
        if not self._papers:
            empty = EMPTY_LIBRARY
        elif self.query_one(FilterBar).value.strip():
            empty = f"No papers match “{one_line(query.text)}”. Esc clears the filter."
        else:
            empty = "No papers in this view. Press 1 to see them all."
        # New words typed: the best match comes first. Anything else (a sort, a view, a
        # reload after a fetch, Esc) keeps the cursor on the paper it was on.
        typed = self.query_one(FilterBar).value
        keep_cursor = typed == self._shown_filter or not typed.strip()
        self._shown_filter = typed
        # The selection only ever holds papers in sight, so an action never hits hidden ones.
        if self._selected:
            self._selected &= set(ids)
        hint = self.query_one("#filter-hint", Static)
        errors = "  ".join(query.errors)
        if errors:  # where to read what the terms are
            errors += f"  ({self._key_shown('library.filter_help')}: the terms)"
        hint.update(Text(errors))
        hint.set_class(bool(query.errors), "-active")
        papers = self.query_one(PaperList)
        papers.show(
            self._sorted(ids, query),
            self._papers,
            self._marks,
            query,
            empty_message=empty,
            selected=self._selected,
            keep_cursor=keep_cursor,
        )
        self._update_title()
        if not ids:
            self._show_detail(None)

    def _sorted(self, ids: list[int], query: Query) -> list[int]:
        sort = self._effective_sort(query)
        if sort == "relevance":
            return ids
        if sort == "newest":
            if not query.is_ranked:
                return ids  # the index already gives library order: newest first
            return sorted(ids, key=self._position.__getitem__)
        if sort == "upvotes":
            return sorted(ids, key=lambda i: -(self._papers[i].upvotes or 0))
        if sort == "github":
            return sorted(ids, key=lambda i: -(self._papers[i].github_stars or 0))
        return sorted(ids, key=lambda i: self._papers[i].title_key)

    def _effective_sort(self, query: Query) -> str:
        # Typed words rank best first until the user picks another order; relevance
        # means nothing without words.
        if query.is_ranked and not self._sort_chosen:
            return "relevance"
        if self._sort == "relevance" and not query.is_ranked:
            return "newest"
        return self._sort

    def _update_title(self) -> None:
        shown = len(self.query_one(PaperList).paper_ids)
        parts = [self.user]
        if self._preset:
            parts.append(self._preset.name)
        if self._loading is not None:
            parts.append(f"reading {self._loading} papers…")
        else:
            parts.append(f"{shown} of {len(self._papers)} papers")
        parts.append(SORT_LABELS[self._effective_sort(self._query)])
        if self._selected:
            parts.append(f"{len(self._selected)} selected")
        self.sub_title = " · ".join(parts)

    def _show_detail(self, paper_id: int | None) -> None:
        paper = self._read_paper(paper_id) if paper_id is not None else None
        mark = self._marks.get(paper_id) if paper_id is not None else None
        # An empty list says why it is empty and what to do; the detail pane says the same.
        empty = EMPTY_LIBRARY_HELP if not self._papers else self.query_one(PaperList).empty_message
        self.query_one(PaperDetail).show(paper, mark, empty_message=empty)

    def _authors_of(self, paper_ids: Sequence[int]) -> Mapping[int, Authors]:
        """Author names and counts for the list's authors column (the rows on screen)."""
        try:
            return self.library.authors_of(paper_ids)
        except LibraryError:
            return {}  # the column stays blank; the detail pane says what is wrong

    # -- filtering, views and order --------------------------------------------

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self._refilter()

    @work(exclusive=True, thread=True, group="filter", exit_on_error=False)
    def _run_filter(self, text: str, index: SearchIndex, marks: dict[int, Annotation]) -> None:
        """Match off the UI thread; a newer keystroke cancels this one's result."""
        query = Query.parse(text)
        ids = index.search(query, marks)
        if not get_current_worker().is_cancelled:
            self.post_message(self.FilterResult(text, query, ids, index))

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        # A bug in matching must not kill the app or pass in silence.
        if event.state != WorkerState.ERROR:
            return
        if event.worker.group == "load":
            # Without the rest of the library there is nothing right to show.
            self._fail(f"cannot read library: {event.worker.error}")
        elif event.worker.group in ("filter", "warm"):
            self._filter_pending = False  # no result is coming: the keys go on
            self.notify(
                f"The filter failed: {event.worker.error}",
                title="Filter",
                severity="error",
                markup=False,
            )

    @on(FilterResult)
    def _filter_done(self, result: FilterResult) -> None:
        # Drop a result that a newer keystroke or a library change has made stale.
        if result.index is self._index and result.text == self._query_text():
            self._filter_pending = False
            self._show(result.query, result.ids)

    def action_preset(self, key: str) -> None:
        """Switch to the view on number key ``key``."""
        for preset in self._settings.presets:
            if preset.key == key:
                self._preset = preset
                self._refilter()
                return
        self.notify(f"No view on {key}.", severity="warning")

    def action_cycle_sort(self) -> None:
        orders = [o for o in SORTS if o != "relevance" or self._query.is_ranked]
        current = self._effective_sort(self._query)
        self._sort = orders[(orders.index(current) + 1) % len(orders)]
        self._sort_chosen = True
        self._show(self._query, self._matches)
        self.notify(f"Sorted by {SORT_LABELS[self._sort].removeprefix('by ')}.", timeout=2)

    @on(FilterBar.Done)
    def _filter_finished(self) -> None:
        self.query_one(PaperList).focus()

    def action_focus_filter(self) -> None:
        self.query_one(FilterBar).focus()

    def action_clear(self) -> None:
        """Esc: drop the marks if there are any, else leave the larger detail pane,
        else clear the filter."""
        if self._selected:
            self._selected.clear()
            self._redraw_marks()
        elif self.has_class("-reading"):
            self.remove_class("-reading")
        else:
            self.query_one(FilterBar).value = ""

    def action_scroll_detail(self, lines: int) -> None:
        self.query_one(PaperDetail).scroll_relative(y=lines, animate=False)

    def action_toggle_authors(self) -> None:
        if not self.query_one(PaperDetail).toggle_authors():
            self.notify("Every author is listed already.", timeout=2)

    def action_fold_summary(self) -> None:
        if not self.query_one(PaperDetail).toggle_summary():
            self.notify("This paper has no AI summary.", timeout=2)

    def action_toggle_reading(self) -> None:
        """Enter: the detail pane takes most of the screen, below a few rows of the
        list (so j and k still move through the papers); Enter again: back."""
        self.toggle_class("-reading")

    # -- the highlighted paper ------------------------------------------------

    @on(PaperList.Highlighted)
    def _highlighted(self, event: PaperList.Highlighted) -> None:
        self._cancel_pending_g()  # g then j: the g meant nothing for the next paper
        if event.by_user:
            self._start_reading(event.paper_id)
        elif self._reading is None or self._reading[0] != event.paper_id:
            # New rows put another paper here (a filter, a view, a reload, start-up):
            # the user has not gone to it, so it does not turn read by itself.
            self._stop_reading()
        # The list moves at once; the detail pane (a new layout each time, the
        # dearer half of a move) follows once the keys pause: holding j scrolls at
        # the key repeat rate instead of redrawing every abstract on the way.
        if self._detail_timer is not None:
            self._detail_timer.stop()
        self._detail_timer = self.set_timer(
            DETAIL_DELAY, partial(self._show_detail, event.paper_id), name="detail"
        )

    def _current(self) -> Paper | None:
        paper_id = self.query_one(PaperList).highlighted
        if paper_id is None:
            self.notify("No paper here to act on.", severity="warning")
            return None
        return self._read_paper(paper_id)

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

    def _targets(self) -> list[int]:
        """The selected papers (in list order), else the highlighted one."""
        if self._selected:
            return [i for i in self.query_one(PaperList).paper_ids if i in self._selected] or [
                i for i in self._order if i in self._selected
            ]
        paper = self._current()
        return [paper.id] if paper is not None and paper.id is not None else []

    def _remember(self, mark: Annotation) -> None:
        """Show a saved annotation in the list and the detail pane."""
        self._remember_all({mark.paper_id: mark})

    def _remember_all(self, marks: Mapping[int, Annotation]) -> None:
        self._marks.update(marks)
        self._redraw_marks()
        highlighted = self.query_one(PaperList).highlighted
        if highlighted in marks:
            self._show_detail(highlighted)

    def _redraw_marks(self) -> None:
        self.query_one(PaperList).update_marks(self._marks, self._selected)
        self._update_title()

    def _change(
        self,
        label: str,
        field: str,
        paper_ids: list[int],
        write: Callable[[Library], Mapping[int, Annotation]],
    ) -> None:
        """Make one undoable change of one field, through the library ``write`` is
        given, and show it once it is saved (at once, unless the library is busy:
        then as soon as it is free)."""
        if not paper_ids:
            return

        def run(library: Library) -> tuple[dict[int, Annotation], dict[int, Annotation]]:
            # Fresh from the file: what undo puts back must be what was really there.
            before = library.annotations_of(self.user, paper_ids)
            return before, dict(write(library))

        def done(result: tuple[dict[int, Annotation], dict[int, Annotation]]) -> None:
            before, after = result
            changed = [i for i in paper_ids if _field(before[i], field) != _field(after[i], field)]
            if changed:
                self._push_undo(
                    Change(
                        label,
                        (field,),
                        [before[i] for i in changed],
                        {i: after[i] for i in changed},
                    )
                )
            self._remember_all(after)
            if len(paper_ids) > 1:
                self.notify(_changed(label, len(changed), len(paper_ids)), timeout=3)

        self._write(label, run, done)

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

    def action_toggle_star(self) -> None:
        ids = self._targets()
        if len(ids) == 1 and not self._selected:
            self._change(
                "Star", "starred", ids, lambda lib: _one(lib.toggle_star(self.user, ids[0]))
            )
            return
        star = not all(self._marks.get(i, Annotation(i)).starred for i in ids)
        self._change(
            "Star" if star else "Unstar",
            "starred",
            ids,
            lambda lib: lib.set_starred_many(self.user, ids, star),
        )

    def action_mark_read(self) -> None:
        ids = self._targets()
        self._change("Read", "read_at", ids, lambda lib: lib.set_read(self.user, ids, True))

    def action_mark_unread(self) -> None:
        ids = self._targets()
        self._stop_reading()
        self._change("Unread", "read_at", ids, lambda lib: lib.set_read(self.user, ids, False))

    def action_mark_all_read(self) -> None:
        ids = list(self.query_one(PaperList).paper_ids)
        if not ids:
            return
        self._change("Read", "read_at", ids, lambda lib: lib.set_read(self.user, ids, True))

    def action_toggle_selected(self) -> None:
        papers = self.query_one(PaperList)
        paper_id = papers.highlighted
        if paper_id is None:
            return
        self._selected ^= {paper_id}
        self._redraw_marks()
        papers.action_cursor_down()

    def action_undo(self) -> None:
        if self._writes.pending:
            # What waits is not on the undo list yet: undoing now would undo the one before.
            self.notify("Still saving; undo once it is saved.", severity="warning", timeout=2)
            return
        if not self._undo:
            self.notify("Nothing to undo.", severity="warning", timeout=2)
            return
        change = self._undo.pop()
        if isinstance(change, Removal):
            self._undo_removal(change)
            return

        def run(library: Library) -> dict[int, Annotation]:
            return library.restore(self.user, change.before, change.fields, after=change.after)

        def done(restored: dict[int, Annotation]) -> None:
            self._remember_all(restored)
            self.notify(f"Undone: {change.label.lower()} ({papers_label(len(change.before))}).")

        def failed(error: LibraryError) -> None:
            if isinstance(error, NoteConflict):
                self.notify(
                    "The note was changed since (in another window?); it is left as it is.",
                    title="Not undone",
                    severity="warning",
                    markup=False,
                )
                self._remember(Annotation(change.before[0].paper_id, note=error.current))
                return
            if isinstance(error, PapersGone):  # removed since: never undoable again
                self.notify(str(error), title="Not undone", severity="warning", markup=False)
                return
            self._undo.append(change)
            self.notify(str(error), title="Undo failed", severity="error", markup=False)

        self._write("Undo", run, done, failed)

    def action_edit_tags(self) -> None:
        ids = self._targets()
        if not ids:
            return
        try:
            known = list(self.library.tag_counts(self.user))
        except LibraryError as error:
            self.notify(str(error), title="Tags", severity="error", markup=False)
            return
        current = self._marks.get(ids[0], Annotation(ids[0])).tags if len(ids) == 1 else ()

        def apply(entered: TagEdit | None) -> None:
            if entered is None:
                return
            add, remove = entered.changes(current)
            if add or remove:
                self._change(
                    "Tags",
                    "tags",
                    ids,
                    lambda lib: lib.change_tags(self.user, ids, add=add, remove=remove),
                )

        title = self._papers[ids[0]].title if len(ids) == 1 else papers_label(len(ids))
        self.app.push_screen(TagEditor(title, current, known, bulk=len(ids) > 1), apply)

    # -- reading --------------------------------------------------------------

    def _start_reading(self, paper_id: int | None) -> None:
        """Mark ``paper_id`` read once it has stayed highlighted for the read delay."""
        self._stop_reading()
        delay = self._settings.read_delay
        if paper_id is None or delay <= 0:
            return
        if self._marks.get(paper_id, Annotation(paper_id)).is_read:
            return
        self._reading = (paper_id, self._clock())
        self._read_timer = self.set_timer(delay, self.check_reading)

    def _stop_reading(self) -> None:
        self._reading = None
        if self._read_timer is not None:
            self._read_timer.stop()
            self._read_timer = None

    def check_reading(self) -> None:
        """The read delay is up (or a test says so): mark the paper read if still here."""
        if self._reading is None:
            return
        paper_id, since = self._reading
        if self.query_one(PaperList).highlighted != paper_id:
            return
        if self._clock() - since < self._settings.read_delay:
            return
        self._stop_reading()
        self._write(
            "Read state",
            lambda lib: lib.set_read(self.user, [paper_id], True),
            self._remember_all,
        )

    # -- notes ----------------------------------------------------------------

    def action_edit_note(self) -> None:
        paper = self._current()
        if paper is None or paper.id is None:
            return
        paper_id = paper.id
        try:
            # Fresh from the file: another window may have changed it since the list was read.
            mark = self.library.annotation(self.user, paper_id)
        except LibraryError as error:
            self.notify(str(error), title="Cannot open the note", severity="error", markup=False)
            return
        self._remember(mark)
        drafts = self._drafts(paper_id)
        try:
            draft = self.library.draft(self.user, paper_id)
        except LibraryError as error:
            self.notify(str(error), title="Cannot read the draft", severity="error", markup=False)
            draft = None
        if draft is not None and draft.text != mark.note:
            # Typed, never saved (the app was killed, or the terminal closed): take
            # it up again over the note it began from, so a note changed since is
            # not overwritten without asking.
            editor = NoteEditor(
                paper.title,
                draft.text,
                self._note_saver(paper_id),
                original=draft.base,
                drafts=drafts,
                recovered=_when(draft.saved_at),
            )
        else:
            if draft is not None:
                with suppress(LibraryError):  # offered again next time: harmless
                    drafts.drop(draft.text)  # the note already says what the draft does
            editor = NoteEditor(paper.title, mark.note, self._note_saver(paper_id), drafts=drafts)
        self.app.push_screen(editor)

    def _drafts(self, paper_id: int) -> Drafts:
        """Where the note editor keeps the unsaved text of ``paper_id``'s note."""
        return Drafts(
            keep=lambda text, base: self.library.save_draft(self.user, paper_id, text, base),
            drop=lambda text: self.library.discard_draft(self.user, paper_id, text),
        )

    def _note_saver(self, paper_id: int) -> Callable[[str, str], None]:
        """What the note editor calls to save: compare-and-set, undoable."""

        def save(text: str, original: str) -> None:
            before = self.library.annotation(self.user, paper_id)
            # A moment at most: on LibraryBusy the editor keeps the text to save again.
            with self.library.waiting_at_most(ATTEMPT_WAIT_MS):
                saved = self.library.set_note(self.user, paper_id, text, expected=original)
            if saved.note != before.note:
                self._push_undo(Change("Note", ("note",), [before], {paper_id: saved}))
            self._remember(saved)
            self.notify("Note saved." if saved.has_note else "Note removed.")

        return save

    def _push_undo(self, change: Change | Removal) -> None:
        self._undo.append(change)
        del self._undo[:-UNDO_LEVELS]

    def action_edit_note_externally(self) -> None:
        """Write the note in $EDITOR (the app steps aside while it runs)."""
        paper = self._current()
        if paper is None or paper.id is None:
            return
        paper_id = paper.id
        try:
            mark = self.library.annotation(self.user, paper_id)
            draft = self.library.draft(self.user, paper_id)
        except LibraryError as error:
            self.notify(str(error), title="Cannot open the note", severity="error", markup=False)
            return
        # An unsaved draft is where the writing stopped: take it up, over its note.
        if draft is not None and draft.text != mark.note:
            start, base = draft.text, draft.base
        else:
            start, base, draft = mark.note, mark.note, None
        try:
            text = edit_in_editor(self.app, paper.title, start)
        except EditorError as error:
            self.notify(str(error), title="Note not saved", severity="error", markup=False)
            return
        if text is None or text == start:
            kept = " The unsaved draft is kept: n takes it up." if draft else ""
            self.notify(f"Note unchanged.{kept}", timeout=3)
            return
        try:
            self._note_saver(paper_id)(text, base)
        except NoteConflict as conflict:
            # Changed elsewhere while the editor ran: keep the text, let the user decide.
            self._keep_in_editor(
                paper,
                text,
                conflict.current,
                "It was changed elsewhere meanwhile. Your text is in the editor: "
                "ctrl+s replaces the other version, esc drops yours.",
            )
            return
        except LibraryError as error:
            # Busy, or not writable: the text is only here.
            self._keep_in_editor(
                paper, text, base, f"{error} Your text is in the editor: ctrl+s saves it."
            )
            return
        if draft is not None:
            with suppress(LibraryError):  # a draft equal to its note is never offered
                self.library.discard_draft(self.user, paper_id, draft.text)

    def _keep_in_editor(self, paper: Paper, text: str, original: str, why: str) -> None:
        """Text from $EDITOR the library did not take: in the note editor, not lost."""
        assert paper.id is not None
        self.notify(why, title="Note not saved yet", severity="warning", markup=False)
        self.app.push_screen(
            NoteEditor(
                paper.title,
                text,
                self._note_saver(paper.id),
                original=original,
                drafts=self._drafts(paper.id),
            )
        )

    # -- open and copy ----------------------------------------------------------

    def action_open(self, kind: str) -> None:
        paper = self._current()
        if paper is not None:
            self._open(paper, kind)

    def _open(self, paper: Paper, kind: str) -> None:
        url, label = _link(paper, kind)
        if url is None:
            self.notify(f"This paper has no {label} link.", severity="warning", timeout=3)
            return
        if open_in_browser(self.app, url):
            self.notify(f"Opened {label}: {shorten(url)}", timeout=3, markup=False)
        else:
            self.notify(shorten(url), title=f"No browser here: the {label} link is", markup=False)

    def action_open_github_or_top(self) -> None:
        """``g`` opens GitHub; ``gg`` (two presses within half a second) goes to the top."""
        if self._pending_g is not None:
            self._cancel_pending_g()
            self.query_one(PaperList).action_first()
            return
        paper = self._current()
        if paper is None:
            return

        def open_github() -> None:
            self._pending_g = None
            self._open(paper, "github")

        self._pending_g = self.set_timer(GG_WINDOW, open_github)

    def _cancel_pending_g(self) -> None:
        if self._pending_g is not None:
            self._pending_g.stop()
            self._pending_g = None

    def action_copy_bibtex(self) -> None:
        paper = self._current()
        if paper is None:
            return
        from reader.export.bibtex import bibtex_entry

        self._copy(bibtex_entry(paper), "the BibTeX entry")

    def action_copy_id(self) -> None:
        paper = self._current()
        if paper is None:
            return
        value = paper.arxiv_id or safe_url(paper.url) or safe_url(paper.github_url)
        if not value:
            self.notify("This paper has no arXiv id or link to copy.", severity="warning")
            return
        self._copy(value, value)

    @work(thread=True, group="copy", exit_on_error=False)
    def _copy(self, text: str, what: str) -> None:
        """Copy through the system's clipboard tool, off the UI thread (a tool may
        hang on a display gone away); :meth:`_copied` says where it went."""
        self.post_message(self.Copied(text, what, copy_to_system(text)))

    @on(Copied)
    def _copied(self, event: Copied) -> None:
        outcome = event.outcome
        if outcome.needs_terminal:
            self.app.copy_to_clipboard(event.text)
        self.notify(
            f"Copied {event.what} {outcome.where()}.",
            severity="information" if outcome.tool is not None else "warning",
            timeout=4,
            markup=False,
        )

    def action_stats(self) -> None:
        """Charts of the papers in the list now: per month, upvotes, marks per week,
        tags and authors."""
        if self._still_loading():
            return
        ids = self.query_one(PaperList).paper_ids
        view = [self._preset.name] if self._preset else []
        typed = one_line(self.query_one(FilterBar).value)
        if typed:
            view.append(f"“{typed}”")
        self.app.push_screen(
            StatsScreen(
                self.library,
                self.user,
                [self._papers[i] for i in ids if i in self._papers],
                self._marks,
                title=" · ".join([*view, papers_label(len(ids))]),
                today=self._today(),
                library_empty=not self._papers,
            )
        )

    def commands(self) -> Iterable[SystemCommand]:
        """Every action of this screen by name, for the command palette."""
        yield SystemCommand(
            "Fetch today's Hugging Face papers",
            "Add the latest Daily Papers to the library (key: f)",
            self.action_fetch_hf,
        )
        yield SystemCommand(
            "Mark all visible papers read",
            "Every paper in the list now (key: R)",
            self.action_mark_all_read,
        )
        yield SystemCommand(
            "Remove the sample papers",
            "The papers the library started with, but those with notes (z undoes it)",
            self.action_remove_sample,
        )
        for preset in self._settings.presets:
            yield SystemCommand(
                f"View: {preset.name}",
                f"{preset.query or 'every paper'} (key: {preset.key})",
                partial(self.action_preset, preset.key),
            )
        for binding in self.BINDINGS:
            if not isinstance(binding, Binding) or binding.id in PALETTE_SKIP:
                continue
            if binding.id and binding.id.startswith("view."):
                continue
            action = binding.action
            yield SystemCommand(
                binding.description,
                f"key: {self.app.get_key_display(binding)}",
                partial(self.run_action, action),
            )

    def find_papers(self, text: str, limit: int) -> list[tuple[int, str]]:
        """(id, title) of the papers ``text`` finds, best first: the filter's search
        (nothing until the whole library is read)."""
        if self._loading is not None:
            return []
        ids = self._index.search(Query.parse(text), dict(self._marks))[:limit]
        return [(paper_id, self._papers[paper_id].title) for paper_id in ids]

    def go_to_paper(self, paper_id: int) -> None:
        """Show ``paper_id``: in the list as it is, or with the filter and view cleared."""
        papers = self.query_one(PaperList)
        if papers.move_to(paper_id):
            papers.focus()
            return
        self._preset = self._settings.presets[0] if self._settings.presets else None
        self.query_one(FilterBar).value = ""
        self._show(Query.parse(""), self._order)
        papers.move_to(paper_id)
        papers.focus()

    def _key_shown(self, binding_id: str) -> str:
        """The first key of one of this screen's bindings as the user has it (remapped or
        not), as the footer shows it."""
        bindings = (b for b in self.BINDINGS if isinstance(b, Binding))
        default = next(b.key for b in bindings if b.id == binding_id)
        key = self.app._keymap.get(binding_id, default).split(",")[0].strip()
        return self.app.get_key_display(Binding(key, ""))

    def action_help(self) -> None:
        views = [(preset.key, preset.name) for preset in self._settings.presets]
        self.app.push_screen(HelpScreen(self.app, self, views))

    def action_filter_help(self) -> None:
        views = [(preset.key, preset.name) for preset in self._settings.presets]
        self.app.push_screen(HelpScreen(self.app, self, views, page="filter"))

    def _set_status(self, text: str | None) -> None:
        status = self.query_one("#status", Static)
        status.update(Text(text or ""))
        status.set_class(bool(text), "-active")

    def _fail(self, message: str) -> None:
        self.post_message(self.Failed(message))

    # -- removing papers ------------------------------------------------------

    def action_remove_papers(self) -> None:
        """Remove the selected papers, or the highlighted one, once the user says yes."""
        if self._still_loading():
            return
        ids = self._targets()
        if ids:
            self._ask_to_remove(ids, "remove")

    def action_remove_sample(self) -> None:
        """Remove the bundled sample's papers, but those that hold anyone's note."""
        if self._still_loading():
            return
        try:
            ids = self.library.sample_ids()
        except LibraryError as error:
            self.notify(str(error), title="Remove", severity="error", markup=False)
            return
        if not ids:
            self.notify("No sample papers in the library.", timeout=3)
            return
        self._ask_to_remove(ids, "keep", what="sample ")

    def _ask_to_remove(self, ids: list[int], noted: Noted, *, what: str = "") -> None:
        """Ask about removing ``ids`` (see :func:`reader.removal.plan`), then remove."""
        from reader.removal import kept_line, plan, question

        try:
            found = plan(self.library, ids, noted=noted)
        except LibraryError as error:
            self.notify(str(error), title="Remove", severity="error", markup=False)
            return
        if not found.ids:
            message = f"{kept_line(found.kept, found.kept_held)}; nothing removed."
            self.notify(message, title="Remove", markup=False)
            return
        asked = question(found, what=what)

        def answered(remove: bool | None) -> None:
            if remove:
                self._remove(list(found.ids), noted)

        self.app.push_screen(ConfirmRemove(asked.ask, asked.titles, asked.warnings), answered)

    def _remove(self, ids: list[int], noted: Noted) -> None:
        def done(removed: Removed) -> None:
            if not removed.ids:
                self.notify("Those papers were removed already.", severity="warning", timeout=3)
                return
            label = f"Removed {papers_label(len(removed.ids))}"
            self._push_undo(Removal(label, removed))
            self._drop_papers(set(removed.ids))
            kept = f" {papers_label(len(removed.kept))} with notes stay." if removed.kept else ""
            self.notify(f"{label}.{kept} z undoes it.", timeout=5, markup=False)

        self._write("Remove", lambda lib: lib.remove_papers(ids, noted=noted), done)

    def _drop_papers(self, gone: set[int]) -> None:
        """Take removed papers out of the list; the cursor goes to the next paper
        still listed (else the one before), or stays where it was."""
        papers = self.query_one(PaperList)
        shown = list(papers.paper_ids)
        highlighted = papers.highlighted
        if highlighted in gone:
            at = papers.cursor
            after = [i for i in shown[at + 1 :] if i not in gone]
            before = [i for i in shown[:at] if i not in gone]
            if after or before:
                papers.move_to(after[0] if after else before[-1])
        self._papers = {i: paper for i, paper in self._papers.items() if i not in gone}
        self._order = list(self._papers)
        self._position = {paper_id: i for i, paper_id in enumerate(self._order)}
        self._selected -= gone
        self._index = SearchIndex(list(self._papers.values()), self._words)
        if self._query.text != self._query_text():
            self._refilter()  # a newer filter was still being matched
        else:
            self._show(self._query, [i for i in self._matches if i not in gone])

    def _undo_removal(self, change: Removal) -> None:
        removed = change.removed

        def done(_: None) -> None:
            self._put_back(list(removed.ids))
            self.notify(f"Undone: {change.label.lower()}.", markup=False)

        def failed(error: LibraryError) -> None:
            if isinstance(error, NotRestored):  # imported again since: never undoable
                self.notify(str(error), title="Not undone", severity="warning", markup=False)
                return
            self._undo.append(change)
            self.notify(str(error), title="Undo failed", severity="error", markup=False)

        self._write("Undo", lambda lib: lib.restore_papers(removed), done, failed)

    def _put_back(self, ids: list[int]) -> None:
        """Show papers put back in the library, the cursor on the first of them."""
        try:
            order = self.library.order()
            listed = {paper.id: paper for paper in self.library.listed_by_id(ids)}
            marks = self.library.annotations_of(self.user, ids)
        except LibraryError:
            self.reload()
            return
        # Other papers another process added meanwhile come with its change (see
        # check_outside_changes).
        self._papers = {
            i: paper for i in order if (paper := self._papers.get(i) or listed.get(i)) is not None
        }
        self._order = list(self._papers)
        self._position = {paper_id: i for i, paper_id in enumerate(self._order)}
        self._marks.update(marks)
        self._index = SearchIndex(list(self._papers.values()), self._words)
        if self._query_text():
            self._refilter()  # matched off the UI thread; the cursor stays where it is
            return
        self._show(Query.parse(""), self._order)
        self.query_one(PaperList).move_to(ids[0])
