"""Plain data: a paper, a user's annotation of it, the outcome of an import.

Nothing here does I/O or knows about Textual; every layer passes these around.
Dates are ISO strings (``YYYY-MM-DD``) so they sort, store and export as they are.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import NamedTuple

from reader.limits import Cut
from reader.text import normalise_title, one_line


def normalise_tags(tags: Iterable[str]) -> tuple[str, ...]:
    """Tags as stored: trimmed, lower-case, inner spaces as "-", no empties or repeats."""
    seen: dict[str, None] = {}
    for tag in tags:
        clean = "-".join(one_line(tag).lower().replace(",", " ").split())
        if clean:
            seen.setdefault(clean, None)
    return tuple(seen)


def title_id(title_key: str) -> str:
    """A short id for a paper without an arXiv id, from its normalised title:
    ``t-`` and ten hex digits (one in a trillion that two titles share one), the
    same in every library."""
    return "t-" + hashlib.sha256(title_key.encode("utf-8")).hexdigest()[:10]


def papers_label(count: int) -> str:
    """ "1 paper", "2 papers"."""
    return f"{count} paper" if count == 1 else f"{count} papers"


@dataclass(frozen=True, slots=True)
class Paper:
    """A paper's metadata, as imported. ``id`` is the library row id once stored."""

    title: str
    # Without its version ("2409.11074"); the version seen last is kept apart.
    arxiv_id: str | None = None
    abstract: str = ""
    authors: tuple[str, ...] = ()
    # A count without names: the HF page text only says "7 authors".
    author_count: int | None = None
    # First published: "YYYY-MM-DD", or "YYYY-MM" / "YYYY" when a source knows no more.
    published: str | None = None
    upvotes: int | None = None
    github_url: str | None = None
    id: int | None = None
    arxiv_version: int | None = None
    # Last revised on arXiv ("YYYY-MM-DD"): which of two records is newer.
    updated: str | None = None
    # The day it was featured on Hugging Face Daily Papers.
    featured: str | None = None
    categories: tuple[str, ...] = ()
    primary_category: str | None = None
    comment: str | None = None
    doi: str | None = None
    journal_ref: str | None = None
    # Any other page for the paper (a BibTeX url, a project page).
    url: str | None = None
    num_comments: int | None = None
    github_stars: int | None = None
    ai_summary: str | None = None
    ai_keywords: tuple[str, ...] = ()

    @property
    def title_key(self) -> str:
        """The normalised title: a paper's identity while it has no arXiv id."""
        return normalise_title(self.title)

    @property
    def abs_url(self) -> str | None:
        return f"https://arxiv.org/abs/{self.arxiv_id}" if self.arxiv_id else None

    @property
    def pdf_url(self) -> str | None:
        return f"https://arxiv.org/pdf/{self.arxiv_id}" if self.arxiv_id else None

    @property
    def known_to_hf(self) -> bool:
        """Whether Hugging Face knows the paper: it came from HF (the daily feed, its
        API or its page text), which is what gives a featured day, upvotes, comments,
        GitHub stars or an AI summary. No other source does, and the arXiv API and
        BibTeX know nothing of HF: a paper from them alone may have no page there."""
        return (
            self.featured is not None
            or self.upvotes is not None
            or self.num_comments is not None
            or self.github_stars is not None
            or bool(self.ai_summary)
            or bool(self.ai_keywords)
        )

    @property
    def hf_url(self) -> str | None:
        """The paper's Hugging Face page: for a new-style arXiv id (HF has no pages
        for old-style ids such as ``quant-ph/0201082``) of a paper HF knows."""
        if not self.arxiv_id or "/" in self.arxiv_id or not self.known_to_hf:
            return None
        return f"https://huggingface.co/papers/{self.arxiv_id}"

    @property
    def doi_url(self) -> str | None:
        return f"https://doi.org/{self.doi}" if self.doi else None

    @property
    def year(self) -> int | None:
        return int(self.published[:4]) if self.published else None

    @property
    def has_code(self) -> bool:
        return bool(self.github_url)

    @property
    def n_authors(self) -> int:
        return len(self.authors) or (self.author_count or 0)

    @property
    def author_label(self) -> str:
        """Author names when known, else the count ("7 authors"), else empty."""
        if self.authors:
            return ", ".join(self.authors)
        if self.author_count:
            return f"{self.author_count} author" + ("" if self.author_count == 1 else "s")
        return ""


class ListedPaper(NamedTuple):
    """A paper as the list shows it and the filter's dates and counts read it.

    A library of a million papers is listed in a second because this is all that is
    read of each; the whole :class:`Paper` is read when one is opened.
    """

    id: int
    arxiv_id: str | None
    title: str
    published: str | None
    upvotes: int | None
    github_url: str | None
    featured: str | None
    # Hugging Face's counts, for the filter's github: and comments: and the sort.
    github_stars: int | None = None
    num_comments: int | None = None

    @property
    def has_code(self) -> bool:
        return bool(self.github_url)

    @property
    def title_key(self) -> str:
        return normalise_title(self.title)

    @property
    def short_id(self) -> str:
        """What names the paper to a user: its arXiv id, else its title id."""
        return self.arxiv_id or title_id(self.title_key)


@dataclass(frozen=True, slots=True)
class Annotation:
    """One user's marks on one paper."""

    paper_id: int
    starred: bool = False
    note: str = ""
    updated_at: str | None = None
    # When the user first read it (ISO timestamp, UTC); None while unread.
    read_at: str | None = None
    tags: tuple[str, ...] = ()
    # When the user marked it not interested (ISO timestamp, UTC); None otherwise.
    dismissed_at: str | None = None

    @property
    def has_note(self) -> bool:
        return bool(self.note.strip())

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def is_dismissed(self) -> bool:
        return self.dismissed_at is not None

    @property
    def marks_anything(self) -> bool:
        return self.starred or self.has_note or self.is_read or bool(self.tags) or self.is_dismissed


# The kinds of paper update: a newer arXiv version, a code link that was not there.
UPDATE_KINDS = ("version", "code")


@dataclass(frozen=True, slots=True)
class PaperUpdate:
    """What an import or fetch brought to a paper the library held: a newer arXiv
    version (``kind`` "version", ``old`` and ``new`` the version numbers as text) or a
    code link where there was none (``kind`` "code", ``new`` the link). ``at``: when
    (ISO timestamp, UTC). Recorded for every paper; whose it is, is the reader's
    business (the inbox shows the user's starred papers' updates)."""

    paper_id: int
    kind: str
    at: str
    old: str | None = None
    new: str | None = None


@dataclass(frozen=True, slots=True)
class NoteDraft:
    """Note text typed in the editor and not saved yet."""

    paper_id: int
    text: str
    # The note as it was when the editing began.
    base: str
    # When it was last written down (ISO timestamp, UTC).
    saved_at: str


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import did, for the summary line."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    # How many fields were cut to size on the way in (see reader.limits), and the first.
    fields_cut: int = 0
    first_cut: Cut | None = None

    @property
    def total(self) -> int:
        return self.added + self.updated + self.unchanged

    def with_cuts(self, cuts: Sequence[Cut]) -> ImportResult:
        """This result with ``cuts`` counted too (the first cut is the lowest record)."""
        if not cuts:
            return self
        known = [*cuts] if self.first_cut is None else [self.first_cut, *cuts]
        first = min(known, key=_record)
        return replace(self, fields_cut=self.fields_cut + len(cuts), first_cut=first)

    def summary(self) -> str:
        """One line for the user, e.g. "3 added, 0 updated, 0 unchanged, 1 skipped"
        and, when a field was cut, "; 1 field cut to size (paper 2 'A title…': ...)"."""
        cuts = self.cuts_summary()
        return f"{self.counts_summary()}; {cuts}" if cuts else self.counts_summary()

    def counts_summary(self) -> str:
        """The counts of :meth:`summary` alone."""
        parts = f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged"
        if self.skipped:
            parts += f", {self.skipped} skipped"
        return parts

    def cuts_summary(self) -> str:
        """What was cut to size, e.g. "2 fields cut to size (first: paper 17 'A title…':
        title, 50,000,000 characters to 1,000)"; empty when nothing was."""
        if not self.fields_cut or self.first_cut is None:
            return ""
        if self.fields_cut == 1:
            return f"1 field cut to size ({self.first_cut.describe()})"
        return f"{self.fields_cut:,} fields cut to size (first: {self.first_cut.describe()})"


def _record(cut: Cut) -> int:
    return cut.record
