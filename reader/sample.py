"""The bundled sample library: a Hugging Face Daily Papers page, copied as text."""

from __future__ import annotations

from datetime import datetime
from importlib import resources

from reader.models import ImportResult, Paper
from reader.sources.hf_page import parse_hf_page
from reader.store import Library

SAMPLE_SOURCE = "sample-papers.txt"


def sample_papers(now: datetime | None = None) -> list[Paper]:
    """The papers of the bundled sample page."""
    text = resources.files("reader").joinpath("data", SAMPLE_SOURCE).read_text("utf-8")
    return parse_hf_page(text, source=SAMPLE_SOURCE, now=now)


def load_sample_if_empty(library: Library, now: datetime | None = None) -> ImportResult | None:
    """Fill an empty library with the sample; ``None`` when it already had papers."""
    if library.count():
        return None
    return library.import_papers(sample_papers(now))
