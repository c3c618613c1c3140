"""Keys that arrive together (a fast typist, a paste, a macro, tmux send-keys) never
find a dialog half-built or half-gone."""

from __future__ import annotations

from textual import events
from textual.pilot import Pilot

from reader.store import Library
from reader.tui.app import ReaderApp
from tests.test_tui import settle


def burst(pilot: Pilot[None], *keys: str) -> None:
    """Queue every key at once, without waiting for the app between them."""
    for key in keys:
        character = key if len(key) == 1 else None
        pilot.app.post_message(events.Key(key, character))


async def test_quit_then_export_at_once_quits_cleanly(library: Library) -> None:
    app = ReaderApp(library, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        burst(pilot, "q", "x")
        await pilot.pause(0.2)
    assert app.return_code == 0
