"""How an import meets the library: each paper merges into the row it matches.

The import looks up every row a batch can meet in a few queries and matches in
memory. Here it is held to the plain way, one query per paper, on generated
batches full of repeats, titles told apart only by case or accents, papers with
and without ids, and older and newer revisions.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.models import Annotation, ImportResult, Paper
from reader.store import Library, imports, open_library
from reader.store import merge as store_merge
from reader.store import rows as store_rows
from reader.store.errors import LibraryError
from tests.support.store import stored_id

NOW = "2026-11-27T00:00:00+00:00"


def import_one_query_a_paper(
    library: Library, papers: Sequence[Paper], now: str
) -> tuple[ImportResult, list[int]]:
    """The import as it was before it was batched: find, then insert or update."""
    added = updated = unchanged = 0
    ids: list[int] = []
    for paper in papers:
        existing = find(library, paper)
        if existing is None:
            columns = ", ".join((*store_merge.FIELDS, "title_key", "added_at", "updated_at"))
            marks = ", ".join("?" * (len(store_merge.FIELDS) + 3))
            cursor = library.db.execute(
                f"INSERT INTO papers ({columns}) VALUES ({marks})",
                (*store_rows.paper_values(paper), paper.title_key, now, now),
            )
            assert cursor.lastrowid is not None
            ids.append(cursor.lastrowid)
            added += 1
            continue
        assert existing.id is not None
        ids.append(existing.id)
        merged = merge(existing, paper)
        if merged == existing:
            unchanged += 1
            continue
        names = (*store_merge.FIELDS, "title_key", "updated_at")
        assignments = ", ".join(f"{name} = ?" for name in names)
        library.db.execute(
            f"UPDATE papers SET {assignments} WHERE id = ?",
            (*store_rows.paper_values(merged), merged.title_key, now, merged.id),
        )
        updated += 1
    return ImportResult(added=added, updated=updated, unchanged=unchanged), ids


def find(library: Library, paper: Paper) -> Paper | None:
    columns = store_rows.PAPER_COLUMNS
    if paper.arxiv_id:
        row = library._row(f"SELECT {columns} FROM papers WHERE arxiv_id = ?", (paper.arxiv_id,))
        if row:
            return store_rows.paper_from_row(row)
        row = library._row(
            f"SELECT {columns} FROM papers WHERE title_key = ? AND arxiv_id IS NULL",
            (paper.title_key,),
        )
    else:
        row = library._row(
            f"SELECT {columns} FROM papers WHERE title_key = ? "
            "ORDER BY arxiv_id IS NOT NULL LIMIT 1",
            (paper.title_key,),
        )
    return store_rows.paper_from_row(row) if row else None


def merge(existing: Paper, incoming: Paper) -> Paper:
    """store_merge.merge_paper as it was: every present field offered, then a copy made."""
    older = False
    if incoming.arxiv_version and existing.arxiv_version:
        older = incoming.arxiv_version < existing.arxiv_version
    elif incoming.updated and existing.updated:
        older = incoming.updated < existing.updated
    changes: dict[str, Any] = {}
    for name in store_merge.FIELDS:
        value = getattr(incoming, name)
        if value in store_merge.EMPTY:
            continue
        known = getattr(existing, name)
        if known not in store_merge.EMPTY:
            if older and name in store_merge.REVISED_FIELDS:
                continue
            if name == "published" and len(value) < len(known):
                continue
        changes[name] = value
    return replace(existing, **changes)


def rows(library: Library) -> list[tuple[Any, ...]]:
    return library._rows("SELECT * FROM papers ORDER BY id")


def import_both(
    batched: Library, plain: Library, papers: Sequence[Paper]
) -> tuple[ImportResult, list[int]]:
    """Import ``papers`` into both libraries; both must end up the same, row for row."""
    with batched.transaction():
        result, ids = imports.import_papers(batched, papers, NOW)
    with plain.transaction():
        expected = import_one_query_a_paper(plain, papers, NOW)
    assert (result, ids) == expected
    assert rows(batched) == rows(plain)
    return result, ids


@pytest.fixture
def libraries() -> Iterator[tuple[Library, Library]]:
    batched, plain = open_library(None), open_library(None)
    yield batched, plain
    batched.close()
    plain.close()


# Titles that fold to the same key ("attention is all you need") and ones that do not.
TITLES = [
    "Attention Is All You Need",
    "attention is all you need!",
    "ATTENTION — is all you need",
    "Diffusion Models",
    "Diffusion models, revisited",
    "Résumé of Things",
    "resume of things",
]
papers = st.builds(
    Paper,
    title=st.sampled_from(TITLES),
    arxiv_id=st.sampled_from([None, None, "2401.00001", "2401.00002", "2401.00003"]),
    abstract=st.sampled_from(["", "First abstract.", "Second abstract."]),
    # A list where a tuple belongs reads back as a tuple: merged as the stored row.
    authors=st.sampled_from([(), ("Ana",), ("Ana", "Bo"), ["Ana"]]),
    published=st.sampled_from([None, "2024", "2024-01", "2024-01-02", "2023-05-06"]),
    upvotes=st.sampled_from([None, 0, 5, 9]),
    arxiv_version=st.sampled_from([None, 1, 2, 3]),
    updated=st.sampled_from([None, "2024-01-01", "2024-02-01"]),
    ai_keywords=st.sampled_from([(), ("llm",)]),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(papers, max_size=10), min_size=1, max_size=4))
def test_batches_merge_as_one_query_a_paper_merged_them(batches: list[list[Paper]]) -> None:
    batched, plain = open_library(None), open_library(None)
    try:
        for batch in batches:
            import_both(batched, plain, batch)
    finally:
        batched.close()
        plain.close()


def test_a_paper_twice_in_one_batch_is_one_row_with_both_merged(
    libraries: tuple[Library, Library],
) -> None:
    first = Paper(title="Grokking", arxiv_id="2401.00001", upvotes=3)
    again = Paper(title="Grokking", arxiv_id="2401.00001", abstract="Now with an abstract.")
    result, ids = import_both(*libraries, [first, again, first])
    assert (result.added, result.updated, result.unchanged) == (1, 1, 1)
    assert ids[0] == ids[1] == ids[2]
    (paper,) = libraries[0].papers()
    assert (paper.upvotes, paper.abstract) == (3, "Now with an abstract.")


def test_a_paper_without_an_id_merges_into_the_titled_row_without_one_first(
    libraries: tuple[Library, Library],
) -> None:
    with_id = Paper(title="Grokking", arxiv_id="2401.00001")
    without = Paper(title="GROKKING.")
    _, (id_row, titled_row) = import_both(*libraries, [with_id, without])
    assert id_row == titled_row  # the only row under that title is the one with an id
    _, (other,) = import_both(*libraries, [Paper(title="Grokking", arxiv_id="2401.00002")])
    assert other != id_row  # a different id is a different paper, whatever its title
    _, ids = import_both(*libraries, [Paper(title="grokking", upvotes=4)])
    assert ids == [id_row]  # the lowest row id of those with the title


def test_an_arxiv_id_finds_the_row_known_by_title_and_fills_it_in(
    libraries: tuple[Library, Library],
) -> None:
    _, (row_id,) = import_both(*libraries, [Paper(title="A Paper About Grokking")])
    result, ids = import_both(
        *libraries, [Paper(title="A paper about grokking", arxiv_id="2401.00001", upvotes=2)]
    )
    assert ids == [row_id] and result.updated == 1
    assert libraries[0].papers()[0].arxiv_id == "2401.00001"


def test_a_retitled_paper_is_found_by_its_new_title_later_in_the_batch(
    libraries: tuple[Library, Library],
) -> None:
    _, (row_id,) = import_both(*libraries, [Paper(title="Old Title", arxiv_id="2401.00001")])
    result, ids = import_both(
        *libraries,
        [
            Paper(title="New Title", arxiv_id="2401.00001"),
            Paper(title="new title", upvotes=1),  # the row's title now
            Paper(title="old title", upvotes=1),  # no longer any row's title
        ],
    )
    assert ids[:2] == [row_id, row_id] and ids[2] != row_id
    assert (result.added, result.updated) == (1, 2)


def test_batches_of_more_keys_than_sqlite_binds_find_every_known_paper(
    libraries: tuple[Library, Library],
) -> None:
    # More arXiv ids and title keys than SQLite takes ``?`` parameters in a
    # statement (999 by default in older builds): the lookups bind them as one list.
    size = 1_100
    known = [
        Paper(title=f"Known paper {n}", arxiv_id=f"2401.{n:05d}" if n % 3 else None)
        for n in range(size)
    ]
    import_both(*libraries, known)
    again = [replace(paper, upvotes=7) for paper in known]
    # Those known by title bring their ids; those known by id come again unchanged.
    by_title = range(0, size, 3)
    again += [Paper(title=f"Known paper {n}", arxiv_id=f"2402.{n:05d}") for n in by_title]
    again += [paper for paper in known if paper.arxiv_id]
    again += [Paper(title=f"New paper {n}", arxiv_id=f"2403.{n:05d}") for n in range(size)]
    result, ids = import_both(*libraries, again)
    counts = (result.added, result.updated, result.unchanged)
    assert counts == (size, size + len(by_title), size - len(by_title))
    assert ids[:size] == list(range(1, size + 1))


def test_marks_go_to_the_row_each_position_matched(empty_library: Library) -> None:
    empty_library.import_papers([Paper(title="Known by title")])
    papers = [
        Paper(title="New one", arxiv_id="2401.00001"),
        Paper(title="KNOWN BY TITLE", arxiv_id="2401.00002"),
        Paper(title="New one", arxiv_id="2401.00001", upvotes=5),
    ]
    marks = {
        0: Annotation(0, tags=("a",)),
        1: Annotation(1, starred=True),
        2: Annotation(2, tags=("b",)),
    }
    result, _ = empty_library.import_papers_with_marks(papers, "ana", marks)
    assert (result.added, result.updated) == (1, 2)
    by_title = {paper.title: stored_id(paper) for paper in empty_library.papers()}
    assert empty_library.annotation("ana", by_title["KNOWN BY TITLE"]).starred
    assert empty_library.annotation("ana", by_title["New one"]).tags == ("a", "b")


def test_a_failed_write_leaves_nothing_of_the_batch(empty_library: Library) -> None:
    empty_library.import_papers([Paper(title="Kept", arxiv_id="2401.00001")])
    bad = Paper(title="Bad", abstract=None)  # type: ignore[arg-type]
    with pytest.raises(LibraryError):
        empty_library.import_papers([Paper(title="Kept", upvotes=3), Paper(title="New"), bad])
    (paper,) = empty_library.papers()
    assert (paper.title, paper.upvotes) == ("Kept", None)
