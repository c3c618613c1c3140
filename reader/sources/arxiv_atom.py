"""Import an arXiv API response: an Atom feed (``export.arxiv.org/api/query``).

One ``<entry>`` per paper, in the Atom namespace, with arXiv's own elements beside
the Atom ones::

    <feed xmlns="http://www.w3.org/2005/Atom"
          xmlns:arxiv="http://arxiv.org/schemas/atom"
          xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">
      <opensearch:totalResults>214881</opensearch:totalResults>
      <entry>
        <id>http://arxiv.org/abs/2202.12139v1</id>      <- the id, with its version
        <title>Testing Deep Learning ...</title>         <- may wrap over lines
        <summary>Deep Learning (DL) has ...</summary>    <- the abstract
        <published>2022-02-24T15:05:19Z</published>      <- v1
        <updated>2022-02-24T15:05:19Z</updated>          <- this version
        <category term="cs.SE"/> <category term="cs.LG"/>
        <arxiv:primary_category term="cs.SE"/>
        <arxiv:comment>...</arxiv:comment>              <- optional, like the two below
        <arxiv:journal_ref>...</arxiv:journal_ref>
        <arxiv:doi>10.1109/ICSTW55395.2022.00035</arxiv:doi>
        <author><name>Mohit Kumar Ahuja</name></author>
      </entry>
    </feed>

A lone ``<entry>`` (copied out of a feed, its namespace declarations left behind)
is read as a feed of one.

A bad request answers (200 or 400) with a feed of one entry whose id is
``https://arxiv.org/api/errors#...`` (``http://`` in older answers) and whose title
is "Error"; that is a :class:`~reader.sources.SourceError` carrying the API's message.

Safety: a document with a ``<!DOCTYPE`` or ``<!ENTITY`` declaration is refused
before parsing (a feed never needs one), so no entity is ever expanded.

Mojibake: responses have been seen with UTF-8 encoded twice ("RamÃ­rez" for
"Ramírez"). A text field that reads as valid UTF-8 once encoded as Latin-1 is
repaired; correct text never passes that test, so it is left alone.
"""

from __future__ import annotations

import datetime
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from typing import cast
from xml.parsers.expat import ErrorString

from reader.ids import parse_arxiv_id
from reader.models import Paper
from reader.sources import Batch, SourceError, batch_of, brief
from reader.text import find_github_url, one_line

ATOM = "http://www.w3.org/2005/Atom"
ARXIV = "http://arxiv.org/schemas/atom"
OPENSEARCH = "http://a9.com/-/spec/opensearch/1.1/"

_A = f"{{{ATOM}}}"
_X = f"{{{ARXIV}}}"
# The id of arXiv's error entry, with either scheme (the real API answers https now).
_ERROR_ID = re.compile(r"https?://(?:export\.)?arxiv\.org/api/errors\b", re.IGNORECASE)

SNIFF_CHARS = 20_000
_FEED_ANYWHERE = re.compile(r"<(?:[\w.-]+:)?feed\b[^>]*=\s*[\"']http://www\.w3\.org/2005/Atom[\"']")
# The first element, after an optional XML declaration and comments.
_FIRST_ELEMENT = re.compile(
    r"""\A\s*
    (?P<decl><\?xml[^>]*\?>)?
    (?:\s*<!--(?:[^-]|-(?!->))*-->)*      # comments; no "-->" inside, so no backtracking
    \s*<(?:[\w.-]+:)?(?P<name>feed|entry)\b""",
    re.VERBOSE,
)
_DECLARATIONS = re.compile(r"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
# Longer than any text _DECLARATIONS matches but for its spaces (kept between chunks).
_DECLARATION_CHARS = 256
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
# A lone entry is wrapped in a feed that declares the namespaces a copied entry lacks.
_WRAPPER = f'<feed xmlns="{ATOM}" xmlns:arxiv="{ARXIV}" xmlns:opensearch="{OPENSEARCH}">'


def looks_like_arxiv_atom(text: str) -> bool:
    """Cheap guess that ``text`` is an Atom feed, or a lone Atom ``<entry>``."""
    head = text[:SNIFF_CHARS].lstrip("\ufeff")
    match = _FIRST_ELEMENT.match(head)
    if match and match["name"] == "entry":
        return True
    return bool(_FEED_ANYWHERE.search(head))


def parse_arxiv_atom(text: str, *, source: str) -> Batch:
    """Papers from an arXiv API Atom response, in feed order.

    ``source`` names the input in errors. Raises :class:`SourceError` for malformed
    XML (naming its line), a DOCTYPE/ENTITY declaration, a document that is not an
    Atom feed or entry, and the API's error feed. An entry without a title or an
    arXiv id is skipped and counted in :attr:`Batch.skipped`.
    """
    root = _parse(text, source)
    if root.tag == f"{_A}entry":
        entries = [root]
    elif root.tag == f"{_A}feed":
        entries = root.findall(f"{_A}entry")
    else:
        raise SourceError(source, None, "not an Atom feed: expected an arXiv API response")

    for entry in entries:
        _raise_if_api_error(entry, source)
    return batch_of("arxiv", (_to_paper(entry) for entry in entries))


def streams_as_feed(head: str) -> bool:
    """Whether a document starting so is an Atom feed (not a lone entry), which
    :func:`stream_arxiv_atom` reads an entry at a time."""
    head = head[:SNIFF_CHARS].lstrip("\ufeff")
    match = _FIRST_ELEMENT.match(head)
    return bool(match and match["name"] == "feed" and _FEED_ANYWHERE.search(head))


def stream_arxiv_atom(source: str, chunks: Iterable[str]) -> Iterator[Paper | None]:
    """The entries of an Atom feed whose text comes in ``chunks``, each as a Paper
    (None: skipped) as soon as it ends, so memory holds an entry, not the feed: the
    same papers and the same one-line errors as :func:`parse_arxiv_atom` on the whole
    text, an error coming when it is reached."""
    parser: ET.XMLPullParser[ET.Element] = ET.XMLPullParser(events=("start", "end"))
    depth = 0
    root: ET.Element | None = None
    seen = ""  # the end of the text before: a declaration may straddle two chunks
    lines = 0  # the line breaks before ``seen``
    for number, chunk in enumerate(chunks):
        text = chunk.lstrip("\ufeff") if number == 0 else chunk
        window = seen + text
        declaration = _DECLARATIONS.search(window)
        if declaration:
            line = lines + window.count("\n", 0, declaration.start()) + 1
            raise SourceError(source, line, "refusing XML with a DOCTYPE or ENTITY declaration")
        seen = window[-_DECLARATION_CHARS:]
        lines += window.count("\n", 0, len(window) - len(seen))
        for event, element in _events(parser, source, text):
            if event == "start":
                depth += 1
                if root is None:
                    root = element
                    if element.tag != f"{_A}feed":
                        raise SourceError(
                            source, None, "not an Atom feed: expected an arXiv API response"
                        )
                continue
            depth -= 1
            if depth == 1 and element.tag == f"{_A}entry" and root is not None:
                _raise_if_api_error(element, source)
                yield _to_paper(element)
                root.remove(element)  # read: let it go
    for _event, _element in _events(parser, source, None):
        pass  # the end of the document: only an error is left to find


def _events(
    parser: ET.XMLPullParser[ET.Element], source: str, text: str | None
) -> list[tuple[str, ET.Element]]:
    """What ``parser`` makes of ``text`` (None: the end of the document)."""
    try:
        if text is None:
            parser.close()
        else:
            parser.feed(text)
        # Only start and end events were asked for: each comes with its element.
        return cast("list[tuple[str, ET.Element]]", list(parser.read_events()))
    except ET.ParseError as error:
        raise _xml_error(source, error) from None
    except Exception as error:  # still the user's input
        raise SourceError(source, None, f"not valid XML: {brief(str(error))}") from None


def _xml_error(source: str, error: ET.ParseError) -> SourceError:
    line, column = error.position
    return SourceError(
        source, line, f"not valid XML: {ErrorString(error.code)} (column {column + 1})"
    )


def total_results(text: str) -> int | None:
    """How many results the whole query has (``opensearch:totalResults``).

    ``None`` when the feed does not say, or ``text`` is not a readable feed: the
    caller reads the same text with :func:`parse_arxiv_atom`, which reports why.
    """
    try:
        root = _parse(text, "<arXiv API>")
    except SourceError:
        return None
    value = one_line(root.findtext(f"{{{OPENSEARCH}}}totalResults") or "")
    return int(value) if value.isascii() and value.isdigit() else None


def _parse(text: str, source: str) -> ET.Element:
    """The document's root element; every failure is a :class:`SourceError`."""
    text = text.lstrip("\ufeff")
    declaration = _DECLARATIONS.search(text)
    if declaration:
        line = text.count("\n", 0, declaration.start()) + 1
        raise SourceError(source, line, "refusing XML with a DOCTYPE or ENTITY declaration")
    try:
        return ET.fromstring(_as_document(text))
    except ET.ParseError as error:
        raise _xml_error(source, error) from None
    except Exception as error:  # lone surrogates and the like: still the user's input
        raise SourceError(source, None, f"not valid XML: {brief(str(error))}") from None


def _as_document(text: str) -> str:
    """``text``, or a lone entry wrapped in a feed; line numbers stay the same."""
    match = _FIRST_ELEMENT.match(text)
    if not match or match["name"] != "entry":
        return text
    # The XML declaration may only open a document: drop it, keeping its line breaks.
    end = match.end("decl") if match["decl"] else 0
    return _WRAPPER + "\n" * text.count("\n", 0, end) + text[end:] + "</feed>"


def is_error_id(entry_id: str) -> bool:
    """Whether ``entry_id`` is the id of arXiv's error entry (``.../api/errors#...``)."""
    return _ERROR_ID.match(one_line(entry_id)) is not None


def _raise_if_api_error(entry: ET.Element, source: str) -> None:
    """The API reports a bad query as an entry titled "Error": make it a SourceError."""
    entry_id = entry.findtext(f"{_A}id") or ""
    title = one_line(entry.findtext(f"{_A}title") or "")
    if is_error_id(entry_id) and title.casefold() == "error":
        message = _text(entry, f"{_A}summary") or "unknown error"
        raise SourceError(source, None, f"arXiv API error: {brief(message)}")


def _to_paper(entry: ET.Element) -> Paper | None:
    """One entry as a Paper, or None when it has no title or no arXiv id."""
    arxiv_id = parse_arxiv_id(one_line(entry.findtext(f"{_A}id") or ""))
    title = _text(entry, f"{_A}title")
    if arxiv_id is None or not title:
        return None
    abstract = _text(entry, f"{_A}summary") or ""
    comment = _text(entry, f"{_X}comment")
    primary = entry.find(f"{_X}primary_category")
    return Paper(
        title=title,
        arxiv_id=arxiv_id.id,
        arxiv_version=arxiv_id.version,
        abstract=abstract,
        authors=tuple(
            name for author in entry.findall(f"{_A}author") if (name := _text(author, f"{_A}name"))
        ),
        published=_day(entry.findtext(f"{_A}published")),
        updated=_day(entry.findtext(f"{_A}updated")),
        categories=_categories(entry),
        primary_category=_attribute(primary, "term"),
        comment=comment,
        doi=_text(entry, f"{_X}doi"),
        journal_ref=_text(entry, f"{_X}journal_ref"),
        github_url=find_github_url(abstract) or find_github_url(comment or ""),
    )


def _text(element: ET.Element, path: str) -> str | None:
    """The child's text on one line, repaired; None when missing or blank."""
    return one_line(_unmangle(element.findtext(path) or "")) or None


def _attribute(element: ET.Element | None, name: str) -> str | None:
    if element is None:
        return None
    return one_line(_unmangle(element.get(name) or "")) or None


def _categories(entry: ET.Element) -> tuple[str, ...]:
    """Category terms in feed order, each once."""
    terms = (_attribute(category, "term") for category in entry.findall(f"{_A}category"))
    return tuple(dict.fromkeys(term for term in terms if term))


def _day(timestamp: str | None) -> str | None:
    """``2022-02-24T15:05:19Z`` -> ``2022-02-24``; None unless it is a real date."""
    match = _ISO_DAY.match((timestamp or "").strip())
    if not match:
        return None
    try:
        return datetime.date.fromisoformat(match[0]).isoformat()
    except ValueError:
        return None


def _unmangle(text: str) -> str:
    """Undo UTF-8 that was decoded as Latin-1 ("JosÃ©" -> "José"); other text unchanged."""
    if text.isascii():
        return text
    try:
        return text.encode("latin-1").decode("utf-8")
    except UnicodeError:  # not Latin-1 (so not mojibake), or not UTF-8 underneath
        return text
