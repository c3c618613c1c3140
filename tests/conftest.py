"""Shared fixtures: throwaway libraries and the app built on them, never the user's own."""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from reader.sample import load_sample_if_empty
from reader.store import Library, clock, open_library
from tests.support.chunks import USER, kept_papers
from tests.support.data import FIXED_NOW


@pytest.fixture(autouse=True)
def isolated_environment(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keep every test away from the real user's library, config and name."""
    monkeypatch.setenv("READER_DB", str(tmp_path / "env-library.db"))
    monkeypatch.setenv("READER_USER", "tester")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.delenv("READER_CONFIG", raising=False)
    # Outside tmp_path, which some tests list: a home of its own for each test.
    monkeypatch.setenv("HOME", str(tmp_path_factory.mktemp("home")))
    monkeypatch.delenv("READER_HF_URL", raising=False)
    monkeypatch.delenv("READER_ARXIV_URL", raising=False)


@pytest.fixture(autouse=True, scope="session")
def utc() -> Iterator[None]:
    """Local time is UTC, whatever the machine's zone: the stats screen counts weeks
    in local time, and snapshots must not change with the zone of the machine."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if before is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = before
    time.tzset()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "library.db"


@pytest.fixture
def library(db_path: Path) -> Iterator[Library]:
    """A library file holding the bundled sample papers."""
    lib = open_library(db_path)
    load_sample_if_empty(lib, now=FIXED_NOW)
    yield lib
    lib.close()


@pytest.fixture
def empty_library(db_path: Path) -> Iterator[Library]:
    lib = open_library(db_path)
    yield lib
    lib.close()


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto``: half as many workers again as cores. A fifth of the suite's time is
    spent waiting (for a child process, a pseudo-terminal, a worker thread, the next
    frame), and a third worker fills it: on 2 cores the suite took 5:49 with 2 workers
    and 5:02 with 3, measured in the same quiet hour."""
    cores = os.cpu_count() or 1
    return max(1, cores + cores // 2)


@pytest.fixture
def ticking_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """(For the chunked-import tests.) Each write in this process a second after the
    one before, so a time an undo fails to put back shows every run, not only when the
    second turns between two."""
    start, seconds = datetime(2026, 1, 1, tzinfo=UTC), itertools.count()
    monkeypatch.setattr(
        clock,
        "now",
        lambda: (start + timedelta(seconds=next(seconds))).isoformat(timespec="seconds"),
    )


@pytest.fixture
def kept(db_path: Path) -> Iterator[Library]:
    """(For the chunked-import tests.) A library of KEPT papers, some of them marked by USER."""
    library = open_library(db_path)
    library.import_papers(kept_papers())
    ids = [paper.id for paper in library.papers() if paper.id is not None]
    library.set_starred(USER, ids[0], True)
    library.change_tags(USER, ids[:3], add=["keep"])
    library.set_note(USER, ids[1], "my note")
    yield library
    library.close()
