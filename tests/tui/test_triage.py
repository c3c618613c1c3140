"""Keyboard triage, driven by keys through Pilot: each key's effect on screen and on disk."""

from __future__ import annotations

import json
import re
import sys
import threading
import webbrowser
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, Label, Static

from reader.config import Config, View, load_config
from reader.models import Paper
from reader.store import Library
from reader.tui.app import ReaderApp
from reader.tui.dialogs.help import HelpScreen
from reader.tui.dialogs.tag_editor import TagEditor
from reader.tui.screens import library_links
from reader.tui.screens.library import LibraryScreen
from reader.tui.widgets.filter_bar import FilterBar
from tests.support.pilot import (
    PATIENCE,
    choose_in_palette,
    highlighted_id,
    paper_list,
    settle,
    sub_title,
    type_keys,
    wait_until,
)
from tests.support.store import ids, stored, stored_id

# No paper turns read by itself unless a test asks for it.
QUIET = Config(read_delay=0)


class _Browser(webbrowser.BackgroundBrowser):
    """A graphical browser that only says what it was asked to open."""

    def __init__(self, open_url: Callable[[str], object]) -> None:
        super().__init__("fake-browser")
        self._open_url = open_url

    def open(self, url: str, new: int = 0, autoraise: bool = True) -> bool:
        return bool(self._open_url(url))


def use_browser(monkeypatch: pytest.MonkeyPatch, open_url: Callable[[str], object]) -> None:
    """The system's browser is ``open_url`` (it returns whether it opened the page)."""
    monkeypatch.setattr(webbrowser, "get", lambda using=None: _Browser(open_url))


def opening_into(opened: list[str]) -> Callable[[str], bool]:
    """A browser that opens every page it is given, noting its url in ``opened``."""

    def open_url(url: str) -> bool:
        opened.append(url)
        return True

    return open_url


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def screen(app: ReaderApp) -> LibraryScreen:
    assert isinstance(app.screen, LibraryScreen)
    return app.screen


def shown(app: ReaderApp) -> list[int]:
    return list(paper_list(app).paper_ids)


def row(app: ReaderApp, y: int) -> str:
    return paper_list(app).render_line(y).text


def messages(app: ReaderApp) -> list[str]:
    return [n.message for n in app._notifications]


def open_app(library: Library, config: Config = QUIET, **kwargs: object) -> ReaderApp:
    return ReaderApp(library, "ana", config=config, **kwargs)  # type: ignore[arg-type]


# -- read state -------------------------------------------------------------------


async def test_r_marks_read_and_u_unread(library: Library) -> None:
    app = open_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        paper_id = highlighted_id(app)
        assert row(app, 0)[1] == "•"
        await pilot.press("r")
        assert library.annotation("ana", paper_id).is_read
        assert row(app, 0)[1] == " "
        await pilot.press("u")
        assert not library.annotation("ana", paper_id).is_read
        assert row(app, 0)[1] == "•"


async def test_no_paper_turns_read_without_the_user_going_to_it(library: Library) -> None:
    """Start-up, a filter, a view, a reload and an undo put the cursor on papers;
    none of them turns read by itself (the top row did, 2 s after every start)."""
    clock = FakeClock()
    app = open_app(library, Config(read_delay=2.0), clock=clock)

    async def wait_out_the_delay() -> None:
        clock.now += 10
        screen(app).check_reading()
        await settle(pilot)

    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await wait_out_the_delay()  # start-up
        await type_keys(pilot, "slash", *"diffusion")
        await settle(pilot)
        await wait_out_the_delay()  # the filter's best match
        await pilot.press("escape", "escape")
        await settle(pilot)
        await pilot.press("3", "1")  # a view, and back
        await settle(pilot)
        await wait_out_the_delay()
        screen(app).reload()  # a reload (another process changed the file)
        await settle(pilot)
        await wait_out_the_delay()
        assert library.annotations("ana") == {}
        # R, then undo: the paper under the cursor is not marked again.
        await pilot.press("R")
        await settle(pilot)
        await pilot.press("z")
        await settle(pilot)
        await wait_out_the_delay()
        assert not any(mark.is_read for mark in library.annotations("ana").values())
        # The user goes to a paper: that one turns read, and a reload meanwhile
        # (the cursor kept on it) does not stop it.
        await pilot.press("j")
        second = highlighted_id(app)
        screen(app).reload()
        await settle(pilot)
        await wait_out_the_delay()
        read = [i for i, mark in library.annotations("ana").items() if mark.is_read]
        assert read == [second]


async def test_all_visible_papers_read_in_one_undoable_step(library: Library) -> None:
    app = open_app(library)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        await type_keys(pilot, "slash", *"restoration", "enter")
        await settle(pilot)
        visible = shown(app)
        assert 1 < len(visible) < 39
        await pilot.press("R")
        marks = library.annotations("ana")
        assert {i for i, m in marks.items() if m.is_read} == set(visible)
        await pilot.press("z")
        assert not any(m.is_read for m in library.annotations("ana").values())


# -- marking, bulk actions and undo ---------------------------------------------------


async def test_marked_papers_take_star_and_read_together_and_undo_steps_back(
    library: Library,
) -> None:
    app = open_app(library)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        first, second = shown(app)[:2]
        await pilot.press("space", "space")
        assert row(app, 0)[0] == row(app, 1)[0] == "▌"
        assert "2 selected" in sub_title(app)
        await pilot.press("s", "r")
        for paper_id in (first, second):
            mark = library.annotation("ana", paper_id)
            assert mark.starred and mark.is_read
        await pilot.press("z")
        assert all(library.annotation("ana", i).starred for i in (first, second))
        assert not any(library.annotation("ana", i).is_read for i in (first, second))
        await pilot.press("z")
        assert not any(library.annotation("ana", i).starred for i in (first, second))
        await pilot.press("z")
        assert messages(app)[-1] == "Nothing to undo."


async def test_esc_clears_marks_first_then_the_filter(library: Library) -> None:
    app = open_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await type_keys(pilot, "slash", *"image", "enter")
        await settle(pilot)
        await pilot.press("space")
        await pilot.press("escape")
        assert "selected" not in sub_title(app)
        assert app.screen.query_one(FilterBar).value == "image"
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.query_one(FilterBar).value == ""


async def test_undo_brings_back_a_note(library: Library) -> None:
    from textual.widgets import TextArea

    app = open_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        paper_id = highlighted_id(app)
        library.set_note("ana", paper_id, "first thoughts")
        await pilot.press("n")
        await pilot.pause()
        editor = app.screen.query_one(TextArea)
        editor.clear()
        editor.insert("second thoughts")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert library.annotation("ana", paper_id).note == "second thoughts"
        await pilot.press("z")
        assert library.annotation("ana", paper_id).note == "first thoughts"


# -- tags ------------------------------------------------------------------------------


async def test_t_edits_tags_with_completion_from_known_tags(library: Library) -> None:
    a, b = ids(library.papers()[:2])
    library.change_tags("ana", [b], add=["diffusion"])
    app = open_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, TagEditor)
        await type_keys(pilot, *"to-read dif")
        field = app.screen.query_one(Input)
        await wait_until(
            pilot, lambda: field._suggestion == "to-read diffusion", what="a suggestion"
        )
        await pilot.press("right", "enter")
        await pilot.pause()
        assert library.annotation("ana", a).tags == ("to-read", "diffusion")
        assert "#to-read +1 " in row(app, 0)  # whole tags, then how many more
        detail = str(app.screen.query_one("#detail-meta", Static).render())
        assert "#to-read #diffusion" in detail


async def test_tags_on_marked_papers_add_and_remove(library: Library) -> None:
    a, b = ids(library.papers()[:2])
    library.change_tags("ana", [a, b], add=["old"])
    app = open_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("space", "space", "t")
        await pilot.pause()
        await type_keys(pilot, *"new -old", "enter")
        await pilot.pause()
        assert library.annotation("ana", a).tags == ("new",)
        assert library.annotation("ana", b).tags == ("new",)


# -- views and order --------------------------------------------------------------------


async def test_number_keys_switch_views_named_in_the_header(library: Library) -> None:
    starred = stored_id(library.papers()[5])
    library.toggle_star("ana", starred)
    app = open_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        assert shown(app) == [starred]
        assert sub_title(app).startswith("ana · Starred · 1 of 39 papers")
        await pilot.press("1")
        await settle(pilot)
        assert len(shown(app)) == 39


async def test_views_come_from_the_config(library: Library) -> None:
    config = Config(read_delay=0, views=(View("1", "All", ""), View("7", "Grok", "grokking")))
    app = open_app(library, config)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("7")
        await settle(pilot)
        assert len(shown(app)) == 1 and "Grok" in sub_title(app)


async def test_sort_cycles_and_the_header_says_which(library: Library) -> None:
    app = open_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("O")
        assert sub_title(app).endswith("most upvoted")
        votes = [stored(library, i).upvotes or 0 for i in shown(app)]
        assert votes == sorted(votes, reverse=True) and votes[0] > 0
        await pilot.press("O")
        assert sub_title(app).endswith("most GitHub stars")
        await pilot.press("O")
        assert sub_title(app).endswith("by title")
        titles = [stored(library, i).title.lower() for i in shown(app)[:5]]
        assert titles == sorted(titles)
        await pilot.press("O")
        assert "· for you" in sub_title(app)
        await pilot.press("O")
        assert sub_title(app).endswith("newest first")


async def test_a_malformed_term_shows_a_hint_and_never_crashes(library: Library) -> None:
    app = open_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await type_keys(pilot, "slash", *"autor:smith")
        await settle(pilot)
        hint = app.screen.query_one("#filter-hint", Static)
        assert hint.display and "author:" in str(hint.render())
        assert shown(app) == []


# -- open, copy, editor ------------------------------------------------------------------


async def test_open_keys_open_only_http_links(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    use_browser(monkeypatch, opening_into(opened))
    library.import_papers(
        [
            Paper(
                "Has Code",
                arxiv_id="2409.11074",
                github_url="https://github.com/a/b",
                published="2030-01-01",
                featured="2030-01-02",  # from Hugging Face: it has a page there
            )
        ]
    )
    app = open_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("o", "p", "h")
        await pilot.press("g")  # GitHub, once no second g comes
        await wait_until(pilot, lambda: len(opened) == 4, what="GitHub opens")
        assert opened == [
            "https://arxiv.org/abs/2409.11074",
            "https://arxiv.org/pdf/2409.11074",
            "https://huggingface.co/papers/2409.11074",
            "https://github.com/a/b",
        ]


async def test_without_a_browser_the_link_is_shown(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_browser(monkeypatch, lambda url: False)
    library.import_papers([Paper("Has Id", arxiv_id="2409.11074", published="2030-01-01")])
    app = open_app(library)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("o")
        assert messages(app)[-1] == "https://arxiv.org/abs/2409.11074"


async def test_gg_goes_to_the_top(library: Library) -> None:
    app = open_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("G")
        assert paper_list(app).cursor == 38
        await pilot.press("g", "g")
        assert paper_list(app).cursor == 0
        await pilot.press("ctrl+d")
        assert paper_list(app).cursor > 5


async def test_y_copies_bibtex_and_Y_the_id(library: Library) -> None:
    library.import_papers(
        [
            Paper(
                "Attention Is All You Need",
                arxiv_id="1706.03762",
                authors=("Ashish Vaswani",),
                published="2030-01-01",
            )
        ]
    )
    app = open_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("y")
        assert app.clipboard.startswith("@misc{vaswani")
        assert re.search(r"eprint\s*= \{1706\.03762\}", app.clipboard)
        await pilot.press("Y")
        assert app.clipboard == "1706.03762"


async def test_E_edits_the_note_in_the_editor(
    library: Library, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    script = tmp_path / "editor.py"
    script.write_text(
        "import sys\nopen(sys.argv[1], 'a').write('written in my editor\\n')\n", encoding="utf-8"
    )
    monkeypatch.setenv("VISUAL", f"{sys.executable} {script}")
    app = open_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        paper_id = highlighted_id(app)
        library.set_note("ana", paper_id, "first line\n")
        await pilot.press("E")
        await pilot.pause()
        assert library.annotation("ana", paper_id).note == "first line\nwritten in my editor\n"


async def test_a_failing_editor_changes_nothing(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VISUAL", "false")
    app = open_app(library)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("E")
        await pilot.pause()
        assert library.annotations("ana") == {}
        assert "exited with status 1" in messages(app)[-1]


# -- help, palette, config ---------------------------------------------------------------


async def test_help_lists_the_keys_as_remapped(library: Library) -> None:
    config = Config(read_delay=0, keys=(("library.star", "x"),))
    app = open_app(library, config)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        paper_id = highlighted_id(app)
        await pilot.press("x")
        assert library.annotation("ana", paper_id).starred
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        rows = {desc: keys for keys, desc, _id in app.screen._rows}
        assert rows["Star"] == "x"
        assert rows["Undo"] == "z" and rows["Open PDF"] == "p"
        assert rows["View: Unread"] == "2"
        ids = {desc: ident for _keys, desc, ident in app.screen._rows}
        assert ids["Star"] == "library.star"
        # The column names the config section literally: "[keys]" is not markup.
        assert "for&#160;[keys]&#160;in&#160;config.toml" in app.export_screenshot()


async def test_help_lists_the_apps_own_keys_once_each(library: Library) -> None:
    app = open_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        descriptions = [desc for _keys, desc, _id in app.screen._rows]
        # Not the scroll view's own bindings, nor the filter bar's (on the filter page).
        assert not {"Scroll Left", "Page Left", "Scroll Home", "To the list"} & set(descriptions)
        assert len(descriptions) == len(set(descriptions))
        assert all(ident for _keys, _desc, ident in app.screen._rows)


def help_page(app: ReaderApp) -> str:
    """The help page on screen: "keys" or "filter"."""
    assert isinstance(app.screen, HelpScreen)
    svg = app.export_screenshot()
    # A term at the top of the page: the page scrolls.
    keys, terms = "library.star" in svg, "title:diffusion" in svg
    assert keys != terms
    return "keys" if keys else "filter"


async def test_the_filter_language_is_a_help_page_from_help_and_the_filter_bar(
    library: Library,
) -> None:
    app = open_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert help_page(app) == "keys"
        await pilot.press("tab")
        await pilot.pause()
        assert help_page(app) == "filter"
        # What a term matches has the room (the long author rows once left it a third).
        from tests.support.pilot import screen_lines

        assert any(
            "title:diffusion" in line and "the title only, matched as a plain word is" in line
            for line in screen_lines(app)
        )
        await type_keys(pilot, "escape", "slash", *"autor:x")
        await pilot.pause()
        bar = app.screen.query_one(FilterBar)
        assert "f1: the terms" in bar.placeholder
        # The hint under a mistyped term says where the terms are.
        assert "(f1: the terms)" in str(app.screen.query_one("#filter-hint", Static).render())
        await pilot.press("f1")
        await pilot.pause()
        assert help_page(app) == "filter"
        await pilot.press("escape", "z")
        await pilot.pause()
        assert app.focused is bar and bar.value == "autor:xz"


async def test_the_filter_bar_names_the_keys_as_remapped(library: Library) -> None:
    keys = (("library.filter", "ctrl+l"), ("library.filter_help", "f2"))
    app = open_app(library, Config(read_delay=0, keys=keys))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        bar = app.screen.query_one(FilterBar)
        assert bar.placeholder.startswith("^l to filter: ")
        assert "f2: the terms" in bar.placeholder
        await pilot.press("f2")
        await pilot.pause()
        assert help_page(app) == "filter"


async def test_the_palette_offers_every_action_and_each_paper(library: Library) -> None:
    app = open_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert {"Undo", "Copy BibTeX", "View: Unread", "Mark all visible papers read"} <= titles
        await choose_in_palette(pilot, "Open paper: grokking", offers="Grokking")
        paper = stored(library, highlighted_id(app))
        assert "Grokking" in paper.title


async def test_the_chosen_theme_is_written_to_the_config(
    library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "config.toml"
    path.write_text("# mine\nread_delay = 0\n", encoding="utf-8")
    monkeypatch.setenv("READER_CONFIG", str(path))
    app = open_app(library, load_config(path))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.theme = "nord"
        await pilot.pause()
    assert load_config(path).theme == "nord"
    assert path.read_text(encoding="utf-8").splitlines()[-2:] == ["# mine", "read_delay = 0"]


async def test_the_recent_view_shows_the_last_week(library: Library) -> None:
    from datetime import date, timedelta

    today = date.today()
    library.import_papers(
        [
            Paper("Featured Today", featured=today.isoformat(), published="2020-01-01"),
            Paper("Published Lately", published=(today - timedelta(days=6)).isoformat()),
            Paper("Too Old", published=(today - timedelta(days=8)).isoformat()),
        ]
    )
    app = open_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("6")
        await settle(pilot)
        titles = {stored(library, i).title for i in shown(app)}
        assert titles == {"Featured Today", "Published Lately"}


async def test_the_read_timer_really_fires(library: Library) -> None:
    app = open_app(library, Config(read_delay=0.1))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j")  # only a paper the user goes to turns read
        paper_id = highlighted_id(app)
        # As long as a loaded machine takes (2.5 s was not always enough).
        await wait_until(pilot, lambda: library.annotation("ana", paper_id).is_read, "read")


async def test_E_keeps_the_text_when_the_note_changed_meanwhile(
    library: Library, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from textual.widgets import TextArea

    from reader.tui.dialogs.note_editor import NoteEditor

    db = library.path
    script = tmp_path / "editor.py"
    script.write_text(
        "import sqlite3, sys\n"
        f"c = sqlite3.connect({str(db)!r})\n"
        "c.execute(\"UPDATE annotations SET note = 'other window'\")\n"
        "c.commit()\n"
        "open(sys.argv[1], 'a').write('MY CAREFUL NOTE')\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("VISUAL", f"{sys.executable} {script}")
    app = open_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        paper_id = highlighted_id(app)
        library.set_note("ana", paper_id, "start ")
        await pilot.press("E")
        await pilot.pause()
        assert isinstance(app.screen, NoteEditor)
        assert app.screen.query_one(TextArea).text == "start MY CAREFUL NOTE"
        assert library.annotation("ana", paper_id).note == "other window"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert library.annotation("ana", paper_id).note == "start MY CAREFUL NOTE"


async def test_marks_that_a_filter_hides_are_dropped(library: Library) -> None:
    app = open_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("space", "space", "space")
        await type_keys(pilot, "slash", *"grokking", "enter")
        await settle(pilot)
        assert "selected" not in sub_title(app)
        (grokking,) = shown(app)
        await pilot.press("s")
        starred = {i for i, m in library.annotations("ana").items() if m.starred}
        assert starred == {grokking}


async def test_sorting_or_a_reload_keeps_the_cursor_on_its_paper(library: Library) -> None:
    app = open_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("j", "j", "j", "j")
        paper_id = highlighted_id(app)
        await pilot.press("O")
        await settle(pilot)
        assert paper_list(app).highlighted == paper_id
        screen(app).reload()
        await settle(pilot)
        assert paper_list(app).highlighted == paper_id


async def test_g_then_a_move_opens_nothing(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    use_browser(monkeypatch, opening_into(opened))
    app = open_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        # However slow the machine, the j comes within the window of the g.
        monkeypatch.setattr(library_links, "GG_WINDOW", 3600)
        await pilot.press("g", "j")
        await settle(pilot)
        assert isinstance(app.screen, LibraryScreen) and app.screen._pending_g is None
        assert opened == []


async def test_open_paper_in_the_palette_searches_like_the_filter(library: Library) -> None:
    library.import_papers(
        [
            Paper(
                "Circadian Clocks", abstract="A zeitgeber entrains rhythms.", published="2001-01-01"
            )
        ]
    )
    app = open_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        # Only in the abstract: the filter's index finds it.
        await choose_in_palette(pilot, "zeitgeber", offers="Circadian Clocks")
        assert stored(library, highlighted_id(app)).title == "Circadian Clocks"


async def test_wide_tags_never_push_a_row_past_its_width(library: Library) -> None:
    from rich.cells import cell_len

    paper_id = stored_id(library.papers()[0])
    library.change_tags("ana", [paper_id], add=["機械学習", "拡散モデル", "画像生成"])
    app = open_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        line = paper_list(app).render_line(0)
        assert line.cell_length == paper_list(app).scrollable_content_region.width
        assert "#機械学習" in line.text and cell_len(line.text) == line.cell_length
        # The date and upvotes still end the row: the tags took no more than their cells.
        assert line.text.rstrip().endswith("2025-10-28    ▲2")


async def test_x_exports_from_a_prefilled_dialog(library: Library, tmp_path: Path) -> None:
    from textual.widgets import Select

    from reader.tui.dialogs.export_dialog import ExportDialog

    library.toggle_star("ana", stored_id(library.papers()[0]))
    app = open_app(library)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ExportDialog)
        app.screen.query_one("#format", Select).value = "json"
        await pilot.pause()
        target = Path(app.screen.query_one("#path", Input).value)
        assert target.parent == Path.home() and target.suffix == ".json"
        await pilot.press("enter")
        for _ in range(500):  # written in the dialog's worker
            await pilot.pause(0.01)
            if isinstance(app.screen, LibraryScreen):
                break
        assert isinstance(app.screen, LibraryScreen)
        document = json.loads(target.read_text(encoding="utf-8"))
        # The default scope is the papers in the list now: all 39.
        assert len(document["papers"]) == 39
        assert messages(app)[-1] == f"Wrote 39 papers to {target}"
        # The same again would overwrite: refused unless asked.
        await pilot.press("x")
        await pilot.pause()
        app.screen.query_one("#format", Select).value = "json"
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        # Said in the dialog, which stays open to choose another path.
        assert isinstance(app.screen, ExportDialog)
        refused = str(app.screen.query_one("#export-error", Label).render())
        assert refused == (
            f"{target} exists: tick “Overwrite the file if it exists” above to replace it, "
            "or give another path."
        )


async def test_the_papers_an_export_takes_are_read_in_its_worker_not_on_the_ui_thread(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reading 100,000 papers whole takes seconds: the screen must not wait for it."""
    from textual.widgets import Select

    from reader.store.words import Words
    from reader.tui.dialogs.export_dialog import ExportDialog

    reads: list[tuple[str, bool]] = []

    def recorded(owner: type, name: str) -> None:
        read = getattr(owner, name)

        def wrapper(self: Any, paper_ids: Any) -> Any:
            reads.append((owner.__name__, threading.current_thread() is threading.main_thread()))
            return read(self, paper_ids)

        monkeypatch.setattr(owner, name, wrapper)

    recorded(Library, "papers_by_id")
    recorded(Words, "papers_by_id")
    app = open_app(library)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        reads.clear()  # the start reads a draft's paper or two: not the export's
        await pilot.press("x")
        await wait_until(pilot, lambda: isinstance(app.screen, ExportDialog), "the dialog")
        app.screen.query_one("#format", Select).value = "json"
        await pilot.pause()
        target = Path(app.screen.query_one("#path", Input).value)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, LibraryScreen), "the list")
        await wait_until(pilot, lambda: messages(app)[-1].startswith("Wrote"), "the toast")
    assert messages(app)[-1] == f"Wrote 39 papers to {target}"
    assert len(json.loads(target.read_text(encoding="utf-8"))["papers"]) == 39
    assert reads and not [read for read in reads if read[1]], reads


async def test_esc_while_an_export_is_written_waits_for_it_and_says_it_was_done(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reader.tui.dialogs.export_dialog import ExportDialog, ExportRequest
    from reader.tui.screens.exporting import Exporting

    release = threading.Event()
    prepare = Exporting._export

    def held(self: Exporting, request: ExportRequest) -> Callable[[], Any]:
        job = prepare(self, request)

        def when_released() -> Any:
            release.wait(PATIENCE)
            return job()

        return when_released

    monkeypatch.setattr(Exporting, "_export", held)
    app = open_app(library)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("x")
        await wait_until(pilot, lambda: isinstance(app.screen, ExportDialog), "the dialog")
        dialog = app.screen
        target = Path(dialog.query_one("#path", Input).value)
        await pilot.press("enter")
        await wait_until(pilot, lambda: dialog.workers, "the export being written")
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is dialog  # not closed under the export
        assert "being written" in messages(app)[-1]
        release.set()
        await wait_until(pilot, lambda: isinstance(app.screen, LibraryScreen), "the list")
        await wait_until(pilot, lambda: messages(app)[-1].startswith("Wrote"), "the toast")
    assert target.exists()
