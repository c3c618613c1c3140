"""Every key binding a user may remap, in one table: the screens build their bindings from
it, the config file's ``[keys]`` is checked against it, the help screen lists it.

No Textual here (the config reads it): a binding is plain data, an id (``library.star``),
its default keys ("s", or several: "down,j"), the action it runs, and what the help
screen and the footer call it. ``reader.tui.keys`` turns them into Textual bindings.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Key:
    """One remappable binding: ``keys`` are the defaults, comma-separated."""

    id: str
    keys: str
    action: str
    description: str
    # In the footer (only bindings of the screen shown, with a description).
    show: bool = False
    # Runs before the focused widget sees the key (ctrl+s in the note's text area).
    priority: bool = False


def _views() -> tuple[Key, ...]:
    return tuple(Key(f"view.{n}", str(n), f"preset('{n}')", f"View {n}") for n in range(1, 10))


# Where each binding is declared, in the order the footer and the help screen show them.
GROUPS: Mapping[str, tuple[Key, ...]] = {
    "app": (Key("app.quit", "q", "quit", "Quit", show=True),),
    "library": (
        Key("library.filter", "slash", "focus_filter", "Filter", show=True),
        Key("library.star", "s", "toggle_star", "Star", show=True),
        Key("library.read", "r", "mark_read", "Read", show=True),
        Key("library.dismiss", "d", "toggle_dismissed", "Not interested"),
        Key("library.unread", "u", "mark_unread", "Unread"),
        Key("library.all_read", "R", "mark_all_read", "Mark all visible read"),
        Key("library.inbox_done", "I", "inbox_done", "Inbox done: what is here now is seen"),
        Key("library.tags", "t", "edit_tags", "Tags", show=True),
        Key("library.note", "n", "edit_note", "Note", show=True),
        Key("library.editor", "E", "edit_note_externally", "Note in $EDITOR"),
        Key("library.share_note", "N", "share_note", "Share my note with the lab (again: stop)"),
        Key("library.select", "space", "toggle_selected", "Select", show=True),
        Key("library.undo", "z", "undo", "Undo", show=True),
        Key("library.sort", "O", "cycle_sort", "Sort"),
        Key("library.learn", "U", "help_learn", "Help For you learn: the papers it is unsure of"),
        Key("library.triage", "T", "triage_mode", "Triage mode: the list one paper at a time"),
        Key("open.abs", "o", "open('abs')", "Open arXiv page"),
        Key("open.pdf", "p", "open('pdf')", "Open PDF"),
        Key("open.github", "g", "open_github_or_top", "GitHub (gg: top)"),
        Key("open.hf", "h", "open('hf')", "Open Hugging Face page"),
        Key("copy.bibtex", "y", "copy_bibtex", "Copy BibTeX"),
        Key("library.lookup", "L", "look_up_id", "Look up the arXiv id by title"),
        Key("library.authors", "A", "toggle_authors", "All authors / fewer"),
        Key("library.fold_summary", "a", "fold_summary", "Fold the AI summary"),
        Key("copy.id", "Y", "copy_id", "Copy arXiv id or URL"),
        Key("library.export", "x", "export", "Export", show=True),
        Key("library.remove", "D,delete", "remove_papers", "Remove from the library"),
        Key("library.stats", "S", "stats", "Stats for this view"),
        Key("library.fetch", "f", "fetch_hf", "Fetch", show=True),
        Key("library.help", "question_mark", "help", "Help", show=True),
        # Not a character: it works in the filter bar too, where ? is typed.
        Key("library.filter_help", "f1", "filter_help", "The filter language"),
        Key("library.clear", "escape", "clear", "Clear selection or filter"),
        Key("detail.down", "J", "scroll_detail(3)", "Scroll detail down"),
        Key("detail.up", "K", "scroll_detail(-3)", "Scroll detail up"),
        Key("detail.zoom", "enter", "toggle_reading", "Larger detail pane"),
        *_views(),
    ),
    "list": (
        Key("list.down", "down,j", "cursor_down", "Down"),
        Key("list.up", "up,k", "cursor_up", "Up"),
        Key("list.page_down", "pagedown,ctrl+f", "page_down", "Page down"),
        Key("list.page_up", "pageup,ctrl+b", "page_up", "Page up"),
        Key("list.half_down", "ctrl+d", "half_page(1)", "Half page down"),
        Key("list.half_up", "ctrl+u", "half_page(-1)", "Half page up"),
        Key("list.first", "home", "first", "First (also gg)"),
        Key("list.last", "end,G", "last", "Last"),
    ),
    "filter": (
        Key("filter.clear", "escape", "clear", "Clear filter"),
        Key("filter.done", "down", "done", "To the list"),
    ),
    "note": (
        Key("note.save", "ctrl+s", "save", "Save", show=True, priority=True),
        Key("note.close", "escape", "close", "Close", show=True),
    ),
    "confirm": (
        Key("confirm.save", "s,ctrl+s", "answer('save')", "Save", show=True),
        Key("confirm.discard", "y", "answer('discard')", "Discard", show=True),
        Key("confirm.keep", "n,escape", "answer('keep')", "Keep editing", show=True),
    ),
    "tags": (Key("tags.cancel", "escape", "dismiss(None)", "Cancel", show=True),),
    "export": (Key("export.cancel", "escape", "cancel", "Cancel", show=True),),
    "remove": (
        Key("remove.yes", "y", "answer(True)", "Remove", show=True),
        Key("remove.no", "n,escape", "answer(False)", "Keep them", show=True),
    ),
    "stats": (
        Key("stats.close", "escape,q", "dismiss", "Back to the list", show=True),
        Key("stats.down", "j,down", "scroll(1)", "Scroll down"),
        Key("stats.up", "k,up", "scroll(-1)", "Scroll up"),
    ),
    "triage": (
        Key("triage.star", "s", "star", "Star", show=True),
        Key("triage.dismiss", "d", "dismiss_paper", "Not interested", show=True),
        Key("triage.skip", "space,j,down", "skip", "Skip", show=True),
        Key("triage.back", "k,up", "back", "Back"),
        Key("triage.tags", "t", "tags", "Tags", show=True),
        Key("triage.note", "n", "note", "Note", show=True),
        Key("triage.open", "o", "open_paper", "Open", show=True),
        Key("triage.undo", "z", "undo", "Undo", show=True),
        Key("triage.end", "escape,q", "end", "Done", show=True),
    ),
    "help": (
        Key("help.close", "escape,q,question_mark", "dismiss", "Close", show=True),
        Key("help.page", "tab,shift+tab,f1", "turn_page", "Keys or the filter language", show=True),
    ),
}

# Groups whose bindings are in use at the same moment, so one key may not go to two of
# them. The others stand alone: a dialog's keys shadow the app's and the list's while
# it is open, and the filter bar's Esc and Down are meant to shadow the screen's.
TOGETHER: tuple[tuple[str, ...], ...] = (
    ("app", "library", "list"),
    *((group,) for group in GROUPS if group not in ("app", "library", "list")),
)

# Ids an older reader used, still read in [keys]: old id -> the id it is now.
OLDER_IDS: Mapping[str, str] = {"library.mark": "library.select"}


def all_keys() -> Iterator[Key]:
    """Every binding in the table, group by group."""
    for keys in GROUPS.values():
        yield from keys


def default_keys() -> dict[str, str]:
    """Every binding id with its default keys."""
    return {key.id: key.keys for key in all_keys()}


# Textual's names for the characters whose Unicode name it shortens.
_SHORT_NAMES = {
    "solidus": "slash",
    "reverse_solidus": "backslash",
    "commercial_at": "at",
    "hyphen_minus": "minus",
    "plus_sign": "plus",
    "low_line": "underscore",
}


def key_name(key: str) -> str:
    """A key as a binding names it: "?" is "question_mark", "/" is "slash" (as Textual's
    keymap reads it); longer names ("ctrl+s", "f1") are already names."""
    if len(key) != 1 or key.isalnum():
        return key
    if key == "\t":
        return "tab"
    try:
        name = unicodedata.name(key).lower().replace("-", "_").replace(" ", "_")
    except ValueError:
        return key
    return _SHORT_NAMES.get(name, name)


@dataclass(frozen=True, slots=True)
class Remappable:
    """What the config file's ``[keys]`` may remap: each id's default keys, the sets of
    ids in use at the same moment (no key may run two of them), and older ids still read."""

    defaults: Mapping[str, str]
    together: tuple[frozenset[str], ...]
    older_ids: Mapping[str, str]


def remappable() -> Remappable:
    """The bindings of this table, as the config file checks ``[keys]`` against them."""
    together = tuple(
        frozenset(key.id for group in groups for key in GROUPS[group]) for groups in TOGETHER
    )
    return Remappable(default_keys(), together, OLDER_IDS)
