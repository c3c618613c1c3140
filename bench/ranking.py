"""For you (reader.ranking): counting every paper's words, once and from the cache,
a full retrain, re-ranking after one more star, a paper's reasons, and in the app,
the For you view's first screen once trained.

A user with a dozen stars on one subject: the stars go on papers whose titles share
a word of the newest paper's title (the generated library's subjects are its words).
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.library import CACHE, BenchError, forget_marks, say, title_prefixes
from bench.stats import Row, Table
from bench.ui import USER, key_event, list_filled, make_app, settle, until
from reader.models import Annotation
from reader.ranking.features import cache_path
from reader.ranking.ranker import Ranker
from reader.store import open_library
from reader.store.words import Words

STARS = 12


def _timed(action: Callable[[], object], runs: int) -> tuple[float, ...]:
    took = []
    for _ in range(runs):
        began = time.perf_counter()
        action()
        took.append(time.perf_counter() - began)
    return tuple(took)


def _liked(words: Words, title: str) -> list[int]:
    """STARS + 1 papers on one subject: they share the rarest usable word of ``title``."""
    for term in sorted(words.split(title), key=len, reverse=True):
        found = sorted(words.having("title", [term]))
        if len(found) > STARS:
            return found[: STARS + 1]
    raise BenchError(f"no word of {title!r} is in {STARS + 1} titles")


def measure_ranking(
    table: Table, size: int, db: Path, titles: list[str], runs: int, timeout: float
) -> None:
    """The ranking's core costs at this size, then the app's For you view."""
    # The vectors' cache, kept with the bench's libraries (not the user's own).
    os.environ["XDG_CACHE_HOME"] = str(CACHE / "xdg-cache")
    library = open_library(db, create=False)
    try:
        words = library.words()
        try:
            liked = _liked(words, titles[0])
            marks = {i: Annotation(i, starred=True) for i in liked[:STARS]}
            more = {**marks, liked[STARS]: Annotation(liked[STARS], starred=True)}
            with tempfile.TemporaryDirectory() as fresh:
                say("counting every paper's words, with no cache (once)")
                first = Ranker(Path(fresh) / "vectors.npz")
                table.add(
                    Row(
                        "rank",
                        size,
                        "count every paper's words (no cache)",
                        _timed(lambda: first.sync(words), 1),
                    )
                )
            kept = cache_path(db)
            Ranker(kept).sync(words)  # the cache the app reads
            table.add(
                Row(
                    "rank",
                    size,
                    "read the counts back from the cache",
                    _timed(lambda: Ranker(kept).sync(words), runs),
                    note=f"{kept.stat().st_size / 1e6:.0f} MB on disk",
                )
            )
            ranker = Ranker(kept)
            ranker.sync(words)
            table.add(
                Row(
                    "rank",
                    size,
                    f"full retrain, {STARS} stars: train + score all",
                    _timed(lambda: ranker.rank(words, marks), runs),
                )
            )
            table.add(
                Row(
                    "rank",
                    size,
                    "one more star: train + score all again",
                    _timed(lambda: ranker.rank(words, more), runs),
                )
            )
            ranking = ranker.rank(words, more)
            best = ranking.order(ranking.scores)[0]
            table.add(
                Row(
                    "rank",
                    size,
                    "why: a paper's reasons and like papers",
                    _timed(lambda: ranker.why(words, best, ranking), runs),
                )
            )
        finally:
            words.close()
        library.set_starred_many(USER, liked[:STARS], True)
    finally:
        library.close()
    try:
        shown = [asyncio.run(_for_you_view(db, size, titles, timeout)) for _ in range(runs)]
        table.add(Row("rank", size, "app: 7 to the For you list shown (trained)", tuple(shown)))
    finally:
        forget_marks(db)


async def _for_you_view(db: Path, size: int, titles: list[str], timeout: float) -> float:
    """Seconds from 7 (the ranking trained already) to its best paper first in the list."""
    from reader.tui.screens.library import LibraryScreen
    from reader.tui.widgets.paper_list import PaperList

    app = make_app(db)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await until(lambda: list_filled(app, size, title_prefixes(titles)), timeout, "list")
            await settle(app, pilot)
            screen = app.screen
            if not isinstance(screen, LibraryScreen):
                raise BenchError("the library screen is not on top")
            app.post_message(key_event("7"))
            await until(lambda: screen._ranking is not None, timeout, "the first ranking")
            await settle(app, pilot)
            ranking = screen._ranking
            assert ranking is not None
            starred = {i for i, mark in screen._marks.items() if mark.starred}
            expected = next(i for i in ranking.order(ranking.scores) if i not in starred)
            app.post_message(key_event("1"))
            await until(lambda: "· All ·" in (screen.sub_title or ""), timeout, "view 1")
            await settle(app, pilot)
            began = time.perf_counter()
            app.post_message(key_event("7"))
            papers = screen.query_one(PaperList)

            def shown() -> bool:
                return bool(papers.paper_ids) and papers.paper_ids[0] == expected

            await until(shown, timeout, "the For you list")
            await pilot.pause()
            return time.perf_counter() - began
    finally:
        app.library.close()
