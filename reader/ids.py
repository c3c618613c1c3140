"""arXiv identifiers in every form a user or a feed writes them.

``2409.11074``, ``2409.11074v3``, ``arXiv:2409.11074``, ``https://arxiv.org/abs/2409.11074v2``,
``/pdf/2409.11074.pdf``, ``https://huggingface.co/papers/2409.11074``, old style
``hep-th/9901001`` or ``math.GT/0309136v2``: all give the id without its version
(the paper's identity) and the version apart. An old-style id loses its subject
class (``math.GT/0309136`` is ``math/0309136``), as arXiv itself writes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# New style (2007-): YYMM.NNNN (to 2014) or YYMM.NNNNN; old style: archive[.SUB]/YYMMNNN.
_NEW = r"\d{4}\.\d{4,5}"
_OLD = r"[a-z][a-z\-]*(?:\.[A-Za-z]{2})?/\d{7}"
_ID = re.compile(rf"(?P<id>{_NEW}|{_OLD})(?:v(?P<version>\d{{1,4}}))?", re.IGNORECASE)
_PREFIXES = re.compile(
    r"""^(?:
        arxiv:\s*
      | (?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html|format)/
      | (?:https?://)?(?:www\.)?huggingface\.co/papers/
      | /?(?:abs|pdf|html)/
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_SUFFIXES = re.compile(r"(?:\.pdf)?/?(?:[?#].*)?$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ArxivId:
    """An arXiv id without its version, and the version when one was given."""

    id: str
    version: int | None = None

    def __str__(self) -> str:
        return self.id if self.version is None else f"{self.id}v{self.version}"


def parse_arxiv_id(text: str) -> ArxivId | None:
    """The arXiv id in ``text`` (one of the forms above), or ``None``."""
    if _PLAIN.fullmatch(text):
        # The form every Hugging Face item has: no prefix or version to take off.
        return ArxivId(text, None) if _plausible_new_style(text) else None
    value = _SUFFIXES.sub("", _PREFIXES.sub("", text.strip()))
    match = _ID.fullmatch(value)
    if match is None:
        return None
    paper_id = match["id"]
    if "/" not in paper_id and not _plausible_new_style(paper_id):
        return None
    if "/" in paper_id:
        # "math.GT/0309136" is "math/0309136": the subject class is not part of the id.
        archive, number = paper_id.split("/")
        paper_id = f"{archive.partition('.')[0].lower()}/{number}"
    version = int(match["version"]) if match["version"] else None
    return ArxivId(paper_id, version)


_PLAIN = re.compile(r"\d{4}\.\d{4,5}", re.ASCII)


def _plausible_new_style(paper_id: str) -> bool:
    """A real month, and four digits after the dot until 2014, five from 2015."""
    yymm, number = paper_id.split(".")
    if not 1 <= int(yymm[2:]) <= 12:
        return False
    return len(number) == (5 if int(yymm) >= 1501 else 4)


def find_arxiv_id(text: str) -> ArxivId | None:
    """The first arXiv abs/pdf URL or ``arXiv:`` id anywhere in running text."""
    match = re.search(
        rf"(?:arxiv\.org/(?:abs|pdf)/|arxiv:\s*)((?:{_NEW}|{_OLD})(?:v\d+)?)",
        text,
        re.IGNORECASE,
    )
    return parse_arxiv_id(match[1]) if match else None
