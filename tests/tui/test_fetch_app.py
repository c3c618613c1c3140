"""The app's `f` on a mock network (the one seam: ``ReaderApp(network=...)``): a fetch
that stops early says so in its toast, a slow wait shows in the status line."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import httpx
from textual.pilot import Pilot
from textual.widgets import Static

from reader.fetching import Network
from reader.store import Library, open_library
from reader.tui.app import ReaderApp
from reader.tui.screens.library import LibraryScreen


def count(db: Path) -> int:
    if not db.exists():
        return 0
    library = open_library(db)
    try:
        return library.count()
    finally:
        library.close()


# -- fetch hf --------------------------------------------------------------------


def hf_item(number: int) -> dict[str, object]:
    return {"paper": {"id": f"2501.{10000 + number}", "title": f"Paper {number}"}}


def endless_new_pages(request: httpx.Request) -> httpx.Response:
    """A server that always has another full page of papers it never sent before."""
    page, size = int(request.url.params["p"]), int(request.url.params["limit"])
    return httpx.Response(200, json=[hf_item(page * size + n) for n in range(size)])


# -- fetch arxiv and add -----------------------------------------------------------


# -- the app's f -------------------------------------------------------------------


async def fetched(app: ReaderApp, pilot: Pilot[None]) -> None:
    """Wait until the app's fetch has finished and its result has landed."""
    screen = app.screen
    assert isinstance(screen, LibraryScreen)
    for _ in range(1000):
        await pilot.pause(0.01)
        if not screen._fetching:
            break
    assert not screen._fetching
    await pilot.pause()


async def test_the_apps_fetch_that_stops_early_says_so_in_its_toast(library: Library) -> None:
    app = ReaderApp(library, "ana", network=Network(httpx.MockTransport(endless_new_pages)))
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("f")
        await fetched(app, pilot)
        (toast,) = [n for n in app._notifications if n.title == "Hugging Face Daily Papers"]
        assert toast.message == (
            "1000 papers: 1000 added, 0 updated, 0 unchanged\n"
            "huggingface.co: stopped after 10 pages (1,000 papers) for the latest day: "
            "more than a day can hold"
        )
        assert toast.severity == "warning"
    assert library.count() == 39 + 1000


async def test_the_apps_fetch_shows_a_slow_wait_in_its_status_line(library: Library) -> None:
    release = threading.Event()

    def slow(request: httpx.Request) -> httpx.Response:
        assert release.wait(30), "the test never saw the wait"
        return httpx.Response(200, json=[])

    app = ReaderApp(library, "ana", network=Network(httpx.MockTransport(slow), notice_every=0.1))
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("f")
        status = app.screen.query_one("#status", Static)
        for _ in range(1000):
            await pilot.pause(0.01)
            if "still waiting" in str(status.render()):
                break
        assert re.fullmatch(
            r"huggingface\.co: still waiting for an answer \(\d+(\.\d+)? s\)…", str(status.render())
        )
        release.set()
        await fetched(app, pilot)
        assert str(status.render()) == ""


# -- arXiv's own words (issue 15, items 4 and 5) ----------------------------------
