"""The author counts (schema 9): how many papers each author name is on, kept in step
with the papers whichever way they change, so the stats screen finds the library's
most frequent authors in a table instead of expanding every author list; a view's
are counted from the table and the papers it holds or leaves out."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from reader.models import Paper
from reader.store import Library, open_library
from reader.store.schema import SCHEMA_VERSION
from tests.support.store import older_library, stored_id

NAMES = ("Hao Li", "Haoran Liu", "Xiaohao Li", "Ana Ruiz", "Bo Li", "Müller", "Dee")


def generated(count: int, seed: int = 7) -> list[Paper]:
    """Papers whose author lists draw on a few colliding names, some twice in a list."""
    rng = random.Random(seed)
    return [
        Paper(
            f"Paper {n}",
            f"2403.{n:05d}",
            authors=tuple(rng.choice(NAMES) for _ in range(rng.randint(0, 4))),
        )
        for n in range(count)
    ]


def expected(papers: Sequence[Paper], limit: int) -> list[tuple[str, int]]:
    """The reference: how many of ``papers`` each name is on, most first, ties by name."""
    counts = Counter(name for paper in papers for name in set(paper.authors))
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]


def counts(library: Library, ids: Sequence[int], limit: int = 10) -> list[tuple[str, int]]:
    found = library.author_counts(ids, limit)
    # The worker's connection answers the same.
    assert library.words().author_counts(ids, limit) == found
    return found


def test_counts_match_the_author_lists_for_the_library_and_any_view(library: Library) -> None:
    papers = generated(1_500)
    library.import_papers(papers)
    stored = library.papers()
    ids = [stored_id(paper) for paper in stored]
    assert counts(library, ids) == expected(stored, 10)
    rng = random.Random(3)
    # A small view counts its own papers; most of the library, the table less the rest.
    for size in (1, 2, 40, 700, 1_000, 1_400, len(ids) - 1):
        view = rng.sample(ids, size)
        chosen = set(view)
        assert counts(library, view, 4) == expected(
            [paper for paper in stored if paper.id in chosen], 4
        ), size
    assert counts(library, [], 5) == []
    assert counts(library, ids, 0) == []


def test_ties_are_broken_by_name_even_past_the_limit(library: Library) -> None:
    library.import_papers(
        [Paper(f"T{n}", f"2404.{n:05d}", authors=(name,)) for n, name in enumerate("DCBA")]
    )
    ids = [stored_id(paper) for paper in library.papers()]
    assert counts(library, ids, 2) == [("A", 1), ("B", 1)]


def test_counts_follow_each_change_made_outside_an_import(library: Library) -> None:
    db = library.db
    library.import_papers([Paper("Kept", "2405.00001", authors=("Hao Li",))])
    # Written as another program (or an older reader) might: straight into papers.
    db.execute(
        "INSERT INTO papers (id, title, title_key, authors, added_at, updated_at) "
        "VALUES (900, 'Raw', 'raw', '[\"Hao Li\", \"Xiaohao Li\"]', 'x', 'x')"
    )
    everything = [row[0] for row in db.execute("SELECT id FROM papers")]
    assert counts(library, everything) == [("Hao Li", 2), ("Xiaohao Li", 1)]
    db.execute("UPDATE papers SET authors = '[\"Haoran Liu\"]' WHERE id = 900")
    assert counts(library, everything) == [("Hao Li", 1), ("Haoran Liu", 1)]
    db.execute("UPDATE papers SET authors = 'not json' WHERE id = 900")
    assert counts(library, everything) == [("Hao Li", 1)]
    db.execute('UPDATE papers SET authors = \'["Xiaohao Li", "Xiaohao Li"]\' WHERE id = 900')
    assert counts(library, everything) == [("Hao Li", 1), ("Xiaohao Li", 1)]
    db.execute("DELETE FROM papers WHERE id = 900")
    assert counts(library, everything) == [("Hao Li", 1)]
    table = dict(db.execute("SELECT name, papers FROM authors"))
    assert table == {"Hao Li": 1, "Xiaohao Li": 0, "Haoran Liu": 0}


def test_a_reimport_and_a_removal_change_the_counts(library: Library) -> None:
    library.import_papers(
        [
            Paper("One", "2406.00001", authors=("Hao Li", "Bo Li")),
            Paper("Two", "2406.00002", authors=("Hao Li",)),
        ]
    )
    ids = [stored_id(paper) for paper in library.papers()]
    assert counts(library, ids) == [("Hao Li", 2), ("Bo Li", 1)]
    # A newer record of paper One names other authors.
    library.import_papers([Paper("One", "2406.00001", authors=("Haoran Liu",))])
    assert counts(library, ids) == [("Hao Li", 1), ("Haoran Liu", 1)]
    (one,) = [stored_id(paper) for paper in library.papers() if paper.title == "One"]
    library.remove_papers([one])
    remaining = [stored_id(paper) for paper in library.papers()]
    assert counts(library, remaining) == [("Hao Li", 1)]


def test_an_upgraded_library_counts_the_authors_of_the_papers_it_holds(db_path: Path) -> None:
    conn = older_library(db_path, 8)
    rows = [
        (1, '["Hao Li", "Bo Li"]'),
        (2, '["Hao Li", "Hao Li"]'),  # twice in one list: one paper
        (3, "{broken"),  # a file someone else wrote
        (4, '[["nested"], 5, "Bo Li"]'),  # only names count
    ]
    for paper_id, authors in rows:
        conn.execute(
            "INSERT INTO papers (id, title, title_key, authors, added_at, updated_at) "
            "VALUES (?, 'T', 't', ?, 'x', 'x')",
            (paper_id, authors),
        )
    conn.close()
    library = open_library(db_path)
    try:
        assert library.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 12
        assert counts(library, [1, 2, 3, 4]) == [("Bo Li", 2), ("Hao Li", 2)]
        assert counts(library, [2, 3]) == [("Hao Li", 1)]
    finally:
        library.close()


@pytest.mark.parametrize("streamed", [False, True])
def test_an_import_counts_the_authors_of_its_new_papers(library: Library, streamed: bool) -> None:
    papers = generated(3_000, seed=11)
    if streamed:
        library.import_stream(iter(papers), "ana")
    else:
        library.import_papers(papers)
    stored = library.papers()
    assert {paper.title for paper in papers} <= {paper.title for paper in stored}
    assert counts(library, [stored_id(paper) for paper in stored], 7) == expected(stored, 7)


def test_an_import_undone_half_way_leaves_the_counts_as_they_were(library: Library) -> None:
    from reader.sources import SourceError

    library.import_papers([Paper("Kept", "2407.00001", authors=("Hao Li",))])
    before = counts(library, [stored_id(paper) for paper in library.papers()])

    def papers() -> Iterator[Paper]:
        for n, paper in enumerate(generated(5_000, seed=5)):
            if n == 4_000:  # well after the first chunks were written
                raise SourceError("big.json", 4_000, "not valid JSON")
            yield paper

    with pytest.raises(SourceError):
        library.import_stream(papers(), "ana")
    assert counts(library, [stored_id(paper) for paper in library.papers()]) == before


def test_counts_read_while_an_import_is_under_way_hold_its_chunks_so_far(
    library: Library,
) -> None:
    papers = generated(5_000, seed=9)
    seen: list[bool] = []
    before = library.papers()

    def stream() -> Iterator[Paper]:
        for n, paper in enumerate(papers):
            if n == 4_000:  # chunks committed, their counts still pending
                words = library.words()
                try:
                    held = [paper.id for paper in library.listing()]
                    stored = library.papers_by_id(held)
                    seen.append(words.author_counts(held, 5) == expected(stored, 5))
                    pending = library.db.execute("SELECT count(*) FROM pending_authors")
                    seen.append(pending.fetchone()[0] > 0)
                finally:
                    words.close()
            yield paper

    library.import_stream(stream(), "ana")
    assert seen == [True, True]
    stored = library.papers()
    assert len(stored) == len(before) + 5_000
    assert counts(library, [stored_id(paper) for paper in stored], 5) == expected(stored, 5)
    assert library.db.execute("SELECT count(*) FROM pending_authors").fetchone() == (0,)
