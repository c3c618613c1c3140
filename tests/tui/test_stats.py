"""The stats screen: its numbers (reader.stats, no Textual), the store's counts behind
it, and what a user sees after pressing S on the list."""

from __future__ import annotations

from datetime import UTC, date, timedelta, timezone
from typing import Any

import pytest
from textual.app import App
from textual.binding import Binding
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Digits, Static

from reader.config import Config
from reader.keymap import default_keys
from reader.models import Annotation, ListedPaper, Paper
from reader.stats import (
    MonthCounts,
    month_of,
    papers_per_month,
    percent,
    top,
    triage_pace,
    upvote_histogram,
    view_stats,
    weekly_activity,
)
from reader.store import Library, open_library
from reader.tui.app import ReaderApp
from reader.tui.dialogs.help import HelpScreen
from reader.tui.screens.library import LibraryScreen
from reader.tui.screens.stats import StatsScreen
from reader.tui.widgets.charts import BarList, MonthChart, WeekChart
from reader.tui.widgets.paper_list import PaperList
from tests.support.pilot import choose_in_palette, resize, settle, type_keys, wait_until
from tests.support.store import ids, stored_id

# A Thursday; its week began on Monday 2026-11-23.
TODAY = date(2026, 11, 26)
QUIET = Config(read_delay=0)


def listed(paper_id: int, published: str | None = None, **fields: object) -> ListedPaper:
    values: dict[str, object] = {
        "id": paper_id,
        "arxiv_id": None,
        "title": f"Paper {paper_id}",
        "published": published,
        "upvotes": None,
        "github_url": None,
        "featured": None,
    }
    values.update(fields)
    return ListedPaper(**values)  # type: ignore[arg-type]


# -- reader.stats ---------------------------------------------------------------------


def test_month_of_reads_days_and_months_and_refuses_the_rest() -> None:
    assert month_of("2025-10-28") == "2025-10"
    assert month_of("2025-10") == "2025-10"
    assert [month_of(text) for text in ("2025", None, "", "Oct 2025", "2025-13-01")] == [None] * 5


def test_papers_per_month_keeps_empty_months_on_the_axis() -> None:
    counts = papers_per_month(["2024-11-03", "2025-01-20", "2025-01-02", "2024", None])
    assert counts.months == (("2024-11", 1), ("2024-12", 0), ("2025-01", 2))
    assert counts.undated == 2
    assert papers_per_month([None]) == MonthCounts((), 1)


def test_the_last_months_say_how_many_came_before() -> None:
    counts = papers_per_month(["2023-01-05", "2023-02-05", "2024-12-01", "2025-01-01"])
    assert len(counts.months) == 25
    shown, earlier = counts.last(24)
    assert shown[0] == ("2023-02", 1) and shown[-1] == ("2025-01", 1)
    assert earlier == 1
    assert counts.last(2) == ((("2024-12", 1), ("2025-01", 1)), 2)


def test_upvotes_fall_in_their_buckets_and_unknown_is_not_zero() -> None:
    votes = [0, 1, 4, 5, 9, 10, 24, 25, 49, 50, 99, 100, 5000, None, None]
    histogram = upvote_histogram(votes)
    assert histogram.buckets == (
        ("0", 1),
        ("1-4", 2),
        ("5-9", 2),
        ("10-24", 2),
        ("25-49", 2),
        ("50-99", 2),
        ("100+", 2),
    )
    assert histogram.unknown == 2


def test_marks_are_counted_per_week_back_from_today() -> None:
    activity = [
        ("2026-11-23T00:10:00+00:00", None, None),  # Monday of this week
        ("2026-11-22T23:50:00+00:00", "2026-11-26T09:00:00+00:00", None),  # Sunday before
        ("2026-09-07T08:00:00+00:00", None, "2026-09-06T08:00:00+00:00"),  # first week; before
        (None, None, "not a time"),
        ("2026-11-30T08:00:00+00:00", None, None),  # next week: not yet shown
    ]
    weekly = weekly_activity(activity, TODAY, weeks=12, tz=UTC)
    assert weekly.starts[0] == date(2026, 9, 7) and weekly.starts[-1] == date(2026, 11, 23)
    assert all(start.weekday() == 0 for start in weekly.starts)
    assert weekly.read == (1,) + (0,) * 9 + (1, 1)
    assert weekly.starred == (0,) * 11 + (1,)
    assert weekly.noted == (0,) * 12


def test_a_week_is_the_users_week_not_utcs() -> None:
    # Sunday 23:30 in London is Monday 01:30 in Athens: this week there.
    activity = [("2026-11-22T23:30:00+00:00", None, None)]
    assert weekly_activity(activity, TODAY, tz=UTC).read[-1] == 0
    assert weekly_activity(activity, TODAY, tz=timezone(timedelta(hours=2))).read[-1] == 1


def test_triage_pace_counts_decisions_per_day_and_their_median_time() -> None:
    decisions = [
        ("2026-11-26T08:00:00+00:00", 3.0),
        ("2026-11-26T08:00:05+00:00", 1.0),
        ("2026-11-20T10:00:00+00:00", 8.0),  # the first of the 7 days
        ("2026-11-19T23:30:00+00:00", 50.0),  # the day before them in UTC...
        ("not a time", 4.0),
    ]
    pace = triage_pace(decisions, TODAY, days=7, tz=UTC)
    assert [count for _, count in pace.days] == [1, 0, 0, 0, 0, 0, 2]
    assert pace.days[0][0] == date(2026, 11, 20) and pace.median_seconds == 3.0
    assert pace.describe() == "3 papers triaged in the last 7 days; a median 3.0 s a decision"
    # ...but the first of them an hour east.
    assert triage_pace(decisions, TODAY, tz=timezone(timedelta(hours=1))).decided == 4
    assert triage_pace([], TODAY).describe().startswith("No paper triaged in the last 7 days")


def test_top_ranks_by_count_then_name_and_drops_zeros() -> None:
    assert top(["b", "a", "b", "c", "a", "d"], 3) == (("a", 2), ("b", 2), ("c", 1))
    assert top({"x": 0, "y": 3}, 5) == (("y", 3),)


def test_view_stats_count_only_the_papers_in_the_view() -> None:
    papers = [
        listed(1, "2025-01-02", upvotes=3),
        listed(2, None, featured="2025-03-04", upvotes=120),
        listed(3, "2025", upvotes=None),
    ]
    marks = {
        1: Annotation(1, starred=True, read_at="2026-11-24T10:00:00+00:00", tags=("nlp",)),
        2: Annotation(2, note="thoughts", tags=("nlp", "vision")),
        9: Annotation(9, starred=True, tags=("elsewhere",)),  # not in the view
    }
    stats = view_stats(papers, marks, activity=[], authors=[("Ana", 2)], today=TODAY, tz=UTC)
    head = stats.headline
    assert (head.papers, head.read, head.starred, head.noted) == (3, 1, 1, 1)
    assert head.read_share == "33.3%"
    # The day featured stands in for a missing date; a bare year has no month.
    assert stats.months.months == (("2025-01", 1), ("2025-02", 0), ("2025-03", 1))
    assert stats.months.undated == 1
    assert dict(stats.upvotes.buckets)["100+"] == 1 and stats.upvotes.unknown == 1
    assert stats.tags == (("nlp", 2), ("vision", 1))
    assert stats.authors == (("Ana", 2),)


# -- the store ------------------------------------------------------------------------


def test_author_counts_rank_the_authors_of_the_given_papers() -> None:
    library = open_library(None)
    library.import_papers(
        [
            Paper("One", "2401.00001", authors=("Ana Ruiz", "Bo Li")),
            Paper("Two", "2401.00002", authors=("Bo Li", "[b]Cy[/b]")),
            Paper("Three", "2401.00003", authors=("Bo Li", "Ana Ruiz")),
            Paper("Four", "2401.00004", authors=("Dee",), author_count=1),
        ]
    )
    by_title = {paper.title: stored_id(paper) for paper in library.papers()}
    everything = [by_title[title] for title in ("One", "Two", "Three", "Four")]
    assert library.author_counts(everything, 3) == [("Bo Li", 3), ("Ana Ruiz", 2), ("Dee", 1)]
    assert library.author_counts([by_title["Two"], by_title["Four"]], 10) == [
        ("Bo Li", 1),
        ("Dee", 1),
        ("[b]Cy[/b]", 1),
    ]
    assert library.author_counts([], 5) == []
    # The same from the word index's own connection, which a worker thread may use.
    assert library.words().author_counts(everything, 3) == library.author_counts(everything, 3)


def test_activity_can_be_limited_to_some_papers() -> None:
    library = open_library(None)
    library.import_papers([Paper("A", "2401.00001"), Paper("B", "2401.00002")])
    a, b = sorted(paper.id for paper in library.papers() if paper.id is not None)
    library.set_read("ana", [a, b], True)
    library.set_starred("ana", b, True)
    assert len(library.activity("ana")) == 2
    ((read_at, starred_at, noted_at),) = library.activity("ana", [b])
    assert read_at is not None and starred_at is not None and noted_at is None
    assert library.activity("ana", []) == []


# -- the screen -----------------------------------------------------------------------


def open_app(library: Library, config: Config = QUIET) -> ReaderApp:
    return ReaderApp(library, "ana", config=config, today=lambda: TODAY)


def lines(widget: Widget) -> list[str]:
    """What ``widget`` shows, line by line."""
    return [widget.render_line(y).text for y in range(widget.outer_size.height)]


def said(panel: Widget) -> str:
    """The sentences in ``panel`` (its Static texts), as one line."""
    return " ".join(" ".join(str(text.render()).split()) for text in panel.query(Static))


def stats_screen(app: App[None]) -> StatsScreen:
    assert isinstance(app.screen, StatsScreen)
    return app.screen


async def open_stats(pilot: Pilot[None]) -> StatsScreen:
    await settle(pilot)
    await pilot.press("S")
    await pilot.pause()
    return await computed(pilot)


async def computed(pilot: Pilot[None]) -> StatsScreen:
    """The stats screen once its worker has read the library and the charts are up."""
    screen = stats_screen(pilot.app)
    for _ in range(200):
        if not screen.papers:
            return screen  # nothing to compute: it says so at once
        if screen.stats is not None and screen.query("#stats-panels"):
            await pilot.pause()
            return screen
        await pilot.pause(0.02)
    raise AssertionError("the stats were never shown")


def figure(screen: StatsScreen, name: str) -> str:
    return screen.query_one(f"#figure-{name} Digits", Digits).value


def label(screen: StatsScreen, name: str) -> str:
    return str(screen.query_one(f"#figure-{name} .figure-label", Static).render())


@pytest.fixture
def marked(library: Library, monkeypatch: pytest.MonkeyPatch) -> Library:
    """The sample with marks made this week (a Tuesday, 2026-11-24) and long before."""
    from reader.store import clock

    papers = library.papers()
    now = clock.now
    monkeypatch.setattr(clock, "now", lambda: "2026-11-24T12:00:00+00:00")
    library.set_read("ana", ids(papers[:6]), True)
    library.set_starred("ana", stored_id(papers[0]), True)
    library.set_note("ana", stored_id(papers[1]), "worth a second look")
    library.change_tags("ana", ids(papers[:3]), add=["restoration"])
    library.change_tags("ana", [stored_id(papers[0])], add=["[b]bold[/b]"])
    for paper, seconds in zip(papers[20:23], (2.0, 9.0, 4.0), strict=True):
        library.log_decision("ana", stored_id(paper), "skip", seconds)  # in triage mode
    library.log_decision("bo", stored_id(papers[0]), "star", 1.0)  # not ana's
    monkeypatch.setattr(clock, "now", lambda: "2026-10-06T12:00:00+00:00")  # 7 weeks back
    library.set_read("ana", [stored_id(papers[10])], True)
    library.log_decision("ana", stored_id(papers[11]), "star", 30.0)  # before the week shown
    monkeypatch.setattr(clock, "now", now)
    return library


def test_a_share_read_is_given_to_a_tenth_and_never_rounded_to_none_or_all() -> None:
    assert percent(4, 154) == "2.6%"
    assert percent(7, 39) == "17.9%"
    assert percent(1, 2) == "50%"
    assert percent(1, 16) == "6.3%"  # 6.25: halves go up
    assert percent(0, 154) == "0%" and percent(0, 0) == "0%"
    assert percent(154, 154) == "100%"
    assert percent(1, 100_000) == "<0.1%"
    assert percent(99_999, 100_000) == ">99.9%"


async def test_s_shows_the_whole_view_as_figures_and_charts(marked: Library) -> None:
    app = open_app(marked)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_stats(pilot)
        assert screen.sub_title == "ana · Stats · All · 39 papers"
        assert figure(screen, "papers") == "39"
        assert figure(screen, "read") == "7"
        assert label(screen, "read") == "read (17.9%)"  # 7 of 39
        assert figure(screen, "starred") == "1" and figure(screen, "noted") == "1"
        # Papers per month: the sample's last 24 months, with what came before.
        chart = screen.query_one(MonthChart)
        months, earlier = chart.shown()
        assert months[-1] == ("2025-10", 1) and months[0][0] == "2023-11"
        assert sum(n for _, n in months) + earlier + chart.counts.undated == 39
        shown = lines(chart)
        assert shown[0].split() == ["3", "█"]  # the busiest month, to scale
        assert shown[-3].split()[:4] == ["N", "D", "J", "F"]
        assert "2024" in shown[-2] and "2025" in shown[-2]
        assert shown[-1] == "most in Apr 2025: 3 · 15 earlier · 1 without a month"
        # Upvotes: the sample has few counts; the rest are said to have none.
        upvotes = lines(screen.query_one("#upvotes", BarList))
        assert upvotes[1].split()[0] == "1-4" and upvotes[1].split()[-1] == "5"
        assert said(screen.query_one("#panel-upvotes")) == "and 33 papers without an upvote count"
        # Marks per week: this week's and the one 7 weeks back.
        weekly = screen.query_one(WeekChart).weekly
        assert weekly.starts[-1] == date(2026, 11, 23)
        assert weekly.read[-1] == 6 and weekly.read[-8] == 1 and sum(weekly.read) == 7
        assert weekly.starred[-1] == 1 and weekly.noted[-1] == 1
        totals = {
            words[0]: words[-1]
            for words in map(str.split, lines(screen.query_one(WeekChart)))
            if words and words[0] in ("read", "starred", "noted")
        }
        assert totals == {"read": "7", "starred": "1", "noted": "1"}
        tags = lines(screen.query_one("#tags", BarList))
        assert tags[0].split()[0] == "restoration" and tags[0].split()[-1] == "3"
        # Triage mode's pace: ana's decisions of the last 7 days, per day.
        assert said(screen.query_one("#panel-triage")).startswith(
            "3 papers triaged in the last 7 days; a median 4.0 s a decision"
        )
        days = [line.split() for line in lines(screen.query_one("#triage-days", BarList))]
        assert [(d[0], d[1], d[-1]) for d in days] == [
            ("Nov", "20", "0"),
            ("Nov", "21", "0"),
            ("Nov", "22", "0"),
            ("Nov", "23", "0"),
            ("Nov", "24", "3"),
            ("Nov", "25", "0"),
            ("Nov", "26", "0"),
        ]


async def test_the_stats_follow_the_filter(marked: Library) -> None:
    app = open_app(marked)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await type_keys(pilot, "slash", *"restoration", "enter")
        await settle(pilot)
        shown = list(app.screen.query_one(PaperList).paper_ids)
        assert 0 < len(shown) < 39
        screen = await open_stats(pilot)
        assert screen.sub_title == f"ana · Stats · All · “restoration” · {len(shown)} papers"
        assert figure(screen, "papers") == str(len(shown))
        counts = screen.query_one(MonthChart).counts
        assert sum(n for _, n in counts.months) + counts.undated == len(shown)
        # Only the marks of the papers in the view: 7 read in the library, fewer here.
        read_here = sum(1 for i in shown if marked.annotation("ana", i).is_read)
        assert sum(screen.query_one(WeekChart).weekly.read) == read_here < 7


async def test_esc_and_q_go_back_to_the_list_where_it_was(library: Library) -> None:
    app = open_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j", "j", "j")
        papers = app.screen.query_one(PaperList)
        at = papers.highlighted
        for key in ("escape", "q"):
            await pilot.press("S")
            await pilot.pause()
            assert isinstance(app.screen, StatsScreen)
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, LibraryScreen)
            assert app.screen.query_one(PaperList).highlighted == at
        assert app.is_running  # q closed the stats, not the app


async def test_author_names_and_tags_show_as_written_never_as_markup(
    library: Library,
) -> None:
    library.import_papers(
        [
            Paper("Markup one", "2501.00001", authors=("[bold]Ana[/bold]", "[red]Bo")),
            Paper("Markup two", "2501.00002", authors=("[bold]Ana[/bold]",)),
        ]
    )
    new = ids(p for p in library.papers() if p.title.startswith("Markup"))
    library.change_tags("ana", new, add=["[i]x[/i]"])
    app = open_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_stats(pilot)
        authors = lines(screen.query_one("#authors", BarList))
        assert authors[0].startswith("[bold]Ana[/bold] ") and authors[0].endswith(" 2")
        assert authors[1].startswith("[red]Bo ")
        assert lines(screen.query_one("#tags", BarList))[0].startswith("[i]x[/i] ")


async def test_an_empty_view_says_how_to_see_papers(library: Library) -> None:
    app = open_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await type_keys(pilot, "slash", *"zzzqqqxxx", "enter")
        await settle(pilot)
        screen = await open_stats(pilot)
        message = str(screen.query_one("#stats-empty", Static).render())
        assert message.startswith("No papers in this view")
        assert "press 1 for every paper" in message
        assert not screen.query(MonthChart)


async def test_an_empty_library_says_how_to_fill_it(empty_library: Library) -> None:
    app = open_app(empty_library)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_stats(pilot)
        message = str(screen.query_one("#stats-empty", Static).render())
        assert message.startswith("The library is empty") and "press f" in message


async def test_no_marks_this_quarter_says_how_to_make_some(library: Library) -> None:
    app = open_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_stats(pilot)
        assert not screen.query(WeekChart)
        assert said(screen.query_one("#panel-weeks")).startswith(
            "Nothing read, starred or noted here since Sep 7."
        )


async def test_panels_stack_when_narrow_and_never_overlap(marked: Library) -> None:
    """At its first size as opened, then resized to the others."""
    sizes = [(80, 24), (120, 40), (200, 60)]
    app = open_app(marked)
    async with app.run_test(size=sizes[0]) as pilot:
        screen = await open_stats(pilot)
        for size in sizes:
            await resize(pilot, size)
            panels = list(screen.query(".panel"))
            assert len(panels) == 6
            regions = [panel.virtual_region for panel in panels]
            for i, region in enumerate(regions):
                assert region.right <= size[0], size
                assert all(not region.overlaps(other) for other in regions[i + 1 :]), size
            columns = {region.x for region in regions}
            assert len(columns) == (1 if size[0] < 100 else 2), size
            # Every chart has room to draw: bars and labels are not cut off.
            chart = screen.query_one(MonthChart)
            assert len(chart.shown()[0]) == 24
            assert lines(chart)[-1].startswith("most in Apr 2025")


async def test_j_and_k_scroll_a_short_terminal(marked: Library) -> None:
    app = open_app(marked)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_stats(pilot)
        body = screen.query_one("#stats-body")
        assert body.max_scroll_y > 0
        await pilot.press("j", "j", "j")
        await pilot.pause()
        assert body.scroll_y == 3
        await pilot.press("k")
        await pilot.pause()
        assert body.scroll_y == 2


async def test_stats_wait_for_the_whole_library(library: Library) -> None:
    app = open_app(library)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, LibraryScreen)
        screen._loading = 1000  # as while a large library's rows are still being read
        await pilot.press("S")
        await pilot.pause()
        assert app.screen is screen
        assert any("Still reading" in str(n.message) for n in app._notifications)


async def test_the_palette_help_and_config_know_the_stats(library: Library) -> None:
    assert "library.stats" in default_keys()
    app = open_app(library, Config(read_delay=0, keys=(("library.stats", "ctrl+g"),)))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert "Stats for this view" in titles
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        rows = {ident: keys for keys, _desc, ident in app.screen._rows}
        assert rows["library.stats"] == app.get_key_display(Binding("ctrl+g", ""))
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("S")  # remapped away
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert isinstance(app.screen, StatsScreen)
        await pilot.press("escape")
        await pilot.pause()
        await choose_in_palette(pilot, "Stats for this view", offers="Stats for this view")
        assert isinstance(app.screen, StatsScreen)


async def test_a_large_view_counts_its_authors_in_the_background(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from reader.store.words import Words
    from reader.tui.screens import stats as stats_module

    library.import_papers([Paper(f"By Ana {n}", f"2501.0000{n}", authors=("Ana",)) for n in (1, 2)])
    monkeypatch.setattr(stats_module, "AUTHORS_AT_ONCE", 10)
    release = threading.Event()
    original = Words.author_counts

    def slow(self: Words, paper_ids: list[int], limit: int) -> list[tuple[str, int]]:
        release.wait(10)
        return original(self, paper_ids, limit)

    monkeypatch.setattr(Words, "author_counts", slow)
    app = open_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_stats(pilot)
        # The charts are up while the authors are being counted.
        assert figure(screen, "papers") == "41"
        assert said(screen.query_one("#authors-box")) == "Counting the authors of 41 papers…"
        release.set()
        await settle(pilot)
        first = lines(screen.query_one("#authors", BarList))[0].split()
        assert (first[0], first[-1]) == ("Ana", "2")
        assert screen.stats is not None and screen.stats.authors == (("Ana", 2),)


@pytest.mark.parametrize("first", ["authors", "charts"])
async def test_a_large_views_authors_show_whichever_worker_ends_first(
    library: Library, monkeypatch: pytest.MonkeyPatch, first: str
) -> None:
    """The authors are counted beside the charts: the one may end before the other,
    even in the moment between the charts arriving and being drawn."""
    import threading

    from reader.store.words import Words
    from reader.tui.screens import stats as stats_module

    library.import_papers([Paper(f"By Ana {n}", f"2501.0000{n}", authors=("Ana",)) for n in (1, 2)])
    monkeypatch.setattr(stats_module, "AUTHORS_AT_ONCE", 10)
    counted, charted = threading.Event(), threading.Event()
    count, chart = Words.author_counts, Words.activity

    def authors(self: Words, paper_ids: list[int], limit: int) -> list[tuple[str, int]]:
        if first == "charts":
            charted.wait(10)
        try:
            return count(self, paper_ids, limit)
        finally:
            counted.set()

    def activity(self: Words, user: str, paper_ids: Any = None) -> Any:
        if first == "authors":
            counted.wait(10)
        try:
            return chart(self, user, paper_ids)
        finally:
            charted.set()

    monkeypatch.setattr(Words, "author_counts", authors)
    monkeypatch.setattr(Words, "activity", activity)
    app = open_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("S")
        await wait_until(
            pilot,
            lambda: isinstance(app.screen, StatsScreen) and bool(app.screen.query("#authors")),
            "the authors drawn",
        )
        screen = app.screen
        assert isinstance(screen, StatsScreen)
        first_row = lines(screen.query_one("#authors", BarList))[0].split()
        assert (first_row[0], first_row[-1]) == ("Ana", "2")
        assert figure(screen, "papers") == "41"


def test_large_counts_keep_to_four_digits() -> None:
    from reader.tui.screens.stats import _short

    assert [_short(n) for n in (0, 9999, 10_000, 123_456, 1_000_000, 12_500_000)] == [
        "0",
        "9999",
        "10k",
        "123k",
        "1M",
        "12M",
    ]


def test_the_month_axis_names_the_year_when_the_months_start_in_january() -> None:
    from reader.tui.widgets.charts import _years

    assert _years([("2025-01", 1), ("2025-02", 2)], 2) == "2025"
    two_years = [(f"{year}-{month:02d}", 1) for year in (2024, 2025) for month in range(1, 13)]
    assert _years(two_years, 2) == "2024".ljust(24) + "2025"
    # A January too close to the start for the first month's year: its own only.
    assert _years([("2024-11", 1), ("2024-12", 1), ("2025-01", 1)], 2) == "    2025"
