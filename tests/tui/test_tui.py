"""The terminal UI, driven by keys through Pilot: what the user sees and what gets saved."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.strip import Strip
from textual.widgets import Markdown, Static, TextArea

from reader.config import Config
from reader.fetching import Network
from reader.models import ListedPaper, Paper
from reader.store import Library, open_library
from reader.tui.app import ReaderApp
from reader.tui.dialogs.note_editor import ConfirmDiscard, NoteEditor
from reader.tui.screens.library import LibraryScreen
from reader.tui.widgets.filter_bar import FilterBar
from reader.tui.widgets.paper_list import PaperList
from tests.support.data import DATA
from tests.support.pilot import (
    GROKKING,
    highlighted_id,
    highlighted_title,
    library_screen,
    markers,
    paper_list,
    row_text,
    screen_lines,
    settle,
    settle_detail,
    shown_ids,
    sub_title,
    type_keys,
    wait_until,
)
from tests.support.store import stored

# No paper turns read by itself, however long a loaded machine takes over a test.
QUIET = Config(read_delay=0)


async def test_opens_on_the_list_with_user_and_counts(library: Library) -> None:
    app = ReaderApp(library, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LibraryScreen)
        assert sub_title(app) == "ana · All · 39 of 39 papers · newest first"
        assert app.focused is paper_list(app)
        assert len(paper_list(app).paper_ids) == 39
        # Newest first: the first row is the most recent paper of the sample.
        assert "Beyond Objects" in row_text(app, 0)
        assert "2025-10-28" in row_text(app, 0)


async def test_j_and_k_move_and_the_detail_follows(library: Library) -> None:
    app = ReaderApp(library, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        first = highlighted_title(app, library)
        await pilot.press("j", "j", "k")
        await settle_detail(pilot)  # the detail follows once the keys pause
        second = highlighted_title(app, library)
        assert second != first
        title = app.screen.query_one("#detail-title", Static)
        assert str(title.render()).strip() == second


async def test_the_detail_is_drawn_once_when_the_keys_pause(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    from textual.timer import Timer

    from reader.tui.widgets.paper_detail import PaperDetail

    # The detail's timers start paused, so however slow the machine no key pause can
    # happen between the presses; the test then lets them run, as a pause would.
    timers: list[Timer] = []
    set_timer = LibraryScreen.set_timer

    def paused_detail_timer(self: LibraryScreen, *args: Any, **kwargs: Any) -> Timer:
        if kwargs.get("name") != "detail":
            return set_timer(self, *args, **kwargs)
        timer = set_timer(self, *args, **{**kwargs, "pause": True})
        timers.append(timer)
        return timer

    shown: list[str] = []
    original = PaperDetail.show

    def counting(self: PaperDetail, paper: Paper | None, *args: object, **kwargs: object) -> None:
        shown.append(paper.title if paper else "")
        original(self, paper, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(PaperDetail, "show", counting)
    app = ReaderApp(library, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle_detail(pilot)
        monkeypatch.setattr(LibraryScreen, "set_timer", paused_detail_timer)
        shown.clear()
        await pilot.press("j", "j", "j", "j")
        moved_to = highlighted_title(app, library)
        assert shown == []  # the list moved; the detail waits for the keys to stop
        assert len(timers) == 4
        for timer in timers:  # the keys pause: only the last move's timer is still live
            timer.resume()
        await wait_until(pilot, lambda: shown != [], what="the detail follows")
        await settle(pilot)
        assert shown == [moved_to]
        title = app.screen.query_one("#detail-title", Static)
        assert str(title.render()).strip() == moved_to


async def test_typing_a_filter_narrows_and_highlights(library: Library) -> None:
    app = ReaderApp(library, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        assert isinstance(app.focused, FilterBar)
        await type_keys(pilot, *"grokking")
        await settle(pilot)
        ids = paper_list(app).paper_ids
        assert [stored(library, i).title for i in ids] == [GROKKING]
        assert sub_title(app) == "ana · All · 1 of 39 papers · by relevance"
        segments = list(paper_list(app).render_line(0))
        lit = [s.text for s in segments if s.style and s.style.underline]
        assert "".join(lit) == "Grokking"


async def test_esc_clears_the_filter_and_returns_to_the_list(library: Library) -> None:
    app = ReaderApp(library, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await type_keys(pilot, "slash", *"overfit")
        await settle(pilot)
        assert 0 < len(paper_list(app).paper_ids) < 39
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.query_one(FilterBar).value == ""
        assert len(paper_list(app).paper_ids) == 39
        assert app.focused is paper_list(app)


async def test_enter_and_down_return_to_the_list_keeping_the_filter(library: Library) -> None:
    app = ReaderApp(library, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await type_keys(pilot, "slash", *"restoration", "enter")
        await settle(pilot)
        assert app.focused is paper_list(app)
        assert app.screen.query_one(FilterBar).value == "restoration"
        await pilot.press("slash", "down")
        assert app.focused is paper_list(app)
        # Keys now act on the filtered list, not the filter text.
        await pilot.press("j")
        assert app.screen.query_one(FilterBar).value == "restoration"
        assert "restoration" in highlighted_title(app, library).lower()


async def test_no_match_shows_an_empty_state(library: Library) -> None:
    app = ReaderApp(library, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await type_keys(pilot, "slash", *"xyzzy")
        await settle(pilot)
        assert paper_list(app).paper_ids == []
        assert "No papers match “xyzzy”" in row_text(app, 1)
        assert sub_title(app) == "ana · All · 0 of 39 papers · by relevance"
        # Acting on nothing is harmless.
        await pilot.press("enter", "s", "n")
        assert isinstance(app.screen, LibraryScreen)
        assert library.annotations("ana") == {}


async def test_s_stars_saves_at_once_and_toggles(library: Library) -> None:
    app = ReaderApp(library, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        paper_id = highlighted_id(app)
        await pilot.press("s")
        assert library.annotation("ana", paper_id).starred
        assert "★" in markers(app, 0)
        await pilot.press("s")
        assert not library.annotation("ana", paper_id).starred
        assert "★" not in markers(app, 0)


async def write_note(pilot: Pilot[None], text: str) -> None:
    await pilot.press("n")
    await pilot.pause()
    assert isinstance(pilot.app.screen, NoteEditor)
    pilot.app.screen.query_one(TextArea).insert(text)
    await pilot.press("ctrl+s")
    await pilot.pause()


async def test_a_note_survives_reopening_and_is_private_to_its_user(db_path: Path) -> None:
    from reader.sample import load_sample_if_empty
    from tests.support.data import FIXED_NOW

    library = open_library(db_path)
    load_sample_if_empty(library, now=FIXED_NOW)
    app = ReaderApp(library, "ana", config=QUIET)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j", "j")
        paper_id = paper_list(app).highlighted
        await write_note(pilot, "# Why it matters\n\nRead **section 3** [bold]twice[/].")
        await pilot.press("s")
        assert isinstance(app.screen, LibraryScreen)
        assert "★ ✎" in markers(app, 2)
    library.close()

    library = open_library(db_path)
    app = ReaderApp(library, "ana", config=QUIET)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j", "j")
        assert paper_list(app).highlighted == paper_id
        assert "★ ✎" in markers(app, 2)
        note = app.screen.query_one("#detail-note", Markdown)
        assert note.display and note.source.startswith("# Why it matters")
        # Rendered as Markdown (heading, bold) while Rich markup stays literal text.
        assert str(note.query_one("MarkdownH1").render()) == "Why it matters"
        paragraph = str(note.query_one("MarkdownParagraph").render())
        assert paragraph == "Read section 3 [bold]twice[/]."
    app = ReaderApp(library, "ben", config=QUIET)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j", "j")
        assert paper_list(app).highlighted == paper_id
        assert "★" not in markers(app, 2)
        assert "✎" not in markers(app, 2)
        assert not app.screen.query_one("#detail-note", Markdown).display
    assert library.annotations("ben") == {}
    library.close()


async def test_esc_in_the_editor_asks_before_discarding(library: Library) -> None:
    app = ReaderApp(library, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        paper_id = paper_list(app).highlighted
        await pilot.press("n")
        await pilot.pause()
        app.screen.query_one(TextArea).insert("half a thought")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDiscard)
        await pilot.press("n")  # keep editing
        await pilot.pause()
        assert isinstance(app.screen, NoteEditor)
        assert app.screen.query_one(TextArea).text == "half a thought"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("y")  # discard
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        assert library.annotation("ana", paper_id).note == ""


async def test_esc_on_an_unchanged_note_just_closes(library: Library) -> None:
    app = ReaderApp(library, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)


async def test_empty_library_says_how_to_fill_it(empty_library: Library) -> None:
    app = ReaderApp(empty_library, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "Press f to fetch" in row_text(app, 1)
        from tests.support.pilot import screen_lines

        assert str(app.screen.query_one("#detail-title", Static).render()) == (
            "Your library is empty."
        )
        help_text = "\n".join(screen_lines(app))
        assert "reader import FILE" in help_text and "reader fetch hf" in help_text
        assert sub_title(app) == "ana · All · 0 of 0 papers · newest first"


async def test_startup_notice_is_shown(library: Library) -> None:
    app = ReaderApp(library, "ana", notice="Your library was empty, so it starts with samples.")
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        toasts = [str(t.render()) for t in app.screen.query("Toast")]
        assert any("starts with samples" in t for t in toasts)


async def test_paper_text_is_shown_literally_never_as_markup(empty_library: Library) -> None:
    hostile = Paper(
        title="[bold red]Evil[/] [@click=app.quit]quit[/] \x1b[31mred\x1b[0m",
        abstract="[link=file:///etc/passwd]x[/link] \x1b]52;c;ZXZpbA==\x07 end",
        authors=("[i]Mallory[/i]",),
        github_url="javascript:alert(1)",
    )
    empty_library.import_papers([hostile])
    app = ReaderApp(empty_library, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        row = row_text(app, 0)
        assert "[bold red]Evil[/] [@click=app.quit]quit" in row
        assert "\x1b" not in row
        detail = app.screen.query_one("#detail-abstract", Static)
        shown = str(detail.render())
        assert "[link=file:///etc/passwd]x[/link]" in shown
        assert "\x1b" not in shown and "\x07" not in shown
        links = str(app.screen.query_one("#detail-links", Static).render())
        assert "javascript" not in links
        await pilot.click(PaperList, offset=(10, 0))
        assert app.is_running


async def test_a_cursor_move_redraws_only_the_rows_it_touches(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn: list[int] = []
    render_line = PaperList.render_line

    def counting(self: PaperList, y: int) -> Strip:
        drawn.append(y)
        return render_line(self, y)

    monkeypatch.setattr(PaperList, "render_line", counting)
    app = ReaderApp(library, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        drawn.clear()
        await pilot.press("j")
        await pilot.pause()
        assert sorted(drawn) == [0, 1]


async def open_editor_with(pilot: Pilot[None], text: str) -> None:
    await pilot.press("n")
    await pilot.pause()
    assert isinstance(pilot.app.screen, NoteEditor)
    pilot.app.screen.query_one(TextArea).insert(text)


async def test_enter_on_the_discard_question_keeps_the_text(library: Library) -> None:
    app = ReaderApp(library, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_editor_with(pilot, "half a thought")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDiscard)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, NoteEditor)
        assert app.screen.query_one(TextArea).text == "half a thought"


async def test_quitting_with_an_unsaved_note_asks_first(library: Library) -> None:
    app = ReaderApp(library, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_editor_with(pilot, "do not lose me")
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert app.is_running
        assert isinstance(app.screen, ConfirmDiscard)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, NoteEditor)
        assert app.screen.query_one(TextArea).text == "do not lose me"
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
    assert app.return_code == 0
    assert not app.is_running


async def test_quit_without_edits_just_quits(library: Library) -> None:
    app = ReaderApp(library, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await pilot.pause()
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert not app.is_running


async def test_the_editor_opens_on_the_note_as_saved_now(library: Library) -> None:
    app = ReaderApp(library, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        paper_id = paper_list(app).highlighted
        assert paper_id is not None
        # Another window writes a note after this one read the library.
        library.set_note("ana", paper_id, "written in the other window")
        await pilot.press("n")
        await pilot.pause()
        assert app.screen.query_one(TextArea).text == "written in the other window"


async def test_saving_never_silently_overwrites_a_newer_note(library: Library) -> None:
    app = ReaderApp(library, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        paper_id = paper_list(app).highlighted
        assert paper_id is not None
        await open_editor_with(pilot, "mine")
        library.set_note("ana", paper_id, "theirs, saved meanwhile")
        await pilot.press("ctrl+s")
        await pilot.pause()
        # Refused: the editor stays open with the text, and the other note is intact.
        assert isinstance(app.screen, NoteEditor)
        assert app.screen.query_one(TextArea).text == "mine"
        assert library.annotation("ana", paper_id).note == "theirs, saved meanwhile"
        # A second ctrl+s is the user's informed choice.
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        assert library.annotation("ana", paper_id).note == "mine"


async def test_after_esc_clears_the_filter_the_cursor_row_is_on_screen(
    library: Library,
) -> None:
    app = ReaderApp(library, "ana")
    async with app.run_test(size=(120, 15)) as pilot:
        await settle(pilot)
        await pilot.press("end")
        oldest = highlighted_id(app)
        await pilot.press("home", "slash")
        app.screen.query_one(FilterBar).value = stored(library, oldest).title  # pasted
        await settle(pilot)
        await pilot.press("enter")
        assert paper_list(app).paper_ids[0] == oldest
        # Esc shows every paper again, with the cursor still on the one found.
        await pilot.press("escape")
        await settle(pilot)
        papers = paper_list(app)
        assert papers.highlighted == oldest
        assert papers.cursor == len(papers.paper_ids) - 1
        top = round(papers.scroll_y)
        assert top <= papers.cursor < top + papers.scrollable_content_region.height


async def test_the_detail_pane_scrolls_from_the_keyboard(library: Library) -> None:
    app = ReaderApp(library, "ana")
    async with app.run_test(size=(120, 15)) as pilot:
        await settle(pilot)
        detail = app.screen.query_one("#detail")
        assert detail.max_scroll_y > 0
        await pilot.press("J")
        await pilot.pause()
        assert detail.scroll_y == 3
        await pilot.press("K")
        await pilot.pause()
        assert detail.scroll_y == 0
        assert app.focused is paper_list(app)


async def test_an_unreadable_library_stops_the_app_with_a_clear_reason(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reader.store import LibraryError

    def broken(self: Library, limit: int | None = None) -> list[Paper]:
        raise LibraryError("cannot read library x.db: database disk image is malformed")

    monkeypatch.setattr(Library, "listing", broken)
    app = ReaderApp(library, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
    assert app.return_code == 1
    assert app.failure == "cannot read library x.db: database disk image is malformed"


async def wait_for_fetch(pilot: Pilot[None]) -> None:
    """Let the fetch worker finish and its result land."""
    screen = pilot.app.screen
    assert isinstance(screen, LibraryScreen)
    for _ in range(200):
        await pilot.pause(0.01)
        if not screen._fetching:
            break
    await settle(pilot)
    assert not screen._fetching


async def test_f_fetches_todays_papers_in_the_background(library: Library) -> None:
    import json

    import httpx

    daily = (DATA / "hf-daily-papers.json").read_text()
    requests: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(200, json=json.loads(daily))

    app = ReaderApp(library, "ana", network=Network(httpx.MockTransport(answer)))
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await wait_for_fetch(pilot)
        assert [r.url.path for r in requests] == ["/api/daily_papers"]
        assert sub_title(app) == "ana · All · 43 of 43 papers · newest first"
        titles = {stored(library, i).title for i in paper_list(app).paper_ids}
        assert "Titans: Learning to Memorize at Test Time" in titles
        messages = [n.message for n in app._notifications]
        assert "4 papers: 4 added, 0 updated, 0 unchanged, 1 skipped" in messages
        assert not app.screen.query_one("#status").display


async def test_a_failed_fetch_is_a_toast_not_a_crash(library: Library) -> None:
    import httpx

    answer = httpx.MockTransport(lambda request: httpx.Response(404, json={"error": "no"}))
    app = ReaderApp(library, "ana", network=Network(answer))
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await wait_for_fetch(pilot)
        assert app.is_running
        (failure,) = [n for n in app._notifications if n.title == "Fetch failed"]
        assert "huggingface.co: HTTP 404: no" in failure.message
        assert sub_title(app) == "ana · All · 39 of 39 papers · newest first"


async def test_the_palette_offers_the_fetch(library: Library) -> None:
    app = ReaderApp(library, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Fetch today's Hugging Face papers" in titles


async def test_quitting_during_a_fetch_does_not_wait_for_the_server(library: Library) -> None:
    import threading

    import httpx

    release = threading.Event()
    asked = threading.Event()
    answered = threading.Event()

    def never_answers(request: httpx.Request) -> httpx.Response:
        asked.set()
        release.wait(30)
        answered.set()
        return httpx.Response(200, json=[])

    app = ReaderApp(library, "ana", network=Network(httpx.MockTransport(never_answers)))
    try:
        async with app.run_test(size=(120, 40), notifications=True) as pilot:
            await settle(pilot)
            await pilot.press("f")
            await wait_until(pilot, asked.is_set, "the server asked")
            # A second f while the first runs is refused, not doubled.
            await pilot.press("f")
            await pilot.pause()
            assert [n.message for n in app._notifications][-1] == "Already fetching."
            await pilot.press("q")
        # Stopped while the server still holds its answer: the app did not wait for it.
        assert not answered.is_set()
        assert not app.is_running
    finally:
        release.set()


def _slow_listing(
    monkeypatch: pytest.MonkeyPatch, papers: list[ListedPaper] | None = None
) -> threading.Event:
    """Hold the full read of a large library until the returned event is set."""
    from reader.store.words import Words

    release = threading.Event()
    original = Words.listing

    def slow(self: Words) -> list[ListedPaper]:
        release.wait(10)
        return papers if papers is not None else original(self)

    monkeypatch.setattr(Words, "listing", slow)
    return release


async def test_a_large_library_lists_every_id_first_then_reads_the_rows_it_shows(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reader.search import Query, SearchIndex
    from reader.tui.screens import library as screen_module

    monkeypatch.setattr(screen_module, "FIRST_PAGE", 5)
    total = library.count()
    listing = library.listing()
    order = [paper.id for paper in listing]
    release = _slow_listing(monkeypatch)
    app = ReaderApp(library, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        # Every paper is in the list at once, in order, while their rows are still read.
        await wait_until(pilot, lambda: shown_ids(app) == order, "every id")
        assert f"{total} of {total} papers" in sub_title(app)
        # Rows past the first page are read by the list for the screen it shows.
        await pilot.press("G")
        await wait_until(pilot, lambda: highlighted_id(app) == order[-1], "the last row")
        await pilot.pause()
        last = listing[-1].title[:30]
        assert any(last in line for line in screen_lines(app)), screen_lines(app)
        # Typed while the rest is read: matched once every paper is there.
        await type_keys(pilot, "slash", *"image")
        await pilot.pause()
        assert shown_ids(app) == order
        release.set()
        await settle(pilot)
        expected = SearchIndex(library.listing(), library.words()).search(Query.parse("image"))
        assert expected and paper_list(app).paper_ids == expected
        assert f"{len(expected)} of {total} papers" in sub_title(app)


async def test_a_large_library_read_whole_is_left_out_of_the_collectors_full_passes(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    from reader.tui.screens import library as screen_module
    from reader.tui.screens import library_loading

    monkeypatch.setattr(screen_module, "FIRST_PAGE", 5)
    monkeypatch.setattr(library_loading, "FREEZE_FROM", 10)
    assert gc.get_freeze_count() == 0
    app = ReaderApp(library, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert len(shown_ids(app)) == library.count()
        assert gc.get_freeze_count() > 0
    # Frozen no longer once the screen is gone: another app in this process starts clean.
    assert gc.get_freeze_count() == 0


async def test_a_large_library_whose_ids_are_not_read_yet_says_it_is_reading(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reader.store.words import Words
    from reader.tui.screens import library as screen_module

    monkeypatch.setattr(screen_module, "FIRST_PAGE", 5)
    total = library.count()
    release = threading.Event()
    order = Words.order

    def held(self: Words) -> list[int]:
        release.wait(10)
        return order(self)

    monkeypatch.setattr(Words, "order", held)
    app = ReaderApp(library, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert shown_ids(app) == [p.id for p in library.listing()][:5]
        assert f"reading {total} papers" in sub_title(app)
        release.set()
        await settle(pilot)
        assert len(shown_ids(app)) == total
        assert f"{total} of {total} papers" in sub_title(app)


async def test_a_reload_while_the_rest_is_read_wins_over_that_older_read(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reader.tui.screens import library as screen_module

    monkeypatch.setattr(screen_module, "FIRST_PAGE", 5)
    total = library.count()
    release = _slow_listing(monkeypatch, library.listing())  # read before the import below
    app = ReaderApp(library, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        library.import_papers([Paper("A brand new paper", "2501.00001")])
        library_screen(app).reload()  # e.g. after a fetch
        release.set()
        await settle(pilot)
        assert len(paper_list(app).paper_ids) == total + 1
        assert f"{total + 1} of {total + 1} papers" in sub_title(app)


async def test_export_and_the_palette_wait_for_the_whole_library(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reader.tui.screens import library as screen_module

    monkeypatch.setattr(screen_module, "FIRST_PAGE", 5)
    release = _slow_listing(monkeypatch)
    app = ReaderApp(library, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = library_screen(app)
        await pilot.press("x")
        await pilot.pause()
        assert library_screen(app) is screen  # no export dialog over a partial list
        assert any("Still reading" in str(n.message) for n in app._notifications)
        assert screen.find_papers("image", 10) == []
        release.set()
        await settle(pilot)
        assert screen.find_papers("image", 10)
        await pilot.press("x")
        await pilot.pause()
        assert app.screen is not screen
