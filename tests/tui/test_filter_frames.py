"""What a key typed into the filter redraws: the list and its scrollbar, not the
whole screen laid out again, and the detail pane only once typing pauses."""

from __future__ import annotations

from typing import Any

import pytest
from textual.timer import Timer
from textual.widgets import Static

from reader.config import Config
from reader.store import Library
from reader.tui.app import ReaderApp
from reader.tui.screens.library import LibraryScreen
from reader.tui.screens.library_triage import DETAIL_DELAY, TYPING_DELAY
from reader.tui.widgets.paper_list import PaperList
from tests.support.pilot import paper_list, settle, settle_detail, type_keys, wait_until

QUIET = Config(read_delay=0)


async def test_after_a_filter_result_the_detail_waits_for_typing_to_pause(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    delays: list[float] = []
    set_timer = LibraryScreen.set_timer

    def recording(self: LibraryScreen, delay: float, *args: Any, **kwargs: Any) -> Timer:
        if kwargs.get("name") == "detail":
            delays.append(delay)
        return set_timer(self, delay, *args, **kwargs)

    app = ReaderApp(library, "ana", config=QUIET)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle_detail(pilot)
        monkeypatch.setattr(LibraryScreen, "set_timer", recording)
        await type_keys(pilot, "slash", "g", "r", "o", "k")
        await wait_until(pilot, lambda: len(paper_list(app).paper_ids) < 39, what="filtered")
        await settle(pilot)
        assert delays and delays[-1] == TYPING_DELAY
        await settle_detail(pilot)  # it still follows, once typing pauses
        # A move the user makes in the list is followed as soon as the keys pause.
        delays.clear()
        await type_keys(pilot, "enter", "j")
        await settle(pilot)
        assert delays == [DETAIL_DELAY]


async def test_a_filter_result_redraws_the_list_without_laying_out_the_screen(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    layouts: list[str] = []
    hints: list[object] = []
    refresh, update = PaperList.refresh, Static.update

    def list_refresh(self: PaperList, *args: Any, **kwargs: Any) -> PaperList:
        if kwargs.get("layout"):
            layouts.append(str(len(self.paper_ids)))
        return refresh(self, *args, **kwargs)

    def static_update(self: Static, *args: Any, **kwargs: Any) -> None:
        if self.id == "filter-hint":
            hints.append(args)
        update(self, *args, **kwargs)

    app = ReaderApp(library, "ana", config=QUIET)
    # A short screen: the list shows fewer rows than the filter finds.
    async with app.run_test(size=(120, 16)) as pilot:
        await settle_detail(pilot)
        papers = paper_list(app)
        monkeypatch.setattr(PaperList, "refresh", list_refresh)
        monkeypatch.setattr(Static, "update", static_update)
        await type_keys(pilot, "slash", "a")
        await wait_until(pilot, lambda: len(papers.paper_ids) < 39, what="filtered")
        await settle(pilot)
        rows = len(papers.paper_ids)
        # Still more rows than the list shows: the scrollbar stays, only its size moves.
        assert rows > papers.scrollable_content_region.height
        assert papers.vertical_scrollbar.window_virtual_size == rows
        assert layouts == []
        # The hint had nothing to say before and has nothing now: it is left alone.
        assert hints == []
        # A term it has something to say about is still said.
        await type_keys(pilot, *" year:x")
        await wait_until(pilot, lambda: hints != [], what="the hint")
