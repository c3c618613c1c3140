"""What the detail pane redraws when it follows the cursor to another paper: the screen
laid out once, not a second time a frame later for the pane's new height, unless
its scrollbar comes or goes (then the text must wrap beside it, or use its room)."""

from __future__ import annotations

from typing import Any

import pytest
from textual.screen import Screen

from reader.config import Config
from reader.models import Paper
from reader.store import Library
from reader.tui.app import ReaderApp
from reader.tui.widgets.paper_detail import PaperDetail
from tests.support.pilot import settle_detail

QUIET = Config(read_delay=0)
LONG = " ".join(["a long abstract that fills the pane"] * 60)


def paper(n: int, abstract: str) -> Paper:
    # Newest first: paper 0 is at the top of the list, then 1, 2...
    return Paper(title=f"Paper {n}", abstract=f"{abstract} {n}.", published=f"2026-01-{30 - n}")


def abstract_fits(pane: PaperDetail) -> bool:
    """The abstract wraps in the width the pane leaves it, beside its scrollbar if any."""
    part = pane.query_one("#detail-abstract")
    return part.region.right <= pane.scrollable_content_region.right


async def test_the_next_paper_is_laid_out_once(
    empty_library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty_library.import_papers([paper(n, LONG + " more" * (40 * n)) for n in range(3)])
    layouts: list[int] = []
    refresh_layout = Screen._refresh_layout

    def counted(self: Screen[object], *args: Any, **kwargs: Any) -> None:
        layouts.append(1)
        refresh_layout(self, *args, **kwargs)

    app = ReaderApp(empty_library, "ana", config=QUIET)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle_detail(pilot)
        pane = app.screen.query_one(PaperDetail)
        height = pane.virtual_size.height
        monkeypatch.setattr(Screen, "_refresh_layout", counted)
        await pilot.press("j")
        await settle_detail(pilot)
        assert pane.paper is not None and pane.paper.title == "Paper 1"
        assert pane.virtual_size.height != height  # a taller pane, its scrollbar still there
        assert len(layouts) == 1
        assert pane.show_vertical_scrollbar and abstract_fits(pane)


async def test_a_scrollbar_that_comes_or_goes_lays_the_pane_out_for_it(
    empty_library: Library,
) -> None:
    empty_library.import_papers([paper(0, "Short."), paper(1, LONG), paper(2, "Short again.")])
    app = ReaderApp(empty_library, "ana", config=QUIET)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle_detail(pilot)
        pane = app.screen.query_one(PaperDetail)
        part = pane.query_one("#detail-abstract")
        assert not pane.show_vertical_scrollbar
        full = part.region.width
        await pilot.press("j")
        await settle_detail(pilot)
        await pilot.pause()
        assert pane.show_vertical_scrollbar and abstract_fits(pane)
        assert part.region.width < full
        await pilot.press("j")
        await settle_detail(pilot)
        await pilot.pause()
        assert not pane.show_vertical_scrollbar and part.region.width == full
