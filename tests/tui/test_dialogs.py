"""The dialogs over the list (tags, note, export, help, the palette), driven by keys:
each key does what its hint says, also when the keys come in one burst."""

from __future__ import annotations

from pathlib import Path

from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets import Button, Checkbox, Input, Label
from textual.widgets.text_area import Selection

from reader.config import Config
from reader.store import Library
from reader.tui.app import ReaderApp
from reader.tui.dialogs.export_dialog import ExportDialog
from reader.tui.dialogs.note_editor import (
    ConfirmDiscard,
    NoteEditor,
    NoteText,
    indent,
    outdent,
)
from reader.tui.dialogs.tag_editor import TagEditor, complete
from reader.tui.screens.library import LibraryScreen
from reader.tui.widgets.paper_list import PaperList
from tests.support.pilot import GROKKING, burst, palette_options, settle, type_keys, wait_until
from tests.support.store import ids, stored

# No paper turns read by itself unless a test asks for it.
QUIET = Config(read_delay=0)


def open_app(library: Library, config: Config = QUIET) -> ReaderApp:
    return ReaderApp(library, "ana", config=config)


def highlighted(app: ReaderApp) -> int:
    paper_id = app.screen.query_one(PaperList).highlighted
    assert paper_id is not None
    return paper_id


# -- tags ------------------------------------------------------------------------------


def test_completion_takes_the_first_known_tag_the_last_word_begins() -> None:
    known = ["vision", "video", "diffusion"]
    assert complete("vi", known) == "vision"
    assert complete("old -vid", known) == "old -video"
    assert complete("Dif", known) == "diffusion"
    assert complete("vision vi", known) == "vision video"  # one already typed: the next
    assert complete("vision ", known) is None
    assert complete("zz", known) is None
    assert complete("vision", known) is None


async def test_tab_completes_the_tag_being_typed(library: Library) -> None:
    first, second = ids(library.papers()[:2])
    library.change_tags("ana", [second], add=["vision"])
    app = open_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert highlighted(app) == first
        await pilot.press("t")
        await wait_until(pilot, lambda: isinstance(app.screen, TagEditor), "the tag editor")
        await type_keys(pilot, *"vi", "tab")
        assert app.screen.query_one(Input).value == "vision "
        await type_keys(pilot, *"new", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, LibraryScreen), "the list")
        await wait_until(
            pilot,
            lambda: library.annotation("ana", first).tags == ("vision", "new"),
            "the answer saved",
        )


async def test_tab_completes_keys_typed_in_one_burst(library: Library) -> None:
    first, second = ids(library.papers()[:2])
    library.change_tags("ana", [second], add=["vision"])
    app = open_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert highlighted(app) == first
        await pilot.press("t")
        await wait_until(pilot, lambda: isinstance(app.focused, Input), "the tag editor")
        # Tab comes before the suggestion for "vis" has been worked out.
        burst(pilot, *"vis", "tab", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, LibraryScreen), "the list")
        # The editor's answer is saved after it closes.
        await wait_until(pilot, lambda: library.annotation("ana", first).tags, "the tag saved")
        assert library.annotation("ana", first).tags == ("vision",)


async def test_t_then_a_tag_and_tab_in_one_burst(library: Library) -> None:
    first, second = ids(library.papers()[:2])
    library.change_tags("ana", [second], add=["vision"])
    app = open_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert highlighted(app) == first
        burst(pilot, "t", *"vis", "tab", "enter")
        await wait_until(pilot, lambda: library.annotation("ana", first).tags, "the tag saved")
        assert library.annotation("ana", first).tags == ("vision",)


# -- the note editor -------------------------------------------------------------------


def test_indent_and_outdent_one_line() -> None:
    assert indent("- a") == "    - a"
    assert outdent("    - a") == "- a"
    assert outdent("      - a") == "  - a"
    assert outdent("  - a") == "- a"
    assert outdent("\t- a") == "- a"
    assert outdent("- a") == "- a"


async def open_note(pilot: Pilot[None]) -> NoteText:
    await pilot.press("n")
    await wait_until(pilot, lambda: isinstance(pilot.app.focused, NoteText), "the note editor")
    editor = pilot.app.focused
    assert isinstance(editor, NoteText)
    return editor


async def test_tab_nests_a_list_item_and_shift_tab_takes_it_back(library: Library) -> None:
    app = open_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        paper_id = highlighted(app)
        editor = await open_note(pilot)
        await type_keys(pilot, *"- fruit", "enter", *"- apple", "tab")
        assert editor.text == "- fruit\n    - apple"
        assert editor.cursor_location == (1, 11)  # still after "apple"
        await type_keys(pilot, "enter", *"- pear", "tab", "shift+tab")
        assert editor.text == "- fruit\n    - apple\n- pear"
        assert isinstance(app.screen, NoteEditor)  # Tab never left the text
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, LibraryScreen), "the list")
        await wait_until(
            pilot,
            lambda: library.annotation("ana", paper_id).note == "- fruit\n    - apple\n- pear",
            "the answer saved",
        )


async def test_tab_in_a_burst_nests_the_line_it_came_on(library: Library) -> None:
    app = open_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        editor = await open_note(pilot)
        burst(pilot, *"- a", "enter", *"- b", "tab", "enter", *"- c", "shift+tab")
        expected = "- a\n    - b\n- c"
        await wait_until(pilot, lambda: editor.text == expected, "the nested list")


async def test_tab_indents_every_line_of_a_selection(library: Library) -> None:
    app = open_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        editor = await open_note(pilot)
        editor.insert("- a\n- b\n- c")
        editor.selection = Selection((0, 1), (2, 0))  # "c" is not in it
        await pilot.press("tab")
        assert editor.text == "    - a\n    - b\n- c"
        assert editor.selection == Selection((0, 5), (2, 0))
        await pilot.press("shift+tab", "shift+tab")
        assert editor.text == "- a\n- b\n- c"


async def test_the_discard_question_can_save(library: Library) -> None:
    app = open_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        paper_id = highlighted(app)
        editor = await open_note(pilot)
        editor.insert("worth keeping")
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDiscard), "the question")
        labels = [str(button.label) for button in app.screen.query(Button)]
        assert labels == ["Save (s)", "Discard (y)", "Keep editing (n)"]
        await pilot.press("s")
        await wait_until(pilot, lambda: isinstance(app.screen, LibraryScreen), "the list")
        await wait_until(
            pilot,
            lambda: library.annotation("ana", paper_id).note == "worth keeping",
            "the answer saved",
        )


async def test_the_discard_questions_save_button_saves(library: Library) -> None:
    app = open_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        paper_id = highlighted(app)
        editor = await open_note(pilot)
        editor.insert("clicked")
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDiscard), "the question")
        await pilot.click("#save")
        await wait_until(pilot, lambda: isinstance(app.screen, LibraryScreen), "the list")
        await wait_until(
            pilot, lambda: library.annotation("ana", paper_id).note == "clicked", "the answer saved"
        )


async def test_a_save_the_library_refuses_keeps_the_editor_open(library: Library) -> None:
    app = open_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        paper_id = highlighted(app)
        editor = await open_note(pilot)
        editor.insert("mine")
        library.set_note("ana", paper_id, "written in another window")
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDiscard), "the question")
        await pilot.press("s")
        await wait_until(pilot, lambda: isinstance(app.screen, NoteEditor), "the editor again")
        assert app.screen.query_one(NoteText).text == "mine"
        assert library.annotation("ana", paper_id).note == "written in another window"


async def test_quitting_with_an_unsaved_note_can_save_it_first(library: Library) -> None:
    app = open_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        paper_id = highlighted(app)
        editor = await open_note(pilot)
        editor.insert("saved on the way out")
        await pilot.press("ctrl+q")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDiscard), "the question")
        await pilot.press("s")
        await wait_until(pilot, lambda: not app.is_running, "the app to stop")
    assert app.return_code == 0
    assert library.annotation("ana", paper_id).note == "saved on the way out"


async def test_letters_after_tab_in_a_burst_go_after_the_completion(library: Library) -> None:
    first, second = ids(library.papers()[:2])
    library.change_tags("ana", [second], add=["vision"])
    app = open_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await wait_until(pilot, lambda: isinstance(app.focused, Input), "the tag editor")
        burst(pilot, *"vis", "tab", *"new", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, LibraryScreen), "the list")
        # The dialog's answer reaches the list after the dialog has gone.
        await wait_until(pilot, lambda: library.annotation("ana", first).tags, "the tags saved")
        assert library.annotation("ana", first).tags == ("vision", "new")


# -- export ----------------------------------------------------------------------------


async def test_export_over_a_file_points_at_the_overwrite_box(
    library: Library, tmp_path: Path
) -> None:
    target = tmp_path / "notes.md"
    target.write_text("an earlier export", encoding="utf-8")
    app = open_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("x")
        await wait_until(pilot, lambda: isinstance(app.screen, ExportDialog), "the dialog")
        dialog = app.screen
        dialog.query_one("#path", Input).value = str(target)
        await pilot.press("enter")
        error = dialog.query_one("#export-error", Label)
        await wait_until(pilot, lambda: error.has_class("-shown"), "the refusal")
        said = str(error.render())
        assert said == (
            f"{target} exists: tick “Overwrite the file if it exists” above to replace it, "
            "or give another path."
        )
        assert "--force" not in said
        # Still open, the box has the focus: space ticks it, and the export goes ahead.
        assert app.screen is dialog
        assert app.focused is dialog.query_one("#force", Checkbox)
        assert target.read_text(encoding="utf-8") == "an earlier export"
        await pilot.press("space")
        assert dialog.query_one("#force", Checkbox).value
        await pilot.click("#export")
        await wait_until(pilot, lambda: isinstance(app.screen, LibraryScreen), "the list")
    assert target.read_text(encoding="utf-8").startswith("#")


# -- messages that count -----------------------------------------------------------------


def messages(app: ReaderApp) -> list[str]:
    return [notification.message for notification in app._notifications]


async def test_r_and_its_undo_count_the_same_papers(library: Library) -> None:
    already = ids(library.papers()[5:8])
    library.set_read("ana", already, True)
    app = open_app(library)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("R")
        await wait_until(pilot, lambda: any(m.startswith("Read:") for m in messages(app)), "R")
        assert messages(app)[-1] == "Read: 36 papers (3 already were). z undoes."
        await pilot.press("z")
        await wait_until(pilot, lambda: messages(app)[-1].startswith("Undone"), "the undo")
        assert messages(app)[-1] == "Undone: read (36 papers)."
        assert [i for i in ids(library.papers()) if library.annotation("ana", i).is_read] == (
            already
        )
        await pilot.press("R")
        await wait_until(pilot, lambda: messages(app)[-1].startswith("Read:"), "R again")
        await pilot.press("R")
        await wait_until(pilot, lambda: "nothing" in messages(app)[-1], "R a third time")
        assert messages(app)[-1] == "Read: nothing to change (all 39 papers already were)."


# -- the palette -----------------------------------------------------------------------


async def palette(pilot: Pilot[None], typed: str) -> list[str]:
    """Open the palette, type ``typed``: the papers it offers, once it has searched."""
    app = pilot.app
    await pilot.press("ctrl+p")
    await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette), "the palette")
    await pilot.press(*typed)
    await wait_until(
        pilot, lambda: any(o.startswith("Open paper: ") for o in palette_options(app)), typed
    )
    return [o for o in palette_options(app) if o.startswith("Open paper: ")]


async def test_the_palette_finds_papers_by_open_paper_and_title_words(library: Library) -> None:
    newest = [paper.title for paper in library.listing()[:3]]
    app = open_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        offered = await palette(pilot, "open paper")
        assert offered[:3] == [f"Open paper: {title}" for title in newest]
        assert palette_options(app)[0] == offered[0]  # above every command
        await type_keys(pilot, *" grokking")
        grokking = f"Open paper: {GROKKING}"
        await wait_until(
            pilot, lambda: palette_options(app)[:1] == [grokking], "the grokking paper"
        )
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, LibraryScreen), "the list")
        assert "Grokking" in stored(library, highlighted(app)).title
        # The title's words alone find it too.
        assert (await palette(pilot, "grokking relu"))[0] == grokking


async def test_a_start_of_open_paper_offers_papers_below_open_pdf(library: Library) -> None:
    app = open_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        offered = await palette(pilot, "open p")
        assert offered
        options = palette_options(app)
        assert options.index("Open PDF") < options.index(offered[0])
