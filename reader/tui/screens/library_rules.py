"""The library screen's rules: the ``[[rules]]`` of config.toml applied to papers as
they arrive (see :mod:`reader.rules`): when the screen opens (what another process
or user brought since), after the app's own fetch, and when another process brings
papers while it is open."""

from __future__ import annotations

from reader.models import Annotation
from reader.rules import Applied, apply_rules, hits_said
from reader.store import Library, LibraryError
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
        self._show_marks_of(sorted(applied.paper_ids))
        self.notify(f"Rules: {applied.summary()}", title="Rules", timeout=5, markup=False)

    def _show_marks_of(self, paper_ids: list[int]) -> None:
        """Read these papers' marks again (the rules made them) and show them; the
        list is matched again, so a paper dismissed leaves it."""
        try:
            changed = self.triage.read_marks(paper_ids)
        except LibraryError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        if changed:
            self._remember_all(changed)
            self._refilter()

    def _rules_said(self, paper_id: int | None, mark: Annotation | None) -> list[str]:
        """What the rules did to a paper, a line each; read only for a paper a rule
        could have marked (starred, tagged or dismissed)."""
        if paper_id is None or mark is None:
            return []
        if not (mark.starred or mark.tags or mark.is_dismissed):
            return []
        try:
            return hits_said(self.library, self.user, paper_id, self._settings.rules)
        except LibraryError:
            return []  # the rest of the pane says what is wrong
