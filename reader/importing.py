"""Bring a parsed batch into the library: its papers and, from a reader export, the marks.

Glue between :mod:`reader.sources` and :mod:`reader.store` for ``reader import``
(and the bundled sample's papers); no click, no Textual. Papers fetched over the
network, from the command line or the app, come in through
:func:`reader.fetching.save` instead. The store never sees a source type: marks
reach it as :class:`~reader.models.Annotation` objects.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from reader.models import Annotation, ImportResult
from reader.sources import Batch, ImportedMark
from reader.store.library import Library, MarksResult

if TYPE_CHECKING:
    from reader.sources.streaming import PaperStream


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What importing one batch did: the papers, then the user's marks."""

    papers: ImportResult
    marks: MarksResult
    # How many marks the batch held (0 for any source but a reader export).
    marked: int = 0

    def summary(self) -> str:
        """One line for the user, e.g.
        "3 added, 0 updated, 0 unchanged; 2 annotations restored, 1 note kept (differs)",
        then what was cut to size, if anything was (see :meth:`ImportResult.cuts_summary`)."""
        line = self.papers.counts_summary()
        if self.marked:
            line += f"; {self._marks_summary()}"
        cuts = self.papers.cuts_summary()
        return f"{line}; {cuts}" if cuts else line

    def _marks_summary(self) -> str:
        marks = self.marks
        parts = [f"{marks.restored} {_plural(marks.restored, 'annotation')} restored"]
        if marks.merged:
            parts.append(f"{marks.merged} merged")
        if marks.unchanged:
            parts.append(f"{marks.unchanged} already there")
        if marks.conflicts:
            verb = "differs" if marks.conflicts == 1 else "differ"
            parts.append(f"{marks.conflicts} {_plural(marks.conflicts, 'note')} kept ({verb})")
        return ", ".join(parts)


def import_batch(
    library: Library, batch: Batch, *, user: str, on_step: Callable[[str], None] | None = None
) -> ImportReport:
    """Import ``batch``'s papers and merge its marks as ``user``'s, in one transaction.

    The user's existing marks are never lost (see
    :meth:`~reader.store.library.Library.import_papers_with_marks`): a note that
    differs from the one in the library is left out and counted. ``on_step``
    hears each step of the work (for a progress line).
    """
    marks = {mark.index: _annotation(mark) for mark in batch.marks}
    papers, merged = library.import_papers_with_marks(batch.papers, user, marks, on_step=on_step)
    return ImportReport(replace(papers, skipped=batch.skipped), merged, len(marks))


def import_stream(
    library: Library,
    stream: PaperStream,
    *,
    user: str,
    on_step: Callable[[str], None] | None = None,
) -> ImportReport:
    """Import the papers of ``stream`` as they are read (see
    :meth:`~reader.store.library.Library.import_stream`): all of them, or, when the
    file turns out bad half way (a :class:`~reader.sources.SourceError`), none."""
    papers = library.import_stream(stream, user, on_step=on_step)
    return ImportReport(replace(papers, skipped=stream.skipped), MarksResult())


def _annotation(mark: ImportedMark) -> Annotation:
    # The store finds the paper's row; until then the position stands in for its id.
    return Annotation(
        paper_id=mark.index,
        starred=mark.starred,
        note=mark.note,
        read_at=mark.read_at,
        tags=mark.tags,
        dismissed_at=mark.dismissed_at,
    )


def _plural(count: int, word: str) -> str:
    return word if count == 1 else f"{word}s"
