"""StatsScreen: the papers of the current view as pictures.

Headline figures, papers per month, upvotes, the user's marks per week, top tags and
authors. The numbers come from :mod:`reader.stats`, read from the library in a
worker (nothing is read while the screen is composed); the charts are
:mod:`reader.tui.widgets.charts`. Every text from a paper (author names, tags)
goes in as plain text, never markup.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, ItemGrid, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Header, Static

from reader.models import Annotation, ListedPaper, papers_label
from reader.ranking.evaluate import Marked, describe, stars_needed
from reader.ranking.ranker import Ranker
from reader.stats import TRIAGE_DAYS, WEEKS, Histogram, TriagePace, ViewStats, view_stats
from reader.store import Library, LibraryError
from reader.tui.keys import bindings, key_said
from reader.tui.widgets.charts import MONTH_NAMES, BarList, Figure, MonthChart, WeekChart

# Terminal widths from which the panels go in two columns, and the charts' widen.
WIDE = 100
HUGE = 160
# How many tags and authors each list shows.
TOP = 6
# Up to this many papers the authors are counted with the charts (a few hundredths
# of a second); a larger view's in a worker of their own, started beside the charts'
# worker: the charts show without waiting for them.
AUTHORS_AT_ONCE = 10_000
# What the For you panel says while the ranking is measured.
MEASURING = "Measuring: a model trained on your earlier marks, checked against your later stars…"
# {back}, {every}, {fetch}: the keys as the user has them (see StatsScreen.compose).
EMPTY_VIEW = (
    "No papers in this view, so nothing to draw.\n\n"
    "{back} goes back to the list: clear the filter there, or press {every} for every paper."
)
EMPTY_LIBRARY = (
    "The library is empty, so nothing to draw yet.\n\n"
    "{back} goes back to the list: press {fetch} there to fetch today's Hugging Face papers."
)


class StatsScreen(Screen[None]):
    """Charts of the papers the list showed when it was opened."""

    CSS_PATH = "stats.tcss"
    # stats.tcss: panels one under another when narrow, in two columns from WIDE
    # columns on, the charts' column wider from HUGE on.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (WIDE, "-wide"), (HUGE, "-huge")]
    BINDINGS = bindings("stats")

    @dataclass
    class Computed(Message):
        """The view's stats, read and counted in a worker (``counting``: its authors
        are still to be counted, in another)."""

        stats: ViewStats
        counting: bool
        error: LibraryError | None = None
        # How the For you ranking has done for the user (lines of text), or None while
        # it is measured (Evaluated follows).
        for_you: list[str] | None = None

    @dataclass
    class Evaluated(Message):
        """How the For you ranking has done for the user, measured in a worker."""

        lines: list[str]

    @dataclass
    class AuthorsCounted(Message):
        """The most frequent authors of a large view, counted in a worker."""

        authors: list[tuple[str, int]]
        error: LibraryError | None = None

    def __init__(
        self,
        library: Library,
        user: str,
        papers: Sequence[ListedPaper],
        marks: Mapping[int, Annotation],
        *,
        title: str,
        today: date,
        library_empty: bool = False,
        ranker: Ranker | None = None,
    ) -> None:
        """``papers``: the view, in list order; ``title`` names it ("All · 39 papers");
        ``today`` ends the weeks of the progress chart; ``ranker``: the library
        screen's, whose vectors the For you figures reuse."""
        super().__init__()
        self.library = library
        self.user = user
        self.papers = list(papers)
        # A copy: the worker reads it while the list may take new marks.
        self.marks = dict(marks)
        self.view_title = title
        self.today = today
        self._library_empty = library_empty
        # Set once the worker has read the library.
        self.stats: ViewStats | None = None
        # True while a worker counts the authors of a large view; what it found, if
        # it finished before the charts' worker.
        self._counting = False
        self._authors: list[tuple[str, int]] | None = None
        self._ranker = ranker or Ranker()
        self._for_you: list[str] = [MEASURING]

    def compose(self) -> ComposeResult:
        # The breakpoints' class arrives with the first resize, after the first frame:
        # set it now, so the screen never shows in the wrong layout first.
        width = self.app.size.width
        self.set_class(width < WIDE, "-narrow")
        self.set_class(WIDE <= width < HUGE, "-wide")
        self.set_class(width >= HUGE, "-huge")
        self.sub_title = f"{self.user} · Stats · {self.view_title}"
        yield Header(show_clock=False, icon="≡")
        if not self.papers:
            said = EMPTY_LIBRARY if self._library_empty else EMPTY_VIEW
            keys = {
                name: key_said(self.app, binding_id)
                for name, binding_id in (
                    ("back", "stats.close"),
                    ("every", "view.1"),
                    ("fetch", "library.fetch"),
                )
            }
            yield Static(Content(said.format(**keys)), id="stats-empty")
        else:
            # Empty until the worker's stats arrive; there from the start, so the
            # screen has its focus (and keys their widget) at once.
            yield StatsBody()
        yield Footer()

    def on_mount(self) -> None:
        if self.papers:
            ids = [paper.id for paper in self.papers]
            self._compute(ids)
            if len(ids) > AUTHORS_AT_ONCE:
                # Beside the charts' worker, not after it: the store counts while
                # the charts are computed.
                self._counting = True
                self._count_authors(ids)

    def action_scroll(self, lines: int) -> None:
        for body in self.query("#stats-body"):
            # From where the last key sent it: keys repeat faster than the screen redraws.
            body.scroll_to(y=body.scroll_target_y + lines, animate=False, immediate=True)

    @work(thread=True, group="stats", exit_on_error=False)
    def _compute(self, ids: list[int]) -> None:
        """Read what the list does not hold (when papers were marked, their authors)
        through a connection of its own, and count; :meth:`_computed` shows it."""
        authors: list[tuple[str, int]] = []
        counting = False
        error = None
        marked: list[Marked] = []
        words = self.library.words()
        try:
            activity = words.activity(self.user, ids)
            if len(ids) <= AUTHORS_AT_ONCE:
                authors = words.author_counts(ids, TOP)
            else:
                counting = True  # in a worker of its own (see on_mount)
            marked = words.marked(self.user)
            decisions = words.decisions(self.user, since=_days_before(self.today, TRIAGE_DAYS))
        except LibraryError as failed:
            # The figures from the list still show; the file's part says what is wrong.
            activity, authors, decisions, error = [], [], [], failed
        stats = view_stats(
            self.papers,
            self.marks,
            activity=activity,
            authors=authors,
            today=self.today,
            top_n=TOP,
            decisions=decisions,
        )
        try:
            # Too few stars is known at once; a measure takes a model trained (after).
            measure = error is None and not stars_needed(marked)
            now = None if measure else describe(None, marked) if error is None else []
            self.post_message(self.Computed(stats, counting, error, now))
            if measure:
                try:
                    evaluation = self._ranker.evaluate(words, self.user, marked)
                    lines = describe(evaluation, marked)
                except LibraryError as failed:
                    lines = [f"Not measured: {failed}"]
                except Exception as failed:  # a bug: said, never "Measuring…" for ever
                    lines = [f"Not measured (a bug in reader): {type(failed).__name__}: {failed}"]
                self.post_message(self.Evaluated(lines))
        finally:
            words.close()

    @on(Computed)
    def _computed(self, event: Computed) -> None:
        if event.error is not None:
            self._failed(event.error)
        self.stats = event.stats
        if event.counting and self._authors is not None:
            self.stats = replace(self.stats, authors=tuple(self._authors))
        counting = len(self.papers) if self._counting else None
        if event.for_you is not None:
            self._for_you = event.for_you
        self.query_one(StatsBody).show(self.stats, counting=counting, for_you=self._for_you)

    @on(Evaluated)
    def _evaluated(self, event: Evaluated) -> None:
        self._for_you = event.lines
        for body in self.query(StatsBody):
            body.show_for_you(event.lines)

    def _failed(self, error: LibraryError) -> None:
        self.notify(str(error), title="Stats", severity="error", markup=False)

    @work(thread=True, exit_on_error=False)
    def _count_authors(self, paper_ids: list[int]) -> None:
        """Count the authors of a large view off the UI thread, through a connection
        of its own (the library's belongs to the UI thread)."""
        words = self.library.words()
        try:
            self.post_message(self.AuthorsCounted(words.author_counts(paper_ids, TOP)))
        except LibraryError as error:
            self.post_message(self.AuthorsCounted([], error))
        finally:
            words.close()

    @on(AuthorsCounted)
    def _authors_counted(self, event: AuthorsCounted) -> None:
        self._counting = False
        if event.error is not None:
            self._failed(event.error)
        if self.stats is None:
            self._authors = event.authors  # shown with the charts, when they come
            return
        self.stats = replace(self.stats, authors=tuple(event.authors))
        for box in self.query("#authors-box"):
            box.remove_children()
            box.mount(_authors(event.authors))
            return
        # The charts are still to be drawn (they came a moment before): with the authors.
        self.query_one(StatsBody).show(self.stats)


class StatsBody(VerticalScroll):
    """The figures and the panels of charts, once the stats are computed."""

    def __init__(self) -> None:
        super().__init__(id="stats-body")
        self.stats: ViewStats | None = None
        self._counting: int | None = None
        self._for_you: list[str] = [MEASURING]

    def show(
        self, stats: ViewStats, *, counting: int | None = None, for_you: list[str] | None = None
    ) -> None:
        """Draw ``stats``; ``counting``: how many papers' authors are still being
        counted (None: they are counted); ``for_you``: how the ranking has done."""
        self.stats = stats
        self._counting = counting
        if for_you is not None:
            self._for_you = for_you
        self.refresh(recompose=True)

    def show_for_you(self, lines: list[str]) -> None:
        """How the For you ranking has done, measured after the rest was drawn."""
        self._for_you = lines
        for part in self.query("#for-you-figures").results(Static):
            part.update(_lines(lines))

    def compose(self) -> ComposeResult:
        if self.stats is None:
            return
        yield from self._headline(self.stats)
        # An ItemGrid stretches the two panels of a row to one height.
        with ItemGrid(id="stats-panels"):
            yield from self._panels(self.stats)

    def _headline(self, stats: ViewStats) -> ComposeResult:
        head = stats.headline
        with Horizontal(id="stats-headline"):
            yield Figure(_short(head.papers), "papers in view", id="figure-papers")
            yield Figure(_short(head.read), f"read ({head.read_share})", id="figure-read")
            yield Figure(_short(head.starred), "starred", id="figure-starred")
            yield Figure(_short(head.noted), "with notes", id="figure-noted")

    def _panels(self, stats: ViewStats) -> ComposeResult:
        with _panel("Papers per month", "panel-months"):
            if stats.months.months:
                yield MonthChart(stats.months, id="months")
            else:
                yield _muted(f"No paper here has a month to it ({stats.months.undated} undated).")
        with _panel("Upvotes", "panel-upvotes"):
            yield from _upvotes(stats.upvotes)
        with _panel(f"Your progress · last {WEEKS} weeks", "panel-weeks"):
            weekly = stats.weekly
            if any(weekly.read) or any(weekly.starred) or any(weekly.noted):
                yield WeekChart(weekly, id="weeks")
            else:
                first = weekly.starts[0]
                since = f"{MONTH_NAMES[first.month - 1]} {first.day}"
                yield _muted(
                    f"Nothing read, starred or noted here since {since}. "
                    "On the list: r reads, s stars, n writes a note."
                )
        with _panel("Tags and authors", "panel-people"):
            yield Static(Content("Your tags"), classes="list-heading")
            if stats.tags:
                yield BarList(stats.tags, id="tags")
            else:
                yield _muted("No tags on these papers yet (t on the list adds one).")
            yield Static(Content("Most frequent authors"), classes="list-heading")
            with Vertical(id="authors-box"):
                if self._counting is not None:
                    yield _muted(f"Counting the authors of {papers_label(self._counting)}…")
                else:
                    yield _authors(stats.authors)
        with _panel("For you · how well it ranks for you", "panel-for-you"):
            yield _Figures(lambda: self._for_you, id="for-you-figures")
        with _panel(f"Triage mode · last {TRIAGE_DAYS} days", "panel-triage"):
            yield from _triage(stats.triage)


class _Figures(Static):
    """How For you has done: the latest lines when mounted. The figures may come
    while the panels are being composed again, after this was made but before it
    is mounted, when show_for_you finds no panel to update."""

    def __init__(self, latest: Callable[[], Sequence[str]], *, id: str) -> None:
        super().__init__(_lines(latest()), id=id)
        self._latest = latest

    def on_mount(self) -> None:
        self.update(_lines(self._latest()))


def _triage(pace: TriagePace | None) -> ComposeResult:
    """Papers triaged per day, and the median seconds a decision took."""
    if pace is None:
        return
    yield Static(Content(pace.describe()), id="triage-pace")
    if pace.median_seconds is not None:
        days = [(f"{MONTH_NAMES[day.month - 1]} {day.day}", count) for day, count in pace.days]
        yield BarList(days, id="triage-days")


def _days_before(today: date, days: int) -> str:
    """The first of the ``days`` days that end with ``today``, less a day (a decision
    late in the evening is stored as the next day in UTC): what to read from."""
    return (today - timedelta(days=days)).isoformat()


def _lines(lines: Sequence[str]) -> Text:
    """Lines of plain text (they may quote a date or an error: never markup)."""
    return Text("\n".join(lines))


def _short(count: int) -> str:
    """A count for the large digits, at most four of them: 9999, 12k, 3M (the
    letter shows small, as the % does)."""
    if count < 10_000:
        return str(count)
    if count < 1_000_000:
        return f"{count // 1000}k"
    return f"{count // 1_000_000}M"


def _panel(title: str, id: str) -> Vertical:
    panel = Vertical(id=id, classes="panel")
    panel.border_title = Content(title)
    return panel


def _muted(text: str) -> Static:
    return Static(Content(text), classes="muted")


def _authors(authors: Sequence[tuple[str, int]]) -> Widget:
    if authors:
        return BarList(authors, id="authors")
    return _muted("No author names on these papers (some sources give only a count).")


def _upvotes(histogram: Histogram) -> ComposeResult:
    counted = sum(count for _, count in histogram.buckets)
    if counted:
        yield BarList(histogram.buckets, align_right=True, id="upvotes")
    if not counted:
        yield _muted("None of these papers has an upvote count.")
    elif histogram.unknown:
        yield _muted(f"and {papers_label(histogram.unknown)} without an upvote count")
