"""The help screen: every key of the library screen and the app, from their bindings, and
a page on the filter language (the text the README quotes, from reader.filter_help)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Literal

from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from reader import filter_help

HelpPage = Literal["keys", "filter"]
TITLE = "help-title"


def _own_bindings(node: DOMNode) -> Iterator[BindingType]:
    """The bindings reader's own classes declare on ``node``; not the ones Textual's
    widgets bring (a scroll view's Scroll Left, Page Left, Scroll Home)."""
    for cls in type(node).__mro__:
        if cls.__module__.startswith("reader."):
            yield from cls.__dict__.get("BINDINGS", [])


def binding_rows(app: App[Any], screen: Screen[Any]) -> list[tuple[str, str, str]]:
    """(keys, what they do, binding id) for every binding a user may remap, merged by action."""
    rows: dict[str, tuple[list[str], str, str]] = {}
    sources = [*_own_bindings(screen), *_own_bindings(app)]
    for node in screen.query("*"):
        sources.extend(_own_bindings(node))
    keymap = app._keymap  # the user's remapped keys, by binding id
    for binding in sources:
        # Only bindings with an id: the table is what [keys] can remap. The filter
        # bar's own keys (Enter, Down, Esc) are on the filter page.
        if not isinstance(binding, Binding) or not binding.description or not binding.id:
            continue
        if binding.id.startswith("view."):
            continue  # views are listed by name, from the config
        keys = keymap.get(binding.id, binding.key)
        shown = [app.get_key_display(Binding(key.strip(), "")) for key in keys.split(",")]
        known, _, _ = rows.setdefault(binding.action, ([], binding.description, binding.id))
        known.extend(k for k in shown if k not in known)
    return [(" ".join(keys), description, ident) for keys, description, ident in rows.values()]


def _with_code(text: str) -> Text:
    """Help text with its `code spans` in bold, the backticks dropped."""
    shown = Text()
    for piece, is_code in filter_help.spans(text):
        shown.append(piece, style="bold" if is_code else "")
    return shown


def filter_page() -> list[Text | Table]:
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
            "In the filter bar, Enter or Down goes back to the list and Esc clears the filter."
        ),
    ]


class HelpScreen(ModalScreen[None]):
    """Every key, generated from the bindings (so a remapped key shows as remapped), and
    the filter language; Tab turns from one page to the other."""

    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "Close", id="help.close"),
        Binding("tab,shift+tab,f1", "turn_page", "Keys or the filter language", id="help.page"),
    ]
    CSS_PATH = "help.tcss"

    def __init__(
        self,
        app: App[Any],
        screen: Screen[Any],
        views: Sequence[tuple[str, str]] = (),
        *,
        page: HelpPage = "keys",
    ) -> None:
        """``views``: (key, name) of each view on a number key; ``page``: the page shown first."""
        super().__init__()
        self._rows = binding_rows(app, screen) + [
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
        with VerticalScroll(id="help-keys"):
            yield Static(Text("Keys · Tab: the filter language · Esc closes"), classes=TITLE)
            yield Static(table)
        with VerticalScroll(id="help-filter"):
            yield Static(Text("The filter language · Tab: the keys · Esc closes"), classes=TITLE)
            yield Static()
            for part in filter_page():
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
