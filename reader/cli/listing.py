"""``reader list``: the papers a filter query finds, as lines or JSON."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

import click

from reader.cli.common import Settings, echo, opened, say

if TYPE_CHECKING:
    from reader.models import Annotation, ListedPaper
    from reader.ranking.model import Ranking
    from reader.search.direct import Found
    from reader.search.query import Query
    from reader.store import Library


# Papers to count before --sort for-you says it is counting (a second's work or more).
SAY_COUNTING = 5000


class _QueryCommand(click.Command):
    """A command whose free words are a query, so ``-is:read`` is a term, not an option.

    Only the command's own options (and help) are read as options, wherever they
    stand; any other word starting with ``--`` is still an unknown option.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        takes_value: dict[str, bool] = {}
        for param in self.get_params(ctx):
            if isinstance(param, click.Option):
                for name in (*param.opts, *param.secondary_opts):
                    takes_value[name] = not (param.is_flag or param.count)
        options: list[str] = []
        words: list[str] = []
        rest = iter(args)
        for arg in rest:
            if arg == "--":
                words.extend(rest)
                break
            name = arg.split("=", 1)[0]
            if name in takes_value or arg.startswith("--"):
                options.append(arg)
                value = next(rest, None) if takes_value.get(name) and "=" not in arg else None
                if value is not None:
                    options.append(value)
            else:
                words.append(arg)
        return super().parse_args(ctx, [*options, "--", *words])


@click.command("list", cls=_QueryCommand)
@click.argument("query", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array instead of lines.")
@click.option("--limit", type=click.IntRange(1), metavar="N", help="At most N papers.")
@click.option(
    "--sort",
    type=click.Choice(["best", "for-you"]),
    default="best",
    show_default=True,
    help="best: best match first (newest first without words); for-you: the user's "
    "For you ranking first.",
)
@click.pass_obj
def list_command(
    settings: Settings, query: tuple[str, ...], as_json: bool, limit: int | None, sort: str
) -> None:
    """Print the papers matching QUERY, best first (all of them, newest first, without one).

    QUERY is the filter bar's language: fuzzy words plus terms such as author:NAME,
    author:"FULL NAME", title:WORD, year:2024, before:/after:DATE, tag:NAME,
    is:starred, is:unread, is:dismissed (papers marked not interested, which are
    left out unless asked for), is:new (came in since the inbox was marked done in
    the app), is:updated (starred, with a newer arXiv version or new code since
    then), is:inbox (either), has:note, has:code, upvotes:>10, github:>100 (GitHub
    stars), comments:>5, fy:>0.7 (the For you score), starred-by:NAME (another user
    of the library), lab:>=2 (starred by that many lab mates), "an exact phrase",
    and -TERM to leave out. Protect its quotes from the shell:

    \b
        reader list 'author:"Yann LeCun"'

    One paper a line: id, date, upvotes and title, separated by tabs (- when
    unknown); with --json, every field plus the user's starred, read, tags and note,
    the lab mates who starred it (lab), the paper's updates (a newer arXiv version,
    code that appeared: kind, at, old, new) and whether one is unseen (updated), and
    for_you, the score, when the ranking is used.

    The For you ranking (--sort for-you, fy:) is learned from the user's own stars,
    notes, tags and papers marked not interested; with fewer than 5 it ranks by
    upvotes and recency. The first use on a large library counts its words once
    (seconds), kept in the user's cache directory.
    The id is the arXiv id, or for a paper without one a title id (t-...) that
    reader add takes to look the paper up on arXiv by its title, and reader remove
    takes too.
    """
    from reader.search.query import Query

    parsed = Query.parse(" ".join(query))
    if not parsed.is_valid:
        raise click.ClickException("; ".join(parsed.errors))
    for hint in parsed.errors:
        say(f"warning: {hint}")
    with opened(settings, create=False) as library:
        if sort == "for-you" or parsed.asks_for_you:
            ranking = _ranking(library, settings.user)
            ids = _indexed(library, settings.user, parsed, None, ranking.scores)
            if sort == "for-you":
                ids = ranking.order(ids)
            ids = ids[:limit]
            if as_json:
                _echo_json(library, settings.user, ids, ranking.scores)
            else:
                _echo_lines(library.listed_by_id(ids))
        elif as_json:
            ids = _found_ids(library, settings.user, parsed, limit)
            _echo_json(library, settings.user, ids)
        else:
            for rows in _found_rows(library, settings.user, parsed, limit):
                _echo_lines(rows)


def _ranking(library: Library, user: str) -> Ranking:
    """The user's For you ranking, its word counts kept in the user's cache."""
    from reader.models import papers_label
    from reader.ranking.features import cache_path
    from reader.ranking.model import MIN_POSITIVES
    from reader.ranking.ranker import Ranker

    def counting(papers: int) -> None:
        if papers >= SAY_COUNTING:
            say(f"For you: counting the words of {papers:,} papers (once: they are kept)…")

    words = library.words()
    try:
        cache = cache_path(library.path) if library.path is not None else None
        ranking = Ranker(cache, counting).rank(
            words,
            library.annotations(user),
            followed=followed_authors(),
            hidden=library.rule_hidden(user),
        )
    finally:
        words.close()
    if not ranking.learned:
        say(
            f"For you: {papers_label(ranking.positives)} starred, noted or tagged; until there are "
            f"{MIN_POSITIVES}, ranked by upvotes and recency (authors you follow first)"
        )
    return ranking


def followed_authors() -> tuple[str, ...]:
    """The authors the config file says to follow (``follow``)."""
    from reader.config import ConfigError, load_config

    try:
        return load_config().follow
    except ConfigError as error:
        raise click.ClickException(str(error)) from None


def _found_rows(
    library: Library, user: str, query: Query, limit: int | None
) -> Iterator[Sequence[ListedPaper]]:
    """The papers ``query`` finds, in order, a batch at a time as they are read:
    from the word indexes alone where :class:`DirectSearch` answers, else through
    the filter's own index (see :mod:`reader.search.direct`)."""
    from reader.search.direct import found_rows

    found = _direct(library, user, query)
    if found is None:
        yield library.listed_by_id(_indexed(library, user, query, limit))
    else:
        yield from found_rows(found, library, limit)


def _found_ids(library: Library, user: str, query: Query, limit: int | None) -> list[int]:
    """The ids of the papers ``query`` finds, in order (see :func:`_found_rows`)."""
    return [paper.id for rows in _found_rows(library, user, query, limit) for paper in rows]


def _direct(library: Library, user: str, query: Query) -> Found | None:
    """What :class:`DirectSearch` finds, or None for a query it does not answer."""
    from reader.asked import asked
    from reader.search.direct import DirectSearch, NotDirect, answers

    if not answers(query):
        return None
    words = library.words()
    try:
        return DirectSearch(words).search(
            query, _marks(library, user, query), updated=asked(library, user, query).updated
        )
    except NotDirect:
        return None
    finally:
        words.close()


def _marks(library: Library, user: str, query: Query) -> dict[int, Annotation]:
    """The user's marks a search needs: all of them when a term asks about marks, else
    only the papers marked not interested, which it leaves out."""
    if any(term.field in ("is", "has", "tag") for term in query.terms):
        return library.annotations(user)
    return library.dismissed(user)


def _indexed(
    library: Library,
    user: str,
    query: Query,
    limit: int | None,
    scores: Mapping[int, float] | None = None,
) -> list[int]:
    """The ids :class:`SearchIndex` finds: the order of every paper, then the
    word indexes, and the list's columns when a term needs dates or counts."""
    from reader.asked import asked
    from reader.search import SearchIndex

    marks = library.annotations(user)
    needs = asked(library, user, query)
    words = library.words()
    index = SearchIndex([], words, order=library.order(), load=library.listing)
    try:
        return index.search(query, marks, scores, needs.new, needs.lab, updated=needs.updated)[
            :limit
        ]
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    finally:
        words.close()


def _echo_lines(rows: Sequence[ListedPaper]) -> None:
    """One paper a line: id, date, upvotes and title, separated by tabs."""
    from reader.text import one_line

    if rows:
        echo(
            "\n".join(
                "\t".join(
                    (
                        paper.short_id,
                        paper.published or "-",
                        "-" if paper.upvotes is None else str(paper.upvotes),
                        one_line(paper.title),
                    )
                )
                for paper in rows
            )
        )


def _echo_json(
    library: Library, user: str, ids: list[int], scores: Mapping[int, float] | None = None
) -> None:
    """Every field of these papers plus the user's marks (and For you ``scores``,
    when given), as one JSON array."""
    from reader.lab import Lab
    from reader.sources.reader_json import paper_to_json
    from reader.text import json_dumps_safe
    from reader.updates import as_json

    marks = library.annotations(user)
    lab = Lab(user, library.lab_stars(user))
    updates = library.updates_of(ids)
    unseen = library.updates_since(library.looked(user)) if updates else {}
    items = []
    for paper in library.papers_by_id(ids):
        mark = marks.get(paper.id) if paper.id is not None else None
        item = paper_to_json(paper)
        item["starred"] = bool(mark and mark.starred)
        item["read"] = bool(mark and mark.is_read)
        item["tags"] = list(mark.tags) if mark else []
        item["note"] = mark.note if mark else ""
        item["dismissed"] = bool(mark and mark.is_dismissed)
        item["lab"] = list(lab.mates(paper.id)) if paper.id is not None else []
        item["updates"] = as_json(updates.get(paper.id or 0, ()))
        # In the inbox as updated: starred, with an update since it was marked done.
        item["updated"] = bool(mark and mark.starred and (paper.id or 0) in unseen)
        if scores is not None:
            score = scores.get(paper.id) if paper.id is not None else None
            item["for_you"] = None if score is None else round(score, 4)
        items.append(item)
    # Escaped, not dropped: C1 controls and bidi overrides are data as well.
    echo(json_dumps_safe(items, indent=2))
