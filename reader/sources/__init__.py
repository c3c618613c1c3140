"""Importers: bytes or text in, ``list[Paper]`` out. No database, no Textual."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, replace

from reader.models import Paper
from reader.text import one_line

# What an error message quotes of a file at most: a line for the user, not the file.
QUOTE_CHARS = 80


class SourceError(Exception):
    """Input we cannot read, located as ``FILE:LINE: what is wrong`` for the user."""

    def __init__(self, source: str, line: int | None, message: str) -> None:
        self.source = source
        self.line = line
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.source if self.line is None else f"{self.source}:{self.line}"
        return f"{where}: {self.message}"


@dataclass(frozen=True, slots=True)
class ImportedMark:
    """A user's marks on one paper of a batch, as an export wrote them.

    Only the reader's own export carries marks; the store decides how they meet
    the marks already in a library.
    """

    # The position of its paper in ``Batch.papers``.
    index: int
    starred: bool = False
    # When the paper was first read (an ISO timestamp, as written); None while unread.
    read_at: str | None = None
    tags: tuple[str, ...] = ()
    # Markdown, exactly as written.
    note: str = ""
    # When it was marked not interested (an ISO timestamp); None when it was not.
    dismissed_at: str | None = None


@dataclass(frozen=True, slots=True)
class Batch:
    """The papers one input holds, and how many of its items were not papers."""

    format: str
    papers: list[Paper] = field(default_factory=list)
    # Items without a usable title (or otherwise not a paper): counted, not fatal.
    skipped: int = 0
    # Marks on some of ``papers`` (at most one each), in the order of their papers.
    marks: tuple[ImportedMark, ...] = ()


def batch_of(format: str, papers: Iterable[Paper | None]) -> Batch:
    """The batch of papers made from an input's items, one each; ``None`` is a skipped item."""
    kept: list[Paper] = []
    skipped = 0
    for paper in papers:
        if paper is None:
            skipped += 1
        else:
            kept.append(paper)
    return Batch(format, kept, skipped)


def brief(text: str) -> str:
    """Text from a file as an error message quotes it: one line, no controls, short."""
    text = one_line(text)
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1] + "\u2026"


def in_categories(categories: Collection[str], wanted: Collection[str]) -> bool:
    """Whether a paper of ``categories`` is in one of ``wanted``: a category
    (``cs.LG``), or a whole archive (``cs``, ``math``)."""
    return any(
        category == want or category.startswith(f"{want}.")
        for category in categories
        for want in wanted
    )


def only_in(batch: Batch, wanted: Collection[str]) -> tuple[Batch, int]:
    """``batch`` with only its papers in one of the ``wanted`` categories (and their
    marks), and how many it left out."""
    kept = [i for i, paper in enumerate(batch.papers) if in_categories(paper.categories, wanted)]
    at = {old: new for new, old in enumerate(kept)}
    marks = tuple(replace(mark, index=at[mark.index]) for mark in batch.marks if mark.index in at)
    papers = [batch.papers[i] for i in kept]
    return replace(batch, papers=papers, marks=marks), len(batch.papers) - len(papers)
