"""``reader stats``: the user's library in figures, and how well For you has ranked."""

from __future__ import annotations

import click

from reader.cli.common import Settings, echo, opened


@click.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of lines.")
@click.pass_obj
def stats_command(settings: Settings, as_json: bool) -> None:
    """How many papers the user has read, starred and noted, their pace in triage
    mode (papers decided per day over the last week, the median seconds a decision
    took), and how well the For you ranking has done for them: trained on what they
    marked before a moment, checked against the papers they starred after it
    (precision@10, recall@50), beside "newest first" and "most upvoted" over the same
    papers. With fewer than 8 starred
    papers there is nothing to measure yet, and it says so.
    """
    from datetime import date, timedelta

    from reader.ranking.evaluate import as_json as evaluation_json
    from reader.ranking.evaluate import describe
    from reader.ranking.features import cache_path
    from reader.ranking.ranker import Ranker
    from reader.stats import TRIAGE_DAYS, triage_pace

    today = date.today()
    with opened(settings, create=False) as library:
        papers = library.count()
        marks = library.annotations(settings.user)
        since = (today - timedelta(days=TRIAGE_DAYS)).isoformat()
        pace = triage_pace(library.decisions(settings.user, since), today)
        words = library.words()
        try:
            marked = words.marked(settings.user)
            ranker = Ranker(cache_path(library.path) if library.path is not None else None)
            evaluation = ranker.evaluate(words, settings.user, marked)
        finally:
            words.close()
    figures = {
        "user": settings.user,
        "papers": papers,
        "read": sum(1 for mark in marks.values() if mark.is_read),
        "starred": sum(1 for mark in marks.values() if mark.starred),
        "noted": sum(1 for mark in marks.values() if mark.has_note),
        "dismissed": sum(1 for mark in marks.values() if mark.dismissed_at is not None),
    }
    if as_json:
        from reader.text import json_dumps_safe

        triage = {
            "days": {day.isoformat(): count for day, count in pace.days},
            "median_seconds": pace.median_seconds,
        }
        echo(
            json_dumps_safe(
                {**figures, "triage": triage, "for_you": evaluation_json(evaluation, marked)},
                indent=2,
            )
        )
        return
    from reader.text import one_line

    lines = [
        f"{one_line(settings.user)}: {papers} papers; {figures['read']} read, "
        f"{figures['starred']} starred, {figures['noted']} with notes, "
        f"{figures['dismissed']} not interested",
        f"Triage mode: {pace.describe()}",
        "",
        "For you, measured on your own marks:",
        *describe(evaluation, marked),
    ]
    echo("\n".join(lines))
