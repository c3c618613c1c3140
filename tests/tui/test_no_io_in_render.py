"""Nothing is read from the library while the list draws a row or a screen composes:
rows carry what they draw, and the stats are read in a worker."""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest
from textual.pilot import Pilot

from reader.config import Config
from reader.store import Library
from reader.store.words import Words
from reader.tui.app import ReaderApp
from reader.tui.screens.stats import StatsScreen
from reader.tui.widgets.paper_list import PaperList, short_authors


class Guard:
    """Records every read of the library made while drawing or composing."""

    def __init__(self) -> None:
        self.inside: list[str] = []
        self.reads: list[str] = []
        self.calls = 0
        # The thread that draws: a worker's read while a row is drawn is no read
        # made by the drawing.
        self._drawing_thread: int | None = None

    @contextmanager
    def drawing(self, what: str) -> Iterator[None]:
        self.inside.append(what)
        self._drawing_thread = threading.get_ident()
        try:
            yield
        finally:
            self.inside.pop()

    def watch(self, owner: type, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
        original: Callable[..., Any] = getattr(owner, name)

        def watched(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            if self.inside and threading.get_ident() == self._drawing_thread:
                self.reads.append(f"{owner.__name__}.{name} in {self.inside[-1]}")
            return original(*args, **kwargs)

        monkeypatch.setattr(owner, name, watched)


@pytest.fixture
def guard(monkeypatch: pytest.MonkeyPatch) -> Guard:
    """Every public method of Library and Words watched; the list's row drawing and
    the stats screen's compose marked as drawing."""
    found = Guard()
    for owner in (Library, Words):
        for name, _member in inspect.getmembers(owner, inspect.isfunction):
            if not name.startswith("_"):
                found.watch(owner, name, monkeypatch)
    render_line = PaperList.render_line

    def drawn(self: PaperList, y: int) -> Any:
        with found.drawing("PaperList.render_line"):
            return render_line(self, y)

    compose = StatsScreen.compose

    def composed(self: StatsScreen) -> Any:
        parts = iter(compose(self))
        while True:
            with found.drawing("StatsScreen.compose"):
                try:
                    part = next(parts)
                except StopIteration:
                    return
            yield part

    monkeypatch.setattr(PaperList, "render_line", drawn)
    monkeypatch.setattr(StatsScreen, "compose", composed)
    return found


async def settle(pilot: Pilot[None]) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_a_wide_list_draws_its_authors_without_reading_while_drawing(
    library: Library, guard: Guard
) -> None:
    app = ReaderApp(library, "ana", config=Config(read_delay=0))
    async with app.run_test(size=(250, 40)) as pilot:
        await settle(pilot)
        papers = app.screen.query_one(PaperList)
        first = library.paper(papers.paper_ids[0])
        assert first is not None
        byline = short_authors(first.authors, first.author_count)
        assert byline  # the sample knows how many authors each paper has
        for _ in range(50):  # the authors column fills in (read before drawing)
            if byline in "".join(s.text for s in papers.render_line(0)):
                break
            await pilot.pause(0.02)
        assert byline in "".join(s.text for s in papers.render_line(0))
        await pilot.press("G")  # rows never drawn before: read on the way, not in the draw
        await settle(pilot)
        assert guard.calls > 0
        assert guard.reads == []


async def test_the_stats_screen_reads_the_library_in_a_worker(
    library: Library, guard: Guard
) -> None:
    app = ReaderApp(library, "ana", config=Config(read_delay=0), today=lambda: date(2026, 11, 26))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("S")
        screen = app.screen
        assert isinstance(screen, StatsScreen)
        for _ in range(100):
            if screen.stats is not None and screen.query("#stats-panels"):
                break
            await pilot.pause(0.02)
        assert screen.stats is not None and screen.query("#stats-panels")
        assert guard.reads == []
