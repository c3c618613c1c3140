"""``reader fetch hf``, ``reader fetch arxiv`` and ``reader add``: papers over the network.

The fetching itself is :mod:`reader.fetching`, the app's too; here: the options,
a progress bar on a terminal, and what is said. Retries and slow waits are
announced on stderr, so a slow service never looks like a hang; a fetch that
stopped short saves what arrived, says why, and exits 1.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

import click

from reader.cli.common import Settings, echo, friendly_errors, opened, progress, say
from reader.cli.rules import configured
from reader.periods import days_back, parse_day, parse_month, parse_week

if TYPE_CHECKING:
    from reader.config import Config
    from reader.fetching import Fetched


def _saved(settings: Settings, fetch: Fetched, config: Config) -> None:
    """Save what was fetched (all of it or none), say what that did, then, for a
    fetch that stopped short, why, with exit 1."""
    from reader.cli.rules import watching
    from reader.fetching import save

    with opened(settings) as library, watching(library, settings.user, config) as watch:
        result = save(library, fetch)
        said = watch.apply()
    echo(f"{fetch.source}: {fetch.summary(result)}{said}")
    if fetch.stopped_early:
        raise click.ClickException(fetch.stopped_early)


def _period(
    parse: Callable[[str], object],
) -> Callable[[click.Context, click.Parameter, str | None], str | None]:
    """A click callback that checks a --date/--week/--month value with ``parse``."""

    def check(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            parse(value)
        except ValueError as error:
            raise click.BadParameter(str(error)) from None
        return value

    return check


@click.group("fetch")
def fetch_group() -> None:
    """Fetch papers over the network, from Hugging Face or arXiv."""


@fetch_group.command("hf")
@click.option(
    "--date", "day", callback=_period(parse_day), metavar="YYYY-MM-DD", help="One day's papers."
)
@click.option(
    "--week", callback=_period(parse_week), metavar="YYYY-Www", help="One ISO week's papers."
)
@click.option(
    "--month", callback=_period(parse_month), metavar="YYYY-MM", help="One month's papers."
)
@click.option("--days", type=click.IntRange(1, 366), help="Each of the last N days, today too.")
@click.option(
    "--sort", type=click.Choice(["publishedAt", "trending"]), help="Order the API returns."
)
@click.option(
    "--limit", type=click.IntRange(1), help="At most this many papers (per day with --days)."
)
@click.pass_obj
def fetch_hf_command(
    settings: Settings,
    day: str | None,
    week: str | None,
    month: str | None,
    days: int | None,
    sort: str | None,
    limit: int | None,
) -> None:
    """Hugging Face Daily Papers: the latest day, or the day, week, month or days asked.

    A day without papers (a weekend) is not an error. Base URL: READER_HF_URL.
    """
    from reader.fetching import HfRequest, Period, fetch_hf

    config = configured()  # a mistake in the config stops the fetch before it starts

    chosen = [
        name
        for name, value in (("--date", day), ("--week", week), ("--month", month), ("--days", days))
        if value
    ]
    if len(chosen) > 1:
        raise click.UsageError(f"choose one of {', '.join(chosen)}")
    if days:
        periods = tuple(Period(date=d.isoformat()) for d in days_back(days, date.today()))
    else:
        periods = (Period(date=day, week=week, month=month),)
    request = HfRequest(periods, sort=sort, limit=limit)
    with friendly_errors(), progress("Fetching Hugging Face papers", len(periods)) as advance:
        fetch = fetch_hf(settings.net(), request, on_period=lambda: advance(1), on_retry=say)
    _saved(settings, fetch, config)


def _not_blank(_ctx: click.Context, param: click.Parameter, value: str) -> str:
    """A click callback: an option that must say something."""
    if not value.strip():
        raise click.BadParameter("is empty; give an arXiv query such as 'cat:cs.LG'")
    return value


@fetch_group.command("arxiv")
@click.option(
    "--query",
    "-q",
    required=True,
    callback=_not_blank,
    help="An arXiv search query, e.g. 'cat:cs.LG'.",
)
@click.option(
    "--max",
    "max_results",
    type=click.IntRange(1, 30000),
    default=100,
    show_default=True,
    help="At most this many papers.",
)
@click.pass_obj
def fetch_arxiv_command(settings: Settings, query: str, max_results: int) -> None:
    """Papers matching an arXiv API query, newest first (one request every 3 seconds).

    Base URL: READER_ARXIV_URL.
    """
    from reader.fetching import fetch_arxiv

    config = configured()  # a mistake in the config stops the fetch before it starts

    with friendly_errors(), progress("Fetching from arXiv", max_results) as advance:
        shown = 0

        def fetched(total: int) -> None:
            nonlocal shown
            advance(total - shown)
            shown = total

        fetch = fetch_arxiv(
            settings.net(), query, max_results=max_results, on_page=fetched, on_retry=say
        )
    if fetch.empty:
        # The feed really ended at once: nothing is wrong, but nothing came either.
        say(f"{fetch.source}: no papers match {query.strip()!r}")
        return
    _saved(settings, fetch, config)


@click.command("add")
@click.argument("papers", nargs=-1, required=True, metavar="ID_OR_URL...")
@click.pass_obj
def add_command(settings: Settings, papers: tuple[str, ...]) -> None:
    """Add papers by arXiv id or URL (2409.11074, arXiv:2409.11074v2, an abs or pdf URL).

    Metadata comes from the arXiv API. All of them are added, or none. A title id
    (t-..., what reader list shows for a paper without an arXiv id) looks that
    paper up on arXiv by its title, and fills in its id when one paper has exactly
    that title.
    """
    from reader.fetching import Titles, add_request, fetch_added, titles_of

    config = configured()  # a mistake in the config stops the fetch before it starts

    with friendly_errors():
        request = add_request(papers)
    titles = Titles()
    if request.title_ids:
        with opened(settings, create=False) as library:
            titles = titles_of(library, request.title_ids)
    with friendly_errors():
        fetch = fetch_added(settings.net(), request, titles, on_retry=say)
    _saved(settings, fetch, config)
