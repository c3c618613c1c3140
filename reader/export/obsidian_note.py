"""One paper as an Obsidian note: the YAML front matter, written by hand (see
:mod:`reader.export.obsidian` for why), and the note made safe for Obsidian."""

from __future__ import annotations

import re
from collections.abc import Iterable

from reader.export.markdown_safety import neutralise
from reader.export.obsidian_merge import (
    MARKER_LINE,
    STAMP_KEY,
    ReaderPart,
    body_text,
    compose,
    hash_line,
)
from reader.models import Annotation, Paper
from reader.text import json_dumps_safe, normalise_title, one_line, safe_url, strip_controls

# The front matter key that marks a file as ours.
MARKER = "reader_id"


# Our own escapes of characters beyond U+FFFF: a JSON surrogate pair, which YAML reads
# as two lone surrogates; YAML's own \U form instead (an escaped backslash is not one).
_SURROGATE_PAIR = re.compile(r"(?<!\\)((?:\\\\)*)\\u(d[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})")


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


def reader_part(paper: Paper, annotation: Annotation) -> ReaderPart:
    """What reader writes of a paper: its front matter entries (but the bookkeeping
    ones) and the note, made safe for Obsidian."""
    urls = {
        "abs": paper.abs_url,
        "pdf": paper.pdf_url,
        "github": safe_url(paper.github_url),
        "hf": paper.hf_url,
        "doi": safe_url(paper.doi_url),
    }
    entries: list[tuple[str, list[str]]] = [
        ("title", [f"title: {yaml_string(paper.title)}"]),
        ("authors", _yaml_list("authors", paper.authors)),
        ("arxiv_id", [f"arxiv_id: {_yaml_scalar(paper.arxiv_id)}"]),
        ("urls", ["urls:", *(f"  {key}: {_yaml_scalar(url)}" for key, url in urls.items())]),
        ("tags", _yaml_list("tags", annotation.tags)),
    ]
    scalars: list[tuple[str, str | int | bool | None]] = [
        ("starred", annotation.starred),
        ("read", annotation.is_read),
        ("upvotes", paper.upvotes),
        ("published", paper.published),
        ("updated", paper.updated),
        ("featured", paper.featured),
    ]
    entries += [(key, [f"{key}: {_yaml_scalar(value)}"]) for key, value in scalars]
    return ReaderPart(tuple((key, tuple(lines)) for key, lines in entries), _note_part(annotation))


def _note_part(annotation: Annotation) -> str:
    """The note as reader's part of the body: made safe (Obsidian renders HTML and
    follows links, and the note may be someone else's), a code fence it leaves open
    closed (the marker line follows), a line that reads as the marker escaped."""
    note = strip_controls(annotation.note)
    if not note.strip():
        return ""
    safe = neutralise(note)
    text = body_text(safe.text) + (f"\n{safe.open_fence}" if safe.open_fence else "")
    lines = text.split("\n")
    return "\n".join(
        "\\" + line.lstrip(" \t") if line.strip(" \t") == MARKER_LINE else line for line in lines
    )


def bookkeeping(paper: Paper, *, user: str, exported_at: str) -> list[str]:
    """The front matter entries that are reader's own records: whose file, by whom, when."""
    return [
        f"{MARKER}: {yaml_string(reader_id(paper))}",
        f"reader_user: {yaml_string(user)}",
        f"{STAMP_KEY}: {yaml_string(exported_at)}",
    ]


def render_obsidian_note(
    paper: Paper, annotation: Annotation, *, user: str, exported_at: str
) -> str:
    """The whole new file for one paper: front matter, the note, the marker line below
    which the file is the user's; ends with a newline."""
    part = reader_part(paper, annotation)
    entries = [list(lines) for _, lines in part.entries]
    entries.append([*bookkeeping(paper, user=user, exported_at=exported_at), hash_line(part)])
    return compose(entries, part.note, "")
