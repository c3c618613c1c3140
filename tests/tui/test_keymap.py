"""The one table of key bindings (reader.keymap): every binding of every screen comes
from it, and a ``[keys]`` remap of each of its ids works in the app."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from textual.binding import Binding
from textual.dom import DOMNode
from textual.keys import _character_to_key
from textual.pilot import Pilot
from textual.theme import BUILTIN_THEMES
from textual.widgets._footer import FooterKey

import reader.tui
from reader import keymap
from reader.config import Config, load_config
from reader.keymap import Key
from reader.store import Library
from reader.tui.app import ReaderApp
from reader.tui.dialogs.help import HelpScreen
from reader.tui.dialogs.note_editor import ConfirmDiscard
from tests.support.pilot import (
    keys_done,
    paper_list,
    screen_lines,
    settle,
    type_keys,
    wait_until,
)

# Bound nowhere in the app (Textual's own bindings included): each id of a batch is
# remapped to one of them, all at once, in one app.
FREE_KEYS = tuple(f"f{number}" for number in range(9, 25))


def declaring_classes() -> Iterator[type[DOMNode]]:
    """Every class of reader's TUI that declares BINDINGS of its own, wherever it lives."""
    for module_info in pkgutil.walk_packages(reader.tui.__path__, "reader.tui."):
        module = importlib.import_module(module_info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if (
                cls.__module__ == module.__name__
                and issubclass(cls, DOMNode)
                and "BINDINGS" in cls.__dict__
            ):
                yield cls


def declared() -> dict[str, tuple[type[DOMNode], Binding]]:
    """Every binding the TUI declares, by id, with the class declaring it."""
    found: dict[str, tuple[type[DOMNode], Binding]] = {}
    for cls in declaring_classes():
        for binding in cls.__dict__["BINDINGS"]:
            assert isinstance(binding, Binding), f"{cls.__name__}: {binding!r} is not a Binding"
            assert binding.id, f"{cls.__name__}: {binding.key} -> {binding.action} has no id"
            assert binding.id not in found, f"{binding.id} is declared twice"
            found[binding.id] = (cls, binding)
    return found


def test_every_binding_of_every_screen_is_in_the_table() -> None:
    bindings = declared()
    table = {key.id: key for key in keymap.all_keys()}
    assert set(bindings) == set(table)  # nothing declared outside it, nothing unused in it
    for binding_id, (_cls, binding) in bindings.items():
        key = table[binding_id]
        shape = (binding.key, binding.action, binding.description, binding.show, binding.priority)
        assert shape == (key.keys, key.action, key.description, key.show, key.priority)


def test_no_screen_writes_a_binding_by_hand() -> None:
    """Bindings come from reader.tui.keys.bindings(), so none can drift from the table."""
    root = Path(reader.tui.__file__).parent
    offenders = []
    for path in root.rglob("*.py"):
        if path.name == "keys.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and ast.unparse(node.func) == "Binding"
                and any(keyword.arg == "id" for keyword in node.keywords)
            ):
                offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == []


def test_each_group_is_declared_by_one_class() -> None:
    owners: dict[str, set[str]] = {}
    for binding_id, (cls, _binding) in declared().items():
        group = group_of(next(k for k in keymap.all_keys() if k.id == binding_id))
        owners.setdefault(group, set()).add(cls.__name__)
    assert set(owners) == set(keymap.GROUPS)
    assert all(len(classes) == 1 for classes in owners.values()), owners


@pytest.mark.parametrize("character", [chr(c) for c in range(0x21, 0x7F)] + ["\t", "é", "€"])
def test_key_names_are_textuals(character: str) -> None:
    assert keymap.key_name(character) == _character_to_key(character)


# -- every id remapped, pressed ----------------------------------------------------------


def owner(group: str) -> type[DOMNode]:
    """The class whose BINDINGS are ``group``'s."""
    ids = {key.id for key in keymap.GROUPS[group]}
    classes = {cls for binding_id, (cls, _b) in declared().items() if binding_id in ids}
    (cls,) = classes
    return cls


def split_action(action: str) -> tuple[str, tuple[object, ...]]:
    """ "open('pdf')" as ("open", ("pdf",)); "dismiss" as ("dismiss", ())."""
    name, _, rest = action.partition("(")
    if not rest:
        return name, ()
    args = ast.literal_eval(f"({rest[:-1]},)")
    assert isinstance(args, tuple)
    return name, args


Opener = Callable[[Pilot[None]], Awaitable[None]]


def pressing(*keys: str) -> Opener:
    async def open_it(pilot: Pilot[None]) -> None:
        await pilot.press(*keys)

    return open_it


async def confirm(pilot: Pilot[None]) -> None:
    await pilot.app.push_screen(ConfirmDiscard())


# How to reach the bindings of each group from the library screen (by their default keys).
OPENERS: dict[str, Opener] = {
    "app": pressing(),
    "library": pressing(),
    "list": pressing(),
    "filter": pressing("slash"),
    "note": pressing("n"),
    "confirm": confirm,
    "tags": pressing("t"),
    "export": pressing("x"),
    "remove": pressing("D"),
    "stats": pressing("S"),
    "help": pressing("question_mark"),
    "triage": pressing("T"),
}


def group_of(key: Key) -> str:
    return next(group for group, keys in keymap.GROUPS.items() if key in keys)


def more_than(calls: list[tuple[str, tuple[object, ...]]], count: int) -> Callable[[], bool]:
    """Whether more than ``count`` calls have been recorded."""
    return lambda: len(calls) > count


def test_every_group_has_a_way_in() -> None:
    assert set(OPENERS) == set(keymap.GROUPS)


def batches() -> Iterator[tuple[str, tuple[Key, ...]]]:
    """Each group's ids, as many at a time as there are free keys."""
    for group, keys in keymap.GROUPS.items():
        for start in range(0, len(keys), len(FREE_KEYS)):
            yield group, tuple(keys[start : start + len(FREE_KEYS)])


@pytest.mark.parametrize(
    ("group", "keys"),
    list(batches()),
    ids=lambda value: value if isinstance(value, str) else f"{value[0].id}..{value[-1].id}",
)
async def test_every_binding_id_can_be_remapped(
    group: str,
    keys: tuple[Key, ...],
    library: Library,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    remap = {key.id: (key, free) for key, free in zip(keys, FREE_KEYS, strict=False)}
    await remapped_and_pressed(remap, group, library, tmp_path, monkeypatch)


@pytest.mark.parametrize(("older", "now"), list(keymap.OLDER_IDS.items()))
async def test_an_older_id_still_remaps_its_binding(
    older: str, now: str, library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = next(key for key in keymap.all_keys() if key.id == now)
    await remapped_and_pressed(
        {older: (key, FREE_KEYS[0])}, group_of(key), library, tmp_path, monkeypatch
    )


async def remapped_and_pressed(
    remap: dict[str, tuple[Key, str]],
    group: str,
    library: Library,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``[keys] "written" = FREE_KEY`` in a config file, for each written id of
    ``remap`` (all of one group): each free key runs its binding's action (and no
    other binding's), and the binding's old keys no longer do."""
    path = tmp_path / "config.toml"
    lines = "".join(f'"{written}" = "{free}"\n' for written, (_key, free) in remap.items())
    path.write_text(f"read_delay = 0\n[keys]\n{lines}", encoding="utf-8")
    config = load_config(path, themes=BUILTIN_THEMES)
    assert config.keymap == {key.id: free for key, free in remap.values()}
    calls: list[tuple[str, tuple[object, ...]]] = []
    cls = owner(group)

    def recording(name: str) -> Callable[..., None]:
        def record(_self: object, *given: object) -> None:
            calls.append((name, given))

        return record

    # Recorded, not run: opening a page or quitting would leave the test.
    for key, _free in remap.values():
        name, _args = split_action(key.action)
        monkeypatch.setattr(cls, f"action_{name}", recording(name))
    if group != "app":
        monkeypatch.setattr(ReaderApp, "action_quit", lambda _self: None)
    app = ReaderApp(library, "ana", config=config)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: keys_done(app) and app.screen.focused is not None)
        await OPENERS[group](pilot)
        await wait_until(
            pilot,
            lambda: (
                keys_done(app)
                and any(isinstance(node, cls) for node in [app, app.screen, app.focused])
            ),
        )
        for key, free in remap.values():
            before = len(calls)
            await pilot.press(free)
            await wait_until(pilot, more_than(calls, before))
            assert calls[before:] == [split_action(key.action)], f"{free} for {key.id}"
            for old in key.keys.split(","):
                await pilot.press(old)
                await wait_until(pilot, lambda: keys_done(app))
            assert len(calls) == before + 1, f"an old key of {key.id} still runs it"


async def test_the_footer_shows_a_remapped_key(library: Library) -> None:
    config = Config(read_delay=0, keys=(("library.star", "b"),))
    app = ReaderApp(library, "ana", config=config)
    async with app.run_test(size=(160, 40)) as pilot:

        def stars() -> list[str]:
            return [k.key_display for k in app.screen.query(FooterKey) if k.description == "Star"]

        await wait_until(pilot, lambda: bool(stars()))
        assert stars() == ["b"]


async def test_sentences_that_name_a_key_name_the_key_the_user_has(library: Library) -> None:
    """The empty list, the help pages and the stats say the remapped keys, not the
    defaults: "Ctrl+X clears the filter", not "Esc"."""
    keys = (
        ("filter.clear", "ctrl+x"),
        ("view.1", "0"),
        ("help.page", "f2"),
        ("help.close", "f3"),
        ("stats.close", "b"),
    )
    app = ReaderApp(library, "ana", config=Config(read_delay=0, keys=keys))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await type_keys(pilot, "slash", *"zzqqxx")
        await wait_until(pilot, lambda: not paper_list(app).paper_ids)
        assert "Ctrl+X clears the filter" in "\n".join(screen_lines(app))
        await type_keys(pilot, "ctrl+x", "3")  # the starred papers: none
        await wait_until(pilot, lambda: "Press 0 to see them all" in "\n".join(screen_lines(app)))
        await type_keys(pilot, "S")
        await wait_until(
            pilot,
            lambda: (
                "b goes back to the list: clear the filter there, or press 0"
                in "\n".join(screen_lines(app))
            ),
        )
        await type_keys(pilot, "b", "f1")  # the help page on the filter language
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        await pilot.pause()
        assert "The filter language · F2: the keys · F3 closes" in "\n".join(screen_lines(app))
        page = " ".join(str(part.render()) for part in app.screen.query("#help-filter Static"))
        assert "Enter or Down goes back to the list and Ctrl+X clears the filter" in page


async def test_an_empty_library_says_the_fetch_key_the_user_has(empty_library: Library) -> None:
    keys = (("library.fetch", "F"),)
    app = ReaderApp(empty_library, "ana", config=Config(read_delay=0, keys=keys))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await wait_until(pilot, lambda: "Press F to fetch" in "\n".join(screen_lines(app)))
