"""``reader remove`` (issue 15, item 12): by id in every form, by query, or the
sample's papers; it asks on a terminal, takes --yes off one, and never drops
anyone's notes without --force."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from reader.cli import main, remove, run_app
from reader.cli.common import Settings
from reader.models import Paper
from tests.support.removal import mark, opened, removal_library, row_id, titles

RAM = "RAM++: Robust Representation Learning via Adaptive Mask"
GLAD = "GLAD: Generalizable Tuning for Vision-Language Models"


def run(*args: str | Path, input: str | None = None, terminal: bool = False) -> Result:
    """``reader ARGS``; with ``terminal``, as if standard input were a terminal."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(remove, "_stdin_is_terminal", lambda: terminal)
        return CliRunner().invoke(main, [str(a) for a in args], input=input, prog_name="reader")


@pytest.fixture
def db(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The sample, two arXiv papers; READER_DB and READER_USER point at it."""
    return removal_library(db_path, monkeypatch)


def test_asks_on_a_terminal_listing_the_titles_and_removes_on_yes(db: Path) -> None:
    mark(db, "bob", "Flow matching", star=True)
    result = run(
        "remove",
        "arXiv:2409.11074v2",
        "https://arxiv.org/abs/hep-th/9901001",
        row_id(db, "GLAD"),
        input="y\n",
        terminal=True,
    )
    assert result.exit_code == 0, result.output
    assert "Flow matching for everyone" in result.stderr
    assert "GLAD" in result.stderr and "Old style paper" in result.stderr
    assert "Starred or tagged by bob (1 starred)" in result.stderr
    assert "Remove 3 papers? [y/N]" in result.stderr
    assert result.stdout == "Removed 3 papers.\n"
    left = titles(db)
    assert "Flow matching for everyone" not in left and GLAD not in left
    assert len(left) == 38


@pytest.mark.parametrize("answer", ["n\n", "\n", ""])
def test_anything_but_yes_removes_nothing(db: Path, answer: str) -> None:
    result = run("remove", "2409.11074", input=answer, terminal=True)
    assert result.exit_code == 1
    assert "Nothing removed." in result.stderr
    assert "Flow matching for everyone" in titles(db)


def test_off_a_terminal_it_refuses_without_yes_and_says_how(db: Path) -> None:
    result = run("remove", "2409.11074", input="y\n")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert "standard input is not a terminal" in result.stderr and "--yes" in result.stderr
    assert "Flow matching for everyone" in titles(db)

    result = run("remove", "2409.11074", "--yes")
    assert result.exit_code == 0 and result.stdout == "Removed 1 paper.\n"
    assert "Flow matching for everyone" not in titles(db)


def test_papers_with_notes_are_refused_naming_whose_unless_forced(db: Path) -> None:
    mark(db, "ana", "RAM++", note="mine")
    mark(db, "bob", "RAM++", note="bob's")
    mark(db, "bob", "GLAD", note="also bob's")
    ids = [row_id(db, "RAM++"), row_id(db, "GLAD"), "2409.11074"]

    refused = run("remove", *ids, "--yes")
    assert refused.exit_code == 1
    assert "2 of these papers hold notes, by ana (1 note), bob (2 notes)" in refused.stderr
    assert "nothing removed" in refused.stderr and "--force" in refused.stderr
    assert len(titles(db)) == 41

    forced = run("remove", *ids, "--yes", "--force")
    assert forced.exit_code == 0 and forced.stdout == "Removed 3 papers.\n"
    assert len(titles(db)) == 38


def test_forced_the_question_says_whose_notes_go(db: Path) -> None:
    mark(db, "bob", "GLAD", note="bob's")
    result = run("remove", row_id(db, "GLAD"), "--force", input="y\n", terminal=True)
    assert result.exit_code == 0
    assert "With notes by bob (1 note): the notes go with them." in result.stderr


def test_stars_alone_do_not_stop_a_removal_off_a_terminal(db: Path) -> None:
    mark(db, "bob", "Flow matching", star=True)
    result = run("remove", "2409.11074", "--yes")
    assert result.exit_code == 0 and "Flow matching for everyone" not in titles(db)


def test_unknown_ids_remove_nothing_and_are_named(db: Path) -> None:
    result = run("remove", "2409.11074", "2501.99999", "#9999", "--yes")
    assert result.exit_code == 1
    assert "not in the library: 2501.99999, #9999; nothing removed" in result.stderr
    assert "Flow matching for everyone" in titles(db)

    result = run("remove", "flow", "t-0000000000", "--yes")
    assert result.exit_code == 1
    assert "not an arXiv id or a title id from `reader list`: flow;" in result.stderr
    result = run("remove", "t-0000000000", "--yes")
    assert result.exit_code == 1 and "not in the library: t-0000000000;" in result.stderr


def test_the_id_reader_list_prints_for_a_paper_without_an_arxiv_id_removes_it(db: Path) -> None:
    listed = run("list", "title:glad")
    [line] = listed.output.splitlines()
    paper_id = line.split("\t")[0]
    assert paper_id.startswith("t-")
    result = run("remove", paper_id.upper(), "--yes")
    assert result.exit_code == 0, result.output
    assert GLAD not in titles(db) and len(titles(db)) == 40


def test_by_query(db: Path) -> None:
    result = run("remove", "--query", "title:glad", input="y\n", terminal=True)
    assert result.exit_code == 0, result.output
    assert "Remove 1 paper? [y/N]" in result.stderr and "GLAD" in result.stderr
    assert GLAD not in titles(db) and len(titles(db)) == 40

    result = run("remove", "--query", "zzzqqq", "--yes")
    assert result.exit_code == 1 and "no paper matches “zzzqqq”" in result.stderr
    assert run("remove", "--query", " ", "--yes").exit_code == 2


def test_the_sample_goes_but_the_papers_with_notes(db: Path) -> None:
    mark(db, "bob", "RAM++", note="bob's")
    mark(db, "ana", "GLAD", star=True)
    result = run("remove", "--sample", input="y\n", terminal=True)
    assert result.exit_code == 0, result.output
    assert "Remove 38 sample papers? [y/N]" in result.stderr
    assert "1 paper with notes stays, by bob (1 note)" in result.stderr
    assert "Starred or tagged by ana (1 starred)" in result.stderr
    assert result.stdout == (
        "Removed 38 sample papers; 1 paper with notes stays, by bob (1 note) "
        "(--force removes it too).\n"
    )
    assert titles(db) == {
        "Flow matching for everyone",
        "Old style paper",
        next(t for t in titles(db) if t.startswith("RAM++")),
    }

    again = run("remove", "--sample", "--yes")
    assert again.exit_code == 0
    assert again.stdout == (
        "1 paper with notes stays, by bob (1 note) (--force removes it too); nothing removed.\n"
    )
    forced = run("remove", "--sample", "--yes", "--force")
    assert forced.exit_code == 0 and forced.stdout == "Removed 1 sample paper.\n"
    assert run("remove", "--sample", "--yes").stdout == (
        "No sample papers in the library; nothing removed.\n"
    )
    assert titles(db) == {"Flow matching for everyone", "Old style paper"}


def test_one_way_of_naming_papers_at_a_time(db: Path) -> None:
    assert run("remove").exit_code == 2
    both = run("remove", "2409.11074", "--sample")
    assert both.exit_code == 2 and "not ID and --sample" in both.stderr


def test_the_welcome_says_how_to_remove_the_sample(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reader.tui.app import ReaderApp

    notices: list[str | None] = []
    monkeypatch.setattr(ReaderApp, "run", lambda self: notices.append(self._notice))
    run_app(Settings(db_path=tmp_path / "new.db", user="ana"))
    assert notices[0] is not None and "reader remove --sample" in notices[0]


def test_a_title_with_escapes_is_shown_as_text(db: Path) -> None:
    library = opened(db)
    library.import_papers([Paper("Evil \x1b]0;owned\x07 title\x9b31m", "2501.00007")])
    library.close()
    result = run("remove", "2501.00007", input="y\n", terminal=True)
    assert result.exit_code == 0
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert "\x9b" not in result.stderr and "Evil" in result.stderr


def test_the_real_process_refuses_on_a_pipe_in_one_line(db: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "reader", "remove", "--sample"],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("Error: cannot ask before removing 39 papers")
    assert len(titles(db)) == 41


def test_a_read_only_library_is_refused_before_asking(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reader.store import access

    monkeypatch.setattr(access, "why_read_only", lambda path: f"{path} is read-only")
    result = run("remove", "2409.11074", input="y\n", terminal=True)
    assert result.exit_code == 1
    assert result.stderr == f"Error: {db} is read-only; nothing removed\n"
    monkeypatch.undo()
    assert "Flow matching for everyone" in titles(db)
