"""The help screen: every key of the library screen and the app, from their bindings, and
a page on the filter language (the text the README quotes, from reader.filter_help)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from reader import filter_help, keymap
from reader.rules import Counted
from reader.tui.keys import bindings, key_said, keys_of

HelpPage = Literal["keys", "filter"]
TITLE = "help-title"


# The bindings in use on the library screen, where help opens: the table [keys] remaps.
# The filter bar's own keys (Enter, Down, Esc) are on the filter page.
LISTED_GROUPS = ("library", "app", "list")


def binding_rows(app: App[Any]) -> list[tuple[str, str, str]]:
    """(keys, what they do, binding id) for every binding a user may remap on the library
    screen, as the user has them now; one row per action."""
    rows: dict[str, tuple[list[str], str, str]] = {}
    for group in LISTED_GROUPS:
        for key in keymap.GROUPS[group]:
            if key.id.startswith("view."):
                continue  # views are listed by name, from the config
            known, _, _ = rows.setdefault(key.action, ([], key.description, key.id))
            known.extend(k for k in keys_of(app, key.id) if k not in known)
    return [(" ".join(keys), description, ident) for keys, description, ident in rows.values()]


def _with_code(text: str) -> Text:
    """Help text with its `code spans` in bold, the backticks dropped."""
    shown = Text()
    for piece, is_code in filter_help.spans(text):
        shown.append(piece, style="bold" if is_code else "")
    return shown


def filter_page(app: App[Any]) -> list[Text | Table]:
    """The filter language: how words match, every term, what a mistake does."""
    table = Table(box=None, expand=True, padding=(0, 2, 0, 0))
    table.add_column("term", ratio=2)
    table.add_column("matches", ratio=3)
    for term, matches in filter_help.TERMS:
        table.add_row(_with_code(term), _with_code(matches))
    return [
        _with_code(filter_help.INTRO),
        Text(),
        table,
        Text(),
        _with_code(filter_help.OUTRO),
        _with_code(
            f"In the filter bar, Enter or {key_said(app, 'filter.done')} goes back to the list "
            f"and {key_said(app, 'filter.clear')} clears the filter."
        ),
    ]


def rules_part(rules: Sequence[Counted]) -> Text | Table:
    """Each rule: its name, query, actions, and how many papers it acted on."""
    if not rules:
        return Text(
            "None. A rule tags, stars, dismisses or hides the papers its query finds as "
            'they arrive: [[rules]] query = "title:survey" tag = "survey" (see the README).',
            style="dim",
        )
    table = Table(box=None, expand=True, padding=(0, 2, 0, 0))
    table.add_column("rule", style="bold", no_wrap=True)
    table.add_column("query", ratio=2)
    table.add_column("does", ratio=1)
    table.add_column("acted on", ratio=2)
    for item in rules:
        rule = item.rule
        table.add_row(Text(rule.label), Text(rule.query), Text(rule.does()), Text(item.said()))
    return table


class HelpScreen(ModalScreen[None]):
    """Every key, generated from the bindings (so a remapped key shows as remapped), and
    the filter language; Tab turns from one page to the other."""

    BINDINGS = bindings("help")
    CSS_PATH = "help.tcss"

    def __init__(
        self,
        app: App[Any],
        views: Sequence[tuple[str, str]] = (),
        *,
        rules: Sequence[Counted] = (),
        page: HelpPage = "keys",
    ) -> None:
        """``views``: (key, name) of each view on a number key; ``rules``: the config's
        rules with what each has done; ``page``: the page shown first.
        The keys listed are the library screen's."""
        super().__init__()
        self._rules = rules
        self._rows = binding_rows(app) + [
            (key, f"View: {name}", f"view.{key}") for key, name in views
        ]
        self.page: HelpPage = page

    def compose(self) -> ComposeResult:
        table = Table(box=None, expand=True, padding=(0, 2, 0, 0))
        table.add_column("key", style="bold", no_wrap=True)
        table.add_column("does")
        table.add_column(Text("id (for [keys] in config.toml)"), style="dim", no_wrap=True)
        for keys, description, ident in self._rows:
            table.add_row(Text(keys), Text(description), Text(ident))
        turn, close = key_said(self.app, "help.page"), key_said(self.app, "help.close")
        with VerticalScroll(id="help-keys"):
            yield Static(
                Text(f"Keys · {turn}: the filter language · {close} closes"), classes=TITLE
            )
            yield Static(table)
            yield Static(Text("Rules ([[rules]] in config.toml)"), classes=TITLE, id="help-rules")
            yield Static(rules_part(self._rules), id="help-rules-list")
        with VerticalScroll(id="help-filter"):
            title = f"The filter language · {turn}: the keys · {close} closes"
            yield Static(Text(title), classes=TITLE)
            yield Static()
            for part in filter_page(self.app):
                yield Static(part)

    def on_mount(self) -> None:
        self._show_page()

    def action_turn_page(self) -> None:
        self.page = "filter" if self.page == "keys" else "keys"
        self._show_page()

    def _show_page(self) -> None:
        for page in ("keys", "filter"):
            self.query_one(f"#help-{page}").set_class(page != self.page, "-hidden")
        # Focused, so the arrows and PgUp/PgDn scroll the page shown.
        self.query_one(f"#help-{self.page}").focus()
