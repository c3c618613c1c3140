"""What an export refuses to write over, from the command line and from the export
dialog alike: one line naming the path, nothing written, the library intact."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from textual.widgets import Checkbox, Input, Label

from reader.cli import main
from reader.store import Library, open_library
from reader.tui.app import ReaderApp
from reader.tui.dialogs.export_dialog import ExportDialog
from tests.support.data import SAMPLE_PAGE
from tests.support.pilot import burst, settle, wait_until

NOTE = "A precious note"


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], prog_name="reader")


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every regular file under ``folder`` (not through links) and its bytes."""
    found = {}
    for root, _, names in os.walk(folder):
        for name in names:
            path = Path(root, name)
            if path.is_file() and not path.is_symlink():
                found[str(path.relative_to(folder))] = path.read_bytes()
    return found


def marks(db: Path) -> tuple[int, list[tuple[bool, str]]]:
    library = open_library(db, create=False)
    try:
        notes = library.annotations("ana")
        return library.count(), sorted((m.starred, m.note) for m in notes.values())
    finally:
        library.close()


@pytest.fixture
def noted_db(db_path: Path) -> Path:
    """The sample, one paper starred with a note; a WAL beside it is made by each test."""
    assert run("--db", db_path, "import", SAMPLE_PAGE).exit_code == 0
    library = open_library(db_path)
    paper_id = library.papers()[0].id
    assert paper_id is not None
    library.toggle_star("ana", paper_id)
    library.set_note("ana", paper_id, NOTE)
    library.close()
    with sqlite3.connect(db_path.with_name("library.db.schema3.bak")) as backup:
        backup.execute("CREATE TABLE t (x)")
    backup.close()
    return db_path


def refusals(db: Path) -> dict[str, tuple[Path, str]]:
    """Targets an export must refuse (made here), and what the refusal says."""
    folder = db.parent
    elsewhere = folder / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "to-library.md").symlink_to(db)
    (elsewhere / "to-wal.md").symlink_to(f"{db}-wal")
    os.link(db, elsewhere / "hard-library.md")
    os.link(f"{db}-wal", elsewhere / "hard-wal.md")
    os.mkfifo(elsewhere / "fifo.md")
    (elsewhere / "real.md").write_text("real")
    (elsewhere / "link.md").symlink_to(elsewhere / "real.md")
    with sqlite3.connect(elsewhere / "someone-elses.md") as other:
        other.execute("CREATE TABLE t (x)")
    other.close()
    itself = "that is the library itself"
    wal = "that is the library itself (its write-ahead log)"
    return {
        "library": (db, itself),
        "wal": (Path(f"{db}-wal"), wal),
        "backup": (db.with_name("library.db.schema3.bak"), "that is a backup of the library"),
        "symlink-to-library": (elsewhere / "to-library.md", itself),
        "symlink-to-wal": (elsewhere / "to-wal.md", wal),
        "hard-link-to-library": (elsewhere / "hard-library.md", itself),
        "hard-link-to-wal": (elsewhere / "hard-wal.md", wal),
        "fifo": (elsewhere / "fifo.md", "is a FIFO, not a regular file"),
        "symlink": (elsewhere / "link.md", "is a symbolic link, not a regular file"),
        "sqlite-file": (elsewhere / "someone-elses.md", "is an SQLite database"),
    }


CASES = [
    "library",
    "wal",
    "backup",
    "symlink-to-library",
    "symlink-to-wal",
    "hard-link-to-library",
    "hard-link-to-wal",
    "fifo",
    "symlink",
    "sqlite-file",
]


def holding_the_wal(db: Path, body: Callable[[], None]) -> None:
    """Run ``body`` while another connection keeps the library's WAL in place."""
    keeper = open_library(db)
    try:
        keeper.set_note("ana", keeper.papers()[1].id or 0, "")  # a write: the WAL is there
        assert Path(f"{db}-wal").exists()
        body()
    finally:
        keeper.close()


LIBRARY_CASES = {c for c in CASES if "library" in c or "wal" in c or c == "backup"}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("fmt", ["markdown", "json", "obsidian"])
def test_the_command_line_refuses_in_one_line(noted_db: Path, case: str, fmt: str) -> None:
    before_marks = marks(noted_db)

    def check() -> None:
        target, says = refusals(noted_db)[case]
        if fmt == "obsidian" and case not in LIBRARY_CASES:
            says = "not a folder"  # it writes a folder
        before = without_shm(snapshot(noted_db.parent))
        args = ("--db", noted_db, "--user", "ana", "export", "--format", fmt, "-o", target)
        result = run(*args, "--force")
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.stderr
        lines = result.stderr.splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith("Error: ") and str(target) in lines[0]
        assert says in lines[0]
        assert result.stdout == ""
        assert without_shm(snapshot(noted_db.parent)) == before

    holding_the_wal(noted_db, check)
    assert marks(noted_db) == before_marks


def without_shm(files: dict[str, bytes]) -> dict[str, bytes]:
    """SQLite's shared-memory file changes as the library is read: left out."""
    return {name: data for name, data in files.items() if not name.endswith("-shm")}


@pytest.mark.slow
def test_as_a_real_process_too(noted_db: Path) -> None:
    from tests.support.processes import assert_one_clean_error, run_process

    before_marks = marks(noted_db)

    def check() -> None:
        targets = refusals(noted_db)
        for case in ("hard-link-to-wal", "backup", "fifo", "symlink", "sqlite-file"):
            target, says = targets[case]
            before = not_live(snapshot(noted_db.parent))
            proc = run_process("--db", noted_db, "export", "-o", target, "--force")
            assert says in assert_one_clean_error(proc, str(target))
            assert proc.stdout == ""
            assert not_live(snapshot(noted_db.parent)) == before

    holding_the_wal(noted_db, check)
    assert marks(noted_db) == before_marks


def not_live(files: dict[str, bytes]) -> dict[str, bytes]:
    """All but the library's own files (and links to them), which SQLite itself may
    write, checkpoint or remove as the library is read (checked by content instead)."""
    live = {"library.db", "library.db-wal", "library.db-shm"}
    live |= {"elsewhere/hard-library.md", "elsewhere/hard-wal.md"}
    return {name: data for name, data in files.items() if name not in live}


def test_force_still_overwrites_an_earlier_export(noted_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "notes.md"
    out.write_text("an earlier export")
    result = run("--db", noted_db, "--user", "ana", "export", "-o", out, "--force")
    assert result.exit_code == 0, result.output
    assert NOTE in out.read_text()


# --- the export dialog ------------------------------------------------------------------


async def export_from_dialog(
    app: ReaderApp, path: str, *, overwrite: bool, fmt: str = "markdown", type_it: bool = False
) -> ExportDialog:
    """Press x, give ``path`` (typed key by key with ``type_it``), tick Overwrite if
    asked, press Export: the dialog."""
    pilot = app._pilot  # type: ignore[attr-defined]
    await pilot.press("x")
    await pilot.pause()
    assert isinstance(app.screen, ExportDialog)
    dialog = app.screen
    if fmt != "markdown":
        dialog.query_one("#format").value = fmt  # type: ignore[attr-defined]
    field = dialog.query_one("#path", Input)
    if type_it:  # in one burst, as a fast typist or a paste brings it
        field.value = ""
        field.focus()
        await wait_until(pilot, lambda: app.focused is field, "the path field focused")
        burst(pilot, *path)
        await wait_until(pilot, lambda: field.value == path, f"{path!r} typed")
    else:
        field.value = path
    assert field.value == path
    if overwrite:
        await pilot.click("#force")
        assert dialog.query_one("#force", Checkbox).value
    error = dialog.query_one("#export-error", Label)
    await pilot.click("#export")
    # Written in a worker: wait until the dialog is gone or says why it stays.
    for _ in range(500):
        await pilot.pause(0.01)
        if app.screen is not dialog or error.has_class("-shown"):
            break
    await pilot.pause()
    return dialog


def error_line(dialog: ExportDialog) -> str:
    """The dialog's error line, which must be on screen."""
    label = dialog.query_one("#export-error", Label)
    assert label.display and label.region.height >= 1
    return str(label.render())


async def close_the_dialog(app: ReaderApp) -> None:
    pilot = app._pilot  # type: ignore[attr-defined]
    await pilot.press("escape")
    await wait_until(pilot, lambda: not isinstance(app.screen, ExportDialog), "the dialog closed")


async def test_the_dialog_refuses_and_says_why(library: Library) -> None:
    """Each refused path in turn, in one app: the dialog stays open, says why in one line."""
    db = library.path
    assert db is not None
    paper_id = library.papers()[0].id or 0
    library.toggle_star("ana", paper_id)
    library.set_note("ana", paper_id, NOTE)
    with sqlite3.connect(db.with_name("library.db.schema3.bak")) as backup:
        backup.execute("CREATE TABLE t (x)")
    backup.close()
    assert Path(f"{db}-wal").exists()
    refused = refusals(db)
    assert set(refused) == set(CASES)
    before = snapshot(db.parent)
    app = ReaderApp(library, "ana")  # the library fixture keeps its WAL open
    async with app.run_test(size=(120, 40)) as pilot:
        app._pilot = pilot  # type: ignore[attr-defined]
        await settle(pilot)
        for case in CASES:
            target, says = refused[case]
            typed = case == "library"  # as a user would, once
            dialog = await export_from_dialog(app, str(target), overwrite=True, type_it=typed)
            assert app.screen is dialog, f"{case}: the dialog stays open to choose another path"
            line = error_line(dialog)
            assert line.startswith(f"{target}: ") and says in line, case
            assert "\n" not in line
            await close_the_dialog(app)
    assert app.return_code in (None, 0)
    after = snapshot(db.parent)
    assert set(after) == set(before)  # nothing new, not even a temporary file
    # The app itself writes to the library (read marks): its files are checked by content.
    assert not_live(after) == not_live(before)
    assert after["library.db"].startswith(b"SQLite format 3\x00")
    assert library.annotations("ana")[paper_id].note == NOTE
    assert library.annotations("ana")[paper_id].starred
    assert library.count() > 0


async def test_the_dialog_says_why_and_then_writes_elsewhere(library: Library) -> None:
    db = library.path
    assert db is not None
    paper_id = library.papers()[0].id or 0
    library.set_note("ana", paper_id, NOTE)
    existing = db.parent / "notes.md"
    existing.write_text("an earlier export")
    app = ReaderApp(library, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        app._pilot = pilot  # type: ignore[attr-defined]
        await settle(pilot)
        dialog = await export_from_dialog(app, str(existing), overwrite=False)
        assert error_line(dialog) == (
            f"{existing} exists: tick “Overwrite the file if it exists” above to replace it, "
            "or give another path."
        )
        await pilot.click("#force")
        await pilot.click("#export")
        await pilot.pause()
        assert app.screen is not dialog
        assert any("Wrote" in str(n.message) for n in app._notifications)
    assert NOTE in existing.read_text()


OTHER_FAILURES = [
    ("~no-such-user-here/notes.md", "no such home folder"),
    ("{tmp}/missing/notes.md", "No such file or directory"),
    ("{tmp}", "is a directory, not a regular file"),
    ("{tmp}/[b]not markup[/b]/x.md", "[b]not markup[/b]/x.md: No such file or directory"),
]


async def test_other_failures_stay_in_the_dialog(library: Library) -> None:
    assert library.path is not None
    app = ReaderApp(library, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        app._pilot = pilot  # type: ignore[attr-defined]
        await settle(pilot)
        for path, says in OTHER_FAILURES:
            target = path.format(tmp=library.path.parent)
            dialog = await export_from_dialog(app, target, overwrite=True)
            assert app.screen is dialog, path
            assert says in error_line(dialog), path
            await close_the_dialog(app)


async def test_the_dialog_reports_an_obsidian_conflict_and_overwrite_resolves_it(
    library: Library, tmp_path: Path
) -> None:
    from reader.export.obsidian import write_obsidian
    from reader.export.obsidian_merge import MARKER_LINE

    paper = library.papers()[0]
    library.set_note("ana", paper.id or 0, NOTE)
    vault = tmp_path / "vault"
    mark = library.annotations("ana")[paper.id or 0]
    (path,) = write_obsidian(vault, [(paper, mark)], user="ana", exported_at="2025-01-01").paths
    text = path.read_text(encoding="utf-8")
    edited = text.replace(NOTE, "Edited in Obsidian.") + "Mine.\n"
    assert MARKER_LINE in text and edited != text
    path.write_text(edited, encoding="utf-8")
    library.set_note("ana", paper.id or 0, "Changed in reader.")
    app = ReaderApp(library, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        app._pilot = pilot  # type: ignore[attr-defined]
        await settle(pilot)
        await export_from_dialog(app, str(vault), overwrite=False, fmt="obsidian")
        assert not isinstance(app.screen, ExportDialog)
        shown = list(app._notifications)[-1]
        assert shown.severity == "warning"
        assert f"1 conflict, left as it is (changed in the file and in reader): {path.name}" in (
            shown.message
        )
        assert "--force (Overwrite)" in shown.message
        assert path.read_text(encoding="utf-8") == edited
        await export_from_dialog(app, str(vault), overwrite=True, fmt="obsidian")
        shown = list(app._notifications)[-1]
        assert shown.severity == "information" and "written over your edits" in shown.message
    final = path.read_text(encoding="utf-8")
    assert "Changed in reader." in final and "Edited in Obsidian." in final and "Mine." in final
