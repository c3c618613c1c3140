"""The app's key bindings, built from the one table of them (:mod:`reader.keymap`), and
the key a user has for a binding now (remapped in the config, or the default)."""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.binding import Binding, BindingType

from reader import keymap


def bindings(group: str) -> list[BindingType]:
    """The bindings of ``group`` ("library", "note"...), for a class's ``BINDINGS``."""
    return [
        Binding(
            key.keys,
            key.action,
            key.description,
            show=key.show,
            id=key.id,
            priority=key.priority,
        )
        for key in keymap.GROUPS[group]
    ]


def keys_of(app: App[Any], binding_id: str) -> list[str]:
    """The keys of ``binding_id`` as the user has them (remapped in ``[keys]``, or the
    defaults), each as the footer shows it ("^s", "?")."""
    keys = app._keymap.get(binding_id) or keymap.default_keys()[binding_id]
    return [app.get_key_display(Binding(key.strip(), "")) for key in keys.split(",")]


def key_shown(app: App[Any], binding_id: str) -> str:
    """The first key of ``binding_id`` as the user has it, as the footer shows it."""
    return keys_of(app, binding_id)[0]


# Keys as a sentence names them ("Esc clears the filter"), where the footer's short
# forms ("esc", "↓") would read oddly.
_SPOKEN = {
    "escape": "Esc",
    "enter": "Enter",
    "tab": "Tab",
    "space": "Space",
    "down": "Down",
    "up": "Up",
    "pagedown": "PgDn",
    "pageup": "PgUp",
    "delete": "Delete",
    "question_mark": "?",
    "slash": "/",
}


def key_said(app: App[Any], binding_id: str) -> str:
    """The first key of ``binding_id`` as the user has it, as a sentence names it:
    "Esc", "f", "1", "Ctrl+S", "F1"."""
    key = (app._keymap.get(binding_id) or keymap.default_keys()[binding_id]).split(",")[0]
    key = key.strip()
    if key in _SPOKEN:
        return _SPOKEN[key]
    if len(key) == 1:
        return key
    *modifiers, name = key.split("+")
    words = [
        *(m.capitalize() for m in modifiers),
        _SPOKEN.get(name, name.upper() if len(name) == 1 else name.capitalize()),
    ]
    return "+".join(words)
