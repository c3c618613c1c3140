"""The library screen's rules: the ``[[rules]]`` of config.toml applied to papers as
they arrive (see :mod:`reader.rules`): when the screen opens (what another process
or user brought since), after the app's own fetch, and when another process brings
papers while it is open."""

from __future__ import annotations

from reader.rules import Applied, apply_rules
from reader.store import Library
from reader.tui.screens.library_base import LibraryBase


class RulesPart(LibraryBase):
    """Applies the user's rules through the queue of writes and shows what they did."""

    def _apply_rules(self) -> None:
        """Apply the rules to the papers that came in since they last looked."""
        rules = self._settings.rules
        if not rules:
            return
        user = self.user

        def run(library: Library) -> Applied:
            return apply_rules(library, user, rules)

        self._write("Rules", run, self._rules_applied)

    def _rules_applied(self, applied: Applied) -> None:
        """Show the marks the rules made (the papers they hid leave the list), and say so."""
        if not applied.hits:
            return
        self.show_marks_of(sorted(applied.paper_ids))
        self.notify(f"Rules: {applied.summary()}", title="Rules", timeout=5, markup=False)
