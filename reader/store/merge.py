"""What an import does to the library, worked out without the library: which row
each incoming paper merges into, what the merged paper is, and what imported
marks add to a user's own. Pure: no SQL here (a test checks), so every rule can be
tested on plain values; reader.store.imports reads the rows and writes the result.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from operator import attrgetter
from typing import Any, TypeVar

from reader.models import Annotation, ImportResult, Paper, normalise_tags

# Every metadata field of Paper, as stored; an import may set each of them.
FIELDS = (
    "arxiv_id",
    "title",
    "abstract",
    "authors",
    "author_count",
    "published",
    "upvotes",
    "github_url",
    "arxiv_version",
    "updated",
    "featured",
    "categories",
    "primary_category",
    "comment",
    "doi",
    "journal_ref",
    "url",
    "num_comments",
    "github_stars",
    "ai_summary",
    "ai_keywords",
)
# A paper's values of FIELDS in one C call.
FIELD_VALUES = attrgetter(*FIELDS)
# Fields that change with an arXiv revision: an older revision never replaces them.
REVISED_FIELDS = frozenset(
    {
        "title",
        "abstract",
        "authors",
        "arxiv_version",
        "updated",
        "categories",
        "primary_category",
        "comment",
        "doi",
        "journal_ref",
    }
)
# Values that say nothing: they never replace a known one.
EMPTY: tuple[object, ...] = (None, "", ())


def merge_paper(existing: Paper, incoming: Paper) -> Paper:
    """``existing`` updated with what ``incoming`` knows.

    A missing (empty) field never erases a known one. When both records carry an
    arXiv revision date and ``incoming`` is from an older revision, it only fills
    gaps in the fields a revision changes. A date never loses precision to a
    coarser one ("2024" or "2024-09" does not replace "2024-09-17").
    """
    older = _is_older(incoming, existing)
    changes: dict[str, Any] = {}
    for name, value, known in zip(
        FIELDS, FIELD_VALUES(incoming), FIELD_VALUES(existing), strict=True
    ):
        if value in EMPTY or value == known:
            continue  # nothing to offer, or nothing it would change
        if known not in EMPTY:
            if older and name in REVISED_FIELDS:
                continue
            if name == "published" and len(value) < len(known):
                continue  # "2024" (a BibTeX year) never replaces "2024-09-17"
        changes[name] = value
    # A paper imported again usually brings nothing new: skip building a copy.
    return replace(existing, **changes) if changes else existing


def paper_updates(before: Paper, after: Paper) -> list[tuple[str, str | None, str | None]]:
    """What a merge brought that the inbox tells a user about, as (kind, old, new):
    a newer arXiv version (both versions known: a version learned where none was
    known is no news), and a code link where there was none."""
    found: list[tuple[str, str | None, str | None]] = []
    old_version, new_version = before.arxiv_version, after.arxiv_version
    if old_version and new_version and new_version > old_version:
        found.append(("version", str(old_version), str(new_version)))
    if not before.github_url and after.github_url:
        found.append(("code", None, after.github_url))
    return found


def _is_older(incoming: Paper, existing: Paper) -> bool:
    if incoming.arxiv_version and existing.arxiv_version:
        return incoming.arxiv_version < existing.arxiv_version
    if incoming.updated and existing.updated:
        return incoming.updated < existing.updated
    return False


class Known:
    """The rows an import can meet, as the import leaves them, found as SQLite
    found them with a query per paper: by arXiv id, or by title key taking rows
    without an arXiv id first, then the lowest row id (the index order).

    ``read_back`` gives a paper as the library would read it back once written
    under a row id (where a list reads back as a tuple, say)."""

    def __init__(self, read_back: Callable[[int, Paper], Paper]) -> None:
        self._read_back = read_back
        self._papers: dict[int, Paper] = {}
        # As stored: a row's key is folded again only when the row is written.
        self._keys: dict[int, str] = {}
        self._by_arxiv_id: dict[str, int] = {}
        self._by_key: dict[str, list[int]] = {}
        # Rows this import writes, as given rather than as they read back: read
        # back before anything merges into them.
        self._unread: set[int] = set()
        # The rows it changes, as they were before it first changed them.
        self._before: dict[int, Paper] = {}

    def __contains__(self, row_id: int) -> bool:
        return row_id in self._papers

    def has_arxiv_id(self, arxiv_id: str) -> bool:
        return arxiv_id in self._by_arxiv_id

    def add(self, row_id: int, paper: Paper, key: str, *, written: bool) -> None:
        """A row read from the library, or (``written``) one this import adds."""
        self._papers[row_id] = paper
        self._keys[row_id] = key
        if paper.arxiv_id is not None:
            self._by_arxiv_id[paper.arxiv_id] = row_id
        bisect.insort(self._by_key.setdefault(key, []), row_id)
        if written:
            self._unread.add(row_id)

    def match(self, paper: Paper, key: str) -> int | None:
        """The row ``paper`` (whose title key is ``key``) merges into, if any."""
        if paper.arxiv_id:
            row_id = self._by_arxiv_id.get(paper.arxiv_id)
            if row_id is not None:
                return row_id
            rows = [r for r in self._by_key.get(key, ()) if self._papers[r].arxiv_id is None]
        else:
            rows = self._by_key.get(key, [])
            rows = [r for r in rows if self._papers[r].arxiv_id is None] + rows
        return rows[0] if rows else None

    def paper(self, row_id: int) -> Paper:
        """The row as the library would read it back."""
        if row_id in self._unread:
            self._unread.discard(row_id)
            self._papers[row_id] = self._read_back(row_id, self._papers[row_id])
        return self._papers[row_id]

    def change(self, row_id: int, paper: Paper, key: str) -> None:
        """The row is now ``paper``, its title key ``key``."""
        old_key = self._keys[row_id]
        if key != old_key:
            self._by_key[old_key].remove(row_id)
            bisect.insort(self._by_key.setdefault(key, []), row_id)
            self._keys[row_id] = key
        if paper.arxiv_id is not None:
            self._by_arxiv_id[paper.arxiv_id] = row_id
        self._before.setdefault(row_id, self._papers[row_id])
        self._papers[row_id] = paper
        self._unread.add(row_id)

    def before(self, row_id: int) -> Paper:
        """The row as it was before this import changed it."""
        return self._before.get(row_id, self._papers[row_id])

    def stored(self, row_id: int) -> tuple[Paper, str]:
        """What to write for the row: its paper and title key."""
        return self._papers[row_id], self._keys[row_id]


@dataclass(frozen=True, slots=True)
class Matched:
    """Where an import's papers went (see :func:`match_papers`)."""

    result: ImportResult
    # The row id of each paper, in order (a paper met twice: the same id twice).
    ids: list[int]
    # Rows the library held that the import changes, in order.
    changed: list[int]
    # Row ids of the papers the import adds.
    added: range


def match_papers(
    known: Known, papers: Sequence[Paper], keys: Sequence[str], first_new: int
) -> Matched:
    """Merge ``papers`` (with their title ``keys``) into ``known``, in order: a paper
    no row matches is a new row, numbered from ``first_new`` up (as SQLite numbers
    them), which later papers of the same import can meet in turn."""
    next_id = first_new
    added = updated = unchanged = 0
    ids: list[int] = []
    changed: set[int] = set()
    for paper, key in zip(papers, keys, strict=True):
        row_id = known.match(paper, key)
        if row_id is None:
            row_id = next_id
            next_id += 1
            known.add(row_id, paper, key, written=True)
            ids.append(row_id)
            added += 1
            continue
        ids.append(row_id)
        existing = known.paper(row_id)
        paper_merged = merge_paper(existing, paper)
        if paper_merged == existing:
            unchanged += 1
            continue
        # The merged title is one of the two; only the library's needs folding.
        merged_key = key if paper_merged.title == paper.title else paper_merged.title_key
        known.change(row_id, paper_merged, merged_key)
        if row_id < first_new:
            changed.add(row_id)
        updated += 1
    return Matched(
        ImportResult(added=added, updated=updated, unchanged=unchanged),
        ids,
        sorted(changed),
        range(first_new, next_id),
    )


@dataclass(frozen=True, slots=True)
class MarksResult:
    """What merging imported marks did, for the summary line."""

    # Written where the user had no marks on the paper.
    restored: int = 0
    # Added to marks the user had (a star, a read time, tags or a note).
    merged: int = 0
    # Already held: nothing to change.
    unchanged: int = 0
    # Two different notes: the library's kept, the imported one not taken.
    conflicts: int = 0


def merge_marks(existing: Annotation, incoming: Annotation) -> tuple[Annotation, bool]:
    """``existing`` with what ``incoming`` adds, and whether their notes conflict.

    Nothing of ``existing`` is lost; without marks it simply becomes ``incoming``.
    """
    note = existing.note if existing.has_note else incoming.note
    conflict = existing.has_note and incoming.has_note and existing.note != incoming.note
    merged = replace(
        existing,
        starred=existing.starred or incoming.starred,
        read_at=existing.read_at or incoming.read_at,
        dismissed_at=existing.dismissed_at or incoming.dismissed_at,
        tags=normalise_tags((*existing.tags, *incoming.tags)),
        note=note if note.strip() else "",
    )
    return merged, conflict


def merge_imported_marks(
    current: dict[int, Annotation],
    marks: Sequence[tuple[int, Annotation]],
    ids: Sequence[int],
) -> tuple[list[tuple[Annotation, Annotation]], MarksResult]:
    """Merge ``marks`` (by the position of their paper, whose row id ``ids`` gives)
    into ``current`` (the user's annotation of each of those rows, updated here):
    each change to write as (before, after), in order, and the counts.

    Several positions may name one paper (a file holding it twice): each mark
    then merges into what the one before it left."""
    changes: list[tuple[Annotation, Annotation]] = []
    restored = merged = held = conflicts = 0
    for index, incoming in marks:
        paper_id = ids[index]
        before = current[paper_id]
        after, conflict = merge_marks(before, incoming)
        conflicts += conflict
        if after == before:
            held += 1
            continue
        if before.marks_anything:
            merged += 1
        else:
            restored += 1
        changes.append((before, after))
        current[paper_id] = after
    return changes, MarksResult(restored, merged, held, conflicts)


_Counts = TypeVar("_Counts", ImportResult, MarksResult)
_COUNTS = {
    ImportResult: ("added", "updated", "unchanged", "skipped"),
    MarksResult: ("restored", "merged", "unchanged", "conflicts"),
}


def sum_counts(one: _Counts, other: _Counts) -> _Counts:
    """Two chunks' counts as one."""
    return replace(
        one, **{name: getattr(one, name) + getattr(other, name) for name in _COUNTS[type(one)]}
    )
