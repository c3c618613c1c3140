"""``reader list``: the papers a filter query finds, as lines or JSON."""

from __future__ import annotations

import click

from reader.cli.common import Settings, echo, opened, say


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
@click.pass_obj
def list_command(
    settings: Settings, query: tuple[str, ...], as_json: bool, limit: int | None
) -> None:
    """Print the papers matching QUERY, best first (all of them, newest first, without one).

    QUERY is the filter bar's language: fuzzy words plus terms such as author:NAME,
    author:"FULL NAME", title:WORD, year:2024, before:/after:DATE, tag:NAME,
    is:starred, is:unread, has:note, has:code, upvotes:>10, github:>100 (GitHub
    stars), comments:>5, "an exact phrase", and -TERM to leave out. Protect its
    quotes from the shell:

    \b
        reader list 'author:"Yann LeCun"'

    One paper a line: id, date, upvotes and title, separated by tabs (- when
    unknown); with --json, every field plus the user's starred, read, tags and note.
    The id is the arXiv id, or for a paper without one a title id (t-...) that
    reader add takes to look the paper up on arXiv by its title, and reader remove
    takes too.
    """
    from reader.search import Query, SearchIndex
    from reader.text import json_dumps_safe, one_line

    parsed = Query.parse(" ".join(query))
    if not parsed.is_valid:
        raise click.ClickException("; ".join(parsed.errors))
    for hint in parsed.errors:
        say(f"warning: {hint}")
    with opened(settings, create=False) as library:
        # The order of the ids and the word indexes; the list's columns only when
        # a term needs dates or counts, and the papers found. No abstract is read.
        marks = library.annotations(settings.user)
        words = library.words()
        index = SearchIndex([], words, order=library.order(), load=library.listing)
        try:
            ids = index.search(parsed, marks)[:limit]
        except ValueError as error:
            raise click.ClickException(str(error)) from None
        finally:
            words.close()
        whole = library.papers_by_id(ids) if as_json else []
        found = library.listed_by_id(ids)
    if as_json:
        from reader.sources.reader_json import paper_to_json

        items = []
        for paper in whole:
            mark = marks.get(paper.id) if paper.id is not None else None
            item = paper_to_json(paper)
            item["starred"] = bool(mark and mark.starred)
            item["read"] = bool(mark and mark.is_read)
            item["tags"] = list(mark.tags) if mark else []
            item["note"] = mark.note if mark else ""
            items.append(item)
        # Escaped, not dropped: C1 controls and bidi overrides are data as well.
        echo(json_dumps_safe(items, indent=2))
        return
    lines = [
        "\t".join(
            (
                paper.short_id,
                paper.published or "-",
                "-" if paper.upvotes is None else str(paper.upvotes),
                one_line(paper.title),
            )
        )
        for paper in found
    ]
    if lines:
        echo("\n".join(lines))
