"""One export, from the command line or the TUI: which papers, which format, where.

Choosing the papers (the scope) and writing them are shared here so ``reader export``
and the export dialog behave the same. Pure apart from writing the target.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from reader.asked import Asked
from reader.export.files import (
    ExportError,
    check_target,
    refuse_library_file,
    shown,
    write_atomic,
)
from reader.models import Annotation, Paper, papers_label
from reader.text import one_line

if TYPE_CHECKING:
    from reader.search import WordSource
    from reader.store import Library

FORMATS = ("markdown", "obsidian", "json", "jsonl", "csv", "bibtex")
# The file name suffix each format suggests.
SUFFIXES = {
    "markdown": ".md",
    "obsidian": "",
    "json": ".json",
    "jsonl": ".jsonl",
    "csv": ".csv",
    "bibtex": ".bib",
}
SCOPES = ("starred-or-noted", "starred", "noted", "all")

Item = tuple[Paper, Annotation]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What an export did: the text (for standard output) or a line about the files;
    ``complete`` is False when some files were left as they are (an Obsidian file the
    user and reader both changed, or one that could not be updated): the line says
    which, and how to resolve it."""

    count: int
    text: str | None = None
    message: str = ""
    complete: bool = True
    details: tuple[str, ...] = ()  # more lines about the files, when the message names few


def select(
    papers: Sequence[Paper],
    marks: Mapping[int, Annotation],
    *,
    scope: str = "starred-or-noted",
    query: str | None = None,
    only: Collection[int] | None = None,
    words: WordSource | None = None,
    asked: Asked | None = None,
) -> list[Item]:
    """The papers to export with their annotations, in library order (newest first).

    ``scope`` picks by the user's marks; ``query`` (the filter language) narrows
    further; ``only`` (paper ids: the marked or visible rows of the TUI) wins over
    both. A query with mistakes raises :class:`ExportError` naming them.
    ``words`` answers the query's words (the library's word indexes); without it
    they are looked for in ``papers`` themselves. ``asked``: the user's inbox and lab,
    for the query's ``is:new``, ``is:updated``, ``is:inbox``, ``starred-by:`` and
    ``lab:`` (see :mod:`reader.asked`).
    """
    if scope not in SCOPES:
        raise ExportError(f"unknown scope {scope!r}; choose one of {', '.join(SCOPES)}")
    chosen: set[int] | None = None
    if query is not None:
        from reader.search import Query, SearchIndex

        parsed = Query.parse(query)
        if parsed.errors:
            raise ExportError(f"--query: {parsed.errors[0]}")
        needs = asked or Asked()
        index = SearchIndex(papers, words)
        found = index.search(parsed, marks, None, needs.new, needs.lab, updated=needs.updated)
        chosen = set(found)
    items = []
    for paper in papers:
        if paper.id is None:
            continue
        mark = marks.get(paper.id, Annotation(paper.id))
        if only is not None:
            keep = paper.id in only
        elif chosen is not None:
            keep = paper.id in chosen
        else:
            keep = in_scope(mark, scope)
        if keep:
            items.append((paper, mark))
    return items


def nothing_selected(*, scope: str, query: str | None, user: str) -> str:
    """What to say when ``scope`` (or ``query``, which wins) selects no paper of ``user``:
    one line, ending in "nothing written"."""
    if query is not None:
        reason = f"no paper matches the query '{one_line(query)}'"
    elif scope == "all":
        reason = "the library has no papers"
    else:
        what = {"starred": "starred papers", "noted": "papers with a note"}
        reason = f"{user} has no {what.get(scope, 'starred or noted papers')}"
        if scope == "starred-or-noted":
            reason += " (star one with s in the app, or export --all)"
    return f"Nothing to export: {reason}; nothing written."


def in_scope(mark: Annotation, scope: str) -> bool:
    """Whether ``scope`` (one of :data:`SCOPES`) takes a paper the user marked so."""
    if scope == "starred":
        return mark.starred
    if scope == "noted":
        return mark.has_note
    if scope == "all":
        return True
    return mark.starred or mark.has_note


def export(
    fmt: str,
    items: Sequence[Item],
    target: Path | None,
    *,
    user: str,
    now: datetime,
    force: bool = False,
    with_notes: bool = False,
    library: Path | None = None,
    write: Callable[[str], object] | None = None,
) -> Outcome:
    """Write ``items`` as ``fmt`` to ``target`` (a file; a folder for Obsidian), or
    return the text when ``target`` is None; or, given ``write`` (and no ``target``),
    hand it the text a piece at a time as it is made (standard output: a whole
    library's export is never one string). Raises :class:`ExportError`.

    ``library`` is the library file: neither it nor any file beside it that belongs
    to it is ever written (see :func:`~reader.export.files.check_target`).
    """
    stamp = now.isoformat(timespec="seconds")
    check_request(fmt, target, force=force, library=library)  # before the work of rendering
    if fmt == "obsidian" and target is not None:
        from reader.export.obsidian import write_obsidian

        result = write_obsidian(
            target, items, user=user, exported_at=stamp, library=library, force=force
        )
        message = f"{shown(target)}: {result.summary()}"
        details = tuple(result.unnamed())
        return Outcome(len(items), message=message, complete=result.complete, details=details)
    to_file = target is not None
    pieces = render_pieces(fmt, items, user=user, now=now, with_notes=with_notes, to_file=to_file)
    if target is None:
        if write is None:
            return Outcome(len(items), text="".join(pieces))
        for piece in pieces:
            write(piece)
        return Outcome(len(items))
    write_atomic(target, pieces, force=force, library=library)
    return Outcome(len(items), message=f"Wrote {papers_label(len(items))} to {shown(target)}")


def export_json(
    library: Library,
    chosen: Sequence[int],
    marks: Mapping[int, Annotation],
    target: Path | None,
    *,
    user: str,
    now: datetime,
    force: bool = False,
    library_file: Path | None = None,
    write: Callable[[bytes], object] | None = None,
) -> Outcome:
    """:func:`export` as JSON of the papers ``chosen`` (ids, in order) with their
    ``marks``, read from ``library`` a few hundred at a time as they are written, not
    made into :class:`Paper` objects (see
    :func:`~reader.export.json_export.stored_json_pieces`): the same text, in a third
    of the time. ``write`` takes UTF-8 bytes; ``library_file`` is ``library``'s file.
    """
    from reader.export.json_export import stored_json_pieces

    check_request("json", target, force=force, library=library_file)
    pieces = stored_json_pieces(
        library, chosen, marks, user=user, exported_at=now.isoformat(timespec="seconds")
    )
    if target is None:
        if write is None:
            return Outcome(len(chosen), text=b"".join(pieces).decode())
        for piece in pieces:
            write(piece)
        return Outcome(len(chosen))
    write_atomic(target, pieces, force=force, library=library_file)
    return Outcome(len(chosen), message=f"Wrote {papers_label(len(chosen))} to {shown(target)}")


def check_request(
    fmt: str, target: Path | None, *, force: bool = False, library: Path | None = None
) -> None:
    """Raise :class:`ExportError` if ``fmt`` cannot be written to ``target`` (None:
    standard output): an unknown format, a folder missing for Obsidian, a target that
    :func:`~reader.export.files.check_target` refuses or whose folder is not there.
    Cheap, and meant to run before any work, so a mistake is the first thing said;
    the writer checks again."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if target is None:
        if fmt == "obsidian":
            raise ExportError("the obsidian format writes a folder: give it with -o FOLDER")
        return
    if fmt == "obsidian":
        if library is not None:
            refuse_library_file(target, library)
        return  # created if missing (see write_obsidian)
    check_target(target, force=force, library=library)
    try:
        folder = os.stat(target.parent).st_mode
    except (OSError, ValueError) as err:
        reason = err.strerror if isinstance(err, OSError) and err.strerror else "not found"
        raise ExportError(f"cannot write {shown(target)}: {reason}") from None
    if not stat.S_ISDIR(folder):
        raise ExportError(f"cannot write {shown(target)}: Not a directory")


def render_pieces(
    fmt: str,
    items: Sequence[Item],
    *,
    user: str,
    now: datetime,
    with_notes: bool = False,
    to_file: bool = False,
) -> Iterator[str]:
    """The text of :func:`render`, in pieces made as they are taken: a few hundred
    papers at a time for JSON and BibTeX, whole for the other formats."""
    if fmt == "json":
        from reader.export.json_export import json_pieces

        yield from json_pieces(items, user=user, exported_at=now.isoformat(timespec="seconds"))
    elif fmt == "bibtex":
        from reader.export.bibtex import bibtex_pieces

        yield from bibtex_pieces(items, with_notes=with_notes)
    else:
        yield render(fmt, items, user=user, now=now, with_notes=with_notes, to_file=to_file)


def render(
    fmt: str,
    items: Sequence[Item],
    *,
    user: str,
    now: datetime,
    with_notes: bool = False,
    to_file: bool = False,
) -> str:
    """``items`` as one document in ``fmt`` (every format but obsidian); ``to_file``
    when it is written to a file rather than standard output (a CSV file starts
    with a byte order mark for Excel)."""
    stamp = now.isoformat(timespec="seconds")
    if fmt == "markdown":
        from reader.export.markdown import render_markdown

        return render_markdown(items, user=user, today=now.date().isoformat())
    if fmt in ("json", "jsonl"):
        from reader.export.json_export import render_json, render_jsonl

        writer = render_json if fmt == "json" else render_jsonl
        return writer(items, user=user, exported_at=stamp)
    if fmt == "csv":
        from reader.export.csv_export import render_csv

        return render_csv(items, bom=to_file)
    if fmt == "bibtex":
        from reader.export.bibtex import render_bibtex

        return render_bibtex(items, with_notes=with_notes)
    raise ExportError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")


def default_target(fmt: str, folder: Path, today: date) -> Path:
    """Where the export dialog suggests writing: a dated name in ``folder``."""
    name = f"reader-{'notes' if fmt != 'obsidian' else 'obsidian'}-{today.isoformat()}"
    return folder / f"{name}{SUFFIXES[fmt]}"
