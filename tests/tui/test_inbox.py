"""The inbox in the app, through Pilot: view 8 shows what is new, I marks it done, z
undoes it, and papers another process brings come in new."""

from __future__ import annotations

from pathlib import Path

from reader.config import Config
from reader.models import Paper
from reader.store import Library, open_library
from reader.tui.app import ReaderApp
from tests.support.pilot import (
    library_screen,
    palette_options,
    paper_list,
    settle,
    shown_ids,
    sub_title,
    type_keys,
    wait_until,
)


async def test_the_inbox_empties_when_done_and_fills_as_papers_come(
    library: Library, db_path: Path
) -> None:
    app = ReaderApp(library, "ana", config=Config(read_delay=0))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await type_keys(pilot, "8")
        await settle(pilot)
        # Never looked: all of it is new.
        assert "Inbox" in sub_title(app) and len(shown_ids(app)) == 39
        await type_keys(pilot, "I")
        await wait_until(pilot, lambda: shown_ids(app) == [], "the inbox empty")
        assert library.looked("ana") is not None
        said = paper_list(app).empty_message
        assert (
            said == "Nothing new since you last marked the inbox done (I). Press 1 for every paper."
        )
        await type_keys(pilot, "z")
        await wait_until(pilot, lambda: len(shown_ids(app)) == 39, "the inbox back")
        assert library.looked("ana") is None
        await type_keys(pilot, "I")
        await wait_until(pilot, lambda: shown_ids(app) == [], "the inbox empty again")
        # A fetch from cron, in another process, brings a paper.
        other = open_library(db_path)
        try:
            other.import_papers([Paper("Arrived while looking", "2512.00001")])
        finally:
            other.close()
        library_screen(app).check_outside_changes()
        await wait_until(pilot, lambda: len(shown_ids(app)) == 1, "the new paper in the inbox")
        title = library.paper(shown_ids(app)[0])
        assert title is not None and title.title == "Arrived while looking"


async def test_each_view_counts_its_new_papers(library: Library, db_path: Path) -> None:
    app = ReaderApp(library, "ana", config=Config(read_delay=0))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        # Never looked: every paper is new, and no view says so.
        assert not sub_title(app).endswith(" new")
        await type_keys(pilot, "I")
        await wait_until(pilot, lambda: library.looked("ana") is not None, "the inbox done")
        other = open_library(db_path)
        try:
            other.import_papers([Paper("Arrived on grokking", "2512.00001")])
        finally:
            other.close()
        screen = library_screen(app)
        screen.check_outside_changes()
        await wait_until(pilot, lambda: sub_title(app).endswith("· 1 new"), "All: 1 new")
        assert screen._view_new["2"] == 1 and screen._view_new["3"] == 0  # unread; starred
        await type_keys(pilot, "ctrl+p")
        await wait_until(pilot, lambda: "View: All · 1 new" in palette_options(app), "the palette")
        assert "View: Starred" in palette_options(app)
