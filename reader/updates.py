"""Updates to a user's starred papers, as the inbox, the list, the detail pane, ``reader
list`` and the digest tell them: a newer arXiv version, or code that appeared.

The library records an update of any paper an import or fetch changed so (see
:mod:`reader.store.updates`); whose it is, is decided here, at the time of asking: a
paper the user has starred, with an update made since they last marked the inbox
done (``is:updated``). Paper text is data: every line here is plain text, on one line,
for a front end to show as text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from reader.limits import LINK_CHARS, cut
from reader.models import Annotation, PaperUpdate
from reader.text import one_line

# Before a paper's title in the list: it has an update the user has not seen.
BADGE = "↑"


def starred_updated(
    updates: Mapping[int, Sequence[PaperUpdate]], marks: Mapping[int, Annotation]
) -> set[int]:
    """The papers of ``updates`` (those since the inbox mark) the user has starred."""
    return {paper_id for paper_id in updates if (mark := marks.get(paper_id)) and mark.starred}


def badge(updates: Sequence[PaperUpdate]) -> str:
    """What the list shows before a title for these updates: "↑v3", "↑code",
    "↑v3+code"; "" for none."""
    parts = []
    versions = [u for u in updates if u.kind == "version" and u.new]
    if versions:
        parts.append(f"v{_version(versions[-1].new)}")
    if any(u.kind == "code" for u in updates):
        parts.append("code")
    return BADGE + "+".join(parts) if parts else ""


def lines(updates: Sequence[PaperUpdate]) -> list[tuple[str, str]]:
    """(kind, line) for each kind of update, e.g. "Updated: arXiv v3 (was v2),
    2026-12-04" and "Code: github.com/x/y, appeared 2026-12-04": versions one after
    another said as one (from the first version to the last)."""
    said = []
    versions = [u for u in updates if u.kind == "version"]
    if versions:
        first, last = versions[0], versions[-1]
        line = f"Updated: arXiv v{_version(last.new)} (was v{_version(first.old)}), {last.at[:10]}"
        said.append(("version", line))
    for update in updates:
        if update.kind == "code":
            line = f"Code: {link_label(update.new or '')}, appeared {update.at[:10]}"
            said.append(("code", line))
    return said


def link_label(url: str) -> str:
    """A link as shown in a line: without its scheme, one line, bounded."""
    text = one_line(cut(url, LINK_CHARS))
    for scheme in ("https://", "http://"):
        if text.lower().startswith(scheme):
            return text[len(scheme) :]
    return text


def as_json(updates: Iterable[PaperUpdate]) -> list[dict[str, str | None]]:
    """Updates as ``reader list --json`` gives them."""
    return [{"kind": u.kind, "at": u.at, "old": u.old, "new": u.new} for u in updates]


def _version(value: str | None) -> str:
    """A version number as stored (digits), else "?" (a damaged row)."""
    return value if value is not None and value.isascii() and value.isdigit() else "?"
