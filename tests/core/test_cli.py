"""The command line as a user runs it: help, import, export, and clean errors.

Most tests drive ``reader.cli.main`` through click's runner; the "no traceback reaches
the user" checks run the real ``python -m reader`` process. No test opens the TUI.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from reader import __version__
from reader.cli import main
from reader.cli import run_app as REAL_RUN_APP
from reader.store import open_library
from tests.support.data import README, SAMPLE_PAGE
from tests.support.processes import assert_one_clean_error, run_process
from tests.support.store import stored_id

SAMPLE_COUNT = 39
TEXT_NOT_A_PAGE = "Dear diary,\n\nToday I read no papers at all. It rained.\n\nMay 3\n"


def run(*args: str | Path, input: bytes | None = None) -> Result:
    """``reader ARGS`` in-process, with a subcommand (never the TUI)."""
    return CliRunner().invoke(main, [str(a) for a in args], input=input, prog_name="reader")


def count(db: Path) -> int:
    if not db.exists():
        return 0
    lib = open_library(db)
    try:
        return lib.count()
    finally:
        lib.close()


def annotate(db: Path, user: str, title_word: str, *, note: str = "", star: bool = False) -> str:
    """Star and/or note the first paper whose title has ``title_word``; its title."""
    lib = open_library(db)
    try:
        paper = next(p for p in lib.papers() if title_word in p.title)
        if star:
            lib.toggle_star(user, stored_id(paper))
        if note:
            lib.set_note(user, stored_id(paper), note)
        return paper.title
    finally:
        lib.close()


@pytest.fixture(autouse=True)
def no_tui(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail loudly, rather than hang in the terminal UI, if a test reaches the app."""

    def refuse(settings: object) -> None:
        raise AssertionError("the TUI was launched")

    monkeypatch.setattr("reader.cli.root.run_app", refuse)


@pytest.fixture
def imported_db(db_path: Path) -> Path:
    """A library file with the sample page imported through the command line."""
    assert run("--db", db_path, "import", SAMPLE_PAGE).exit_code == 0
    return db_path


# -- help, version, usage errors ------------------------------------------------


def test_help_lists_commands_and_global_options() -> None:
    result = run("--help")
    assert result.exit_code == 0
    for word in ("import", "export", "--db", "--user"):
        assert word in result.output


def test_version_prints_the_package_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert __version__ in result.output
    assert result.output.startswith("reader")


def test_unknown_option_is_a_usage_error_without_traceback() -> None:
    proc = run_process("--no-such-flag")
    assert proc.returncode == 2
    assert "No such option" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_import_without_files_is_a_usage_error(db_path: Path) -> None:
    result = run("--db", db_path, "import")
    assert result.exit_code == 2
    assert "Missing argument" in result.output
    assert count(db_path) == 0


def test_python_dash_m_reader_runs_the_cli() -> None:
    proc = run_process("--version")
    assert proc.returncode == 0
    assert proc.stdout.startswith("reader")
    assert __version__ in proc.stdout


# -- import -------------------------------------------------------------------


def test_import_sample_page_adds_every_paper(db_path: Path) -> None:
    result = run("--db", db_path, "import", SAMPLE_PAGE)
    assert result.exit_code == 0, result.output
    assert f"{SAMPLE_COUNT} papers" in result.stdout
    assert f"{SAMPLE_COUNT} added, 0 updated, 0 unchanged" in result.stdout
    assert count(db_path) == SAMPLE_COUNT


def test_importing_the_same_page_again_changes_nothing(imported_db: Path) -> None:
    result = run("--db", imported_db, "import", SAMPLE_PAGE)
    assert result.exit_code == 0, result.output
    assert f"0 added, 0 updated, {SAMPLE_COUNT} unchanged" in result.stdout
    assert count(imported_db) == SAMPLE_COUNT


def test_reimport_keeps_the_users_notes(imported_db: Path) -> None:
    annotate(imported_db, "tester", "RAM++", note="keep me", star=True)
    assert run("--db", imported_db, "import", SAMPLE_PAGE).exit_code == 0
    lib = open_library(imported_db)
    try:
        marks = list(lib.annotations("tester").values())
    finally:
        lib.close()
    assert [(m.starred, m.note) for m in marks] == [(True, "keep me")]


def test_import_from_stdin(db_path: Path) -> None:
    result = run("--db", db_path, "import", "-", input=SAMPLE_PAGE.read_bytes())
    assert result.exit_code == 0, result.output
    assert f"{SAMPLE_COUNT} added" in result.stdout
    assert count(db_path) == SAMPLE_COUNT


def test_bad_stdin_is_named_stdin(db_path: Path) -> None:
    result = run("--db", db_path, "import", "-", input=b"Daily Papers\n\xff garbage")
    assert result.exit_code == 1
    assert "<stdin>:2" in result.stderr
    assert count(db_path) == 0


def test_import_page_with_bom_and_crlf(db_path: Path, tmp_path: Path) -> None:
    page = tmp_path / "windows.txt"
    page.write_bytes(b"\xef\xbb\xbf" + SAMPLE_PAGE.read_bytes().replace(b"\n", b"\r\n"))
    result = run("--db", db_path, "import", page)
    assert result.exit_code == 0, result.output
    assert count(db_path) == SAMPLE_COUNT


def test_missing_file_is_one_line_and_writes_nothing(db_path: Path, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-page.txt"
    proc = run_process("--db", db_path, "import", missing)
    assert_one_clean_error(proc, str(missing))
    assert count(db_path) == 0


def test_directory_as_input_is_a_clean_error(db_path: Path, tmp_path: Path) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    proc = run_process("--db", db_path, "import", folder)
    assert_one_clean_error(proc, str(folder))
    assert count(db_path) == 0


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("prose.txt", TEXT_NOT_A_PAGE.encode()),
        ("settings.json", json.dumps({"theme": "dark", "papers_per_page": 3}).encode()),
        ("empty.txt", b""),
        ("blank.txt", b"\n\n   \n"),
    ],
    ids=["prose", "json", "empty", "blank"],
)
def test_file_that_is_not_a_papers_page_is_refused(
    imported_db: Path, tmp_path: Path, name: str, content: bytes
) -> None:
    bad = tmp_path / name
    bad.write_bytes(content)
    proc = run_process("--db", imported_db, "import", bad)
    assert_one_clean_error(proc, str(bad))
    assert count(imported_db) == SAMPLE_COUNT


def test_invalid_utf8_names_file_and_line(imported_db: Path, tmp_path: Path) -> None:
    bad = tmp_path / "latin1.txt"
    lines = SAMPLE_PAGE.read_bytes().splitlines(keepends=True)
    bad.write_bytes(
        b"".join(lines[:11]) + "Caf\u00e9 study\n".encode("latin-1") + b"".join(lines[11:])
    )
    proc = run_process("--db", imported_db, "import", bad)
    line = assert_one_clean_error(proc, f"{bad}:12")
    assert "UTF-8" in line
    assert count(imported_db) == SAMPLE_COUNT


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"\xef\xbb\xbfDaily Papers\n\nA title\n\xff\n", id="after-a-bom"),
        pytest.param(b"Daily Papers\r\rA title\r\xff\r", id="bare-carriage-returns"),
    ],
)
def test_invalid_utf8_line_is_counted_right(db_path: Path, tmp_path: Path, data: bytes) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(data)
    result = run("--db", db_path, "import", bad)
    assert result.exit_code == 1
    assert f"{bad}:4:" in result.stderr


def test_one_bad_file_means_no_file_is_imported(db_path: Path, tmp_path: Path) -> None:
    bad = tmp_path / "second.txt"
    bad.write_text(TEXT_NOT_A_PAGE, encoding="utf-8")
    proc = run_process("--db", db_path, "import", SAMPLE_PAGE, bad)
    assert_one_clean_error(proc, str(bad))
    assert proc.stdout == ""
    assert count(db_path) == 0


def test_one_missing_file_means_no_file_is_imported(db_path: Path, tmp_path: Path) -> None:
    result = run("--db", db_path, "import", SAMPLE_PAGE, tmp_path / "gone.txt")
    assert result.exit_code == 1
    assert "gone.txt" in result.stderr
    assert count(db_path) == 0


# -- the library file ---------------------------------------------------------


def test_db_that_is_not_sqlite_is_left_untouched(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_bytes(b"my precious notes\nline two\n")
    proc = run_process("--db", notes, "import", SAMPLE_PAGE)
    line = assert_one_clean_error(proc, str(notes))
    assert "not a reader library" in line
    assert notes.read_bytes() == b"my precious notes\nline two\n"


def test_export_refuses_a_db_that_is_not_sqlite(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_bytes(b"not a database")
    proc = run_process("--db", notes, "export")
    assert_one_clean_error(proc, str(notes))
    assert notes.read_bytes() == b"not a database"


def test_db_of_another_program_is_left_untouched(tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE things (x)")
    conn.commit()
    conn.close()
    before = other.read_bytes()
    proc = run_process("--db", other, "import", SAMPLE_PAGE)
    line = assert_one_clean_error(proc, str(other))
    assert "another program" in line
    assert other.read_bytes() == before


def test_db_that_is_a_directory_is_a_clean_error(tmp_path: Path) -> None:
    folder = tmp_path / "a-folder"
    folder.mkdir()
    proc = run_process("--db", folder, "import", SAMPLE_PAGE)
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert str(folder) in proc.stderr or "a-folder" in proc.stderr
    assert list(folder.iterdir()) == []


def test_reader_db_env_that_is_a_directory_is_a_clean_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "env-folder"
    folder.mkdir()
    monkeypatch.setenv("READER_DB", str(folder))
    proc = run_process("import", SAMPLE_PAGE)
    assert_one_clean_error(proc, str(folder))


def test_reader_db_env_is_used_without_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env_db = tmp_path / "from-env" / "library.db"
    monkeypatch.setenv("READER_DB", str(env_db))
    result = run("import", SAMPLE_PAGE)
    assert result.exit_code == 0, result.output
    assert count(env_db) == SAMPLE_COUNT


def test_db_option_wins_over_reader_db_env(tmp_path: Path, db_path: Path) -> None:
    result = run("--db", db_path, "import", SAMPLE_PAGE)
    assert result.exit_code == 0
    assert count(db_path) == SAMPLE_COUNT
    assert not (tmp_path / "env-library.db").exists()  # the conftest's READER_DB


# -- export -------------------------------------------------------------------


def test_export_to_stdout_has_annotated_papers_only(imported_db: Path) -> None:
    annotate(imported_db, "tester", "RAM++", note="Worth a second read.")
    annotate(imported_db, "tester", "Pre-training under infinite compute", star=True)
    result = run("--db", imported_db, "--user", "tester", "export")
    assert result.exit_code == 0, result.output
    assert "Robust Representation Learning via Adaptive Mask" in result.stdout
    assert "Worth a second read." in result.stdout
    assert "Pre-training under infinite compute" in result.stdout
    assert "Compressing Features for Learning with Noisy Labels" not in result.stdout
    assert "Adversarial Style Augmentation for Domain Generalization" not in result.stdout


def test_export_is_per_user(imported_db: Path) -> None:
    annotate(imported_db, "alice", "RAM++", note="Alice's secret note")
    alice = run("--db", imported_db, "--user", "alice", "export")
    bob = run("--db", imported_db, "--user", "bob", "export")
    assert alice.exit_code == 0
    assert "Alice's secret note" in alice.stdout
    assert bob.exit_code == 1 and bob.stdout == ""  # bob has nothing: it says so
    assert "Alice's secret note" not in bob.stderr
    assert "Robust Representation" not in bob.stderr


def test_export_uses_reader_user_env_without_user(
    imported_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    annotate(imported_db, "carol", "RAM++", note="Carol was here")
    monkeypatch.setenv("READER_USER", "carol")
    assert "Carol was here" in run("--db", imported_db, "export").stdout
    monkeypatch.setenv("READER_USER", "dave")
    assert "Carol was here" not in run("--db", imported_db, "export").stdout


def test_export_to_file_and_refuse_to_overwrite(imported_db: Path, tmp_path: Path) -> None:
    annotate(imported_db, "tester", "RAM++", note="First note")
    out = tmp_path / "notes.md"
    first = run("--db", imported_db, "export", "-o", out)
    assert first.exit_code == 0, first.output
    assert first.stdout == ""
    written = out.read_bytes()
    assert b"First note" in written

    annotate(imported_db, "tester", "RAM++", note="Second note")
    second = run_process("--db", imported_db, "export", "-o", out)
    line = assert_one_clean_error(second, str(out))
    assert "--force" in line
    assert out.read_bytes() == written

    forced = run("--db", imported_db, "export", "-o", out, "--force")
    assert forced.exit_code == 0, forced.output
    text = out.read_text(encoding="utf-8")
    assert "Second note" in text and "First note" not in text


def test_export_into_missing_folder_is_a_clean_error(imported_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "no-such-dir" / "notes.md"
    proc = run_process("--db", imported_db, "export", "-o", out)
    assert_one_clean_error(proc, str(out))
    assert not out.parent.exists()


def test_export_with_nothing_annotated_says_so(imported_db: Path) -> None:
    result = run("--db", imported_db, "export")
    assert result.exit_code == 1  # why: see export_command; more in tests/test_export_cli.py
    assert result.stdout == "" and result.stderr.startswith("Nothing to export: ")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_export_to_a_full_disk_is_a_clean_error(imported_db: Path) -> None:
    annotate(imported_db, "tester", "RAM++", note="A note")
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [sys.executable, "-m", "reader", "--db", str(imported_db), "export"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    assert_one_clean_error(proc, "standard output")


def test_export_never_overwrites_the_library_itself(imported_db: Path) -> None:
    annotate(imported_db, "tester", "RAM++", note="Precious")
    before = imported_db.read_bytes()
    for target in (imported_db, Path(f"{imported_db}-wal")):
        proc = run_process("--db", imported_db, "export", "-o", target, "--force")
        line = assert_one_clean_error(proc, str(target))
        assert "library itself" in line
    assert imported_db.read_bytes() == before
    assert count(imported_db) == SAMPLE_COUNT


def test_export_from_a_mistyped_db_creates_nothing(tmp_path: Path) -> None:
    typo = tmp_path / "libary.db"
    proc = run_process("--db", typo, "export")
    line = assert_one_clean_error(proc, str(typo))
    assert "no library at" in line
    assert not typo.exists()


def test_a_damaged_library_is_one_clean_error(imported_db: Path) -> None:
    from tests.support.store import corrupt

    with sqlite3.connect(imported_db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    corrupt(imported_db)
    proc = run_process("--db", imported_db, "export")
    line = assert_one_clean_error(proc, str(imported_db))
    assert "malformed" in line


def test_when_the_app_stops_on_a_library_error_the_cli_says_why(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reader.tui.app import ReaderApp

    def stop_at_once(app: ReaderApp) -> None:
        app.failure = f"cannot read library {db_path}: database disk image is malformed"
        app._return_code = 1

    monkeypatch.setattr(ReaderApp, "run", stop_at_once)
    monkeypatch.setattr("reader.cli.root.run_app", REAL_RUN_APP)
    result = run("--db", db_path)
    assert result.exit_code == 1
    assert (
        result.output == f"Error: cannot read library {db_path}: database disk image is malformed\n"
    )


def test_a_bad_config_file_is_one_clean_error_naming_the_key(
    db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('read_delay = "soon"\n', encoding="utf-8")
    monkeypatch.setenv("READER_CONFIG", str(config))
    monkeypatch.setattr("reader.cli.root.run_app", REAL_RUN_APP)
    result = run("--db", db_path)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {config}: read_delay: ")
    assert len(result.stderr.splitlines()) == 1


def test_help_names_the_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    proc = run_process("--help")
    assert "Config file" in proc.stdout
    assert "config.toml" in proc.stdout


def test_import_says_each_step_of_a_long_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import reader.cli.files

    steps: list[str] = []
    monkeypatch.setattr(reader.cli.files, "steps", lambda: steps.append)
    db = tmp_path / "library.db"
    assert run("--db", db, "import", SAMPLE_PAGE).exit_code == 0
    count = open_library(db).count()
    assert steps == [
        f"reading {SAMPLE_PAGE}",
        f"parsing {SAMPLE_PAGE}",
        f"matching {count} papers with the library",
        f"writing {count} new papers",
        f"indexing the words of {count} new papers",
    ]


def test_steps_go_to_a_terminal_with_the_time_so_far(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from reader.cli.common import steps

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    steps()("parsing big.json")
    assert terminal.getvalue().endswith("s] parsing big.json…\n")
    pipe = io.StringIO()
    monkeypatch.setattr(sys, "stderr", pipe)  # a pipe: nothing
    steps()("parsing big.json")
    assert pipe.getvalue() == ""


@pytest.mark.parametrize("where", ["--db", "READER_DB"])
def test_a_library_path_naming_an_unknown_user_is_one_clean_error(
    where: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = "~nosuchuser-reader/library.db"
    if where == "--db":
        proc = run("--db", path, "list")
    else:
        monkeypatch.setenv("READER_DB", path)
        proc = run("list")
    assert proc.exit_code == 1
    assert proc.output.strip() == (f"Error: {where}: {path}: no such user as ~nosuchuser-reader")


@pytest.mark.parametrize("name", ["eve\x1b]0;pwned\x07", "a\u202eb", "   "])
def test_a_user_name_with_controls_or_nothing_in_it_is_refused(name: str) -> None:
    proc = run("--user", name, "list")
    assert proc.exit_code == 2
    last = proc.output.strip().splitlines()[-1]
    assert last.startswith("Error: --user: a user name cannot")
    assert "\x1b" not in proc.output and "\u202e" not in proc.output


@pytest.mark.parametrize(("path", "kind"), [("/dev/zero", "a device"), ("socket", "a socket")])
def test_import_refuses_a_device_or_a_socket_before_reading_it(
    tmp_path: Path, path: str, kind: str
) -> None:
    """`reader import /dev/zero` read 6.7 GB before it failed."""
    import socket

    target = Path(path)
    listener = None
    if path == "socket":
        target = tmp_path / "sock"
        listener = socket.socket(socket.AF_UNIX)
        listener.bind(str(target))
    try:
        proc = run("import", target)
    finally:
        if listener is not None:
            listener.close()
    assert proc.exit_code == 1
    assert proc.output.strip() == f"Error: {target}: is {kind}, not a file"


def test_import_from_a_pipe_stops_at_the_size_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    import click

    from reader.cli.files import _read_bounded

    with pytest.raises(click.ClickException, match=r"^-: more than .* GB; reader imports files"):
        _read_bounded("-", io.BytesIO(b"x" * 1001), 1000)
    assert _read_bounded("-", io.BytesIO(b"x" * 1000), 1000) == b"x" * 1000


def test_a_bug_in_a_command_is_one_line_and_the_traceback_only_on_request(
    monkeypatch: pytest.MonkeyPatch, imported_db: Path
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("on purpose")

    monkeypatch.setattr("reader.search.direct.DirectSearch.search", broken)
    proc = run("--db", imported_db, "list")
    assert proc.exit_code == 1
    assert proc.output == (
        "Error: unexpected RuntimeError: on purpose "
        "(a bug in reader; run again with READER_DEBUG=1 to see where)\n"
    )
    monkeypatch.setenv("READER_DEBUG", "1")
    proc = run("--db", imported_db, "list")
    assert isinstance(proc.exception, RuntimeError)


def test_list_json_carries_the_note(imported_db: Path) -> None:
    """--json had the star, read state and tags but not the note."""
    title = annotate(imported_db, "tester", "Grokking", note="why it generalises", star=True)
    proc = run("--db", imported_db, "list", "--json", "grokking")
    assert proc.exit_code == 0
    items = json.loads(proc.output)
    found = [item for item in items if item["title"] == title]
    assert found and found[0]["note"] == "why it generalises" and found[0]["starred"]
    assert all(item["note"] == "" for item in items if item["title"] != title)


def test_the_readme_says_where_the_wide_layout_starts() -> None:
    from reader.tui.screens.library import WIDE

    readme = (README).read_text(encoding="utf-8")
    assert f"from\\n{WIDE} columns" in readme.replace("from {WIDE}", "") or (
        f"{WIDE} columns the list adds" in readme
    )


def test_a_key_given_to_two_actions_is_one_clean_error(
    db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[keys]\n"library.star" = "?"\n', encoding="utf-8")
    monkeypatch.setenv("READER_CONFIG", str(config))
    from reader.tui.app import ReaderApp

    started: list[ReaderApp] = []

    def run_app(app: ReaderApp) -> None:  # were it started half-configured, it stops at once
        started.append(app)

    monkeypatch.setattr(ReaderApp, "run", run_app)
    monkeypatch.setattr("reader.cli.root.run_app", REAL_RUN_APP)
    result = run("--db", db_path)
    assert started == []
    assert result.exit_code == 1
    assert result.stderr == (
        f'Error: {config}: keys."library.star": "?" is library.help\'s default key; one key '
        "runs one action, give one of them another key\n"
    )


def test_every_screens_keys_may_be_remapped(
    db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The note editor's and the filter bar's keys too (once "unknown binding id"), and
    library.mark, the older id of library.select."""
    config = tmp_path / "config.toml"
    config.write_text(
        '[keys]\n"note.save" = "ctrl+w"\n"filter.done" = "ctrl+j"\n"library.mark" = "m"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("READER_CONFIG", str(config))
    from reader.tui.app import ReaderApp

    started: list[ReaderApp] = []

    def run_app(app: ReaderApp) -> None:
        started.append(app)

    monkeypatch.setattr(ReaderApp, "run", run_app)
    monkeypatch.setattr("reader.cli.root.run_app", REAL_RUN_APP)
    result = run("--db", db_path)
    assert result.exit_code == 0, result.stderr
    assert [app.config.keymap for app in started] == [
        {"note.save": "ctrl+w", "filter.done": "ctrl+j", "library.select": "m"}
    ]


def test_the_default_keys_give_each_key_one_action() -> None:
    from reader.keymap import key_name, remappable

    bindings = remappable()
    for ids in bindings.together:
        defaults = [bindings.defaults[binding_id] for binding_id in ids]
        keys = [key_name(key) for keys in defaults for key in keys.split(",")]
        assert len(keys) == len(set(keys))
