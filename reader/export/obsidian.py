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
    ---
    The note, as written.

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
  file as ours. Re-exporting scans the folder's ``*.md`` files: one of ours is rewritten
  in place under its old name (so links to it keep working, even if the title changed),
  or left untouched when nothing but the export time would change. A file without our
  marker is never written, and a new paper never takes its name. Our files for papers
  not in this export are left alone (counted as ``stale``): deleting could lose text
  the user added in Obsidian.
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
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reader.export.files import (
    ExportError,
    clean_stale_temporaries,
    refuse_library_file,
    shown,
    write_atomic,
)
from reader.export.markdown_safety import neutralise
from reader.models import Annotation, Paper
from reader.text import json_dumps_safe, normalise_title, one_line, safe_url, strip_controls

MAX_NAME_BYTES = 120
SUFFIX = ".md"
MARKER = "reader_id"
_EXPORTED_KEY = "reader_exported_at"
# Windows refuses these as a name, whatever the extension ("CON.md", "nul.tar.md").
_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"]
    + [f"{dev}{n}" for dev in ("COM", "LPT") for n in [*"123456789", "¹", "²", "³"]]
)
# Not allowed in Windows names, or breaking Obsidian's [[links]]; controls too.
_NAME_UNSAFE = re.compile(r'[<>:"/\\|?*#^\[\]\x00-\x1f\x7f-\x9f]')
# How much of a file is read to find its front matter (thousands of authors fit).
_HEAD_BYTES = 4 * 1024 * 1024
_PREFIXES = ("arxiv:", "title:")
_FRONT_MATTER_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_]*):")
# What a file name never starts with: a hidden file (or ".."), an option, a blank.
_LEADING = ". -"
# Our own escapes of characters beyond U+FFFF: a JSON surrogate pair, which YAML reads
# as two lone surrogates; YAML's own \U form instead (an escaped backslash is not one).
_SURROGATE_PAIR = re.compile(r"(?<!\\)((?:\\\\)*)\\u(d[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})")


@dataclass(frozen=True, slots=True)
class ObsidianResult:
    """What an Obsidian export did: file counts, and the files of this export's papers."""

    written: int = 0  # new files
    updated: int = 0  # our files, rewritten
    unchanged: int = 0  # our files already up to date, not touched
    stale: int = 0  # our files for papers not in this export, left alone
    paths: tuple[Path, ...] = ()

    @property
    def total(self) -> int:
        return self.written + self.updated + self.unchanged

    def summary(self) -> str:
        text = f"{self.written} written, {self.updated} updated, {self.unchanged} unchanged"
        return text + (f", {self.stale} left from earlier exports" if self.stale else "")


def reader_id(paper: Paper) -> str:
    """The marker that finds a paper's file again: ``arxiv:<id>`` or ``title:<title>``."""
    if paper.arxiv_id:
        return f"arxiv:{paper.arxiv_id}"
    return f"title:{normalise_title(paper.title) or one_line(paper.title).casefold()}"


def yaml_string(text: str) -> str:
    """``text`` as a YAML double-quoted scalar that reads back exactly; what a terminal
    or a YAML reader would act on (controls, bidi and zero-width characters, line and
    paragraph separators, a BOM) is escaped."""
    return _SURROGATE_PAIR.sub(_long_escape, json_dumps_safe(text))


def _long_escape(match: re.Match[str]) -> str:
    code = 0x10000 + ((int(match[2], 16) - 0xD800) << 10) + (int(match[3], 16) - 0xDC00)
    return f"{match[1]}\\U{code:08x}"


def _yaml_scalar(value: str | int | bool | None) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return yaml_string(value)


def _yaml_list(key: str, values: Iterable[str]) -> list[str]:
    items = [f"  - {yaml_string(v)}" for v in values]
    return [f"{key}:", *items] if items else [f"{key}: []"]


def render_obsidian_note(
    paper: Paper, annotation: Annotation, *, user: str, exported_at: str
) -> str:
    """The whole file for one paper: front matter, then the note; ends with a newline."""
    urls = {
        "abs": paper.abs_url,
        "pdf": paper.pdf_url,
        "github": safe_url(paper.github_url),
        "hf": paper.hf_url,
        "doi": safe_url(paper.doi_url),
    }
    lines = ["---", f"title: {yaml_string(paper.title)}"]
    lines += _yaml_list("authors", paper.authors)
    lines.append(f"arxiv_id: {_yaml_scalar(paper.arxiv_id)}")
    lines.append("urls:")
    lines += [f"  {key}: {_yaml_scalar(url)}" for key, url in urls.items()]
    lines += _yaml_list("tags", annotation.tags)
    scalars: list[tuple[str, str | int | bool | None]] = [
        ("starred", annotation.starred),
        ("read", annotation.is_read),
        ("upvotes", paper.upvotes),
        ("published", paper.published),
        ("updated", paper.updated),
        ("featured", paper.featured),
        (MARKER, reader_id(paper)),
        ("reader_user", user),
        (_EXPORTED_KEY, exported_at),
    ]
    lines += [f"{key}: {_yaml_scalar(value)}" for key, value in scalars]
    lines.append("---")
    text = "\n".join(lines) + "\n"
    note = strip_controls(annotation.note)
    if not note.strip():
        return text
    # Obsidian renders HTML and follows links: the note may be someone else's.
    return text + neutralise(note).text.rstrip("\n") + "\n"


def safe_file_stem(title: str, max_bytes: int = MAX_NAME_BYTES - len(SUFFIX)) -> str:
    """A file name (without extension) from ``title``, safe on Linux, macOS and Windows.

    Never empty, never a reserved name, never starting with ``.`` (a hidden file) or
    ``-`` (an option to the commands that will be given it). Linear in ``title``.
    """
    name = unicodedata.normalize("NFC", one_line(_NAME_UNSAFE.sub(" ", strip_controls(title))))
    name = _fit(name.lstrip(_LEADING), max_bytes)
    if not name:
        return "Untitled"
    if name.split(".")[0].rstrip(" ").upper() in _RESERVED:
        name = _fit("_" + name, max_bytes)
    return name


def _fit(name: str, max_bytes: int) -> str:
    """``name`` cut to ``max_bytes`` of UTF-8, then trimmed (see :func:`_trim`)."""
    if len(name) > max_bytes or len(name.encode("utf-8")) > max_bytes:
        # One cut: a character split by it is dropped whole.
        name = name.encode("utf-8")[:max_bytes].decode("utf-8", errors="ignore")
    return _trim(name)


def _trim(name: str) -> str:
    """No leading dots, dashes or spaces, no trailing dots or spaces (Windows drops
    them), no dangling combining mark left by a cut. Only ever given a short name."""
    name = name.lstrip(_LEADING).rstrip(". ")
    while name and unicodedata.combining(name[-1]):
        name = name[:-1].rstrip(". ")
    return name


def fold_name(name: str) -> str:
    """A name as a case-insensitive file system compares it (near enough)."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", name).casefold())


def unique_file_name(title: str, taken: set[str], numbers: dict[str, int] | None = None) -> str:
    """``title`` as a safe ``.md`` name whose :func:`fold_name` is not in ``taken``.

    ``numbers`` remembers the last number tried for each name, so that many papers
    with one title do not each count up from 2 again.
    """
    stem = safe_file_stem(title)
    name = stem + SUFFIX
    numbers = {} if numbers is None else numbers
    number = numbers.get(fold_name(stem), 1)
    while fold_name(name) in taken:
        number += 1
        extra = f" ({number})"
        base = safe_file_stem(stem, MAX_NAME_BYTES - len(SUFFIX) - len(extra))
        name = f"{base}{extra}{SUFFIX}"
    numbers[fold_name(stem)] = number
    return name


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
    state = _Folder()
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as err:
        raise ExportError(f"cannot read {shown(folder)}: {err.strerror or err}") from None
    for entry in entries:
        state.taken.add(fold_name(entry.name))
        if not entry.name.lower().endswith(SUFFIX) or entry.name.startswith("."):
            continue
        try:
            regular = stat.S_ISREG(entry.stat(follow_symlinks=False).st_mode)
        except OSError:
            continue
        # Symlinks and anything but a plain file are never ours to rewrite.
        front = _front_matter(Path(entry.path)) if regular else None
        marker = front.get(MARKER) if front else None
        if marker and marker.startswith(_PREFIXES):
            state.ours.setdefault(marker, Path(entry.path))
    return state


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
) -> ObsidianResult:
    """Write one file per paper of ``items`` into ``folder`` (created if missing).

    Our own files (front matter with a ``reader_id``) are found again and rewritten in
    place; every other file is left alone. Each file is written atomically, by
    :func:`~reader.export.files.write_atomic`, which never writes a file of ``library``
    (the library file) nor over anything but a regular file. Raises
    :class:`ExportError` when the folder cannot be created, read or written; files
    written before such a failure stay (each one whole).
    """
    folder = Path(folder)
    _prepare(folder, library)
    clean_stale_temporaries(folder)  # once here, not once per file
    state = _scan(folder)
    claimed: set[Path] = set()
    written = updated = unchanged = 0
    paths: list[Path] = []
    for paper, annotation in items:
        text = render_obsidian_note(paper, annotation, user=user, exported_at=exported_at)
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
            if _same_but_time(own, paper, annotation, user=user):
                unchanged += 1
            else:
                write_atomic(own, text, force=True, library=library, clean=False)
                updated += 1
            continue
        name = unique_file_name(paper.title, state.taken, state.numbers)
        state.taken.add(fold_name(name))
        path = folder / name
        # Never replaces a file that appeared meanwhile.
        write_atomic(path, text, library=library, clean=False)
        paths.append(path)
        written += 1
    stale = len(set(state.ours.values()) - claimed)
    return ObsidianResult(written, updated, unchanged, stale, tuple(paths))


def _same_but_time(path: Path, paper: Paper, annotation: Annotation, *, user: str) -> bool:
    """Whether ``path`` already holds ``text``, apart from the export time it records."""
    front = _front_matter(path) or {}
    old_time = front.get(_EXPORTED_KEY)
    if old_time is None:
        return False
    expected = render_obsidian_note(paper, annotation, user=user, exported_at=old_time)
    try:
        return path.read_bytes() == expected.encode("utf-8", errors="surrogatepass")
    except OSError:
        return False
