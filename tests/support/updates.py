"""What the tests of paper updates share (issue 19, item 7): three papers at version 1
imported at T0, and the command line as one user."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from reader.cli import main
from reader.models import Paper
from reader.store import Library

T0 = "2026-12-01T08:00:00+00:00"


def three_papers(library: Library) -> Library:
    """``library`` with three papers at version 1, none with code (imported as the
    store's clock says: the tests set it to T0 first)."""
    library.import_papers(
        [Paper(f"Paper {n}", f"2512.0000{n}", arxiv_version=1) for n in (1, 2, 3)]
    )
    return library


def pid(library: Library, arxiv_id: str) -> int:
    return library.ids_of_arxiv_ids([arxiv_id])[arxiv_id]


def cli(db: Path, *args: str, user: str = "ana") -> str:
    """``reader --db DB --user USER ARGS``: its output (it must succeed)."""
    result = CliRunner().invoke(main, ["--db", str(db), "--user", user, *args])
    assert result.exit_code == 0, result.output
    return result.output
