"""The digest: what is new for one user, grouped, as Markdown, HTML or an Atom feed
(``reader digest``, for cron and a feed reader).

New means came into the library since the user last marked the inbox done (or since
a date), or starred by a lab mate since then (another user of the library who shares
their marks). Updates to the user's starred papers made since (a newer arXiv
version, code that appeared) come first, in a section of their own; then the papers
the user's For you ranking scores 0.5 or more, best first; then those the lab
starred, the most starred first; then the rest, newest first. Papers marked not
interested are left out. Paper text is data: escaped for each format, never markup,
never a control character.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

from reader.export.markdown import escape_text, link_url
from reader.limits import cut
from reader.models import Paper, PaperUpdate, title_id
from reader.text import one_line, safe_url
from reader.updates import lines as update_lines

FORMATS = ("markdown", "html", "atom")
# A For you score from which a paper is in the For you group.
FOR_YOU_FROM = 0.5
# What a digest shows of an abstract, and of an author list.
SUMMARY_CHARS = 400
AUTHORS_SHOWN = 3
# Characters XML 1.0 cannot hold at all (after the terminal rule removed the rest).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True, slots=True)
class Entry:
    """One paper of a digest, and its For you score (None: no ranking)."""

    paper: Paper
    added: str
    score: float | None = None
    # The lab mates who starred it (names only: never their notes).
    lab: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Updated:
    """A starred paper and its updates since the digest's start, oldest first."""

    paper: Paper
    updates: tuple[PaperUpdate, ...]


# The heading of the updates' section, before the new papers.
UPDATES = "Updates to your starred papers"


@dataclass(frozen=True, slots=True)
class Digest:
    """What is new for ``user``, in its groups."""

    user: str
    since: str | None  # None: since the user's first look (everything)
    made_at: str
    for_you: tuple[Entry, ...]
    rest: tuple[Entry, ...]
    # Whether For you had learned enough to rank (else every paper is in ``rest``).
    ranked: bool
    # New papers left out (past the digest's limit).
    more: int = 0
    # Starred by lab mates (and not in For you), the most starred first.
    lab: tuple[Entry, ...] = ()
    # The user's starred papers updated since (first in the digest), latest first.
    updated: tuple[Updated, ...] = ()

    @property
    def count(self) -> int:
        return len(self.for_you) + len(self.lab) + len(self.rest)


def group(
    user: str,
    entries: Sequence[Entry],
    *,
    since: str | None,
    made_at: str,
    ranked: bool,
    more: int = 0,
) -> Digest:
    """``entries`` in the digest's groups: For you (best first) when ``ranked``, then
    what lab mates starred (the most starred first), then the rest, newest first
    (``more``: new papers left out)."""
    newest = sorted(entries, key=lambda e: (e.added, e.paper.published or ""), reverse=True)
    chosen: list[Entry] = []
    if ranked:
        chosen = [e for e in entries if e.score is not None and e.score >= FOR_YOU_FROM]
        chosen.sort(key=lambda e: -(e.score or 0.0))
    taken = {id(e) for e in chosen}
    lab = [e for e in newest if e.lab and id(e) not in taken]
    lab.sort(key=lambda e: -len(e.lab))  # stable: newest first among equals
    taken |= {id(e) for e in lab}
    rest = tuple(e for e in newest if id(e) not in taken)
    return Digest(user, since, made_at, tuple(chosen), rest, ranked, more, tuple(lab))


def choose(
    added: Mapping[int, str],
    scores: Mapping[int, float],
    limit: int,
    lab: Mapping[int, int] | None = None,
) -> tuple[list[int], int]:
    """Which of the new papers (``added``: when each came in) a digest of at most
    ``limit`` shows: For you's picks, best first, then those lab mates starred
    (``lab``: how many, by paper), then the newest; and how many it leaves out.
    Only these are read whole."""
    counts = lab or {}
    picks = sorted(
        (i for i in added if scores.get(i, 0.0) >= FOR_YOU_FROM), key=lambda i: -scores[i]
    )[:limit]
    taken = set(picks)
    newest = sorted((i for i in added if i not in taken), key=lambda i: added[i], reverse=True)
    starred = sorted((i for i in newest if counts.get(i)), key=lambda i: -counts[i])
    taken |= set(starred)
    shown = (picks + starred + [i for i in newest if i not in taken])[:limit]
    return shown, len(added) - len(shown)


def _text(value: str, limit: int | None = None) -> str:
    """Paper text on one line, no controls, cut to ``limit`` characters."""
    text = _NOT_XML.sub("", one_line(value))
    return cut(text, limit) if limit else text


def _link(paper: Paper) -> str | None:
    return safe_url(paper.abs_url or paper.hf_url or paper.url)


def _authors(paper: Paper) -> str:
    names = [_text(name, 80) for name in paper.authors[:AUTHORS_SHOWN]]
    if len(paper.authors) > AUTHORS_SHOWN:
        names.append("et al.")
    return ", ".join(names)


def _summary(paper: Paper) -> str:
    return _text(paper.ai_summary or paper.abstract, SUMMARY_CHARS)


def _facts(entry: Entry) -> str:
    paper = entry.paper
    facts = [f for f in (_authors(paper), paper.published or "") if f]
    if paper.upvotes:
        facts.append(f"{paper.upvotes} upvotes")
    if entry.score is not None:
        facts.append(f"For you {entry.score:.2f}")
    if entry.lab:
        facts.append("★ " + ", ".join(_text(name, 40) for name in entry.lab))
    return " · ".join(facts)


def _heading(digest: Digest) -> str:
    since = f"since {digest.since[:10]}" if digest.since else "so far"
    return f"New for {_text(digest.user, 80)} {since}: {digest.count + digest.more} papers"


# What the Markdown and HTML say of the papers left out.
MORE = "… and {more} more new papers: reader list is:new"


# The lab's group, shown only when lab mates starred one of the papers.
LAB_GROUP = "Starred by your lab"


def _groups(digest: Digest) -> list[tuple[str, tuple[Entry, ...]]]:
    lab = [(LAB_GROUP, digest.lab)] if digest.lab else []
    if digest.ranked:
        return [("For you", digest.for_you), *lab, ("The rest", digest.rest)]
    return [*lab, ("New papers", digest.rest)]


# -- Markdown ---------------------------------------------------------------------


def render_markdown(digest: Digest) -> str:
    """The digest as Markdown: a heading per group, a list item per paper."""
    lines = [f"# {escape_text(_heading(digest))}", ""]
    if digest.updated:
        lines += [f"## {UPDATES}", ""]
        for updated in digest.updated:
            title = escape_text(_text(updated.paper.title, 300))
            link = link_url(_link(updated.paper))
            lines.append(f"- **[{title}]({link})**  " if link else f"- **{title}**  ")
            said = [escape_text(_text(line)) for _kind, line in update_lines(updated.updates)]
            lines.append("  " + "  \n  ".join(said))
        lines.append("")
    for name, entries in _groups(digest):
        lines += [f"## {name}", ""]
        if not entries:
            lines += ["Nothing here.", ""]
            continue
        for entry in entries:
            title = escape_text(_text(entry.paper.title, 300))
            link = link_url(_link(entry.paper))
            head = f"[{title}]({link})" if link else title
            lines.append(f"- **{head}**  ")
            lines.append(f"  {escape_text(_facts(entry))}  ")
            summary = _summary(entry.paper)
            if summary:
                lines.append(f"  {escape_text(summary)}")
        lines.append("")
    if digest.more:
        lines += [escape_text(MORE.format(more=digest.more)), ""]
    return "\n".join(lines).rstrip("\n") + "\n"


# -- HTML -------------------------------------------------------------------------


def render_html(digest: Digest) -> str:
    """The digest as one HTML page (every text escaped)."""
    esc = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{esc(_heading(digest))}</title></head><body>",
        f"<h1>{esc(_heading(digest))}</h1>",
    ]
    if digest.updated:
        parts += [f"<h2>{esc(UPDATES)}</h2>", "<ul>"]
        for updated in digest.updated:
            title = esc(_text(updated.paper.title, 300))
            link = _link(updated.paper)
            head = f'<a href="{esc(link)}">{title}</a>' if link else title
            said = "<br>".join(esc(_text(line)) for _kind, line in update_lines(updated.updates))
            parts.append(f"<li><strong>{head}</strong><br>{said}</li>")
        parts.append("</ul>")
    for name, entries in _groups(digest):
        parts.append(f"<h2>{esc(name)}</h2>")
        if not entries:
            parts.append("<p>Nothing here.</p>")
            continue
        parts.append("<ul>")
        for entry in entries:
            title = esc(_text(entry.paper.title, 300))
            link = _link(entry.paper)
            head = f'<a href="{esc(link)}">{title}</a>' if link else title
            parts.append(
                f"<li><strong>{head}</strong><br>{esc(_facts(entry))}"
                f"<br><small>{esc(_summary(entry.paper))}</small></li>"
            )
        parts.append("</ul>")
    if digest.more:
        parts.append(f"<p>{esc(MORE.format(more=digest.more))}</p>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


# -- Atom -------------------------------------------------------------------------


def _atom_time(stamp: str) -> str:
    """An RFC 3339 time from a stored one (a date alone becomes its midnight, UTC)."""
    if len(stamp) == 10:
        return f"{stamp}T00:00:00Z"
    return stamp.replace("+00:00", "Z")


def _entry_id(paper: Paper) -> str:
    """An id that stays the paper's in every digest: its arXiv page, else its title id."""
    if paper.arxiv_id:
        return f"https://arxiv.org/abs/{paper.arxiv_id}"
    return f"tag:reader,2026:paper/{title_id(paper.title_key)}"


def render_atom(digest: Digest) -> str:
    """The digest as an Atom 1.0 feed (RFC 4287): an entry per paper, its group as
    its category; a feed reader subscribes to the file."""
    x = xml_escape
    user = _text(digest.user, 80)
    updated = _atom_time(digest.made_at)
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        f"  <title>{x(f'reader: new for {user}')}</title>",
        f"  <id>{x(f'tag:reader,2026:digest/{user}')}</id>",
        f"  <updated>{x(updated)}</updated>",
        "  <author><name>reader</name></author>",
        "  <generator>reader</generator>",
    ]
    for item in digest.updated:
        parts += _atom_update(item)
    for name, entries in _groups(digest):
        for entry in entries:
            paper = entry.paper
            link = _link(paper)
            parts += [
                "  <entry>",
                f"    <title>{x(_text(paper.title, 300))}</title>",
                f"    <id>{x(_entry_id(paper))}</id>",
                f"    <updated>{x(_atom_time(entry.added) if entry.added else updated)}</updated>",
            ]
            if link:
                parts.append(f"    <link href={quoteattr(link)}/>")
            for author in paper.authors[:AUTHORS_SHOWN]:
                parts.append(f"    <author><name>{x(_text(author, 80))}</name></author>")
            parts.append(f"    <category term={quoteattr(name)}/>")
            parts.append(f"    <summary>{x(_facts(entry) + ' — ' + _summary(paper))}</summary>")
            parts.append("  </entry>")
    parts.append("</feed>")
    return "\n".join(parts) + "\n"


def _atom_update(updated: Updated) -> list[str]:
    """The Atom entry of a starred paper's updates: an id of its own per state of the
    paper (its version, its code), so a feed reader shows a later update again."""
    x = xml_escape
    paper = updated.paper
    said = [_text(line) for _kind, line in update_lines(updated.updates)]
    versions = [u.new for u in updated.updates if u.kind == "version" and u.new]
    state = [f"v{_text(versions[-1], 20)}"] if versions else []
    if any(u.kind == "code" for u in updated.updates):
        state.append("code")
    key = title_id(paper.title_key) if not paper.arxiv_id else paper.arxiv_id
    link = _link(paper)
    parts = [
        "  <entry>",
        f"    <title>{x('Updated: ' + _text(paper.title, 300))}</title>",
        f"    <id>{x(f'tag:reader,2026:update/{key}/' + '+'.join(state))}</id>",
        f"    <updated>{x(_atom_time(updated.updates[-1].at))}</updated>",
    ]
    if link:
        parts.append(f"    <link href={quoteattr(link)}/>")
    parts.append(f"    <category term={quoteattr(UPDATES)}/>")
    parts.append(f"    <summary>{x(' · '.join(said))}</summary>")
    parts.append("  </entry>")
    return parts


def render(digest: Digest, fmt: str) -> str:
    """The digest in ``fmt`` (one of :data:`FORMATS`)."""
    if fmt == "markdown":
        return render_markdown(digest)
    if fmt == "html":
        return render_html(digest)
    if fmt == "atom":
        return render_atom(digest)
    raise ValueError(f"unknown digest format {fmt!r}")
