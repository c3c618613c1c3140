"""Text helpers shared by importers, the store and the UI. Pure functions, no I/O."""

from __future__ import annotations

import ipaddress
import json
import re
import unicodedata
from urllib.parse import urlsplit

# C0 and C1 controls (ESC, BEL, CSI ...), bidi overrides/isolates and zero-width
# characters: paper text is data and must never steer the terminal or reorder a line.
# Lone surrogates (from JSON "\ud800") cannot even be stored as UTF-8.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ud800-\udfff]"
)
# one_line folds longer text a piece at a time.
_PIECE_CHARS = 1 << 16
_NON_WORD = re.compile(r"[\W_]+")
# A host name: dot-separated labels of letters and digits (any script) with inner
# hyphens; a trailing dot is allowed, as in DNS.
_HOST_NAME = re.compile(r"(?:[^\W_](?:[^\W_]|-)*(?<!-)\.)*[^\W_](?:[^\W_]|-)*(?<!-)\.?")
# Where json.dumps(ensure_ascii=False) may have left a character a terminal would act on.
_NOT_PLAIN_ASCII = re.compile("[^\x20-\x7e\n]+")
_ASCII_NON_WORD = str.maketrans({chr(c): " " for c in range(128) if not chr(c).isalnum()})
_GITHUB = re.compile(
    r"https?://(?:www\.)?github\.com/([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)/([A-Za-z0-9_.-]+)",
    re.IGNORECASE,
)


def strip_controls(text: str) -> str:
    """Remove characters that could change what a terminal shows; keep tabs and newlines."""
    # Nearly all text is printable, and a printable string holds none of _UNSAFE
    # (they are all controls, format characters or surrogates): a C scan says so in
    # half the time the pattern takes to find nothing.
    if text.isprintable():
        return text
    return _UNSAFE.sub("", text)


# The terminal rule, for every byte of output (see terminal_text): every C0 and C1
# control (ESC starts a sequence, CR overwrites a line), the bidi controls (U+061C,
# U+200E/F, U+202A-E, U+2066-9), zero-width and line/paragraph separators.
_TERMINAL_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064"
    "\u2066-\u2069\ufeff\ufff9-\ufffb]"
)
_TERMINAL_UNSAFE_LINE = re.compile(f"{_TERMINAL_UNSAFE.pattern[:-1]}\t\n]")
_SURROGATE = re.compile("[\ud800-\udfff]")
# Either of the two above: one scan that finds nothing in nearly every long text.
_TERMINAL_CHANGES = re.compile(f"{_TERMINAL_UNSAFE.pattern[:-1]}\ud800-\udfff]")
_TERMINAL_CHANGES_LINE = re.compile(f"{_TERMINAL_UNSAFE_LINE.pattern[:-1]}\ud800-\udfff]")


def terminal_text(text: str, *, lines: bool = True) -> str:
    """``text`` as it may reach a terminal: nothing in it can start an escape sequence,
    move the cursor, reorder a line or hide a character.

    The one rule for every output path (the TUI's line filter, the command line's
    writer): controls, bidi controls and zero-width characters are dropped, and a
    lone surrogate (which no encoder can write) becomes U+FFFD. With ``lines``, tabs
    and line breaks stay (command-line output is lines of tab-separated fields);
    without, they go too (a line of cells on a screen).
    """
    if text.isprintable():
        return text  # the common case, decided by one C scan
    if not (_TERMINAL_CHANGES if lines else _TERMINAL_CHANGES_LINE).search(text):
        return text  # lines of safe text (a whole export): one scan, not two
    unsafe = _TERMINAL_UNSAFE if lines else _TERMINAL_UNSAFE_LINE
    text = unsafe.sub("", text)
    return _SURROGATE.sub("\ufffd", text)


# Bytes a line of UTF-8 text may hold as they are: printable ASCII, tabs, line breaks.
_PLAIN_BYTES = bytes(range(0x20, 0x7F)) + b"\t\n"


def terminal_bytes(data: bytes) -> bytes:
    """UTF-8 ``data`` as :func:`terminal_text` (with lines) lets it reach a terminal;
    what is not UTF-8 as U+FFFD.

    Checked at C speed without decoding it all (225 MB of a whole library's JSON
    export): taking out the plain ASCII bytes leaves every other character whole,
    since UTF-8 writes them with bytes above 127 only; when all of those are
    printable, ``data`` is written as it is.
    """
    rest = data.translate(None, _PLAIN_BYTES)
    if not rest:
        return data
    try:
        if rest.decode().isprintable():
            return data
    except UnicodeDecodeError:
        pass
    return terminal_text(data.decode(errors="replace")).encode()


def one_line(text: str) -> str:
    """Controls removed and all whitespace (newlines included) collapsed to single spaces."""
    if text.isprintable():
        # The only whitespace a printable string can hold is " ": often there is
        # nothing to fold, and searching for a double space is cheaper than folding.
        if "  " not in text:
            return text.strip()
        if len(text) <= _PIECE_CHARS:
            return " ".join(text.split())
    elif len(text) <= _PIECE_CHARS:
        # str.split() splits on exactly the characters \s matches, and drops the ends.
        return " ".join(_UNSAFE.sub("", text).split())
    return _one_line_in_pieces(text)


def _one_line_in_pieces(text: str, size: int = _PIECE_CHARS) -> str:
    """:func:`one_line` of a long text, ``size`` characters at a time: splitting it
    whole makes an object per word (a 50 MB title took 0.9 GB)."""
    pieces: list[str] = []
    gap = False  # whitespace since the last word
    for start in range(0, len(text), size):
        piece = _UNSAFE.sub("", text[start : start + size])
        words = " ".join(piece.split())
        if not words:
            gap = gap or bool(piece)
            continue
        if pieces and (gap or piece[0].isspace()):
            pieces.append(" ")
        pieces.append(words)
        gap = piece[-1].isspace()
    return "".join(pieces)


def shorten(text: str, limit: int = 100) -> str:
    """``text`` on one line, cut to at most ``limit`` characters with "…" where it was
    cut: a 300 KB URL in a toast, a long file name in an error line."""
    if len(text) <= limit and text.isprintable():
        return text
    # Folding whitespace only ever shortens, so a generous head is all it needs.
    text = one_line(text[: limit * 4])
    return text if len(text) <= limit else text[: limit - 1] + "…"


def one_lines(texts: list[str]) -> list[str]:
    """:func:`one_line` of each of ``texts`` (``texts`` itself when all are clean): a
    paper's author names or keywords nearly always are, and one check of them all
    costs less than one each."""
    joined = " ".join(texts)
    clean = joined.isprintable() and "  " not in joined
    if clean and not joined.startswith(" ") and not joined.endswith(" "):
        # Then no text holds a control, a double space or a space at either end:
        # joined by spaces, any of them (even "" between two others) would show.
        return texts
    return [one_line(text) for text in texts]


def normalise_title(title: str) -> str:
    """Case, accents, punctuation and spacing folded away: the identity of a title."""
    if title.isascii():
        # NFKD leaves ASCII as it is and it has no combining marks to drop; a table
        # blanks what _NON_WORD matches in ASCII faster than the pattern replaces it.
        return " ".join(title.casefold().translate(_ASCII_NON_WORD).split())
    decomposed = unicodedata.normalize("NFKD", title.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", stripped).strip()


def safe_url(url: str | None) -> str | None:
    """``url`` if it is an http(s) URL we may show as a link or open, else ``None``."""
    if not url:
        return None
    url = url.strip()
    scheme, _, rest = url.partition("://")
    if scheme.lower() not in ("http", "https") or not rest or _UNSAFE.search(url):
        return None
    if len(url.split(maxsplit=1)) > 1:
        return None  # a space, line break or tab inside (it is stripped): not one link
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (a bad port raises here)
    except ValueError:
        return None
    host = parts.hostname or ""
    # A host a browser would go to: names, IPv4, or [IPv6]; "https://-x" is not one.
    if not (_HOST_NAME.fullmatch(host) or _is_ip(host)):
        return None
    return url


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def find_github_url(text: str) -> str | None:
    """The first ``https://github.com/OWNER/REPO`` link in ``text``, tidied."""
    if "://" not in text:
        return None  # most abstracts: cheaper than the case-blind pattern finding nothing
    for match in _GITHUB.finditer(text):
        repo = match.group(2).rstrip(".")
        if repo.lower().endswith(".git"):
            repo = repo[:-4].rstrip(".")
        if repo:
            return f"https://github.com/{match.group(1)}/{repo}"
    return None


def json_dumps_safe(obj: object, *, indent: int | None = None) -> str:
    """``obj`` as JSON text that is safe to print: UTF-8 text stays as it is, but every
    character that is not printable (C1 controls, DEL, bidi and zero-width format
    characters, U+2028/9, lone surrogates; not spaces) is written as a ``\\uXXXX``
    escape, so a JSON reader gets back exactly the text and a terminal shows it inertly.
    """
    return json_text_safe(json.dumps(obj, ensure_ascii=False, indent=indent))


def json_text_safe(text: str) -> str:
    """JSON ``text`` from ``json.dumps(..., ensure_ascii=False)`` (or written like it)
    made safe to print as :func:`json_dumps_safe` makes it."""
    if text.isascii() and "\x7f" not in text:
        return text  # json.dumps escaped every C0 control already
    return _NOT_PLAIN_ASCII.sub(_escape_unprintable, text)


def _escape_unprintable(match: re.Match[str]) -> str:
    run = match[0]
    if run.isprintable():
        return run  # nearly always: ordinary non-ASCII text, checked at C speed
    return "".join(
        char if char.isprintable() or unicodedata.category(char) == "Zs" else _json_escape(char)
        for char in run
    )


def _json_escape(char: str) -> str:
    code = ord(char)
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000  # JSON has no escape beyond U+FFFF: a surrogate pair
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
