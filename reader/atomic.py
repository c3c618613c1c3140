"""Writing a file whole or not at all: the new text goes to a locked temporary file beside
the target, is fsynced, then takes the target's place in one rename.

The exports (:mod:`reader.export.files`, which adds what may be written over) and the
config file's theme both write this way. Failures are ``OSError``s; callers word them.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import secrets
import stat
import time
from collections.abc import Callable, Iterable
from pathlib import Path

# New files are the owner's alone, like the library (exports carry private notes).
PRIVATE_MODE = 0o600
# Temporary files: short (a 255-byte target name still works) and ours alone by name.
_TEMP_PREFIX = ".reader-"
_TEMP_SUFFIX = ".tmp"
_TEMP_NAME = re.compile(r"\.reader-[0-9a-f]{8}\.tmp")
# A temporary file older than this, whose lock nobody holds, was left by a killed writer.
# (Its writer takes the lock right after creating it; the age covers that instant.)
STALE_AFTER = 10.0


def write_atomic(
    path: Path,
    data: bytes | Iterable[bytes],
    *,
    replace: bool = True,
    clean: bool = True,
    before_placing: Callable[[], None] | None = None,
) -> None:
    """Write ``data`` (or its pieces, in turn) to ``path`` so that readers see the old
    file or the new one, never half of it.

    With ``clean``, temporary files a killed writer left in the folder are removed
    first. ``before_placing`` runs just before the new file takes its place (a last
    check; what it raises stops the write). Without ``replace`` an existing ``path`` is
    left alone: ``FileExistsError``, also when it appears while writing. A new file is
    readable by its owner only; an overwritten file keeps its mode. Every failure
    leaves no temporary file behind.
    """
    if clean:
        clean_stale_temporaries(path.parent)
    fd, tmp = _create_temporary(path)
    try:
        try:
            _write_all(fd, data)
            os.fsync(fd)
            try:
                mode = path.stat().st_mode & 0o7777
            except OSError:
                mode = PRIVATE_MODE
            os.fchmod(fd, mode)
            if before_placing is not None:
                before_placing()
            if replace:
                os.replace(tmp, path)
            else:
                _place_new(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    finally:
        os.close(fd)  # only now: the lock shows the temporary file is in use till here
    _fsync_dir(path.parent)


def _write_all(fd: int, data: bytes | Iterable[bytes]) -> None:
    for piece in (data,) if isinstance(data, bytes) else data:
        view = memoryview(piece)
        while view:
            view = view[os.write(fd, view) :]


def _create_temporary(path: Path) -> tuple[int, Path]:
    """A new, locked, private temporary file beside ``path``: its descriptor and name."""
    for _ in range(100):
        tmp = path.parent / f"{_TEMP_PREFIX}{secrets.token_hex(4)}{_TEMP_SUFFIX}"
        try:
            fd = os.open(
                tmp,
                os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                PRIVATE_MODE,
            )
        except FileExistsError:
            continue
        # On a file system without locks, the file's age still protects it.
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return fd, tmp
    raise OSError("no free temporary name in its folder")


def clean_stale_temporaries(folder: Path, *, older_than: float = STALE_AFTER) -> int:
    """Remove the temporary files killed writers left in ``folder``; how many.

    Only names of our own pattern (``.reader-<8 hex>.tmp``), regular files, older than
    ``older_than`` seconds and not locked: a live writer holds its file's lock till the
    file is gone. Best effort: nothing here raises.
    """
    removed = 0
    now = time.time()
    for entry in _entries(folder):
        if not _TEMP_NAME.fullmatch(entry.name):
            continue
        with contextlib.suppress(OSError):
            info = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(info.st_mode) and now - info.st_mtime > older_than:
                removed += _remove_unlocked(Path(entry.path), info)
    return removed


def _entries(folder: Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as entries:
            return list(entries)
    except OSError:
        return []


def _remove_unlocked(path: Path, info: os.stat_result) -> int:
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return 0  # a writer is still at it
        opened = os.fstat(fd)
        if (opened.st_dev, opened.st_ino) != (info.st_dev, info.st_ino):
            return 0
        path.unlink()
        return 1
    finally:
        os.close(fd)


def _place_new(tmp: Path, path: Path) -> None:
    """Move ``tmp`` to ``path`` only if ``path`` does not exist (no check-then-replace race).

    A hard link fails atomically when the name is taken; file systems without hard links
    fall back to a last check and a replace.
    """
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise
    except OSError:
        if os.path.lexists(path):
            raise FileExistsError(path) from None
        os.replace(tmp, path)
    else:
        with contextlib.suppress(OSError):
            tmp.unlink()


def _fsync_dir(directory: Path) -> None:
    """Make the rename durable where the platform allows it; best effort only."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
