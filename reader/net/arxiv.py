"""The arXiv API (``/api/query``): search results and lookups by id, as raw Atom pages.

arXiv's terms ask for no more than one request every three seconds, so the
:class:`~reader.net.http.Http` used here must space its requests:
:func:`arxiv_http` builds one that does, and callers should not build their own.

Paging uses ``start`` (an item offset) and ``max_results``; a search stops when
enough entries have arrived, when ``opensearch:totalResults`` says there are no
more, or at a page without entries. The API is known to answer a page in the
middle of a large result set with an empty feed now and then, so such a page is
asked for again (twice) before it is taken as the end. The number of requests is
bounded by what was asked (the pages ``max_results`` needs, and a few more), so
a server answering one entry a page cannot hold a search for hours; a search that
ends before it has what was asked says so (``FetchResult.stopped_early``:
"got 5 of 200 papers asked for"). Results come newest first
(``sortBy=submittedDate``) because that is what a daily reader wants.

Only enough XML is read here to page (count entries, read the total) and to turn
arXiv's error feeds into a :class:`NetError`; ``reader.sources.arxiv_atom`` parses
the papers. The base URL comes from ``READER_ARXIV_URL`` for mirrors and tests.
"""

from __future__ import annotations

import os
import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import httpx

from reader.ids import parse_arxiv_id
from reader.net import FetchResult, NetError
from reader.net.http import DEADLINE, MAX_BODY, NOTICE_EVERY, Http, host_label
from reader.sources.arxiv_atom import is_error_id
from reader.text import one_line

ARXIV_URL_ENV = "READER_ARXIV_URL"
DEFAULT_ARXIV_URL = "https://export.arxiv.org"
QUERY_PATH = "/api/query"
# "Make no more than one request every three seconds" (arXiv API terms of use).
ARXIV_INTERVAL = 3.0
# The API refuses slices larger than this in one call.
MAX_PAGE_SIZE = 2000
EMPTY_PAGE_RETRIES = 2
# Requests a search may make beyond the pages it needs: room for a few retries of
# an empty page and a short page or two, not for a server sending one entry a page.
EXTRA_REQUESTS = 5
ATOM_TYPE = "application/atom+xml"
# How arXiv orders results: newest first (a daily reader's want) or best match first.
SortBy = Literal["submittedDate", "relevance"]

_ATOM = "{http://www.w3.org/2005/Atom}"
_OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
# A feed never needs these; refusing them means no entity is ever expanded.
_DECLARATIONS = re.compile(r"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)


def arxiv_base_url() -> str:
    """Where the arXiv API lives: ``$READER_ARXIV_URL``, else export.arxiv.org."""
    return (os.environ.get(ARXIV_URL_ENV, "").strip() or DEFAULT_ARXIV_URL).rstrip("/")


def arxiv_http(
    transport: httpx.BaseTransport | None = None,
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    on_retry: Callable[[str], None] | None = None,
    deadline: float = DEADLINE,
    notice_every: float = NOTICE_EVERY,
    max_body: int = MAX_BODY,
) -> Http:
    """An :class:`Http` that keeps arXiv's three seconds between requests.

    ``on_retry`` hears every progress message (retries and slow waits).
    """
    return Http(
        transport=transport,
        sleep=sleep,
        clock=clock,
        min_interval=ARXIV_INTERVAL,
        on_retry=on_retry,
        error_reason=_error_reason,
        deadline=deadline,
        notice_every=notice_every,
        max_body=max_body,
    )


def search(
    http: Http,
    query: str,
    *,
    max_results: int,
    page_size: int = 100,
    on_page: Callable[[int], None] | None = None,
    sort_by: SortBy = "submittedDate",
) -> FetchResult[str]:
    """The Atom text of each page of results for ``search_query=query``, newest first
    (``sort_by="relevance"``: best match first).

    ``query`` is arXiv's own syntax (``all:diffusion AND cat:cs.CV``). At most
    ``max_results`` entries are asked for; pages without entries are not returned.
    When the pages end before ``max_results`` (or the total arXiv announced) have
    arrived, or the requests run out (short pages), ``stopped_early`` says how many
    of how many came. ``on_page`` hears the number of entries collected so far
    after every page.
    """
    if not query.strip():
        raise ValueError("the arXiv query is empty")
    if max_results < 1:
        raise ValueError("max_results must be at least 1")
    _check_page_size(page_size)
    url = arxiv_base_url() + QUERY_PATH
    pages: list[str] = []
    collected = 0
    total: int | None = None
    empty_retries = 0
    requests = -(-max_results // page_size) + EXTRA_REQUESTS
    for _request in range(requests):
        if collected >= max_results or (total is not None and collected >= total):
            return FetchResult(pages)
        params: dict[str, str | int] = {
            "search_query": query.strip(),
            "start": collected,
            "max_results": min(page_size, max_results - collected),
            "sortBy": sort_by,
            "sortOrder": "descending",
        }
        text = http.get_text(url, params, accept=ATOM_TYPE)
        page = _read_page(text, url)
        if page.entries == 0:
            # An empty page's own total is not believed once a full page gave one:
            # arXiv's spurious empty pages announce 0.
            promised = total if total is not None else page.total
            if not promised or collected >= promised:
                return FetchResult(pages)  # the results really ended
            if collected > 0 and empty_retries < EMPTY_PAGE_RETRIES:
                empty_retries += 1
                continue
            why = "a page came back empty"
            return FetchResult(pages, _short(url, collected, max_results, promised, why))
        empty_retries = 0
        pages.append(text)
        collected += page.entries
        if page.total is not None:
            total = page.total
        if on_page is not None:
            on_page(collected)
    if collected >= max_results or (total is not None and collected >= total):
        return FetchResult(pages)
    why = f"stopped after {requests} requests: pages came back short or empty"
    return FetchResult(pages, _short(url, collected, max_results, total, why))


def _short(url: str, collected: int, max_results: int, total: int | None, why: str) -> str:
    """The line for a search that ended with fewer entries than asked."""
    wanted = max_results if total is None else min(max_results, total)
    return f"{host_label(url)}: got {collected:,} of {wanted:,} papers asked for; {why}"


def by_ids(
    http: Http,
    ids: Sequence[str],
    *,
    page_size: int = 100,
    on_page: Callable[[int], None] | None = None,
) -> list[str]:
    """The Atom text of each batch of ``id_list`` lookups, ``page_size`` ids a request.

    Ids may come in any form :func:`reader.ids.parse_arxiv_id` reads (a version,
    when given, is kept: arXiv then answers that version); duplicates are asked for
    once. One malformed id makes arXiv refuse its whole batch, so they are a
    ``ValueError`` here, before any request.
    """
    _check_page_size(page_size)
    wanted: list[str] = []
    bad: list[str] = []
    for raw in ids:
        parsed = parse_arxiv_id(raw)
        if parsed is None:
            bad.append(raw)
        elif str(parsed) not in wanted:
            wanted.append(str(parsed))
    if bad:
        shown = ", ".join(repr(one_line(raw)) for raw in bad[:5])
        more = f" and {len(bad) - 5} more" if len(bad) > 5 else ""
        raise ValueError(f"not arXiv ids: {shown}{more}")
    url = arxiv_base_url() + QUERY_PATH
    pages: list[str] = []
    for start in range(0, len(wanted), page_size):
        batch = wanted[start : start + page_size]
        # max_results matters: the API's default is 10 even for an id_list.
        params: dict[str, str | int] = {"id_list": ",".join(batch), "max_results": len(batch)}
        text = http.get_text(url, params, accept=ATOM_TYPE)
        _read_page(text, url)
        pages.append(text)
        if on_page is not None:
            on_page(start + len(batch))
    return pages


@dataclass(frozen=True, slots=True)
class _Page:
    entries: int
    total: int | None


def _read_page(text: str, url: str) -> _Page:
    """Count a page's entries and read its total; garbage or an API error is a NetError."""
    host = host_label(url)
    root = _feed(text)
    if root is None:
        raise NetError(f"{host} sent a response that is not an Atom feed")
    message = _api_error(root)
    if message is not None:
        raise NetError(f"{host}: arXiv API error: {message}")
    total = one_line(root.findtext(f"{_OPENSEARCH}totalResults") or "")
    return _Page(
        entries=len(root.findall(f"{_ATOM}entry")),
        total=int(total) if total.isascii() and total.isdigit() else None,
    )


def _feed(text: str) -> ET.Element | None:
    """The root ``<feed>`` of ``text``, or ``None`` when it is not one."""
    if _DECLARATIONS.search(text):
        return None
    try:
        root = ET.fromstring(text.lstrip("\ufeff"))
    except (ET.ParseError, ValueError):
        return None
    return root if root.tag == f"{_ATOM}feed" else None


def _api_error(root: ET.Element) -> str | None:
    """The message of arXiv's error entry (id ``.../api/errors#...``), if the feed is one."""
    for entry in root.findall(f"{_ATOM}entry"):
        if is_error_id(entry.findtext(f"{_ATOM}id") or ""):
            return one_line(entry.findtext(f"{_ATOM}summary") or "") or "unknown error"
    return None


def _error_reason(response: httpx.Response) -> str | None:
    """For :class:`Http`: arXiv explains a refused request (HTTP 400) in an Atom error feed."""
    root = _feed(response.text)
    return _api_error(root) if root is not None else None


def _check_page_size(page_size: int) -> None:
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE}")
