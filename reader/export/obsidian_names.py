"""Obsidian file names from paper titles: safe on Linux, macOS and Windows, unique in a
folder ignoring case (see :mod:`reader.export.obsidian` for the rules)."""

from __future__ import annotations

import re
import unicodedata

from reader.text import one_line, strip_controls

MAX_NAME_BYTES = 120


SUFFIX = ".md"


# Windows refuses these as a name, whatever the extension ("CON.md", "nul.tar.md").
_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"]
    + [f"{dev}{n}" for dev in ("COM", "LPT") for n in [*"123456789", "¹", "²", "³"]]
)


# Not allowed in Windows names, or breaking Obsidian's [[links]]; controls too.
_NAME_UNSAFE = re.compile(r'[<>:"/\\|?*#^\[\]\x00-\x1f\x7f-\x9f]')


# What a file name never starts with: a hidden file (or ".."), an option, a blank.
_LEADING = ". -"


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
