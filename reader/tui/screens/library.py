"""LibraryScreen: filter bar, paper list, detail pane; star and note from the keyboard.

The screen is assembled from parts, each a module beside this one: loading
(:mod:`.library_loading`), filter, views and order (:mod:`.library_filter`), triage
keys and the read timer (:mod:`.library_triage`), the For you ranking
(:mod:`.library_ranking`), notes and ``$EDITOR``
(:mod:`.library_notes`), the lab's marks (:mod:`.library_lab`), removal
(:mod:`.library_removal`), links and copying (:mod:`.library_links`), the palette,
help and stats (:mod:`.library_commands`), the config's rules (:mod:`.library_rules`),
fetching and looking up (:mod:`.fetching`), exporting (:mod:`.exporting`), over their
shared state (:mod:`.library_base`). What the keys do to papers is
:class:`reader.triage.Triage`'s.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from reader.lab import Lab
from reader.ranking.model import Ranking
from reader.store import Library
from reader.tui.commands import PaperCommands
from reader.tui.keys import bindings
from reader.tui.screens.exporting import Exporting
from reader.tui.screens.fetching import Fetching
from reader.tui.screens.library_base import EMPTY_LIBRARY, EMPTY_LIBRARY_HELP, ViewSettings
from reader.tui.screens.library_commands import CommandsPart
from reader.tui.screens.library_filter import SORT_LABELS, FilterPart
from reader.tui.screens.library_lab import LabPart
from reader.tui.screens.library_links import LinksPart
from reader.tui.screens.library_loading import LoadingPart
from reader.tui.screens.library_notes import NotesPart
from reader.tui.screens.library_ranking import RankingPart
from reader.tui.screens.library_removal import RemovalPart
from reader.tui.screens.library_rules import RulesPart
from reader.tui.screens.library_triage import DETAIL_DELAY, TriagePart
from reader.tui.widgets.filter_bar import FilterBar
from reader.tui.widgets.footer import KeyFooter
from reader.tui.widgets.header import ReaderHeader
from reader.tui.widgets.paper_detail import PaperDetail
from reader.tui.widgets.paper_list import PaperList

if TYPE_CHECKING:
    from reader.fetching import Network

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
    LabPart,
    RankingPart,
    TriagePart,
    NotesPart,
    RemovalPart,
    LinksPart,
    CommandsPart,
    RulesPart,
    FilterPart,
    LoadingPart,
    Fetching,
    Exporting,
):
    """The main screen: every paper of the library, filtered live."""

    CSS_PATH = "library.tcss"
    # Classes for library.tcss to lay out the panes by the terminal's size.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (NARROW, "-normal"), (WIDE, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (SHORT, "-tall")]
    COMMANDS = {PaperCommands}
    BINDINGS = bindings("library")

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
        super().__init__(library, user, settings=settings or ViewSettings(), clock=clock)
        self._network = network
        self._today = today
        self._looking_up = False

    # -- triage mode ------------------------------------------------------------------

    def action_triage_mode(self) -> None:
        """The papers of the list, one at a time, one key each (see triage_mode)."""
        from reader.tui.screens.triage_mode import TriageScreen

        ids = list(self.query_one(PaperList).paper_ids)
        if not ids:
            self.notify("No papers in this list to triage.", severity="warning", timeout=3)
            return
        if self.triage.clear_selection():  # each key acts on the paper on show
            self._redraw_marks()
        self.app.push_screen(TriageScreen(self, ids))

    def place_cursor(self, paper_id: int) -> None:
        """Put the list's cursor on ``paper_id`` as the app's move (triage mode)."""
        self.query_one(PaperList).place(paper_id)

    @property
    def lab(self) -> Lab:
        """Who else starred each paper (see library_lab)."""
        return self._lab

    @property
    def ranking(self) -> Ranking | None:
        """The For you ranking, if it has been made."""
        return self._ranking

    def compose(self) -> ComposeResult:
        yield ReaderHeader(show_clock=False, icon="≡")
        yield FilterBar(id="filter")
        yield Static(id="filter-hint")
        with Horizontal(id="panes"):
            yield PaperList(id="papers", authors=self._authors_of, rows=self._rows_of)
            yield PaperDetail(id="detail")
        yield Static(id="status")
        yield KeyFooter(optional=FOOTER_OPTIONAL, compact_below=FOOTER_ROOMY, narrow_below=NARROW)

    def on_mount(self) -> None:
        self.query_one(FilterBar).name_keys(
            self._key_shown("library.filter"), self._key_shown("library.filter_help")
        )
        self.query_one(PaperList).focus()
        self._join_lab()
        self._read_lab()
        self.reload(first_page=FIRST_PAGE)
        self._apply_rules()  # to the papers that came in since the app was last open
        notice = self.triage.drafts_notice()
        if notice is not None:
            self._say(notice)
        self.set_interval(WATCH_INTERVAL, self.check_outside_changes, name="watch")
        self._ready_for_keys = True
