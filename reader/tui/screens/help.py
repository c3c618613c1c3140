"""The help screen: every key of the library screen and the app, from their bindings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static


def binding_rows(app: App[Any], screen: Screen[Any]) -> list[tuple[str, str, str]]:
    """(keys, what they do, binding id) for every described binding, merged by action."""
    rows: dict[str, tuple[list[str], str, str]] = {}
    sources = [*screen.BINDINGS, *app.BINDINGS]
    for node in screen.query("*"):
        sources.extend(getattr(node, "BINDINGS", []))
    keymap = app._keymap  # the user's remapped keys, by binding id
    for binding in sources:
        if not isinstance(binding, Binding) or not binding.description:
            continue
        if binding.id and binding.id.startswith("view."):
            continue  # views are listed by name, from the config
        keys = keymap.get(binding.id, binding.key) if binding.id else binding.key
        shown = [app.get_key_display(Binding(key.strip(), "")) for key in keys.split(",")]
        known, _, _ = rows.setdefault(binding.action, ([], binding.description, binding.id or ""))
        known.extend(k for k in shown if k not in known)
    return [(" ".join(keys), description, ident) for keys, description, ident in rows.values()]


class HelpScreen(ModalScreen[None]):
    """Every key, generated from the bindings (so a remapped key shows as remapped)."""

    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close", id="help.close")]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; background: $background 60%; }
    HelpScreen > VerticalScroll {
        width: 100; max-width: 95%; height: 85%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    """

    def __init__(
        self,
        app: App[Any],
        screen: Screen[Any],
        views: Sequence[tuple[str, str]] = (),
    ) -> None:
        """``views``: (key, name) of each view on a number key."""
        super().__init__()
        self._rows = binding_rows(app, screen) + [
            (key, f"View: {name}", f"view.{key}") for key, name in views
        ]

    def compose(self) -> ComposeResult:
        table = Table(box=None, expand=True, padding=(0, 2, 0, 0))
        table.add_column("key", style="bold", no_wrap=True)
        table.add_column("does")
        table.add_column(Text("id (for [keys] in config.toml)"), style="dim", no_wrap=True)
        for keys, description, ident in self._rows:
            table.add_row(Text(keys), Text(description), Text(ident))
        with VerticalScroll():
            yield Static(Text("Keys · esc closes", style="bold"))
            yield Static(table)
