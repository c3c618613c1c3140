"""What a key typed into the filter redraws: the list and its scrollbar, not the
whole screen laid out again, and the detail pane only once typing pauses."""

from __future__ import annotations

from typing import Any

import pytest
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Static

from reader.config import Config
from reader.store import Library
from reader.tui.app import ReaderApp
from reader.tui.screens.library import LibraryScreen
from reader.tui.screens.library_triage import DETAIL_DELAY, TYPING_DELAY
from reader.tui.widgets.filter_bar import FilterBar
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
    # A layout, or a repaint of the whole screen, costs a frame's worth of work at
    # every key typed: the list, its scrollbar, the hint and the header need neither
    # (the bar itself still asks for one: Textual's input, as its text grows).
    layouts: list[str] = []
    whole: list[bool] = []
    hints: list[object] = []
    refresh, compositor_refresh, update = (
        Widget.refresh,
        Screen._compositor_refresh,
        Static.update,
    )

    def counted_refresh(self: Widget, *args: Any, **kwargs: Any) -> Widget:
        if kwargs.get("layout") and not isinstance(self, FilterBar):
            layouts.append(type(self).__name__)
        return refresh(self, *args, **kwargs)

    def counted_frame(self: Screen[object]) -> None:
        whole.append(self in self._dirty_widgets)
        compositor_refresh(self)

    def static_update(self: Static, *args: Any, **kwargs: Any) -> None:
        if self.id == "filter-hint":
            hints.append(args)
        update(self, *args, **kwargs)

    app = ReaderApp(library, "ana", config=QUIET)
    # A short screen: the list shows fewer rows than the filter finds.
    async with app.run_test(size=(120, 16)) as pilot:
        await settle_detail(pilot)
        papers = paper_list(app)
        await type_keys(pilot, "slash")
        await settle(pilot)
        monkeypatch.setattr(Widget, "refresh", counted_refresh)
        monkeypatch.setattr(Screen, "_compositor_refresh", counted_frame)
        monkeypatch.setattr(Static, "update", static_update)
        await type_keys(pilot, "a")
        await wait_until(pilot, lambda: len(papers.paper_ids) < 39, what="filtered")
        await settle(pilot)
        rows = len(papers.paper_ids)
        # Still more rows than the list shows: the scrollbar stays, only its size moves.
        assert rows > papers.scrollable_content_region.height
        assert papers.vertical_scrollbar.window_virtual_size == rows
        # The header says so, drawn without a layout.
        assert f"{rows} of 39 papers" in str(app.screen.query_one("HeaderTitle").render())
        assert layouts == []
        assert whole and not any(whole)
        # The hint had nothing to say before and has nothing now: it is left alone.
        assert hints == []
        # A term it has something to say about is still said.
        await type_keys(pilot, *" year:x")
        await wait_until(pilot, lambda: hints != [], what="the hint")
