"""``reader digest``: what is new for the user, as Markdown, HTML or an Atom feed."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import click

from reader.cli.common import Settings, echo, opened

if TYPE_CHECKING:
    from reader.digest import Updated
    from reader.search.query import Query
    from reader.store import Library

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@click.command("digest")
@click.option(
    "--since",
    default="last",
    show_default=True,
    metavar="last|DATE",
    help="last: since the inbox was last marked done (I in the app, or --mark-seen); "
    "DATE (YYYY-MM-DD): the papers that came in from that day on.",
)
@click.option("--query", "-q", default="", metavar="QUERY", help="Only papers QUERY finds.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["markdown", "html", "atom"]),
    default="markdown",
    show_default=True,
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file (whole or not at all) instead of standard output.",
)
@click.option(
    "--limit",
    type=click.IntRange(1),
    default=300,
    show_default=True,
    metavar="N",
    help="At most N papers (For you's picks first); the rest are counted.",
)
@click.option(
    "--mark-seen",
    is_flag=True,
    help="Then mark the inbox done, as I does in the app (never without this).",
)
@click.pass_obj
def digest_command(
    settings: Settings,
    since: str,
    query: str,
    fmt: str,
    output: Path | None,
    limit: int,
    mark_seen: bool,
) -> None:
    """What came into the library for the user, or was starred by a lab mate (another
    user of the library who shares their marks), since the user last marked the inbox
    done: the updates to the user's starred papers first (a newer arXiv version, code
    that appeared), For you's picks (once it has learned from 5 starred, noted or
    tagged papers), then the lab's stars, then the rest, newest first, each with its
    link. Made for cron: `reader fetch hf && reader digest --format atom -o
    ~/feeds/papers.xml`, and a feed reader subscribed to that file.
    """
    from reader.digest import Entry, choose, group, render
    from reader.lab import Lab
    from reader.search.query import Query
    from reader.store import clock

    if since != "last" and not _DAY.fullmatch(since):
        raise click.BadParameter("takes last or a date like 2026-12-01", param_hint="--since")
    parsed = Query.parse(query)
    if query and not parsed.is_valid:
        raise click.BadParameter("; ".join(parsed.errors), param_hint="--query")
    with opened(settings, create=False) as library:
        user = settings.user
        mark = library.looked(user) if since == "last" else None
        new = library.new_since(mark) if since == "last" else library.added_from(since)
        lab = Lab(user, library.lab_stars(user))
        if new is not None:
            # And what lab mates starred since, whenever it came in.
            new |= library.lab_starred_since(user, (mark.seen_at or mark.at) if mark else since)
        ids = list(library.order()) if new is None else [i for i in library.order() if i in new]
        ids = _found(library, user, parsed, ids)
        scores, ranked = _scores(library, user) if ids else ({}, False)
        added = library.added(ids)
        # Only what the digest shows is read whole.
        shown, more = choose(added, scores if ranked else {}, limit, lab.counts())
        entries = [
            Entry(
                paper,
                added.get(paper.id or 0, ""),
                scores.get(paper.id or 0) if ranked else None,
                lab.mates(paper.id or 0),
            )
            for paper in library.papers_by_id(shown)
        ]
        shown_since = (mark[0] if mark else None) if since == "last" else since
        digest = group(
            user, entries, since=shown_since, made_at=clock.now(), ranked=ranked, more=more
        )
        digest = replace(digest, updated=_updated(library, user, parsed, since, limit))
        text = render(digest, fmt)
        if output is None:
            echo(text, nl=False)
        else:
            _write(output, text)
        if mark_seen:
            library.mark_looked(user)


def _updated(
    library: Library, user: str, query: Query, since: str, limit: int
) -> tuple[Updated, ...]:
    """The user's starred papers updated since the inbox mark (``since`` "last") or
    the day ``since``, that ``query`` finds: latest update first, at most ``limit``."""
    from reader.digest import Updated
    from reader.updates import starred_updated

    if since == "last":
        found = library.updates_since(library.looked(user))
    else:
        found = library.updates_from(since)
    if not found:
        return ()
    ids = sorted(starred_updated(found, library.annotations(user)))
    ids = _found(library, user, query, ids)
    ids.sort(key=lambda i: found[i][-1].at, reverse=True)
    papers = {paper.id: paper for paper in library.papers_by_id(ids[:limit])}
    return tuple(Updated(papers[i], found[i]) for i in ids[:limit] if i in papers)


def _found(library: Library, user: str, query: Query, ids: list[int]) -> list[int]:
    """``ids`` the query finds (all of them without one), papers marked not interested
    left out."""
    from reader.asked import asked
    from reader.search import SearchIndex

    if query.is_empty:
        dismissed = library.dismissed(user)
        return [i for i in ids if i not in dismissed]
    marks = library.annotations(user)
    words = library.words()
    try:
        index = SearchIndex([], words, order=library.order(), load=library.listing)
        wanted = set(ids)
        # is:new: the papers the digest is about; is:updated as reader list answers it.
        needs = asked(library, user, query)
        found = index.search(query, marks, None, wanted, needs.lab, updated=needs.updated)
        return [i for i in found if i in wanted]
    finally:
        words.close()


def _scores(library: Library, user: str) -> tuple[dict[int, float], bool]:
    """The user's For you scores, and whether they come from a model (learned)."""
    from reader.cli.listing import followed_authors
    from reader.ranking.features import cache_path
    from reader.ranking.model import MIN_POSITIVES, Labels
    from reader.ranking.ranker import Ranker

    marks = library.annotations(user)
    if len(Labels.from_marks(marks).positive) < MIN_POSITIVES:
        return {}, False  # nothing learned: no picks, and no words to count for them
    words = library.words()
    try:
        cache = cache_path(library.path) if library.path is not None else None
        ranking = Ranker(cache).rank(
            words, marks, followed=followed_authors(), hidden=library.rule_hidden(user)
        )
    finally:
        words.close()
    return ranking.scores, ranking.learned


def _write(path: Path, text: str) -> None:
    """``text`` to ``path``, whole or not at all; one clean line when it cannot be."""
    from reader.atomic import write_atomic

    try:
        write_atomic(path, text.encode("utf-8"))
    except OSError as error:
        raise click.ClickException(f"cannot write {path}: {error.strerror or error}") from None
