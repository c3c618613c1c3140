"""Importing through the command line in the test's process, and reading back what
landed: for the import-bounds tests of the core and the robustness suites."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from reader.cli import main
from reader.models import Annotation, Paper
from reader.store import open_library

USER = "ana"


def words(chars: int) -> str:
    """``chars`` characters of words, no line breaks: what is stored is what was read."""
    return ("word " * (chars // 5 + 1))[:chars].strip()


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], prog_name="reader")


def stored(db: Path) -> tuple[list[Paper], dict[int, Annotation]]:
    library = open_library(db)
    try:
        return library.papers(), library.annotations(USER)
    finally:
        library.close()


def import_file(db: Path, path: Path) -> str:
    result = run("--db", db, "--user", USER, "import", path)
    assert result.exit_code == 0, result.output
    return result.stdout
