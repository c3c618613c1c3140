"""StatsScreen: the papers of the current view as pictures.

Headline figures, papers per month, upvotes, the user's marks per week, top tags and
authors. The numbers come from :mod:`reader.stats`; this module only draws them.
Every text from a paper (author names, tags) goes in as plain text, never markup.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

from rich.cells import cell_len
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, ItemGrid, Vertical, VerticalScroll
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Digits, Footer, Header, Static

from reader.models import Annotation, ListedPaper, papers_label
from reader.stats import MONTHS, WEEKS, Histogram, MonthCounts, ViewStats, Weekly, view_stats
from reader.store import Library, LibraryError
from reader.text import one_line
from reader.tui.keys import bindings

# Eighths of a cell, for bars that grow upwards and rightwards.
UP = " ▁▂▃▄▅▆▇█"
RIGHT = " ▏▎▍▌▋▊▉█"
# Not strftime's %b: the same in every locale, as the rest of the app's English.
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTH_ROWS = 7
WEEK_ROWS = 2
MAX_BAR = 40
# Terminal widths from which the panels go in two columns, and the charts' widen.
WIDE = 100
HUGE = 160
# How many tags and authors each list shows.
TOP = 6
# Up to this many papers the authors are counted at once (a tenth of a second);
# a larger view shows its charts first and counts them in a worker.
AUTHORS_AT_ONCE = 10_000
BAR = "$primary"
MUTED = "$foreground-muted"
EMPTY_VIEW = (
    "No papers in this view, so nothing to draw.\n\n"
    "Esc goes back to the list: clear the filter there, or press 1 for every paper."
)
EMPTY_LIBRARY = (
    "The library is empty, so nothing to draw yet.\n\n"
    "Esc goes back to the list: press f there to fetch today's Hugging Face papers."
)


def _height(count: int, most: int, rows: int) -> int:
    """How many eighths of ``rows`` cells a bar of ``count`` fills (a count of at
    least one always shows)."""
    if count <= 0 or most <= 0:
        return 0
    return max(1, round(count / most * rows * 8))


def _columns(values: Sequence[int], rows: int, width: int, gap: int) -> list[Content]:
    """``values`` as columns ``width`` cells wide, ``gap`` apart, ``rows`` high (top
    line first), each scaled to the largest value."""
    most = max(values, default=0)
    heights = [_height(value, most, rows) for value in values]
    lines = []
    for row in reversed(range(rows)):
        cells: list[tuple[str, str]] = []
        for height in heights:
            if row == 0 and height == 0:
                # A dot on the baseline: an empty month or week is still on the axis.
                cells.append(("·".center(width), MUTED))
            else:
                cells.append((UP[min(8, max(0, height - row * 8))] * width, BAR))
            cells.append((" " * gap, ""))
        lines.append(Content.assemble(*cells[:-1]))
    return lines


def _pitch(count: int, room: int, widest: int = 4) -> int:
    """Cells per column (bar and a one-cell gap) for ``count`` columns in ``room``."""
    return max(2, min(widest + 1, room // max(count, 1)))


class MonthChart(Widget):
    """Papers per month as columns: up to :data:`MONTHS` of them, as many as fit."""

    DEFAULT_CSS = "MonthChart { height: auto; }"

    def __init__(self, counts: MonthCounts, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.counts = counts

    def _gutter(self) -> int:
        """Cells left of the columns, for the scale: as wide as the largest count."""
        return len(str(max((n for _, n in self.counts.months), default=0))) + 1

    def shown(self) -> tuple[tuple[tuple[str, int], ...], int]:
        """The months that fit the width now, and the papers before them."""
        fits = max(1, (self.size.width - self._gutter()) // 2)
        return self.counts.last(min(MONTHS, fits))

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return MONTH_ROWS + 3

    def render(self) -> Content:
        months, earlier = self.shown()
        values = [count for _, count in months]
        most = max(values, default=0)
        gutter = self._gutter()
        pitch = _pitch(len(months), self.size.width - gutter)
        lines = []
        for row, bars in enumerate(_columns(values, MONTH_ROWS, pitch - 1, 1)):
            label = str(most) if row == 0 else ""
            lines.append(Content.styled(label.rjust(gutter - 1) + " ", MUTED) + bars)
        initials = "".join(_month_name(month)[0].ljust(pitch) for month, _ in months)
        lines.append(Content.styled(" " * gutter + initials.rstrip(), MUTED))
        lines.append(Content.styled(" " * gutter + _years(months, pitch).rstrip(), MUTED))
        notes = []
        if months:
            busiest, count = max(months, key=lambda item: item[1])
            notes.append(f"most in {_month_name(busiest)} {busiest[:4]}: {count}")
        if earlier:
            notes.append(f"{earlier} earlier")
        if self.counts.undated:
            notes.append(f"{self.counts.undated} without a month")
        lines.append(Content.styled(" · ".join(notes), MUTED))
        return Content("\n").join(lines)


def _month_name(month: str) -> str:
    """The short name of a ``YYYY-MM`` month: "Jan" for "2025-01"."""
    return MONTH_NAMES[int(month[5:7]) - 1]


def _years(months: Sequence[tuple[str, int]], pitch: int) -> str:
    """The year under each January, and under the first month when there is room."""
    januaries = [i * pitch for i, (month, _) in enumerate(months) if month.endswith("-01")]
    line = ""
    if months and (not januaries or januaries[0] >= 5):
        line = months[0][0][:4]
    for at in januaries:
        if not line or len(line) < at:
            line = line.ljust(at) + months[at // pitch][0][:4]
    return line


class BarList(Widget):
    """Labelled bars growing rightwards, one a line, counts in a column at the end."""

    DEFAULT_CSS = "BarList { height: auto; }"

    def __init__(
        self,
        rows: Sequence[tuple[str, int]],
        *,
        align_right: bool = False,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        # Data, so one line each and no controls; shown as plain text below.
        self.rows = [(one_line(label), count) for label, count in rows]
        self._align_right = align_right

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.rows)

    def render(self) -> Content:
        width = self.size.width
        longest = max((cell_len(label) for label, _ in self.rows), default=0)
        label_width = min(longest, width * 2 // 5)
        count_width = len(str(max((count for _, count in self.rows), default=0)))
        # Longer bars say no more and make the counts hard to find.
        bar_room = max(1, min(MAX_BAR, width - label_width - count_width - 2))
        most = max((count for _, count in self.rows), default=0)
        lines = []
        for label, count in self.rows:
            name = Content(label).truncate(label_width, ellipsis=True)
            name = name.pad_left(label_width - name.cell_length) if self._align_right else name
            eighths = _height(count, most, bar_room)
            bar = "█" * (eighths // 8) + RIGHT[eighths % 8].strip()
            lines.append(
                Content.assemble(
                    name.pad_right(label_width - name.cell_length),
                    " ",
                    (bar.ljust(bar_room), BAR),
                    " ",
                    (str(count).rjust(count_width), MUTED if count == 0 else ""),
                )
            )
        return Content("\n").join(lines)


class WeekChart(Widget):
    """Papers read, starred and noted per week: a row of columns each, on its own scale."""

    DEFAULT_CSS = "WeekChart { height: auto; }"
    SERIES = ("read", "starred", "noted")

    def __init__(self, weekly: Weekly, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.weekly = weekly

    def series(self) -> list[tuple[str, tuple[int, ...]]]:
        return [(name, getattr(self.weekly, name)) for name in self.SERIES]

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.SERIES) * (WEEK_ROWS + 1) + 1

    def render(self) -> Content:
        series = self.series()
        totals = [str(sum(values)) for _, values in series]
        label_width = max(len(name) for name in self.SERIES) + 1
        total_width = max(len(total) for total in totals) + 1
        weeks = len(self.weekly.starts)
        pitch = _pitch(weeks, self.size.width - label_width - total_width + 1, widest=5)
        chart_width = pitch * weeks - 1
        lines = []
        for (name, values), total in zip(series, totals, strict=True):
            columns = _columns(values, WEEK_ROWS, pitch - 1, 1)
            for row, bars in enumerate(columns):
                first = row == len(columns) - 1  # the name and total sit on the baseline
                label = name if first else ""
                end = total.rjust(total_width) if first else ""
                lines.append(
                    Content.assemble(
                        label.ljust(label_width),
                        bars.pad_right(chart_width - bars.cell_length),
                        (end, "bold"),
                    )
                )
            lines.append(Content(""))
        axis = self._axis(pitch, self.size.width - label_width)
        lines.append(Content.styled(" " * label_width + axis, MUTED))
        return Content("\n").join(lines)

    def _axis(self, pitch: int, width: int) -> str:
        """The Monday of every fourth week under its column, counted from this week's."""
        line = ""
        last = len(self.weekly.starts) - 1
        for i, start in enumerate(self.weekly.starts):
            label = f"{MONTH_NAMES[start.month - 1]} {start.day}"
            at = i * pitch
            if (last - i) % 4 == 0 and (not line or len(line) < at) and at + len(label) <= width:
                line = line.ljust(at) + label
        return line


class Figure(Vertical):
    """One headline number, large, with what it counts underneath."""

    def __init__(self, value: str, label: str, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="figure")
        self._value = value
        self._label = label

    def compose(self) -> ComposeResult:
        yield Digits(self._value)
        yield Static(Content(self._label), classes="figure-label")


class StatsScreen(Screen[None]):
    """Charts of the papers the list showed when it was opened."""

    CSS_PATH = "stats.tcss"
    # stats.tcss: panels one under another when narrow, in two columns from WIDE
    # columns on, the charts' column wider from HUGE on.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (WIDE, "-wide"), (HUGE, "-huge")]
    BINDINGS = bindings("stats")

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
    ) -> None:
        """``papers``: the view, in list order; ``title`` names it ("All · 39 papers");
        ``today`` ends the weeks of the progress chart."""
        super().__init__()
        self.library = library
        self.user = user
        self.papers = list(papers)
        self.marks = marks
        self.view_title = title
        self.today = today
        self._library_empty = library_empty
        self.stats: ViewStats | None = None
        # True while a worker counts the authors of a large view.
        self._counting = False

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
            yield Static(
                Content(EMPTY_LIBRARY if self._library_empty else EMPTY_VIEW), id="stats-empty"
            )
        else:
            self.stats = stats = self._compute()
            with VerticalScroll(id="stats-body"):
                yield from self._headline(stats)
                # An ItemGrid stretches the two panels of a row to one height.
                with ItemGrid(id="stats-panels"):
                    yield from self._panels(stats)
        yield Footer()

    def on_mount(self) -> None:
        if self._counting:
            self._count_authors([paper.id for paper in self.papers])

    def action_scroll(self, lines: int) -> None:
        for body in self.query("#stats-body"):
            # From where the last key sent it: keys repeat faster than the screen redraws.
            body.scroll_to(y=body.scroll_target_y + lines, animate=False, immediate=True)

    def _compute(self) -> ViewStats:
        ids = [paper.id for paper in self.papers]
        authors: list[tuple[str, int]] = []
        try:
            activity = self.library.activity(self.user, ids)
            if len(ids) <= AUTHORS_AT_ONCE:
                authors = self.library.author_counts(ids, TOP)
            else:
                self._counting = True  # in a worker, once the screen is up
        except LibraryError as error:
            # The figures from the list still show; the file's part says what is wrong.
            self._failed(error)
            activity = []
        return view_stats(
            self.papers, self.marks, activity=activity, authors=authors, today=self.today, top_n=TOP
        )

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
        if self.stats is not None:
            self.stats = replace(self.stats, authors=tuple(event.authors))
        box = self.query_one("#authors-box")
        box.remove_children()
        box.mount(_authors(event.authors))

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
                if self._counting:
                    yield _muted(f"Counting the authors of {papers_label(len(self.papers))}…")
                else:
                    yield _authors(stats.authors)


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
