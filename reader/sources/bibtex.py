"""Import a BibTeX file: entries that name an arXiv id, a DOI, or just a title.

Splitting the file (nested braces, quotes, ``@string``/``@comment``/``@preamble``)
is bibtexparser 2.x's job, with a middleware stack of our own::

    @string{acl = "Proc. of ACL"}
    @article{devlin2019,
      title = {{BERT}: Pre-training of Deep Bidirectional Transformers},
      author = {Devlin, Jacob and Chang, Ming-Wei and M{\\"u}ller, J.},
      booktitle = acl # " 2019",        <- macros and concatenation are resolved
      year = 2019, month = jun,
      eprint = {1810.04805}, archivePrefix = {arXiv}, primaryClass = {cs.CL},
    }

Where the arXiv id comes from, first found wins: ``eprint`` (when
``archivePrefix``/``eprinttype`` is arXiv or absent), an arXiv URL or the arXiv
DOI (``10.48550/arXiv.…``) in ``url``/``doi``/``journal``/``note``/``howpublished``,
then an ``arxiv`` field.

LaTeX is decoded (pylatexenc, as bibtexparser's ``LatexDecodingMiddleware`` does)
in prose only: title, abstract and author names. That middleware would decode
every field, reading the ``%`` of a URL as a comment and ``--`` of a DOI as a
dash, and skips author lists once split, so it is not in the stack. Names are
split with bibtexparser's own BibTeX name rules ("von Last, Jr, First"), leniently,
and given first-name-first; "and others" is dropped.

A block bibtexparser could not read (unbalanced braces, a duplicate key or
field) is a :class:`~reader.sources.SourceError` at its line: an import is all or
nothing. An entry without a title is skipped and counted.
"""

from __future__ import annotations

import datetime
import functools
import logging
import re
from collections.abc import Mapping

from bibtexparser.entrypoint import parse_string
from bibtexparser.exceptions import BlockAbortedException
from bibtexparser.library import Library
from bibtexparser.middlewares import LibraryMiddleware, NormalizeFieldKeys, SeparateCoAuthors
from bibtexparser.middlewares.names import parse_single_name_into_parts
from bibtexparser.model import (
    DuplicateBlockKeyBlock,
    DuplicateFieldKeyBlock,
    Entry,
    ParsingFailedBlock,
)
from pylatexenc.latex2text import (  # type: ignore[import-untyped]
    LatexNodes2Text,
    MacroTextSpec,
    get_default_latex_context_db,
)

from reader.ids import ArxivId, find_arxiv_id, parse_arxiv_id
from reader.limits import ABSTRACT_CHARS, AUTHOR_CHARS, TITLE_CHARS
from reader.models import Paper
from reader.sources import Batch, SourceError, brief
from reader.text import find_github_url, one_line, safe_url

# Both libraries log what they make of bad input; without a handler, Python's
# last-resort handler would print it over the TUI. An app that sets up logging
# still receives the records.
for _name in ("bibtexparser", "pylatexenc"):
    logging.getLogger(_name).addHandler(logging.NullHandler())

_SNIFF_CHARS = 20_000
# An entry start at a line start: "@article{", "@Misc (", "@string{".
_ENTRY_START = re.compile(r"^[ \t]*@[ \t]*[A-Za-z]+[ \t]*[{(]", re.MULTILINE)
_NEWLINE = re.compile(r"\r\n?")

# English whatever the locale (calendar.month_name follows it).
_MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
# BibTeX's built-in month macros ("jan" -> "January"); an @string of the same name wins.
_MONTH_MACROS = {name[:3].lower(): name for name in _MONTH_NAMES}
_MONTH_NUMBERS = {name.lower(): number for number, name in enumerate(_MONTH_NAMES, start=1)}
_MONTH_NUMBERS |= {name[:3]: number for name, number in _MONTH_NUMBERS.items()} | {"sept": 9}

_ID_FIELDS = ("url", "doi", "journal", "note", "howpublished")
_ARXIV_DOI = re.compile(r"10\.48550/arxiv\.(\S+)", re.IGNORECASE)
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_URL_MACRO = re.compile(r"\\url\s*\{([^{}]*)\}")
_LATEX_ESCAPE = re.compile(r"\\([_%&#$~{}])")
_UNESCAPED_BRACE = re.compile(r"(?<!\\)[{}]")
_BIBTEX_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_YEAR = re.compile(r"\d{4}")
_MONTH_WORD = re.compile(r"[A-Za-z]+|\d+")
# Text without any of these reads the same as LaTeX: no need to run the (slow) decoder.
_LATEX_MARKS = re.compile(r"[\\{}$%~&#^_]|--|``|''|!`|\?`")
# How much of a field the decoder reads, in multiples of the field's limit: LaTeX is
# hardly ever twice as long as the text it stands for.
_DECODED_PER_LIMIT = 2


def looks_like_bibtex(text: str) -> bool:
    """Cheap guess that ``text`` is BibTeX: an ``@type{`` entry start at a line start."""
    head = text[:_SNIFF_CHARS].lstrip("\ufeff \t\r\n").replace("\r", "\n")
    if head[:1] in ("{", "[", "<"):
        return False  # JSON, XML/HTML
    return bool(_ENTRY_START.search(head))


def parse_bibtex(text: str, *, source: str) -> Batch:
    """Papers from a BibTeX file, in file order.

    ``source`` names the input in errors. Raises :class:`SourceError` for a block
    bibtexparser could not read (naming its line) and for anything else that goes
    wrong inside it; an entry without a title is skipped and counted.
    """
    if "\r" in text:
        # bibtexparser counts "\n" only: a file saved with bare "\r" would be all line 1.
        text = _NEWLINE.sub("\n", text)
    try:
        library = parse_string(
            text, parse_stack=[_ResolveValues(), NormalizeFieldKeys(), SeparateCoAuthors()]
        )
    except Exception as error:  # whatever the parser trips over, it is the input's fault
        raise SourceError(source, None, f"not readable as BibTeX: {brief(str(error))}") from None

    if library.failed_blocks:
        block = library.failed_blocks[0]
        line = block.start_line + 1 if block.start_line is not None else None
        raise SourceError(source, line, _failure(block))

    papers: list[Paper] = []
    skipped = 0
    for entry in library.entries:
        try:
            paper = _to_paper(entry)
        except Exception as error:  # a case this module did not foresee: still no traceback
            line = entry.start_line + 1 if entry.start_line is not None else None
            raise SourceError(source, line, f"unreadable entry ({type(error).__name__})") from None
        if paper is None:
            skipped += 1
        else:
            papers.append(paper)
    return Batch(format="bibtex", papers=papers, skipped=skipped)


class _ResolveValues(LibraryMiddleware):
    """Every ``@string`` and field value as plain text: enclosing removed, macros
    (case-insensitive, built-in months included) substituted, ``#`` concatenated.

    bibtexparser's own ``ResolveStringReferencesMiddleware`` and
    ``RemoveEnclosingMiddleware`` leave ``"Proc. of " # acl`` as written.
    """

    def transform(self, library: Library) -> Library:
        macros = dict(_MONTH_MACROS)
        for string in library.strings:  # in file order, so one may use another
            string.value = _evaluate(string.value, macros)
            macros[string.key.lower()] = string.value
        for entry in library.entries:
            for field in entry.fields:
                if isinstance(field.value, str):
                    field.value = _evaluate(field.value, macros)
        return library


def _evaluate(expression: str, macros: Mapping[str, str]) -> str:
    """The text of ``{a} # "b" # macro # 2024``; an unknown macro stands for itself."""
    text = []
    for part in _concatenated_parts(expression):
        if len(part) >= 2 and (part[0], part[-1]) in (("{", "}"), ('"', '"')):
            text.append(part[1:-1])
        else:
            text.append(macros.get(part.lower(), part))
    return "".join(text)


def _concatenated_parts(expression: str) -> list[str]:
    """``expression`` split at each ``#`` outside braces and quotes, parts stripped.

    A backslash escapes the next character, as bibtexparser's splitter reads it.
    """
    parts: list[str] = []
    depth, quoted, escaped, start = 0, False, False, 0
    for index, char in enumerate(expression):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "{":
            depth += 1
        elif char == "}":
            depth = max(depth - 1, 0)
        elif char == '"' and depth == 0:
            quoted = not quoted
        elif char == "#" and depth == 0 and not quoted:
            parts.append(expression[start:index].strip())
            start = index + 1
    parts.append(expression[start:].strip())
    return [part for part in parts if part]


def _failure(block: ParsingFailedBlock) -> str:
    """What is wrong with a block bibtexparser could not read, in one line."""
    if isinstance(block, DuplicateBlockKeyBlock):
        return f"duplicate key {brief(block.key)!r}"
    if isinstance(block, DuplicateFieldKeyBlock):
        return "duplicate field " + brief(", ".join(sorted(block.duplicate_keys)))
    error = block.error
    reason = error.abort_reason if isinstance(error, BlockAbortedException) else str(error)
    return brief(reason) or f"unreadable entry ({type(error).__name__})"


def _to_paper(entry: Entry) -> Paper | None:
    """One entry as a Paper, or None when it has no title."""
    fields = {
        field.key: field.value for field in entry.fields if isinstance(field.value, (str, list))
    }
    title = _prose(_field(fields, "title"), TITLE_CHARS)
    if not title:
        return None
    abstract = _prose(_field(fields, "abstract"), ABSTRACT_CHARS)
    arxiv_id = _arxiv_id(fields)
    url = safe_url(_verbatim(_field(fields, "url"))) if "url" in fields else None
    return Paper(
        title=title,
        arxiv_id=arxiv_id.id if arxiv_id else None,
        arxiv_version=arxiv_id.version if arxiv_id else None,
        abstract=abstract,
        authors=_authors(fields.get("author")),
        published=_published(fields),
        doi=_doi(_field(fields, "doi")),
        url=url,
        primary_category=one_line(_field(fields, "primaryclass")) or None,
        github_url=find_github_url(abstract) or find_github_url(url or ""),
    )


def _field(fields: Mapping[str, object], key: str) -> str:
    value = fields.get(key)
    return value if isinstance(value, str) else ""


def _arxiv_id(fields: Mapping[str, object]) -> ArxivId | None:
    """The arXiv id, from the first field that names one (see the module docstring)."""
    archive = one_line(_field(fields, "archiveprefix") or _field(fields, "eprinttype"))
    eprint = _verbatim(_field(fields, "eprint"))
    if eprint and archive.casefold() in ("", "arxiv"):
        found = parse_arxiv_id(eprint)
        if found:
            return found
    for key in _ID_FIELDS:
        value = _verbatim(_field(fields, key))
        doi = _ARXIV_DOI.search(value)
        found = find_arxiv_id(value) or (parse_arxiv_id(doi[1]) if doi else None)
        if found:
            return found
    value = _verbatim(_field(fields, "arxiv"))
    return (parse_arxiv_id(value) or find_arxiv_id(value)) if value else None


def _authors(value: object) -> tuple[str, ...]:
    """Author names first-name-first, LaTeX decoded; "others" (et al.) left out."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return ()
    names = []
    for raw in value:
        if not isinstance(raw, str):
            continue
        try:
            name = parse_single_name_into_parts(raw, strict=False).merge_first_name_first
        except Exception:  # bibtexparser's name rules gave up: keep the name as written
            name = raw
        decoded = _prose(name, AUTHOR_CHARS)
        if decoded and decoded.casefold() != "others":
            names.append(decoded)
    return tuple(names)


def _published(fields: Mapping[str, object]) -> str | None:
    """``date`` as given ("YYYY-MM-DD", "YYYY-MM", "YYYY"), else ``year`` and ``month``."""
    date = _field(fields, "date").strip().split("/")[0]  # "2024-01-05/2024-01-07": a range
    match = _BIBTEX_DATE.fullmatch(date)
    if match and _valid(*match.groups()):
        return "-".join(part for part in match.groups() if part)
    year = one_line(_field(fields, "year"))
    if not _YEAR.fullmatch(year):
        return None
    month = _month(_field(fields, "month"))
    return f"{year}-{month:02d}" if month else year


def _valid(year: str, month: str | None, day: str | None) -> bool:
    try:
        datetime.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return False
    return True


def _month(value: str) -> int | None:
    """A month number from "3", "03", "mar", "March", "Mar." ("jan" resolved to "January")."""
    word = _MONTH_WORD.search(value)
    if not word:
        return None
    text = word[0].lower()
    number = int(text) if text.isdigit() else _MONTH_NUMBERS.get(text)
    return number if number is not None and 1 <= number <= 12 else None


def _doi(value: str) -> str | None:
    """A bare DOI ("10.1000/xyz"), its ``https://doi.org/`` prefix removed."""
    doi = _DOI_PREFIX.sub("", one_line(_verbatim(value)))
    return doi if doi.startswith("10.") and " " not in doi else None


def _verbatim(value: str) -> str:
    """A URL-like field as written, minus its LaTeX escaping (``\\_``, ``\\url{}``, braces)."""
    value = _UNESCAPED_BRACE.sub("", _URL_MACRO.sub(r"\1", value))
    return _LATEX_ESCAPE.sub(r"\1", value).strip()


def _prose(latex: str, limit: int) -> str:
    """LaTeX text as plain text on one line: accents decoded, braces gone, math as written.

    The decoder takes some 20 microseconds a character (a 1 MB title took 19 s), so
    only the first ``2 * limit`` characters go through it: the import cuts the field
    to ``limit`` anyway (see :mod:`reader.limits`). The rest is kept roughly, braces
    dropped, so that the cut counts the whole field.
    """
    if not _LATEX_MARKS.search(latex):
        return one_line(latex)
    head, rest = _split_near(latex, _DECODED_PER_LIMIT * limit)
    try:
        text = str(_decoder().latex_to_text(head))
    except Exception:  # pylatexenc gave up (deep nesting and the like): keep it as written
        text = _without_braces(head)
    return one_line(text + _without_braces(rest) if rest else text)


def _split_near(text: str, at: int) -> tuple[str, str]:
    """``text`` split at a space just before ``at`` (or at ``at``), so a macro stays whole."""
    if len(text) <= at:
        return text, ""
    space = text.rfind(" ", at // 2, at)
    end = space if space > 0 else at
    return text[:end], text[end:]


def _without_braces(latex: str) -> str:
    return latex.replace("{", "").replace("}", "")


@functools.cache
def _decoder() -> LatexNodes2Text:
    """pylatexenc configured as bibtexparser's ``LatexDecodingMiddleware`` does it."""
    context = get_default_latex_context_db()
    context.add_context_category(
        "reader-bibtex", prepend=True, macros=[MacroTextSpec("url", simplify_repl="%s")]
    )
    return LatexNodes2Text(latex_context=context, keep_braced_groups=False, math_mode="verbatim")
