"""`reader remove` and the app's D in a real pseudo-terminal over a hostile library: it
asks, prints only text, and z puts the papers back."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from reader.store import open_library
from tests.support.data import ROOT
from tests.support.removal import removal_library


@pytest.fixture
def db(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The sample, two arXiv papers; READER_DB and READER_USER point at it."""
    return removal_library(db_path, monkeypatch)


@pytest.fixture
def hostile(tmp_path: Path) -> dict[str, str]:
    """A library with escape sequences in every field (see test_terminal_output)."""
    from tests.support.hostile import hostile_library

    db = tmp_path / "hostile.db"
    hostile_library(db)
    return {
        **os.environ,
        "READER_DB": str(db),
        "READER_USER": "ana",
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "PYTHONPATH": str(ROOT),
    }


@pytest.mark.slow
def test_in_a_real_terminal_it_asks_and_prints_only_text(hostile: dict[str, str]) -> None:
    from tests.support.hostile import CLI_SEQUENCES, assert_clean
    from tests.support.terminal import Terminal

    def reader(*args: str, answer: str | None = None) -> tuple[int, str, bytes]:
        terminal = Terminal([sys.executable, "-m", "reader", *args], env=hostile)
        try:
            if answer is not None:
                terminal.wait_for("[y/N]")
                terminal.send(answer)
            code = terminal.wait_exit()
        finally:
            terminal.close()
        return code, terminal.text(), terminal.output

    code, text, output = reader("remove", "2401.00001")
    assert code == 1 and "1 of these papers holds notes, by ana (1 note)" in text
    assert_clean(output, CLI_SEQUENCES, "the refusal")
    code, text, output = reader("remove", "--query", "hostile", "--force", answer="y\r")
    assert code == 0, text
    assert "Hostile" in text and "With notes by ana (1 note)" in text
    assert "Removed 1 paper." in text
    assert_clean(output, CLI_SEQUENCES, "the question")
    library = open_library(Path(hostile["READER_DB"]))
    try:
        assert [paper.title for paper in library.papers()] == ["A quiet second paper"]
    finally:
        library.close()


@pytest.mark.slow
def test_in_the_app_in_a_real_terminal_d_asks_removes_and_z_puts_back(
    hostile: dict[str, str],
) -> None:
    from tests.support.hostile import TUI_SEQUENCES, assert_clean
    from tests.support.terminal import Terminal

    terminal = Terminal([sys.executable, "-m", "reader"], env=hostile, size=(120, 40))
    try:
        terminal.wait_for("2 of 2 papers")
        mark = terminal.mark()
        terminal.send("D")
        terminal.wait_for("Remove 1 paper?", start=mark)
        terminal.wait_for("With notes by ana (1 note)", start=mark)
        mark = terminal.mark()
        terminal.send("y")
        terminal.wait_for("1 of 1 papers", start=mark)
        mark = terminal.mark()
        terminal.send("z")
        terminal.wait_for("2 of 2 papers", start=mark)
        terminal.send("q")
        assert terminal.wait_exit() == 0
    finally:
        terminal.close()
    assert "PWNED-TITLE" in terminal.text()  # the hostile title was in the question
    assert_clean(terminal.output, TUI_SEQUENCES, "the app")
    library = open_library(Path(hostile["READER_DB"]))
    try:
        assert library.count() == 2 and library.annotation("ana", 1).has_note
    finally:
        library.close()
