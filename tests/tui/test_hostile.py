"""Text from papers is data: markup, escape sequences and odd characters in titles,
abstracts, authors, tags and notes show as text, never act, never reach the terminal."""

from __future__ import annotations

import pytest
from textual.widgets import Static

from reader.models import Paper
from reader.search import Query, SearchIndex
from reader.store import Library
from reader.tui.app import ReaderApp
from reader.tui.dialogs.note_editor import NoteText
from reader.tui.widgets.paper_list import PaperList
from tests.support.pilot import settle, settle_detail, wait_until

MARKUP = "[bold red]Pwned[/] [link=file:///etc/passwd]x[/link] [@click=app.quit]quit[/]"
ESCAPES = (
    "\x1b[31mred\x1b[0m \x1b]52;c;aGVsbG8=\x07 \x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\"
)
ODD = "\u202eevil\u202c zero\u200bwidth \x9b31m c1 \x07bell"
LONG_WORD = "A" * 5_000
BIG_ABSTRACT = ("Words of a very long abstract. " * 3_500)[:100_000]
# What must never reach the screen: escape sequences, bells, C1 controls, bidi overrides.
FORBIDDEN = ["\x1b", "\x07", "\x9b", "\u202e", "\u202c"]


@pytest.fixture
def hostile(empty_library: Library) -> Library:
    empty_library.import_papers(
        [
            Paper(
                title=f"{MARKUP} {ESCAPES}",
                arxiv_id="2401.00001",
                abstract=f"{ODD} {LONG_WORD} {ESCAPES} {MARKUP}",
                # Enough names that the list folds ("+ N more"): both ways are drawn.
                authors=("[b]Eve[/b]", "\x1b[2J Mallory", *(f"[i]Sybil {n}[/i]" for n in range(9))),
                published="2024-01-02",
                github_url="javascript:alert(1)",
                ai_summary=f"{MARKUP} {ESCAPES} {ODD}",
                ai_keywords=(MARKUP, ESCAPES),
            ),
            Paper(
                title=f"Huge {LONG_WORD}",
                arxiv_id="2401.00002",
                abstract=BIG_ABSTRACT,
                published="2024-01-01",
            ),
        ]
    )
    (first, second) = [paper.id for paper in empty_library.listing()]
    assert first is not None and second is not None
    empty_library.change_tags("ana", [first], add=["[red]tag", "\x1b[1mbold"])
    empty_library.set_note(
        "ana", first, "[@click=app.quit]note\n\n[x](javascript:alert(1)) \x1b[2J"
    )
    return empty_library


def assert_nothing_reaches_the_terminal(app: ReaderApp) -> None:
    screen = app.export_screenshot()
    for bad in FORBIDDEN:
        assert bad not in screen and f"&#{ord(bad)};" not in screen, repr(bad)


def shown(app: ReaderApp, *selectors: str) -> str:
    return "\n".join(str(app.screen.query_one(s, Static).render()) for s in selectors)


async def test_hostile_text_shows_as_text_and_never_acts(hostile: Library) -> None:
    app = ReaderApp(hostile, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle_detail(pilot)
        assert_nothing_reaches_the_terminal(app)
        # Markup is shown, not applied: the brackets and their words are on screen.
        rows = [app.screen.query_one(PaperList).render_line(y).text for y in range(2)]
        assert "[bold red]Pwned[/]" in rows[0] and "Huge AAAA" in rows[1]
        parts = ("#detail-title", "#detail-authors", "#detail-meta", "#detail-abstract")
        detail = shown(app, *parts)
        assert "[bold red]Pwned[/]" in detail and "[@click=app.quit]quit[/]" in detail
        assert "[b]Eve[/b]" in detail and "Mallory" in detail and "+ 6 more" in detail
        assert "[red]tag" in detail
        # Hugging Face's AI summary and keywords are text too.
        summary = shown(app, "#detail-summary")
        assert "[bold red]Pwned[/]" in summary and "\x1b" not in summary
        assert "AI keywords: [bold red]Pwned[/]" in detail
        await pilot.press("A")  # every author: their markup is text as well
        await pilot.pause()
        assert "[i]Sybil 8[/i]" in shown(app, "#detail-authors")
        assert_nothing_reaches_the_terminal(app)
        await pilot.press("j")
        await settle_detail(pilot)
        await pilot.press("k", "J", "J")
        await settle_detail(pilot)
        # Clicking the "[@click=app.quit]" text quits nothing: it is text.
        await pilot.click(PaperList, offset=(30, 0))
        await settle(pilot)
        assert app.is_running and app.return_code is None
        assert_nothing_reaches_the_terminal(app)


def test_hostile_text_is_searchable_as_text(hostile: Library) -> None:
    index = SearchIndex(hostile.listing(), hostile.words())
    assert len(index.search(Query.parse("pwned"))) == 1
    assert len(index.search(Query.parse("mallory"))) == 1
    assert len(index.search(Query.parse("words"))) == 1  # in the 100 KB abstract


async def test_the_note_editor_and_a_recovered_draft_show_a_hostile_note_as_text(
    hostile: Library,
) -> None:
    """A note imported from someone else's export keeps its control characters: the
    editor shows them as nothing, never as sequences (OSC 52 rewrote the clipboard)."""
    first = hostile.listing()[0].id
    note = "title\x1b]0;pwned\x07 clip\x1b]52;c;ZWNobyBwd25lZA==\x07 \x9b2J\x9d8;;x\x07 \u202eevil"
    hostile.set_note("ana", first, note)
    hostile.save_draft("ana", first, note + " more\x1b[2J", note)
    app = ReaderApp(hostile, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle_detail(pilot)
        await pilot.press("n")
        await wait_until(pilot, lambda: bool(app.screen.query("#note-text")), "the note editor")
        editor = app.screen.query_one("#note-text", NoteText)
        # The text itself is kept as it is (it is the user's data) ...
        assert "\x1b]52" in editor.text
        # ... but none of it reaches the terminal.
        assert_nothing_reaches_the_terminal(app)
        screen = app.export_screenshot()
        assert "pwned" in screen and "evil" in screen


async def test_only_web_links_in_a_note_are_shown_as_links(empty_library: Library) -> None:
    """`ssh://`, `javascript:` and `https://-x` (no host a browser would go to) are
    text; an http(s) link stays a link."""
    empty_library.import_papers([Paper(title="A paper", arxiv_id="2401.00003")])
    paper = empty_library.listing()[0].id
    empty_library.set_note(
        "ana",
        paper,
        "[shell](ssh://host/x) <ssh://bare> [bad](https://-x) ![img](ssh://h/i.png) "
        "[web](https://example.org/a)",
    )
    app = ReaderApp(empty_library, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle_detail(pilot)
        note = app.screen.query_one("#detail-note")
        clickable = [
            str(span.style)
            for block in note.query("MarkdownParagraph")
            for span in block._content.spans  # type: ignore[attr-defined]
        ]
        links = [style for style in clickable if "link(" in style]
        assert len(links) == 1 and "https://example.org/a" in links[0], clickable


async def test_megabyte_fields_in_a_shared_library_are_drawn_cut(empty_library: Library) -> None:
    """Fields written past the importer (a shared file): a 5 MB title and a 9 MB
    abstract froze the app; they are drawn cut to the sizes an import keeps."""
    import sqlite3

    from reader.limits import ABSTRACT_CHARS, TITLE_CHARS

    empty_library.import_papers([Paper(title="Small", arxiv_id="2401.00004")])
    paper = empty_library.listing()[0].id
    assert empty_library.path is not None
    conn = sqlite3.connect(empty_library.path)
    with conn:
        conn.execute(
            "UPDATE papers SET title = ?, abstract = ? WHERE id = ?",
            ("Huge " + "t" * 5_000_000, "Long " + "a " * 4_500_000, paper),
        )
    conn.close()
    app = ReaderApp(empty_library, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle_detail(pilot)
        title = str(app.screen.query_one("#detail-title", Static).render())
        abstract = str(app.screen.query_one("#detail-abstract", Static).render())
        assert title.startswith("Huge ") and len(title) <= TITLE_CHARS
        assert abstract.startswith("Long ") and len(abstract) <= ABSTRACT_CHARS
        await pilot.press("t")
        await settle(pilot)
        await pilot.press("escape")


def test_typed_tags_are_bounded_as_imported_ones_are() -> None:
    from reader.limits import TAG_CHARS, TAGS
    from reader.tui.dialogs.tag_editor import TagEdit

    edit = TagEdit.parse(" ".join(f"t{n}" for n in range(300)) + " " + "x" * 500, bulk=False)
    assert len(edit.wanted) == TAGS
    assert all(len(tag) <= TAG_CHARS for tag in edit.wanted)
