"""PaperDetail: everything about the highlighted paper, and the user's note."""

from __future__ import annotations

import re
from collections.abc import Sequence

from rich.console import Group
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.geometry import Size
from textual.widgets import Markdown, Static

from reader import keymap
from reader.limits import (
    ABSTRACT_CHARS,
    AUTHOR_CHARS,
    NOTE_CHARS,
    PROSE_CHARS,
    TAG_CHARS,
    TAGS,
    TITLE_CHARS,
    cut,
)
from reader.models import Annotation, Paper, PaperUpdate
from reader.note_links import note_parser
from reader.text import one_line, safe_url, shorten, strip_controls
from reader.tui.keys import key_said, key_shown
from reader.tui.system import open_in_browser
from reader.updates import lines as update_lines

# The author names shown before the abstract, at most (characters).
AUTHORS_SHOWN_CHARS = 5_000
# A long author list shows this many names and "+ N more" (A or a click shows all);
# a list only a name or two longer is shown whole: "+ 1 more" saves nothing.
AUTHORS_FOLDED = 5
AUTHORS_FOLD_FROM = AUTHORS_FOLDED + 3
# Hugging Face's AI keywords shown, at most.
KEYWORDS_SHOWN = 12
# The style meta a click on "+ N more" carries.
_MORE_AUTHORS = "more-authors"


class _Text(Static):
    """A part of the pane: text that scrolls with the pane, never by itself."""

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        # Its virtual size is its size (it does not scroll): telling the screen that
        # it changed only lays the screen out a second time, a frame later.
        return super()._size_updated(size, virtual_size, container_size, layout=False)


class PaperDetail(VerticalScroll, can_focus=False):
    """Title, authors, dates, upvotes, links, note, AI summary and abstract of one paper."""

    DEFAULT_CSS = """
    PaperDetail {
        padding: 0 1;
        & > #detail-title { text-style: bold; color: $text; margin: 1 0 0 0; }
        & > #detail-authors { color: $text-muted; margin: 1 0 0 0; }
        & > #detail-meta { color: $text-muted; }
        & > #detail-updates { color: $text-muted; }
        & > #detail-updates.-unseen { color: $text-warning; }
        & > #detail-rules { color: $text-warning; }
        & > #detail-links { margin: 1 0 0 0; }
        & > #detail-why { margin: 1 0 0 0; padding: 0 0 0 1; color: $text-muted;
                          border-left: outer $primary-darken-2; }
        & > #detail-lab { margin: 1 0 0 0; padding: 0 0 0 1;
                          border-left: outer $warning-darken-2; }
        & > #detail-note-heading { margin: 1 0 0 0; color: $text-success; text-style: bold; }
        & > #detail-note { margin: 0; padding: 0 0 0 1; background: transparent;
                           border-left: outer $success-darken-2;
                           /* The blocks' own outer margins would draw empty lines
                              inside the border. */
                           & > *:first-child { margin-top: 0; }
                           & > *:last-child { margin-bottom: 0; } }
        & > #detail-summary-heading { margin: 1 0 0 0; color: $text-accent; text-style: bold; }
        & > #detail-summary { padding: 0 0 0 1; border-left: outer $accent-darken-2; }
        & > #detail-abstract-heading { margin: 1 0 0 0; color: $text-muted; text-style: bold; }
        & > #detail-abstract { margin: 1 0 0 0; }
        & > #detail-abstract.-headed { margin: 0; }
        & > .-hidden { display: none; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._paper: Paper | None = None
        self._mark: Annotation | None = None
        # What the rules did to the paper on show, as shown (see _show_rules).
        self._rules_shown: tuple[str, ...] = ()
        # Whether every author of the paper on show is listed (A): per paper.
        self._all_authors = False
        # Whether AI summaries are folded away (a): for every paper, until a again.
        self.summary_folded = False
        # Whether the note on show is shared with the lab (its heading says so).
        self._note_shared = False

    def compose(self) -> ComposeResult:
        yield _Text(id="detail-title")
        # A newer arXiv version, code that appeared: what imports brought since, under
        # the title (what a user looking at a starred paper's update came for).
        yield _Text(id="detail-updates", classes="-hidden")
        yield _Text(id="detail-authors")
        yield _Text(id="detail-meta")
        # What the config's rules did to the paper, and which rule (hid it, tagged it).
        yield _Text(id="detail-rules", classes="-hidden")
        yield _Text(id="detail-links")
        # Why the For you ranking puts the paper where it is (once there is a ranking).
        yield _Text(id="detail-why", classes="-hidden")
        # What the lab's other users starred, tagged and shared of their notes.
        yield _Text(id="detail-lab", classes="-hidden")
        # The user's own words come before the abstract: they are what they came back for.
        yield _Text(Text("Your note"), id="detail-note-heading")
        # Only http(s) links are links (note_parser), and they open only through our
        # own check, never directly.
        yield Markdown(id="detail-note", open_links=False, parser_factory=note_parser)
        # Hugging Face's AI summary, labelled as such, above the abstract it summarises.
        yield _Text(id="detail-summary-heading")
        yield _Text(id="detail-summary")
        yield _Text(Text("Abstract"), id="detail-abstract-heading")
        yield _Text(id="detail-abstract")

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        # Another paper makes the pane's text taller or shorter: that changes only how
        # far it scrolls, unless the scrollbar comes or goes (the text then wraps in
        # another width). Laying the screen out again for it, a frame later, redrew
        # the whole pane a second time for each paper shown.
        same_box = size == self._size and container_size == self._container_size
        if layout and same_box and virtual_size.width == self.virtual_size.width:
            overflows = virtual_size.height > container_size.height
            layout = overflows != (self.virtual_size.height > self._container_size.height)
        return super()._size_updated(size, virtual_size, container_size, layout=layout)

    @property
    def paper(self) -> Paper | None:
        """The paper on show."""
        return self._paper

    def show(
        self,
        paper: Paper | None,
        mark: Annotation | None,
        *,
        empty_message: str,
        rules: Sequence[str] = (),
        updates: Sequence[PaperUpdate] = (),
        unseen: Sequence[PaperUpdate] = (),
    ) -> None:
        """Show ``paper`` (or ``empty_message`` when there is none); ``rules``: what
        the config's rules did to it, a line each; its ``updates`` (those ``unseen``
        since the inbox mark said so)."""
        self._show_rules(rules if paper is not None else ())
        if paper is None or self._paper is None or paper.id != self._paper.id:
            self._all_authors = False  # a long list folds again on another paper
        self._paper, self._mark = paper, mark
        title = self.query_one("#detail-title", Static)
        if paper is None:
            # The first paragraph as the heading; what to do next as plain text.
            first, _, rest = empty_message.partition("\n\n")
            title.update(Text(first, style="italic"))
            self.query_one("#detail-authors", Static).update(_advice(rest))
            for part in ("#detail-meta", "#detail-links", "#detail-abstract"):
                self.query_one(part, Static).update("")
            self._show_updates((), ())
            self._show_summary(None)
            self._show_note("")
            return
        mark = mark or Annotation(paper.id or 0)
        # Bounded as an import bounds them: a shared library file may hold megabytes.
        heading = Text(one_line(cut(paper.title, TITLE_CHARS)))
        if mark.starred:
            heading = Text.assemble("★ ", heading)
        title.update(heading)
        self._show_authors()
        self.query_one("#detail-meta", Static).update(_meta_text(paper, mark))
        self._show_updates(updates, unseen)
        lookup_key = self._key("library.lookup")
        self.query_one("#detail-links", Static).update(links_text(paper, lookup_key=lookup_key))
        abstract = strip_controls(cut(paper.abstract, ABSTRACT_CHARS)).strip()
        self.query_one("#detail-abstract", Static).update(
            Text(abstract)
            if abstract
            else Text(no_abstract(paper, key_said(self.app, "open.abs")), style="italic")
        )
        self._show_summary(paper)
        self._show_note(mark.note)
        self.scroll_home(animate=False)

    def _show_updates(self, updates: Sequence[PaperUpdate], unseen: Sequence[PaperUpdate]) -> None:
        part = self.query_one("#detail-updates", Static)
        part.set_class(not updates, "-hidden")
        part.set_class(bool(unseen), "-unseen")
        if updates:
            part.update(updates_text(updates, unseen))

    def _show_rules(self, lines: Sequence[str]) -> None:
        shown = tuple(one_line(line) for line in lines)
        if shown == self._rules_shown:
            return  # most papers: none, as before (no layout for nothing)
        self._rules_shown = shown
        part = self.query_one("#detail-rules", Static)
        part.update(Text("\n".join(shown)))
        part.set_class(not shown, "-hidden")

    def show_why(self, why: Text | None) -> None:
        """Show (or, with None, hide) why the For you ranking places the paper so."""
        part = self.query_one("#detail-why", Static)
        if why is None:
            if not part.has_class("-hidden"):
                part.add_class("-hidden")
            return
        part.update(why)
        part.remove_class("-hidden")

    def show_lab(self, lab: Text | None, *, note_shared: bool = False) -> None:
        """Show (or, with None, hide) the lab's marks on the paper; ``note_shared``:
        the user's own note is shared with the lab (its heading says so)."""
        part = self.query_one("#detail-lab", Static)
        if lab is None:
            if not part.has_class("-hidden"):
                part.add_class("-hidden")
        else:
            part.update(lab)
            part.remove_class("-hidden")
        if note_shared != self._note_shared:  # drawn again only when it changes
            self._note_shared = note_shared
            heading = "Your note · shared with the lab" if note_shared else "Your note"
            self.query_one("#detail-note-heading", Static).update(Text(heading))

    def toggle_authors(self) -> bool:
        """List every author of a long list, or fold it again; False when the paper
        on show has no list to fold."""
        paper = self._paper
        if paper is None or len(paper.authors) < AUTHORS_FOLD_FROM:
            return False
        self._all_authors = not self._all_authors
        self._show_authors()
        return True

    def toggle_summary(self) -> bool:
        """Fold AI summaries away, or show them again (for every paper, not this one
        only); False when the paper on show has none."""
        if self._paper is None or not _summary(self._paper):
            return False
        self.summary_folded = not self.summary_folded
        self._show_summary(self._paper)
        return True

    def _show_authors(self) -> None:
        assert self._paper is not None
        key = self._key("library.authors")
        self.query_one("#detail-authors", Static).update(
            authors_text(self._paper, every=self._all_authors, key=key)
        )

    def _show_summary(self, paper: Paper | None) -> None:
        summary = _summary(paper) if paper is not None else ""
        heading = self.query_one("#detail-summary-heading", Static)
        body = self.query_one("#detail-summary", Static)
        heading.set_class(not summary, "-hidden")
        body.set_class(not summary or self.summary_folded, "-hidden")
        # Two summaries of one paper: the abstract is named, so it is told from the AI's.
        self.query_one("#detail-abstract-heading").set_class(not summary, "-hidden")
        self.query_one("#detail-abstract").set_class(bool(summary), "-headed")
        if not summary:
            return
        key = self._key("library.fold_summary")
        if self.summary_folded:
            note = f"folded: {key} shows it"
        else:
            note = f"{key} folds it"
            body.update(Text(summary))
        heading.update(Text.assemble("AI summary by Hugging Face ", (note, "dim")))

    def _key(self, binding_id: str) -> str:
        """The key the user has for ``binding_id`` (remapped in the config, or not)."""
        if not self.is_attached:
            return keymap.default_keys()[binding_id].split(",")[0]
        return key_shown(self.app, binding_id)

    @on(events.Click, "#detail-authors")
    def _more_authors(self, event: events.Click) -> None:
        """A click on "+ N more" lists every author (as A does)."""
        if event.style.meta.get(_MORE_AUTHORS):
            event.stop()
            self.toggle_authors()

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


def no_abstract(paper: Paper, open_key: str) -> str:
    """What the detail pane says for a paper without an abstract: where to find it
    (``open_key``: the key that opens the arXiv page, as the user has it)."""
    if paper.arxiv_id and safe_url(paper.abs_url):
        return (
            f"No abstract in the library. Press {open_key} to read it on the arXiv page, "
            f"or fetch it from a shell: reader add {paper.arxiv_id}"
        )
    return "No abstract in the library, and no arXiv id to fetch one by."


def _summary(paper: Paper) -> str:
    """The paper's AI summary as it is shown: bounded, without controls."""
    return strip_controls(cut(paper.ai_summary or "", PROSE_CHARS)).strip()


def authors_text(paper: Paper, *, every: bool = False, key: str = "A") -> Text:
    """The author names (the first few and "+ N more" for a long list, unless
    ``every``), or the count alone when no names are known. ``key`` shows and folds
    a long list."""
    names = paper.authors
    if len(names) < AUTHORS_FOLD_FROM or every:
        label = one_line(cut(paper.author_label, AUTHORS_SHOWN_CHARS))
        if len(names) >= AUTHORS_FOLD_FROM:
            return Text.assemble(label, " ", (f"({key} folds the list)", "dim"))
        return Text(label)
    shown = ", ".join(one_line(cut(name, AUTHOR_CHARS)) for name in names[:AUTHORS_FOLDED])
    more = f"+ {len(names) - AUTHORS_FOLDED} more"
    return Text.assemble(
        shown, " ", (more, Style(underline=True, meta={_MORE_AUTHORS: True})), (f" ({key})", "dim")
    )


def _count(count: int, one: str, many: str) -> str:
    return f"{count:,} {one if count == 1 else many}"


def _meta_text(paper: Paper, mark: Annotation) -> Text:
    lines = []
    facts = []
    if paper.published:
        facts.append(f"Published {paper.published}")
    if paper.updated and paper.updated != paper.published:
        facts.append(f"updated {paper.updated}")
    if paper.featured:
        facts.append(f"on HF {paper.featured}")
    if facts:
        lines.append(" · ".join(facts))
    # What Hugging Face counts: how many liked it, talked about it, starred its code.
    counts = []
    if paper.upvotes is not None:
        counts.append("▲ " + _count(paper.upvotes, "upvote", "upvotes"))
    if paper.num_comments is not None:
        counts.append(_count(paper.num_comments, "comment", "comments"))
    if paper.github_stars is not None:
        counts.append(_count(paper.github_stars, "GitHub star", "GitHub stars"))
    if counts:
        lines.append(" · ".join(counts))
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
    if paper.ai_keywords:
        keywords = ", ".join(
            one_line(cut(k, TAG_CHARS)) for k in paper.ai_keywords[:KEYWORDS_SHOWN]
        )
        more = len(paper.ai_keywords) - KEYWORDS_SHOWN
        lines.append(f"AI keywords: {keywords}" + (f" + {more} more" if more > 0 else ""))
    state = [f"Read {mark.read_at[:10]}" if mark.read_at else "Unread"]
    if mark.dismissed_at:
        state.append(f"Not interested since {mark.dismissed_at[:10]}")
    if mark.tags:
        state.append(" ".join(f"#{cut(tag, TAG_CHARS)}" for tag in mark.tags[:TAGS]))
    lines.append(one_line(" · ".join(state)))
    return Text("\n".join(lines))


def updates_text(updates: Sequence[PaperUpdate], unseen: Sequence[PaperUpdate] = ()) -> Text:
    """A line per update of the paper ("Updated: arXiv v3 (was v2), 2026-12-04"), as
    plain text; those not seen since the inbox mark in bold, "new" after them."""
    text = Text()
    fresh = {update.kind for update in unseen}
    for kind, line in update_lines(updates):
        if text:
            text.append("\n")
        if kind in fresh:
            text.append(line, "bold")
            text.append(" · new", "dim")
        else:
            text.append(line)
    return text


def links_text(paper: Paper, *, lookup_key: str = "L") -> Text:
    """The paper's pages, one a line, each a link a click opens; without an arXiv id,
    why there is none and the key (``lookup_key``) that looks it up by title."""
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
    if not paper.arxiv_id:
        if text:
            text.append("\n")
        text.append(
            f"No arXiv id: the text it was imported from had none. {lookup_key} looks it up "
            "on arXiv by title.",
            "italic",
        )
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
