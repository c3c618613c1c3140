"""FilterBar: the live fuzzy filter at the top of the library."""

from __future__ import annotations

from textual.message import Message
from textual.widgets import Input

from reader.tui.keys import bindings


class FilterBar(Input):
    """An input whose Esc clears it and whose Enter/Down hand focus back to the list."""

    BINDINGS = bindings("filter")

    class Done(Message):
        """The user is finished typing and wants the list back."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, select_on_focus=False)
        self.name_keys("/", "f1")

    def name_keys(self, focus: str, terms: str) -> None:
        """Say in the placeholder which keys come here and open the filter language."""
        self.placeholder = (
            f"{focus} to filter: words from the title, authors or abstract · {terms}: the terms"
        )

    def action_clear(self) -> None:
        self.value = ""
        self.post_message(self.Done())

    def action_done(self) -> None:
        self.post_message(self.Done())

    async def action_submit(self) -> None:
        self.post_message(self.Done())
