"""The library screen's palette commands, help pages and stats."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from functools import partial

from textual.app import SystemCommand
from textual.binding import Binding

from reader.models import papers_label
from reader.rules import Counted, counted
from reader.store import LibraryError
from reader.text import one_line
from reader.tui.dialogs.help import HelpScreen
from reader.tui.screens.library_base import LibraryBase
from reader.tui.screens.stats import StatsScreen
from reader.tui.widgets.paper_list import PaperList

# Bindings the palette leaves out: offered above by a clearer name, or no use there.
PALETTE_SKIP = frozenset(
    {"library.fetch", "library.all_read", "library.clear", "library.help", "library.filter"}
)


class CommandsPart(LibraryBase):
    """Every action by name in the palette; ? and F1; S for stats."""

    # The screen's other parts define these.
    action_fetch_hf: Callable[[], None]
    action_mark_all_read: Callable[[], None]
    action_remove_sample: Callable[[], None]
    action_preset: Callable[[str], None]
    _today: Callable[[], date]

    def commands(self) -> Iterable[SystemCommand]:
        """Every action of this screen by name, for the command palette."""
        yield SystemCommand(
            "Fetch today's Hugging Face papers",
            "Add the latest Daily Papers to the library (key: f)",
            self.action_fetch_hf,
        )
        yield SystemCommand(
            "Mark all visible papers read",
            "Every paper in the list now (key: R)",
            self.action_mark_all_read,
        )
        yield SystemCommand(
            "Remove the sample papers",
            "The papers the library started with, but those with notes (z undoes it)",
            self.action_remove_sample,
        )
        for preset in self._settings.presets:
            new = self._view_new.get(preset.key, 0)
            yield SystemCommand(
                f"View: {preset.name}" + (f" · {new} new" if new else ""),
                f"{preset.query or 'every paper'} (key: {preset.key})",
                partial(self.action_preset, preset.key),
            )
        for binding in self.BINDINGS:
            if not isinstance(binding, Binding) or binding.id in PALETTE_SKIP:
                continue
            if binding.id and binding.id.startswith("view."):
                continue
            yield SystemCommand(
                binding.description,
                f"key: {self.app.get_key_display(binding)}",
                partial(self.run_action, binding.action),
            )

    def action_help(self) -> None:
        views = [(preset.key, preset.name) for preset in self._settings.presets]
        self.app.push_screen(HelpScreen(self.app, views, rules=self._rules_counted()))

    def action_filter_help(self) -> None:
        views = [(preset.key, preset.name) for preset in self._settings.presets]
        self.app.push_screen(
            HelpScreen(self.app, views, rules=self._rules_counted(), page="filter")
        )

    def _rules_counted(self) -> list[Counted]:
        """The config's rules and how many papers each has acted on, for the help screen."""
        try:
            return counted(self.library, self.user, self._settings.rules)
        except LibraryError as error:
            self.notify(str(error), title="Rules", severity="error", markup=False)
            return [Counted(rule, 0, {}) for rule in self._settings.rules]

    def action_stats(self) -> None:
        """Charts of the papers in the list now: per month, upvotes, marks per week,
        tags and authors."""
        if self._still_loading():
            return
        ids = self.query_one(PaperList).paper_ids
        view = [self._preset.name] if self._preset else []
        typed = one_line(self._typed())
        if typed:
            view.append(f"“{typed}”")
        self.app.push_screen(
            StatsScreen(
                self.library,
                self.user,
                [self._papers[i] for i in ids if i in self._papers],
                self._marks,
                title=" · ".join([*view, papers_label(len(ids))]),
                today=self._today(),
                library_empty=not self._papers,
                ranker=self._ranker,
            )
        )
