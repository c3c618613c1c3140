"""`reader export` in every format and scope, and the round trip through `reader import`."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

import pytest
import yaml
from bibtexparser.entrypoint import parse_string
from click.testing import CliRunner, Result

from reader.cli import main
from reader.store import open_library
from tests.support.data import SAMPLE_PAGE
from tests.support.store import ids, stored_id

NOTE = "Line one — “quoted” \\\\ back\\\\slash {braces}\n---\n- a list\n\n```\ncode\n```\n"


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], prog_name="reader")


@pytest.fixture
def marked_db(db_path: Path) -> Path:
    """The sample with ana's stars, read state, tags and notes on a few papers."""
    assert run("--db", db_path, "import", SAMPLE_PAGE).exit_code == 0
    library = open_library(db_path)
    a, b, c, d = ids(library.papers()[:4])
    library.toggle_star("ana", a)
    library.set_note("ana", a, NOTE)
    library.set_read("ana", [a, b], True)
    library.change_tags("ana", [a, c], add=["survey", "vision"])
    library.set_note("ana", d, "short = note, with a comma")
    library.set_note("ben", b, "ben's own")
    library.close()
    return db_path


def state(db: Path, user: str) -> list[tuple[Any, ...]]:
    library = open_library(db)
    try:
        marks = library.annotations(user)
        return sorted(
            (
                paper.title_key,
                replace(paper, id=None),
                marks[paper.id].starred,
                marks[paper.id].read_at,
                marks[paper.id].tags,
                marks[paper.id].note,
            )
            for paper in library.papers()
            if paper.id in marks
        )
    finally:
        library.close()


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_json_export_then_import_into_an_empty_library_restores_everything(
    fmt: str, marked_db: Path, tmp_path: Path
) -> None:
    out = tmp_path / f"export.{fmt}"
    result = run("--db", marked_db, "--user", "ana", "export", "--format", fmt, "--all", "-o", out)
    assert result.exit_code == 0, result.output
    fresh = tmp_path / "fresh.db"
    result = run("--db", fresh, "--user", "ana", "import", out)
    assert result.exit_code == 0, result.output
    assert "4 annotations restored" in result.stdout
    assert state(fresh, "ana") == state(marked_db, "ana")
    library = open_library(fresh)
    assert library.count() == 39
    library.close()
    # Importing it again changes nothing.
    again = run("--db", fresh, "--user", "ana", "import", out)
    assert "0 added, 0 updated, 39 unchanged" in again.stdout
    assert state(fresh, "ana") == state(marked_db, "ana")


def test_default_is_markdown_of_starred_and_noted_to_stdout(marked_db: Path) -> None:
    result = run("--db", marked_db, "--user", "ana", "export")
    assert result.exit_code == 0
    assert result.stdout.startswith("# ")
    assert "## survey" in result.stdout and "## Untagged" in result.stdout
    assert "short = note, with a comma" in result.stdout
    assert "ben's own" not in result.stdout


@pytest.mark.parametrize(
    ("flag", "count"), [("--starred", 1), ("--noted", 2), ("--all", 39), ("--query", 2)]
)
def test_scopes_choose_the_papers(flag: str, count: int, marked_db: Path) -> None:
    args = [flag, "tag:survey"] if flag == "--query" else [flag]
    result = run("--db", marked_db, "--user", "ana", "export", "--format", "csv", *args)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == count


def test_csv_keeps_commas_and_newlines_and_neutralises_formulas(marked_db: Path) -> None:
    library = open_library(marked_db)
    paper_id = stored_id(library.papers()[5])
    library.set_note("ana", paper_id, '=HYPERLINK("http://evil")')
    library.close()
    result = run("--db", marked_db, "--user", "ana", "export", "--format", "csv")
    rows = {row["note"] for row in csv.DictReader(io.StringIO(result.stdout))}
    assert "short = note, with a comma" in rows
    assert '\'=HYPERLINK("http://evil")' in rows
    assert any("\n---\n" in note for note in rows)


def test_bibtex_parses_back_and_takes_notes_only_when_asked(marked_db: Path) -> None:
    plain = run("--db", marked_db, "--user", "ana", "export", "--format", "bibtex")
    parsed = parse_string(plain.stdout)
    assert len(parsed.entries) == 2 and not parsed.failed_blocks
    assert "annote" not in plain.stdout and "note =" not in plain.stdout
    noted = run("--db", marked_db, "--user", "ana", "export", "--format", "bibtex", "--with-notes")
    assert len(parse_string(noted.stdout).entries) == 2
    assert "annote" in noted.stdout


def test_obsidian_writes_a_folder_and_leaves_foreign_files_alone(
    marked_db: Path, tmp_path: Path
) -> None:
    vault = tmp_path / "vault"
    vault.mkdir()
    foreign = vault / "My own thoughts.md"
    foreign.write_text("---\ntitle: mine\n---\nhands off\n", encoding="utf-8")
    result = run("--db", marked_db, "--user", "ana", "export", "--format", "obsidian", "-o", vault)
    assert result.exit_code == 0, result.output
    ours = sorted(p for p in vault.glob("*.md") if p != foreign)
    assert len(ours) == 2
    front = yaml.safe_load(ours[0].read_text(encoding="utf-8").split("---\n")[1])
    assert front["reader_id"].startswith(("arxiv:", "title:"))
    again = run("--db", marked_db, "--user", "ana", "export", "--format", "obsidian", "-o", vault)
    assert again.exit_code == 0
    assert foreign.read_text(encoding="utf-8") == "---\ntitle: mine\n---\nhands off\n"
    assert sorted(p for p in vault.glob("*.md") if p != foreign) == ours


def test_obsidian_needs_a_folder(marked_db: Path) -> None:
    result = run("--db", marked_db, "export", "--format", "obsidian")
    assert result.exit_code == 1
    assert "-o FOLDER" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("--starred", "--query", "x"),
        ("--starred", "--noted"),
        ("--query", " "),
        ("--format", "csv", "--with-notes"),
    ],
)
def test_conflicting_or_empty_choices_are_usage_errors(
    marked_db: Path, args: tuple[str, ...]
) -> None:
    result = run("--db", marked_db, "export", *args)
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_export_takes_user_too(marked_db: Path) -> None:
    result = run("--db", marked_db, "export", "--user", "ben", "--format", "csv", "--noted")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [row["note"] for row in rows] == ["ben's own"]


def test_a_bad_query_names_the_mistake(marked_db: Path) -> None:
    result = run("--db", marked_db, "export", "--query", "autor:x")
    assert result.exit_code == 1
    assert "did you mean author:" in result.stderr


def test_overwriting_needs_force(marked_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "notes.json"
    out.write_text("precious", encoding="utf-8")
    result = run("--db", marked_db, "--user", "ana", "export", "--format", "json", "-o", out)
    assert result.exit_code == 1 and "file exists" in result.stderr
    assert out.read_text(encoding="utf-8") == "precious"
    forced = run(
        "--db", marked_db, "--user", "ana", "export", "--format", "json", "-o", out, "--force"
    )  # fmt: skip
    assert forced.exit_code == 0
    assert json.loads(out.read_text(encoding="utf-8"))["format"] == "reader"


@pytest.mark.parametrize("fmt", ["json", "bibtex", "markdown"])
def test_standard_output_gets_what_a_file_gets_though_written_in_pieces(
    fmt: str, marked_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """JSON and BibTeX reach standard output a few papers at a time (here two): the
    bytes are those of the file, written whole."""
    from reader.export import bibtex, json_export

    monkeypatch.setattr(json_export, "PIECE", 2)
    monkeypatch.setattr(bibtex, "_PIECE", 2)
    monkeypatch.setattr("reader.cli.export.datetime", FixedNow)
    out = tmp_path / "export"
    args = ("--db", marked_db, "--user", "ana", "export", "--all", "--format", fmt)
    shown = run(*args)
    written = run(*args, "-o", out)
    assert shown.exit_code == 0 and written.exit_code == 0
    count = len(open_library(marked_db).papers())
    assert count > 4  # three pieces or more
    assert shown.stdout_bytes == out.read_bytes()
    if fmt == "json":
        assert len(json.loads(shown.stdout)["papers"]) == count
    if fmt == "bibtex":
        assert len(parse_string(shown.stdout).entries) == count


class FixedNow(datetime):
    """Every export at the same moment: two exports' texts compare whole."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> FixedNow:
        return cls(2026, 12, 4, 6, 0, 0, tzinfo=tz)


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_json_on_standard_output_shows_no_control_and_reads_back_exactly(
    fmt: str, db_path: Path, tmp_path: Path
) -> None:
    assert run("--db", db_path, "import", SAMPLE_PAGE).exit_code == 0
    note = "Before\x9b31m red \x85 \u202eevil\u202c \u2066x\u2069 \u200b\u200d \ufeff \u2028 end"
    library = open_library(db_path)
    library.set_note("ana", library.papers()[0].id or 0, note)
    library.close()
    result = run("--db", db_path, "--user", "ana", "export", "--format", fmt)
    assert result.exit_code == 0, result.output
    assert all(c.isprintable() or c == "\n" for c in result.stdout)
    assert "\\u009b31m red \\u0085 \\u202eevil\\u202c" in result.stdout
    saved = tmp_path / f"notes.{fmt}"
    saved.write_text(result.stdout, encoding="utf-8")
    fresh = tmp_path / "fresh.db"
    assert run("--db", fresh, "--user", "ana", "import", saved).exit_code == 0
    library = open_library(fresh)
    assert [m.note for m in library.annotations("ana").values()] == [note]
    library.close()


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (("--query", "zzz"), "no paper matches the query 'zzz'"),
        (("--query", "tag:nothing-has-this"), "no paper matches the query 'tag:nothing-has-this'"),
        ((), "ana has no starred or noted papers (star one with s in the app, or export --all)"),
        (("--starred",), "ana has no starred papers"),
        (("--noted",), "ana has no papers with a note"),
    ],
)
@pytest.mark.parametrize("fmt", ["markdown", "csv", "bibtex", "json", "obsidian"])
def test_selecting_nothing_says_so_writes_nothing_and_exits_1(
    db_path: Path, tmp_path: Path, args: tuple[str, ...], reason: str, fmt: str
) -> None:
    assert run("--db", db_path, "import", SAMPLE_PAGE).exit_code == 0
    out = tmp_path / "out"
    for target in ((), ("-o", out)) if fmt != "obsidian" else (("-o", out),):
        result = run("--db", db_path, "--user", "ana", "export", "--format", fmt, *args, *target)
        assert result.exit_code == 1
        assert result.stdout == ""
        assert result.stderr == f"Nothing to export: {reason}; nothing written.\n"
        assert not out.exists()


def test_an_empty_library_says_so_for_all(db_path: Path) -> None:
    open_library(db_path).close()
    result = run("--db", db_path, "export", "--all", "--format", "json")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == "Nothing to export: the library has no papers; nothing written.\n"


def test_selecting_nothing_leaves_an_earlier_export_alone_even_with_force(
    marked_db: Path, tmp_path: Path
) -> None:
    out = tmp_path / "weekly.bib"
    first = run("--db", marked_db, "--user", "ana", "export", "--format", "bibtex", "-o", out)
    assert first.exit_code == 0
    before = out.read_bytes()
    typo = run(
        "--db", marked_db, "--user", "ana", "export", "--format", "bibtex",
        "--query", "tag:survy", "-o", out, "--force",
    )  # fmt: skip
    assert typo.exit_code == 1 and "no paper matches" in typo.stderr
    assert out.read_bytes() == before
