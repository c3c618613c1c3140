"""The store's clock: the one place every write reads the time from (tests set it)."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> str:
    """This moment, UTC, to the second, as the store writes times."""
    return datetime.now(UTC).isoformat(timespec="seconds")
