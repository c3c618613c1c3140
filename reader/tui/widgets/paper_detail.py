"""PaperDetail: everything about the highlighted paper, and the user's note."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Markdown, Static

from reader.models import Annotation, Paper
from reader.text import one_line, safe_url, strip_controls


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
        # Links in a note open only through our own http(s) check, never directly.
        yield Markdown(id="detail-note", open_links=False)
        yield Static(id="detail-abstract")

    def show(self, paper: Paper | None, mark: Annotation | None, *, empty_message: str) -> None:
        """Show ``paper`` (or ``empty_message`` when there is none)."""
        title = self.query_one("#detail-title", Static)
        if paper is None:
            title.update(Text(empty_message, style="italic"))
            for part in ("#detail-meta", "#detail-links", "#detail-abstract"):
                self.query_one(part, Static).update("")
            self._show_note("")
            return
        mark = mark or Annotation(paper.id or 0)
        heading = Text(one_line(paper.title))
        if mark.starred:
            heading = Text.assemble("★ ", heading)
        title.update(heading)
        self.query_one("#detail-meta", Static).update(_meta_text(paper, mark))
        self.query_one("#detail-links", Static).update(_links_text(paper))
        abstract = strip_controls(paper.abstract).strip() or "No abstract."
        self.query_one("#detail-abstract", Static).update(Text(abstract))
        self._show_note(mark.note)
        self.scroll_home(animate=False)

    def _show_note(self, note: str) -> None:
        has_note = bool(note.strip())
        self.query_one("#detail-note-heading").set_class(not has_note, "-hidden")
        markdown = self.query_one("#detail-note", Markdown)
        markdown.set_class(not has_note, "-hidden")
        source = strip_controls(note) if has_note else ""
        # Rebuilding the Markdown widget costs a DOM rebuild: only when the note differs.
        if source != markdown.source:
            markdown.update(source)

    @on(Markdown.LinkClicked)
    def _open_note_link(self, event: Markdown.LinkClicked) -> None:
        event.stop()
        url = safe_url(event.href)
        if url is None:
            self.notify(
                f"Not opening {one_line(event.href)!r}: only http(s) links open.",
                severity="warning",
                markup=False,
            )
        else:
            self.app.open_url(url)


def _meta_text(paper: Paper, mark: Annotation) -> Text:
    lines = []
    if paper.author_label:
        lines.append(one_line(paper.author_label))
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
            where.append(extra)
    if where:
        lines.append(one_line(" · ".join(part for part in where if part.strip())))
    state = [f"Read {mark.read_at[:10]}" if mark.read_at else "Unread"]
    if mark.tags:
        state.append(" ".join(f"#{tag}" for tag in mark.tags))
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
