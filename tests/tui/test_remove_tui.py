"""Removing papers in the app (issue 15, item 12): D (or delete, or the palette) asks,
removes the highlighted or selected papers through the write queue, keeps the cursor
near where it was, and z puts them back with everyone's marks."""

from __future__ import annotations

from pathlib import Path

from textual.command import CommandList
from textual.widgets import Label

from reader.config import Config
from reader.store import Library
from reader.tui.app import ReaderApp
from reader.tui.dialogs.remove_dialog import ConfirmRemove
from reader.tui.screens.library import LibraryScreen
from tests.support.pilot import paper_list, settle, sub_title, type_keys, wait_until
from tests.support.store import stored, write_lock

QUIET = Config(read_delay=0)


def open_app(library: Library) -> ReaderApp:
    return ReaderApp(library, "ana", config=QUIET)


def shown(app: ReaderApp) -> list[int]:
    return list(paper_list(app).paper_ids)


def messages(app: ReaderApp) -> list[str]:
    return [n.message for n in app._notifications]


def dialog_text(app: ReaderApp) -> str:
    assert isinstance(app.screen, ConfirmRemove)
    return "\n".join(str(label.render()) for label in app.screen.query(Label))


def offered(app: ReaderApp) -> str | None:
    """The name of the palette's highlighted command, if the palette is open."""
    lists = app.screen.query(CommandList)
    option = lists.first().highlighted_option if lists else None
    return str(option.prompt).splitlines()[0] if option is not None else None


def rows(library: Library) -> list[object]:
    return [
        library.db.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
        for table in ("annotations", "drafts")
    ] + [library.db.execute("SELECT * FROM papers ORDER BY id").fetchall()]


async def test_d_asks_then_removes_the_highlighted_paper_and_z_puts_it_back(
    library: Library,
) -> None:
    app = open_app(library)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("j", "j")
        ids = shown(app)
        gone, below = ids[2], ids[3]
        library.set_note("bob", gone, "bob's note")
        library.set_starred("ana", gone, True)
        before = rows(library)
        title = stored(library, gone).title

        await pilot.press("D")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmRemove), "the question")
        text = dialog_text(app)
        assert "Remove 1 paper?" in text and title[:40] in text
        assert "With notes by bob (1 note): the notes go with them." in text
        assert "Starred or tagged by ana (1 starred)" in text
        await pilot.press("y")
        await wait_until(pilot, lambda: isinstance(app.screen, LibraryScreen), "the list again")

        assert gone not in shown(app) and len(shown(app)) == 38 and library.count() == 38
        # The cursor goes to the paper that was below the one removed.
        assert paper_list(app).highlighted == below
        assert sub_title(app).startswith("ana · All · 38 of 38 papers")
        assert any(m.startswith("Removed 1 paper.") and "z undoes" in m for m in messages(app))

        await pilot.press("z")
        await wait_until(pilot, lambda: gone in shown(app), "the paper back")
        assert paper_list(app).highlighted == gone
        assert shown(app) == ids
        assert rows(library) == before
        assert library.annotation("bob", gone).note == "bob's note"


async def test_no_and_escape_remove_nothing(library: Library) -> None:
    app = open_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for answer in ("n", "escape"):
            await pilot.press("delete")
            await wait_until(pilot, lambda: isinstance(app.screen, ConfirmRemove), "the question")
            await pilot.press(answer)
            await wait_until(pilot, lambda: isinstance(app.screen, LibraryScreen), "the list again")
        # A stray Enter answers the safe way too.
        await pilot.press("D")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmRemove), "the question")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, LibraryScreen), "the list again")
        assert len(shown(app)) == 39 and library.count() == 39


async def test_the_selected_papers_go_together_and_come_back_together(library: Library) -> None:
    app = open_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        ids = shown(app)
        await pilot.press("space", "j", "space")  # the first and third papers
        marked = {ids[0], ids[2]}
        await pilot.press("D")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmRemove), "the question")
        assert "Remove 2 papers?" in dialog_text(app)
        await pilot.press("y")
        await wait_until(pilot, lambda: len(shown(app)) == 37, "two papers fewer")
        assert marked.isdisjoint(shown(app)) and library.count() == 37
        assert "selected" not in sub_title(app)
        await pilot.press("z")
        await wait_until(pilot, lambda: len(shown(app)) == 39, "both back")
        assert shown(app) == ids


async def test_removing_the_last_row_lands_on_the_one_before(library: Library) -> None:
    app = open_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        ids = shown(app)
        await pilot.press("G", "D")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmRemove), "the question")
        await pilot.press("y")
        await wait_until(pilot, lambda: len(shown(app)) == 38, "one paper fewer")
        assert paper_list(app).highlighted == ids[-2]


async def test_a_filtered_list_loses_the_paper_and_keeps_its_filter(library: Library) -> None:
    app = open_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await type_keys(pilot, "slash", *"image", "enter")
        await settle(pilot)
        matches = shown(app)
        assert 2 < len(matches) < 39
        await pilot.press("D")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmRemove), "the question")
        await pilot.press("y")
        await wait_until(pilot, lambda: len(shown(app)) == len(matches) - 1, "one match fewer")
        assert shown(app) == matches[1:]
        assert paper_list(app).highlighted == matches[1]
        await pilot.press("z")
        await settle(pilot)
        assert shown(app) == matches


async def test_the_palette_removes_the_sample_but_the_papers_with_notes(
    library: Library,
) -> None:
    from reader.models import Paper

    library.import_papers([Paper("My own paper on sparse attention", "2501.00001")])
    noted = library.sample_ids()[5]
    library.set_note("bob", noted, "bob keeps this one")
    app = open_app(library)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        ids = shown(app)
        await type_keys(pilot, "ctrl+p", *"Remove the sample papers")
        await wait_until(pilot, lambda: offered(app) == "Remove the sample papers", "the command")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmRemove), "the question")
        text = dialog_text(app)
        assert "Remove 38 sample papers?" in text
        assert "1 paper with notes stays, by bob (1 note)." in text
        await pilot.press("y")
        await wait_until(pilot, lambda: len(shown(app)) == 2, "the sample gone")
        assert {stored(library, i).title for i in shown(app)} == {
            "My own paper on sparse attention",
            stored(library, noted).title,
        }
        assert library.sample_ids() == [noted]
        await pilot.press("z")
        await wait_until(pilot, lambda: len(shown(app)) == 40, "the sample back")
        assert shown(app) == ids and len(library.sample_ids()) == 39


async def test_the_remove_key_is_in_the_palette_by_name(library: Library) -> None:
    app = open_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert {"Remove from the library", "Remove the sample papers"} <= titles


async def test_a_removal_waits_for_a_busy_library_then_lands(
    library: Library, db_path: Path
) -> None:
    app = open_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        first = shown(app)[0]
        with write_lock(db_path):
            await pilot.press("D")
            await wait_until(pilot, lambda: isinstance(app.screen, ConfirmRemove), "the question")
            await pilot.press("y")
            await wait_until(pilot, lambda: isinstance(app.screen, LibraryScreen), "the list again")
            status = app.screen.query_one("#status")
            assert "Saving 1 change" in str(status.render())
            assert first in shown(app) and library.count() == 39
            # Undo waits for what is being saved.
            await pilot.press("z")
        await wait_until(pilot, lambda: first not in shown(app), "the removal saved")
        assert library.count() == 38
        await pilot.press("z")
        await wait_until(pilot, lambda: first in shown(app), "the paper back")
        assert library.count() == 39


async def test_undoing_a_star_on_a_paper_removed_elsewhere_says_so_once(
    library: Library,
) -> None:
    app = open_app(library)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        paper = shown(app)[0]
        await pilot.press("s")
        await settle(pilot)
        library.remove_papers([paper])  # as another window or `reader remove` would
        await pilot.press("z")
        await wait_until(
            pilot, lambda: any("removed from the library" in m for m in messages(app)), "told"
        )
        screen = app.screen
        assert isinstance(screen, LibraryScreen) and screen.triage.undo_stack == []
