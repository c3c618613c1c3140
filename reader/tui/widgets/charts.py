"""Chart widgets: columns per month or week, labelled bars, headline figures.

They draw numbers they are given (from :mod:`reader.stats`) and read nothing.
Every text from a paper (author names, tags) goes in as plain text, never markup.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.geometry import Size
from textual.widget import Widget
from textual.widgets import Digits, Static

from reader.stats import MONTHS, MonthCounts, Weekly
from reader.text import one_line

# Eighths of a cell, for bars that grow upwards and rightwards.
UP = " ▁▂▃▄▅▆▇█"
RIGHT = " ▏▎▍▌▋▊▉█"
# Not strftime's %b: the same in every locale, as the rest of the app's English.
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTH_ROWS = 7
WEEK_ROWS = 2
MAX_BAR = 40
BAR = "$primary"
MUTED = "$foreground-muted"


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
