"""Exporting again into a vault the user edits: reader's part updated, the user's text kept.

Editing in Obsidian is the reason to export there, so an export never drops what the
user wrote. A file reader writes has three parts::

    ---
    title: "..."              reader's keys: its part of the front matter
    tags: ...
    reader_hash: "details:… tags:… starred:… read:… note:…"
    rating: 5                 the user's own keys: kept as written
    ---
    The note, as the library holds it.        reader's part of the body

    %% reader: write below this line; exporting again never changes what is below it %%
    Anything the user writes here.            the user's part: kept as written

``reader_hash`` holds a fingerprint of each part of what reader wrote last: the
paper's details (title ... featured), ``tags``, ``starred``, ``read`` and the note.
Exporting again, each part of a file is merged on its own:

- the user has not changed it (its fingerprint is the one written): reader's new
  version is written;
- the user changed it and reader has nothing new for it (reader's version is the one
  written last time): the user's version stays, as they wrote it;
- both changed it (a conflict): the caller leaves the whole file as it is and reports
  it; with ``--force`` reader's new version is written and the user's version goes
  below the marker line, in a block that says what it was, at the end of the user's
  part. Nothing is resolved by losing text.

Values are compared as YAML values, not as text, so Obsidian rewriting the front
matter in its own style (unquoted strings, ``null`` as nothing) is not an edit;
anything this module does not read (anchors, block scalars) counts as an edit. A
file from an export before fingerprints (no ``reader_hash``, no marker line) has no
record of what reader wrote: every part of it that differs from what reader would
write now is a conflict (nothing says whether the user changed it). A file without
the marker line has no part of the user's but what the merge keeps.
"""

from __future__ import annotations

import hashlib
import json
import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

MARKER_LINE = "%% reader: write below this line; exporting again keeps what is below it %%"
HASH_KEY = "reader_hash"
STAMP_KEY = "reader_exported_at"
NOTE = "note"
# reader's keys, by the part of the file they make: each part is merged on its own.
PARTS: dict[str, tuple[str, ...]] = {
    "details": (
        "title", "authors", "arxiv_id", "urls", "upvotes", "published", "updated", "featured",
    ),
    "tags": ("tags",),
    "starred": ("starred",),
    "read": ("read",),
}  # fmt: skip
# Always reader's, rewritten by every export.
BOOKKEEPING = ("reader_id", "reader_user", STAMP_KEY, HASH_KEY)
READER_KEYS = frozenset(key for keys in PARTS.values() for key in keys) | set(BOOKKEEPING)

_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)[ \t]*:(?:[ \t]|$)")
_LIST_ITEM = re.compile(r"[ \t]*-(?:[ \t]+(.*)|[ \t]*)$")
_MAP_ITEM = re.compile(r"[ \t]+([A-Za-z_][A-Za-z0-9_]*)[ \t]*:(?:[ \t]+(.*))?$")
_PLAIN_COMMENT = re.compile(r"[ \t]+#.*$")
_INT = re.compile(r"[-+]?[0-9]+")
_FLOW_ITEM = re.compile(r"""\s*("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^,"'\[\]{}]*?)\s*(,|$)""")
_LEADING_BLANK_LINES = re.compile(r"\A(?:[ \t]*\n)+")
# YAML's escapes in a double-quoted scalar ("\x", "\u" and "\U" take hex digits).
_ESCAPES = {
    "0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f",
    "r": "\r", "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85",
    "_": "\xa0", "L": "\u2028", "P": "\u2029",
}  # fmt: skip
_HEX_DIGITS = {"x": 2, "u": 4, "U": 8}
_FINGERPRINT_CHARS = 12

Entry = tuple[str | None, list[str]]


class _Unread(Exception):
    """YAML this module does not read: the value is compared as written."""


@dataclass(frozen=True, slots=True)
class ReaderPart:
    """What reader writes for one paper: its front matter entries, each a key and its
    lines, in order (bookkeeping keys not among them), and the note."""

    entries: tuple[tuple[str, tuple[str, ...]], ...]
    note: str


@dataclass(frozen=True, slots=True)
class VaultFile:
    """A file of the vault as reader reads it back: its front matter entries (a key,
    None for a line that starts none we read, and the entry's lines), reader's part of
    the body, and the user's part below the marker (None: no marker)."""

    entries: tuple[Entry, ...]
    note: str
    below: str | None

    def value(self, key: str) -> object:
        """The value of ``key``'s first entry (None when missing)."""
        for name, lines in self.entries:
            if name == key:
                return entry_value(lines)
        return None


@dataclass(frozen=True, slots=True)
class Merge:
    """A file merged: its text, the parts where the user's edit stays as it is, and the
    parts both changed (conflicts: the text has reader's version there and the user's
    below the marker, as ``--force`` writes it; without it the caller writes nothing)."""

    text: str
    kept: tuple[str, ...] = ()
    conflicts: tuple[str, ...] = ()


def read_vault_file(text: str) -> VaultFile | None:
    """``text`` split into its parts, or None without front matter."""
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").split("\n")
    if lines[0].rstrip(" \t") != "---":
        return None
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip(" \t") in ("---", "...")), 0)
    if not end:
        return None
    entries: list[Entry] = []
    for line in lines[1:end]:
        if _starts_entry(line) or not entries:
            key = _KEY.match(line)
            entries.append((key[1] if key else None, [line]))
        else:
            entries[-1][1].append(line)
    body = lines[end + 1 :]
    at = next((i for i, line in enumerate(body) if line.strip(" \t") == MARKER_LINE), None)
    if at is None:
        return VaultFile(tuple(entries), "\n".join(body), None)
    return VaultFile(tuple(entries), "\n".join(body[:at]), "\n".join(body[at + 1 :]))


def _starts_entry(line: str) -> bool:
    """Whether a front matter line starts a top-level entry (not a continuation, a list
    item at the key's indent, a comment or a blank line)."""
    return bool(line) and not line[0].isspace() and line[0] != "#" and not _LIST_ITEM.match(line)


def entry_value(lines: Sequence[str]) -> object:
    """The value of one front matter entry as plain data (None, bool, int, str, lists and
    maps of them); what is not read here is returned as written, in a form no value
    takes. Empty values (null, "", [], {}) are all None: Obsidian writes them its way."""
    key = _KEY.match(lines[0]) if lines else None
    if key is None:
        return ["\x00as written", "\n".join(lines)]
    after = lines[0][key.end() :].strip(" \t")
    after = "" if after.startswith("#") else after
    rest = [line for line in lines[1:] if line.strip(" \t") and not line.lstrip().startswith("#")]
    try:
        return _empty(_value(after, rest))
    except (_Unread, ValueError):
        return ["\x00as written", "\n".join(lines)]


def _value(after: str, rest: list[str]) -> object:
    if not rest:
        return _scalar(after)
    if after:
        if after.startswith(("|", ">")) or any(not line[:1].isspace() for line in rest):
            raise _Unread
        # A long scalar Obsidian folded onto more lines: YAML joins them with spaces.
        return _scalar(" ".join([after, *(line.strip(" \t") for line in rest)]))
    items = [_LIST_ITEM.match(line) for line in rest]
    if all(items):
        return [_scalar(item[1] or "") for item in items if item]
    pairs = [_MAP_ITEM.match(line) for line in rest]
    if all(pairs):
        return {pair[1]: _empty(_scalar(pair[2] or "")) for pair in pairs if pair}
    raise _Unread


def _empty(value: object) -> object:
    return None if value is None or value in ("", [], {}) else value


def _scalar(text: str) -> object:
    """One YAML scalar (or a flow list of them) on one line."""
    text = text.strip(" \t")
    if text.startswith('"'):
        return _double_quoted(text)
    if text.startswith("'"):
        end = re.match(r"'((?:[^']|'')*)'[ \t]*(?:#.*)?$", text)
        if end is None:
            raise _Unread
        return end[1].replace("''", "'")
    if text.startswith("["):
        return _flow_list(text)
    if text.startswith(("{", "|", ">", "&", "*", "!", "%", "@", "`")):
        raise _Unread
    text = _PLAIN_COMMENT.sub("", text)
    if text in ("", "~", "null", "Null", "NULL"):
        return None
    if text in ("true", "True", "TRUE", "false", "False", "FALSE"):
        return text[0] in "tT"
    return int(text) if _INT.fullmatch(text) else text


def _double_quoted(text: str) -> str:
    out: list[str] = []
    index = 1
    while index < len(text):
        char = text[index]
        if char == '"':
            rest = text[index + 1 :].strip(" \t")
            if rest and not rest.startswith("#"):
                raise _Unread
            # "\ud83d\ude80" (JSON's way beyond U+FFFF) is one character.
            return "".join(out).encode("utf-16", "surrogatepass").decode("utf-16", "surrogatepass")
        if char != "\\":
            out.append(char)
            index += 1
            continue
        escape = text[index + 1 : index + 2]
        if escape in _HEX_DIGITS:
            width = _HEX_DIGITS[escape]
            digits = text[index + 2 : index + 2 + width]
            if len(digits) != width or not all(d in string.hexdigits for d in digits):
                raise _Unread
            out.append(chr(int(digits, 16)))  # ValueError beyond U+10FFFF
            index += 2 + width
        elif escape in _ESCAPES:
            out.append(_ESCAPES[escape])
            index += 2
        else:
            raise _Unread
    raise _Unread  # not closed on this line


def _flow_list(text: str) -> list[object]:
    end = text.rfind("]")
    if end < 0 or (text[end + 1 :].strip(" \t") and not text[end + 1 :].lstrip().startswith("#")):
        raise _Unread
    inner = text[1:end]
    if not inner.strip(" \t"):
        return []
    items: list[object] = []
    at = 0
    while at < len(inner):
        item = _FLOW_ITEM.match(inner, at)
        if item is None or item.end() == at:
            raise _Unread
        items.append(_scalar(item[1]))
        at = item.end()
    return items


def body_text(text: str) -> str:
    """A note as compared: no blank lines before it, no whitespace after it."""
    return _LEADING_BLANK_LINES.sub("", text.replace("\r\n", "\n")).rstrip()


def _fingerprint(part: str, values: Mapping[str, object]) -> str:
    data = json.dumps([part, values], sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    digest = hashlib.sha256(data.encode("utf-8", "surrogatepass")).hexdigest()
    return digest[:_FINGERPRINT_CHARS]


def _part_values(entries: Mapping[str, Sequence[str]], keys: Sequence[str]) -> dict[str, object]:
    # A key without a value and a missing key say the same: nothing (Obsidian may drop it).
    found = {key: entry_value(entries[key]) for key in keys if key in entries}
    return {key: value for key, value in found.items() if value is not None}


def fingerprints(part: ReaderPart) -> dict[str, str]:
    """The fingerprint of each part of what reader writes for a paper."""
    entries = dict(part.entries)
    found = {name: _fingerprint(name, _part_values(entries, keys)) for name, keys in PARTS.items()}
    found[NOTE] = _fingerprint(NOTE, {NOTE: body_text(part.note)})
    return found


def hash_line(part: ReaderPart) -> str:
    """The ``reader_hash`` entry for what reader writes of a paper."""
    value = " ".join(f"{name}:{print_}" for name, print_ in fingerprints(part).items())
    return f'{HASH_KEY}: "{value}"'


def _stored(file: VaultFile) -> dict[str, str] | None:
    """The fingerprints a file holds; None without ``reader_hash`` (an older export),
    {} when it is not ours to read (edited: every part counts as changed)."""
    if all(key != HASH_KEY for key, _ in file.entries):
        return None
    value = file.value(HASH_KEY)
    if not isinstance(value, str):
        return {}
    pairs = [word.split(":", 1) for word in value.split()]
    return {pair[0]: pair[1] for pair in pairs if len(pair) == 2}


def compose(entries: Sequence[Sequence[str]], note: str, below: str | None) -> str:
    """A whole file: front matter of ``entries`` (each its lines), the note, the marker
    line, and the user's part as it is."""
    front = "\n".join(["---", *(line for lines in entries for line in lines), "---"])
    body = f"{note}\n\n" if note else ""
    return f"{front}\n{body}{MARKER_LINE}\n{below or ''}"


def merge(file: VaultFile, new: ReaderPart, *, bookkeeping: Sequence[str], when: str) -> Merge:
    """``file`` with reader's part brought up to ``new`` and nothing of the user's lost
    (see the module docstring). ``bookkeeping`` are the lines of every bookkeeping key
    but ``reader_hash``; ``when`` names this export in a block of kept text."""
    old: dict[str, list[str]] = {}
    users: list[list[str]] = []
    for key, lines in file.entries:
        if key in READER_KEYS:
            if key not in BOOKKEEPING:
                old.setdefault(key, lines)  # a repeated key: YAML refuses it; the first counts
        else:
            users.append(lines)
    stored = _stored(file)
    chosen = dict(new.entries)
    new_prints = fingerprints(new)
    kept: list[str] = []
    conflicts: list[str] = []
    replaced: list[str] = []  # the user's front matter lines a conflict replaced
    for part, keys in PARTS.items():
        mine = _fingerprint(part, _part_values(old, keys))
        base = stored.get(part) if stored is not None else None
        theirs = new_prints[part]
        if mine in (base, theirs):
            continue
        if theirs == base:  # reader has nothing new here: the user's edit stands
            for key in keys:
                if key in old:
                    chosen[key] = tuple(old[key])
                else:
                    chosen.pop(key, None)  # the user removed it
            kept.append(part)
            continue
        conflicts.append(part)
        for key in keys:
            if key not in old:
                replaced.append(f"# {key}: removed")
            elif entry_value(old[key]) != entry_value(chosen[key]):
                replaced.extend(old[key])
    note, outcome = _merge_note(file.note, new, stored, new_prints[NOTE])
    if outcome == "kept":
        kept.append(NOTE)
    elif outcome == "conflict":
        conflicts.append(NOTE)
    below = file.below
    if replaced or outcome == "conflict":
        users_note = body_text(file.note) if outcome == "conflict" else None
        below = _with_kept(below, when, replaced, users_note)
    entries = [list(chosen[key]) for key, _ in new.entries if key in chosen]
    entries.append([*bookkeeping, hash_line(new)])
    return Merge(compose([*entries, *users], note, below), tuple(kept), tuple(conflicts))


def _merge_note(
    text: str, new: ReaderPart, stored: Mapping[str, str] | None, theirs: str
) -> tuple[str, str]:
    """reader's part of the body to write, and what became of the user's: "same" (not
    edited, or edited to reader's), "kept" (edited; it stands) or "conflict"."""
    mine_text = body_text(text)
    mine = _fingerprint(NOTE, {NOTE: mine_text})
    base = stored.get(NOTE) if stored is not None else None
    if mine in (base, theirs):
        return new.note, "same"
    if theirs == base:
        return mine_text, "kept"
    return new.note, "conflict"


def _with_kept(below: str | None, when: str, lines: Sequence[str], note: str | None) -> str:
    """The user's part with a block of the text a conflict replaced added at its end."""
    block = [
        f"## Your edits, kept by reader ({when})",
        "",
        "Exporting with --force replaced what you had changed here; your version was:",
    ]
    if lines:
        block += ["", _fenced("\n".join(lines), "yaml")]
    if note is not None:
        block += ["", _fenced(note, "markdown")]
    text = below or ""
    if text and not text.endswith("\n"):
        text += "\n"
    if text.strip():
        text += "\n"
    return text + "\n".join(block) + "\n"


def _fenced(text: str, info: str) -> str:
    """``text`` as a fenced code block, its fence longer than any backtick run in it."""
    longest = max((len(run) for run in re.findall("`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{text}\n{fence}"
