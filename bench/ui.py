"""The app in this process, driven headless by Pilot at 120x40: start, filter, scroll.

What counts as "the list is filled" and "the filter result is shown" is decided by
the helpers at the top, from what a user could see, not from how the screen gets
there (the loading and the search index are free to change). Headless, Textual draws
every line but writes no terminal output: ``bench.process`` measures that part too.
"""

from __future__ import annotations

import asyncio
import statistics
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from rich.console import RenderableType
from textual import events
from textual.css.query import NoMatches
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input

from bench.core import TYPED
from bench.library import BenchError, title_prefixes
from bench.stats import Row, Table, seconds
from reader.config import Config
from reader.store import open_library
from reader.tui.app import ReaderApp
from reader.tui.screens import library_triage as screens
from reader.tui.widgets.paper_list import PaperList

SIZE = (120, 40)
USER = "bench"
# Never mark a paper read: the cached library must stay as it was built.
CONFIG = Config(read_delay=0)
POLL = 0.002
# A key's result counts as drawn once no frame has followed its last one for this long
# with nothing left to draw: three frames at Textual's 60 per second.
QUIET = 0.05
SCROLL_KEYS = {
    "f12": "f12 (unbound: Pilot's own cost)",
    "j": "j (one row, keys in a burst)",
    "pagedown": "pagedown (one page, in a burst)",
    "j, then pause": "j, then the detail pane follows",
}


# -- what the user sees: the only places that know the widgets ---------------------


def paper_list(app: ReaderApp) -> PaperList | None:
    """The list on the current screen, if it is there yet."""
    try:
        return app.screen.query_one(PaperList)
    except NoMatches:
        return None


def list_rows(papers: PaperList) -> int:
    """How many rows the list holds (all of them, not just those on screen)."""
    return len(papers.paper_ids)


def first_row_text(papers: PaperList) -> str:
    """The text of the list's first visible line, as drawn."""
    return papers.render_line(0).text


def list_filled(app: ReaderApp, size: int, prefixes: list[str]) -> bool:
    """Every paper is in the list and its first line shows one of the newest titles."""
    papers = paper_list(app)
    if papers is None or list_rows(papers) != size:
        return False
    first = first_row_text(papers)
    return any(prefix in first for prefix in prefixes)


def filter_focused(app: ReaderApp) -> bool:
    """Typed characters go to a text input (the filter bar), not to the list's keys."""
    return isinstance(app.focused, Input)


@dataclass(frozen=True, slots=True)
class Shown:
    """What the list and header showed before a keystroke."""

    rows: object
    # The list hands out the very sequence it was given: a new one means new rows.
    same_object: bool
    header: str


def shown(app: ReaderApp) -> Shown:
    papers = paper_list(app)
    if papers is None:
        return Shown(None, False, str(app.screen.sub_title))
    ids = papers.paper_ids
    if papers.paper_ids is ids:
        return Shown(ids, True, str(app.screen.sub_title))
    return Shown((len(ids), tuple(ids[:100])), False, str(app.screen.sub_title))


def filter_applied(app: ReaderApp, before: Shown) -> bool:
    """A filter result has reached the list since ``before``: the list was given new
    rows (a new sequence, even if equal) or the header's "N of M papers" changed."""
    return changed(before, shown(app))


def changed(before: Shown, now: Shown) -> bool:
    if now.header != before.header:
        return True
    if before.same_object:
        return now.rows is not before.rows
    return now.rows != before.rows


class Frames:
    """The frames the app puts on the screen: when each was composed and what the list
    and header held then. Headless, Textual composes every changed line of a frame
    (the compositor's update) and only skips writing it to a terminal."""

    def __init__(self, app: ReaderApp) -> None:
        self.count = 0
        self.last = 0.0
        # The process's CPU time then (every thread's: the search runs in a worker).
        self.last_cpu = 0.0
        self.showing: Shown | None = None
        display = app._display

        def recorded(screen: Screen[object], renderable: RenderableType | None) -> None:
            display(screen, renderable)
            if renderable is not None and screen is app.screen:
                self.count += 1
                self.last = time.perf_counter()
                self.last_cpu = time.process_time()
                self.showing = shown(app)

        # An instance attribute: the screen calls ``app._display`` for every frame.
        setattr(app, "_display", recorded)  # noqa: B010


def nothing_to_draw(app: ReaderApp) -> bool:
    """The screen has no layout, repaint or dirty widget waiting for a frame."""
    screen = app.screen
    return not (
        screen._layout_required
        or screen._scroll_required
        or screen._repaint_required
        or screen._dirty_widgets
    )


def drawn(app: ReaderApp, frames: Frames, before: Shown, since: int) -> bool:
    """The result has been drawn since ``before``: a frame (after the ``since``-th)
    showed the new list, and no frame has followed for :data:`QUIET` seconds with
    nothing left to draw (what one key redraws may take several frames)."""
    return (
        frames.count > since
        and frames.showing is not None
        and changed(before, frames.showing)
        and nothing_to_draw(app)
        and time.perf_counter() - frames.last >= QUIET
    )


# -- driving -------------------------------------------------------------------------


def key_event(character: str) -> events.Key:
    """The key event a terminal sends for one typed character."""
    if character.isalnum():
        return events.Key(character, character)
    name = unicodedata.name(character).lower().replace("-", "_").replace(" ", "_")
    return events.Key(name, character)


async def until(condition: Callable[[], bool], timeout: float, what: str) -> float:
    """Poll ``condition()`` until true; the seconds it took. Raises BenchError on timeout."""
    began = time.perf_counter()
    while not condition():
        if time.perf_counter() - began > timeout:
            raise BenchError(f"{what}: not within {timeout:.0f} s")
        await asyncio.sleep(POLL)
    return time.perf_counter() - began


def make_app(db: Path) -> ReaderApp:
    return ReaderApp(open_library(db, create=False), USER, config=CONFIG)


async def settle(app: ReaderApp, pilot: Pilot[None]) -> None:
    """Let background work (an index built after the first screen, say) finish."""
    await app.workers.wait_for_complete()
    await pilot.pause()


# -- the measures ----------------------------------------------------------------------


async def start_once(db: Path, size: int, prefixes: list[str], timeout: float) -> float:
    began = time.perf_counter()
    app = make_app(db)
    try:
        async with app.run_test(size=SIZE):
            await until(lambda: list_filled(app, size, prefixes), timeout, "list filled")
            took = time.perf_counter() - began
    finally:
        app.library.close()
    return took


def measure_start(
    table: Table, size: int, db: Path, titles: list[str], runs: int, timeout: float
) -> None:
    """Constructing the app to the list holding every paper, its first title drawn."""
    prefixes = title_prefixes(titles)
    took = [asyncio.run(start_once(db, size, prefixes, timeout)) for _ in range(runs)]
    table.add(
        Row(
            "start",
            size,
            "in app: new app to list filled",
            tuple(took),
            note="modules already imported; no terminal output",
        )
    )


@dataclass
class Typed:
    """Per key typed: wall and CPU seconds until its result was drawn (the last frame
    it took), the filter's text, and how many frames it took."""

    costs: list[float]
    cpu: list[float]
    keys: list[str]
    counts: list[int]


async def type_query(
    app: ReaderApp, pilot: Pilot[None], frames: Frames, text: str, timeout: float
) -> Typed:
    """Type ``text`` into the filter key by key, each key's result drawn."""
    typed_keys = Typed([], [], [], [])
    costs, cpu, keys, counts = (
        typed_keys.costs,
        typed_keys.cpu,
        typed_keys.keys,
        typed_keys.counts,
    )
    await pilot.press("slash")
    if not filter_focused(app):
        # Letters that reached the list would run its bindings (s stars a paper).
        raise BenchError('"/" did not focus the filter')
    typed = ""
    for character in text:
        previous = typed.strip()
        typed += character
        before = shown(app)
        began, began_cpu = time.perf_counter(), time.process_time()
        app.post_message(key_event(character))
        if typed.strip() == previous:
            # A trailing space leaves the query as it was: there may be nothing to wait for.
            await settle(app, pilot)
            continue
        since = frames.count
        await until(partial(drawn, app, frames, before, since), timeout, repr(typed))
        costs.append(frames.last - began)
        cpu.append(frames.last_cpu - began_cpu)
        keys.append(typed)
        counts.append(frames.count - since)
        await settle(app, pilot)
    # Esc clears the filter and hands the keys back to the list.
    before = shown(app)
    await pilot.press("escape")
    await until(partial(filter_applied, app, before), timeout, "filter cleared")
    await settle(app, pilot)
    return typed_keys


async def filter_in_app(
    table: Table, size: int, db: Path, titles: list[str], timeout: float
) -> None:
    prefixes = title_prefixes(titles)
    app = make_app(db)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await until(lambda: list_filled(app, size, prefixes), timeout, "list filled")
            await settle(app, pilot)
            frames = Frames(app)
            for text in TYPED:
                typed = await type_query(app, pilot, frames, text, timeout)
                costs, keys = typed.costs, typed.keys
                worst = max(range(len(costs)), key=costs.__getitem__)
                note = (
                    f"worst {seconds(costs[worst])} at {keys[worst]!r}; "
                    f"{statistics.mean(typed.counts):.1f} frames a key"
                )
                measure = f"app: {text!r} key to drawn"
                table.add(Row("filter", size, measure, tuple(costs), note=note))
                note = "the process's, all threads, over the same time"
                table.add(Row("filter", size, f"{measure}, CPU", tuple(typed.cpu), note=note))
    finally:
        app.library.close()


def measure_filter(table: Table, size: int, db: Path, titles: list[str], timeout: float) -> None:
    """Type each query into the running app's filter: key press to the new list drawn."""
    asyncio.run(filter_in_app(table, size, db, titles, timeout))


async def press_costs(
    pilot: Pilot[None], key: str, presses: int, *, settle: float = 0
) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds of each press of ``key``, through Pilot, including the
    repaint it causes (and whatever follows within ``settle`` seconds)."""
    wall: list[float] = []
    cpu: list[float] = []
    for _ in range(presses):
        began, began_cpu = time.perf_counter(), time.process_time()
        await pilot.press(key)
        await pilot.pause(settle)  # draw now, inside the measure, not on the next timer tick
        wall.append(time.perf_counter() - began)
        cpu.append(time.process_time() - began_cpu)
    return wall, cpu


async def scroll_in_app(
    table: Table, size: int, db: Path, titles: list[str], presses: int, timeout: float
) -> None:
    prefixes = title_prefixes(titles)
    app = make_app(db)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await until(lambda: list_filled(app, size, prefixes), timeout, "list filled")
            await settle(app, pilot)
            papers = paper_list(app)
            assert papers is not None
            # A key bound to nothing: what Pilot itself costs per press (its waits for idle).
            floor_wall, floor_cpu = await press_costs(pilot, "f12", presses)
            results = {"f12": (floor_wall, floor_cpu)}
            # Keys in a burst, as a held key repeats: the detail pane waits for the
            # keys to pause (DETAIL_DELAY), which Pilot's ~45 ms per press never does,
            # so the pause is made long here and the detail measured on its own below.
            delay = screens.DETAIL_DELAY
            screens.DETAIL_DELAY = 10.0
            try:
                for key in ("j", "pagedown"):
                    results[key] = await press_costs(pilot, key, presses)
            finally:
                screens.DETAIL_DELAY = delay
            # One press, then the pause: the list move and the detail pane that follows.
            results["j, then pause"] = await press_costs(pilot, "j", presses, settle=delay + 0.05)
            # A key that opened a dialog would have measured the dialog, not the list.
            if type(app.screen).__name__ != "LibraryScreen" or papers.cursor == 0:
                raise BenchError("the keys did not move the list's cursor")
    finally:
        app.library.close()
    for key, label in SCROLL_KEYS.items():
        wall, cpu = results[key]
        wall_note = cpu_note = ""
        if key != "f12":
            wall_note = (
                f"{seconds(statistics.median(wall) - statistics.median(floor_wall))} over f12"
            )
            cpu_note = f"{seconds(statistics.median(cpu) - statistics.median(floor_cpu))} over f12"
        table.add(Row("scroll", size, f"{label}: wall", tuple(wall), note=wall_note))
        table.add(Row("scroll", size, f"{label}: CPU", tuple(cpu), note=cpu_note))


def measure_scroll(
    table: Table, size: int, db: Path, titles: list[str], presses: int, timeout: float
) -> None:
    """Cursor one row and one page down, ``presses`` times each, wall and CPU per key."""
    asyncio.run(scroll_in_app(table, size, db, titles, presses, timeout))
