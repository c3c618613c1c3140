"""Talking to Hugging Face and arXiv over HTTP: bytes from the network, nothing else.

The fetchers here return what the servers sent (JSON items, Atom pages); turning that
into papers is the job of ``reader.sources``. Everything that can go wrong on the way
(no network, a server that keeps failing, a refused request, a garbled answer) ends
as one :class:`NetError` whose message a user can read, so the command line and the
TUI report it in one line instead of a traceback.
"""

from __future__ import annotations


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
