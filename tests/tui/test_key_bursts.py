"""Keys that arrive together (a fast typist, a paste, a macro, tmux send-keys) never
find a dialog half-built or half-gone."""

from __future__ import annotations

import pytest
from textual import events
from textual.widgets import Input

from reader.store import Library
from reader.tui.app import ReaderApp
from reader.tui.screens.library import LibraryScreen
from reader.tui.widgets.paper_list import PaperList
from tests.support.pilot import burst, highlighted_id, settle, wait_until
from tests.support.store import stored


def typed(text: str) -> list[str]:
    return list(text)


async def test_quit_then_export_at_once_quits_cleanly(library: Library) -> None:
    app = ReaderApp(library, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        burst(pilot, "q", "x")
        await wait_until(pilot, lambda: app.return_code is not None, "the app to stop")
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
        await wait_until(pilot, lambda: filter_input.value == "diffusion", "the filter")
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
        await wait_until(
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
        await wait_until(
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
        await wait_until(pilot, lambda: bool(library.annotations("ana")), "a star")
        await settle(pilot)
        filter_input = app.screen.query_one("#filter", Input)
        assert filter_input.value == "grokking"  # the s was not typed into it
        starred = [i for i, mark in library.annotations("ana").items() if mark.starred]
        assert starred == [papers.highlighted]


async def test_keys_after_esc_closes_a_dialog_go_to_the_list(library: Library) -> None:
    app = ReaderApp(library, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        paper = highlighted_id(app)
        burst(pilot, "t", *typed("x"), "escape", "s")
        await wait_until(pilot, lambda: bool(library.annotations("ana")), "a star")
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
        await wait_until(pilot, lambda: len(app._keys) == 11, "the keys held")
        screen = app.screen
        assert isinstance(screen, LibraryScreen)
        screen.query_one(PaperList).focus()  # what the start does, then
        screen._ready_for_keys = True
        await wait_until(pilot, lambda: bool(library.annotations("ana")), "a star")
        await settle(pilot)
        assert app.screen.query_one("#filter", Input).value == "grokking"
        [(paper_id, mark)] = library.annotations("ana").items()
        assert mark.starred and "Grokking" in stored(library, paper_id).title


async def test_keys_left_when_the_app_closes_go_nowhere(library: Library) -> None:
    """A key still waiting when the screens are gone (the app quitting) is dropped: it
    once looked for a screen to ask and raised ScreenStackError at shutdown."""
    app = ReaderApp(library, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        key = events.Key("s", "s")
    app._keys.append(key)
    await app._settled()  # what a queued callback runs after the last screen went
    assert list(app._keys) == [key]
    assert library.annotations("ana") == {}
