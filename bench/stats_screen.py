"""The stats screen (S): its most frequent authors counted by the store alone, and
the app from the key to the charts and to the authors drawn, with the longest the
UI thread was kept from its timers meanwhile (what a user feels as a frozen screen).
"""

from __future__ import annotations

import asyncio
import statistics
import time
from itertools import pairwise
from pathlib import Path

from bench.library import BenchError, title_prefixes
from bench.stats import Row, Table, seconds
from bench.ui import SIZE, key_event, list_filled, make_app, settle, until
from reader.store import open_library
from reader.tui.screens.stats import TOP, StatsScreen

# A timer this often on the UI thread: a gap longer than it is time the thread was busy.
_BEAT = 0.005


def measure_counts(table: Table, size: int, db: Path, runs: int) -> None:
    """``author_counts`` as the stats worker calls it: every paper, then half of them."""
    library = open_library(db, create=False)
    try:
        ids = [paper.id for paper in library.listing()]
        words = library.words()
        try:
            for label, view in (("every paper", ids), ("half the papers", ids[::2])):
                took = []
                for _ in range(runs):
                    began = time.perf_counter()
                    words.author_counts(view, TOP)
                    took.append(time.perf_counter() - began)
                table.add(Row("stats", size, f"store: top authors of {label}", tuple(took)))
        finally:
            words.close()
    finally:
        library.close()


async def _open_stats(db: Path, size: int, prefixes: list[str], timeout: float) -> list[float]:
    """Seconds from S to the charts drawn, to the authors drawn, and the longest gap
    between the UI thread's timer beats in between."""
    app = make_app(db)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await until(lambda: list_filled(app, size, prefixes), timeout, "list filled")
            await settle(app, pilot)
            beats: list[float] = []
            app.set_interval(_BEAT, lambda: beats.append(time.perf_counter()))
            await until(lambda: bool(beats), timeout, "the first beat")
            began = time.perf_counter()
            # Posted as the terminal would send it: Pilot's press waits until the whole
            # process is idle, workers and all, which is not what a user waits for.
            app.post_message(key_event("S"))

            def stats_screen() -> StatsScreen | None:
                screen = app.screen
                return screen if isinstance(screen, StatsScreen) else None

            def charts_drawn() -> bool:
                screen = stats_screen()
                return screen is not None and bool(screen.query("#stats-panels"))

            def authors_drawn() -> bool:
                screen = stats_screen()
                return screen is not None and bool(screen.query("#authors"))

            await until(charts_drawn, timeout, "stats charts")
            charts = time.perf_counter() - began
            await until(authors_drawn, timeout, "stats authors")
            authors = time.perf_counter() - began
            await pilot.pause()
            ended = time.perf_counter()
            seen = [beat for beat in beats if began <= beat <= ended]
            gaps = [later - earlier for earlier, later in pairwise(seen)]
            if not gaps:
                raise BenchError("the UI thread's timer never ran while the stats opened")
    finally:
        app.library.close()
    return [charts, authors, max(gaps)]


def measure_screen(
    table: Table, size: int, db: Path, titles: list[str], runs: int, timeout: float
) -> None:
    """Open the stats screen on every paper, ``runs`` times (a new app each)."""
    prefixes = title_prefixes(titles)
    results = [asyncio.run(_open_stats(db, size, prefixes, timeout)) for _ in range(runs)]
    charts, authors, gaps = (tuple(column) for column in zip(*results, strict=True))
    table.add(Row("stats", size, "app: S to charts shown", charts))
    table.add(Row("stats", size, "app: S to top authors shown", authors))
    table.add(
        Row(
            "stats",
            size,
            "app: longest UI-thread stall meanwhile",
            gaps,
            note=f"a timer every {seconds(_BEAT)}; median {seconds(statistics.median(gaps))}",
        )
    )
