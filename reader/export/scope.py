"""Which papers an export takes, for ``reader export`` and the app's export dialog alike.

``reader export`` chooses by ``--starred``, ``--noted``, ``--all`` or ``--query``
(the starred and noted papers by default); the dialog by the same scopes, or the
papers selected or in the list now (``only``). Both read the library through
:func:`papers_to_export`, which reads whole only the papers the choice can take,
and choose with :func:`reader.export.run.select`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING

from reader.asked import asked
from reader.export.files import ExportError
from reader.export.run import SCOPES, Item, in_scope, select
from reader.models import Annotation
from reader.search.query import Query

if TYPE_CHECKING:
    from reader.store import Library


def papers_to_export(
    library: Library,
    user: str,
    *,
    scope: str = "starred-or-noted",
    query: str | None = None,
    only: Collection[int] | None = None,
    marks: Mapping[int, Annotation] | None = None,
    order: Sequence[int] | None = None,
) -> list[Item]:
    """``user``'s papers that ``scope`` (or ``query``, or ``only``: see
    :func:`~reader.export.run.select`) takes, with their annotations, in library order.

    ``marks`` are the user's annotations and ``order`` the library's order of
    ids, as the caller holds them (the app's own, which a write still queued
    has changed already); without them they are read from ``library``. Raises
    :class:`~reader.store.LibraryError` and, for a query with mistakes,
    :class:`~reader.export.files.ExportError`.
    """
    marks = library.annotations(user) if marks is None else marks
    if query is not None and only is None:
        words = library.words()
        try:
            needs = asked(library, user, Query.parse(query))
            return select(
                library.papers(), marks, scope=scope, query=query, words=words, asked=needs
            )
        finally:
            words.close()
    ids = library.order() if order is None else order
    wanted, scope = ids_to_read(ids, marks, scope=scope, only=only)
    return select(library.papers_by_id(wanted), marks, scope=scope, only=only)


def ids_to_export(
    library: Library, user: str, *, scope: str = "starred-or-noted"
) -> tuple[list[int], dict[int, Annotation]]:
    """The ids of ``user``'s papers ``scope`` takes, in library order, and ``user``'s
    annotations: what :func:`papers_to_export` reads whole, left to be read as it is
    written. Raises :class:`~reader.store.LibraryError`, and
    :class:`~reader.export.files.ExportError` for an unknown scope."""
    if scope not in SCOPES:
        raise ExportError(f"unknown scope {scope!r}; choose one of {', '.join(SCOPES)}")
    marks = library.annotations(user)
    wanted, scope = ids_to_read(library.order(), marks, scope=scope)
    if scope == "all":
        return wanted, marks
    return [i for i in wanted if in_scope(marks.get(i) or Annotation(i), scope)], marks


def ids_to_read(
    ids: Sequence[int],
    marks: Mapping[int, Annotation],
    *,
    scope: str,
    only: Collection[int] | None = None,
) -> tuple[list[int], str]:
    """Which of ``ids`` (the library's order) ``scope`` or ``only`` can take, so that
    only those are read whole, and the scope :func:`~reader.export.run.select` then
    chooses them by ("all" for ``only``)."""
    if only is not None:
        return [paper_id for paper_id in ids if paper_id in only], "all"
    if scope != "all":
        return [i for i in ids if i in marks and marks[i].marks_anything], scope
    return list(ids), scope
