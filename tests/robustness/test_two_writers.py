"""Two processes on one library: neither write fails, neither undoes the other's."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from reader.models import Paper
from reader.store import open_library

PAPERS = 20
ROUNDS = 60
# Each writer: notes on its own papers, stars on all of them, tags on a shared one;
# the other writes notes on the papers this one stars.
WRITER = """
import sys
from reader.store import open_library

name, db, first, last, rounds = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:])
library = open_library(db)
ids = [paper.id for paper in library.listing()]
for n in range(rounds):
    for paper_id in ids[first:last]:
        library.set_note("ana", paper_id, f"{name} note {n}")
    library.set_starred(name, ids[n % len(ids)], True)
    library.change_tags("ana", [ids[0]], add=[f"{name}-{n}"])
library.close()
"""


def test_two_processes_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    db = tmp_path / "library.db"
    library = open_library(db)
    library.import_papers([Paper(f"Paper {n}", f"2401.{n:05d}") for n in range(1, PAPERS + 1)])
    library.close()
    half = PAPERS // 2
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, name, str(db), str(first), str(last), str(ROUNDS)],
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, first, last in (("alice", 0, half), ("bob", half, PAPERS))
    ]
    for writer in writers:
        _out, errors = writer.communicate(timeout=120)
        assert writer.returncode == 0, errors  # never "database is locked"
    library = open_library(db)
    ids = [paper.id for paper in library.listing()]
    notes = library.annotations("ana")
    last = ROUNDS - 1
    assert [notes[i].note for i in ids[:half]] == [f"alice note {last}"] * half
    assert [notes[i].note for i in ids[half:]] == [f"bob note {last}"] * half
    # Stars by both, on papers the other was writing notes on: every one is there.
    for name in ("alice", "bob"):
        starred = {i for i, mark in library.annotations(name).items() if mark.starred}
        assert starred == {ids[n % PAPERS] for n in range(ROUNDS)}
    # Tags added to one paper by both, interleaved: all of them, none lost.
    tags = set(notes[ids[0]].tags)
    assert tags == {f"{name}-{n}" for name in ("alice", "bob") for n in range(ROUNDS)}
    library.close()
