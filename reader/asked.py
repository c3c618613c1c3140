"""What a search needs to know of one user beyond their marks, read from the library
only when the query asks: the inbox (``is:new``, ``is:updated``, ``is:inbox``) and
the lab (``starred-by:``, ``lab:``). Every command that takes the filter language
(``reader list``, ``export --query``, ``digest --query``, ``remove --query``) answers
these terms the same way through it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from reader.lab import Lab

if TYPE_CHECKING:
    from reader.search import Query
    from reader.store import Library

_INBOX = ("new", "updated", "inbox")
_UPDATED = ("updated", "inbox")


@dataclass(frozen=True, slots=True)
class Asked:
    """``new``: the papers new since the user's inbox mark (None: every paper, or not
    asked); ``updated``: their starred papers updated since; ``lab``: who starred
    what (None: not asked)."""

    new: set[int] | None = None
    updated: set[int] = field(default_factory=set)
    lab: Lab | None = None


def asked(library: Library, user: str, query: Query) -> Asked:
    """What ``query`` needs of ``user``'s inbox and lab (nothing read that it does not)."""
    terms = [t for t in query.terms if t.field == "is"]
    new: set[int] | None = None
    updated: set[int] = set()
    if any(t.value in _INBOX for t in terms):
        mark = library.looked(user)
        new = library.new_since(mark)
        if any(t.value in _UPDATED for t in terms):
            updated = set(library.updates_since(mark))
    lab = Lab(user, library.lab_stars(user)) if query.asks_lab else None
    return Asked(new, updated, lab)
