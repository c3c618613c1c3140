"""Startup, filter and cursor costs of the app on the bundled sample library.

    python -m bench.sample_ui

Prints medians and maxima of repeated runs. The large-library benchmarks come with
the generated libraries; this one needs nothing but the sample.
"""

from __future__ import annotations

import time

START = time.perf_counter()

import asyncio  # noqa: E402
import statistics  # noqa: E402

from reader.sample import load_sample_if_empty  # noqa: E402
from reader.search import Query  # noqa: E402
from reader.store import open_library  # noqa: E402
from reader.tui.app import ReaderApp  # noqa: E402
from reader.tui.screens.library import LibraryScreen  # noqa: E402
from reader.tui.widgets.paper_list import PaperList  # noqa: E402

IMPORTED = time.perf_counter()
QUERIES = ["d", "di", "dif", "diff", "diffusion", "diffusion model", "grokking", "image rest"]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


async def measure() -> None:
    library = open_library(None)
    load_sample_if_empty(library)
    app = ReaderApp(library, "bench")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        first_screen = time.perf_counter()
        papers = app.screen.query_one(PaperList)
        assert papers.paper_ids, "the list is empty"
        screen = app.screen
        assert isinstance(screen, LibraryScreen)
        index = screen._index  # the index the screen itself searches

        searches = []
        for _ in range(20):
            for text in QUERIES:
                query = Query.parse(text)
                began = time.perf_counter()
                index.search(query)
                searches.append(time.perf_counter() - began)

        async def key_cpu(key: str) -> list[float]:
            costs = []
            for _ in range(30):
                began = time.process_time()
                await pilot.press(key)
                costs.append(time.process_time() - began)
            return costs

        unbound = await key_cpu(
            "f12"
        )  # bound to nothing: the cost of a keypress through Pilot itself
        moves = await key_cpu("j")
        # A key that opened a dialog would measure the dialog, not the list.
        assert type(app.screen).__name__ == "LibraryScreen", "a key left the library screen"

    print(f"papers                          {len(papers.paper_ids)}")
    print(f"imports (reader + Textual)      {ms(IMPORTED - START)}")
    print(f"script start to first screen    {ms(first_screen - START)}")
    print(
        f"filter search, median / max     {ms(statistics.median(searches))} / {ms(max(searches))}"
    )
    print(f"keypress with no binding, CPU   {ms(statistics.median(unbound))} (median)")
    print(f"cursor move j with detail, CPU  {ms(statistics.median(moves))} (median)")


if __name__ == "__main__":
    asyncio.run(measure())
