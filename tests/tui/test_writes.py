"""The app's writes never wait on a busy library and are never lost to one (issue 14, item 10).

Another process holding the write lock (a large ``reader import``, a second window)
used to freeze the app for 10 s and then lose the star ("database is locked").
"""

from __future__ import annotations

import queue
from collections.abc import Callable
from pathlib import Path

import pytest

from reader.models import Annotation
from reader.store import Library, LibraryError, open_library
from reader.tui.app import ReaderApp
from reader.tui.dialogs.note_editor import NoteText
from reader.tui.screens.library import LibraryScreen
from reader.tui.widgets.paper_list import PaperList
from reader.writes import PendingWrites
from tests.support.pilot import settle, type_keys, wait_until
from tests.support.store import write_lock


def starred(library: Library, user: str) -> set[int]:
    return {i for i, mark in library.annotations(user).items() if mark.starred}


class Delivered:
    """What the writer thread hands back, kept to be run as the UI thread would."""

    def __init__(self) -> None:
        self.outcomes: queue.Queue[Callable[[], None]] = queue.Queue()

    def __call__(self, outcome: Callable[[], None]) -> None:
        self.outcomes.put(outcome)

    def run(self, count: int) -> None:
        """Wait for ``count`` outcomes (however long the writer takes) and run them."""
        for _ in range(count):
            self.outcomes.get(timeout=60)()


def pending_writes(library: Library, delivered: Delivered, wait_ms: int = 20) -> PendingWrites:
    path = library.path
    assert path is not None
    return PendingWrites(
        library,
        connect=lambda: open_library(path, create=False),
        deliver=delivered,
        wait_ms=wait_ms,
    )


def test_a_write_is_made_at_once_when_the_library_is_free(library: Library) -> None:
    delivered = Delivered()
    writes = pending_writes(library, delivered)
    paper = library.listing()[0].id
    seen: list[Annotation] = []
    assert writes.submit("Star", lambda lib: lib.toggle_star("ana", paper), seen.append, print)
    assert seen[0].starred and writes.pending == 0 and delivered.outcomes.empty()


def test_while_the_library_is_busy_writes_wait_in_order_and_land_once_it_is_free(
    library: Library, db_path: Path
) -> None:
    delivered = Delivered()
    writes = pending_writes(library, delivered)
    first, second = (paper.id for paper in library.listing()[:2])
    done: list[str] = []
    with write_lock(db_path):
        assert not writes.submit(
            "Star", lambda lib: lib.toggle_star("ana", first), lambda _: done.append("star"), print
        )
        # A write made while one waits goes behind it, even if it could be made now.
        assert not writes.submit(
            "Tags",
            lambda lib: lib.change_tags("ana", [second], add=["x"]),
            lambda _: done.append("tags"),
            print,
        )
        assert writes.pending == 2 and writes.labels() == ["Star", "Tags"] and done == []
        assert first not in starred(library, "ana")
    # The writer thread writes them once the lock is free; the UI thread hears it.
    delivered.run(2)
    assert done == ["star", "tags"] and writes.pending == 0
    assert starred(library, "ana") == {first}
    assert library.annotation("ana", second).tags == ("x",)


def test_a_failed_write_is_reported_and_not_tried_again(library: Library) -> None:
    writes = pending_writes(library, Delivered())
    errors: list[LibraryError] = []

    def broken(lib: Library) -> None:
        raise LibraryError("disk full")

    assert writes.submit("Star", broken, print, errors.append)
    assert [str(e) for e in errors] == ["disk full"] and writes.pending == 0


def test_flush_waits_for_the_writes_and_names_those_it_could_not_make(
    library: Library, db_path: Path
) -> None:
    writes = pending_writes(library, Delivered())
    paper = library.listing()[0].id
    with write_lock(db_path):
        writes.submit("Star", lambda lib: lib.toggle_star("ana", paper), print, print)
        assert writes.flush(patience=0.05) == ["Star"]
    assert writes.flush() == []
    assert starred(library, "ana") == {paper}


async def test_the_app_stays_responsive_and_saves_a_star_once_another_writer_is_done(
    library: Library, db_path: Path
) -> None:
    app = ReaderApp(library, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, LibraryScreen)
        paper = screen.query_one(PaperList).highlighted
        assert paper is not None
        with write_lock(db_path):
            await pilot.press("s")
            await pilot.press("j", "k")  # keys still move the list
            status = screen.query_one("#status")
            await wait_until(pilot, lambda: "Saving 1 change" in str(status.render()), "saving")
            assert paper not in starred(library, "ana")
        # Free again: the timer saves it, the row shows it, undo knows it.
        await wait_until(pilot, lambda: paper in starred(library, "ana"), "the star saved")
        await settle(pilot)
        assert "Saving" not in str(screen.query_one("#status").render())
        await pilot.press("z")
        await settle(pilot)
        assert paper not in starred(library, "ana")


async def test_quitting_saves_the_writes_that_wait(library: Library, db_path: Path) -> None:
    app = ReaderApp(library, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        paper = app.screen.query_one(PaperList).highlighted
        with write_lock(db_path) as other:
            await pilot.press("s")
            other.execute("ROLLBACK")  # the other writer ends as the user quits
        await pilot.press("q")
    assert app.return_code == 0 and app.failure is None
    assert paper in starred(library, "ana")


async def test_quitting_while_the_library_stays_busy_says_what_was_not_saved(
    library: Library, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("reader.writes.FLUSH_PATIENCE", 0.2)
    app = ReaderApp(library, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        with write_lock(db_path):
            await pilot.press("s")
            await pilot.press("q")
    assert app.return_code == 1
    assert app.failure is not None and "1 change not saved (Star)" in app.failure


async def test_a_note_saved_while_the_library_is_busy_stays_in_the_editor(
    library: Library, db_path: Path
) -> None:
    app = ReaderApp(library, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        paper = app.screen.query_one(PaperList).highlighted
        assert paper is not None
        await pilot.press("n")
        await settle(pilot)
        await type_keys(pilot, *"kept")
        with write_lock(db_path):
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert type(app.screen).__name__ == "NoteEditor"
            assert app.screen.query_one("#note-text", NoteText).text == "kept"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert type(app.screen).__name__ == "LibraryScreen"
    assert library.annotation("ana", paper).note == "kept"


async def test_a_note_from_the_outside_editor_the_busy_library_refused_is_kept(
    library: Library, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The text written in $EDITOR is only in memory: refused, it opens in the
    note editor (it was dropped with "Note not saved")."""
    monkeypatch.setattr(
        "reader.tui.screens.library_notes.edit_in_editor", lambda app, title, text: "from my editor"
    )
    app = ReaderApp(library, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        paper = app.screen.query_one(PaperList).highlighted
        assert paper is not None
        with write_lock(db_path):
            await pilot.press("E")
            await settle(pilot)
            assert type(app.screen).__name__ == "NoteEditor"
            text = app.screen.query_one("#note-text", NoteText).text
            assert text == "from my editor"
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert library.annotation("ana", paper).note == "from my editor"
