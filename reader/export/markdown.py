"""A user's starred and noted papers as one Markdown document, grouped by tag.

The document is ``# Reading notes of USER``, a count line, then a ``##`` section per
tag in alphabetical order and a last ``## Untagged`` section for papers without
tags. Each paper appears once, in the section of its first tag (the first its Tags
line lists); the sections of its other tags name it in an "Also tagged" line, so the
count line, the headings and the notes agree. Inside a section, papers keep the
given order, each a ``###`` heading (linked to arXiv when the id is known), a list of
facts, each ``**Label:** value`` (authors, dates, upvotes, tags, starred and read,
links), and the note.

Paper metadata is data and is escaped; the note is the user's own Markdown and goes in
as written, except what a Markdown viewer would run: raw HTML and links to anything
but http(s) (a note may come from someone else's export); and its headings go below
the paper's (a note's ``# Key idea`` becomes ``#### Key idea``), so the document's
outline stays papers within tags. Nothing here does I/O: the caller picks the papers
and writes the text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import quote

from reader.export.markdown_outline import demote_headings
from reader.export.markdown_safety import neutralise
from reader.models import Annotation, Paper, papers_label
from reader.text import one_line, safe_url, strip_controls

# One pass, so an escaping backslash is never itself escaped again.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")
_TRAILING_BLANK = re.compile(r"(?:\n[ \t]*)+\Z")
# What a note follows, as far as its structure goes: a list item, then a blank line.
_AFTER_FACTS = "- fact\n\n"
_EMPTY = "No starred or noted papers yet."
_UNTAGGED = "Untagged"
# The level of a paper's heading: a note's headings go below it.
_PAPER_LEVEL = 3


def escape_text(text: str) -> str:
    """``text`` on one line, controls removed, Markdown-significant characters escaped."""
    return _MD_SPECIAL.sub(r"\\\1", one_line(text))


def link_url(url: str | None) -> str | None:
    """An http(s) ``url`` fit for a link destination, or None."""
    url = safe_url(url)
    if url is None:
        return None
    # Percent-encode what could end the destination early: ( ) < > \ and non-ASCII.
    return quote(url, safe="/:?#[]@!$&'*+,;=%~")


def _note_block(note: str) -> str:
    """The note as written (controls stripped, trailing blank lines dropped), made safe
    for a Markdown viewer (:func:`~reader.export.markdown_safety.neutralise`), its
    headings below the paper's.

    If the note leaves a code fence open, the matching closing line is appended so the
    next paper is not swallowed by it.
    """
    # It follows the paper's list of facts: an indented first line continues the list.
    safe = neutralise(_TRAILING_BLANK.sub("", strip_controls(note)), after=_AFTER_FACTS)
    # After neutralise: HTML made inert can leave a heading where there was none.
    text = demote_headings(safe.text, below=_PAPER_LEVEL, after=_AFTER_FACTS)
    body = _TRAILING_BLANK.sub("", text)
    return f"{body}\n{safe.open_fence}" if safe.open_fence else body


def _paper_block(paper: Paper, annotation: Annotation) -> str:
    """One paper: heading, metadata list, then the note; ends with one newline."""
    title = escape_text(paper.title) or "Untitled"
    abs_url = link_url(paper.abs_url)
    lines = [f"### [{title}]({abs_url})" if abs_url else f"### {title}"]

    authors = escape_text(paper.author_label)
    if authors:
        lines.append(f"- **Authors:** {authors}")

    facts = [
        f"**{label}:** {escape_text(value)}"
        for label, value in (
            ("Published", paper.published),
            ("Updated", paper.updated),
            ("Featured", paper.featured),
        )
        if value
    ]
    if paper.upvotes is not None:
        facts.append(f"**Upvotes:** {paper.upvotes}")
    if facts:
        lines.append("- " + " · ".join(facts))

    tags = [escape_text(tag) for tag in annotation.tags if one_line(tag)]
    if tags:
        lines.append("- **Tags:** " + ", ".join(tags))

    starred = "yes" if annotation.starred else "no"
    read = "no"
    if annotation.read_at is not None:
        # An ISO timestamp; its date is what a reader wants to see.
        read = escape_text(annotation.read_at[:10]) or "yes"
    lines.append(f"- **Starred:** {starred} · **Read:** {read}")

    links = [f"[arXiv]({abs_url})"] if abs_url else []  # checked once, for the heading
    links += [
        f"[{label}]({url})"
        for label, raw in (
            ("PDF", paper.pdf_url),
            ("Code", paper.github_url),
            ("Hugging Face", paper.hf_url),
            ("DOI", paper.doi_url),
            ("Page", paper.url),
        )
        if (url := link_url(raw))
    ]
    if links:
        lines.append("- **Links:** " + " · ".join(links))

    block = "\n".join(lines) + "\n"
    note = _note_block(annotation.note) if annotation.has_note else ""
    if note.strip():
        block += "\n" + note + "\n"
    return block


@dataclass(slots=True)
class _Section:
    """One tag's section: the papers shown in it, and the titles of those shown under
    another of their tags."""

    heading: str
    papers: list[tuple[Paper, Annotation]] = field(default_factory=list)
    also: list[tuple[str, str]] = field(default_factory=list)  # (title, where it is)


def _sections(items: Sequence[tuple[Paper, Annotation]]) -> list[_Section]:
    """Tags alphabetically, then untagged papers; each paper in its first tag's section."""
    by_tag: dict[str, _Section] = {}
    untagged = _Section(_UNTAGGED)
    for paper, annotation in items:
        # A tag listed twice on one paper must not list the paper twice.
        tags = list(dict.fromkeys(t for tag in annotation.tags if (t := one_line(tag))))
        if not tags:
            untagged.papers.append((paper, annotation))
            continue
        sections = [by_tag.setdefault(tag, _Section(escape_text(tag))) for tag in tags]
        sections[0].papers.append((paper, annotation))
        title = escape_text(paper.title) or "Untitled"
        for section in sections[1:]:
            section.also.append((title, sections[0].heading))
    ordered = [by_tag[tag] for tag in sorted(by_tag)]
    return [*ordered, untagged] if untagged.papers else ordered


def _section_text(section: _Section) -> str:
    parts = [f"## {section.heading}\n"]
    parts += [_paper_block(paper, annotation) for paper, annotation in section.papers]
    if section.also:
        where = " · ".join(f"{title} (under {tag})" for title, tag in section.also)
        parts.append(f"**Also tagged {section.heading}:** {where}\n")
    return "\n".join(parts)


def render_markdown(items: Sequence[tuple[Paper, Annotation]], *, user: str, today: str) -> str:
    """One Markdown document of ``items`` (paper, the user's annotation), grouped by tag.

    A ``##`` section per tag, alphabetically, then ``## Untagged``; each paper once,
    under its first tag, named in its other tags' sections; within a section the
    papers keep the given order. Titles, authors, tags and ``user`` are escaped; a note
    is copied as written (terminal controls removed, raw HTML and links but http(s)
    made inert, an unclosed code fence closed, its headings below the paper's) and
    followed by a blank line, so it cannot run into the next paper. Ends with exactly
    one newline.
    """
    header = (
        f"# Reading notes of {escape_text(user)}\n\n"
        f"{papers_label(len(items))} · exported {escape_text(today)} by reader\n"
    )
    if not items:
        return f"{header}\n{_EMPTY}\n"
    return header + "\n" + "\n".join(_section_text(s) for s in _sections(items))
