"""A paper imported without an arXiv id (issue 15, items 20 and 23): its title id
in `reader list`, and its id looked up on arXiv by title, from the app (L) and
from `reader add TITLE-ID`. The network is an httpx.MockTransport."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

import httpx
import pytest
from click.testing import CliRunner, Result
from textual.pilot import Pilot

from reader.cli import main
from reader.config import Config
from reader.fetching import Network
from reader.lookup import is_title_id, title_query
from reader.models import Paper, title_id
from reader.store import Library, open_library
from reader.tui.app import ReaderApp
from reader.tui.screens.library import LibraryScreen
from tests.support.pilot import detail_text, settle_detail

TITLE = "Pre-training under infinite compute"


def feed(*entries: tuple[str, str]) -> str:
    """An arXiv Atom feed of (id, title) entries."""
    body = "".join(
        f"""<entry>
  <id>http://arxiv.org/abs/{paper_id}v1</id>
  <updated>2025-09-18T17:00:00Z</updated>
  <published>2025-09-18T17:00:00Z</published>
  <title>{escape(title)}</title>
  <summary>An abstract from arXiv.</summary>
  <author><name>Konwoo Kim</name></author>
  <category term="cs.LG" scheme="http://arxiv.org/schemas/atom"/>
</entry>"""
        for paper_id, title in entries
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"
      xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/"
      xmlns:arxiv="http://arxiv.org/schemas/atom">
  <title>arXiv Query</title>
  <id>http://arxiv.org/api/x</id>
  <updated>2025-09-19T00:00:00-04:00</updated>
  <opensearch:totalResults>{len(entries)}</opensearch:totalResults>
  <opensearch:startIndex>0</opensearch:startIndex>
  <opensearch:itemsPerPage>10</opensearch:itemsPerPage>
{body}
</feed>"""


class Arxiv:
    """The mock arXiv API: answers every query with ``entries``; keeps the queries."""

    def __init__(self, *entries: tuple[str, str]) -> None:
        self.entries = entries
        self.queries: list[str | None] = []
        self.sorts: list[str | None] = []
        self.transport = httpx.MockTransport(self._answer)

    def _answer(self, request: httpx.Request) -> httpx.Response:
        self.queries.append(request.url.params.get("search_query"))
        self.sorts.append(request.url.params.get("sortBy"))
        return httpx.Response(
            200, text=feed(*self.entries), headers={"content-type": "application/atom+xml"}
        )


def test_the_query_is_the_titles_words_as_a_phrase() -> None:
    assert title_query('Pre-training: "Infinite" Compute?') == 'ti:"pre training infinite compute"'
    with pytest.raises(ValueError):
        title_query("?!")


def test_a_title_id_is_short_stable_and_recognised() -> None:
    key = Paper(TITLE).title_key
    ident = title_id(key)
    assert ident == title_id(Paper("PRE-TRAINING under Infinite Compute!").title_key)
    assert len(ident) == 12 and ident.startswith("t-")
    assert is_title_id(ident) and is_title_id(ident.upper())
    assert not is_title_id("2409.11074") and not is_title_id("t-xyz")


# -- the app ------------------------------------------------------------------------


async def look_up(pilot: Pilot[None], app: ReaderApp) -> str:
    """Press L and wait for the look-up's toast; its text."""
    before = len(app._notifications)
    await pilot.press("L")
    for _ in range(1000):
        await pilot.pause(0.01)
        screen = app.screen
        idle = isinstance(screen, LibraryScreen) and not screen._looking_up
        if idle and len(app._notifications) > before:
            break
    await settle_detail(pilot)
    return list(app._notifications)[-1].message


def app_with(library: Library, arxiv: Arxiv) -> ReaderApp:
    return ReaderApp(library, "ana", config=Config(read_delay=0), network=Network(arxiv.transport))


async def move_to(pilot: Pilot[None], app: ReaderApp, library: Library, title: str) -> int:
    screen = app.screen
    assert isinstance(screen, LibraryScreen)
    paper_id = next(p.id for p in library.listing() if p.title == title)
    screen.go_to_paper(paper_id)
    await settle_detail(pilot)
    return paper_id


async def test_L_fills_in_the_id_when_one_paper_has_exactly_the_title(library: Library) -> None:
    library.toggle_star("ana", next(p.id for p in library.listing() if p.title == TITLE))
    arxiv = Arxiv(("2509.14786", "Pre-Training under Infinite Compute"), ("2501.00001", "Other"))
    app = app_with(library, arxiv)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle_detail(pilot)
        paper_id = await move_to(pilot, app, library, TITLE)
        assert "No arXiv id" in detail_text(app)
        message = await look_up(pilot, app)
        assert arxiv.queries == ['ti:"pre training under infinite compute"']
        # Best match first: newest first, an old title drowns in newer ones containing it.
        assert arxiv.sorts == ["relevance"]
        assert "is arXiv 2509.14786" in message
        paper = library.paper(paper_id)
        assert paper is not None and paper.arxiv_id == "2509.14786"  # the same row
        assert library.annotation("ana", paper_id).starred  # its marks kept
        assert library.count() == 39  # merged, not added
        assert "arXiv: https://arxiv.org/abs/2509.14786" in detail_text(app)


async def test_L_finds_nothing_for_a_near_title_and_changes_nothing(library: Library) -> None:
    arxiv = Arxiv(("2509.14786", "Pre-training under infinite compute, revisited"))
    app = app_with(library, arxiv)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle_detail(pilot)
        paper_id = await move_to(pilot, app, library, TITLE)
        message = await look_up(pilot, app)
        assert message.startswith("arXiv has no paper titled exactly “Pre-training under")
        assert "reader add ID" in message
        paper = library.paper(paper_id)
        assert paper is not None and paper.arxiv_id is None


async def test_L_with_two_papers_of_that_title_names_both(library: Library) -> None:
    arxiv = Arxiv(("2509.14786", TITLE), ("2510.00002", TITLE.upper()))
    app = app_with(library, arxiv)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle_detail(pilot)
        paper_id = await move_to(pilot, app, library, TITLE)
        message = await look_up(pilot, app)
        assert "2 arXiv papers have exactly this title (2509.14786, 2510.00002)" in message
        paper = library.paper(paper_id)
        assert paper is not None and paper.arxiv_id is None


ERROR_FEED = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>arXiv Query</title>
  <entry>
    <id>http://arxiv.org/api/errors#malformed_query</id>
    <title>Error</title>
    <summary>malformed query
near ti</summary>
  </entry>
</feed>"""


async def test_a_failed_look_up_is_a_one_line_toast_in_arxivs_words(library: Library) -> None:
    # HTTP 400 is not retried (a refused connection would be, with real waits).
    arxiv = Arxiv()
    arxiv.transport = httpx.MockTransport(lambda request: httpx.Response(400, text=ERROR_FEED))
    app = app_with(library, arxiv)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle_detail(pilot)
        paper_id = await move_to(pilot, app, library, TITLE)
        message = await look_up(pilot, app)
        notification = list(app._notifications)[-1]
        assert notification.title == "Look-up failed" and notification.severity == "error"
        assert "malformed query near ti" in message and "\n" not in message
        assert isinstance(app.screen, LibraryScreen)
        paper = library.paper(paper_id)
        assert paper is not None and paper.arxiv_id is None


async def test_L_on_a_paper_with_an_id_asks_nothing(empty_library: Library) -> None:
    empty_library.import_papers([Paper("Has one", arxiv_id="2409.11074")])
    arxiv = Arxiv()
    app = app_with(empty_library, arxiv)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle_detail(pilot)
        await pilot.press("L")
        await pilot.pause()
        assert list(app._notifications)[-1].message == "This paper's arXiv id is 2409.11074."
        assert arxiv.queries == []


# -- the command line -----------------------------------------------------------------


def run(*args: str | Path, arxiv: Arxiv | None = None) -> Result:
    """``reader ARGS``; with ``arxiv``, on that mock arXiv (its waits not slept)."""
    network = None if arxiv is None else Network(arxiv.transport, sleep=lambda seconds: None)
    return CliRunner().invoke(main, [str(a) for a in args], prog_name="reader", obj=network)


def test_reader_list_shows_a_title_id_for_a_paper_without_an_arxiv_id(
    library: Library, db_path: Path
) -> None:
    library.import_papers([Paper("Has an id", arxiv_id="2409.11074", published="2030-01-01")])
    result = run("--db", db_path, "list")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split("\t")[0] == "2409.11074"
    row = next(line for line in lines if line.endswith(f"\t{TITLE}"))
    ident = row.split("\t")[0]
    assert ident == title_id(Paper(TITLE).title_key)
    assert not any(line.startswith("#") for line in lines)  # no bare row numbers


def test_reader_add_takes_a_title_id_and_looks_it_up(library: Library, db_path: Path) -> None:
    arxiv = Arxiv(("2509.14786", TITLE))
    ident = title_id(Paper(TITLE).title_key)
    library.close()
    result = run("--db", db_path, "add", ident, arxiv=arxiv)
    assert result.exit_code == 0, result.output
    assert "0 added, 1 updated" in result.stdout
    assert arxiv.queries == ['ti:"pre training under infinite compute"']
    reopened = open_library(db_path)
    try:
        assert reopened.count() == 39
        assert any(p.arxiv_id == "2509.14786" and p.title == TITLE for p in reopened.listing())
    finally:
        reopened.close()
    # Now it has an id: reader list shows it, and the title id names nothing.
    assert "2509.14786\t" in run("--db", db_path, "list").stdout
    again = run("--db", db_path, "add", ident, arxiv=arxiv)
    assert again.exit_code == 1
    assert f"no paper without an arXiv id has the title id {ident}" in again.stderr


def test_reader_add_of_a_title_arxiv_does_not_have_adds_nothing(
    library: Library, db_path: Path
) -> None:
    arxiv = Arxiv(("2509.14786", "Something else"))
    library.close()
    result = run("--db", db_path, "add", title_id(Paper(TITLE).title_key), arxiv=arxiv)
    assert result.exit_code == 1
    assert "arXiv has no paper with exactly that title; nothing added" in result.stderr
    reopened = open_library(db_path)
    try:
        assert all(p.arxiv_id is None for p in reopened.listing())
    finally:
        reopened.close()


def test_reader_add_of_a_title_two_arxiv_papers_share_names_both_and_adds_nothing(
    library: Library, db_path: Path
) -> None:
    arxiv = Arxiv(("2509.14786", TITLE), ("2510.00002", TITLE.upper()))
    library.close()
    ident = title_id(Paper(TITLE).title_key)
    result = run("--db", db_path, "add", ident, arxiv=arxiv)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {ident} “{TITLE}”: 2 arXiv papers have that title (2509.14786, 2510.00002): "
        "add one by its id; nothing added\n"
    )
    reopened = open_library(db_path)
    try:
        assert all(p.arxiv_id is None for p in reopened.listing())
    finally:
        reopened.close()


def test_reader_add_refuses_a_title_found_as_a_paper_the_library_holds(
    library: Library, db_path: Path
) -> None:
    library.import_papers([Paper("Pre-training, the arXiv copy", arxiv_id="2509.14786")])
    arxiv = Arxiv(("2509.14786", TITLE))
    library.close()
    ident = title_id(Paper(TITLE).title_key)
    result = run("--db", db_path, "add", ident, arxiv=arxiv)
    assert result.exit_code == 1
    assert "is arXiv 2509.14786, which the library holds already as another entry" in (
        result.stderr
    )
    reopened = open_library(db_path)
    try:
        assert any(p.title == TITLE and p.arxiv_id is None for p in reopened.listing())
    finally:
        reopened.close()
