"""The lab as one user sees it: who else starred each paper.

A library shared by several users (``READER_USER``) holds everyone's marks; the
store hands out only what a user may see of the others' (see
:mod:`reader.store.lab`). This is that answer in memory, for the list's column,
the detail pane and the query terms ``starred-by:NAME`` and ``lab:N`` (how many
lab mates, users other than you, starred a paper). Pure: no Textual, no SQL.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Lab:
    """``stars``: who starred each paper, of the users ``user`` may see, ``user``
    included, by paper id."""

    user: str
    stars: Mapping[int, tuple[str, ...]] = field(default_factory=dict)

    def mates(self, paper_id: int) -> tuple[str, ...]:
        """The lab mates (users other than :attr:`user`) who starred ``paper_id``."""
        return tuple(name for name in self.stars.get(paper_id, ()) if name != self.user)

    def count(self, paper_id: int) -> int:
        """How many lab mates starred ``paper_id``."""
        return len(self.mates(paper_id))

    def counts(self) -> dict[int, int]:
        """How many lab mates starred each paper any of them starred."""
        found = {paper_id: self.count(paper_id) for paper_id in self.stars}
        return {paper_id: count for paper_id, count in found.items() if count}

    def starred_by(self, name: str) -> list[int]:
        """The papers ``name`` starred (case does not matter), as far as the lab sees."""
        wanted = name.casefold()
        return [
            paper_id
            for paper_id, names in self.stars.items()
            if any(starrer.casefold() == wanted for starrer in names)
        ]

    @property
    def has_mates(self) -> bool:
        """Whether any lab mate starred anything this user may see."""
        return any(name != self.user for names in self.stars.values() for name in names)
