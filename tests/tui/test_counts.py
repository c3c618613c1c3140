"""What Hugging Face counts, in the list: github: (GitHub stars) and comments: terms
read from the list's own index, a sort by GitHub stars, and the filter's one hint
for a lone quote."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result
from textual.widgets import Static

from reader.cli import main
from reader.config import Config
from reader.models import Paper
from reader.store import Library, open_library
from reader.tui.app import ReaderApp
from tests.support.pilot import settle, shown_ids, sub_title

PAPERS = [
    Paper("Few Stars", "2401.00001", published="2024-01-03", github_stars=5, num_comments=1),
    Paper("No Repository", "2401.00002", published="2024-01-02", upvotes=40),
    Paper("Many Stars", "2401.00003", published="2024-01-01", github_stars=900, num_comments=7),
]


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], prog_name="reader")


def test_the_list_carries_the_counts_from_its_index_alone(empty_library: Library) -> None:
    empty_library.import_papers(PAPERS)
    listed = {paper.title: paper for paper in empty_library.listing()}
    assert (listed["Many Stars"].github_stars, listed["Many Stars"].num_comments) == (900, 7)
    assert listed["No Repository"].github_stars is None
    # Read from the covering index, as before: no abstract is read to list a library.
    (plan,) = empty_library.db.execute(
        "EXPLAIN QUERY PLAN SELECT id, arxiv_id, title, published, upvotes, github_url, "
        "featured, github_stars, num_comments FROM papers INDEXED BY papers_listing "
        "ORDER BY published IS NULL, published DESC, title COLLATE NOCASE"
    ).fetchall()
    assert "COVERING INDEX papers_listing" in plan[3]


def test_reader_list_filters_by_stars_and_comments(db_path: Path) -> None:
    library = open_library(db_path)
    library.import_papers(PAPERS)
    library.close()

    def titles(*query: str) -> list[str]:
        result = run("--db", db_path, "list", *query)
        assert result.exit_code == 0, result.output
        return [line.split("\t")[3] for line in result.stdout.splitlines()]

    assert titles("github:>10") == ["Many Stars"]
    assert titles("github:1..10") == ["Few Stars"]
    assert titles("-github:>10") == ["Few Stars", "No Repository"]
    assert titles("comments:>=1") == ["Few Stars", "Many Stars"]
    assert titles("comments:0") == ["No Repository"]


def _app(library: Library, sort: str = "newest") -> ReaderApp:
    return ReaderApp(library, "ana", config=Config(read_delay=0, default_sort=sort))


async def test_the_list_sorts_by_github_stars(empty_library: Library) -> None:
    empty_library.import_papers(PAPERS)
    by_title = {paper.title: paper.id for paper in empty_library.listing()}
    app = _app(empty_library, sort="github")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert shown_ids(app) == [by_title[t] for t in ("Many Stars", "Few Stars", "No Repository")]
        assert sub_title(app).endswith("most GitHub stars")
        # O goes on to the next order, and round to this one again.
        await pilot.press("O")
        assert sub_title(app).endswith("by title")
        await pilot.press("O")
        assert "· for you" in sub_title(app)
        for _ in range(3):
            await pilot.press("O")
        assert sub_title(app).endswith("most GitHub stars")
        assert shown_ids(app)[0] == by_title["Many Stars"]


async def test_a_lone_quote_in_the_filter_shows_one_hint(empty_library: Library) -> None:
    empty_library.import_papers(PAPERS)
    app = _app(empty_library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", '"')
        await settle(pilot)
        hint = app.screen.query_one("#filter-hint", Static)
        assert hint.display
        # One hint, and where to read what the terms are.
        assert str(hint.render()) == (
            'a lone " — type a phrase after it, then a closing "  (f1: the terms)'
        )
