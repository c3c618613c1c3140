"""An open window sees what another process changes in the library (another window,
a ``reader fetch`` from cron): new papers, and the user's stars, notes and tags. It
refreshes the list and the detail pane, and the cursor stays on its paper."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from textual.widgets import Markdown

from reader.store import Library, open_library
from reader.tui.app import ReaderApp
from reader.tui.screens import library as library_screen
from reader.tui.screens.library import LibraryScreen
from tests.support.pilot import markers, paper_list, settle, type_keys, wait_until


def screen(app: ReaderApp) -> LibraryScreen:
    assert isinstance(app.screen, LibraryScreen)
    return app.screen


async def test_marks_written_by_another_process_show_and_the_cursor_stays(
    db_path: Path, library: Library
) -> None:
    app = ReaderApp(library, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j", "j", "j")
        await settle(pilot)
        paper_id = paper_list(app).highlighted
        assert paper_id is not None
        assert "★" not in markers(app, 3)
        index = screen(app)._index
        other = open_library(db_path)  # another process's connection
        try:
            other.set_starred("ana", paper_id, True)
            other.set_note("ana", paper_id, "written in the other window")
            other.change_tags("ana", [paper_id], add=["later"], remove=[])
            other.set_starred("ben", paper_id, False)
        finally:
            other.close()
        screen(app).check_outside_changes()
        await settle(pilot)
        assert paper_list(app).highlighted == paper_id
        assert "★ ✎" in markers(app, 3)
        note = app.screen.query_one("#detail-note", Markdown)
        assert note.display and note.source == "written in the other window"
        # Only marks changed: the papers were not read again.
        assert screen(app)._index is index


async def test_papers_added_by_another_process_show_and_the_cursor_stays(
    db_path: Path, library: Library, tmp_path: Path
) -> None:
    app = ReaderApp(library, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j", "j")
        paper_id = paper_list(app).highlighted
        before = len(paper_list(app).paper_ids)
        new = tmp_path / "new.json"
        new.write_text(
            json.dumps(
                [
                    {
                        "paper": {
                            "id": "2601.00001",
                            "title": "A paper from the future",
                            "summary": "Fetched by cron.",
                            "authors": [{"name": "Cron Job"}],
                            "publishedAt": "2026-01-02T00:00:00.000Z",
                        }
                    }
                ]
            )
        )
        subprocess.run(
            [sys.executable, "-m", "reader", "--db", str(db_path), "import", str(new)],
            check=True,
            capture_output=True,
        )
        screen(app).check_outside_changes()
        await settle(pilot)
        assert len(paper_list(app).paper_ids) == before + 1
        # The new paper is the newest, so it comes first; the cursor kept its paper.
        assert "A paper from the future" in paper_list(app).render_line(0).text
        assert paper_list(app).highlighted == paper_id
        assert f"{before + 1} of {before + 1} papers" in str(app.screen.sub_title)


async def test_marks_from_elsewhere_do_not_move_the_rows_under_the_cursor(
    db_path: Path, library: Library
) -> None:
    app = ReaderApp(library, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2")  # the Unread view
        await settle(pilot)
        await type_keys(pilot, *"j" * 10, "r")  # read here: the row stays, as it always has
        await settle(pilot)
        paper_id = paper_list(app).highlighted
        assert paper_id is not None and paper_list(app).cursor == 10
        shown = list(paper_list(app).paper_ids)
        other_paper = shown[3]
        other = open_library(db_path)
        other.set_starred("ana", other_paper, True)
        other.set_read("ana", [other_paper], True)
        other.close()
        screen(app).check_outside_changes()
        await settle(pilot)
        # The star shows on its row; no row moved and the cursor stayed.
        assert list(paper_list(app).paper_ids) == shown
        assert paper_list(app).highlighted == paper_id and paper_list(app).cursor == 10
        assert "★" in markers(app, 3)


async def test_the_window_looks_by_itself_every_moment(
    db_path: Path, library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(library_screen, "WATCH_INTERVAL", 0.05)
    app = ReaderApp(library, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        paper_id = paper_list(app).highlighted
        assert paper_id is not None
        other = open_library(db_path)
        other.set_starred("ana", paper_id, True)
        other.close()
        await wait_until(pilot, lambda: "★" in markers(app, 0), what="the star shows")


async def test_its_own_writes_read_nothing_again(library: Library) -> None:
    app = ReaderApp(library, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await pilot.pause()
        index = screen(app)._index
        # The filter's own cache of words (written on another connection) counts
        # as a change to SQLite, but no paper or mark changed: nothing is read again.
        screen(app).check_outside_changes()
        await settle(pilot)
        assert screen(app)._index is index
        assert "★" in markers(app, 0)


def test_annotations_since_reads_only_what_changed(library: Library) -> None:
    from reader.store import clock

    first, second = (paper.id for paper in library.papers()[:2])
    assert first is not None and second is not None
    store_now = clock.now
    try:
        clock.now = lambda: "2026-01-01T10:00:00+00:00"
        library.set_starred("ana", first, True)
        clock.now = lambda: "2026-01-02T10:00:00+00:00"
        library.set_note("ana", second, "later")
    finally:
        clock.now = store_now
    everything, latest = library.annotations_since("ana", None)
    assert set(everything) == {first, second} and latest == "2026-01-02T10:00:00+00:00"
    since, again = library.annotations_since("ana", latest)
    # The same second is read again (harmless); nothing older is.
    assert set(since) == {second} and again == latest
    assert library.annotations_since("ben", latest) == ({}, latest)
