"""The library screen's links: open a paper's pages, copy its BibTeX entry or id."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.message import Message

from reader.models import Paper
from reader.text import safe_url, shorten
from reader.tui.screens.library_base import LibraryBase
from reader.tui.system import CopyOutcome, copy_to_system, open_in_browser
from reader.tui.widgets.paper_list import PaperList

# How quickly a second g must follow the first (s).
GG_WINDOW = 0.5


def _link(paper: Paper, kind: str) -> tuple[str | None, str]:
    """The http(s) URL of one of the paper's pages, and what to call it."""
    urls = {
        "abs": (paper.abs_url, "arXiv"),
        "pdf": (paper.pdf_url, "PDF"),
        "github": (paper.github_url, "GitHub"),
        "hf": (paper.hf_url, "Hugging Face"),
    }
    url, label = urls[kind]
    return safe_url(url), label


class LinksPart(LibraryBase):
    """o, p, g, h open pages in the browser; y and Y copy."""

    @dataclass
    class Copied(Message, namespace="library_screen"):
        """A copy finished: ``what`` was copied, where :class:`CopyOutcome` says."""

        text: str
        what: str
        outcome: CopyOutcome

    def action_open(self, kind: str) -> None:
        paper = self._current()
        if paper is not None:
            self._open(paper, kind)

    def _open(self, paper: Paper, kind: str) -> None:
        url, label = _link(paper, kind)
        if url is None:
            self.notify(f"This paper has no {label} link.", severity="warning", timeout=3)
            return
        if open_in_browser(self.app, url):
            self.notify(f"Opened {label}: {shorten(url)}", timeout=3, markup=False)
        else:
            self.notify(shorten(url), title=f"No browser here: the {label} link is", markup=False)

    def action_open_github_or_top(self) -> None:
        """``g`` opens GitHub; ``gg`` (two presses within half a second) goes to the top."""
        if self._pending_g is not None:
            self._pending_g.stop()
            self._pending_g = None
            self.query_one(PaperList).action_first()
            return
        paper = self._current()
        if paper is None:
            return

        def open_github() -> None:
            self._pending_g = None
            self._open(paper, "github")

        self._pending_g = self.set_timer(GG_WINDOW, open_github)

    def action_copy_bibtex(self) -> None:
        paper = self._current()
        if paper is None:
            return
        from reader.export.bibtex import bibtex_entry

        self._copy(bibtex_entry(paper), "the BibTeX entry")

    def action_copy_id(self) -> None:
        paper = self._current()
        if paper is None:
            return
        value = paper.arxiv_id or safe_url(paper.url) or safe_url(paper.github_url)
        if not value:
            self.notify("This paper has no arXiv id or link to copy.", severity="warning")
            return
        self._copy(value, value)

    @work(thread=True, group="copy", exit_on_error=False)
    def _copy(self, text: str, what: str) -> None:
        """Copy through the system's clipboard tool, off the UI thread (a tool may
        hang on a display gone away); :meth:`_copied` says where it went."""
        self.post_message(self.Copied(text, what, copy_to_system(text)))

    @on(Copied)
    def _copied(self, event: Copied) -> None:
        outcome = event.outcome
        if outcome.needs_terminal:
            self.app.copy_to_clipboard(event.text)
        self.notify(
            f"Copied {event.what} {outcome.where()}.",
            severity="information" if outcome.tool is not None else "warning",
            timeout=4,
            markup=False,
        )
