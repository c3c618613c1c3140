"""Finding the arXiv id of a paper imported without one, by its title.

A paper from a copied Hugging Face page (or a BibTeX entry without ``eprint``) has
no arXiv id, so no arXiv, PDF or Hugging Face link. Its title is searched for on
the arXiv API (``ti:"..."``, the title's words as a phrase) and the one result
whose title is exactly the same, once case, accents, punctuation and spacing are
folded away (:func:`reader.text.normalise_title`), is the paper. Several results
with that exact title, or none, find nothing: a near title may be another paper.

Importing the found paper merges it into the one without an id (an import matches
a paper without an id by its title), which gains the id, the links and arXiv's
metadata, and keeps every mark.

Nothing here imports Textual: ``reader add`` and the app's look-up both use it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from reader.models import ListedPaper, Paper, title_id
from reader.text import normalise_title

if TYPE_CHECKING:
    from reader.net.http import Http

# Results read for one title: a title shared by more papers than this is hopeless.
TITLE_RESULTS = 10
# A title id as `reader list` shows it for a paper without an arXiv id.
_TITLE_ID = re.compile(r"t-[0-9a-f]{10}")


@dataclass(frozen=True, slots=True)
class TitleMatch:
    """What arXiv answered for a title."""

    # The one paper whose title is exactly the one asked for, if there is one.
    paper: Paper | None
    # Every result with exactly that title (more than one: which is meant is unclear).
    same_title: tuple[Paper, ...]
    # How many results arXiv gave for the title's words.
    results: int


def title_query(title: str) -> str:
    """The arXiv API query for a title: its words as a phrase (``ti:"..."``),
    without the punctuation and quotes arXiv's query syntax would trip on."""
    words = normalise_title(title).split()
    if not words:
        raise ValueError("the title has no words to look up")
    return f'ti:"{" ".join(words)}"'


def look_up_title(http: Http, title: str, *, max_results: int = TITLE_RESULTS) -> TitleMatch:
    """Search arXiv for ``title``; the one paper with exactly this title, if any.

    Raises :class:`~reader.net.NetError` for the network or the server,
    :class:`~reader.sources.SourceError` for a response that is not a feed, and
    ``ValueError`` for a title without words.
    """
    # Here: `reader remove` reads title ids with this module and needs no httpx.
    from reader.net.arxiv import search
    from reader.sources.arxiv_atom import parse_arxiv_atom

    # Best match first: sorted by date, the exact title of an old paper would be
    # crowded out of the first results by newer papers whose titles contain it.
    query = title_query(title)
    result = search(
        http, query, max_results=max_results, page_size=max_results, sort_by="relevance"
    )
    papers: list[Paper] = []
    for number, page in enumerate(result.items, 1):
        papers.extend(parse_arxiv_atom(page, source=f"arXiv response page {number}").papers)
    key = normalise_title(title)
    same = {paper.arxiv_id: paper for paper in papers if paper.title_key == key and paper.arxiv_id}
    found = tuple(same.values())
    return TitleMatch(found[0] if len(found) == 1 else None, found, len(papers))


def is_title_id(text: str) -> bool:
    """Whether ``text`` is a title id (``t-`` and ten hex digits), as `reader list`
    shows for a paper without an arXiv id."""
    return _TITLE_ID.fullmatch(text.strip().lower()) is not None


def papers_with_title_ids(
    papers: Iterable[ListedPaper], wanted: Iterable[str]
) -> dict[str, list[int]]:
    """The library ids of the papers without an arXiv id that each title id of
    ``wanted`` names (an empty list: none)."""
    found: dict[str, list[int]] = {text.strip().lower(): [] for text in wanted}
    for paper in papers:
        if paper.arxiv_id is None:
            ids = found.get(title_id(paper.title_key))
            if ids is not None:
                ids.append(paper.id)
    return found
