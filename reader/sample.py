"""The bundled sample library: a Hugging Face Daily Papers page, copied as text.

The papers it brings are marked as the sample's (schema 7), so that one command
removes them all (``reader remove --sample``, or the palette's "Remove the sample
papers"); a sample paper that another import brings too is the user's from then on.
"""

from __future__ import annotations

from datetime import datetime
from importlib import resources

from reader.models import ImportResult, Paper
from reader.sources.hf_page import parse_hf_page
from reader.store import Library

SAMPLE_SOURCE = "sample-papers.txt"
# What the welcome notice and the help say about taking the sample out again.
REMOVE_HINT = (
    "`reader remove --sample` (or “Remove the sample papers” in the palette, ctrl+p) removes them"
)


def sample_papers(now: datetime | None = None) -> list[Paper]:
    """The papers of the bundled sample page."""
    text = resources.files("reader").joinpath("data", SAMPLE_SOURCE).read_text("utf-8")
    return parse_hf_page(text, source=SAMPLE_SOURCE, now=now)


def sample_title_keys() -> frozenset[str]:
    """The normalised titles of the sample's papers (none has an arXiv id)."""
    return frozenset(paper.title_key for paper in sample_papers())


def load_sample_if_empty(library: Library, now: datetime | None = None) -> ImportResult | None:
    """Fill an empty library with the sample; ``None`` when it already had papers."""
    if not library.is_empty():
        return None
    return library.import_papers(sample_papers(now), sample=True)
