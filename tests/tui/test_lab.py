"""The lab in the app, through Pilot: the list's lab column, the detail pane's lab
part (stars, tags, shared notes, never an unshared one), starred-by:, view 9, N to
share a note, and another user's star arriving while the app is open."""

from __future__ import annotations

from pathlib import Path

from reader.config import Config
from reader.store import Library, open_library
from reader.tui.app import ReaderApp
from tests.support.pilot import (
    detail_text,
    library_screen,
    paper_list,
    row_text,
    settle,
    settle_detail,
    shown_ids,
    sub_title,
    type_keys,
    wait_until,
)

SECRET = "zanzibarquokka"


async def test_the_lab_shows_in_the_list_the_detail_pane_and_the_filter(
    library: Library, db_path: Path
) -> None:
    first, second, third = library.order()[:3]
    library.set_starred_many("bo", [first, second], True)
    library.set_starred_many("cy", [first], True)
    library.set_note("bo", first, f"mine alone: {SECRET}")
    library.set_note("bo", second, "worth a read for the ablations")
    library.share_note("bo", second, True)
    library.change_tags("cy", [second], add=["survey"])
    library.set_note("ana", second, "my own note")
    app = ReaderApp(library, "ana", config=Config(read_delay=0))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await settle_detail(pilot)
        assert shown_ids(app)[:2] == [first, second]
        assert row_text(app, 0).rstrip().endswith("☆2")
        assert row_text(app, 1).rstrip().endswith("☆1")
        assert "☆" not in row_text(app, 2)
        shown = detail_text(app)
        assert "★ bo, cy" in shown and SECRET not in shown
        await type_keys(pilot, "j")
        await settle_detail(pilot)
        shown = detail_text(app)
        assert "bo's note (shared):\nworth a read for the ablations" in shown
        assert "cy: #survey" in shown and SECRET not in shown
        # N shares ana's own note on this paper; N again stops.
        await type_keys(pilot, "N")
        await wait_until(pilot, lambda: library.shared_notes("ana") == {second}, "shared")
        assert "Your note · shared with the lab" in detail_text(app)
        await type_keys(pilot, "N")
        await wait_until(pilot, lambda: library.shared_notes("ana") == set(), "not shared")
        # The filter knows who starred what, typed in one burst.
        await type_keys(pilot, "slash", *"starred-by:cy", "enter")
        await wait_until(pilot, lambda: shown_ids(app) == [first], "cy's stars")
        await type_keys(pilot, "escape", "9")
        await wait_until(pilot, lambda: shown_ids(app) == [first, second], "Lab picks")
        assert "Lab picks" in sub_title(app)
        # dy, in another process, stars a third paper: the view and the column follow.
        other = open_library(db_path)
        try:
            other.set_starred_many("dy", [third], True)
        finally:
            other.close()
        library_screen(app).check_outside_changes()
        await wait_until(pilot, lambda: third in shown_ids(app), "dy's star in Lab picks")
        assert paper_list(app)._lab[third] == 1


async def test_a_private_users_marks_never_show(library: Library) -> None:
    first = library.order()[0]
    library.set_starred_many("bo", [first], True)
    library.join_lab("bo", private=True)
    app = ReaderApp(library, "ana", config=Config(read_delay=0))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await settle_detail(pilot)
        assert "☆" not in row_text(app, 0), row_text(app, 0)
        assert "★" not in detail_text(app)
        await type_keys(pilot, "9")
        await wait_until(pilot, lambda: shown_ids(app) == [], "no lab picks")
        assert paper_list(app).empty_message.startswith("No lab mate has starred a paper yet")
    # bo's own app, private by his config, keeps it so.
    app = ReaderApp(library, "bo", config=Config(read_delay=0, private=True))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
    assert library.lab_members() == [("bo", True)]
