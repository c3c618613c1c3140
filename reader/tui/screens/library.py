"""LibraryScreen: filter bar, paper list, detail pane; star and note from the keyboard.

The screen is assembled from parts, each a module beside this one: loading
(:mod:`.library_loading`), filter, views and order (:mod:`.library_filter`), triage
keys and the read timer (:mod:`.library_triage`), notes and ``$EDITOR``
(:mod:`.library_notes`), removal (:mod:`.library_removal`), links and copying
(:mod:`.library_links`), the palette, help and stats (:mod:`.library_commands`),
over their shared state (:mod:`.library_base`). What the keys do to papers is
:class:`reader.triage.Triage`'s.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Header, Static

from reader.models import ImportResult, Paper, papers_label
from reader.sources import Batch, SourceError
from reader.store import Library, LibraryError
from reader.text import one_line, shorten
from reader.tui.commands import PaperCommands
from reader.tui.dialogs.export_dialog import ExportDialog, ExportRequest
from reader.tui.screens.library_base import EMPTY_LIBRARY, EMPTY_LIBRARY_HELP, ViewSettings
from reader.tui.screens.library_commands import CommandsPart
from reader.tui.screens.library_filter import SORT_LABELS, FilterPart
from reader.tui.screens.library_links import LinksPart
from reader.tui.screens.library_loading import LoadingPart
from reader.tui.screens.library_notes import NotesPart
from reader.tui.screens.library_removal import RemovalPart
from reader.tui.screens.library_triage import DETAIL_DELAY, TriagePart
from reader.tui.widgets.filter_bar import FilterBar
from reader.tui.widgets.footer import KeyFooter
from reader.tui.widgets.paper_detail import PaperDetail
from reader.tui.widgets.paper_list import PaperList

if TYPE_CHECKING:
    import httpx

    from reader.export.run import Outcome
    from reader.lookup import TitleMatch

__all__ = [
    "DETAIL_DELAY",
    "EMPTY_LIBRARY",
    "EMPTY_LIBRARY_HELP",
    "SORT_LABELS",
    "LibraryScreen",
    "ViewSettings",
]

# A library larger than this shows its first rows at once and reads the rest after.
FIRST_PAGE = 300
# How often the screen looks for changes another process made to the file (s).
WATCH_INTERVAL = 1.0
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


class LibraryScreen(
    TriagePart, NotesPart, RemovalPart, LinksPart, CommandsPart, FilterPart, LoadingPart
):
    """The main screen: every paper of the library, filtered live."""

    CSS_PATH = "library.tcss"
    # Classes for library.tcss to lay out the panes by the terminal's size.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (NARROW, "-normal"), (WIDE, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (SHORT, "-tall")]
    COMMANDS = {PaperCommands}
    BINDINGS = [
        Binding("slash", "focus_filter", "Filter", id="library.filter"),
        Binding("s", "toggle_star", "Star", id="library.star"),
        Binding("r", "mark_read", "Read", id="library.read"),
        Binding("u", "mark_unread", "Unread", show=False, id="library.unread"),
        Binding("R", "mark_all_read", "Mark all visible read", show=False, id="library.all_read"),
        Binding("t", "edit_tags", "Tags", id="library.tags"),
        Binding("n", "edit_note", "Note", id="library.note"),
        Binding("E", "edit_note_externally", "Note in $EDITOR", show=False, id="library.editor"),
        Binding("space", "toggle_selected", "Mark", id="library.mark"),
        Binding("z", "undo", "Undo", id="library.undo"),
        Binding("O", "cycle_sort", "Sort", show=False, id="library.sort"),
        Binding("o", "open('abs')", "Open arXiv page", show=False, id="open.abs"),
        Binding("p", "open('pdf')", "Open PDF", show=False, id="open.pdf"),
        Binding("g", "open_github_or_top", "GitHub (gg: top)", show=False, id="open.github"),
        Binding("h", "open('hf')", "Open Hugging Face page", show=False, id="open.hf"),
        Binding("y", "copy_bibtex", "Copy BibTeX", show=False, id="copy.bibtex"),
        Binding(
            "L", "look_up_id", "Look up the arXiv id by title", show=False, id="library.lookup"
        ),
        Binding("A", "toggle_authors", "All authors / fewer", show=False, id="library.authors"),
        Binding("a", "fold_summary", "Fold the AI summary", show=False, id="library.fold_summary"),
        Binding("Y", "copy_id", "Copy arXiv id or URL", show=False, id="copy.id"),
        Binding("x", "export", "Export", id="library.export"),
        Binding(
            "D,delete", "remove_papers", "Remove from the library", show=False, id="library.remove"
        ),
        Binding("S", "stats", "Stats for this view", show=False, id="library.stats"),
        Binding("f", "fetch_hf", "Fetch", id="library.fetch"),
        Binding("question_mark", "help", "Help", id="library.help"),
        # Not a character: it works in the filter bar too, where ? is typed.
        Binding("f1", "filter_help", "The filter language", show=False, id="library.filter_help"),
        Binding("escape", "clear", "Clear marks or filter", show=False, id="library.clear"),
        Binding("J", "scroll_detail(3)", "Scroll detail down", show=False, id="detail.down"),
        Binding("K", "scroll_detail(-3)", "Scroll detail up", show=False, id="detail.up"),
        Binding("enter", "toggle_reading", "Larger detail pane", show=False, id="detail.zoom"),
        *(
            Binding(str(n), f"preset('{n}')", f"View {n}", show=False, id=f"view.{n}")
            for n in range(1, 10)
        ),
    ]

    @dataclass
    class FetchProgress(Message):
        """How a fetch is getting on, for the status line."""

        text: str

    @dataclass
    class Fetched(Message):
        """A fetch finished: its papers, or why it failed."""

        batch: Batch | None
        error: str | None = None
        stopped_early: str | None = None

    @dataclass
    class LookedUp(Message):
        """A look-up of a paper's arXiv id by its title finished."""

        paper: Paper
        match: TitleMatch | None
        error: str | None = None

    def __init__(
        self,
        library: Library,
        user: str,
        *,
        transport: httpx.BaseTransport | None = None,
        settings: ViewSettings | None = None,
        clock: Callable[[], float] = time.monotonic,
        today: Callable[[], date] = date.today,
    ) -> None:
        """``transport`` replaces the network for fetches (tests pass a MockTransport);
        ``clock`` times the read delay (tests pass a fake one); ``today`` dates the
        stats screen's weeks (tests pass a fixed day)."""
        super().__init__(library, user, settings=settings or ViewSettings(), clock=clock)
        self._transport = transport
        self._today = today
        self._looking_up = False

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
        notice = self.triage.drafts_notice()
        if notice is not None:
            self._say(notice)
        self.set_interval(WATCH_INTERVAL, self.check_outside_changes, name="watch")
        self._ready_for_keys = True

    # -- looking up an arXiv id -------------------------------------------------

    def action_look_up_id(self) -> None:
        """Find the arXiv id of a paper imported without one, by its title, in the
        background; the paper gains it (and arXiv's metadata) when exactly one
        arXiv paper has that title."""
        paper = self._current()
        if paper is None:
            return
        if paper.arxiv_id:
            self.notify(f"This paper's arXiv id is {paper.arxiv_id}.", timeout=3, markup=False)
            return
        if self._looking_up:
            self.notify("Already looking a paper up.", severity="warning", timeout=3)
            return
        self._looking_up = True
        self._set_status(f"Looking up “{shorten(one_line(paper.title), 60)}” on arXiv…")
        # A daemon thread, as for a fetch: quitting must not wait out a slow server.
        threading.Thread(target=self._look_up, args=(paper,), name="look-up", daemon=True).start()

    def _look_up(self, paper: Paper) -> None:
        from reader.lookup import look_up_title
        from reader.net import NetError
        from reader.net.arxiv import arxiv_http

        def retrying(message: str) -> None:
            self.post_message(self.FetchProgress(message))

        try:
            with arxiv_http(transport=self._transport, on_retry=retrying) as http:
                match = look_up_title(http, paper.title)
        except (NetError, SourceError, ValueError) as error:
            self.post_message(self.LookedUp(paper, None, str(error)))
        except Exception as error:  # a bug must end as a toast, not a silent dead thread
            self.post_message(self.LookedUp(paper, None, f"{type(error).__name__}: {error}"))
        else:
            self.post_message(self.LookedUp(paper, match))

    @on(LookedUp)
    def _looked_up(self, event: LookedUp) -> None:
        self._looking_up = False
        self._set_status(None)
        title = f"“{shorten(one_line(event.paper.title), 60)}”"
        match = event.match
        if match is None:
            self.notify(event.error or "", title="Look-up failed", severity="error", markup=False)
            return
        found = match.paper
        if found is None:
            if match.same_title:
                ids = ", ".join(str(p.arxiv_id) for p in match.same_title)
                why = f"{len(match.same_title)} arXiv papers have exactly this title ({ids})."
            else:
                why = f"arXiv has no paper titled exactly {title} ({match.results} near matches)."
            self.notify(
                f"{why} reader add ID adds the right one by its id.",
                title="No arXiv id found",
                severity="warning",
                timeout=8,
                markup=False,
            )
            return
        if any(listed.arxiv_id == found.arxiv_id for listed in self._papers.values()):
            self.notify(
                f"arXiv {found.arxiv_id} has this title, and is in the library already "
                "as another entry: nothing changed.",
                severity="warning",
                markup=False,
            )
            return

        def saved(result: ImportResult) -> None:
            self.reload()
            self.notify(
                f"{title} is arXiv {found.arxiv_id}: its links and arXiv's details are filled in.",
                title="arXiv id found",
                markup=False,
            )

        self._write("arXiv id", lambda lib: lib.import_papers([found]), saved)

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
                fetched = fetch_daily(http, on_page=progress)
            batch = parse_hf_json(fetched.items, source=host_label(hf_base_url()))
        except (NetError, SourceError) as error:
            self.post_message(self.Fetched(None, str(error)))
        except Exception as error:  # a bug must end as a toast, not a silent dead thread
            self.post_message(self.Fetched(None, f"{type(error).__name__}: {error}"))
        else:
            self.post_message(self.Fetched(batch, stopped_early=fetched.stopped_early))

    @on(FetchProgress)
    def _fetch_progress(self, event: FetchProgress) -> None:
        if self._fetching:
            self._set_status(event.text)

    @on(Fetched)
    def _fetched(self, event: Fetched) -> None:
        self._fetching = False
        self._set_status(None)
        batch = event.batch
        if batch is None:
            self.notify(event.error or "", title="Fetch failed", severity="error", markup=False)
            return

        def saved(result: ImportResult) -> None:
            self.reload()
            result = replace(result, skipped=batch.skipped)
            summary = f"{papers_label(len(batch.papers))}: {result.summary()}"
            self.notify(
                f"{summary}\n{event.stopped_early}" if event.stopped_early else summary,
                title="Hugging Face Daily Papers",
                severity="warning" if event.stopped_early else "information",
                markup=False,
            )

        def failed(error: LibraryError) -> None:
            self.notify(str(error), title="Fetch not saved", severity="error", markup=False)

        self._write("Fetched papers", lambda lib: lib.import_papers(batch.papers), saved, failed)

    # -- export ---------------------------------------------------------------

    def action_export(self) -> None:
        """Export papers to a file (or an Obsidian folder) from a prefilled dialog."""
        if self._still_loading():
            return
        scopes = ["visible", "starred-or-noted", "starred", "noted", "all"]
        if self._selected:
            scopes.insert(0, "marked")

        def done(outcome: Outcome | None) -> None:
            if outcome is None:
                return
            if outcome.complete:
                self.notify(outcome.message, title="Exported", markup=False)
            else:  # conflicts: named in the message, with how to resolve them
                title = "Exported; some files left as they are"
                self.notify(
                    outcome.message, title=title, severity="warning", timeout=30, markup=False
                )

        dialog = ExportDialog(scopes, Path.home(), date.today(), self._export)
        self.app.push_screen(dialog, done)

    def _export(self, request: ExportRequest) -> Outcome:
        """Write what the dialog asks for; what was written. Raises ExportError (the
        dialog shows it), never over the library or its files."""
        from reader.export.files import ExportError
        from reader.export.run import export, select

        only: set[int] | None = None
        if request.scope == "marked":
            only = set(self._selected)
        elif request.scope == "visible":
            only = set(self.query_one(PaperList).paper_ids)
        scope = request.scope if only is None else "all"
        # Only the papers the scope can take are read whole.
        if only is None and scope != "all":
            only_marked = {i for i, mark in self._marks.items() if mark.marks_anything}
            wanted = [i for i in self._order if i in only_marked]
        else:
            wanted = self._order if only is None else [i for i in self._order if i in only]
        try:
            papers = self.library.papers_by_id(wanted)
        except LibraryError as error:
            raise ExportError(str(error)) from None
        items = select(papers, self._marks, scope=scope, only=only)
        return export(
            request.fmt,
            items,
            request.target,
            user=self.user,
            now=datetime.now(UTC),
            force=request.force,
            library=self.library.path,
        )
