"""Generated libraries, built once and kept in bench/.cache (git-ignored).

    hf-SIZE-KEY.json      the generator's Hugging Face JSON
    lib-SIZE-KEY.db       that file imported through the real importer
    titles-SIZE-KEY.txt   the library's titles, one a line, for fzf

KEY is a hash of bench/generate.py, so a changed generator makes new files (and the
old ones of that size are removed); a library's KEY also hashes reader's schema
migrations, which change in place while a migration is being written. A library file
is rebuilt when it is missing or its ``PRAGMA user_version`` is not reader's schema
version. The benchmarks only read these files: the app runs with a read delay of 0,
so nothing is marked read, and marks a run leaves by mistake are removed.

Everything slow says on stderr that it is still going.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.generate import papers
from reader.models import Paper

CACHE = Path(__file__).parent / ".cache"
GENERATOR = Path(__file__).parent / "generate.py"
# How often a long step says it is still alive.
HEARTBEAT = 15.0
# Enough of a title to tell it is drawn, short enough for a narrow title column.
TITLE_PREFIX = 16


class BenchError(Exception):
    """A measure could not be taken: the app or a process did not get there in time."""


def say(message: str) -> None:
    """Progress, on stderr: the table on stdout stays clean."""
    print(message, file=sys.stderr, flush=True)


@contextmanager
def alive(label: str, every: float = HEARTBEAT) -> Iterator[None]:
    """Say ``label`` now, and every ``every`` seconds until the block ends."""
    began = time.perf_counter()
    done = threading.Event()

    def beat() -> None:
        while not done.wait(every):
            say(f"  {label}: {time.perf_counter() - began:.0f} s so far")

    say(f"{label}...")
    thread = threading.Thread(target=beat, name="bench-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
        say(f"  {label}: done in {time.perf_counter() - began:.1f} s")


def generator_key() -> str:
    """A short hash of the generator's source: what the cached files were made by."""
    return hashlib.sha256(GENERATOR.read_bytes()).hexdigest()[:10]


def schema_key() -> str:
    """A short hash of reader's schema migrations."""
    from reader.store.schema import MIGRATIONS

    return hashlib.sha256(repr(MIGRATIONS).encode()).hexdigest()[:8]


def cached(kind: str, size: int, suffix: str, key: str | None = None) -> Path:
    """The cache path of ``kind`` at ``size``; older versions of that file are removed."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"{kind}-{size}-{key or generator_key()}{suffix}"
    for stale in CACHE.glob(f"{kind}-{size}-*{suffix}"):
        if stale == path:
            continue
        if suffix == ".db":
            remove_db(stale)  # with SQLite's files beside it
        else:
            stale.unlink()
    return path


def source_json(size: int) -> Path:
    """The generated Hugging Face JSON of ``size`` papers (written once)."""
    path = cached("hf", size, ".json")
    if path.exists():
        return path
    partial = path.with_suffix(".json.partial")

    def progress(count: int) -> None:
        say(f"  generated {count:,} of {size:,} papers")

    with alive(f"generating {size:,} papers into {path.name}"):
        with partial.open("w", encoding="utf-8") as out:
            write_json(size, out.write, progress)
        partial.replace(path)
    return path


def write_json(size: int, write: Callable[[str], object], progress: Callable[[int], None]) -> None:
    """The same text as ``json.dumps(list(papers(size)), ensure_ascii=False)``, written an
    item at a time: a million papers as one string would be 2 GB more in memory."""
    write("[")
    for n, item in enumerate(papers(size)):
        if n:
            write(", ")
            if n % 100_000 == 0:
                progress(n)
        write(json.dumps(item, ensure_ascii=False))
    write("]")


@dataclass(frozen=True, slots=True)
class Imported:
    """How long one import into an empty library took."""

    seconds: float
    parse_seconds: float
    papers: int


def import_into(db: Path, source: Path) -> Imported:
    """Import ``source`` into a new library at ``db`` with the real importer, as
    ``reader import`` does (read as it is imported), timed from opening the file to
    the last row written; the parse time is the time spent reading papers from it."""
    from reader.sources.streaming import PaperStream, open_stream
    from reader.store import open_library

    library = open_library(db)
    parsing = [0.0]

    def timed(stream: PaperStream) -> Iterator[Paper]:
        papers = iter(stream)
        while True:
            began = time.perf_counter()
            paper = next(papers, None)
            parsing[0] += time.perf_counter() - began
            if paper is None:
                return
            yield paper

    try:
        began = time.perf_counter()
        with source.open("rb") as f:
            stream = open_stream(str(source), f)
            if not isinstance(stream, PaperStream):
                raise BenchError(f"{source}: not a file reader import streams")
            result = library.import_stream(timed(stream), "bench")
        done = time.perf_counter()
    finally:
        # The last close folds the WAL back in: the file stands alone afterwards.
        library.close()
    return Imported(done - began, parsing[0], result.total)


def schema_version(db: Path) -> int | None:
    """The file's ``PRAGMA user_version``, or ``None`` when it is missing or unreadable."""
    if not db.exists():
        return None
    try:
        with closing(sqlite3.connect(db)) as conn:
            return int(conn.execute("PRAGMA user_version").fetchone()[0])
    except sqlite3.Error:
        return None


def is_current(db: Path) -> bool:
    """Whether ``db`` is a library file the reader opens as it is, without a migration."""
    from reader.store.schema import SCHEMA_VERSION

    return schema_version(db) == SCHEMA_VERSION


def library_path(size: int) -> Path:
    """Where the cached library of ``size`` papers lives (it may not exist yet)."""
    return cached("lib", size, ".db", f"{generator_key()}-{schema_key()}")


def adopt(fresh: Path, size: int) -> bool:
    """Keep a just-imported library as the cache of ``size`` when there is none yet."""
    target = library_path(size)
    if is_current(target) or not is_current(fresh):
        return False
    remove_db(target)
    fresh.replace(target)
    return True


def library_db(size: int) -> Path:
    """The cached library of ``size`` generated papers, imported now if needed."""
    target = library_path(size)
    if is_current(target):
        forget_marks(target)
        return target
    source = source_json(size)
    building = target.with_suffix(".db.partial")
    remove_db(building)
    remove_db(target)
    with alive(f"importing {size:,} papers into {target.name} (cached for later runs)"):
        import_into(building, source)
    building.replace(target)
    return target


def forget_marks(db: Path) -> None:
    """Drop annotations a run left behind (a key typed at the wrong moment can star a
    paper): every run starts from the library as it was imported."""
    with closing(sqlite3.connect(db)) as conn:
        found = int(conn.execute("SELECT count(*) FROM annotations").fetchone()[0])
        if found:
            say(f"removing {found} annotations an earlier run left in {db.name}")
            with conn:
                conn.execute("DELETE FROM annotations")


def remove_db(db: Path) -> None:
    """Delete a library file and the files SQLite keeps beside it."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        db.with_name(db.name + suffix).unlink(missing_ok=True)


def paper_count(db: Path) -> int:
    """How many papers the library holds."""
    with closing(sqlite3.connect(db)) as conn:
        return int(conn.execute("SELECT count(*) FROM papers").fetchone()[0])


def newest_titles(db: Path) -> list[str]:
    """The titles of every paper of the newest day: the list, newest first, opens on one
    of them (which one is the app's business)."""
    with closing(sqlite3.connect(db)) as conn:
        rows = conn.execute(
            "SELECT title FROM papers WHERE published = (SELECT max(published) FROM papers)"
        ).fetchall()
    return sorted(str(row[0]) for row in rows)


def title_prefixes(titles: list[str]) -> list[str]:
    """The starts of ``titles`` as the list draws them (on one line)."""
    return [" ".join(title.split())[:TITLE_PREFIX] for title in titles]


def titles_file(size: int) -> Path:
    """Every title of the cached library, one a line: what fzf gets to filter."""
    path = cached("titles", size, ".txt")
    if path.exists():
        return path
    db = library_db(size)
    partial = path.with_suffix(".txt.partial")
    with closing(sqlite3.connect(db)) as conn, partial.open("w", encoding="utf-8") as out:
        for (title,) in conn.execute(
            "SELECT title FROM papers ORDER BY published DESC, title COLLATE NOCASE"
        ):
            out.write(" ".join(str(title).split()) + "\n")
    partial.replace(path)
    return path


def scratch_db(size: int) -> Path:
    """A path for a throwaway library beside the cache (same file system: cheap to adopt)."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"scratch-{size}-{os.getpid()}.db"
    remove_db(path)
    return path
