"""A large import in chunks, with other processes at work: a star goes in between two
chunks, an import still running is never undone, two imports at once both land."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from reader.store import Library, open_library
from reader.store import journal as journaling
from tests.support.chunks import (
    KEPT,
    USER,
    assert_whole,
    state,
)

# Each write a second after the one before (see the fixture).
pytestmark = pytest.mark.usefixtures("ticking_clock")


# -- in one process -------------------------------------------------------------------


# -- with other processes -------------------------------------------------------------


def hf_file(path: Path, count: int, start: int = 1) -> Path:
    items = [
        {
            "paper": {
                "id": f"2403.{n:05d}",
                "title": f"Imported paper number {n} on diffusion",
                "summary": "Words of an abstract. " * 30,
                "authors": [{"name": f"Author {n % 97}"}, {"name": "Ana Smith"}],
                "publishedAt": "2024-03-01T00:00:00.000Z",
            }
        }
        for n in range(start, start + count)
    ]
    path.write_text(json.dumps(items), encoding="utf-8")
    return path


def importing(db: Path, source: Path) -> subprocess.Popen[str]:
    """``reader import SOURCE`` into ``db``, in another process."""
    return subprocess.Popen(
        [sys.executable, "-m", "reader", "--db", str(db), "import", str(source)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def chunks_in(db: Path) -> int:
    """Chunks of the running import committed so far (read-only, from outside)."""
    conn = sqlite3.connect(f"{db.absolute().as_uri()}?mode=ro", uri=True)
    try:
        return int(conn.execute("SELECT count(*) FROM import_added").fetchone()[0])
    finally:
        conn.close()


def writing(db: Path) -> bool:
    """Whether another process holds the write lock now (a chunk being written)."""
    conn = sqlite3.connect(db, timeout=0, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError:
        return True
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        conn.close()
    return False


def more_chunks_than(db: Path, count: int) -> Callable[[], bool]:
    """The condition that more than ``count`` chunks are in, for :func:`wait_for`."""
    return lambda: chunks_in(db) > count


def wait_for(condition: Callable[[], bool], process: subprocess.Popen[str]) -> None:
    """Until ``condition`` holds (the process still running)."""
    deadline = time.monotonic() + 120
    while not condition():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.005)


@pytest.mark.slow
def test_a_star_goes_in_between_two_chunks_of_a_large_import(
    kept: Library, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It waited for the whole import (seconds), then failed: "database is locked".
    Now it waits for the chunk being written, no more: the chunks committed from
    when it began to wait its turn to when it has the write lock (counted there by
    a trigger of its connection) are one at most."""
    # Enough chunks of half a second (see reader.store.imports) for three stars to find
    # the import still running.
    total = 60_000
    waiting_from: list[int] = []
    real_wait = journaling.waiting_turn

    @contextmanager
    def waiting_turn(path: Path | None) -> Iterator[None]:
        with real_wait(path):
            waiting_from.append(chunks_in(db_path))
            yield

    monkeypatch.setattr(journaling, "waiting_turn", waiting_turn)
    kept.db.execute("CREATE TEMP TABLE seen (chunks INTEGER, running INTEGER)")
    kept.db.execute(
        "CREATE TEMP TRIGGER starred AFTER UPDATE OF starred ON main.annotations BEGIN "
        "INSERT INTO seen SELECT (SELECT count(*) FROM import_added), "
        "(SELECT count(*) FROM imports); END"
    )
    paper_id = min(paper.id for paper in kept.papers() if paper.id is not None)
    process = importing(db_path, hf_file(tmp_path / "big.json", total))
    try:
        wait_for(lambda: chunks_in(db_path) >= 1, process)
        waited = []
        for _ in range(3):
            # Once a chunk is in and the next one is being written (the import
            # reads its papers between two chunks, without the lock).
            last = chunks_in(db_path)
            wait_for(more_chunks_than(db_path, last), process)
            wait_for(lambda: writing(db_path), process)
            waiting_from.clear()
            kept.toggle_star(USER, paper_id)
            ((chunks, running),) = kept.db.execute("SELECT * FROM seen").fetchall()
            kept.db.execute("DELETE FROM seen")
            assert running == 1  # the import was still under way
            if waiting_from:  # else it went in at once, between two chunks
                waited.append(chunks - waiting_from[0])
        assert waited, "no star had to wait: nothing was tested"
        assert max(waited) <= 1, waited
        _out, errors = process.communicate(timeout=300)
        assert process.returncode == 0, errors
    finally:
        process.kill()
        process.wait()
    assert kept.count() == KEPT + total
    assert kept.annotation(USER, paper_id).starred is False  # three toggles from starred
    assert_whole(db_path)


@pytest.mark.slow
def test_an_import_that_still_runs_is_never_undone(
    kept: Library, db_path: Path, tmp_path: Path
) -> None:
    """A process opening the library while an import is stopped between chunks
    leaves it alone; once the importing process is gone, the next open undoes it."""
    before = state(kept)
    process = importing(db_path, hf_file(tmp_path / "big.json", 20_000))
    try:
        wait_for(lambda: chunks_in(db_path) >= 2, process)
        process.send_signal(signal.SIGSTOP)
        partial = open_library(db_path)
        try:
            assert KEPT < partial.count() < KEPT + 20_000
        finally:
            partial.close()
        assert chunks_in(db_path) >= 2  # nothing undone
    finally:
        process.kill()
        process.wait()
    library = open_library(db_path)
    try:
        assert state(library) == before
    finally:
        library.close()
    assert_whole(db_path)


@pytest.mark.slow
def test_two_large_imports_at_once_both_land(kept: Library, db_path: Path, tmp_path: Path) -> None:
    """Their chunks take turns; neither fails for the other, and each is whole."""
    first = importing(db_path, hf_file(tmp_path / "a.json", 8_000))
    second = importing(db_path, hf_file(tmp_path / "b.json", 8_000, start=8_001))
    for process in (first, second):
        _out, errors = process.communicate(timeout=300)
        assert process.returncode == 0, errors
    assert kept.count() == KEPT + 16_000
    assert_whole(db_path)
