"""Removing papers: which papers a user names, and what to ask and say about it.

Shared by ``reader remove`` and the library screen (no click, no Textual); the
store removes and puts back (:meth:`reader.store.Library.remove_papers`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from reader.ids import parse_arxiv_id
from reader.lookup import is_title_id, papers_with_title_ids
from reader.models import papers_label
from reader.store import Held, Library
from reader.store.removal import Noted
from reader.text import one_line, shorten

# How many titles a question about removing papers lists.
MAX_TITLES = 5
# ... and how long each may be.
TITLE_WIDTH = 70


class UnknownPaper(ValueError):
    """A paper named that is not in the library, or not a paper id at all."""


@dataclass(frozen=True, slots=True)
class Plan:
    """Papers about to be removed, and what hangs on them."""

    # The papers to remove, in the order named.
    ids: tuple[int, ...]
    # The titles of the first few.
    titles: tuple[str, ...]
    # What users hold on them.
    held: Held
    # Papers named but to be left in the library, for their notes (and what they hold).
    kept: tuple[int, ...] = ()
    kept_held: Held = field(default_factory=Held)


def paper_ids(library: Library, names: Sequence[str]) -> list[int]:
    """The row ids of the papers ``names`` name, once each (the papers of title ids
    after the others): an arXiv id in any form (``2409.11074``,
    ``arXiv:2409.11074v2``, an abs or pdf URL), or, for a paper without one, the
    title id (``t-…``) that ``reader list`` prints (every paper of that title) or a
    row's ``#N``. Raises :class:`UnknownPaper` naming every name that finds no
    paper."""
    found: list[tuple[str, int | str]] = []
    titled: list[str] = []
    bad: list[str] = []
    for name in names:
        text = name.strip()
        number = text[1:]
        if text.startswith("#") and number.isascii() and number.isdigit():
            found.append((name, int(number)))
        elif is_title_id(text):
            titled.append(name)
        elif (parsed := parse_arxiv_id(text)) is not None:
            found.append((name, parsed.id))
        else:
            bad.append(name)
    if bad:
        raise UnknownPaper(
            f"not an arXiv id or a title id from `reader list`: {', '.join(bad)}; nothing removed"
        )
    by_arxiv_id = library.ids_of_arxiv_ids([key for _, key in found if isinstance(key, str)])
    ids = [by_arxiv_id.get(key) if isinstance(key, str) else key for _, key in found]
    present = {paper.id for paper in library.listed_by_id([i for i in ids if i is not None])}
    missing = [name for (name, _), i in zip(found, ids, strict=True) if i not in present]
    by_title = papers_with_title_ids(library.listing(), titled) if titled else {}
    missing += [name for name in titled if not by_title[name.strip().lower()]]
    if missing:
        raise UnknownPaper(f"not in the library: {', '.join(missing)}; nothing removed")
    ids += [i for name in titled for i in by_title[name.strip().lower()]]
    return list(dict.fromkeys(i for i in ids if i is not None))


def plan(library: Library, ids: Sequence[int], *, noted: Noted = "remove") -> Plan:
    """What removing ``ids`` takes with it; with ``noted="keep"`` the papers that
    hold anyone's note stay out of it."""
    held = library.held(ids)
    kept: tuple[int, ...] = ()
    kept_held = Held()
    if noted == "keep" and held.noted:
        kept = tuple(i for i in ids if i in held.noted)
        kept_held = library.held(kept)
        ids = [i for i in ids if i not in held.noted]
        held = library.held(ids)
    titles = tuple(paper.title for paper in library.listed_by_id(ids[:MAX_TITLES]))
    return Plan(tuple(ids), titles, held, kept, kept_held)


def notes_of(held: Held) -> str:
    """Whose notes: "ana (2 notes), bob (1 note)"."""
    return ", ".join(f"{user} ({_count(n, 'note')})" for user, n in held.notes.items())


def stars_and_tags_of(held: Held) -> str:
    """Whose stars and tags: "ana (2 starred, 1 tagged), bob (1 starred)"; empty
    when there are none."""
    parts = []
    for user in sorted({*held.starred, *held.tagged}):
        marks = [
            f"{count} {what}"
            for what, count in (
                ("starred", held.starred.get(user)),
                ("tagged", held.tagged.get(user)),
            )
            if count
        ]
        parts.append(f"{user} ({', '.join(marks)})")
    return ", ".join(parts)


@dataclass(frozen=True, slots=True)
class Question:
    """What to ask before removing papers."""

    # "Remove 3 papers?"
    ask: str
    # A few of their titles, one line each, then "… and 2 more".
    titles: tuple[str, ...]
    # The stars, tags and notes that go with them, and the papers that stay.
    warnings: tuple[str, ...]


def question(plan: Plan, *, what: str = "") -> Question:
    """The question to ask before removing ``plan``'s papers; ``what`` names them
    ("sample " papers)."""
    count = len(plan.ids)
    titles = [shorten(one_line(title), TITLE_WIDTH) for title in plan.titles]
    if count > len(plan.titles):
        titles.append(f"… and {count - len(plan.titles)} more")
    warnings = []
    marks = stars_and_tags_of(plan.held)
    if marks:
        warnings.append(f"Starred or tagged by {marks}: those marks go with them.")
    if plan.held.notes:
        warnings.append(f"With notes by {notes_of(plan.held)}: the notes go with them.")
    if plan.kept:
        warnings.append(f"{kept_line(plan.kept, plan.kept_held)}.")
    return Question(f"Remove {_count(count, what + 'paper')}?", tuple(titles), tuple(warnings))


def question_lines(plan: Plan, *, what: str = "") -> list[str]:
    """:func:`question` as lines for a terminal, the question last."""
    asked = question(plan, what=what)
    return [*(f"  {title}" for title in asked.titles), *asked.warnings, asked.ask]


def kept_line(kept: Sequence[int], held: Held) -> str:
    """ "2 papers with notes stay, by ana (2 notes)"."""
    verb = "stays" if len(kept) == 1 else "stay"
    return f"{papers_label(len(kept))} with notes {verb}, by {notes_of(held)}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
