"""The detail pane shows what Hugging Face knows (issue 15, item 16), folds a long
author list (item 19), and says why a paper has no links and how to find its id
(item 20)."""

from __future__ import annotations

from dataclasses import replace

from textual.pilot import Pilot

from reader.config import Config
from reader.keymap import default_keys
from reader.models import Paper
from reader.store import Library
from reader.tui.app import ReaderApp
from reader.tui.dialogs.help import binding_rows
from reader.tui.widgets.paper_detail import PaperDetail, authors_text, links_text
from scripts.scenarios import HF_PAPER
from tests.support.pilot import detail_text, screen_lines, settle_detail

QUIET = Config(read_delay=0)
SUMMARY = "Open mixture-of-experts models trained on four trillion tokens"


def app_on(library: Library, *papers: Paper) -> ReaderApp:
    library.import_papers(list(papers))
    return ReaderApp(library, "ana", config=QUIET)


def shown(app: ReaderApp) -> str:
    return detail_text(app)


async def test_what_hugging_face_knows_is_shown(empty_library: Library) -> None:
    app = app_on(empty_library, HF_PAPER)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle_detail(pilot)
        text = " ".join(shown(app).split())
        assert "▲ 128 upvotes · 7 comments · 2,345 GitHub stars" in text
        assert "AI keywords: mixture of experts, scaling laws, routing, open models" in text
        # The AI summary, labelled as such, comes before the abstract, which is named.
        assert "AI summary by Hugging Face" in text
        assert SUMMARY in text
        assert text.index(SUMMARY) < text.index("Abstract We train a family")


async def test_a_folds_the_ai_summary_for_every_paper_until_pressed_again(
    empty_library: Library,
) -> None:
    other = replace(HF_PAPER, title="Another", arxiv_id="2611.05678", published="2026-11-01")
    other = replace(other, ai_summary="A second summary, of another paper.")
    app = app_on(empty_library, HF_PAPER, other)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle_detail(pilot)
        assert SUMMARY in shown(app)
        await pilot.press("a")
        await pilot.pause()
        assert SUMMARY not in shown(app)
        assert "AI summary by Hugging Face folded: a shows it" in shown(app)
        await pilot.press("j")
        await settle_detail(pilot)
        assert "A second summary" not in shown(app)  # folded for the next paper too
        await pilot.press("a")
        await pilot.pause()
        assert "A second summary" in shown(app)


async def test_a_on_a_paper_without_a_summary_says_so(library: Library) -> None:
    app = ReaderApp(library, "ana", config=QUIET)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle_detail(pilot)
        assert "AI summary" not in shown(app)
        assert "Abstract" not in shown(app).split("\n")  # no heading without a summary
        await pilot.press("a")
        await pilot.pause()
        assert list(app._notifications)[-1].message == "This paper has no AI summary."


def test_a_long_author_list_shows_the_first_five_and_how_many_more() -> None:
    folded = authors_text(HF_PAPER).plain
    assert folded.startswith("Ada Lovelace, Ben Okafor, Chen Wang, Dana Levi, Eli Cohen + 29 more")
    assert "Hugo Martin" not in folded
    every = authors_text(HF_PAPER, every=True).plain
    assert "Hugo Martin" in every and "more" not in every
    # A list a name or two longer than five is shown whole: "+ 1 more" saves nothing.
    seven = replace(HF_PAPER, authors=HF_PAPER.authors[:7])
    assert authors_text(seven).plain == ", ".join(HF_PAPER.authors[:7])


async def author_rows(app: ReaderApp) -> list[str]:
    pane = app.screen.query_one(PaperDetail)
    return [line[pane.region.x : pane.region.right] for line in screen_lines(app)]


async def test_a_34_author_paper_reaches_its_abstract_soon_and_A_lists_all(
    empty_library: Library,
) -> None:
    app = app_on(empty_library, HF_PAPER)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle_detail(pilot)
        rows = await author_rows(app)
        named = [row for row in rows if "Lovelace" in row or "more" in row]
        assert len(named) <= 2  # not 14 rows of names
        assert "Hugo Martin" not in "\n".join(rows)
        await pilot.press("A")
        await pilot.pause()
        assert "Hugo Martin" in shown(app)
        await pilot.press("A")
        await pilot.pause()
        assert "Hugo Martin" not in shown(app)


async def test_a_click_on_more_lists_every_author(empty_library: Library) -> None:
    app = app_on(empty_library, HF_PAPER)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle_detail(pilot)
        await click_text(pilot, app, "+ 29 more")
        assert "Hugo Martin" in shown(app)


async def click_text(pilot: Pilot[None], app: ReaderApp, text: str) -> None:
    """Click the detail pane where it shows ``text``."""
    for y, line in enumerate(screen_lines(app)):
        x = line.find(text)
        if x >= 0:
            widget, region = app.screen.get_widget_at(x, y)
            await pilot.click(widget, offset=(x + 2 - region.x, y - region.y))
            await pilot.pause()
            return
    raise AssertionError(f"{text!r} is not on screen")


async def test_another_paper_folds_the_list_again(empty_library: Library) -> None:
    other = replace(HF_PAPER, title="Another", arxiv_id="2611.05678", published="2026-11-01")
    app = app_on(empty_library, HF_PAPER, other)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle_detail(pilot)
        await pilot.press("A")
        await pilot.pause()
        await pilot.press("j")
        await settle_detail(pilot)
        assert "+ 29 more" in shown(app)


def test_without_an_id_the_pane_says_why_and_how_to_look_it_up() -> None:
    text = links_text(Paper("From the page text")).plain
    assert "No arXiv id: the text it was imported from had none." in text
    assert "L looks it up on arXiv by title." in text
    assert "no arXiv id yet" not in text
    # A paper with a GitHub link but no id: the link, and the same line.
    text = links_text(Paper("Code only", github_url="https://github.com/a/b")).plain
    assert text.startswith("GitHub: https://github.com/a/b\nNo arXiv id")
    assert "No arXiv id" not in links_text(Paper("Has one", arxiv_id="2409.11074")).plain


async def test_the_look_up_key_shown_is_the_users_own(library: Library) -> None:
    config = Config(read_delay=0, keys=(("library.lookup", "ctrl+l"),))
    app = ReaderApp(library, "ana", config=config)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle_detail(pilot)
        assert "^l looks it up on arXiv by title" in " ".join(shown(app).split())


NEW_KEYS = {"library.lookup": "L", "library.authors": "A", "library.fold_summary": "a"}


async def test_the_new_keys_are_in_the_help_and_can_be_remapped(empty_library: Library) -> None:
    assert set(NEW_KEYS) <= set(default_keys())  # [keys] in the config accepts them
    config = Config(read_delay=0, keys=(("library.authors", "W"), ("library.fold_summary", "F")))
    empty_library.import_papers([HF_PAPER])
    app = ReaderApp(empty_library, "ana", config=config)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle_detail(pilot)
        rows = {ident: keys for keys, _, ident in binding_rows(app)}
        assert rows["library.lookup"] == "L"
        assert rows["library.authors"] == "W" and rows["library.fold_summary"] == "F"
        assert "+ 29 more (W)" in shown(app) and "F folds it" in shown(app)
        await pilot.press("W", "F")
        await pilot.pause()
        assert "Hugo Martin" in shown(app) and SUMMARY not in shown(app)


async def test_a_note_draws_no_empty_line_at_either_end_of_its_border(
    empty_library: Library,
) -> None:
    """The note's first and last blocks keep no outer margin: an empty line inside
    the note's border looked like a line of the note."""
    empty_library.import_papers([HF_PAPER])
    [paper_id] = [paper.id for paper in empty_library.listing()]
    empty_library.set_note("ana", paper_id, "## Key idea\n\nrouting")
    app = ReaderApp(empty_library, "ana", config=QUIET)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle_detail(pilot)
        note = app.screen.query_one("#detail-note")
        assert "Key idea" in shown(app) and "routing" in shown(app)
        # The heading's line and the paragraph's, nothing above or below them.
        assert note.outer_size.height == 2
