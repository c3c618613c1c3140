"""Damaged and foreign files at --db: one clean line, and the file left as it was (issue 7).

A file that is not a library, a damaged library, another program's SQLite database,
a read-only folder, a full disk, a missing or impossible folder: each command a user
runs against a library (``import``, ``export``, ``list``, and the TUI) ends with exit
1 and one ``Error:`` line naming the file, never a traceback, and never changes the
file or leaves SQLite's -wal/-shm/-journal files beside another program's file. A
read-only library is read, and a write to it fails the same way.

Most cases run in-process through click's runner, the TUI headless through Pilot.
Permission bits are checked by the kernel in a real process: as root, without the
capabilities that let root ignore them. The full disk is SQLite's page limit here,
and a real, tiny tmpfs in a mount namespace of its own where one can be made.
"""

from __future__ import annotations

import asyncio
import ctypes
import json
import os
import random
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from reader.cli import main
from reader.sample import load_sample_if_empty
from reader.store import LibraryError, open_library
from reader.store.schema import SCHEMA_VERSION
from reader.tui.app import ReaderApp
from tests.support.data import DATA, FIXED_NOW, SAMPLE_PAGE
from tests.support.store import schema_pages

SAMPLE_COUNT = 39
HF_JSON = DATA / "hf-daily-papers.json"  # papers the sample lacks

# What a user runs against a library; "tui" is ``reader`` alone.
COMMANDS: dict[str, tuple[str, ...]] = {
    "import": ("import", str(SAMPLE_PAGE)),
    "export": ("export", "--all"),
    "list": ("list",),
    "tui": (),
}


# -- helpers ------------------------------------------------------------------


@pytest.fixture(scope="module")
def healthy(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The bytes of a library holding the sample, everything in the main file."""
    path = tmp_path_factory.mktemp("healthy") / "library.db"
    library = open_library(path)
    load_sample_if_empty(library, now=FIXED_NOW)
    library.close()
    return path.read_bytes()


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[ReaderApp]:
    """The TUI runs headless: it opens, reads its library, and stops. The apps that
    started are listed, so a test can tell the CLI refused before the app ran."""
    apps: list[ReaderApp] = []

    def run_headless(app: ReaderApp) -> None:
        async def drive() -> None:
            async with app.run_test(size=(120, 40)) as pilot:
                await pilot.pause()
                await app.workers.wait_for_complete()
                await pilot.pause()

        apps.append(app)
        asyncio.run(drive())

    monkeypatch.setattr(ReaderApp, "run", run_headless)
    return apps


def run(db: Path, command: str, *more: str | Path) -> Result:
    """``reader --db DB COMMAND`` in-process; ``import`` takes ``more`` instead of the sample."""
    given = ("import",) if command == "import" and more else COMMANDS[command]
    args = ["--db", str(db), *given, *map(str, more)]
    return CliRunner().invoke(main, args, prog_name="reader")


def assert_refused(result: Result, path: Path, *words: str) -> str:
    """Exit 1 and one ``Error:`` line on stderr naming ``path`` and ``words``; nothing
    on stdout, and no exception but click's clean exit (no traceback)."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ") and str(path) in lines[0], lines[0]
    for word in words:
        assert word in lines[0], lines[0]
    assert result.stdout == ""
    return lines[0]


def folder_state(path: Path) -> dict[str, tuple[bytes, int]]:
    """Every file in ``path``'s folder with its bytes and modification time: the file,
    and any -wal, -shm or -journal file beside it."""
    return {
        entry.name: (entry.read_bytes(), entry.stat().st_mtime_ns)
        for entry in sorted(path.parent.iterdir())
        if entry.is_file()
    }


def in_a_folder(tmp_path: Path, name: str, data: bytes) -> Path:
    """``data`` as ``name`` in a folder of its own (so its neighbours are its own)."""
    folder = tmp_path / "at"
    folder.mkdir()
    path = folder / name
    path.write_bytes(data)
    return path


def papers_in(path: Path) -> int:
    """Papers in a library, read by SQLite alone; after an integrity check."""
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return int(conn.execute("SELECT count(*) FROM papers").fetchone()[0])
    finally:
        conn.close()


# -- 1. files that are not SQLite databases -----------------------------------

NOT_SQLITE = {
    "text": (b"my precious notes\nline two\n", "not an SQLite database"),
    "cut-off header": (b"SQLite for", "not an SQLite database"),
    "random bytes": (random.Random(7).randbytes(8192), "not an SQLite database"),
    "header, then junk": (
        b"SQLite format 3\x00" + random.Random(8).randbytes(8192),
        "not a database",
    ),
    "header alone": (b"SQLite format 3\x00", "not a database"),
}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("kind", NOT_SQLITE)
def test_a_file_that_is_not_sqlite_is_refused_and_left_as_it_was(
    tmp_path: Path, kind: str, command: str, started: list[ReaderApp]
) -> None:
    data, words = NOT_SQLITE[kind]
    path = in_a_folder(tmp_path, "notes.db", data)
    before = folder_state(path)
    assert_refused(run(path, command), path, words)
    assert folder_state(path) == before
    assert started == []


@pytest.mark.parametrize("command", ["export", "list"])
def test_an_empty_file_is_no_library_to_a_command_that_only_reads(
    tmp_path: Path, command: str
) -> None:
    path = in_a_folder(tmp_path, "library.db", b"")
    before = folder_state(path)
    assert_refused(run(path, command), path, "no library at", "empty")
    assert folder_state(path) == before  # was made a library by export and list


def test_import_makes_a_library_of_an_empty_file(tmp_path: Path) -> None:
    """An empty file holds nothing to lose, and two processes creating the library at
    once each see it empty for a moment: a command that fills a library fills it."""
    path = in_a_folder(tmp_path, "library.db", b"")
    result = run(path, "import")
    assert result.exit_code == 0, result.output
    assert papers_in(path) == SAMPLE_COUNT


@pytest.mark.parametrize("command", COMMANDS)
def test_a_pipe_is_no_library(tmp_path: Path, command: str) -> None:
    """Not a regular file: a FIFO (or /dev/null) is refused before it is read.

    A real process, with a timeout: reading a FIFO waits for a writer for ever, and
    /dev/null took a -journal beside it and lost every write."""
    fifo = tmp_path / "library.db"
    os.mkfifo(fifo)
    proc = subprocess.run(
        [sys.executable, "-m", "reader", "--db", str(fifo), *COMMANDS[command]],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=30,
    )
    assert proc.returncode == 1, proc.stderr
    assert (
        proc.stderr
        == f"Error: {fifo} is not a reader library (not a regular file); left untouched\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["library.db"]


# -- 2. damaged libraries -------------------------------------------------------


def _page_size(data: bytes) -> int:
    size = int.from_bytes(data[16:18], "big")
    return 65536 if size == 1 else size


def _junk_after_the_schema(data: bytes) -> bytes:
    """Every page after the schema's overwritten (the tables' and indexes' first
    pages, written first, read; the papers, written after, do not)."""
    page = _page_size(data)
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "copy.db"
        copy.write_bytes(data)
        start = schema_pages(copy) * page
    assert start < len(data), "the sample's pages come after the schema's"
    return data[:start] + b"\xa5" * (len(data) - start)


def _junk_in_the_schema(data: bytes) -> bytes:
    """The header kept, the rest of the first page (where the schema starts) overwritten."""
    page = _page_size(data)
    return data[:100] + b"\xa5" * (page - 100) + data[page:]


def _cut_short(data: bytes) -> bytes:
    return data[: len(data) // 3]


DAMAGE: dict[str, Callable[[bytes], bytes]] = {
    "pages after the schema": _junk_after_the_schema,
    "the schema's page": _junk_in_the_schema,
    "cut short": _cut_short,
}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_library_is_one_clean_line_and_left_as_it_was(
    tmp_path: Path, healthy: bytes, damage: str, command: str, started: list[ReaderApp]
) -> None:
    """Refused as it opens, or, when only the papers' pages are hurt, as they are read:
    the TUI then stops at once and the command line says why."""
    path = in_a_folder(tmp_path, "library.db", DAMAGE[damage](healthy))
    before = folder_state(path)
    assert_refused(run(path, command), path, "malformed")
    assert folder_state(path) == before
    opens = damage == "pages after the schema" and command == "tui"
    assert len(started) == (1 if opens else 0)


# -- 3. another program's SQLite database ---------------------------------------


def _other_program(path: Path, *, tables: bool = True, app_id: int = 0, version: int = 0) -> None:
    conn = sqlite3.connect(path)
    if tables:
        conn.execute("CREATE TABLE accounts (id INTEGER PRIMARY KEY, owner TEXT)")
        conn.execute("INSERT INTO accounts (owner) VALUES ('them')")
    conn.execute(f"PRAGMA application_id = {app_id}")
    conn.execute(f"PRAGMA user_version = {version}")
    conn.commit()
    conn.close()


def _in_wal_mode(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE accounts (id INTEGER PRIMARY KEY, owner TEXT)")
    conn.commit()
    conn.close()


def _crashed_mid_transaction(path: Path) -> None:
    """As left by a program that died while writing: a hot rollback journal beside it,
    which the next SQLite connection to open the file plays back (and deletes)."""
    elsewhere = path.parent.parent / "live.db"
    conn = sqlite3.connect(elsewhere, isolation_level=None)
    conn.execute("PRAGMA cache_size = 1")  # changed pages reach the file before the commit
    conn.execute("CREATE TABLE blobs (x)")
    conn.executemany("INSERT INTO blobs VALUES (randomblob(500))", [()] * 60)
    conn.execute("BEGIN")
    conn.execute("UPDATE blobs SET x = randomblob(500)")
    shutil.copy(elsewhere, path)
    shutil.copy(f"{elsewhere}-journal", f"{path}-journal")
    conn.execute("ROLLBACK")
    conn.close()


def _running_in_wal_mode(path: Path) -> None:
    """As left by a program that died (or runs) in WAL mode: its last commits in the
    -wal file, which the last SQLite connection to close folds into the file."""
    elsewhere = path.parent.parent / "live.db"
    conn = sqlite3.connect(elsewhere, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    conn.execute("CREATE TABLE accounts (id INTEGER PRIMARY KEY, owner TEXT)")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("INSERT INTO accounts (owner) VALUES ('them')")
    shutil.copy(elsewhere, path)
    shutil.copy(f"{elsewhere}-wal", f"{path}-wal")
    conn.close()


OTHER_PROGRAMS: dict[str, Callable[[Path], None]] = {
    "tables, no id": _other_program,
    "tables, its own id and version": lambda p: _other_program(p, app_id=0x4D4F5A31, version=7),
    "no tables, its own id": lambda p: _other_program(p, tables=False, app_id=1234),
    "no tables, a version": lambda p: _other_program(p, tables=False, version=3),
    "WAL mode": _in_wal_mode,
    "a hot journal": _crashed_mid_transaction,
    "commits in its -wal": _running_in_wal_mode,
}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("kind", OTHER_PROGRAMS)
def test_another_programs_database_is_refused_and_not_even_recovered(
    tmp_path: Path, kind: str, command: str, started: list[ReaderApp]
) -> None:
    """Never migrated into; and not opened by SQLite either, which would play back a
    crashed program's journal or fold in its -wal: changing its file."""
    folder = tmp_path / "at"
    folder.mkdir()
    path = folder / "their.db"
    OTHER_PROGRAMS[kind](path)
    before = folder_state(path)
    assert_refused(run(path, command), path, "another program's SQLite database")
    assert folder_state(path) == before
    assert started == []


def test_an_id_only_in_the_write_ahead_log_is_another_programs_too(tmp_path: Path) -> None:
    """The header in the file is blank; the database so far lives in its -wal, which
    SQLite would fold into the file on closing. Refused before SQLite opens it."""
    elsewhere = tmp_path / "live.db"
    conn = sqlite3.connect(elsewhere, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    conn.execute("PRAGMA application_id = 1234")
    conn.execute("CREATE TABLE t (x)")
    path = tmp_path / "their.db"
    shutil.copy(elsewhere, path)
    shutil.copy(f"{elsewhere}-wal", f"{path}-wal")
    conn.close()
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("their")}
    with pytest.raises(LibraryError, match="another program's SQLite database"):
        open_library(path)
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("their")}
    assert after == before


# A newer reader at work on a library: its upgrade committed to the write-ahead log
# and not yet folded into the file.
NEWER_AT_WORK = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("PRAGMA wal_autocheckpoint = 0")
conn.execute("PRAGMA journal_mode = WAL")
conn.execute("BEGIN IMMEDIATE")
conn.execute("CREATE TABLE newer_things (x)")
conn.execute("PRAGMA user_version = " + sys.argv[2])
conn.execute("COMMIT")
print("ready", flush=True)
time.sleep(120)
"""


@pytest.fixture(params=["killed", "still running", "its index removed"])
def newer_in_the_log(
    request: pytest.FixtureRequest, tmp_path: Path, healthy: bytes
) -> Iterator[Path]:
    """A library whose -wal holds a newer schema version than the file's header: as
    left by a newer reader that was killed, one still running, and the first with
    its -shm removed since."""
    path = in_a_folder(tmp_path, "library.db", healthy)
    newer = subprocess.Popen(
        [sys.executable, "-c", NEWER_AT_WORK, str(path), str(SCHEMA_VERSION + 1)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert newer.stdout is not None and newer.stdout.readline() == "ready\n"
        if request.param != "still running":
            newer.kill()
            newer.wait()
        if request.param == "its index removed":
            path.with_name("library.db-shm").unlink()
        header = path.read_bytes()[:100]
        assert int.from_bytes(header[60:64], "big") < SCHEMA_VERSION + 1  # the log holds it
        yield path
    finally:
        newer.kill()
        newer.wait()


@pytest.mark.parametrize("command", COMMANDS)
def test_a_newer_schema_in_the_log_is_refused_before_anything_changes(
    newer_in_the_log: Path, command: str, started: list[ReaderApp]
) -> None:
    """It was refused only once SQLite, opening the file to write, had folded the log
    into the file and deleted the -wal and -shm."""
    path = newer_in_the_log
    before = folder_state(path)
    assert_refused(run(path, command), path, "newer version of reader")
    assert folder_state(path) == before
    assert started == []


# -- 4. read-only files and folders, with the kernel checking -----------------------


def _drop_root_overrides() -> None:
    """In the child, before it runs Python: give up the capabilities that let root
    read, write and enter anything (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER),
    so permission bits bind it as they bind anyone.

    Rather than becoming nobody: the interpreter may live where nobody cannot reach
    (here, under /root). Dropped from the bounding set, they are gone after exec."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2, 3):
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def as_a_user(*args: str | Path, script: str | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m reader ARGS`` (or ``python -c SCRIPT ARGS``) as a real process that
    permission bits bind, also when the tests run as root."""
    head = ["-c", script] if script is not None else ["-m", "reader"]
    return subprocess.run(
        [sys.executable, *head, *map(str, args)],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        stdin=subprocess.DEVNULL,
        timeout=60,
        preexec_fn=_drop_root_overrides if os.geteuid() == 0 else None,
    )


@pytest.fixture
def permission_bits(tmp_path: Path) -> None:
    """Skip where permission bits cannot be made to bind (root without CAP_SETPCAP)."""
    probe = tmp_path / "probe"
    probe.write_text("")
    probe.chmod(0o400)
    try:
        proc = as_a_user(script=f"open({str(probe)!r}, 'a')")
    except subprocess.SubprocessError:
        pytest.skip("cannot give up root's permission overrides here")
    finally:
        probe.unlink()
    if proc.returncode == 0:
        pytest.skip("permission bits do not bind here")


def assert_one_line(proc: subprocess.CompletedProcess[str], path: Path, *words: str) -> str:
    """Exit 1, no traceback, one ``Error:`` line on stderr naming ``path`` and ``words``."""
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("Error: ") and str(path) in lines[0], lines[0]
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def locked(tmp_path: Path) -> Iterator[Path]:
    """A folder for the test to take rights from; given them back at the end, so
    pytest can clear it away."""
    folder = tmp_path / "locked"
    folder.mkdir(mode=0o700)
    yield folder
    folder.chmod(0o700)
    for entry in folder.iterdir():
        entry.chmod(0o700)


# The TUI, headless, stars the first paper; what it tells the user goes to stdout.
STAR_IN_THE_TUI = """
import asyncio
from reader.cli import main
from reader.tui.app import ReaderApp

tell = ReaderApp.notify

def notify(app, message, *, title="", **options):
    print(f"{title}: {message}", flush=True)
    return tell(app, message, title=title, **options)

def run_and_star(app):
    async def drive():
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            await pilot.press("s")
            await pilot.pause()
    asyncio.run(drive())

ReaderApp.notify = notify
ReaderApp.run = run_and_star
main()
"""


def assert_read_but_not_written(db: Path, *why: str) -> None:
    """``list``, an export to a file elsewhere and the app read the library; an import
    and a star in the app fail with one line saying it is read-only, and why. No
    file beside it changes, none is made (SQLite made -wal and -shm files that
    stayed, read-only, so that every write failed once the library was writable)."""
    before = folder_state(db)
    listed = as_a_user("--db", db, "list")
    assert listed.returncode == 0, listed.stderr
    assert len(listed.stdout.splitlines()) == SAMPLE_COUNT
    # A search lists the index's words, kept in the file where it can be written.
    found = as_a_user("--db", db, "list", "diffusion")
    assert found.returncode == 0 and found.stdout, found.stderr
    exported = as_a_user("--db", db, "export", "--all", "--format", "json")
    assert exported.returncode == 0, exported.stderr
    assert len(json.loads(exported.stdout)["papers"]) == SAMPLE_COUNT
    out = db.parent.parent / "out.json"
    exported = as_a_user("--db", db, "export", "--all", "--format", "json", "-o", out)
    assert exported.returncode == 0, exported.stderr
    assert len(json.loads(out.read_text())["papers"]) == SAMPLE_COUNT

    imported = as_a_user("--db", db, "import", HF_JSON)
    assert_one_line(imported, db, "is read-only", *why)
    starred = as_a_user("--db", db, script=STAR_IN_THE_TUI)
    assert starred.returncode == 0, starred.stderr
    assert f"Star not saved: {db} is read-only" in starred.stdout
    assert folder_state(db) == before


def test_a_read_only_library_is_read_but_not_written(
    permission_bits: None, locked: Path, healthy: bytes
) -> None:
    db = locked / "library.db"
    db.write_bytes(healthy)
    db.chmod(0o400)
    assert_read_but_not_written(db, "you may not write to it")
    # An import large enough to go in chunks leaves no lock file either.
    many = _many_papers(locked.parent / "many.json", 1_500)
    assert_one_line(as_a_user("--db", db, "import", many), db, "is read-only")
    assert sorted(entry.name for entry in locked.iterdir()) == ["library.db"]


def test_a_library_made_read_only_and_writable_again_is_written(
    permission_bits: None, locked: Path, healthy: bytes
) -> None:
    """The report: ``chmod 400``, ``reader list``, ``chmod 600``, and every write
    failed with "attempt to write a readonly database" until the -shm was deleted."""
    db = locked / "library.db"
    db.write_bytes(healthy)
    db.chmod(0o400)
    assert as_a_user("--db", db, "list").returncode == 0
    db.chmod(0o600)
    imported = as_a_user("--db", db, "import", HF_JSON)
    assert imported.returncode == 0, imported.stderr
    assert papers_in(db) > SAMPLE_COUNT


# A read-only look at the library as reader did it before: SQLite's -wal and -shm
# made beside it, with its mode (0400), and left there.
OLD_READ_ONLY_LOOK = """
import sqlite3, sys
conn = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
conn.execute("SELECT count(*) FROM papers").fetchone()
conn.close()
"""


def test_a_side_file_we_may_not_write_is_named_with_what_to_do(
    permission_bits: None, locked: Path, healthy: bytes
) -> None:
    db = locked / "library.db"
    db.write_bytes(healthy)
    db.chmod(0o400)
    assert as_a_user(db, script=OLD_READ_ONLY_LOOK).returncode == 0
    shm = db.with_name("library.db-shm")
    assert stat.S_IMODE(shm.stat().st_mode) == 0o400
    db.chmod(0o600)
    # Read as it is; a write names the file and what to do about it.
    assert_read_but_not_written(
        db, f"{shm} beside it is not writable by you", "make it writable, or remove it"
    )
    # Done as it says: written.
    shm.unlink()
    imported = as_a_user("--db", db, "import", HF_JSON)
    assert imported.returncode == 0, imported.stderr
    assert papers_in(db) > SAMPLE_COUNT


def test_a_library_in_a_read_only_folder_is_read_but_not_written(
    permission_bits: None, locked: Path, healthy: bytes
) -> None:
    """SQLite cannot make its -wal and -shm files beside the library, and could not
    even read it: ``list`` said "attempt to write a readonly database"."""
    db = locked / "library.db"
    db.write_bytes(healthy)
    locked.chmod(0o500)
    assert_read_but_not_written(db, "its folder is read-only")


@pytest.mark.parametrize("command", COMMANDS)
def test_no_library_is_made_in_a_read_only_folder(
    permission_bits: None, locked: Path, command: str
) -> None:
    locked.chmod(0o500)
    db = locked / "sub" / "library.db"
    proc = as_a_user("--db", db, *COMMANDS[command])
    if command in ("import", "tui"):
        assert_one_line(proc, db, "cannot create library", "Permission denied")
    else:
        assert_one_line(proc, db, "no library at")
    assert list(locked.iterdir()) == []


@pytest.mark.parametrize("command", COMMANDS)
def test_a_folder_that_cannot_be_entered_is_one_clean_line(
    permission_bits: None, locked: Path, healthy: bytes, command: str
) -> None:
    """It was a PermissionError traceback, from the first look at the path."""
    db = locked / "library.db"
    db.write_bytes(healthy)
    locked.chmod(0o000)
    proc = as_a_user("--db", db, *COMMANDS[command])
    assert_one_line(proc, db, "cannot open library", "Permission denied")
    locked.chmod(0o700)
    assert db.read_bytes() == healthy


# -- 5. a full disk -----------------------------------------------------------------


def _many_papers(path: Path, count: int = 400) -> Path:
    """A reader JSON export of ``count`` papers with long abstracts: pages and pages."""
    papers = [
        {
            "arxiv_id": f"2501.{n:05d}",
            "title": f"Paper {n} on filling disks",
            "abstract": "word " * 400,
        }
        for n in range(1, count + 1)
    ]
    path.write_text(json.dumps({"format": "reader", "version": 1, "papers": papers}))
    return path


def test_an_import_that_fills_the_disk_changes_nothing(
    tmp_path: Path, healthy: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite's page limit set to the file's size: it cannot grow, as on a full disk."""
    db = in_a_folder(tmp_path, "library.db", healthy)
    before = folder_state(db)
    real_connect = sqlite3.connect

    # Passes on whatever the store opens with: the arguments are sqlite3.connect's own.
    def no_room_to_grow(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        conn: sqlite3.Connection = real_connect(*args, **kwargs)
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")
        return conn

    with monkeypatch.context() as patch:
        patch.setattr(sqlite3, "connect", no_room_to_grow)
        result = run(db, "import", _many_papers(tmp_path / "many.json"))
    assert_refused(result, db, "database or disk is full")
    assert folder_state(db) == before
    assert papers_in(db) == SAMPLE_COUNT


# Run as root of a mount namespace of its own: a 4 MiB tmpfs at DISK, the library
# copied onto it, the disk filled; then reader, as the user runs it. One JSON line out.
ON_A_FULL_DISK = r"""
import json, os, shutil, subprocess, sys

disk, library, many = sys.argv[1:4]
if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", disk]).returncode:
    sys.exit(77)
db = os.path.join(disk, "library.db")
# An import with a small page cache, as a large import has: SQLite spills it mid-way.
SMALL_CACHE = (
    "import reader.store.imports as i; i._IMPORT_CACHE = -64; import reader.cli as c; c.main()"
)

def fill(leave):
    with open(os.path.join(disk, "spare"), "wb") as spare:
        spare.write(b"\0" * leave)
    fd = os.open(os.path.join(disk, "filler"), os.O_WRONLY | os.O_CREAT)
    try:
        while os.write(fd, b"\0" * 4096):
            pass
    except OSError:
        pass
    os.close(fd)
    os.unlink(os.path.join(disk, "spare"))

def reader(*args, head=("-m", "reader")):
    command = [sys.executable, *head, "--db", db, *args]
    proc = subprocess.run(command, capture_output=True, text=True)
    return {"code": proc.returncode, "stderr": proc.stderr, "stdout": proc.stdout}

results = {}
for name, leave, head in (
    ("no room for the papers", 256 * 1024, ("-m", "reader")),
    ("no room, a small cache", 256 * 1024, ("-c", SMALL_CACHE)),
    ("no room to open", 0, ("-m", "reader")),
):
    shutil.copy(library, db)
    fill(leave)
    result = reader("import", many, head=head)
    with open(library, "rb") as a, open(db, "rb") as b:
        result["same"] = a.read() == b.read()
    os.unlink(os.path.join(disk, "filler"))
    result["then"] = reader("list")
    results[name] = result
    for entry in os.listdir(disk):
        os.unlink(os.path.join(disk, entry))
print(json.dumps(results))
"""


def test_a_really_full_disk_fails_with_one_line_and_changes_nothing(
    tmp_path: Path, healthy: bytes
) -> None:
    """On a real tmpfs: the import fails as a whole and says the disk is full, also when
    SQLite had to roll the transaction back itself ("cannot rollback - no transaction
    is active" hid that) and when there is no room even to open ("disk I/O error")."""
    if shutil.which("unshare") is None:
        pytest.skip("needs unshare")
    disk = tmp_path / "disk"
    disk.mkdir()
    library = tmp_path / "library.db"
    library.write_bytes(healthy)
    many = _many_papers(tmp_path / "many.json", 1000)
    proc = subprocess.run(
        [
            *("unshare", "--mount", "--map-root-user", sys.executable, "-c", ON_A_FULL_DISK),
            *(str(disk), str(library), str(many)),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if proc.returncode == 77 or proc.stderr.startswith("unshare:"):
        pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.strip()}")
    assert proc.returncode == 0, proc.stderr
    results = json.loads(proc.stdout)
    db = disk / "library.db"
    expected = {
        "no room for the papers": f"Error: {db}: database or disk is full\n",
        "no room, a small cache": f"Error: {db}: database or disk is full\n",
        "no room to open": f"Error: cannot open library {db}: database or disk is full\n",
    }
    for name, stderr in expected.items():
        result = results[name]
        assert (result["code"], result["stderr"]) == (1, stderr), name
        assert result["same"], name
        # With room again, the library is all there.
        assert result["then"]["code"] == 0, result["then"]["stderr"]
        assert len(result["then"]["stdout"].splitlines()) == SAMPLE_COUNT


# -- 6. missing folders, and a folder that is a file ---------------------------------


@pytest.mark.parametrize("command", ["import", "tui"])
def test_a_new_library_and_every_folder_made_for_it_are_private(
    tmp_path: Path, command: str, started: list[ReaderApp]
) -> None:
    """Every folder made, not only the last (the others took the umask's 0755)."""
    db = tmp_path / "a" / "b" / "c" / "library.db"
    result = run(db, command)
    assert result.exit_code == 0, result.output
    for folder in (tmp_path / "a", tmp_path / "a" / "b", db.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    assert papers_in(db) == SAMPLE_COUNT


@pytest.mark.parametrize("command", ["export", "list"])
def test_reading_a_library_in_a_missing_folder_makes_nothing(tmp_path: Path, command: str) -> None:
    db = tmp_path / "a" / "library.db"
    assert_refused(run(db, command), db, "no library at")
    assert not (tmp_path / "a").exists()


@pytest.mark.parametrize("command", COMMANDS)
def test_a_library_whose_folder_is_a_file(
    tmp_path: Path, command: str, started: list[ReaderApp]
) -> None:
    """It said "File exists" of a folder that was not there."""
    afile = in_a_folder(tmp_path, "papers", b"keep me")
    before = folder_state(afile)
    db = afile / "library.db"
    if command in ("import", "tui"):
        assert_refused(run(db, command), db, "cannot create library", "Not a directory")
    else:
        assert_refused(run(db, command), db, "no library at")
    assert folder_state(afile) == before
    assert started == []


# -- 7. exports are private ---------------------------------------------------------


@pytest.mark.parametrize("fmt", ["markdown", "json", "jsonl", "csv", "bibtex", "obsidian"])
def test_an_export_is_readable_by_its_owner_only(tmp_path: Path, healthy: bytes, fmt: str) -> None:
    db = in_a_folder(tmp_path, "library.db", healthy)
    out = tmp_path / f"export.{fmt}"
    result = run(db, "export", "--format", fmt, "-o", out)
    assert result.exit_code == 0, result.output
    files = sorted(out.iterdir()) if fmt == "obsidian" else [out]
    assert len(files) == (SAMPLE_COUNT if fmt == "obsidian" else 1)
    for file in files:
        assert stat.S_IMODE(file.stat().st_mode) == 0o600, file
