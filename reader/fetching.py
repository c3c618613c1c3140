"""One fetch path for the command line and the app: Hugging Face, arXiv, add by id.

``reader fetch hf``, ``reader fetch arxiv``, ``reader add`` and the app's ``f`` and
``L`` all fetch through here, so they de-duplicate, bound and report alike: a
paper fetched twice (featured on two days, or listed under two forms of its id)
counts once, as its latest record; a fetch that stopped short says why
(:attr:`Fetched.stopped_early`); what arrived lands in one transaction
(:func:`save`). No click, no Textual: the front ends say what happened.

The network is injected one way, a :class:`Network` (the real one by default;
tests pass an ``httpx.MockTransport`` and a ``sleep`` that only records).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from reader.ids import parse_arxiv_id
from reader.lookup import TitleMatch, is_title_id, look_up_title, papers_with_title_ids
from reader.models import ImportResult, Paper, papers_label
from reader.net import FetchError
from reader.net.arxiv import arxiv_base_url, arxiv_http, by_ids, search
from reader.net.hf import fetch_daily, hf_base_url, hf_http
from reader.net.http import DEADLINE, NOTICE_EVERY, Http, host_label
from reader.sources.arxiv_atom import parse_arxiv_atom
from reader.sources.hf_json import parse_hf_json
from reader.text import shorten

if TYPE_CHECKING:
    import httpx

    from reader.store import Library

Say = Callable[[str], None]
Count = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class Network:
    """How fetches reach the network: the real one, unless a test passes an
    ``httpx.MockTransport``, a ``sleep`` that only records how long it was asked
    to wait, or a short ``deadline`` and ``notice_every``."""

    transport: httpx.BaseTransport | None = None
    sleep: Callable[[float], None] = time.sleep
    deadline: float = DEADLINE
    notice_every: float = NOTICE_EVERY

    def hf(self, on_retry: Say | None = None) -> Http:
        """A client for Hugging Face; ``on_retry`` hears retries and slow waits."""
        return hf_http(
            self.transport,
            sleep=self.sleep,
            on_retry=on_retry,
            deadline=self.deadline,
            notice_every=self.notice_every,
        )

    def arxiv(self, on_retry: Say | None = None) -> Http:
        """A client for arXiv (three seconds between requests); ``on_retry`` as for
        :meth:`hf`."""
        return arxiv_http(
            self.transport,
            sleep=self.sleep,
            on_retry=on_retry,
            deadline=self.deadline,
            notice_every=self.notice_every,
        )


@dataclass(frozen=True, slots=True)
class Fetched:
    """What a fetch brought: its papers (once each), and why it stopped short, if it did."""

    source: str  # the server, as a user names it ("huggingface.co")
    papers: list[Paper]
    skipped: int = 0  # entries without an id or title, left out
    stops: tuple[str, ...] = ()  # one line per part of the fetch that stopped short

    @property
    def stopped_early(self) -> str | None:
        """One line: the first reason the fetch stopped short, and how many more."""
        if not self.stops:
            return None
        more = len(self.stops) - 1
        return self.stops[0] + (f" (and {more} more like it)" if more else "")

    @property
    def empty(self) -> bool:
        """Nothing came, nothing was left out, and nothing stopped short: the answer
        really was empty."""
        return not self.papers and not self.skipped and not self.stops

    def summary(self, result: ImportResult) -> str:
        """``"4 papers: 4 added, 0 updated, 0 unchanged"``: what saving them did."""
        return f"{papers_label(len(self.papers))}: {result.summary()}"


def fetched(
    source: str, papers: Iterable[Paper], *, skipped: int = 0, stops: Sequence[str] = ()
) -> Fetched:
    """A :class:`Fetched` with each paper once, by arXiv id (else title), as its
    latest record, in the order first seen."""
    unique = {paper.arxiv_id or paper.title_key: paper for paper in papers}
    return Fetched(source, list(unique.values()), skipped, tuple(stops))


def save(library: Library, fetch: Fetched) -> ImportResult:
    """Import everything fetched in one transaction: all of it lands, or none of it."""
    return replace(library.import_papers(fetch.papers), skipped=fetch.skipped)


# -- Hugging Face ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Period:
    """One request's worth of Daily Papers: a day, an ISO week, a month, or (none
    given) the latest day."""

    date: str | None = None
    week: str | None = None
    month: str | None = None


@dataclass(frozen=True, slots=True)
class HfRequest:
    """Which Daily Papers to fetch: each period in turn, ordered by ``sort``, at most
    ``limit`` papers a period."""

    periods: tuple[Period, ...] = (Period(),)
    sort: str | None = None
    limit: int | None = None


def fetch_hf(
    network: Network,
    request: HfRequest = HfRequest(),
    *,
    on_page: Count | None = None,
    on_period: Callable[[], None] | None = None,
    on_retry: Say | None = None,
) -> Fetched:
    """The Daily Papers ``request`` asks for, parsed. ``on_page`` hears how many
    papers have come so far, ``on_period`` the end of each period.

    Raises :class:`~reader.net.NetError`, :class:`~reader.sources.SourceError`, and
    ``ValueError`` for a period or sort the API does not know.
    """
    items: list[object] = []
    stops: list[str] = []
    with network.hf(on_retry) as http:
        for period in request.periods:
            before = len(items)
            fetch = fetch_daily(
                http,
                date=period.date,
                week=period.week,
                month=period.month,
                sort=request.sort,
                limit=request.limit,
                on_page=_after(before, on_page),
            )
            items.extend(fetch.items)
            if fetch.stopped_early:
                stops.append(fetch.stopped_early)
            if on_period is not None:
                on_period()
    source = host_label(hf_base_url())
    batch = parse_hf_json(items, source=source)
    return fetched(source, batch.papers, skipped=batch.skipped, stops=stops)


def _after(before: int, on_page: Count | None) -> Count | None:
    """``on_page`` counting the papers of the periods before this one too."""
    if on_page is None:
        return None
    return lambda count: on_page(before + count)


# -- arXiv ----------------------------------------------------------------------


def fetch_arxiv(
    network: Network,
    query: str,
    *,
    max_results: int,
    on_page: Count | None = None,
    on_retry: Say | None = None,
) -> Fetched:
    """At most ``max_results`` papers matching the arXiv API ``query``, newest first.
    ``on_page`` hears how many have come so far. Raises as :func:`fetch_hf` does."""
    with network.arxiv(on_retry) as http:
        result = search(http, query, max_results=max_results, on_page=on_page)
    papers, skipped = parse_atom_pages(result.items)
    stops = [result.stopped_early] if result.stopped_early else []
    return fetched(host_label(arxiv_base_url()), papers[:max_results], skipped=skipped, stops=stops)


def parse_atom_pages(pages: Iterable[str]) -> tuple[list[Paper], int]:
    """The papers of arXiv's answer pages, and how many entries were left out."""
    papers: list[Paper] = []
    skipped = 0
    for number, page in enumerate(pages, 1):
        batch = parse_arxiv_atom(page, source=f"arXiv response page {number}")
        papers.extend(batch.papers)
        skipped += batch.skipped
    return papers, skipped


# -- adding by id ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AddRequest:
    """What ``reader add`` was asked for: arXiv ids (without version) and title ids
    (``t-...``: a paper of the library without an arXiv id, looked up by its
    title), each once."""

    ids: tuple[str, ...] = ()
    title_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Titles:
    """The titles to look up for an :class:`AddRequest`'s title ids."""

    # (title id, the paper's title), one per title id asked for.
    wanted: tuple[tuple[str, str], ...] = ()
    # Every arXiv id the library holds: a title found as one of them is refused.
    held: frozenset[str] = field(default_factory=frozenset)


def add_request(texts: Iterable[str]) -> AddRequest:
    """Read what the user typed: arXiv ids and URLs in any form, and title ids.
    Raises :class:`FetchError` naming the first that is neither."""
    ids: list[str] = []
    title_ids: list[str] = []
    for text in texts:
        if is_title_id(text):
            title_ids.append(text.strip().lower())
            continue
        parsed = parse_arxiv_id(text)
        if parsed is None:
            raise FetchError(f"{text}: not an arXiv id, URL or title id")
        ids.append(parsed.id)
    return AddRequest(tuple(dict.fromkeys(ids)), tuple(dict.fromkeys(title_ids)))


def titles_of(library: Library, title_ids: Sequence[str]) -> Titles:
    """The titles the library's papers without an arXiv id have under ``title_ids``.
    Raises :class:`FetchError` naming title ids no such paper has."""
    if not title_ids:
        return Titles()
    listing = library.listing()
    named = papers_with_title_ids(listing, title_ids)
    unknown = [text for text, ids in named.items() if not ids]
    if unknown:
        raise FetchError(
            f"no paper without an arXiv id has the title id {', '.join(unknown)} "
            "(reader list shows them); nothing added"
        )
    papers = library.papers_by_id([ids[0] for ids in named.values()])
    wanted = tuple((text, paper.title) for text, paper in zip(named, papers, strict=True))
    return Titles(wanted, frozenset(paper.arxiv_id for paper in listing if paper.arxiv_id))


def fetch_added(
    network: Network,
    request: AddRequest,
    titles: Titles = Titles(),
    *,
    on_retry: Say | None = None,
) -> Fetched:
    """The arXiv papers ``request`` names, then those ``titles`` find, over one client
    (arXiv's spacing holds across them). All of them, or a :class:`FetchError`
    naming what is missing: nothing is half-added."""
    found: list[Paper] = []
    skipped = 0
    with network.arxiv(on_retry) as http:
        if request.ids:
            found, skipped = parse_atom_pages(by_ids(http, request.ids))
        found = [paper for paper in found if paper.arxiv_id in request.ids]  # only what was asked
        missing = sorted(set(request.ids) - {paper.arxiv_id for paper in found})
        if missing:
            raise FetchError(f"not found on arXiv: {', '.join(missing)}; nothing added")
        for text, title in titles.wanted:
            found.append(_by_title(http, text, title, titles.held))
    return fetched(host_label(arxiv_base_url()), found, skipped=skipped)


def _by_title(http: Http, text: str, title: str, held: frozenset[str]) -> Paper:
    """The arXiv paper with exactly ``title`` (of title id ``text``); none, several,
    or one the library holds already as another entry: a :class:`FetchError`."""
    try:
        match = look_up_title(http, title)
    except ValueError as error:  # a title without a word to search for
        raise FetchError(f"{text}: {error}; nothing added") from None
    if match.paper is None:
        what = (
            f"{len(match.same_title)} arXiv papers have that title "
            f"({', '.join(str(p.arxiv_id) for p in match.same_title)}): add one by its id"
            if match.same_title
            else "arXiv has no paper with exactly that title"
        )
        raise FetchError(f"{text} “{shorten(title, 60)}”: {what}; nothing added")
    if match.paper.arxiv_id in held:
        raise FetchError(
            f"{text} “{shorten(title, 60)}” is arXiv {match.paper.arxiv_id}, which the "
            "library holds already as another entry; nothing added"
        )
    return match.paper


def look_up(network: Network, title: str, *, on_retry: Say | None = None) -> TitleMatch:
    """Search arXiv for the one paper with exactly ``title`` (the app's ``L``); see
    :func:`reader.lookup.look_up_title` for what it raises."""
    with network.arxiv(on_retry) as http:
        return look_up_title(http, title)
