"""A library survives its writer being killed: an import killed at any moment leaves
the file whole, and, once opened again, as it was before the import or after it,
never in between (an import commits in chunks, and the next process to open the
library undoes one whose process died: see reader.store.journal)."""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from reader.models import Paper
from reader.store import open_library

BEFORE = 50
BATCH = 6_000
RUNS = 20
JOURNAL = ("imports", "import_added", "import_papers", "import_marks")


def _batch_file(path: Path) -> Path:
    items = [
        {
            "paper": {
                "id": f"2402.{n:05d}",
                "title": f"Paper number {n} on grokking and lottery tickets",
                "summary": "Words of an abstract. " * 40,
                "authors": [{"name": f"Author {n % 97}"}, {"name": "Ana Smith"}],
                "publishedAt": "2024-02-01T00:00:00.000Z",
                "upvotes": n % 13,
            }
        }
        for n in range(1, BATCH + 1)
    ]
    path.write_text(json.dumps(items), encoding="utf-8")
    return path


def _check(db: Path) -> int:
    """The paper count, after SQLite's and FTS5's own checks of the whole file."""
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        conn.execute("INSERT INTO paper_words (paper_words) VALUES ('integrity-check')")
        conn.execute("INSERT INTO abstract_words (abstract_words) VALUES ('integrity-check')")
        assert (
            conn.execute("SELECT value FROM meta WHERE key = 'indexing_by_import'").fetchall() == []
        )
        (count,) = conn.execute("SELECT count(*) FROM papers").fetchone()
    finally:
        conn.close()
    return int(count)


def _reopened(db: Path) -> int:
    """The paper count once reader has opened the library again (and so undone an
    import whose process died), with nothing left of the import's journal."""
    open_library(db).close()
    conn = sqlite3.connect(db)
    try:
        for table in JOURNAL:
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,), table
    finally:
        conn.close()
    return _check(db)


def _importing(db: Path) -> bool:
    """Whether an import has committed a chunk and not finished."""
    conn = sqlite3.connect(f"{db.absolute().as_uri()}?mode=ro", uri=True)
    try:
        running: int = conn.execute("SELECT count(*) FROM imports").fetchone()[0]
        return running != 0
    except sqlite3.Error:
        return False  # not yet made (the library's first open), or busy: not yet
    finally:
        conn.close()


def test_an_import_killed_at_any_moment_leaves_the_library_before_or_after(
    tmp_path: Path,
) -> None:
    batch = _batch_file(tmp_path / "batch.json")
    base = tmp_path / "base.db"
    library = open_library(base)
    library.import_papers([Paper(f"Kept paper {n}", f"2401.{n:05d}") for n in range(1, BEFORE + 1)])
    library.close()
    # How long a whole import takes here, to kill the others all along the way.
    whole = tmp_path / "whole.db"
    whole.write_bytes(base.read_bytes())
    began = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "reader", "--db", str(whole), "import", str(batch)],
        check=True,
        capture_output=True,
    )
    duration = time.monotonic() - began
    assert _reopened(whole) == BEFORE + BATCH
    rng = random.Random(7)
    outcomes = []
    cut = []
    for run in range(RUNS):
        db = tmp_path / f"run{run}.db"
        db.write_bytes(base.read_bytes())
        process = subprocess.Popen(
            [sys.executable, "-m", "reader", "--db", str(db), "import", str(batch)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if run % 2:
            time.sleep(rng.uniform(0.05, duration * 1.1))
        else:
            # Every other run: once the import has committed its first chunk, a
            # moment later.
            deadline = time.monotonic() + duration * 3
            while time.monotonic() < deadline and process.poll() is None:
                if _importing(db):
                    break
                time.sleep(0.002)
            time.sleep(rng.uniform(0, 0.2))
        process.send_signal(signal.SIGKILL)
        process.wait()
        # Whole at every moment, with part of the import in or not...
        cut.append(_check(db) not in (BEFORE, BEFORE + BATCH))
        # ... and before or after it once opened again.
        count = _reopened(db)
        assert count in (BEFORE, BEFORE + BATCH), count
        outcomes.append(count)
        # And the file still opens and takes the import afterwards.
        if run == 0:
            subprocess.run(
                [sys.executable, "-m", "reader", "--db", str(db), "import", str(batch)],
                check=True,
                capture_output=True,
            )
            assert _reopened(db) == BEFORE + BATCH
    # Kills land before, during and after the import; some between two of its
    # chunks, and none leaves part of it once the library is opened again.
    assert BEFORE in outcomes, outcomes
    assert any(cut), outcomes
