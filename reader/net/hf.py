"""The Hugging Face Daily Papers API: ``GET /api/daily_papers``, one page at a time.

The endpoint takes one period (``date=YYYY-MM-DD``, ``week=YYYY-Www`` or
``month=YYYY-MM``; none means the latest day), a ``sort`` (``publishedAt`` or
``trending``), a page size ``limit`` (at most 100) and a page index ``p`` from 0.
Because ``p`` counts pages, not items, every page of one fetch must ask for the
same size: a request for 150 papers asks for two pages of 100 and keeps the
first 150, never a second page of 50 (which would repeat items 50-99).

A day without papers (weekends) answers ``[]``: that is an empty result, not an
error. Paging is bounded by what was asked: a day has a few hundred papers at
most, so a server still sending full pages after ten (a thousand papers) is not
believed, and neither is one repeating a page; the fetch stops there, keeps what
arrived and says why (``FetchResult.stopped_early``).

Items are returned as the server sent them; ``reader.sources.hf_json`` turns them
into papers. The base URL comes from ``READER_HF_URL`` so a mirror or a local test
server can stand in for huggingface.co.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable

import httpx

from reader.net import FetchResult, NetError
from reader.net.http import DEADLINE, MAX_BODY, NOTICE_EVERY, Http, host_label
from reader.periods import days_back, parse_day, parse_month, parse_week

__all__ = [
    "days_back",
    "fetch_daily",
    "hf_base_url",
    "hf_http",
    "parse_day",
    "parse_month",
    "parse_week",
]

HF_URL_ENV = "READER_HF_URL"
DEFAULT_HF_URL = "https://huggingface.co"
DAILY_PAPERS_PATH = "/api/daily_papers"
MAX_PAGE_SIZE = 100
# Pages one fetch may take, by period: far more papers than a day (~50-150), a
# week or a month of Daily Papers has ever held, and still an end.
MAX_PAGES = {"day": 10, "week": 50, "month": 200}

# The orders the API knows; anything else it would ignore, so we refuse it instead.
SORTS = ("publishedAt", "trending")


def hf_base_url() -> str:
    """Where the Hugging Face API lives: ``$READER_HF_URL``, else huggingface.co."""
    return (os.environ.get(HF_URL_ENV, "").strip() or DEFAULT_HF_URL).rstrip("/")


def hf_http(
    transport: httpx.BaseTransport | None = None,
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    on_retry: Callable[[str], None] | None = None,
    deadline: float = DEADLINE,
    notice_every: float = NOTICE_EVERY,
    max_body: int = MAX_BODY,
) -> Http:
    """An :class:`Http` for Hugging Face: no fixed spacing, its 429s say when to come back.

    ``on_retry`` hears every progress message (retries and slow waits).
    """
    return Http(
        transport=transport,
        sleep=sleep,
        clock=clock,
        on_retry=on_retry,
        deadline=deadline,
        notice_every=notice_every,
        max_body=max_body,
    )


def fetch_daily(
    http: Http,
    *,
    date: dt.date | str | None = None,
    week: str | None = None,
    month: str | None = None,
    sort: str | None = None,
    limit: int | None = None,
    on_page: Callable[[int], None] | None = None,
) -> FetchResult[dict[str, object]]:
    """The Daily Papers items for one day, week or month (or the latest day).

    Pages are fetched until one comes back short or ``limit`` items are collected;
    at most ``limit`` are returned. An item seen on an earlier page (the list can
    shift while we page through it) is kept once. A full page bringing nothing new
    (a server ignoring ``p``), or more pages than the period can fill
    (:data:`MAX_PAGES`), ends the fetch early: the items so far are returned with
    the reason in ``stopped_early``. ``on_page`` hears the number of items
    collected so far after every page. Bad arguments are a ``ValueError``; the
    network's failures a :class:`NetError`.
    """
    params = _period_params(date=date, week=week, month=month)
    if sort is not None:
        if sort not in SORTS:
            raise ValueError(f"unknown sort {sort!r}: use one of {', '.join(SORTS)}")
        params["sort"] = sort
    if limit is not None and limit < 1:
        raise ValueError("limit must be at least 1")
    page_size = MAX_PAGE_SIZE if limit is None else min(MAX_PAGE_SIZE, limit)
    url = hf_base_url() + DAILY_PAPERS_PATH
    period = "week" if "week" in params else "month" if "month" in params else "day"
    items: list[dict[str, object]] = []
    seen: set[str] = set()
    for page in range(MAX_PAGES[period]):
        data = http.get_json(url, {**params, "limit": page_size, "p": page})
        if not isinstance(data, list):
            raise NetError(
                f"{host_label(url)}: {DAILY_PAPERS_PATH} did not answer with a list of papers"
            )
        new = 0
        for item in data:
            if not isinstance(item, dict):
                continue
            key = _paper_id(item)
            if key is not None:
                if key in seen:
                    continue
                seen.add(key)
            items.append(item)
            new += 1
            if limit is not None and len(items) >= limit:
                break
        if on_page is not None:
            on_page(len(items))
        full = limit is not None and len(items) >= limit
        if full or len(data) < page_size:
            return FetchResult(items)
        if new == 0:
            return FetchResult(
                items, f"{host_label(url)}: stopped at page {page + 1}: it repeated earlier pages"
            )
    return FetchResult(
        items,
        f"{host_label(url)}: stopped after {MAX_PAGES[period]} pages ({len(items):,} papers) "
        f"for {_period_label(params)}: more than a {period} can hold",
    )


def _period_params(
    *, date: dt.date | str | None, week: str | None, month: str | None
) -> dict[str, str | int]:
    """The one period parameter, validated; none means the latest day."""
    periods = (("date", date), ("week", week), ("month", month))
    given = [name for name, value in periods if value is not None]
    if len(given) > 1:
        raise ValueError(f"give one of date, week or month, not {' and '.join(given)}")
    if date is not None:
        day = parse_day(date) if isinstance(date, str) else date
        return {"date": f"{day:%Y-%m-%d}"}
    if week is not None:
        return {"week": parse_week(week)}
    if month is not None:
        return {"month": parse_month(month)}
    return {}


def _period_label(params: dict[str, str | int]) -> str:
    """How a message names the period asked for: ``2025-01-15``, ``week 2025-W03``."""
    for name in ("week", "month"):
        if name in params:
            return f"{name} {params[name]}"
    return str(params["date"]) if "date" in params else "the latest day"


def _paper_id(item: dict[str, object]) -> str | None:
    """The arXiv id of an item: nested under ``paper`` in the feed, flat in older shapes."""
    paper = item.get("paper")
    for holder in (paper if isinstance(paper, dict) else {}, item):
        value = holder.get("id")
        if isinstance(value, str) and value:
            return value
    return None
