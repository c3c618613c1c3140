"""The tag editor: a one-line input with completion from the tags already in use."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Input, Label

from reader.limits import TAG_CHARS, TAGS, TITLE_CHARS, cut
from reader.models import normalise_tags
from reader.text import one_line
from reader.tui.keys import bindings


@dataclass(frozen=True, slots=True)
class TagEdit:
    """What the user typed: tags to have, and ``-tag`` entries to take off."""

    wanted: tuple[str, ...]
    unwanted: tuple[str, ...]
    bulk: bool

    @classmethod
    def parse(cls, text: str, *, bulk: bool) -> TagEdit:
        # As an import bounds them: at most TAGS tags of TAG_CHARS characters.
        words = [word[: TAG_CHARS + 1] for word in text.replace(",", " ").split()]
        wanted = normalise_tags(w[:TAG_CHARS] for w in words if not w.startswith("-"))[:TAGS]
        unwanted = normalise_tags(w[1:] for w in words if w.startswith("-"))
        return cls(wanted, unwanted, bulk)

    def changes(self, current: Sequence[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Tags to add and to remove. One paper: the typed list replaces its tags;
        several: typed tags are added to each and ``-tag`` ones removed."""
        if self.bulk:
            return self.wanted, self.unwanted
        add = tuple(t for t in self.wanted if t not in current)
        remove = tuple(t for t in current if t not in self.wanted) + self.unwanted
        return add, remove


def complete(value: str, known: Sequence[str]) -> str | None:
    """``value`` with its last word completed to the first of the ``known`` tags it
    begins (case aside), or None. A ``-`` before the word stays; a tag already typed
    is not offered again."""
    word = value.rpartition(" ")[2].lstrip("-")
    if not word:
        return None
    start = word.casefold()
    typed = {w.lstrip("-").casefold() for w in value.split()}
    for tag in known:
        folded = tag.casefold()
        if folded.startswith(start) and folded != start and folded not in typed:
            return value[: len(value) - len(word)] + tag
    return None


class TagSuggester(Suggester):
    """Completes the word being typed from the known tags, most used first."""

    def __init__(self, known: Sequence[str]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self._known = list(known)

    async def get_suggestion(self, value: str) -> str | None:
        return complete(value, self._known)


class TagInput(Input):
    """The tags typed so far; Tab completes the last one.

    Tab completes from the known tags there and then, not from the suggestion shown
    (that arrives a moment after each key): keys typed in one burst, ``vis`` then Tab,
    complete as surely as keys typed slowly.
    """

    def __init__(self, value: str, known: Sequence[str], **kwargs: Any) -> None:
        super().__init__(value, suggester=TagSuggester(known), **kwargs)
        self._known = list(known)

    def on_key(self, event: events.Key) -> None:
        # Here, not as a binding: a binding runs once the key has come back up to the
        # app, after letters typed later went into the field.
        if event.key == "tab":
            event.stop()
            event.prevent_default()
            self.complete()

    def complete(self) -> None:
        """Complete the last word, then a space to type the next tag after."""
        completed = complete(self.value, self._known)
        if completed is not None:
            self.value = completed + " "
            self.cursor_position = len(self.value)


class TagEditor(ModalScreen[TagEdit | None]):
    """Edit the tags of one paper, or add/remove tags on the selected papers."""

    CSS_PATH = "tag_editor.tcss"
    BINDINGS = bindings("tags")

    def __init__(
        self, title: str, current: Sequence[str], known: Sequence[str], *, bulk: bool
    ) -> None:
        super().__init__()
        self._title = title
        self._current = tuple(current)
        self._known = known
        self._bulk = bulk

    def compose(self) -> ComposeResult:
        with Vertical(id="tag-dialog"):
            yield Label(Text(f"Tags · {one_line(cut(self._title, TITLE_CHARS))}"), id="tag-title")
            yield TagInput(
                " ".join(self._current) + (" " if self._current else ""),
                self._known,
                max_length=TAGS * (TAG_CHARS + 1),
                placeholder="tags separated by spaces; -tag removes one",
                id="tag-input",
            )
            hint = "enter saves · tab completes · esc cancels"
            if self._bulk:
                hint += " · added to every selected paper; -tag removes"
            yield Label(hint, id="tag-hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(TagEdit.parse(event.value, bulk=self._bulk))
