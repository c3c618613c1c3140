"""A BibTeX entry for a paper: for the ``y`` copy key and ``reader export --format bibtex``.

An arXiv paper comes out in the form arXiv itself recommends::

    @misc{vaswani2017attention,
      title         = {Attention Is All You Need},
      author        = {Ashish Vaswani and Noam Shazeer},
      year          = {2017},
      month         = jun,
      eprint        = {1706.03762},
      archivePrefix = {arXiv},
      primaryClass  = {cs.CL},
      url           = {https://arxiv.org/abs/1706.03762},
    }

A paper without an arXiv id gets title, author, year, ``doi`` and an http(s) ``url``.

Choices, and why:

- Paper text is plain text, not LaTeX: ``& % $ # _ \\ ~ ^`` are escaped, so a name
  or note prints as written. Non-ASCII stays UTF-8, which biber, bibtex8 and LaTeX's
  default UTF-8 input read; control characters are removed.
- But math in a title stays math, as arXiv itself writes it: ``$\\omega$Test`` is
  written ``{$\\omega$}Test`` (braced, so a style that changes case leaves it alone).
  A ``$`` opens math when a character other than a space follows it, and the next
  ``$`` closes it when one precedes it and no digit follows (Pandoc's rule: "$5 and
  $10" is money); the math must pair its braces. Inside it only ``% # &`` are escaped.
- Braces that pair up are kept as ``\\{``/``\\}``; an unpaired one is written
  ``\\textbraceleft{}``/``\\textbraceright{}``: classic BibTeX counts even escaped
  braces, so one unpaired brace would end the field early.
- The title is not double-braced: words that must keep their capitals (``{GAN}``,
  ``{LLMs}``, ``{ImageNet}``: a capital after the first letter) are braced one by
  one, so a style that sentence-cases titles still can.
- ``eprint``, ``doi`` and ``url`` are written verbatim, as biblatex reads them: no
  LaTeX escapes; whitespace and braces are not part of them.
- A user's note goes in ``annote`` (read by annotated-bibliography styles), never in
  ``note``, which ordinary styles print in every reference list. It is the note as
  written, lines, spaces and tabs kept (only trailing whitespace at its end goes), so
  it reads back the same (tests/core/test_export_bibtex.py decodes it with pylatexenc).
  LaTeX's ligatures are broken up (``-{}-``, ``'{}'``), so ``--`` stays two
  hyphens. A note line that starts with ``@`` gets it as ``{@}``: bibtexparser (and
  so ``reader import``) reads a line starting ``@word{`` as a new entry.
- Keys follow Google Scholar's ``vaswani2017attention``: ASCII-folded letters of the
  first author's last name, the year, the first significant title word.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Collection, Iterable, Iterator, Sequence

from reader.models import Annotation, Paper
from reader.text import one_line, one_lines, safe_url, strip_controls

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# Skipped when picking the title word of a key: "On the Opportunities..." -> "opportunities".
_STOP_WORDS = frozenset(
    ("a", "an", "the", "on", "of", "in", "for", "to", "and", "or", "with", "by", "at", "from",
     "is", "are", "as", "into", "via", "do", "does", "how", "what", "why", "when", "can")
)  # fmt: skip
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_NAME_SUFFIXES = frozenset(("jr", "sr", "ii", "iii", "iv"))
# Letters NFKD does not take apart into an ASCII letter and accents.
_FOLD = str.maketrans(
    {
        "ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O",
        "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th",
        "Þ": "TH", "\u0131": "i",  # dotless i
    }
)  # fmt: skip
_LATEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
# What _plain changes when it neither protects words nor breaks ligatures.
_LATEX_SPECIAL = re.compile(r"[\\&%$#_~^{}]")
_TOKEN = re.compile(r"(?P<word>[^\W_]+)|(?P<char>[\s\S])")
_WORD = re.compile(r"(?P<word>[^\W_]+)")
# A word's character, then one that is neither a small ASCII letter nor a digit: only
# a word holding such a pair may need braces (see _protected_word).
_CAPITAL_INSIDE = re.compile(r"[^\W_][^\W\d_a-z]")
# Inline math, as Pandoc finds it (see the module docstring); "$$" is not math here.
_MATH = re.compile(r"(?<![\\$])\$(?=[^\s$])([^$]*?[^\s\\$])\$(?![\d$])")
# What LaTeX turns into one other character: "--" a dash, "``" a quote, "!`" an "¡".
_LIGATURE_PAIRS = frozenset(("--", "``", "''", "!`", "?`"))
_AND = re.compile(r"\band\b", re.IGNORECASE)
_LINE_START_AT = re.compile(r"^([ \t]*)@", re.MULTILINE)
_NEW_STYLE_ID = re.compile(r"(\d{2})(\d{2})\.\d{4,5}")
_OLD_STYLE_ID = re.compile(r"[a-z-]+/(\d{2})(\d{2})\d{3}")
_PUBLISHED = re.compile(r"(\d{4})(?:-(\d{2}))?")
# Entries per piece of a document written as it is made (see bibtex_pieces).
_PIECE = 500
_KEY_UNSAFE = re.compile(r"[^A-Za-z0-9_:./+-]")
_CATEGORY_UNSAFE = re.compile(r"[^A-Za-z0-9.-]")
_VERBATIM_UNSAFE = re.compile(r"[\s{}\\]")
_TITLE_WORD = re.compile(r"[^\W_]+")
_APOSTROPHES = re.compile("['\u2019]")


def bibtex_key(paper: Paper, taken: Iterable[str] | None = None) -> str:
    """A citation key like ``vaswani2017attention``, unique among ``taken``.

    First author's last name (``anon`` without one), year (``nd`` without one), first
    title word that is not a small word like "on" or "the". A key already in ``taken``
    (compared case-insensitively, as BibTeX does) gets ``a``, ``b``, ... appended. The
    same paper and ``taken`` always give the same key; ``taken`` is not changed.
    """
    used = {key.lower() for key in taken or ()}
    return _free_key(_base_key(paper), used, 0)[0]


def bibtex_keys(papers: Iterable[Paper]) -> list[str]:
    """One unique key per paper, in order: a later paper with the same base key gets the suffix.

    The keys :func:`bibtex_key` gives each paper with the keys before it as ``taken``,
    in time linear in the papers: the used keys are one set, and each base key
    remembers how far along its suffixes the free ones start.
    """
    keys: list[str] = []
    used: set[str] = set()  # lower case, as every key made here is
    tried: dict[str, int] = {}  # base key -> suffixes before this one are all used
    for paper in papers:
        base = _base_key(paper)
        key, tried[base] = _free_key(base, used, tried.get(base, 0))
        used.add(key)
        keys.append(key)
    return keys


def _base_key(paper: Paper) -> str:
    """The key before any suffix: always lower-case ASCII letters and digits."""
    year, _ = _year_month(paper)
    return f"{_first_author_key(paper)}{year or 'nd'}{_title_word(paper.title)}"


def _free_key(base: str, used: Collection[str], start: int) -> tuple[str, int]:
    """The first key from ``base`` with suffix number ``start`` on (see :func:`_suffix`)
    that is not in ``used``, and its number.

    Keys only join ``used``, so a number found used stays used: the next search for
    the same base may start where this one ended.
    """
    number = start
    while base + _suffix(number) in used:
        number += 1
    return base + _suffix(number), number


def _suffix(number: int) -> str:
    """The suffix numbered ``number``: "" for 0, then a, b, ..., z, aa, ab, ...
    (bijective base 26, endless, so a free key is always found)."""
    letters: list[str] = []
    while number > 0:
        number, digit = divmod(number - 1, 26)
        letters.append(_LETTERS[digit])
    return "".join(reversed(letters))


def bibtex_entry(paper: Paper, *, key: str | None = None, note: str | None = None) -> str:
    """The ``@misc`` entry for ``paper``, ending in a newline.

    ``key`` defaults to :func:`bibtex_key` (characters a key cannot hold are removed).
    ``note``, when given and not blank, goes in an ``annote`` field, line breaks kept.
    """
    clean_key = _KEY_UNSAFE.sub("", strip_controls(key)) if key is not None else ""
    title = _latex(_clean(paper.title), protect=True, math=True)
    fields: list[tuple[str, str]] = [("title", _braced(title))]
    authors = _authors(paper.authors)
    if authors:
        fields.append(("author", _braced(authors)))
    year, month = _year_month(paper)
    if year:
        fields.append(("year", _braced(year)))
    if month:
        fields.append(("month", _MONTHS[month - 1]))  # a macro: styles print it their way
    if paper.arxiv_id:
        fields.append(("eprint", _braced(_verbatim(paper.arxiv_id))))
        fields.append(("archivePrefix", "{arXiv}"))
        category = _CATEGORY_UNSAFE.sub("", paper.primary_category or "")
        if category:
            fields.append(("primaryClass", _braced(category)))
    doi = _verbatim(paper.doi or "")
    if doi:
        fields.append(("doi", _braced(doi)))
    url = paper.abs_url or safe_url(paper.url)
    if url:
        fields.append(("url", _braced(_url(url))))
    annote = _note(note) if note is not None else ""
    if annote:
        fields.append(("annote", _braced(annote)))
    width = max(len(name) for name, _ in fields)
    lines = [f"@misc{{{clean_key or bibtex_key(paper)},"]
    lines.extend(f"  {name.ljust(width)} = {value}," for name, value in fields)
    lines.append("}")
    return "\n".join(lines) + "\n"


@functools.lru_cache(maxsize=1 << 16)
def _ascii_letters(text: str) -> str:
    """``text`` folded to lower-case ASCII letters and digits ("Müller" -> "muller").
    Cached: the names and title words of a library's keys repeat, and folding each
    afresh was a third of a whole export's keys."""
    folded = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(c for c in folded.encode("ascii", "ignore").decode().lower() if c.isalnum())


def _first_author_key(paper: Paper) -> str:
    for author in paper.authors[:1]:
        name = one_line(author)
        # "Vaswani, Ashish" is last name first; otherwise the last word, minus "Jr." and kin.
        words = name.split(",")[0].split() if "," in name else name.split()
        while len(words) > 1 and _ascii_letters(words[-1]) in _NAME_SUFFIXES:
            words.pop()
        letters = "".join(c for c in _ascii_letters(words[-1]) if c.isalpha()) if words else ""
        if letters:
            return letters
    return "anon"


def _title_word(title: str) -> str:
    # "O'Brien's" is one word, "GPT-4" two.
    for match in _TITLE_WORD.finditer(_APOSTROPHES.sub("", title)):
        word = _ascii_letters(match[0])
        if word and word not in _STOP_WORDS and not word.isdigit():
            return word
    return ""


def _year_month(paper: Paper) -> tuple[str | None, int | None]:
    """Year and month of first publication; from the arXiv id (YYMM) when no date is known."""
    published = _PUBLISHED.match(paper.published or "")
    if published:
        month = int(published[2]) if published[2] else None
        return published[1], month if month and 1 <= month <= 12 else None
    arxiv_id = paper.arxiv_id or ""
    new_style = _NEW_STYLE_ID.fullmatch(arxiv_id)
    old_style = _OLD_STYLE_ID.fullmatch(arxiv_id)
    found = new_style or old_style
    if found is None:
        return None, None
    yy, mm = int(found[1]), int(found[2])
    # Old-style ids began in 1991; new-style ones in 2007.
    year = 1900 + yy if old_style and yy >= 91 else 2000 + yy
    return str(year), mm if 1 <= mm <= 12 else None


def _paired_braces(text: str) -> set[int]:
    """Where the braces of ``text`` are that pair up with another."""
    paired: set[int] = set()
    opened: list[int] = []
    for index, char in enumerate(text):
        if char == "{":
            opened.append(index)
        elif char == "}" and opened:
            paired.update((opened.pop(), index))
    return paired


def _clean(text: str) -> str:
    """One line of paper text, ready for :func:`_latex`."""
    return one_line(strip_controls(text))


def _latex(text: str, *, protect: bool = False, math: bool = False, literal: bool = False) -> str:
    """Plain ``text`` as LaTeX for a braced BibTeX value; its braces always balance.

    With ``protect``, words with a capital after their first letter are braced; with
    ``math``, inline math is kept as math; with ``literal``, ligatures are broken up.
    """
    if not (literal or _LATEX_SPECIAL.search(text)):
        # Most names and titles: nothing to escape, so only words may change.
        if not protect or not _CAPITAL_INSIDE.search(text):
            return text  # (most titles: no capital after a word's first letter)
        return _WORD.sub(_protected_word, text)
    paired = _paired_braces(text) if "{" in text else set()
    out: list[str] = []
    done = 0
    for match in _MATH.finditer(text) if math else ():
        if _balanced(match[1]):
            out.append(_plain(text, done, match.start(), paired, protect, literal))
            out.append(f"{{${_math(match[1])}$}}")
            done = match.end()
    out.append(_plain(text, done, len(text), paired, protect, literal))
    return "".join(out)


def _plain(text: str, start: int, end: int, paired: set[int], protect: bool, literal: bool) -> str:
    """``text[start:end]`` as LaTeX that prints it as written (see :func:`_latex`)."""
    out: list[str] = []
    for match in _TOKEN.finditer(text, start, end):
        word, char = match["word"], match["char"]
        if word is not None:
            out.append(_protected_word(match) if protect else word)
            continue
        if char in "{}":
            name = "textbraceleft" if char == "{" else "textbraceright"
            out.append("\\" + char if match.start() in paired else f"\\{name}{{}}")
        else:
            out.append(_LATEX_ESCAPES.get(char, char))
        if literal and text[match.start() : match.start() + 2] in _LIGATURE_PAIRS:
            out.append("{}")
    return "".join(out)


def _protected_word(match: re.Match[str]) -> str:
    """The word matched (``word``: of :data:`_TOKEN`, or :data:`_WORD`), braced when a
    capital follows its first letter ("{GAN}"), so a style keeps its case."""
    word = match["word"]
    rest = word[1:]
    # islower(): no capital at all, the common case, in one C call.
    return "{" + word + "}" if not rest.islower() and any(c.isupper() for c in rest) else word


def _balanced(math: str) -> bool:
    """Whether ``math``'s braces pair up: every brace for BibTeX, which counts escaped
    ones too, and the unescaped ones for LaTeX."""
    for braces in (re.sub(r"[^{}]", "", math), re.sub(r"\\.|[^{}]", "", math)):
        depth = 0
        for char in braces:
            depth += 1 if char == "{" else -1
            if depth < 0:
                return False
        if depth:
            return False
    return True


def _math(math: str) -> str:
    """Math as written, but for ``% # &``, escaped: a comment and BibTeX's or LaTeX's
    specials, in math too."""
    return re.sub(r"(\\.)|([%#&])", lambda m: m[1] or "\\" + m[2], math)


def _authors(authors: Sequence[str]) -> str:
    """The ``author`` field: each name as :func:`_name` writes it, joined by "and"
    ("" for none). Checked all at once first: nearly every list needs no change."""
    texts = list(authors)
    names = texts if one_lines(texts) is texts else [_clean(text) for text in texts]
    names = [name for name in names if name]
    joined = " ".join(names)
    if _LATEX_SPECIAL.search(joined) or "," in joined or _AND.search(joined):
        names = [_name(name) for name in names]
    return " and ".join(names)


def _name(name: str) -> str:
    """One author's name as written (:func:`_clean` already); braced whole when BibTeX
    would split or reorder it."""
    escaped = _latex(name)
    # "and" would split it into two people; a comma would make it "Last, First".
    return f"{{{escaped}}}" if _AND.search(name) or "," in name else escaped


def _note(note: str) -> str:
    """A note as written, for ``annote``: trailing whitespace at its end trimmed, escaped."""
    text = strip_controls(note.replace("\r\n", "\n")).rstrip()
    return _LINE_START_AT.sub(r"\1{@}", _latex(text, literal=True))


def _verbatim(text: str) -> str:
    """An id or DOI: no whitespace, braces or backslashes (it is written unescaped)."""
    return _VERBATIM_UNSAFE.sub("", strip_controls(text))


def _url(url: str) -> str:
    """An http(s) URL written unescaped; the characters that would break the field encoded."""
    return url.replace("\\", "%5C").replace("{", "%7B").replace("}", "%7D")


def _braced(value: str) -> str:
    return "{" + value + "}"


def render_bibtex(items: Sequence[tuple[Paper, Annotation]], *, with_notes: bool) -> str:
    """A ``.bib`` document: one entry per paper, keys unique within it (:func:`bibtex_keys`).

    Entries are separated by a blank line. With ``with_notes`` a paper's note goes in its
    ``annote`` field; without it no note is written at all. Empty ``items`` give "".
    """
    return "".join(bibtex_pieces(items, with_notes=with_notes))


def bibtex_pieces(items: Sequence[tuple[Paper, Annotation]], *, with_notes: bool) -> Iterator[str]:
    """The text of :func:`render_bibtex`, in pieces of a few hundred entries each, made
    as they are taken (see :func:`reader.export.json_export.json_pieces`)."""
    keys = bibtex_keys(paper for paper, _ in items)
    for start in range(0, len(items), _PIECE):
        entries = "\n".join(
            bibtex_entry(paper, key=key, note=annotation.note if with_notes else None)
            for (paper, annotation), key in zip(
                items[start : start + _PIECE], keys[start : start + _PIECE], strict=True
            )
        )
        yield f"\n{entries}" if start else entries
