"""Talking to Hugging Face and arXiv over HTTP: bytes from the network, nothing else.

The fetchers here return what the servers sent (JSON items, Atom pages); turning that
into papers is the job of ``reader.sources``. Everything that can go wrong on the way
(no network, a server that keeps failing, a refused request, a garbled answer) ends
as one :class:`NetError` whose message a user can read, so the command line and the
TUI report it in one line instead of a traceback. A fetch that pages stops at a
bound set by what was asked, and says so (:class:`FetchResult`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


class NetError(Exception):
    """A request that failed for good, with a one-line message for the user.

    ``status`` is the last HTTP status seen (``None`` when no response came back), so
    a caller can tell "not there" (404) from "could not ask".
    """

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status

    def __str__(self) -> str:
        return self.message


class FetchError(Exception):
    """What was asked cannot be fetched (an id arXiv does not know, a title that
    finds no one paper): one line for the user; nothing was saved."""


@dataclass(frozen=True, slots=True)
class FetchResult(Generic[T]):
    """What a paging fetch brought back, and why it stopped short, if it did.

    ``stopped_early`` is ``None`` when the feed ended or gave all that was asked;
    otherwise one line for the user naming the host and the reason ("stopped after
    10 pages ..."). The items that did arrive are kept either way, to be saved.
    """

    items: list[T]
    stopped_early: str | None = None
