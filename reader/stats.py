"""The numbers behind the stats screen: papers per month, upvotes in buckets, marks
per week, top tags and authors. Pure: papers, marks and dates in, counts out.

Nothing here knows about Textual or SQL; the screen draws what these return.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

from reader.models import Annotation, ListedPaper

# (label, lowest, highest or None for no limit): upvotes spread over orders of
# magnitude, so equal-width buckets would put nearly every paper in the first.
UPVOTE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0", 0, 0),
    ("1-4", 1, 4),
    ("5-9", 5, 9),
    ("10-24", 10, 24),
    ("25-49", 25, 49),
    ("50-99", 50, 99),
    ("100+", 100, None),
)
# The most months the chart shows, and how many weeks of marks.
MONTHS = 24
WEEKS = 12
# How many days of triage the stats show.
TRIAGE_DAYS = 7


@dataclass(frozen=True, slots=True)
class MonthCounts:
    """Papers per month (``YYYY-MM``), every month from the first to the last with
    a paper (empty ones included, so the axis is time), and those without a month."""

    months: tuple[tuple[str, int], ...]
    undated: int

    def last(self, n: int) -> tuple[tuple[tuple[str, int], ...], int]:
        """The last ``n`` months, and how many papers came before them."""
        if n <= 0:
            return (), sum(count for _, count in self.months)
        shown = self.months[-n:]
        earlier = sum(count for _, count in self.months[: len(self.months) - len(shown)])
        return shown, earlier


@dataclass(frozen=True, slots=True)
class Histogram:
    """Papers per upvote bucket (:data:`UPVOTE_BUCKETS` order) and those with no count."""

    buckets: tuple[tuple[str, int], ...]
    unknown: int


@dataclass(frozen=True, slots=True)
class Weekly:
    """How many papers were read, starred and noted in each of the last weeks.

    ``starts`` are the Mondays, oldest first; the last is the week of "today".
    """

    starts: tuple[date, ...]
    read: tuple[int, ...]
    starred: tuple[int, ...]
    noted: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Headline:
    """The figures at the top: papers in the view and how many of them are marked."""

    papers: int
    read: int
    starred: int
    noted: int

    @property
    def read_share(self) -> str:
        """The share read, as :func:`percent` writes it ("2.6%")."""
        return percent(self.read, self.papers)


@dataclass(frozen=True, slots=True)
class TriagePace:
    """Triage mode over the last days: papers decided each day (oldest first, every
    day shown, the last is "today") and the median seconds a paper was on show
    before its decision (None: no decision in those days)."""

    days: tuple[tuple[date, int], ...]
    median_seconds: float | None

    @property
    def decided(self) -> int:
        return sum(count for _, count in self.days)

    def describe(self) -> str:
        """One line: "47 papers triaged in the last 7 days; a median 3.2 s a decision"."""
        if self.median_seconds is None:
            return (
                f"No paper triaged in the last {len(self.days)} days: "
                "T on the list starts triage mode."
            )
        return (
            f"{self.decided} {'paper' if self.decided == 1 else 'papers'} triaged in the last "
            f"{len(self.days)} days; a median {self.median_seconds:.1f} s a decision"
        )


def triage_pace(
    decisions: Iterable[tuple[str, float]],
    today: date,
    *,
    days: int = TRIAGE_DAYS,
    tz: tzinfo | None = None,
) -> TriagePace:
    """Count triage ``decisions`` (when, seconds on show) per day over the ``days``
    days that end with ``today``, days taken in ``tz`` (None: local time)."""
    first = today - timedelta(days=days - 1)
    counts = [0] * days
    seconds: list[float] = []
    for at, shown in decisions:
        day = _day_of(at, tz)
        if day is None or not first <= day <= today:
            continue
        counts[(day - first).days] += 1
        seconds.append(shown)
    shown_days = tuple((first + timedelta(days=i), counts[i]) for i in range(days))
    return TriagePace(shown_days, statistics.median(seconds) if seconds else None)


def percent(part: int, whole: int) -> str:
    """``part`` of ``whole`` in percent, to a tenth: "2.6%", "50%". Never 0% or 100%
    unless it is: "<0.1%" and ">99.9%" for the last tenth at either end."""
    if whole <= 0 or part <= 0:
        return "0%"
    if part >= whole:
        return "100%"
    tenths = (part * 2000 + whole) // (2 * whole)  # halves up, in whole numbers
    if tenths == 0:
        return "<0.1%"
    if tenths == 1000:
        return ">99.9%"
    whole_part, tenth = divmod(tenths, 10)
    return f"{whole_part}%" if tenth == 0 else f"{whole_part}.{tenth}%"


@dataclass(frozen=True, slots=True)
class ViewStats:
    """Everything the stats screen shows about one view."""

    headline: Headline
    months: MonthCounts
    upvotes: Histogram
    weekly: Weekly
    tags: tuple[tuple[str, int], ...]
    authors: tuple[tuple[str, int], ...]
    # Triage mode's pace (the user's, over every view).
    triage: TriagePace | None = None


def month_of(day: str | None) -> str | None:
    """``YYYY-MM`` of a ``YYYY-MM-DD`` or ``YYYY-MM`` date; None for a bare year or junk."""
    if not day or len(day) < 7 or day[4] != "-":
        return None
    year, month = day[:4], day[5:7]
    if not (year.isdigit() and month.isdigit() and 1 <= int(month) <= 12):
        return None
    return f"{year}-{month}"


def _next_month(month: str) -> str:
    year, number = int(month[:4]), int(month[5:7])
    return f"{year + number // 12:04d}-{number % 12 + 1:02d}"


def papers_per_month(days: Iterable[str | None]) -> MonthCounts:
    """Count papers by the month of their date (``None``: no date)."""
    counts: Counter[str] = Counter()
    undated = 0
    # A library's dates are few among many papers: each distinct one is read once.
    for day, papers in Counter(days).items():
        month = month_of(day)
        if month is None:
            undated += papers
        else:
            counts[month] += papers
    if not counts:
        return MonthCounts((), undated)
    month, last = min(counts), max(counts)
    months = [(month, counts[month])]
    while month != last:
        month = _next_month(month)
        months.append((month, counts[month]))
    return MonthCounts(tuple(months), undated)


def upvote_histogram(upvotes: Iterable[int | None]) -> Histogram:
    """Count papers per bucket of :data:`UPVOTE_BUCKETS`; None is "no count", not 0."""
    counts = [0] * len(UPVOTE_BUCKETS)
    unknown = 0
    for votes in upvotes:
        if votes is None:
            unknown += 1
            continue
        for i, (_, low, high) in enumerate(UPVOTE_BUCKETS):
            if votes >= low and (high is None or votes <= high):
                counts[i] += 1
                break
        else:
            unknown += 1  # negative: not a count anyone made
    labels = (label for label, _, _ in UPVOTE_BUCKETS)
    return Histogram(tuple(zip(labels, counts, strict=True)), unknown)


def week_start(day: date) -> date:
    """The Monday of ``day``'s ISO week."""
    return day - timedelta(days=day.weekday())


def _day_of(timestamp: str, tz: tzinfo | None) -> date | None:
    """The day of an ISO timestamp in ``tz`` (None: the local time zone)."""
    try:
        moment = datetime.fromisoformat(timestamp)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # the store writes UTC
    return moment.astimezone(tz).date()


def weekly_activity(
    activity: Iterable[tuple[str | None, str | None, str | None]],
    today: date,
    *,
    weeks: int = WEEKS,
    tz: tzinfo | None = None,
) -> Weekly:
    """Count (read_at, starred_at, noted_at) timestamps per week over the ``weeks``
    weeks that end with ``today``'s. Days are taken in ``tz`` (None: local time), so a
    paper read late on Sunday evening counts in that week wherever the user is."""
    first = week_start(today) - timedelta(weeks=weeks - 1)
    starts = tuple(first + timedelta(weeks=i) for i in range(weeks))
    series = [[0] * weeks for _ in range(3)]
    for marks in activity:
        for counts, timestamp in zip(series, marks, strict=True):
            day = _day_of(timestamp, tz) if timestamp else None
            if day is None or day < first:
                continue
            index = (day - first).days // 7
            if index < weeks:
                counts[index] += 1
    read, starred, noted = (tuple(counts) for counts in series)
    return Weekly(starts, read, starred, noted)


def top(counts: Mapping[str, int] | Iterable[str], n: int) -> tuple[tuple[str, int], ...]:
    """The ``n`` most frequent names, most first, ties in alphabetical order."""
    tally = counts if isinstance(counts, Mapping) else Counter(counts)
    ranked = sorted(tally.items(), key=lambda item: (-item[1], item[0]))
    return tuple((name, count) for name, count in ranked[:n] if count > 0)


def headline(paper_ids: Iterable[int], marks: Mapping[int, Annotation]) -> Headline:
    """How many of ``paper_ids`` there are, and how many are read, starred, noted."""
    papers = read = starred = noted = 0
    for paper_id in paper_ids:
        papers += 1
        mark = marks.get(paper_id)
        if mark is None:
            continue
        read += mark.is_read
        starred += mark.starred
        noted += mark.has_note
    return Headline(papers, read, starred, noted)


def view_stats(
    papers: Sequence[ListedPaper],
    marks: Mapping[int, Annotation],
    *,
    activity: Iterable[tuple[str | None, str | None, str | None]],
    authors: Sequence[tuple[str, int]],
    today: date,
    top_n: int = 6,
    tz: tzinfo | None = None,
    decisions: Iterable[tuple[str, float]] = (),
) -> ViewStats:
    """Everything the stats screen shows about ``papers`` (the view), given the
    user's ``marks``, the ``activity`` of those papers (see ``Library.activity``),
    their most frequent ``authors`` (see ``Library.author_counts``) and the user's
    triage ``decisions`` (see ``Library.decisions``)."""
    ids = [paper.id for paper in papers]
    tags = (tag for paper_id in ids if (mark := marks.get(paper_id)) for tag in mark.tags)
    return ViewStats(
        headline=headline(ids, marks),
        # The arXiv date; the day it was featured when the paper has no other.
        months=papers_per_month(_dates(papers)),
        upvotes=upvote_histogram(paper.upvotes for paper in papers),
        weekly=weekly_activity(activity, today, tz=tz),
        tags=top(tags, top_n),
        authors=tuple(authors[:top_n]),
        triage=triage_pace(decisions, today, tz=tz),
    )


def _dates(papers: Sequence[ListedPaper]) -> list[str | None]:
    """Each paper's arXiv date; the day it was featured when it has no other (a
    date that names no month counts as none). Checked once per distinct date."""
    dated: dict[str | None, bool] = {}
    found: list[str | None] = []
    for paper in papers:
        published = paper.published
        has_month = dated.get(published)
        if has_month is None:
            has_month = dated[published] = month_of(published) is not None
        found.append(published if has_month else paper.featured)
    return found
