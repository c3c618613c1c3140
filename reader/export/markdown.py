"""A user's starred and noted papers as one Markdown document.

Paper metadata is data and is escaped; the note is the user's own Markdown and goes in
as written. Nothing here does I/O: the caller picks the papers and writes the text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import quote

from markdown_it import MarkdownIt

from reader.models import Annotation, Paper
from reader.text import one_line, safe_url, strip_controls

# One pass, so an escaping backslash is never itself escaped again.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")
_TRAILING_BLANK = re.compile(r"(?:\n[ \t]*)+\Z")
# CommonMark, as the exported file will be read; used only to check a note is self-contained.
_MD = MarkdownIt("commonmark")
# Lines that end the HTML blocks a blank line does not end (CommonMark types 1-5).
_HTML_CLOSERS = ("-->", "</pre>", "</script>", "</style>", "</textarea>", "?>", "]]>", ">")
_EMPTY = "No starred or noted papers yet."


def _escape(text: str) -> str:
    """``text`` on one line, controls removed, Markdown-significant characters escaped."""
    return _MD_SPECIAL.sub(r"\\\1", one_line(text))


def _link_url(url: str | None) -> str | None:
    """An http(s) ``url`` fit for a link destination, or None."""
    url = safe_url(url)
    if url is None:
        return None
    # Percent-encode what could end the destination early: ( ) < > \ and non-ASCII.
    return quote(url, safe="/:?#[]@!$&'*+,;=%~")


def _contained(body: str) -> bool:
    """Whether a heading after ``body`` and a blank line still parses as a heading."""
    tokens = _MD.parse(body + "\n\n# end\n")
    sentinel_line = body.count("\n") + 2
    return (
        len(tokens) >= 3
        and tokens[-3].type == "heading_open"
        and tokens[-3].level == 0
        and tokens[-3].map is not None
        and tokens[-3].map[0] == sentinel_line
    )


def _note_block(note: str) -> str:
    """The note verbatim (controls stripped, trailing blank lines dropped).

    If the note leaves a code fence or HTML block open, which a blank line does not end,
    the matching closing line is appended so the next paper is not swallowed by it.
    """
    body = _TRAILING_BLANK.sub("", strip_controls(note))
    if _contained(body):
        return body
    fences = [t.markup for t in _MD.parse(body) if t.type == "fence" and t.level == 0]
    for closer in fences[-1:] + list(_HTML_CLOSERS):
        if _contained(fixed := f"{body}\n{closer}"):
            return fixed
    return body


def _paper_block(paper: Paper, annotation: Annotation) -> str:
    """One paper: heading, metadata list, then the note; ends with one newline."""
    title = _escape(paper.title) or "Untitled"
    abs_url = _link_url(paper.abs_url)
    lines = [f"## [{title}]({abs_url})" if abs_url else f"## {title}"]

    authors = _escape(paper.author_label)
    if authors:
        lines.append(f"- **Authors:** {authors}")

    facts = []
    if paper.published:
        facts.append(f"**Published:** {_escape(paper.published)}")
    if paper.upvotes is not None:
        facts.append(f"**Upvotes:** {paper.upvotes}")
    if facts:
        lines.append("- " + " · ".join(facts))

    if annotation.starred:
        lines.append("- **Starred** ★")

    links = [
        f"[{label}]({url})"
        for label, raw in (
            ("arXiv", paper.abs_url),
            ("PDF", paper.pdf_url),
            ("Code", paper.github_url),
            ("Hugging Face", paper.hf_url),
        )
        if (url := _link_url(raw))
    ]
    if links:
        lines.append("- **Links:** " + " · ".join(links))

    block = "\n".join(lines) + "\n"
    note = _note_block(annotation.note) if annotation.has_note else ""
    if note.strip():
        block += "\n" + note + "\n"
    return block


def render_markdown(items: Sequence[tuple[Paper, Annotation]], *, user: str, today: str) -> str:
    """One Markdown document of ``items`` (paper, the user's annotation), in the given order.

    Titles, authors and ``user`` are escaped; a note is copied verbatim (terminal controls
    removed) and followed by a blank line, so it cannot run into the next paper. Ends with
    exactly one newline.
    """
    n = len(items)
    count = f"{n} paper" + ("" if n == 1 else "s")
    header = (
        f"# Reading notes of {_escape(user)}\n\n{count} · exported {_escape(today)} by reader\n"
    )
    if not items:
        return f"{header}\n{_EMPTY}\n"
    blocks = [_paper_block(paper, annotation) for paper, annotation in items]
    return header + "\n" + "\n".join(blocks)
