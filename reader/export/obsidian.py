"""An Obsidian vault folder: one Markdown file per paper, YAML front matter, the note as body.

A file looks like::

    ---
    title: "Attention Is All You Need"
    authors:
      - "Ashish Vaswani"
    arxiv_id: "1706.03762"
    urls:
      abs: "https://arxiv.org/abs/1706.03762"
      pdf: "https://arxiv.org/pdf/1706.03762"
      github: null
      hf: "https://huggingface.co/papers/1706.03762"
      doi: null
    tags: []
    starred: true
    read: false
    upvotes: 5
    published: "2017-06-12"
    updated: null
    featured: null
    reader_id: "arxiv:1706.03762"
    reader_user: "ada"
    reader_exported_at: "2025-01-31T12:00:00Z"
    reader_hash: "details:… tags:… starred:… read:… note:…"
    ---
    The note, as written.

    %% reader: write below this line; exporting again keeps what is below it %%

Choices, and why:

- The body is the note alone, with no ``# Title`` heading: Obsidian shows the file name
  as the note's title already, and the exact title is in ``title``. Raw HTML and links
  to anything but http(s) in it are made inert, as in the Markdown export (a note may
  come from someone else's export).
- The YAML is written by hand, not by a YAML library: every string is a double-quoted
  scalar with JSON escapes (JSON strings are YAML), plus ``\\uXXXX`` for what YAML would
  read as a line break or refuse, or a terminal would act on (C1 controls, U+2028/9, a
  BOM, bidi and zero-width characters: :func:`~reader.text.json_dumps_safe`), and
  ``\\UXXXXXXXX`` beyond U+FFFF; dates stay strings, so a YAML reader gets back
  exactly the text; booleans and counts are bare; lists are in block style, which
  Obsidian's property editor writes itself.
- ``reader_id`` (``arxiv:<id>``, or ``title:<normalised title>`` without an id) marks a
  file as ours. Re-exporting scans the folder's ``*.md`` files, and those in the
  folders below it (not hidden ones, like Obsidian's ``.trash``; no links): one of ours
  is updated in place under its name and folder, so a file the user renamed or moved
  (and links to it) keeps working, even if the title changed; or left untouched when
  nothing but the export time would change. A file without our marker is never
  written, and a new paper never takes its name. Our files for papers not in this
  export are left alone (counted as ``stale``): deleting could lose text the user
  added in Obsidian. A file the user deleted is written again, new, by the next export
  that includes its paper: the library still holds the paper and its note, and a new
  file takes nothing of the user's; to keep a paper out of the vault, export a choice
  without it (``--starred``, ``--query``, the marked papers).
- Updating never drops the user's edits (:mod:`~reader.export.obsidian_merge`): text
  below the marker line and front matter keys of their own are kept as they are; an
  edit of reader's part stays unless reader has something new for that part too. Then
  (a conflict) the file is left as it is and reported, and the export exits 3; with
  ``force`` (``--force``, the dialog's Overwrite) reader's version is written and the
  user's version is kept below the marker line. A file from an export before the
  marker line is a conflict wherever it differs from what reader would write now. A
  file that changes while the export runs, or that cannot be read as text, is left
  alone and reported.
- File names come from the title and are safe on Linux, macOS and Windows: no
  ``<>:"/\\|?*``, no controls, nor ``#^[]`` (they break Obsidian links); no leading
  dot (a hidden file) or dash (an option to the command given the name), no leading or
  trailing spaces, no trailing dots; never empty; no reserved Windows name (``CON``,
  ``NUL``, ``COM1``...); NFC; at most 120 bytes of UTF-8 with ``.md``; unique in the
  folder ignoring case, since macOS and Windows ignore it (``Title (2).md`` for the
  second).
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reader.atomic import clean_stale_temporaries
from reader.export.files import (
    ChangedMeanwhile,
    ExportError,
    refuse_library_file,
    shown,
    write_atomic,
)
from reader.export.obsidian_merge import (
    STAMP_KEY,
    Merge,
    merge,
    read_vault_file,
)
from reader.export.obsidian_names import (
    SUFFIX,
    fold_name,
    unique_file_name,
)
from reader.export.obsidian_note import (
    MARKER,
    bookkeeping,
    reader_id,
    reader_part,
    render_obsidian_note,
)
from reader.models import Annotation, Paper

# A file of ours larger than this is not read whole to be merged: left alone.
_MERGE_BYTES = 16 * 1024 * 1024
# How deep below the export folder our files are looked for (moved there by the user).
_DEPTH = 8
# How many file names a summary line names before "and N more".
_NAMED = 3
# How much of a file is read to find its front matter (thousands of authors fit).
_HEAD_BYTES = 4 * 1024 * 1024
_PREFIXES = ("arxiv:", "title:")
_FRONT_MATTER_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_]*):")


@dataclass(frozen=True, slots=True)
class ObsidianResult:
    """What an Obsidian export did: file counts, the files of this export's papers, and
    the files where the user's edits mattered."""

    written: int = 0  # new files
    updated: int = 0  # our files, rewritten
    unchanged: int = 0  # our files already up to date, not touched
    stale: int = 0  # our files for papers not in this export, left alone
    paths: tuple[Path, ...] = ()
    edited: tuple[Path, ...] = ()  # updated; the user's edits of reader's part stand
    conflicts: tuple[Path, ...] = ()  # both changed: left as they are (no --force)
    overwritten: tuple[Path, ...] = ()  # both changed, --force: reader's written, theirs below
    skipped: tuple[tuple[Path, str], ...] = ()  # not updated, and why

    @property
    def total(self) -> int:
        return self.written + self.updated + self.unchanged

    @property
    def complete(self) -> bool:
        """Whether every paper's file is now up to date (no conflict, none skipped)."""
        return not self.conflicts and not self.skipped

    def summary(self) -> str:
        """One line: the counts, then what became of the user's edits, naming files and
        saying how to resolve a conflict."""
        text = f"{self.written} written, {self.updated} updated, {self.unchanged} unchanged"
        if self.stale:
            text += f", {self.stale} left from earlier exports"
        if self.edited:
            text += f"; your edits kept as they are in {_files(len(self.edited))}"
        if self.overwritten:
            text += (
                f"; reader's version written over your edits (--force) in"
                f" {_files(len(self.overwritten))}, yours kept below the reader line:"
                f" {_names(self.overwritten)}"
            )
        if self.conflicts:
            count = len(self.conflicts)
            text += (
                f"; {count} {'conflict' if count == 1 else 'conflicts'}, left as"
                f" {'it is' if count == 1 else 'they are'} (changed in the file and in"
                f" reader): {_names(self.conflicts)}; make both agree, or export again with"
                " --force (Overwrite) to write reader's version and keep yours below the"
                " reader line"
            )
        if self.skipped:
            names = [f"{shown(path.name)} ({why})" for path, why in self.skipped]
            text += f"; {_files(len(self.skipped))} left alone: {_listed(names)}"
        return text

    def unnamed(self) -> list[str]:
        """One line per file the summary could not name ("and N more"): every file left
        as it is (a conflict) or left alone, with its path; empty when all are named."""
        if len(self.conflicts) <= _NAMED and len(self.skipped) <= _NAMED:
            return []
        lines = [f"conflict, left as it is: {shown(path)}" for path in self.conflicts]
        return lines + [f"left alone ({why}): {shown(path)}" for path, why in self.skipped]


def _files(count: int) -> str:
    return f"{count} file" if count == 1 else f"{count} files"


def _names(paths: Sequence[Path]) -> str:
    return _listed([shown(path.name) for path in paths])


def _listed(names: Sequence[str]) -> str:
    more = len(names) - _NAMED
    return ", ".join(names[:_NAMED]) + (f" and {more} more" if more > 0 else "")


def _front_matter(path: Path, limit: int = _HEAD_BYTES) -> dict[str, str] | None:
    """Top-level ``key: value`` lines of a file's front matter (values unquoted), or None."""
    found: dict[str, str] = {}
    try:
        with path.open("rb") as f:
            first = f.readline(64).removeprefix(b"\xef\xbb\xbf")
            if first.rstrip(b"\r\n \t") != b"---":
                return None  # most foreign notes: one short read
            budget = limit
            while budget > 0 and (raw := f.readline(budget)):
                budget -= len(raw)
                line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
                if line.rstrip() in ("---", "..."):
                    return found
                match = _FRONT_MATTER_KEY.match(line)
                if match:
                    value = line[match.end() :].strip(" \t")
                    found.setdefault(match[1], _unquote(value))
    except OSError:
        return None
    return None  # never closed: not front matter we can trust


def _unquote(value: str) -> str:
    """A YAML scalar's text, as we write it or as Obsidian may rewrite it."""
    if value.startswith('"'):
        try:
            decoded = json.loads(value)
        except ValueError:
            return value
        return decoded if isinstance(decoded, str) else value
    if len(value) >= 2 and value[0] == value[-1] == "'":
        return value[1:-1].replace("''", "'")
    return value


@dataclass(slots=True)
class _Folder:
    """What is in the folder: every name (folded), and our files by ``reader_id``."""

    taken: set[str] = field(default_factory=set)
    ours: dict[str, Path] = field(default_factory=dict)
    numbers: dict[str, int] = field(default_factory=dict)


def _scan(folder: Path) -> _Folder:
    """The names in ``folder`` and our files in it and in the folders below it (a file
    the user moved into a folder of its own is still ours, found and updated there)."""
    state = _Folder()
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as err:
        raise ExportError(f"cannot read {shown(folder)}: {err.strerror or err}") from None
    for entry in entries:
        state.taken.add(fold_name(entry.name))
    level: list[os.DirEntry[str]] = entries
    # Breadth first, so a file nearer the top wins over a copy further down.
    for _ in range(_DEPTH + 1):
        folders = _find_ours(level, state)
        level = [entry for path in folders for entry in _listing(path)]
        if not level:
            break
    return state


def _find_ours(entries: Sequence[os.DirEntry[str]], state: _Folder) -> list[str]:
    """Record our files among ``entries`` by ``reader_id``; the folders among them to
    look in next. Hidden folders (``.obsidian``, ``.trash``: what Obsidian deleted) and
    links are not entered."""
    folders: list[str] = []
    for entry in entries:
        if entry.name.startswith("."):
            continue
        try:
            mode = entry.stat(follow_symlinks=False).st_mode
        except OSError:
            continue
        if stat.S_ISDIR(mode):
            folders.append(entry.path)
        # Symlinks and anything but a plain file are never ours to rewrite.
        if not stat.S_ISREG(mode) or not entry.name.lower().endswith(SUFFIX):
            continue
        front = _front_matter(Path(entry.path))
        marker = front.get(MARKER) if front else None
        if marker and marker.startswith(_PREFIXES):
            state.ours.setdefault(marker, Path(entry.path))
    return folders


def _listing(folder: str) -> list[os.DirEntry[str]]:
    """The entries of a folder below the export folder, by name; none if unreadable."""
    try:
        return sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return []


def _prepare(folder: Path, library: Path | None) -> None:
    """Make sure ``folder`` exists and can be written, or raise a clear ExportError."""
    if library is not None:
        refuse_library_file(folder, library)
    try:
        if os.path.lexists(folder) and not folder.is_dir():
            raise ExportError(f"cannot write to {shown(folder)}: not a folder")
        # A new folder is private, as the notes in it are (their names are titles).
        missing = [parent for parent in (folder, *folder.parents) if not parent.exists()]
        for parent in reversed(missing):
            parent.mkdir(mode=0o700, exist_ok=True)
    except OSError as err:
        raise ExportError(f"cannot create {shown(folder)}: {err.strerror or err}") from None
    except ValueError:  # a NUL, or a name the file system cannot encode
        raise ExportError(f"{shown(folder)}: not a valid folder name") from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ExportError(f"cannot write to {shown(folder)}: Permission denied")


def write_obsidian(
    folder: Path,
    items: Sequence[tuple[Paper, Annotation]],
    *,
    user: str,
    exported_at: str,
    library: Path | None = None,
    force: bool = False,
) -> ObsidianResult:
    """Write one file per paper of ``items`` into ``folder`` (created if missing).

    Our own files (front matter with a ``reader_id``, in ``folder`` or a folder below
    it) are found again and updated in place, the user's edits kept (see the module
    docstring); a file where the user and reader both changed a part is a conflict,
    left as it is unless ``force`` (then reader's version is written and the user's
    goes below the marker line). Every other file is left alone. Each file is written
    atomically, by :func:`~reader.export.files.write_atomic`, which never writes a file
    of ``library`` (the library file) nor over anything but a regular file. Raises
    :class:`ExportError` when the folder cannot be created, read or written; files
    written before such a failure stay (each one whole).
    """
    folder = Path(folder)
    _prepare(folder, library)
    clean_stale_temporaries(folder)  # once per folder, not once per file
    cleaned = {folder}
    state = _scan(folder)
    claimed: set[Path] = set()
    counts = {"written": 0, "updated": 0, "unchanged": 0}
    paths: list[Path] = []
    kinds: dict[str, list[Path]] = {"edited": [], "conflicts": [], "overwritten": []}
    skipped: list[tuple[Path, str]] = []
    for paper, annotation in items:
        # A paper exported before it had an arXiv id was marked by its title.
        keys = [reader_id(paper)]
        if paper.arxiv_id:
            keys.append(reader_id(Paper(title=paper.title)))
        own = next(
            (p for key in keys if (p := state.ours.get(key)) and p not in claimed),
            None,
        )
        if own is not None:
            claimed.add(own)
            paths.append(own)
            if own.parent not in cleaned:
                clean_stale_temporaries(own.parent)
                cleaned.add(own.parent)
            done = _update(
                own, paper, annotation, user=user, at=exported_at, library=library, force=force
            )
            if done.skipped:
                skipped.append((own, done.skipped))
            elif done.kind == "conflicts":
                kinds["conflicts"].append(own)
            else:
                counts["updated" if done.written else "unchanged"] += 1
                if done.kind:
                    kinds[done.kind].append(own)
            continue
        name = unique_file_name(paper.title, state.taken, state.numbers)
        state.taken.add(fold_name(name))
        path = folder / name
        text = render_obsidian_note(paper, annotation, user=user, exported_at=exported_at)
        # Never replaces a file that appeared meanwhile.
        write_atomic(path, text, library=library, clean=False)
        paths.append(path)
        counts["written"] += 1
    return ObsidianResult(
        written=counts["written"],
        updated=counts["updated"],
        unchanged=counts["unchanged"],
        stale=len(set(state.ours.values()) - claimed),
        paths=tuple(paths),
        edited=tuple(kinds["edited"]),
        conflicts=tuple(kinds["conflicts"]),
        overwritten=tuple(kinds["overwritten"]),
        skipped=tuple(skipped),
    )


@dataclass(frozen=True, slots=True)
class _Updated:
    """What became of one of our files: written or already up to date, with what became
    of the user's edits (``kind``: "", "edited", "overwritten" or "conflicts", the
    :class:`ObsidianResult` field), or skipped (why)."""

    written: bool = False
    kind: str = ""
    skipped: str = ""


def _update(
    path: Path,
    paper: Paper,
    annotation: Annotation,
    *,
    user: str,
    at: str,
    library: Path | None,
    force: bool,
) -> _Updated:
    """Bring ``path`` up to date with the paper, keeping the user's edits; left as it is
    on a conflict (unless ``force``), and left alone (with the reason) when it cannot be
    read as a file of ours or changes meanwhile."""
    data = _read_own(path)
    if isinstance(data, str):
        return _Updated(skipped=data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return _Updated(skipped="not UTF-8 text")
    file = read_vault_file(text)
    if file is None:
        return _Updated(skipped="its front matter is not readable")
    part = reader_part(paper, annotation)
    merged = merge(file, part, bookkeeping=bookkeeping(paper, user=user, exported_at=at), when=at)
    kind = _kind(merged, force=force)
    if kind == "conflicts":
        return _Updated(kind=kind)  # left as it is: the summary says how to resolve it
    old_at = file.value(STAMP_KEY)
    if isinstance(old_at, str):
        again = bookkeeping(paper, user=user, exported_at=old_at)
        if merge(file, part, bookkeeping=again, when=old_at).text == _as_read(text):
            return _Updated(kind=kind)  # nothing but the time would change
    try:
        write_atomic(path, merged.text, force=True, library=library, clean=False, replacing=data)
    except ChangedMeanwhile:
        return _Updated(skipped="changed while exporting; export again")
    return _Updated(written=True, kind=kind)


def _kind(merged: Merge, *, force: bool) -> str:
    if merged.conflicts:
        return "overwritten" if force else "conflicts"
    return "edited" if merged.kept else ""


def _as_read(text: str) -> str:
    """``text`` as :func:`~reader.export.obsidian_merge.read_vault_file` reads it."""
    return text.removeprefix("\ufeff").replace("\r\n", "\n")


def _read_own(path: Path) -> bytes | str:
    """The bytes of one of our files, or why they cannot be merged."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as err:
        return f"cannot read it: {err.strerror or err}"
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return "not a regular file"
        if info.st_size > _MERGE_BYTES:
            return f"larger than {_MERGE_BYTES // 1024**2} MB"
        chunks: list[bytes] = []
        size = 0
        while chunk := os.read(fd, _MERGE_BYTES + 1 - size):
            chunks.append(chunk)
            size += len(chunk)
            if size > _MERGE_BYTES:  # it grew since fstat
                return f"larger than {_MERGE_BYTES // 1024**2} MB"
        return b"".join(chunks)
    except OSError as err:
        return f"cannot read it: {err.strerror or err}"
    finally:
        os.close(fd)
