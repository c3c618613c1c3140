"""PaperDetail: everything about the highlighted paper, and the user's note."""

from __future__ import annotations

import re

from rich.console import Group
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Markdown, Static

from reader.limits import (
    ABSTRACT_CHARS,
    NOTE_CHARS,
    PROSE_CHARS,
    TAG_CHARS,
    TAGS,
    TITLE_CHARS,
    cut,
)
from reader.models import Annotation, Paper
from reader.note_links import note_parser
from reader.text import one_line, safe_url, shorten, strip_controls
from reader.tui.system import open_in_browser

# The author names shown before the abstract, at most (characters).
AUTHORS_SHOWN_CHARS = 5_000


class PaperDetail(VerticalScroll, can_focus=False):
    """Title, authors, dates, upvotes, links, abstract and note of one paper."""

    DEFAULT_CSS = """
    PaperDetail {
        padding: 0 1;
        & > #detail-title { text-style: bold; color: $text; margin: 1 0 0 0; }
        & > #detail-meta { color: $text-muted; margin: 1 0 0 0; }
        & > #detail-links { margin: 1 0 0 0; }
        & > #detail-abstract { margin: 1 0 0 0; }
        & > #detail-note-heading { margin: 1 0 0 0; color: $text-success; text-style: bold; }
        & > #detail-note { margin: 0; padding: 0 0 0 1; background: transparent;
                           border-left: outer $success-darken-2; }
        & > .-hidden { display: none; }
    }
    """

    def compose(self) -> ComposeResult:
        yield Static(id="detail-title")
        yield Static(id="detail-meta")
        yield Static(id="detail-links")
        # The user's own words come before the abstract: they are what they came back for.
        yield Static(Text("Your note"), id="detail-note-heading")
        # Only http(s) links are links (note_parser), and they open only through our
        # own check, never directly.
        yield Markdown(id="detail-note", open_links=False, parser_factory=note_parser)
        yield Static(id="detail-abstract")

    def show(self, paper: Paper | None, mark: Annotation | None, *, empty_message: str) -> None:
        """Show ``paper`` (or ``empty_message`` when there is none)."""
        title = self.query_one("#detail-title", Static)
        if paper is None:
            # The first paragraph as the heading; what to do next as plain text.
            first, _, rest = empty_message.partition("\n\n")
            title.update(Text(first, style="italic"))
            self.query_one("#detail-meta", Static).update(_advice(rest))
            for part in ("#detail-links", "#detail-abstract"):
                self.query_one(part, Static).update("")
            self._show_note("")
            return
        mark = mark or Annotation(paper.id or 0)
        # Bounded as an import bounds them: a shared library file may hold megabytes.
        heading = Text(one_line(cut(paper.title, TITLE_CHARS)))
        if mark.starred:
            heading = Text.assemble("★ ", heading)
        title.update(heading)
        self.query_one("#detail-meta", Static).update(_meta_text(paper, mark))
        self.query_one("#detail-links", Static).update(_links_text(paper))
        abstract = strip_controls(cut(paper.abstract, ABSTRACT_CHARS)).strip()
        self.query_one("#detail-abstract", Static).update(
            Text(abstract) if abstract else Text(no_abstract(paper), style="italic")
        )
        self._show_note(mark.note)
        self.scroll_home(animate=False)

    def _show_note(self, note: str) -> None:
        has_note = bool(note.strip())
        self.query_one("#detail-note-heading").set_class(not has_note, "-hidden")
        markdown = self.query_one("#detail-note", Markdown)
        markdown.set_class(not has_note, "-hidden")
        source = strip_controls(cut(note, NOTE_CHARS)) if has_note else ""
        # Rebuilding the Markdown widget costs a DOM rebuild: only when the note differs.
        if source != markdown.source:
            markdown.update(source)

    @on(events.Click, "#detail-links")
    def _open_link(self, event: events.Click) -> None:
        """A click on one of the paper's links opens it, as o, p, g and h do."""
        if event.style.link:
            event.stop()
            self._open_url(event.style.link)

    @on(Markdown.LinkClicked)
    def _open_note_link(self, event: Markdown.LinkClicked) -> None:
        event.stop()
        self._open_url(event.href)

    def _open_url(self, href: str) -> None:
        """Open ``href`` if it is an http(s) URL; else say why not."""
        url = safe_url(href)
        if url is None:
            self.notify(
                f"Not opening {one_line(href)!r}: only http(s) links open.",
                severity="warning",
                markup=False,
            )
        elif not open_in_browser(self.app, url):
            self.notify(shorten(url), title="No browser here: the link is", markup=False)


def no_abstract(paper: Paper) -> str:
    """What the detail pane says for a paper without an abstract: where to find it."""
    if paper.arxiv_id and safe_url(paper.abs_url):
        return (
            "No abstract in the library. Press o to read it on the arXiv page, "
            f"or fetch it from a shell: reader add {paper.arxiv_id}"
        )
    return "No abstract in the library, and no arXiv id to fetch one by."


def _meta_text(paper: Paper, mark: Annotation) -> Text:
    lines = []
    if paper.author_label:
        lines.append(one_line(cut(paper.author_label, AUTHORS_SHOWN_CHARS)))
    facts = []
    if paper.published:
        facts.append(f"Published {paper.published}")
    if paper.updated and paper.updated != paper.published:
        facts.append(f"updated {paper.updated}")
    if paper.featured:
        facts.append(f"on HF {paper.featured}")
    if paper.upvotes is not None:
        facts.append(f"▲ {paper.upvotes} upvote" + ("" if paper.upvotes == 1 else "s"))
    if facts:
        lines.append(" · ".join(facts))
    where = []
    if paper.arxiv_id:
        version = f"v{paper.arxiv_version}" if paper.arxiv_version else ""
        where.append(f"arXiv {paper.arxiv_id}{version}")
    if paper.primary_category or paper.categories:
        where.append(" ".join(dict.fromkeys((paper.primary_category or "", *paper.categories))))
    for extra in (paper.journal_ref, paper.comment):
        if extra:
            where.append(cut(extra, PROSE_CHARS))
    if where:
        lines.append(one_line(" · ".join(part for part in where if part.strip())))
    state = [f"Read {mark.read_at[:10]}" if mark.read_at else "Unread"]
    if mark.tags:
        state.append(" ".join(f"#{cut(tag, TAG_CHARS)}" for tag in mark.tags[:TAGS]))
    lines.append(one_line(" · ".join(state)))
    return Text("\n".join(lines))


def _links_text(paper: Paper) -> Text:
    text = Text()
    links = (
        ("arXiv", paper.abs_url),
        ("PDF", paper.pdf_url),
        ("GitHub", paper.github_url),
        ("Hugging Face", paper.hf_url),
        ("DOI", paper.doi_url),
        ("Web", paper.url),
    )
    for label, url in links:
        url = safe_url(url)
        if url is None:
            continue
        if text:
            text.append("\n")
        text.append(f"{label}: ", "bold")
        text.append(url, Style(link=url, underline=True))
    if not text:
        text.append("No links: this paper has no arXiv id yet.", "italic")
    return text


# "  reader import FILE     what it does": a command and what it is for.
_COMMAND_LINE = re.compile(r"^\s+(\S.*?)\s{2,}(\S.*)$")


def _advice(text: str) -> Group:
    """What to do next: prose, and commands with what they do beside them, in two
    columns that wrap the second (a narrow pane would break the lines anywhere)."""
    parts: list[Text | Table] = []
    table: Table | None = None
    for line in text.splitlines():
        match = _COMMAND_LINE.match(line)
        if match is None:
            table = None
            parts.append(Text(line))
            continue
        if table is None:
            table = Table.grid(padding=(0, 2))
            table.add_column(no_wrap=True, style="bold")
            table.add_column()
            parts.append(table)
        table.add_row(Text(match.group(1)), Text(match.group(2)))
    return Group(*parts)
