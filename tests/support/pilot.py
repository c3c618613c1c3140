"""What the Pilot tests share: waiting for the app, reading the screen, typing fast.

Nothing here waits a fixed time: a test waits for what it needs to see, as long as a
loaded machine takes (``wait_until``), so a slow run is slow, never red."""

from __future__ import annotations

import io
import time
from collections.abc import Callable

from rich.console import Console
from textual import events
from textual.app import App
from textual.keys import _character_to_key
from textual.pilot import Pilot
from textual.widgets import Static

from reader.store import Library
from reader.tui.app import ReaderApp
from reader.tui.screens.library import LibraryScreen
from reader.tui.widgets.paper_detail import PaperDetail
from reader.tui.widgets.paper_list import PaperList
from tests.support.store import stored

GROKKING = "Benign Overfitting and Grokking in ReLU Networks for XOR Cluster Data"
# How long a condition may take to hold on a loaded machine before a test fails.
PATIENCE = 20.0


async def settle(pilot: Pilot[None]) -> None:
    """Let workers finish and what they bring land."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def wait_until(
    pilot: Pilot[None], condition: Callable[[], object], what: str = "the condition"
) -> None:
    """Wait (as long as a loaded machine needs) for ``condition()`` to hold."""
    give_up = time.monotonic() + PATIENCE
    while not condition():
        if time.monotonic() > give_up:
            raise AssertionError(f"never: {what}")
        await pilot.pause(0.02)


async def settle_detail(pilot: Pilot[None]) -> None:
    """Settle, then wait for the detail pane to show the highlighted paper (it follows
    the cursor once the keys pause)."""
    await settle(pilot)
    app = pilot.app
    await wait_until(
        pilot,
        lambda: (paper.id if (paper := detail(app).paper) else None) == paper_list(app).highlighted,
        what="the detail pane shows the highlighted paper",
    )
    # A start-up's timer may still be due to show it again: on a loaded machine it fires
    # late, into whatever the test does next.
    await wait_until(pilot, lambda: not _detail_due(app), what="no detail timer due")
    await pilot.pause()


def _detail_due(app: App[None]) -> bool:
    timer = getattr(app.screen, "_detail_timer", None)
    task = getattr(timer, "_task", None)
    return task is not None and not task.done()


def paper_list(app: App[None]) -> PaperList:
    return app.screen.query_one(PaperList)


def highlighted_id(app: App[None]) -> int:
    """The id of the paper the list's cursor is on: a test reading it expects one."""
    paper_id = paper_list(app).highlighted
    assert paper_id is not None, "no paper is highlighted"
    return paper_id


def sub_title(app: App[None]) -> str:
    """The screen's sub-title (the library screen's status line): a test reading it
    expects one."""
    title = app.screen.sub_title
    assert title is not None, "the screen has no sub-title"
    return title


def library_screen(app: App[None]) -> LibraryScreen:
    """The screen on top, which the test expects to be the library's."""
    assert isinstance(app.screen, LibraryScreen), f"{type(app.screen).__name__} is on top"
    return app.screen


def detail(app: App[None]) -> PaperDetail:
    return app.screen.query_one(PaperDetail)


def row_text(app: App[None], y: int) -> str:
    return paper_list(app).render_line(y).text


def markers(app: App[None], y: int) -> str:
    """The marker columns of row ``y``: selection, unread, star, note (code left out)."""
    return row_text(app, y)[:7]


def highlighted_title(app: App[None], library: Library) -> str:
    return stored(library, highlighted_id(app)).title


def shown_ids(app: App[None]) -> list[int]:
    """The papers the list shows, in order."""
    return list(paper_list(app).paper_ids)


def detail_text(app: App[None]) -> str:
    return "\n".join(str(part.render()) for part in detail(app).query(Static) if part.display)


def screen_lines(app: App[None]) -> list[str]:
    """The screen as the terminal shows it, as plain text lines (what export_screenshot
    draws, without the SVG)."""
    width, height = app.size
    console = Console(
        width=width, height=height, file=io.StringIO(), record=True, color_system=None
    )
    console.print(app.screen._compositor.render_update(full=True))
    return console.export_text().splitlines()


def burst(pilot: Pilot[None], *keys: str) -> None:
    """Queue every key at once, without waiting for the app between them: a
    fast typist, a paste, ``tmux send-keys "/diffusion"``."""
    for key in keys:
        if len(key) == 1:
            pilot.app.post_message(events.Key(_character_to_key(key), key))
        else:
            pilot.app.post_message(events.Key(key, None))


async def resize(pilot: Pilot[None], size: tuple[int, int]) -> None:
    """The terminal resized to ``size`` (as a user drags it), and the screen on top
    laid out at it."""
    await pilot.resize_terminal(*size)
    await wait_until(pilot, lambda: pilot.app.screen.size == size, f"the screen at {size}")
    await pilot.pause()


def keys_done(app: App[None]) -> bool:
    """Whether every key sent to the app has been handled (see ReaderApp.on_event:
    keys wait there and go to the widgets one at a time)."""
    assert isinstance(app, ReaderApp)
    return not app._keys and app._key_on_its_way is None and not app._keys_settling


async def type_keys(pilot: Pilot[None], *keys: str) -> None:
    """Type ``keys`` in one burst, as people type a word, and wait until the app has
    handled every one of them."""
    burst(pilot, *keys)
    # Queued behind the keys: once it has run, the app has every one of them.
    arrived: list[bool] = []
    pilot.app.call_later(arrived.append, True)
    await wait_until(pilot, lambda: arrived and keys_done(pilot.app), f"the keys {keys} handled")
    await pilot.pause()


def palette_options(app: App[None]) -> list[str]:
    """The palette's choices, best first, by their first lines (the names); none while
    the palette is not up."""
    from textual.command import CommandList, CommandPalette

    if not isinstance(app.screen, CommandPalette):
        return []
    shown = app.screen.query_one(CommandList)
    prompts = (str(shown.get_option_at_index(i).prompt) for i in range(shown.option_count))
    return [prompt.partition("\n")[0] for prompt in prompts]


async def choose_in_palette(pilot: Pilot[None], text: str, *, offers: str) -> None:
    """Open the palette, type ``text``, wait for an option holding ``offers`` to be
    the first, and choose it."""
    await pilot.press("ctrl+p")
    await pilot.press(*text)
    await wait_until(
        pilot,
        lambda: (options := palette_options(pilot.app)) != [] and offers in options[0],
        what=f"the palette offers {offers!r} first",
    )
    await pilot.press("enter")
    await settle(pilot)
