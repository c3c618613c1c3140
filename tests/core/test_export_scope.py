"""Which papers an export takes (reader.export.scope), the one choice `reader export`
and the app's export dialog both make."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from reader.export.files import ExportError
from reader.export.scope import papers_to_export
from reader.models import Annotation
from reader.store import Library


@pytest.fixture
def marked(library: Library) -> list[int]:
    """Ids in library order; ana starred the first, noted the third, read the fifth."""
    ids = library.order()
    library.toggle_star("ana", ids[0])
    library.set_note("ana", ids[2], "a note")
    library.set_read("ana", [ids[4]], True)
    return ids


def ids_of(items: Sequence[tuple[object, Annotation]]) -> list[int]:
    return [mark.paper_id for _, mark in items]


def test_the_default_is_the_starred_and_noted_papers_in_library_order(
    library: Library, marked: list[int]
) -> None:
    assert ids_of(papers_to_export(library, "ana")) == [marked[0], marked[2]]
    assert ids_of(papers_to_export(library, "ana", scope="starred")) == [marked[0]]
    assert ids_of(papers_to_export(library, "ana", scope="noted")) == [marked[2]]
    assert ids_of(papers_to_export(library, "ana", scope="all")) == marked
    assert papers_to_export(library, "bob") == []


def test_only_takes_those_papers_whatever_they_hold(library: Library, marked: list[int]) -> None:
    """The dialog's marked papers, or the papers in the list now."""
    only = {marked[5], marked[1], marked[0]}
    items = papers_to_export(library, "ana", scope="starred", only=only)
    assert ids_of(items) == [marked[0], marked[1], marked[5]]
    assert items[0][1].starred and not items[1][1].starred


def test_the_callers_marks_and_order_win(library: Library, marked: list[int]) -> None:
    """The app passes its own: a star still queued for the library is exported."""
    marks = {marked[7]: Annotation(marked[7], starred=True)}
    order = list(reversed(marked))
    items = papers_to_export(library, "ana", marks=marks, order=order)
    assert ids_of(items) == [marked[7]]
    assert ids_of(papers_to_export(library, "ana", scope="all", order=order))[:2] == order[:2]


def test_a_query_finds_the_papers_and_a_bad_one_is_named(
    library: Library, marked: list[int]
) -> None:
    items = papers_to_export(library, "ana", query="is:starred")
    assert ids_of(items) == [marked[0]]
    with pytest.raises(ExportError, match="--query"):
        papers_to_export(library, "ana", query="year:abc")
