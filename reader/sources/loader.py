"""Bytes from a file or stdin to papers: decoding, then the right importer."""

from __future__ import annotations

import codecs
import re
from datetime import datetime

from reader.models import Paper
from reader.sources import SourceError
from reader.sources.hf_page import looks_like_hf_page, parse_hf_page

# The line breaks the importers split on, so an error's line matches theirs.
_NEWLINE = re.compile(rb"\r\n|\r|\n")


def decode(source: str, data: bytes) -> str:
    """UTF-8 text (a BOM is dropped); undecodable bytes are an error at their line."""
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = len(_NEWLINE.findall(data, 0, error.start)) + 1
        raise SourceError(source, line, "not UTF-8 text") from None


def load_papers(source: str, data: bytes, *, now: datetime | None = None) -> list[Paper]:
    """Every paper in ``data``, or :class:`SourceError` and nothing."""
    text = decode(source, data)
    if not looks_like_hf_page(text):
        raise SourceError(
            source, None, "no papers found: expected a Hugging Face papers page copied as text"
        )
    return parse_hf_page(text, source=source, now=now)
