"""Days, ISO weeks and months as a user types them for ``reader fetch hf``. Pure."""

from __future__ import annotations

import datetime as dt
import re

_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_WEEK = re.compile(r"(\d{4})-?W(\d{1,2})", re.IGNORECASE)
_MONTH = re.compile(r"(\d{4})-(\d{1,2})")


def days_back(n: int, today: dt.date) -> list[dt.date]:
    """The last ``n`` days including ``today``, oldest first (``--days N``)."""
    if n < 1:
        raise ValueError(f"the number of days must be at least 1, not {n}")
    return [today - dt.timedelta(days=back) for back in range(n - 1, -1, -1)]


def parse_day(text: str) -> dt.date:
    """``2026-11-27`` as a date; anything else is a ``ValueError`` that says why."""
    match = _DAY.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"not a day: {text!r} (expected YYYY-MM-DD, e.g. 2026-11-27)")
    try:
        return dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        raise ValueError(f"no such day: {text!r}") from None


def parse_week(text: str) -> str:
    """An ISO week as the API spells it (``2026-W48``); also takes ``2026w48``."""
    match = _WEEK.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"not a week: {text!r} (expected YYYY-Www, e.g. 2026-W48)")
    year, week = int(match[1]), int(match[2])
    try:
        dt.date.fromisocalendar(year, week, 1)
    except ValueError:
        if not 1 <= year <= 9998:
            raise ValueError(f"no such week: {text!r}") from None
        weeks = dt.date(year, 12, 28).isocalendar().week
        raise ValueError(f"no such week: {text!r} ({year} has weeks 1 to {weeks})") from None
    return f"{year:04d}-W{week:02d}"


def parse_month(text: str) -> str:
    """A month as the API spells it (``2026-11``); also takes ``2026-1``."""
    match = _MONTH.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"not a month: {text!r} (expected YYYY-MM, e.g. 2026-11)")
    year, month = int(match[1]), int(match[2])
    if year < 1 or not 1 <= month <= 12:
        raise ValueError(f"no such month: {text!r}")
    return f"{year:04d}-{month:02d}"
