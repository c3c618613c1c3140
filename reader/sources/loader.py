"""Bytes from a file or stdin to papers: decoding, then the right importer."""

from __future__ import annotations

from datetime import datetime

from reader.models import Paper
from reader.sources import SourceError
from reader.sources.hf_page import parse_hf_page


def decode(source: str, data: bytes) -> str:
    """UTF-8 text (a BOM is dropped); undecodable bytes are an error at their line."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise SourceError(source, line, "not UTF-8 text") from None


def load_papers(source: str, data: bytes, *, now: datetime | None = None) -> list[Paper]:
    """Every paper in ``data``, or :class:`SourceError` and nothing."""
    return parse_hf_page(decode(source, data), source=source, now=now)
