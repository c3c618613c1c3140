"""Writing export files: atomically, never clobbering by accident, with one-line errors."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

# Exports carry private notes: new files are the owner's alone, like the library.
PRIVATE_MODE = 0o600


class ExportError(Exception):
    """An export could not be written; the message is one line, names the path, and is
    meant to be shown to the user as it is."""


def _fail(path: Path, err: OSError) -> ExportError:
    return ExportError(f"cannot write {path}: {err.strerror or err}")


def write_atomic(path: Path, text: str, *, force: bool = False) -> None:
    """Write ``text`` as UTF-8 to ``path`` so that readers see the old file or the new one,
    never half of it.

    The text goes to a temporary file beside ``path``, is fsynced, then moved into place.
    Without ``force`` an existing ``path`` is left alone and :class:`ExportError` raised
    (also when it appears while writing). A new file is readable by its owner only, like
    the library whose notes it holds; an overwritten file keeps its mode.
    Every failure raises :class:`ExportError` and leaves no temporary file behind.
    """
    path = Path(path)
    if os.path.isdir(path):
        raise ExportError(f"cannot write {path}: Is a directory")
    if not force and os.path.lexists(path):
        raise ExportError(f"{path}: file exists (use --force to overwrite)")
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        raise ExportError(f"cannot write {path}: text is not valid Unicode") from None
    try:
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    except OSError as err:
        raise _fail(path, err) from None
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        try:
            mode = path.stat().st_mode & 0o7777
        except OSError:
            mode = PRIVATE_MODE
        os.chmod(tmp, mode)
        if force:
            os.replace(tmp, path)
        else:
            _place_new(tmp, path)
    except ExportError:
        tmp.unlink(missing_ok=True)
        raise
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise _fail(path, err) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _place_new(tmp: Path, path: Path) -> None:
    """Move ``tmp`` to ``path`` only if ``path`` does not exist (no check-then-replace race).

    A hard link fails atomically when the name is taken; file systems without hard links
    fall back to a last check and a replace.
    """
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise ExportError(f"{path}: file exists (use --force to overwrite)") from None
    except OSError:
        if os.path.lexists(path):
            raise ExportError(f"{path}: file exists (use --force to overwrite)") from None
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
