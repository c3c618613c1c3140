"""The one file writer every export goes through: what it never writes over, its
temporary files (short names, cleaned after a killed export)."""

from __future__ import annotations

import os
import socket
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from reader.export.files import ExportError, check_target, library_file, write_atomic
from reader.models import Paper
from reader.store import open_library

SQLITE_HEADER = b"SQLite format 3\x00" + bytes(84)
WAL_HEADER = bytes.fromhex("377f0682002de218") + bytes(24)
JOURNAL_HEADER = bytes.fromhex("d9d505f920a163d7") + bytes(20)


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Path]:
    """A real library file, open (so its -wal and -shm exist), and a backup beside it."""
    path = tmp_path / "library.db"
    lib = open_library(path)
    lib.import_papers([Paper("A paper", "2401.00001")])  # a write: the WAL is there
    with sqlite3.connect(path.with_name("library.db.schema3.bak")) as backup:
        backup.execute("CREATE TABLE t (x)")
    backup.close()
    yield path
    lib.close()


def listing(folder: Path) -> list[str]:
    return sorted(os.listdir(folder))


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every regular file in ``folder`` and its bytes."""
    return {
        entry.name: Path(entry.path).read_bytes()
        for entry in os.scandir(folder)
        if entry.is_file(follow_symlinks=False)
    }


# --- the library and its files ---------------------------------------------------------


def library_names(library: Path) -> dict[str, str]:
    """Names of the library's files (present or not) and what the refusal says."""
    name = library.name
    return {
        name: "that is the library itself;",
        f"{name}-wal": "that is the library itself (its write-ahead log)",
        f"{name}-shm": "that is the library itself (its shared-memory file)",
        f"{name}-journal": "that is the library itself (its rollback journal)",
        f"{name}-import.lock": "that is the library's import lock",
        f"{name}-turn.lock": "that is the library's lock for taking turns to write",
        f"{name}.schema3.bak": "that is a backup of the library",
        f"{name}.schema12.2.bak": "that is a backup of the library",
    }


@pytest.mark.parametrize("force", [False, True])
def test_never_the_library_nor_its_files_by_their_names(library: Path, force: bool) -> None:
    folder = library.parent
    assert (folder / "library.db-wal").exists()
    before = snapshot(folder)
    for name, says in library_names(library).items():
        with pytest.raises(ExportError) as refused:
            write_atomic(folder / name, "# notes\n", force=force, library=library)
        assert str(refused.value).startswith(f"{folder / name}: {says}")
    assert snapshot(folder) == before
    assert ".reader-" not in "".join(listing(folder))


def test_never_the_library_through_a_link(library: Path, tmp_path: Path) -> None:
    folder = library.parent
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    links = {
        "to-library.md": folder / "library.db",
        "to-wal.md": folder / "library.db-wal",
        "to-journal.md": folder / "library.db-journal",  # not there (yet): still refused
        "to-backup.md": folder / "library.db.schema3.bak",
    }
    for name, target in links.items():
        (elsewhere / name).symlink_to(target)
    for name in ("library.db", "library.db-wal", "library.db.schema3.bak"):
        os.link(folder / name, elsewhere / f"hard-{name}.md")
    (tmp_path / "folder-link").symlink_to(folder)
    before = snapshot(folder)
    targets = [elsewhere / name for name in sorted(os.listdir(elsewhere))]
    targets.append(tmp_path / "folder-link" / "library.db")
    says = r": that is (the library itself|a backup of the library)"
    for target in targets:
        for force in (False, True):
            with pytest.raises(ExportError, match=says):
                check_target(target, force=force, library=library)
            with pytest.raises(ExportError, match=says):
                write_atomic(target, "# notes\n", force=force, library=library)
    assert snapshot(folder) == before
    assert all((elsewhere / name).is_symlink() for name in links)


def test_the_library_named_through_a_link_protects_the_real_one(
    library: Path, tmp_path: Path
) -> None:
    alias = tmp_path / "alias.db"
    alias.symlink_to(library)
    assert library_file(library, alias) == "the library itself"
    assert library_file(Path(f"{library}-wal"), alias) is not None
    assert library_file(tmp_path / "alias.db.schema3.bak", alias) is not None
    assert library_file(tmp_path / "notes.md", alias) is None
    assert library_file(tmp_path / "library.db.schema.bak", library) is None
    assert library_file(tmp_path / "library.db-walrus", library) is None


@pytest.mark.parametrize(
    "header", [SQLITE_HEADER, WAL_HEADER, bytes.fromhex("377f0683") + bytes(28), JOURNAL_HEADER]
)
def test_never_overwrites_an_sqlite_file_whatever_its_name(tmp_path: Path, header: bytes) -> None:
    target = tmp_path / "notes.md"
    target.write_bytes(header)
    with pytest.raises(ExportError) as refused:
        write_atomic(target, "# notes\n", force=True)
    assert str(refused.value) == (
        f"{target}: is an SQLite database; an export never overwrites one"
    )
    assert target.read_bytes() == header
    assert listing(tmp_path) == ["notes.md"]


def test_an_ordinary_file_starting_like_sqlite_text_is_overwritten(tmp_path: Path) -> None:
    target = tmp_path / "notes.md"
    target.write_bytes(b"SQLite format 2 is not a database\n")
    write_atomic(target, "new\n", force=True)
    assert target.read_text() == "new\n"


# --- anything but a regular file ---------------------------------------------------------


def special_files(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    yield fifo, "a FIFO"
    link = tmp_path / "link.md"
    (tmp_path / "real.md").write_text("real")
    link.symlink_to(tmp_path / "real.md")
    yield link, "a symbolic link"
    dangling = tmp_path / "dangling.md"
    dangling.symlink_to(tmp_path / "nowhere.md")
    yield dangling, "a symbolic link"
    yield Path("/dev/null"), "a device"
    (tmp_path / "folder").mkdir()
    yield tmp_path / "folder", "a directory"


@pytest.mark.parametrize("force", [False, True])
def test_force_overwrites_regular_files_only(tmp_path: Path, force: bool) -> None:
    for path, kind in special_files(tmp_path):
        with pytest.raises(ExportError) as refused:
            # check_target only for /dev/null: a root test run must not even try.
            if path == Path("/dev/null"):
                check_target(path, force=force)
            else:
                write_atomic(path, "# notes\n", force=force)
        assert str(refused.value) == f"{path}: is {kind}, not a regular file; not overwritten"
    assert stat.S_ISFIFO((tmp_path / "fifo").lstat().st_mode)
    assert (tmp_path / "link.md").is_symlink() and (tmp_path / "real.md").read_text() == "real"
    assert (tmp_path / "dangling.md").is_symlink() and not (tmp_path / "nowhere.md").exists()
    assert Path("/dev/null").is_char_device()
    assert not [name for name in listing(tmp_path) if name.startswith(".")]


def test_a_socket_is_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "s.sock"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        with pytest.raises(ExportError, match=r"s\.sock: is a socket, not a regular file"):
            write_atomic(path, "x", force=True)
        assert stat.S_ISSOCK(path.lstat().st_mode)


def test_names_that_are_no_file_name_are_one_clean_error(tmp_path: Path) -> None:
    for name in ("a\x00b.md", "bad\ud800.md"):
        with pytest.raises(ExportError, match="not a valid file name"):
            write_atomic(tmp_path / name, "x")
    assert listing(tmp_path) == []


def test_errors_show_terminal_escapes_inertly(tmp_path: Path) -> None:
    target = tmp_path / "\x1b[31mred.md"
    target.write_text("old")
    with pytest.raises(ExportError) as refused:
        write_atomic(target, "new")
    assert "\x1b" not in str(refused.value)
    assert "\\x1b[31mred.md: file exists" in str(refused.value)


# --- temporary files -----------------------------------------------------------------------


def test_a_name_of_253_bytes_is_written(tmp_path: Path) -> None:
    target = tmp_path / ("é" * 124 + "ab.md")  # 253 bytes of UTF-8
    assert len(target.name.encode()) == 253
    write_atomic(target, "x\n")
    assert target.read_text() == "x\n"
    assert listing(tmp_path) == [target.name]


def test_a_text_written_in_pieces_lands_whole_or_not_at_all(tmp_path: Path) -> None:
    """An export reaches its file a few hundred papers at a time: all of them, or (a
    piece that cannot be written, half way) the old file as it was and no temporary
    file left."""
    path = tmp_path / "notes.json"
    write_atomic(path, iter(["one, ", "two, ", "three"]))
    assert path.read_text(encoding="utf-8") == "one, two, three"
    with pytest.raises(ExportError, match="text is not valid Unicode"):
        write_atomic(path, iter(["four, ", "bad \ud800"]), force=True)
    assert path.read_text(encoding="utf-8") == "one, two, three"
    assert listing(tmp_path) == ["notes.json"]
