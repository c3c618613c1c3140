"""Keys that arrive together (a fast typist, a paste, a macro, tmux send-keys) never
find a dialog half-built or half-gone."""

from __future__ import annotations

import pytest
from textual import events
from textual.keys import _character_to_key
from textual.pilot import Pilot
from textual.widgets import Input

from reader.store import Library
from reader.tui.app import ReaderApp
from reader.tui.screens.library import LibraryScreen
from reader.tui.widgets.paper_list import PaperList
from tests.test_tui import settle


def burst(pilot: Pilot[None], *keys: str) -> None:
    """Queue every key at once, without waiting for the app between them: a
    fast typist, a paste, ``tmux send-keys "/diffusion"``."""
    for key in keys:
        if len(key) == 1:
            pilot.app.post_message(events.Key(_character_to_key(key), key))
        else:
            pilot.app.post_message(events.Key(key, None))


def typed(text: str) -> list[str]:
    return list(text)


async def until(pilot: Pilot[None], condition: object, *, what: str) -> None:
    """Wait (as long as a loaded machine needs) for ``condition()`` to hold."""
    for _ in range(400):
        if condition():  # type: ignore[operator]
            return
        await pilot.pause(0.05)
    raise AssertionError(f"never: {what}")


async def test_quit_then_export_at_once_quits_cleanly(library: Library) -> None:
    app = ReaderApp(library, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        burst(pilot, "q", "x")
        await pilot.pause(0.2)
    assert app.return_code == 0


def untouched(library: Library) -> bool:
    """No star, read mark, tag or note of anyone's: no key ran a list action."""
    return library.annotations("ana") == {}


async def test_slash_then_a_word_typed_at_once_filters_and_does_nothing_else(
    library: Library,
) -> None:
    """`/diffusion` in one burst ran s (star), f (fetch), u, n (note), o (browser)."""
    app = ReaderApp(library, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        burst(pilot, "/", *typed("diffusion"))
        filter_input = app.screen.query_one("#filter", Input)
        await until(pilot, lambda: filter_input.value == "diffusion", what="the filter")
        await settle(pilot)
        assert filter_input.has_focus
        assert type(app.screen).__name__ == "LibraryScreen"
        shown = len(app.screen.query_one(PaperList).paper_ids)
        assert 0 < shown < 39
        assert "Fetching" not in str(app.screen.query_one("#status").render())
    assert untouched(library)


async def test_a_note_typed_right_after_n_goes_into_the_note(library: Library) -> None:
    app = ReaderApp(library, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        paper = app.screen.query_one(PaperList).highlighted
        assert paper is not None
        burst(pilot, "n", *typed("first thoughts"), "ctrl+s")
        await until(
            pilot,
            lambda: library.annotation("ana", paper).note == "first thoughts",
            what="the note saved",
        )
        await settle(pilot)
        assert type(app.screen).__name__ == "LibraryScreen"
    marks = library.annotations("ana")
    assert list(marks) == [paper] and not marks[paper].starred


async def test_tags_typed_right_after_t_go_into_the_tags(library: Library) -> None:
    app = ReaderApp(library, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        paper = app.screen.query_one(PaperList).highlighted
        assert paper is not None
        burst(pilot, "t", *typed("vision survey"), "enter")
        await until(
            pilot,
            lambda: library.annotation("ana", paper).tags == ("vision", "survey"),
            what="the tags saved",
        )
    assert not library.annotation("ana", paper).starred


async def test_keys_after_enter_in_the_filter_go_back_to_the_list(library: Library) -> None:
    app = ReaderApp(library, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        burst(pilot, "/", *typed("grokking"), "enter", "s")
        papers = app.screen.query_one(PaperList)
        await until(pilot, lambda: bool(library.annotations("ana")), what="a star")
        await settle(pilot)
        filter_input = app.screen.query_one("#filter", Input)
        assert filter_input.value == "grokking"  # the s was not typed into it
        starred = [i for i, mark in library.annotations("ana").items() if mark.starred]
        assert starred == [papers.highlighted]


async def test_keys_after_esc_closes_a_dialog_go_to_the_list(library: Library) -> None:
    app = ReaderApp(library, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        paper = app.screen.query_one(PaperList).highlighted
        burst(pilot, "t", *typed("x"), "escape", "s")
        await until(pilot, lambda: bool(library.annotations("ana")), what="a star")
        await settle(pilot)
        assert type(app.screen).__name__ == "LibraryScreen"
    mark = library.annotation("ana", paper)
    assert mark.starred and mark.tags == ()


async def test_keys_typed_before_the_library_screen_has_started_wait_for_it(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 100,000 papers the library screen's start (its first page) comes after the
    app is up and reading keys: a `/` that came meanwhile went into the filter bar (the
    focus Textual gave it), and the word after it to the list. Keys wait for the start."""
    original = LibraryScreen.on_mount

    def not_yet(screen: LibraryScreen) -> None:
        # As the screen is before its start has run: the focus where Textual put it.
        original(screen)
        screen._ready_for_keys = False
        screen.query_one("#filter", Input).focus()

    monkeypatch.setattr(LibraryScreen, "on_mount", not_yet)
    app = ReaderApp(library, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        burst(pilot, "/", *typed("grokking"), "ctrl+j", "s")
        await until(pilot, lambda: len(app._keys) == 11, what="the keys held")
        screen = app.screen
        assert isinstance(screen, LibraryScreen)
        screen.query_one(PaperList).focus()  # what the start does, then
        screen._ready_for_keys = True
        await until(pilot, lambda: bool(library.annotations("ana")), what="a star")
        await settle(pilot)
        assert app.screen.query_one("#filter", Input).value == "grokking"
        [(paper_id, mark)] = library.annotations("ana").items()
        assert mark.starred and "Grokking" in library.paper(paper_id).title
