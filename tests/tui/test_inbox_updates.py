"""Updates to starred papers in the app, through Pilot (issue 19, item 7): a newer arXiv
version another process imports shows in the Inbox with a badge and a line in the detail
pane; I clears it, z brings it back."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from reader.config import Config
from reader.models import Paper
from reader.store import Library, clock, open_library
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


@pytest.fixture
def at(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    """Set the store's clock (updates and marks are told apart by their second): past
    the sample's papers, which came in now."""
    return lambda when: monkeypatch.setattr(clock, "now", lambda: when)


def import_elsewhere(db_path: Path, *papers: Paper) -> None:
    """An import by another process (a fetch from cron)."""
    other = open_library(db_path)
    try:
        other.import_papers(list(papers))
    finally:
        other.close()


async def test_a_newer_version_of_a_starred_paper_shows_in_the_inbox(
    library: Library, db_path: Path, at: Callable[[str], None]
) -> None:
    at("2099-12-03T08:00:00+00:00")
    library.import_papers(
        [
            Paper("Starred [b]paper[/b] on grokking", "2512.00001", arxiv_version=1),
            Paper("Unstarred paper on grokking", "2512.00002", arxiv_version=1),
        ]
    )
    ids = library.ids_of_arxiv_ids(["2512.00001", "2512.00002"])
    starred, unstarred = ids["2512.00001"], ids["2512.00002"]
    library.set_starred("ana", starred, True)
    app = ReaderApp(library, "ana", config=Config(read_delay=0))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        at("2099-12-03T08:01:00+00:00")
        await type_keys(pilot, "8", "I")
        await wait_until(pilot, lambda: shown_ids(app) == [], "the inbox empty")
        # A fetch in another process brings v3 of both, and code for the unstarred one.
        at("2099-12-04T07:00:00+00:00")
        import_elsewhere(
            db_path,
            Paper("Starred [b]paper[/b] on grokking", "2512.00001", arxiv_version=3),
            Paper(
                "Unstarred paper on grokking",
                "2512.00002",
                arxiv_version=3,
                github_url="https://github.com/x/y",
            ),
        )
        library_screen(app).check_outside_changes()
        await wait_until(pilot, lambda: shown_ids(app) == [starred], "the update in the inbox")
        await settle_detail(pilot)
        row = row_text(app, 0)
        assert "★" in row and "↑v3 Starred [b]paper[/b] on grokking" in row
        said = detail_text(app)
        assert "Updated: arXiv v3 (was v1), 2099-12-04 · new" in said
        # Views other than the inbox count it.
        await type_keys(pilot, "3")
        await wait_until(pilot, lambda: sub_title(app).endswith("· 1 new"), "Starred: 1 new")
        await type_keys(pilot, "1")
        await wait_until(pilot, lambda: unstarred in shown_ids(app), "every paper")
        at_row = shown_ids(app).index(unstarred)
        assert "↑" not in row_text(app, at_row - round(paper_list(app).scroll_y))
        # Its detail says what changed, but not as news: it is not the user's paper.
        paper_list(app).move_to(unstarred)
        await settle_detail(pilot)
        said = detail_text(app)
        assert "Updated: arXiv v3 (was v1), 2099-12-04" in said
        assert "Code: github.com/x/y, appeared 2099-12-04" in said and "· new" not in said
        # Inbox done: seen (no badge, the line no longer new); z: back.
        await type_keys(pilot, "8")
        await wait_until(pilot, lambda: shown_ids(app) == [starred], "the inbox again")
        at("2099-12-04T07:05:00+00:00")
        await type_keys(pilot, "I")
        await wait_until(pilot, lambda: shown_ids(app) == [], "the update seen")
        assert library.updates_since(library.looked("ana")) == {}
        await type_keys(pilot, "3")
        await wait_until(pilot, lambda: starred in shown_ids(app), "the starred view")
        await settle_detail(pilot)
        assert "↑" not in row_text(app, 0)
        said = detail_text(app)
        assert "Updated: arXiv v3 (was v1), 2099-12-04" in said and "· new" not in said
        await type_keys(pilot, "8", "z")
        await wait_until(pilot, lambda: shown_ids(app) == [starred], "the update back")
        await wait_until(pilot, lambda: "↑v3" in row_text(app, 0), "the badge back")
