"""Writing export files: atomically, never clobbering by accident, with one-line errors.

Every file an export writes goes through :func:`write_atomic` (built on
:mod:`reader.atomic`, which the config file's writer uses too), and every
target is first vetted by :func:`check_target`, the one place that decides what may be
written over: never the library or a file SQLite keeps beside it, never a backup of it,
never an SQLite file of any name, and with ``force`` a regular file only.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable
from pathlib import Path

from reader import atomic

# SQLite's files by their first bytes: a database, a write-ahead log, a rollback journal.
_SQLITE_MAGIC = (
    b"SQLite format 3\x00",
    bytes.fromhex("377f0682"),
    bytes.fromhex("377f0683"),
    bytes.fromhex("d9d505f920a163d7"),
)
_SIDE_FILES = {
    "-wal": "the library itself (its write-ahead log)",
    "-shm": "the library itself (its shared-memory file)",
    "-journal": "the library itself (its rollback journal)",
    # reader's own, beside it (reader.store.journal): a chunked import's locks.
    "-import.lock": "the library's import lock",
    "-turn.lock": "the library's lock for taking turns to write",
}
_KINDS = (
    (stat.S_ISLNK, "a symbolic link"),
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
)


class ExportError(Exception):
    """An export could not be written; the message is one line, names the path, and is
    meant to be shown to the user as it is."""


class TargetExists(ExportError):
    """``path`` exists and overwriting was not asked for. The message names the command
    line's ``--force``; the app's dialog says how to overwrite there instead."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"{shown(path)}: file exists (use --force to overwrite)")
        self.path = path


class ChangedMeanwhile(ExportError):
    """The file changed after the export read it (the user saved it): left alone."""


def shown(path: Path | str) -> str:
    """``path`` as an error line may show it: what a terminal would act on is escaped."""
    text = str(path)
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


def _fail(path: Path, err: OSError) -> ExportError:
    return ExportError(f"cannot write {shown(path)}: {err.strerror or err}")


def library_file(path: Path, library: Path) -> str | None:
    """What ``path`` is of the library at ``library`` ("the library itself", "a backup of
    the library"...), or None when it is none of its files.

    The library's files are the library, the ``-wal``, ``-shm`` and ``-journal`` SQLite
    keeps beside it, and the backups taken before an upgrade (``NAME.schemaN.bak``,
    ``NAME.schemaN.M.bak``), whether or not they exist yet; reached by any name: through
    a symbolic link (to the file or to a folder on the way) or as a hard link.
    """
    try:
        bases = {Path(os.path.abspath(library)), Path(os.path.realpath(library))}
        names = {Path(os.path.abspath(path)), Path(os.path.realpath(path))}
    except ValueError:
        return None  # a NUL in a name: no file at all
    for name in names:
        for base in bases:
            what = _named(name.name, base.name)
            if what is not None and _same_folder(name.parent, base.parent):
                return what
    try:
        target = os.stat(path)
    except (OSError, ValueError):
        return None  # nothing there (yet): no other name can reach it
    if target.st_nlink < 2:
        return None  # no hard link: its only name was checked above
    for base in bases:
        for entry in _entries(base.parent):
            what = _named(entry.name, base.name)
            if what is not None and _same_file(target, entry):
                return what
    return None


def refuse_library_file(path: Path, library: Path) -> None:
    """Raise :class:`ExportError` if ``path`` is one of the library's files."""
    what = library_file(path, library)
    if what is not None:
        raise ExportError(f"{shown(path)}: that is {what}; choose another file")


def _named(name: str, base: str) -> str | None:
    if name == base:
        return "the library itself"
    if name.startswith(base):
        rest = name[len(base) :]
        if rest in _SIDE_FILES:
            return _SIDE_FILES[rest]
        if re.fullmatch(r"\.schema\d+(?:\.\d+)?\.bak", rest):
            return "a backup of the library"
    return None


def _same_folder(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return a == b


def _entries(folder: Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as entries:
            return list(entries)
    except OSError:
        return []


def _same_file(target: os.stat_result, entry: os.DirEntry[str]) -> bool:
    try:
        other = entry.stat()
    except OSError:
        return False
    return (target.st_dev, target.st_ino) == (other.st_dev, other.st_ino)


def check_target(path: Path, *, force: bool = False, library: Path | None = None) -> None:
    """Raise :class:`ExportError` unless a file may be written at ``path``.

    Refused, whatever ``force`` says: a file of the ``library`` (see :func:`library_file`),
    anything but a regular file (a link, a FIFO, a device, a socket, a folder), and a file
    that is an SQLite database, write-ahead log or rollback journal by its first bytes.
    Without ``force`` an existing file is refused too.
    """
    try:
        os.fsencode(path)
    except (UnicodeError, ValueError):
        raise ExportError(f"{shown(path)}: not a valid file name") from None
    if "\x00" in str(path):
        raise ExportError(f"{shown(path)}: not a valid file name")
    if library is not None:
        refuse_library_file(path, library)
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as err:
        raise _fail(path, err) from None
    if not stat.S_ISREG(mode):
        kind = next((name for test, name in _KINDS if test(mode)), "a special file")
        raise ExportError(f"{shown(path)}: is {kind}, not a regular file; not overwritten")
    if not force:
        raise TargetExists(path)
    _refuse_sqlite(path)


def _refuse_sqlite(path: Path) -> None:
    """Refuse to replace an SQLite file, whatever its name: it may be someone's library."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        try:
            head = os.read(fd, 16)
        finally:
            os.close(fd)
    except OSError as err:
        raise ExportError(
            f"{shown(path)}: cannot check what it holds ({err.strerror or err}); not overwritten"
        ) from None
    if head.startswith(_SQLITE_MAGIC):
        raise ExportError(f"{shown(path)}: is an SQLite database; an export never overwrites one")


def write_atomic(
    path: Path,
    text: str | Iterable[str] | Iterable[bytes],
    *,
    force: bool = False,
    library: Path | None = None,
    clean: bool = True,
    replacing: bytes | None = None,
) -> None:
    """Write ``text`` (or its pieces, in turn: a large export is never one string;
    pieces given as bytes are UTF-8 already) as UTF-8 to ``path`` so that readers see
    the old file or the new one, never half of it (:func:`reader.atomic.write_atomic`).

    :func:`check_target` vets ``path`` first (and again just before the new file takes
    its place): without ``force`` an existing ``path`` is left alone (also when it
    appears while writing); ``library`` is the library file, never written over. With
    ``clean``, temporary files a killed export left in that folder are removed first.
    A new file is readable by its owner only, like the library whose notes it holds; an
    overwritten file keeps its mode. With ``replacing`` (what the caller read from
    ``path`` and merged), a file that no longer holds it when the new one is ready is
    left alone: :class:`ChangedMeanwhile`.
    Every failure raises :class:`ExportError` and leaves no temporary file behind.
    """
    path = Path(path)
    check_target(path, force=force, library=library)

    def encoded(piece: str | bytes) -> bytes:
        if isinstance(piece, bytes):
            return piece  # UTF-8 already (see stored_json_pieces)
        try:
            return piece.encode("utf-8")
        except UnicodeEncodeError:
            raise ExportError(f"cannot write {shown(path)}: text is not valid Unicode") from None

    # A whole text is checked before the temporary file is made; pieces as they come.
    data = encoded(text) if isinstance(text, str) else map(encoded, text)

    def last_check() -> None:
        check_target(path, force=force, library=library)
        if replacing is not None:
            _refuse_changed(path, replacing)

    try:
        atomic.write_atomic(path, data, replace=force, clean=clean, before_placing=last_check)
    except FileExistsError:
        raise TargetExists(path) from None
    except OSError as err:
        raise _fail(path, err) from None


def _refuse_changed(path: Path, expected: bytes) -> None:
    """Raise :class:`ChangedMeanwhile` unless ``path`` holds exactly ``expected``: an
    editor saved it since it was read (what is left is the instant to the rename)."""
    chunks: list[bytes] = []
    size = 0
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:  # moved away or replaced by something else: not ours to write now
        raise ChangedMeanwhile(f"{shown(path)}: changed while exporting; left alone") from None
    try:
        while size <= len(expected):  # one byte more than expected says it grew
            chunk = os.read(fd, len(expected) + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    finally:
        os.close(fd)
    if b"".join(chunks) != expected:
        raise ChangedMeanwhile(f"{shown(path)}: changed while exporting; left alone")
