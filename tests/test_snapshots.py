"""How the main screens look, compared against reviewed SVG snapshots (120x40)."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import TextArea

from reader.store import Library
from reader.tui.app import ReaderApp

SIZE = (120, 40)


def annotate(library: Library) -> None:
    """A star and a note on the first two papers, as a user would have them."""
    first, second = library.papers()[:2]
    library.toggle_star("ana", first.id)
    library.set_note("ana", second.id, "## Why read it\n\n- data repetition\n- **scaling** laws")


def test_library_screen(snap_compare, library: Library) -> None:
    annotate(library)

    async def show_note(pilot: Pilot) -> None:
        await pilot.press("j")
        await pilot.pause()

    assert snap_compare(ReaderApp(library, "ana"), terminal_size=SIZE, run_before=show_note)


def test_filtered_list_highlights_matches(snap_compare, library: Library) -> None:
    async def type_filter(pilot: Pilot) -> None:
        await pilot.press("slash", *"image restoration")
        await pilot.app.workers.wait_for_complete()
        await pilot.press("enter")
        await pilot.pause()

    assert snap_compare(ReaderApp(library, "ana"), terminal_size=SIZE, run_before=type_filter)


def test_note_editor(snap_compare, library: Library) -> None:
    async def open_editor(pilot: Pilot) -> None:
        await pilot.press("n")
        await pilot.pause()
        pilot.app.screen.query_one(TextArea).insert("First thoughts: *promising*.")
        await pilot.pause()

    assert snap_compare(ReaderApp(library, "ana"), terminal_size=SIZE, run_before=open_editor)
