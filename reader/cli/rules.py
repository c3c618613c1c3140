"""``reader rules``: the ``[[rules]]`` of config.toml and what each has done; and
what ``reader import``, ``reader fetch`` and ``reader add`` call to apply them to
the papers they bring (see :mod:`reader.rules`)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from reader.cli.common import Settings, echo, opened

if TYPE_CHECKING:
    from reader.config import Config
    from reader.rules import Applied, Rule
    from reader.store import Library


def configured() -> Config:
    """The config file (its rules, the user's lab privacy); its error, if it has one,
    as one clean line."""
    from reader.config import ConfigError, load_config

    try:
        return load_config()
    except ConfigError as error:
        raise click.ClickException(str(error)) from None


class Watch:
    """The rules a command that brings papers applies: started before the papers
    come, applied once they are in (:func:`watching`)."""

    def __init__(self, library: Library, user: str, rules: Sequence[Rule]) -> None:
        self.library = library
        self.user = user
        self.rules = rules

    def apply(self) -> str:
        """Apply the rules to what came in since; "; rules: 3 tagged survey" to add to
        the command's line ("" when they did nothing)."""
        from reader.rules import apply_rules

        if not self.rules:
            return ""
        applied: Applied = apply_rules(self.library, self.user, self.rules)
        summary = applied.summary()
        return f"; rules: {summary}" if summary else ""


@contextmanager
def watching(library: Library, user: str, config: Config) -> Iterator[Watch]:
    """Rules ``user`` has not seen before start now, so that the papers the body
    brings are theirs to act on (never the papers already here); and the user's lab
    privacy (``[lab] private``) is set down, as the app sets it down when it opens."""
    library.join_lab(user, private=config.private)
    rules = config.rules
    if rules:
        from reader.rules import watch

        watch(library, user, rules)
    yield Watch(library, user, rules)


@click.command("rules")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array instead of lines.")
@click.pass_obj
def rules_command(settings: Settings, as_json: bool) -> None:
    """Print the [[rules]] of config.toml and how many papers each acted on (for --user).

    A rule is a filter query and what to do to the papers it finds as they arrive
    by reader import, reader fetch, reader add or the app: tag, tags, star, dismiss
    (not interested, which For you learns from) or hide (left out of every view,
    and For you learns nothing from it). It never acts on the papers already in the
    library, and on a paper at most once. One rule a line: its number, name, query,
    actions and what it did, separated by tabs.

    \b
        [[rules]]
        name = "surveys"
        query = "title:survey"
        tag = "survey"
    """
    from reader.rules import Counted, counted
    from reader.text import json_dumps_safe, one_line

    rules = configured().rules
    if not rules:
        if as_json:
            echo("[]")
        else:
            echo("No rules. Add [[rules]] to config.toml (see reader rules --help).")
        return
    if settings.db_path.exists():
        with opened(settings, create=False) as library:
            found = counted(library, settings.user, rules)
    else:  # no library yet: the rules have done nothing
        found = [Counted(rule, 0, {}) for rule in rules]
    if as_json:
        items = [
            {
                "number": item.rule.number,
                "name": item.rule.name,
                "query": item.rule.query,
                "actions": list(item.rule.actions),
                "key": item.rule.key,
                "papers": item.papers,
                "done": dict(item.actions),
            }
            for item in found
        ]
        echo(json_dumps_safe(items, indent=2))
        return
    echo(
        "\n".join(
            "\t".join(
                (
                    str(item.rule.number),
                    one_line(item.rule.name) or "-",
                    item.rule.query,
                    item.rule.does(),
                    item.said(),
                )
            )
            for item in found
        )
    )
