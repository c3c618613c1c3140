"""The filter bar names the author a quoted author: term asks for (issue 15), in the app."""

from __future__ import annotations

from reader.config import Config
from reader.models import Paper
from reader.store import Library
from reader.tui.app import ReaderApp
from tests.support.authors import NAMED
from tests.support.pilot import settle, shown_ids


def _papers() -> list[Paper]:
    return [
        Paper(f"Paper on {key}", f"2403.{n:05d}", authors=names, published=f"2024-03-{n + 1:02d}")
        for n, (key, names) in enumerate(NAMED.items())
    ]


async def test_the_filter_bar_names_the_author_once_the_quote_closes(
    empty_library: Library,
) -> None:
    empty_library.import_papers(_papers())
    by_title = {
        paper.title.removeprefix("Paper on "): paper.id for paper in empty_library.listing()
    }
    app = ReaderApp(empty_library, "ana", config=Config(read_delay=0))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *'author:"Zehao Jin')
        await settle(pilot)
        # The quote still open: a Zehao and a Jin among a paper's authors will do.
        assert set(shown_ids(app)) == {by_title["zehao jin"], by_title["apart"]}
        await pilot.press('"')
        await settle(pilot)
        assert shown_ids(app) == [by_title["zehao jin"]]
