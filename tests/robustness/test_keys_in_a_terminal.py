"""Keys typed in one burst, through a real terminal (issue 15, item 1).

Pilot posts key events; a terminal sends bytes, which Textual's driver parses into
keys that arrive together. `tmux send-keys "/diffusion"` (one write of the whole
word) ran list actions with the letters: s starred, f fetched, n opened the note
editor. Here the same bytes go to the app through a pseudo-terminal.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from reader.store import open_library
from tests.support.data import ROOT
from tests.support.terminal import Terminal

pytestmark = pytest.mark.slow


def env_for(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "READER_DB": str(tmp_path / "library.db"),
        "READER_USER": "ana",
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "BROWSER": "false",
        "PYTHONPATH": str(ROOT),
    }


def test_slash_and_a_word_in_one_write_filters_and_does_nothing_else(tmp_path: Path) -> None:
    terminal = Terminal([sys.executable, "-m", "reader"], env=env_for(tmp_path))
    try:
        terminal.wait_for("39 of 39 papers")
        mark = terminal.mark()
        terminal.send("/diffusion")  # one write, as tmux send-keys does
        terminal.wait_for("diffusion", start=mark)
        # The header may be drawn again as it was ("39 of 39") before the filter's
        # answer comes: wait for the filtered count itself.
        shown = terminal.wait_for_match(r"\b([0-9]|[12][0-9]|3[0-8]) of 39 papers", start=mark)
        assert 0 < int(shown.group(1)) < 39
        # Esc leaves the filter; a note typed right after n goes into the note.
        mark = terminal.mark()
        terminal.send("\x1b")
        terminal.wait_for("39 of 39 papers", start=mark)
        mark = terminal.mark()
        terminal.send("nread this first")
        terminal.wait_for("read this first", start=mark)
        terminal.send("\x13")  # ctrl+s
        terminal.wait_for("Note saved", start=mark)
        terminal.send("q")
        assert terminal.wait_exit() == 0
        assert shown
    finally:
        terminal.close()
    assert "Fetching" not in terminal.text()
    library = open_library(tmp_path / "library.db")
    try:
        marks = library.annotations("ana")
    finally:
        library.close()
    # One note, nothing else: no star, no read mark, no tag from the typed letters.
    assert [(mark.note, mark.starred, mark.tags, mark.read_at) for mark in marks.values()] == [
        ("read this first", False, (), None)
    ]


def test_keys_typed_before_the_app_is_up_reach_the_filter_then_the_list(tmp_path: Path) -> None:
    """`reader`, then at once `/grokking⏎s`: typed ahead, before the app put the
    terminal in raw mode, so the terminal turned the Enter into a line feed (ctrl+j),
    and the keys came while the library screen was still starting. The filter gets
    the word, Enter takes it back to the list, s stars a paper the filter found."""
    terminal = Terminal([sys.executable, "-m", "reader"], env=env_for(tmp_path))
    try:
        terminal.send("/grokking\rs")  # before Python has even started
        terminal.wait_for("★")
        terminal.send("q")
        assert terminal.wait_exit() == 0
    finally:
        terminal.close()
    library = open_library(tmp_path / "library.db")
    try:
        marks = library.annotations("ana")
        starred_ids = [paper_id for paper_id, mark in marks.items() if mark.starred]
        starred = [paper.title for paper in library.papers_by_id(starred_ids)]
    finally:
        library.close()
    assert len(starred) == 1 and "Grokking" in starred[0]
