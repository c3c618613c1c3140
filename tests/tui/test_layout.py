"""Every size, the mouse and the empty states: what a user sees at 80x24, 120x40 and
200x60, what a click or the wheel does, and what an empty screen tells them to do."""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import combinations

import pytest
from rich.terminal_theme import SVG_EXPORT_THEME
from textual import events
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Label, Static

from reader.config import Config
from reader.models import Paper
from reader.store import Library
from reader.tui.app import ReaderApp
from reader.tui.screens.library import LibraryScreen
from reader.tui.widgets.filter_bar import FilterBar
from reader.tui.widgets.paper_detail import PaperDetail
from reader.tui.widgets.paper_list import PaperList, fit_tags, short_authors
from tests.support.pilot import (
    detail_text,
    highlighted_title,
    paper_list,
    resize,
    row_text,
    screen_lines,
    settle_detail,
    type_keys,
)

# No paper turns read by itself: rows look the same however long a test takes.
QUIET = Config(read_delay=0)
SMALL, MEDIUM, WIDE = (80, 24), (120, 40), (200, 60)
LONG_TITLE = "A Very Long Title " + "about Diffusion Models and Their Many Friends " * 6
# The keys a user needs most, as the footer shows them at every width.
MAIN_KEYS = ("/ Filter", "s Star", "r Read", "t Tags", "n Note", "z Undo", "? Help", "q Quit")


def screen(app: ReaderApp) -> LibraryScreen:
    assert isinstance(app.screen, LibraryScreen)
    return app.screen


def focused(app: ReaderApp) -> Widget | None:
    """The focused widget, read afresh (a call, so an earlier isinstance check on it
    does not narrow a later one)."""
    return app.focused


def detail(app: ReaderApp) -> PaperDetail:
    return app.screen.query_one(PaperDetail)


def panes(app: ReaderApp) -> list[Widget]:
    """The parts of the library screen that must never cover one another."""
    found = [app.screen.query_one(selector) for selector in ("Header", "#filter", "KeyFooter")]
    return [*found, paper_list(app), detail(app)]


def assert_nothing_overlaps(app: ReaderApp) -> None:
    whole = app.screen.region
    for widget in panes(app):
        assert whole.contains_region(widget.region), widget
        assert widget.region.area > 0, widget
    for one, other in combinations(panes(app), 2):
        assert not one.region.overlaps(other.region), (one, other)


async def resized(pilot: Pilot[None], size: tuple[int, int]) -> None:
    """The terminal resized to ``size`` (as a user drags it), the screen laid out and
    settled at it. Each size-dependent test starts at its first size and is resized to
    the others: both ways into a layout are taken, in one app."""
    await resize(pilot, size)
    await settle_detail(pilot)


def add_papers(library: Library, papers: Sequence[Paper]) -> None:
    library.import_papers(list(papers))


# -- 80x24 ----------------------------------------------------------------------------


async def test_at_80x24_the_detail_goes_below_the_list_and_follows_j(library: Library) -> None:
    app = ReaderApp(library, "ana", config=QUIET)
    async with app.run_test(size=SMALL) as pilot:
        await settle_detail(pilot)
        papers, pane = paper_list(app).region, detail(app).region
        assert pane.y >= papers.bottom  # below, not beside
        assert pane.width == papers.width == 80  # both use the whole width
        assert papers.height >= 9 and pane.height >= 9
        assert app.screen.query_one("#filter").region.height == 1  # no border at 24 rows
        assert_nothing_overlaps(app)
        await pilot.press("j", "j")
        await settle_detail(pilot)
        title = highlighted_title(app, library)
        lines = screen_lines(app)
        below = "\n".join(lines[pane.y : pane.bottom])
        assert title.split(":")[0] in below


async def test_at_80x24_the_footer_shows_the_main_keys(library: Library) -> None:
    app = ReaderApp(library, "ana", config=QUIET)
    async with app.run_test(size=SMALL) as pilot:
        await settle_detail(pilot)
        footer = screen_lines(app)[-1]
        for key in MAIN_KEYS:
            assert key in footer
        assert footer.rstrip().endswith("^p palette")
        # The rest are a ? away; at 120 columns they show again.
        assert "x Export" not in footer
        # From 100 columns every key fits (closer together under 110).
        for size in ((100, 30), MEDIUM):
            await pilot.resize_terminal(*size)
            await settle_detail(pilot)
            footer = screen_lines(app)[-1]
            for key in (*MAIN_KEYS, "space Select", "x Export", "f Fetch", "^p palette"):
                assert key in footer, (size, key)


async def test_enter_gives_the_detail_most_of_the_screen_and_j_still_moves(
    library: Library,
) -> None:
    sizes = [SMALL, MEDIUM, WIDE, (100, 30), (60, 20)]
    app = ReaderApp(library, "ana", config=QUIET)
    async with app.run_test(size=sizes[0]) as pilot:
        for size in sizes:
            await resized(pilot, size)
            assert_nothing_overlaps(app)
            await pilot.press("enter")
            await settle_detail(pilot)
            papers, pane = paper_list(app).region, detail(app).region
            assert pane.y >= papers.bottom and pane.width == size[0], size
            assert pane.height > 2 * papers.height, size
            assert_nothing_overlaps(app)
            cursor = paper_list(app).cursor
            await pilot.press("j")
            await settle_detail(pilot)
            assert paper_list(app).cursor == cursor + 1, size
            title = app.screen.query_one("#detail-title", Static)
            assert str(title.render()).strip() == highlighted_title(app, library)
            await pilot.press("enter")
            await settle_detail(pilot)
            assert paper_list(app).region.height > papers.height, size


async def test_esc_leaves_the_larger_detail_pane_before_it_clears_the_filter(
    library: Library,
) -> None:
    app = ReaderApp(library, "ana", config=QUIET)
    async with app.run_test(size=MEDIUM) as pilot:
        await settle_detail(pilot)
        await type_keys(pilot, "slash", *"image", "enter")
        await settle_detail(pilot)
        normal = paper_list(app).region.height
        await pilot.press("enter")
        await settle_detail(pilot)
        assert paper_list(app).region.height < normal
        await pilot.press("escape")
        await settle_detail(pilot)
        assert paper_list(app).region.height == normal
        assert app.screen.query_one(FilterBar).value == "image"
        await pilot.press("escape")
        await settle_detail(pilot)
        assert app.screen.query_one(FilterBar).value == ""


# -- 200x60 ---------------------------------------------------------------------------


@pytest.fixture
def authored(library: Library) -> Library:
    """The sample, and three newer papers with names: the first rows of the list."""
    add_papers(
        library,
        [
            Paper(
                "Attention Is All You Need Again",
                "2611.00003",
                authors=("Ashish Vaswani", "Noam Shazeer", "Niki Parmar"),
                published="2026-11-03",
            ),
            Paper(
                "Two Authors Only",
                "2611.00002",
                authors=("Jane Smith", "Wei Zhang"),
                published="2026-11-02",
            ),
            Paper("One Author", "2611.00001", authors=("Smith, Jane",), published="2026-11-01"),
        ],
    )
    return library


async def test_at_200x60_the_list_shows_authors_and_tags(authored: Library) -> None:
    first = authored.order()[0]
    authored.change_tags("ana", [first], add=["survey", "to-read"])
    app = ReaderApp(authored, "ana", config=QUIET)
    async with app.run_test(size=WIDE) as pilot:
        await settle_detail(pilot)
        rows = [row_text(app, y) for y in range(4)]
        assert "Attention Is All You Need Again" in rows[0]
        assert re.search(r"Again\s+Vaswani et al\.\s+#survey #to-read\s+2026-11-03", rows[0])
        assert "Smith & Zhang" in rows[1]
        assert "Smith " in rows[2] and "Jane" not in rows[2]
        assert "5 authors" in rows[3]  # the sample knows only how many
        # The columns line up: each starts at the same cell on every row.
        assert rows[1].index("Smith") == rows[0].index("Vaswani")
        assert rows[3].index("2025-10-28") == rows[0].index("2026-11-03")
        assert detail(app).region.x >= paper_list(app).region.right  # the detail is beside
        # Narrower, the title needs the room: no authors, the tags follow the title.
        await pilot.resize_terminal(*MEDIUM)
        await settle_detail(pilot)
        assert "Vaswani" not in row_text(app, 0)
        assert re.search(r"Attention \S.* #survey #to-read\s+2026-11-03", row_text(app, 0))


async def test_without_tags_the_title_keeps_the_tags_columns_room(authored: Library) -> None:
    app = ReaderApp(authored, "ana", config=QUIET)
    async with app.run_test(size=WIDE) as pilot:
        await settle_detail(pilot)
        untagged = row_text(app, 0)
        assert re.search(r"Again\s+Vaswani et al\.\s+2026-11-03", untagged)
        await type_keys(pilot, "t", *"survey", "enter")
        await settle_detail(pilot)
        tagged = row_text(app, 0)
        assert "#survey" in tagged
        assert tagged.index("Vaswani") < untagged.index("Vaswani")


@pytest.mark.parametrize(("width", "columns"), [(170, False), (180, True)])
async def test_the_wide_layout_begins_where_the_columns_do(
    authored: Library, width: int, columns: bool
) -> None:
    app = ReaderApp(authored, "ana", config=QUIET)
    async with app.run_test(size=(width, 40)) as pilot:
        await settle_detail(pilot)
        # The wider layout gives the list its room only when the room buys columns.
        assert app.screen.has_class("-wide") is columns
        assert ("Vaswani et al." in row_text(app, 0)) is columns


async def test_the_authors_column_shows_names_as_text(empty_library: Library) -> None:
    add_papers(
        empty_library,
        [Paper("Hostile", "2611.00001", authors=("Eve \x1b[31m[i]Mallory[/i]",), published="2026")],
    )
    app = ReaderApp(empty_library, "ana", config=QUIET)
    async with app.run_test(size=WIDE) as pilot:
        await settle_detail(pilot)
        row = row_text(app, 0)
        assert "[31m[i]Mallory[/i]" in row  # markup shown literally, the escape removed
        assert "\x1b" not in row


def test_short_authors_reads_like_a_citation() -> None:
    assert short_authors(["Ashish Vaswani", "Noam Shazeer", "Niki Parmar"], 3) == "Vaswani et al."
    assert short_authors(["Jane Smith", "Wei Zhang"], 2) == "Smith & Zhang"
    assert short_authors(["Smith, Jane"], 1) == "Smith"
    assert short_authors(["Martin Luther King Jr."], None) == "King"
    assert short_authors([], 7) == "7 authors"
    assert short_authors([], 1) == "1 author"
    assert short_authors([], None) == ""


async def test_authors_are_read_for_the_rows_on_screen_in_one_query(
    empty_library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_papers(
        empty_library,
        [
            Paper(
                f"Paper number {n}",
                f"2601.{n:05d}",
                authors=(f"Author{n} Surname{n}", "Second Person"),
                published=f"2026-01-{1 + n % 28:02d}",
            )
            for n in range(300)
        ],
    )
    asked: list[list[int]] = []
    authors_of = Library.authors_of

    def counting(self: Library, paper_ids: Sequence[int]) -> object:
        asked.append(list(paper_ids))
        return authors_of(self, paper_ids)

    monkeypatch.setattr(Library, "authors_of", counting)
    app = ReaderApp(empty_library, "ana", config=QUIET)
    async with app.run_test(size=WIDE) as pilot:
        await settle_detail(pilot)
        height = paper_list(app).scrollable_content_region.height
        assert len(asked) == 1  # the first screen: one query, never one per row
        assert set(asked[0]) == set(paper_list(app).paper_ids[:height])
        await type_keys(pilot, *"j" * 10)
        await settle_detail(pilot)
        assert len(asked) == 1  # moving within the screen reads nothing
        await pilot.press("pagedown")
        await settle_detail(pilot)
        assert len(asked) == 2 and 0 < len(asked[1]) <= height
        shown = paper_list(app).paper_ids[paper_list(app).cursor]
        assert f"Surname{shown - 1} & " in row_text(app, height - 1)
        await pilot.press("pageup")
        await settle_detail(pilot)
        assert len(asked) == 2  # back to rows already read: from the cache


async def test_resizing_keeps_the_cursor_and_the_layout_follows(library: Library) -> None:
    app = ReaderApp(library, "ana", config=QUIET)
    async with app.run_test(size=WIDE) as pilot:
        await settle_detail(pilot)
        await type_keys(pilot, *"j" * 30)
        await settle_detail(pilot)
        chosen = paper_list(app).highlighted
        title = highlighted_title(app, library)
        await pilot.resize_terminal(*SMALL)
        await settle_detail(pilot)
        papers = paper_list(app)
        assert papers.highlighted == chosen
        top = round(papers.scroll_y)
        assert top <= papers.cursor < top + papers.scrollable_content_region.height
        assert detail(app).region.y >= papers.region.bottom
        assert screen(app).has_class("-narrow")
        assert_nothing_overlaps(app)
        assert title.split(":")[0][:40] in "\n".join(screen_lines(app))
        await pilot.resize_terminal(*WIDE)
        await settle_detail(pilot)
        assert paper_list(app).highlighted == chosen
        assert detail(app).region.x >= paper_list(app).region.right
        assert "5 authors" in row_text(app, 0)
        assert_nothing_overlaps(app)


# -- titles ---------------------------------------------------------------------------


async def test_a_long_title_ends_with_an_ellipsis_on_one_row(empty_library: Library) -> None:
    add_papers(
        empty_library,
        [
            Paper(LONG_TITLE, "2611.00002", authors=("Ada Lovelace",), published="2026-11-02"),
            Paper("Short and Sweet", "2611.00001", published="2026-11-01"),
        ],
    )
    app = ReaderApp(empty_library, "ana", config=QUIET)
    async with app.run_test(size=SMALL) as pilot:
        for size in (SMALL, MEDIUM, WIDE):
            await resized(pilot, size)
            width = paper_list(app).scrollable_content_region.width
            first, second = row_text(app, 0), row_text(app, 1)
            assert "A Very Long Title" in first and "…" in first, size
            assert "2026-11-02" in first  # the date column is still there, on the same row
            if size == WIDE:
                assert re.search(r"…\s+Lovelace\s+2026-11-02", first)  # and the authors column
            assert len(first) == width, size
            assert "Short and Sweet" in second  # the next row is the next paper
            # On screen, the list's own cells hold the title once, on one line.
            region = paper_list(app).region
            cells = [line[region.x : region.right] for line in screen_lines(app)]
            listed = cells[region.y : region.bottom]
            assert sum("A Very Long Title" in line for line in listed) == 1, size
            assert sum("Friends" in line for line in listed) <= 1, size


async def test_at_120_columns_the_title_has_most_of_the_row(empty_library: Library) -> None:
    add_papers(empty_library, [Paper(LONG_TITLE, "2611.00002", published="2026-11-02")])
    app = ReaderApp(empty_library, "ana", config=QUIET)
    async with app.run_test(size=MEDIUM) as pilot:
        await settle_detail(pilot)
        first = row_text(app, 0)
        # The list has two thirds of the width: ~50 cells of title, not ~40.
        assert first.index("…") - first.index("A Very Long Title") >= 48
        assert detail(app).size.width >= 36  # and the abstract still reads as prose


MANY_TAGS = ["fine-tuning", "battery", "vision-language", "survey", "to-read"]


async def test_tags_in_the_list_are_whole_and_the_rest_counted(authored: Library) -> None:
    first = authored.order()[0]
    authored.change_tags("ana", [first], add=MANY_TAGS)
    app = ReaderApp(authored, "ana", config=QUIET)
    async with app.run_test(size=SMALL) as pilot:
        for size in (SMALL, MEDIUM, WIDE):
            await resized(pilot, size)
            row = row_text(app, 0)
            shown = re.findall(r"#\S+", row)
            tags = {f"#{tag}" for tag in MANY_TAGS}
            # Whole tags; only a first tag with no room for itself is cut, and says so.
            assert shown and set(shown[1:]) <= tags, size
            assert shown[0] in tags or (
                shown[0].endswith("…") and any(tag.startswith(shown[0][:-1]) for tag in tags)
            )
            assert f"+{len(MANY_TAGS) - len(shown)} " in row, size


def test_fit_tags_keeps_whole_tags_and_counts_the_rest() -> None:
    assert fit_tags(["to-read", "data"], 14) == "#to-read #data"
    assert fit_tags(["to-read", "data"], 13) == "#to-read +1"
    assert fit_tags(["restoration"], 8) == "#restor…"  # alone and too long: cut, and says so
    assert fit_tags(["restoration", "x"], 8) == "#res… +1"
    assert fit_tags(["画像", "x"], 5) == "+2"  # no room for a letter of it: only counted
    assert fit_tags([], 10) == ""


def first_line(app: ReaderApp, selector: str) -> str:
    label = app.screen.query_one(selector, Label)
    assert label.size.height == 1
    return label.render_line(0).text.rstrip()


@pytest.mark.parametrize("size", [SMALL, MEDIUM])
async def test_dialog_titles_and_hints_are_cut_with_an_ellipsis(
    empty_library: Library, size: tuple[int, int]
) -> None:
    add_papers(
        empty_library,
        [
            Paper(LONG_TITLE, "2611.00002", published="2026-11-02"),
            Paper("Short and Sweet", "2611.00001", published="2026-11-01"),
        ],
    )
    app = ReaderApp(empty_library, "ana", config=QUIET)
    async with app.run_test(size=size) as pilot:
        await settle_detail(pilot)
        await pilot.press("t")
        await pilot.pause()
        assert first_line(app, "#tag-title").endswith("…")
        await pilot.press("escape", "n")
        await pilot.pause()
        assert first_line(app, "#note-title").endswith("…")  # one line, not wrapped
        await pilot.press("escape", "space", "j", "space", "t")
        await pilot.pause()
        # Selected papers: the longer hint, its keys first.
        hint = first_line(app, "#tag-hint")
        assert hint.startswith("enter saves") and hint.endswith("…")


# -- mouse ----------------------------------------------------------------------------


@pytest.mark.parametrize("size", [SMALL, MEDIUM])
async def test_clicking_a_row_moves_the_cursor_and_the_detail_follows(
    library: Library, size: tuple[int, int]
) -> None:
    app = ReaderApp(library, "ana", config=QUIET)
    async with app.run_test(size=size) as pilot:
        await settle_detail(pilot)
        await pilot.click(PaperList, offset=(20, 4))
        await settle_detail(pilot)
        assert paper_list(app).cursor == 4
        title = app.screen.query_one("#detail-title", Static)
        assert str(title.render()).strip() == highlighted_title(app, library)
        assert app.focused is paper_list(app)


async def test_the_wheel_scrolls_the_list_and_a_click_then_picks_the_row_under_it(
    library: Library,
) -> None:
    app = ReaderApp(library, "ana", config=QUIET)
    async with app.run_test(size=SMALL) as pilot:
        await settle_detail(pilot)
        papers = paper_list(app)
        before = row_text(app, 0)
        await pilot._post_mouse_events([events.MouseScrollDown], PaperList, offset=(10, 2))
        await pilot._post_mouse_events([events.MouseScrollDown], PaperList, offset=(10, 2))
        await settle_detail(pilot)
        assert papers.scroll_y > 0
        assert row_text(app, 0) != before
        assert papers.cursor == 0  # the wheel looks; it does not move the cursor
        top = round(papers.scroll_y)
        await pilot.click(PaperList, offset=(20, 1))
        await settle_detail(pilot)
        assert papers.cursor == top + 1
        await pilot._post_mouse_events([events.MouseScrollUp], PaperList, offset=(10, 2))
        await settle_detail(pilot)
        assert papers.scroll_y < top


async def test_clicks_on_the_filter_and_the_detail_do_the_obvious_thing(library: Library) -> None:
    app = ReaderApp(library, "ana", config=QUIET)
    async with app.run_test(size=SMALL) as pilot:
        await settle_detail(pilot)
        await pilot.press("j", "j")
        await pilot.click(FilterBar)
        assert isinstance(focused(app), FilterBar)  # ready to type
        await type_keys(pilot, *"restoration")
        await settle_detail(pilot)
        assert len(paper_list(app).paper_ids) < 39
        await pilot.click(PaperList, offset=(20, 0))
        assert focused(app) is paper_list(app)  # back to the list, keys move it again
        cursor = paper_list(app).cursor
        await pilot.click(PaperDetail, offset=(10, 3))
        assert paper_list(app).cursor == cursor  # reading the detail moves nothing
        assert focused(app) is paper_list(app)
        await pilot.press("j")
        assert paper_list(app).cursor == cursor + 1
        pane = detail(app)
        await pilot._post_mouse_events([events.MouseScrollDown], PaperDetail, offset=(10, 3))
        await pilot.pause()
        assert pane.scroll_y > 0  # the wheel reads on in the detail pane


async def test_clicking_a_link_in_the_detail_opens_it(
    empty_library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_papers(empty_library, [Paper("Linked", "2611.00001", published="2026-11-01")])
    opened: list[str] = []
    app = ReaderApp(empty_library, "ana", config=QUIET)

    def open_in_browser(app: object, url: str) -> bool:
        opened.append(url)
        return True

    monkeypatch.setattr("reader.tui.widgets.paper_detail.open_in_browser", open_in_browser)
    async with app.run_test(size=SMALL) as pilot:
        await settle_detail(pilot)
        links = app.screen.query_one("#detail-links", Static)
        assert str(links.render()).startswith("arXiv: https://arxiv.org/abs/2611.00001")
        await pilot.click(links, offset=(2, 0))  # the label: not a link
        assert opened == []
        await pilot.click(links, offset=(12, 0))
        assert opened == ["https://arxiv.org/abs/2611.00001"]
        assert paper_list(app).cursor == 0 and app.focused is paper_list(app)


# -- empty states ---------------------------------------------------------------------


async def test_an_empty_library_says_how_to_fill_it(empty_library: Library) -> None:
    app = ReaderApp(empty_library, "ana", config=QUIET)
    async with app.run_test(size=SMALL) as pilot:
        for size in (SMALL, MEDIUM):
            await resized(pilot, size)
            text = "\n".join(screen_lines(app))
            assert "No papers yet. Press f to fetch" in text, size
            for command in ("reader fetch hf", "reader fetch arxiv", "reader import FILE"):
                assert command in text, size  # every way in is on screen, none cut off
            assert_nothing_overlaps(app)


async def test_a_filter_that_matches_nothing_says_esc_clears_it(library: Library) -> None:
    app = ReaderApp(library, "ana", config=QUIET)
    async with app.run_test(size=SMALL) as pilot:
        await settle_detail(pilot)
        await type_keys(pilot, "slash", *"zzqqxx")
        await settle_detail(pilot)
        assert paper_list(app).paper_ids == []
        assert "Esc clears the filter" in row_text(app, 1)
        assert "Esc clears the filter" in detail_text(app)
        await pilot.press("escape")
        await settle_detail(pilot)
        assert len(paper_list(app).paper_ids) == 39


async def test_an_empty_view_says_how_to_see_every_paper(library: Library) -> None:
    app = ReaderApp(library, "ana", config=QUIET)
    async with app.run_test(size=MEDIUM) as pilot:
        await settle_detail(pilot)
        await pilot.press("3")  # starred: none yet
        await settle_detail(pilot)
        assert paper_list(app).paper_ids == []
        assert "Press 1 to see them all" in detail_text(app)
        assert "filter" not in detail_text(app)  # nothing was typed


async def test_a_paper_without_abstract_says_where_to_read_it(empty_library: Library) -> None:
    add_papers(
        empty_library,
        [
            Paper("Only a Title and an Id", "2611.00002", published="2026-11-02"),
            Paper("Only a Title", published="2026-11-01"),
        ],
    )
    app = ReaderApp(empty_library, "ana", config=QUIET)
    async with app.run_test(size=MEDIUM) as pilot:
        await settle_detail(pilot)
        abstract = app.screen.query_one("#detail-abstract", Static)
        assert "Press o" in str(abstract.render())
        assert "reader add 2611.00002" in str(abstract.render())
        await pilot.press("j")
        await settle_detail(pilot)
        assert "no arXiv id" in str(abstract.render())


# -- NO_COLOR -------------------------------------------------------------------------


def colours(svg: str) -> set[str]:
    """Every colour the app gives text or background in a screenshot: the SVG's own
    window buttons and the export's default text colour (for text with no colour of
    its own, which a terminal shows in its default colour) left out."""
    drawn = "\n".join(line for line in svg.splitlines() if "<circle" not in line)
    found = {c.lower() for c in re.findall(r"#[0-9a-fA-F]{6}\b", drawn)}
    return found - {SVG_EXPORT_THEME.foreground_color.hex}


def is_grey(colour: str) -> bool:
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return red == green == blue


@pytest.mark.parametrize("no_color", [False, True])
async def test_no_color_gives_a_colourless_app(
    library: Library, monkeypatch: pytest.MonkeyPatch, no_color: bool
) -> None:
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    else:
        monkeypatch.delenv("NO_COLOR", raising=False)
    library.set_starred("ana", library.order()[0], True)
    library.change_tags("ana", [library.order()[1]], add=["survey"])
    app = ReaderApp(library, "ana", config=QUIET)
    async with app.run_test(size=WIDE) as pilot:
        await settle_detail(pilot)
        await type_keys(pilot, "slash", *"restoration")
        await settle_detail(pilot)
        used = colours(app.export_screenshot())
        assert len(used) > 2
        if no_color:
            assert all(is_grey(colour) for colour in used), sorted(used)
        else:
            assert not all(is_grey(colour) for colour in used)  # the check can fail


@pytest.mark.parametrize("theme", ["textual-light", "textual-dark", "nord"])
async def test_dates_and_counts_stand_out_from_the_list_in_every_theme(
    library: Library, theme: str
) -> None:
    from textual.color import Color

    from reader.config import Config

    app = ReaderApp(library, "ana", config=Config(theme=theme, read_delay=0))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle_detail(pilot)
        papers = paper_list(app)
        background = papers.styles.background
        strip = papers.render_line(3)  # not the cursor's row
        (date,) = [segment for segment in strip if re.fullmatch(r"\d{4}-\d\d-\d\d ?", segment.text)]
        assert date.style is not None and date.style.color is not None
        color = Color.from_rich_color(date.style.color)
        # Muted, yet readable: far from the background it is drawn on.
        assert abs(color.brightness - background.brightness) > 0.3
