"""The app's main states, each as a scenario: a library, a terminal size, and the keys
that lead there.

The snapshot tests (tests/snapshots/test_snapshots.py) and the screenshots in ``screenshots/``
(``python -m scripts.screenshots``) drive the real app through the same scenarios, so
what the README shows is what the tests check. Everything is fixed: the data (the
bundled sample, its dates resolved against :data:`FIXED_NOW`), the clock, the size.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from unittest.mock import patch

from textual.pilot import Pilot
from textual.widgets import TextArea

from reader.config import Config
from reader.models import Paper
from reader.sample import load_sample_if_empty
from reader.store import Library, clock
from reader.tui.app import ReaderApp

# The sample's year-less dates resolve against this, so every picture is the same.
FIXED_NOW = datetime(2026, 11, 26, 12, 0)
USER = "ana"

Steps = Callable[[Pilot[None]], Awaitable[None]]


async def _nothing(pilot: Pilot[None]) -> None:
    await pilot.pause()


@dataclass(frozen=True)
class Scenario:
    """One state of the app, reached the way a user reaches it."""

    name: str
    # What it shows, for the screenshot's title and the README.
    caption: str
    size: tuple[int, int] = (120, 40)
    steps: Steps = _nothing
    # The library's papers: the bundled sample, or none.
    sample: bool = True
    # Stars and notes on the first papers, as a user would have them.
    annotated: bool = True
    # No read delay: a paper marked read while the keys are pressed would be dated now.
    config: Config = field(default_factory=lambda: Config(read_delay=0))
    # Papers beyond the sample (newer than all of it: they come first).
    papers: tuple[Paper, ...] = ()

    def prepare(self, library: Library) -> None:
        """Fill an empty library for this scenario."""
        if self.sample:
            load_sample_if_empty(library, now=FIXED_NOW)
        if self.sample and self.annotated:
            annotate(library)
        if self.papers:
            library.import_papers(list(self.papers))

    def app(self, library: Library) -> ReaderApp:
        """The app, on ``library`` as :meth:`prepare` left it."""
        return ReaderApp(library, USER, config=self.config, today=FIXED_NOW.date)


def annotate(library: Library) -> None:
    """Marks as a user of some weeks has them, each made at a fixed moment: stars,
    tags and notes on the first papers of the list, and read papers all along it."""
    papers = library.listing()
    first, second, third = papers[:3]
    with _clock_at(FIXED_NOW - timedelta(days=2)):
        library.toggle_star(USER, first.id)
        library.change_tags(USER, [first.id, second.id], add=["to-read", "data"], remove=[])
        library.set_note(
            USER,
            second.id,
            "## Why read it\n\n- data repetition\n- **scaling** laws hold past four epochs",
        )
        library.toggle_star(USER, third.id)
    # Some weeks of triage: a few papers read, starred or noted each week.
    for n, paper in enumerate(papers[3:30]):
        with _clock_at(FIXED_NOW - timedelta(days=3 + n * 2, hours=n % 5)):
            library.set_read(USER, [paper.id], True)
            if n % 4 == 0:
                library.toggle_star(USER, paper.id)
            if n % 6 == 0:
                library.set_note(USER, paper.id, f"Compare with the paper {n} weeks back.")
            if n % 3 == 0:
                library.change_tags(USER, [paper.id], add=["restoration"], remove=[])


@contextmanager
def _clock_at(moment: datetime) -> Iterator[None]:
    """The store dates marks with this moment (UTC) instead of now."""
    stamp = moment.replace(tzinfo=UTC).isoformat(timespec="seconds")
    with patch.object(clock, "now", lambda: stamp):
        yield


_FIRST_NAMES = (
    "Ada Ben Chen Dana Eli Fatima Gao Hana Ivan Jun Kai Lena Mateo Nora Omar Priya "
    "Quinn Rosa Sven Tara Umar Vera Wei Xena Yuki Zoe Arjun Bea Carlos Dmitri Emma "
    "Felix Grace Hugo"
)
_LAST_NAMES = (
    "Lovelace Okafor Wang Levi Cohen Haddad Min Sato Petrov Park Müller Novak Silva "
    "Berg Nasser Iyer Hughes Rossi Lund Bose Farouk Ivanova Zhang Kim Tanaka Adams "
    "Rao Klein Ruiz Orlov Weber Brandt Lee Martin"
)
# A paper as the Hugging Face API gives it: everything HF knows, and a long author list.
HF_PAPER = Paper(
    title="Scaling Open Mixture-of-Experts Language Models to Trillions of Tokens",
    arxiv_id="2611.01234",
    arxiv_version=2,
    abstract=(
        "We train a family of open mixture-of-experts language models on up to four "
        "trillion tokens and study how routing, expert count and data mixture interact "
        "at scale. Our largest model matches dense models with three times its active "
        "parameters on reasoning and coding benchmarks. We release weights, data "
        "recipes and training logs."
    ),
    authors=tuple(
        f"{first} {last}"
        for first, last in zip(
            _FIRST_NAMES.split(),
            _LAST_NAMES.split(),
            strict=True,
        )
    ),
    published="2026-11-20",
    updated="2026-11-22",
    featured="2026-11-24",
    upvotes=128,
    num_comments=7,
    github_url="https://github.com/example/open-moe",
    github_stars=2345,
    categories=("cs.CL", "cs.LG"),
    primary_category="cs.CL",
    ai_summary=(
        "Open mixture-of-experts models trained on four trillion tokens match dense "
        "models three times their active size; weights and recipes are released."
    ),
    ai_keywords=("mixture of experts", "scaling laws", "routing", "open models"),
)


async def show_note(pilot: Pilot[None]) -> None:
    await pilot.press("j")
    await pilot.pause(0.1)


async def filter_words(pilot: Pilot[None]) -> None:
    await pilot.press("slash", *"image restoration")
    await pilot.app.workers.wait_for_complete()
    await pilot.press("enter")
    await pilot.pause(0.1)


async def no_match(pilot: Pilot[None]) -> None:
    await pilot.press("slash", *"zzyzx quux")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause(0.1)


async def edit_note(pilot: Pilot[None]) -> None:
    await pilot.press("n")
    await pilot.pause()
    pilot.app.screen.query_one(TextArea).insert("First thoughts: *promising*, check table 2.")
    await pilot.pause()


async def open_stats(pilot: Pilot[None]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.press("S")
    # The stats are read in a worker, then drawn.
    for _ in range(200):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if pilot.app.screen.query("#stats-panels"):
            break
    await pilot.pause()


async def open_help(pilot: Pilot[None]) -> None:
    await pilot.press("question_mark")
    await pilot.pause()


async def open_palette(pilot: Pilot[None]) -> None:
    await pilot.press("ctrl+p")
    await pilot.pause()
    await pilot.press(*"export")
    # The palette searches in a worker: its results, not a guess at how long it takes.
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


SCENARIOS = (
    Scenario("library", "The library: list, detail pane, a note", steps=show_note),
    Scenario("filtered", "Filtering as you type, matches highlighted", steps=filter_words),
    Scenario("note-editor", "Writing a note in Markdown", steps=edit_note),
    Scenario("help", "Every key, and what it does", steps=open_help),
    Scenario("palette", "The command palette", steps=open_palette),
    Scenario("stats", "The library as pictures: this view's stats", steps=open_stats),
    Scenario(
        "light",
        "The light theme",
        steps=show_note,
        config=Config(theme="textual-light", read_delay=0),
    ),
    Scenario("small", "An 80x24 terminal", size=(80, 24), steps=show_note),
    Scenario("wide", "A 200x60 terminal: authors and tags", size=(200, 60), steps=show_note),
    Scenario("no-match", "A filter that matches nothing", steps=no_match),
    Scenario("empty", "First run on an empty library", sample=False),
    Scenario(
        "hugging-face",
        "What Hugging Face knows: AI summary, keywords, counts; 34 authors folded",
        papers=(HF_PAPER,),
    ),
)


def scenario(name: str) -> Scenario:
    for each in SCENARIOS:
        if each.name == name:
            return each
    raise KeyError(name)
