"""Not interested (d) in the app, through Pilot: the paper leaves the list and the
cursor goes on, z brings it back, is:dismissed shows them marked, a selection is
dismissed at once, and For you's "help it learn" list moves on."""

from __future__ import annotations

from reader.config import Config
from reader.store import Library
from reader.tui.app import ReaderApp
from reader.tui.widgets.paper_list import DISMISSED
from tests.support.pilot import (
    detail_text,
    highlighted_id,
    library_screen,
    markers,
    settle,
    settle_detail,
    shown_ids,
    sub_title,
    type_keys,
    wait_until,
)

QUIET = Config(read_delay=0)


def make_app(library: Library) -> ReaderApp:
    return ReaderApp(library, "ana", config=QUIET)


async def test_d_takes_papers_out_one_key_each_and_z_brings_them_back(library: Library) -> None:
    app = make_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        before = shown_ids(app)
        await type_keys(pilot, "d", "d", "d")
        await settle(pilot)
        gone = before[:3]
        assert all(library.annotation("ana", i).is_dismissed for i in gone)
        assert shown_ids(app) == before[3:]
        assert highlighted_id(app) == before[3]
        assert f"{len(before) - 3} of {len(before)} papers" in sub_title(app)
        await type_keys(pilot, "z")
        await wait_until(pilot, lambda: gone[2] in shown_ids(app), "the paper back")
        await settle(pilot)
        assert not library.annotation("ana", gone[2]).is_dismissed
        assert shown_ids(app) == [before[2], *before[3:]]
        assert highlighted_id(app) == gone[2]
        # The others stay out, in this view and in others.
        await type_keys(pilot, "2")
        await settle(pilot)
        assert not set(shown_ids(app)) & set(gone[:2])


async def test_is_dismissed_lists_them_marked(library: Library) -> None:
    first = library.order()[0]
    library.set_dismissed("ana", [first], True)
    app = make_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert first not in shown_ids(app)
        await type_keys(pilot, "slash", *"is:dismissed", "enter")
        await wait_until(pilot, lambda: shown_ids(app) == [first], "the dismissed paper")
        await settle_detail(pilot)
        assert DISMISSED in markers(app, 0)
        assert "Not interested since " in detail_text(app)
        # d again under is:dismissed: interested again, and the row stays put.
        await type_keys(pilot, "d")
        await settle(pilot)
        assert not library.annotation("ana", first).is_dismissed
        assert shown_ids(app) == [first] and DISMISSED not in markers(app, 0)


async def test_d_on_a_selection_dismisses_them_all(library: Library) -> None:
    app = make_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        before = shown_ids(app)
        await type_keys(pilot, "space", "j", "space", "d")
        await settle(pilot)
        assert {i for i in before if library.annotation("ana", i).is_dismissed} == {
            before[0],
            before[2],
        }
        assert shown_ids(app) == [before[1], *before[3:]]


async def test_a_paper_an_undo_puts_back_does_not_turn_read(library: Library) -> None:
    app = ReaderApp(library, "ana", config=Config(read_delay=60))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        first = shown_ids(app)[0]
        await type_keys(pilot, "d")
        await settle(pilot)
        await type_keys(pilot, "z")
        await wait_until(pilot, lambda: highlighted_id(app) == first, "the paper back, highlighted")
        # The user did not go to it: its read timer is not running.
        assert not library_screen(app).triage.is_reading(first)
