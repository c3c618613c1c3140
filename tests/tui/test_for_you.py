"""For you in the app, through Pilot: the view, the sort, fy:, the detail pane's why,
the "help it learn" list, and the stats screen's figures."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from reader.config import Config
from reader.store import Library, clock, open_library
from reader.tui.app import ReaderApp
from reader.tui.screens import library_ranking
from reader.tui.screens.library import LibraryScreen
from reader.tui.screens.stats import MEASURING, StatsScreen
from tests.support.pilot import (
    highlighted_id,
    library_screen,
    settle,
    shown_ids,
    sub_title,
    type_keys,
    wait_until,
)
from tests.support.topics import topic_papers

QUIET = Config(read_delay=0)
PER_TOPIC = 20


@pytest.fixture
def topics(db_path: Path) -> Iterator[tuple[Library, dict[int, str]]]:
    """A library of three topics' papers, ana's stars on eight vision papers, and
    each paper's topic by id."""
    library = open_library(db_path)
    pairs = topic_papers(PER_TOPIC)
    library.import_papers([paper for _, paper in pairs])
    by_arxiv = {paper.arxiv_id: topic for topic, paper in pairs}
    topic_of = {p.id: by_arxiv[p.arxiv_id] for p in library.papers() if p.id is not None}
    vision = sorted(i for i, t in topic_of.items() if t == "vision")
    library.set_starred_many("ana", vision[:8], True)
    yield library, topic_of
    library.close()


def make_app(library: Library) -> ReaderApp:
    return ReaderApp(library, "ana", config=QUIET)


def ranked(app: ReaderApp) -> bool:
    return library_screen(app)._ranking is not None


async def press_and_rank(pilot: Pilot[None], *keys: str) -> None:
    """Type ``keys`` (which ask for the ranking) and wait until it is made and shown."""
    await settle(pilot)
    await type_keys(pilot, *keys)
    await wait_until(pilot, lambda: ranked(pilot.app), "a ranking")  # type: ignore[arg-type]
    await settle(pilot)


def why_text(app: ReaderApp) -> str:
    part = app.screen.query_one("#detail-why", Static)
    return "" if part.has_class("-hidden") else str(part.render())


async def test_nothing_is_ranked_until_asked(topics: tuple[Library, dict[int, str]]) -> None:
    library, _ = topics
    app = make_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert not library_screen(app)._ranking_wanted
        assert not [w for w in app.workers if w.group == "rank"]
        assert why_text(app) == ""


async def test_the_for_you_view_puts_the_starred_topic_first(
    topics: tuple[Library, dict[int, str]],
) -> None:
    library, topic_of = topics
    app = make_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await press_and_rank(pilot, "7")
        title = sub_title(app)
        assert "For you" in title and "for you" in title
        shown = shown_ids(app)
        starred = {i for i, m in library.annotations("ana").items() if m.starred}
        # Unread and unstarred only, the starred topic first.
        assert not set(shown) & starred and len(shown) == 3 * PER_TOPIC - 8
        assert sum(topic_of[i] == "vision" for i in shown[:10]) >= 8
        assert highlighted_id(app) == shown[0]
        # The detail pane says why, in the paper's own words.
        await wait_until(pilot, lambda: "learned from 8 papers" in why_text(app), "the why")
        why = why_text(app)
        assert why.startswith("For you 0.") and "\nup: " in why and "\nLike “" in why


async def test_a_star_re_ranks_and_the_score_filter_follows(
    topics: tuple[Library, dict[int, str]],
) -> None:
    library, topic_of = topics
    app = make_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await type_keys(pilot, "/", *"fy:>0.5", "enter")
        await wait_until(pilot, lambda: ranked(app) and shown_ids(app), "papers over 0.5")
        screen = library_screen(app)
        first = screen._ranking
        assert first is not None
        over = {i for i, s in first.scores.items() if round(s * 1000) > 500}
        await wait_until(pilot, lambda: set(shown_ids(app)) == over, "the fy: matches")
        assert {topic_of[i] for i in over} == {"vision"}
        # One more star: trained again, off the UI thread.
        await type_keys(pilot, "escape", "escape", "1")
        await settle(pilot)
        before = screen._marks_version
        await type_keys(pilot, "s")
        await wait_until(
            pilot,
            lambda: screen._ranking is not first and screen._marks_version > before,
            "a new ranking",
        )
        assert screen._ranking is not None and screen._ranking.positives == 9


async def test_o_reaches_for_you(topics: tuple[Library, dict[int, str]]) -> None:
    library, topic_of = topics
    app = make_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for _ in range(4):  # from newest: upvotes, github, title, for you
            await type_keys(pilot, "O")
        await wait_until(pilot, lambda: sub_title(app).endswith("for you"), "sorted for you")
        await wait_until(pilot, lambda: ranked(app), "a ranking")
        await settle(pilot)
        shown = shown_ids(app)
        # Every paper still listed, the starred ones among the first (they are like
        # themselves), then the rest of their topic.
        assert len(shown) == 3 * PER_TOPIC
        assert sum(topic_of[i] == "vision" for i in shown[:PER_TOPIC]) >= PER_TOPIC - 2


async def test_help_it_learn_lists_the_unsure_and_a_star_moves_on(
    topics: tuple[Library, dict[int, str]],
) -> None:
    library, _ = topics
    app = make_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await press_and_rank(pilot, "U")
        screen = library_screen(app)
        assert "Help it learn" in sub_title(app) and "least sure first" in sub_title(app)
        ranking = screen._ranking
        assert ranking is not None
        shown = shown_ids(app)
        assert shown and shown == ranking.unsure(set(shown), 50)
        gaps = [abs(ranking.scores[i] - 0.5) for i in shown]
        assert gaps == sorted(gaps)
        first = highlighted_id(app)
        await type_keys(pilot, "s")
        await settle(pilot)
        assert library.annotation("ana", first).starred
        assert highlighted_id(app) == shown[1]
        # Undo takes the star back; the list stays where it is.
        await type_keys(pilot, "z")
        await settle(pilot)
        assert not library.annotation("ana", first).starred


async def test_help_it_learn_waits_for_five_stars(db_path: Path) -> None:
    library = open_library(db_path)
    try:
        library.import_papers([paper for _, paper in topic_papers(5)])
        app = make_app(library)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await type_keys(pilot, "7")
            await wait_until(pilot, lambda: ranked(app), "a ranking")
            await settle(pilot)
            assert "upvotes and recency until 5 stars" in sub_title(app)
            await wait_until(pilot, lambda: "(0 so far)" in why_text(app), "the cold start why")
            await type_keys(pilot, "U")
            await settle(pilot)
            assert "Help it learn" not in sub_title(app)
            assert any(
                "Star, note or tag 5 papers first" in str(n.message) for n in app._notifications
            )
    finally:
        library.close()


def at(day: int) -> str:
    # After the fixture's stars, whatever day the tests run.
    return f"2099-03-{day:02d}T09:00:00+00:00"


async def test_the_stats_screen_measures_for_you(
    topics: tuple[Library, dict[int, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    library, topic_of = topics
    vision = sorted(i for i, t in topic_of.items() if t == "vision")
    for day, paper_id in enumerate(vision[8:12], start=10):
        monkeypatch.setattr(clock, "now", lambda day=day: at(day))
        library.set_starred_many("ana", [paper_id], True)
    app = make_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await type_keys(pilot, "S")
        await wait_until(pilot, lambda: isinstance(app.screen, StatsScreen), "the stats")

        def figures() -> str:
            parts = app.screen.query("#for-you-figures")
            return str(parts.first(Static).render()) if parts else ""

        try:
            await wait_until(pilot, lambda: figures() and MEASURING not in figures(), "figures")
        except AssertionError:  # say what the panel held then
            raise AssertionError(f"never: figures; the panel says {figures()!r}") from None
        text = figures()
        assert "precision@10" in text and "recall@50" in text
        assert "For you" in text and "Newest first" in text and "Most upvoted" in text


async def test_the_stats_screen_says_when_there_is_too_little(library: Library) -> None:
    app = make_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await type_keys(pilot, "S")
        await wait_until(pilot, lambda: app.screen.query("#for-you-figures"), "the panel")
        text = str(app.screen.query_one("#for-you-figures", Static).render())
        assert text.startswith("Not measured yet: 0 papers starred, 8 needed")
        assert isinstance(app.screen, StatsScreen)
        assert not isinstance(app.screen, LibraryScreen)


async def test_papers_that_arrive_are_ranked(
    topics: tuple[Library, dict[int, str]], db_path: Path
) -> None:
    library, _ = topics
    app = make_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await press_and_rank(pilot, "7")
        # Another process (a fetch from cron) brings a paper on the starred topic.
        (_, paper), *_ = topic_papers(1, seed=42)
        other = open_library(db_path)
        try:
            other.import_papers([replace(paper, arxiv_id="2502.00001")])
            new_id = next(p.id for p in other.papers() if p.arxiv_id == "2502.00001")
        finally:
            other.close()
        screen = library_screen(app)
        screen.check_outside_changes()
        await wait_until(
            pilot,
            lambda: screen._ranking is not None and new_id in screen._ranking.scores,
            "the new paper ranked",
        )
        assert not screen._sync_due


async def test_a_first_count_of_the_words_is_said(
    topics: tuple[Library, dict[int, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    library, _ = topics
    monkeypatch.setattr(library_ranking, "COUNTING_SAID", 10)
    app = make_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await press_and_rank(pilot, "7")
        said = [str(n.message) for n in app._notifications]
        assert (
            f"Counting the words of {3 * PER_TOPIC} papers for For you, once: a few seconds."
            in said
        )
