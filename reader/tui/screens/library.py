"""LibraryScreen: filter bar, paper list, detail pane; star and note from the keyboard."""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static
from textual.worker import Worker, WorkerState, get_current_worker

from reader.models import Annotation, Paper, papers_label
from reader.search import Query, SearchIndex
from reader.sources import Batch, SourceError
from reader.store import Library, LibraryError
from reader.text import one_line
from reader.tui.screens.note_editor import NoteEditor
from reader.tui.widgets.filter_bar import FilterBar
from reader.tui.widgets.paper_detail import PaperDetail
from reader.tui.widgets.paper_list import PaperList

if TYPE_CHECKING:
    import httpx

EMPTY_LIBRARY = "No papers yet. Press f to fetch today's Hugging Face papers."
EMPTY_LIBRARY_HELP = """Your library is empty.

Press f to fetch today's Hugging Face Daily Papers, or from a shell:

  reader fetch hf --days 7      the last week of Daily Papers
  reader fetch arxiv -q cat:cs.LG
  reader add 2409.11074         papers by arXiv id or URL
  reader import FILE            a copied HF page, HF JSON, arXiv XML, BibTeX"""


class LibraryScreen(Screen[None]):
    """The main screen: every paper of the library, filtered live."""

    CSS_PATH = "library.tcss"
    BINDINGS = [
        Binding("slash", "focus_filter", "Filter", id="library.filter"),
        Binding("s", "toggle_star", "Star", id="library.star"),
        Binding("n", "edit_note", "Note", id="library.note"),
        Binding("f", "fetch_hf", "Fetch", id="library.fetch"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="library.clear"),
        Binding("J", "scroll_detail(3)", "Scroll detail down", show=False, id="detail.down"),
        Binding("K", "scroll_detail(-3)", "Scroll detail up", show=False, id="detail.up"),
        Binding("ctrl+d", "page_detail(1)", "Detail page down", show=False, id="detail.page"),
        Binding("ctrl+u", "page_detail(-1)", "Detail page up", show=False, id="detail.page_up"),
    ]

    @dataclass
    class FilterResult(Message):
        """Ids matching ``text``, computed off the UI thread over ``index``."""

        text: str
        query: Query
        ids: list[int]
        index: SearchIndex

    @dataclass
    class FetchProgress(Message):
        """How a fetch is getting on, for the status line."""

        text: str

    @dataclass
    class Fetched(Message):
        """A fetch finished: its papers, or why it failed."""

        batch: Batch | None
        error: str | None = None

    @dataclass
    class Failed(Message):
        """The library cannot be read: the app should stop and say ``reason``."""

        reason: str

    def __init__(
        self, library: Library, user: str, *, transport: httpx.BaseTransport | None = None
    ) -> None:
        """``transport`` replaces the network for fetches (tests pass a MockTransport)."""
        super().__init__()
        self.library = library
        self.user = user
        self._transport = transport
        self._fetching = False
        self._papers: dict[int, Paper] = {}
        self._order: list[int] = []
        self._marks: dict[int, Annotation] = {}
        self._index = SearchIndex([])

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="≡")
        yield FilterBar(id="filter")
        with Horizontal(id="panes"):
            yield PaperList(id="papers")
            yield PaperDetail(id="detail")
        yield Static(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.reload()
        self.query_one(PaperList).focus()

    # -- data -----------------------------------------------------------------

    def reload(self) -> None:
        """Read the library again and rebuild the search index (once per change)."""
        try:
            papers = self.library.papers()
            marks = self.library.annotations(self.user)
        except LibraryError as error:
            # Nothing can be shown from a library we cannot read: stop with a clear line.
            self._fail(str(error))
            return
        self._papers = {paper.id: paper for paper in papers if paper.id is not None}
        self._order = list(self._papers)
        self._marks = marks
        self._index = SearchIndex(papers)
        text = self.query_one(FilterBar).value
        if text.strip():
            self._run_filter(text)
        else:
            self._show(Query.parse(""), self._order)

    def _show(self, query: Query, ids: list[int]) -> None:
        if not self._papers:
            empty = EMPTY_LIBRARY
        else:
            empty = f"No papers match “{one_line(query.text)}”. Esc clears the filter."
        papers = self.query_one(PaperList)
        papers.show(ids, self._papers, self._marks, query, empty_message=empty)
        self.sub_title = f"{self.user} · {len(ids)} of {len(self._papers)} papers"
        if not ids:
            self._show_detail(None)

    def _show_detail(self, paper_id: int | None) -> None:
        paper = self._papers.get(paper_id) if paper_id is not None else None
        mark = self._marks.get(paper_id) if paper_id is not None else None
        empty = EMPTY_LIBRARY_HELP if not self._papers else "No paper matches the filter."
        self.query_one(PaperDetail).show(paper, mark, empty_message=empty)

    # -- filtering ------------------------------------------------------------

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        if event.value.strip():
            self._run_filter(event.value)
        else:
            self.workers.cancel_group(self, "filter")
            self._show(Query.parse(""), self._order)

    @work(exclusive=True, thread=True, group="filter", exit_on_error=False)
    def _run_filter(self, text: str) -> None:
        """Match off the UI thread; a newer keystroke cancels this one's result."""
        index = self._index
        query = Query.parse(text)
        ids = index.search(query)
        if not get_current_worker().is_cancelled:
            self.post_message(self.FilterResult(text, query, ids, index))

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        # A bug in matching must not kill the app or pass in silence.
        if event.state == WorkerState.ERROR and event.worker.group == "filter":
            self.notify(
                f"The filter failed: {event.worker.error}",
                title="Filter",
                severity="error",
                markup=False,
            )

    @on(FilterResult)
    def _filter_done(self, result: FilterResult) -> None:
        # Drop a result that a newer keystroke or a library change has made stale.
        if result.index is self._index and result.text == self.query_one(FilterBar).value:
            self._show(result.query, result.ids)

    @on(FilterBar.Done)
    def _filter_finished(self) -> None:
        self.query_one(PaperList).focus()

    def action_focus_filter(self) -> None:
        self.query_one(FilterBar).focus()

    def action_clear_filter(self) -> None:
        self.query_one(FilterBar).value = ""

    def action_scroll_detail(self, lines: int) -> None:
        self.query_one(PaperDetail).scroll_relative(y=lines, animate=False)

    def action_page_detail(self, direction: int) -> None:
        detail = self.query_one(PaperDetail)
        if direction > 0:
            detail.scroll_page_down(animate=False)
        else:
            detail.scroll_page_up(animate=False)

    # -- the highlighted paper ------------------------------------------------

    @on(PaperList.Highlighted)
    def _highlighted(self, event: PaperList.Highlighted) -> None:
        self._show_detail(event.paper_id)

    def _current(self) -> Paper | None:
        paper_id = self.query_one(PaperList).highlighted
        if paper_id is None:
            self.notify("No paper here to act on.", severity="warning")
            return None
        return self._papers[paper_id]

    def _remember(self, mark: Annotation) -> None:
        """Show a saved annotation in the list and the detail pane."""
        self._marks[mark.paper_id] = mark
        self.query_one(PaperList).update_marks(self._marks)
        if self.query_one(PaperList).highlighted == mark.paper_id:
            self._show_detail(mark.paper_id)

    def action_toggle_star(self) -> None:
        paper = self._current()
        if paper is None or paper.id is None:
            return
        try:
            mark = self.library.toggle_star(self.user, paper.id)
        except LibraryError as error:
            self.notify(str(error), title="Star not saved", severity="error", markup=False)
            return
        self._remember(mark)

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

        def save(text: str, original: str) -> None:
            saved = self.library.set_note(self.user, paper_id, text, expected=original)
            self._remember(saved)
            self.notify("Note saved." if saved.has_note else "Note removed.")

        self.app.push_screen(NoteEditor(paper.title, mark.note, save))

    # -- fetching -------------------------------------------------------------

    def action_fetch_hf(self) -> None:
        """Fetch the latest Hugging Face Daily Papers into the library, in the background."""
        if self._fetching:
            self.notify("Already fetching.", severity="warning")
            return
        self._fetching = True
        self._set_status("Fetching today's Hugging Face papers…")
        # A daemon thread, not a thread worker: quitting must not wait out a slow server
        # (Textual joins its worker threads at exit). It only touches the network; the
        # database is written on the UI thread when its result arrives.
        threading.Thread(target=self._fetch_hf, name="fetch-hf", daemon=True).start()

    def _fetch_hf(self) -> None:
        from reader.net import NetError
        from reader.net.hf import fetch_daily, hf_base_url, hf_http
        from reader.net.http import host_label
        from reader.sources.hf_json import parse_hf_json

        def progress(count: int) -> None:
            self.post_message(self.FetchProgress(f"Fetching today's papers… {count} so far"))

        def retrying(message: str) -> None:
            self.post_message(self.FetchProgress(message))

        try:
            with hf_http(transport=self._transport, on_retry=retrying) as http:
                items = fetch_daily(http, on_page=progress)
            batch = parse_hf_json(items, source=host_label(hf_base_url()))
        except (NetError, SourceError) as error:
            self.post_message(self.Fetched(None, str(error)))
        except Exception as error:  # a bug must end as a toast, not a silent dead thread
            self.post_message(self.Fetched(None, f"{type(error).__name__}: {error}"))
        else:
            self.post_message(self.Fetched(batch))

    @on(FetchProgress)
    def _fetch_progress(self, event: FetchProgress) -> None:
        if self._fetching:
            self._set_status(event.text)

    @on(Fetched)
    def _fetched(self, event: Fetched) -> None:
        self._fetching = False
        self._set_status(None)
        if event.batch is None:
            self.notify(event.error or "", title="Fetch failed", severity="error", markup=False)
            return
        try:
            result = self.library.import_papers(event.batch.papers)
        except LibraryError as error:
            self.notify(str(error), title="Fetch not saved", severity="error", markup=False)
            return
        self.reload()
        result = replace(result, skipped=event.batch.skipped)
        self.notify(
            f"{papers_label(len(event.batch.papers))}: {result.summary()}",
            title="Hugging Face Daily Papers",
            markup=False,
        )

    def _set_status(self, text: str | None) -> None:
        status = self.query_one("#status", Static)
        status.update(Text(text or ""))
        status.set_class(bool(text), "-active")

    def _fail(self, message: str) -> None:
        self.post_message(self.Failed(message))
