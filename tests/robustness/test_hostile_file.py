"""A library file written by something else (shared, hostile, damaged by hand): every
read of the store gives the types the models promise, whatever a row holds, and the
commands that read it end cleanly (issue 14, items 17 and 4).

Bad or endlessly deep JSON in a list column reads as an empty list, a BLOB or text
that is not UTF-8 as text decoded with replacement, a number where text belongs as
its digits, text where a count belongs as no count, and a date or timestamp that is
not one (an escape sequence in it, say) as unknown. Tags read as tags are written.
"""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from reader.cli import main
from reader.models import Annotation, ListedPaper, NoteDraft, Paper
from reader.sample import load_sample_if_empty
from reader.store import Library, open_library
from reader.tui.app import ReaderApp
from tests.support.data import FIXED_NOW

USER = "ana"
DEEP = "[" * 100_000 + "]" * 100_000
ESCAPE = "\x1b[31m"
DATE = re.compile(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?")
STAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9:.]+(Z|[+-][0-9:]+)?)?")
CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")


# -- the file, and what is done to it -------------------------------------------------


@pytest.fixture(scope="module")
def sample_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A library holding the sample, with marks, a draft and kept term lists."""
    path = tmp_path_factory.mktemp("sample") / "library.db"
    library = open_library(path)
    load_sample_if_empty(library, now=FIXED_NOW)
    ids = [paper.id for paper in library.listing()]
    library.set_starred(USER, ids[0], True)
    library.change_tags(USER, ids[:3], add=["diffusion", "to-read"])
    library.set_read(USER, ids[:2], True)
    library.set_note(USER, ids[1], "a note")
    library.save_draft(USER, ids[2], "a draft", "")
    words = library.words()
    words.terms("title")  # kept in word_terms
    words.close()
    library.close()
    return path.read_bytes()


def tampered(path: Path, *statements: str | tuple[str, tuple[Any, ...]], loose: bool) -> None:
    """Run ``statements`` on the file through SQLite alone, as another program would.

    With ``loose``, first drop every NOT NULL and TEXT from the tables' definitions
    (a file can say anything), so NULL or a number can go where the store writes
    text (a TEXT column would store the number's digits)."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        if loose:
            (version,) = conn.execute("PRAGMA schema_version").fetchone()
            conn.execute("PRAGMA writable_schema = ON")
            conn.execute(
                "UPDATE sqlite_master SET sql = replace(replace(sql, 'NOT NULL', ''), ' TEXT', '') "
                "WHERE type = 'table' AND name IN ('papers', 'annotations', 'drafts')"
            )
            conn.execute(f"PRAGMA schema_version = {version + 1}")
            conn.execute("PRAGMA writable_schema = OFF")
            conn.close()
            conn = sqlite3.connect(path, isolation_level=None)
        for statement in statements:
            sql, params = statement if isinstance(statement, tuple) else (statement, ())
            conn.execute(sql, params)
    finally:
        conn.close()


FIRST = "(SELECT min(id) FROM papers)"
MARKED = f"user = '{USER}'"
FIRST_MARK = "(SELECT min(paper_id) FROM annotations)"

# What a file can hold where the store expects something else.
CASES: dict[str, tuple[str | tuple[str, tuple[Any, ...]], ...]] = {
    "bad JSON in authors": (f"UPDATE papers SET authors = '[\"Ana\", ' WHERE id = {FIRST}",),
    "100k-deep authors": (("UPDATE papers SET authors = ?", (DEEP,)),),
    "bad and deep JSON in the other lists": (
        "UPDATE papers SET categories = '{', ai_keywords = '[[[[1]]]]'",
        (f"UPDATE papers SET ai_keywords = ? WHERE id = {FIRST}", (DEEP,)),
    ),
    "JSON that is not an array": (
        'UPDATE papers SET authors = \'{"a": "Eve"}\', categories = \'"cs.LG"\', '
        "ai_keywords = '5'",
    ),
    "numbers and junk in a list": (
        'UPDATE papers SET authors = \'[1, 2.5, null, true, {"a": 1}, ["x"], "Ana"]\'',
    ),
    "a lone surrogate in a list": (r"""UPDATE papers SET authors = '["\ud800 Eve"]'""",),
    "a BLOB title": ("UPDATE papers SET title = x'ff41e2282e', abstract = x'00ff'",),
    "text that is not UTF-8": (
        "UPDATE papers SET title = CAST(x'41ff42' AS TEXT), github_url = CAST(x'c3' AS TEXT)",
    ),
    "an integer title": (
        "UPDATE papers SET title = 42, doi = 7",
        f"UPDATE papers SET arxiv_id = 2401.5 WHERE id = {FIRST}",
    ),
    "NULL where text belongs": ("UPDATE papers SET title = NULL, abstract = NULL",),
    "text counts": (
        "UPDATE papers SET upvotes = 'many', author_count = 'x', github_stars = x'00', "
        "num_comments = 1.5, arxiv_version = 'v2'",
    ),
    "escapes in dates": (
        f"UPDATE papers SET published = '2024-01-01{ESCAPE}', updated = '{ESCAPE}', "
        "featured = '2024-13-01x'",
        "UPDATE papers SET published = 2024 WHERE id = (SELECT max(id) FROM papers)",
    ),
    "bad and deep JSON in tags": (
        f"UPDATE annotations SET tags = '[' WHERE paper_id = {FIRST_MARK}",
        (f"UPDATE annotations SET tags = ? WHERE paper_id != {FIRST_MARK}", (DEEP,)),
    ),
    "escapes in tags": (
        f'UPDATE annotations SET tags = \'["\\u001b]52;c;eA==\\u0007x", "Big Tag", 3]\' '
        f"WHERE {MARKED}",
    ),
    "wrong types in marks": (
        f"UPDATE annotations SET starred = 'yes', note = 5, read_at = '{ESCAPE}', "
        f"updated_at = x'00', starred_at = 7 WHERE {MARKED}",
    ),
    "NULL in marks and drafts": (
        f"UPDATE annotations SET note = NULL, tags = NULL, starred = NULL WHERE {MARKED}",
        "UPDATE drafts SET text = NULL, base = x'ff', saved_at = NULL",
    ),
    "a mark of no paper id": (
        f"UPDATE annotations SET paper_id = 'abc' || paper_id WHERE {MARKED}",
        "UPDATE drafts SET paper_id = x'01' || paper_id",
    ),
    "escapes in a draft's time": (f"UPDATE drafts SET saved_at = '{ESCAPE}', text = 12",),
    "bad kept term lists": ("UPDATE word_terms SET terms = '[1, [2]'",),
    "bad meta": ("UPDATE meta SET value = x'ff'",),
}


@pytest.fixture(params=list(CASES))
def hostile(request: pytest.FixtureRequest, tmp_path: Path, sample_bytes: bytes) -> Path:
    path = tmp_path / "library.db"
    path.write_bytes(sample_bytes)
    tampered(path, *CASES[request.param], loose=True)
    return path


@pytest.fixture
def opened(hostile: Path) -> Iterator[Library]:
    library = open_library(hostile)
    yield library
    library.close()


# -- what every value must be --------------------------------------------------------


def assert_typed(value: Any, hint: str, where: str) -> None:
    """``value`` is what ``hint`` (a model's field type, as written) promises."""
    if value is None and hint.endswith("| None"):
        return
    base = hint.removesuffix(" | None")
    if base == "tuple[str, ...]":
        assert type(value) is tuple, where
        for item in value:
            assert_typed(item, "str", where)
        return
    expected = {"str": str, "int": int, "bool": bool}[base]
    assert type(value) is expected, f"{where}: {value!r} is not {base}"
    if isinstance(value, str):
        value.encode("utf-8")  # no lone surrogate: it could not be printed or saved


def assert_model(record: Any) -> None:
    """Every field of a Paper, Annotation or NoteDraft as typed; dates as dates."""
    for field in fields(record):
        value = getattr(record, field.name)
        assert_typed(value, str(field.type), f"{type(record).__name__}.{field.name}")
    if isinstance(record, Paper):
        for name in ("published", "updated", "featured"):
            value = getattr(record, name)
            assert value is None or DATE.fullmatch(value), (name, value)
    if isinstance(record, Annotation):
        for value in (record.updated_at, record.read_at):
            assert value is None or STAMP.fullmatch(value), value
        assert_tags(record.tags)
    if isinstance(record, NoteDraft):
        assert record.saved_at == "" or STAMP.fullmatch(record.saved_at)


def assert_listed(row: ListedPaper) -> None:
    hints = {"id": "int", "upvotes": "int | None", "title": "str"}
    for name in ListedPaper._fields:
        assert_typed(getattr(row, name), hints.get(name, "str | None"), f"ListedPaper.{name}")
    for value in (row.published, row.featured):
        assert value is None or DATE.fullmatch(value), value


def assert_tags(tags: tuple[str, ...]) -> None:
    for tag in tags:
        assert not CONTROLS.search(tag), repr(tag)
        assert tag == tag.lower() and " " not in tag, tag


def read_everything(library: Library) -> int:
    """Every read the store offers, each result checked; how many papers there are."""
    listed = library.listing()
    for row in listed:
        assert_listed(row)
    ids = [row.id for row in listed]
    assert sorted(library.order()) == sorted(ids)
    for row in library.listed_by_id(ids):
        assert_listed(row)
    papers = library.papers()
    assert sorted(paper.id or 0 for paper in papers) == sorted(ids)
    for paper in [*papers, *library.papers_by_id(ids), *map(library.paper, ids)]:
        assert paper is not None
        assert_model(paper)
    for paper_id, (names, count) in library.authors_of(ids).items():
        assert_typed(paper_id, "int", "authors_of id")
        assert_typed(names, "tuple[str, ...]", "authors_of names")
        assert_typed(count, "int | None", "authors_of count")
    marks = [
        *library.annotations(USER).values(),
        *library.annotations_of(USER, ids).values(),
        *library.annotations_since(USER, None)[0].values(),
        *(library.annotation(USER, paper_id) for paper_id in ids),
        *(mark for _, mark in library.annotated(USER)),
    ]
    for mark in marks:
        assert_model(mark)
    latest = library.annotations_since(USER, None)[1]
    assert latest is None or STAMP.fullmatch(latest)
    for draft in [*library.drafts(USER), *(library.draft(USER, paper_id) for paper_id in ids)]:
        if draft is not None:
            assert_model(draft)
    for when in library.activity(USER):
        for value in when:
            assert value is None or STAMP.fullmatch(value), value
    counts = library.tag_counts(USER)
    assert_tags(tuple(counts))
    assert all(type(count) is int for count in counts.values())
    for name, count in library.author_counts(ids, 10):
        assert type(name) is str and type(count) is int
    assert_typed(library.papers_version(), "str | None", "papers_version")
    read_words(library, ids)
    return len(ids)


def read_words(library: Library, ids: list[int]) -> None:
    words = library.words()
    try:
        for row in words.listing():
            assert_listed(row)
        for field in ("title", "authors"):
            assert all(type(term) is str for term in words.terms(field))
        for field in ("title", "authors", "abstract"):
            for paper_id, text in words.texts(field, ids):
                assert type(paper_id) is int and type(text) is str
            words.having(field, ["the"])
        for name, count in words.author_counts(ids, 10):
            assert type(name) is str and type(count) is int
    finally:
        words.close()


# -- the store ------------------------------------------------------------------------


def test_every_read_gives_well_typed_values(opened: Library) -> None:
    assert read_everything(opened) == 39


def test_what_each_kind_of_value_reads_as(tmp_path: Path, sample_bytes: bytes) -> None:
    """Not only well typed: the value a user would expect from what the file holds."""
    path = tmp_path / "library.db"
    path.write_bytes(sample_bytes)
    tampered(
        path,
        f"UPDATE papers SET title = x'41ff42', upvotes = 'many', author_count = 7, "
        f"authors = '[1, \"Ana\", null, 2.5]', categories = '[', doi = 10, "
        f"published = '2024-01{ESCAPE}', updated = '2023-05', featured = 2024 WHERE id = {FIRST}",
        "INSERT OR REPLACE INTO annotations "
        "(user, paper_id, starred, note, tags, read_at, created_at, updated_at) "
        f"VALUES ('{USER}', {FIRST}, 'yes', '', '[\"\\u001b[1mBig Tag\", 3]', "
        f"'2026-11-26T12:00:00+00:00{ESCAPE}', '', '')",
        loose=False,
    )
    library = open_library(path)
    try:
        first = library.papers_by_id([min(row.id for row in library.listing())])[0]
        assert first.title == "A\ufffdB"
        assert (first.upvotes, first.author_count) == (None, 7)
        assert first.authors == ("1", "Ana", "2.5")
        assert first.categories == ()
        assert first.doi == "10"
        assert (first.published, first.updated, first.featured) == (None, "2023-05", "2024")
        assert first.id is not None
        mark = library.annotation(USER, first.id)
        assert mark.tags == ("[1mbig-tag", "3")
        assert (mark.starred, mark.read_at) == (False, None)
    finally:
        library.close()


def test_an_import_over_hostile_rows_writes_them_back_well_typed(opened: Library) -> None:
    """The import matches against the rows as read: it runs, and what it updates is
    written back as the store writes (so reading it again gives the same)."""
    known = [paper for paper in opened.papers() if paper.arxiv_id][:5]
    opened.import_papers([Paper(title="A new one", arxiv_id="2501.00001"), *known])
    # A row whose id the file holds as a number is not found by its text: added again.
    assert read_everything(opened) in (40, 41)


# -- the commands and the app ---------------------------------------------------------

READING_COMMANDS: dict[str, tuple[str, ...]] = {
    "list": ("list",),
    "list --json": ("list", "--json"),
    "list a query": ("list", "model"),
    "export json": ("export", "--all", "--format", "json"),
    "export markdown": ("export", "--all", "--format", "markdown"),
    "export csv": ("export", "--all", "--format", "csv"),
    "export bibtex": ("export", "--all", "--format", "bibtex"),
    "export marked": ("export",),
}


@pytest.mark.parametrize("command", READING_COMMANDS)
def test_commands_that_read_a_hostile_file_end_cleanly(hostile: Path, command: str) -> None:
    result = CliRunner().invoke(
        main, ["--db", str(hostile), "--user", USER, *READING_COMMANDS[command]]
    )
    if command == "export marked" and result.exit_code == 1:
        # Marks too broken to select anything: said so, in one line (see export_command).
        assert result.stderr.startswith("Nothing to export: ") and result.stdout == ""
        assert result.stderr.count("\n") == 1
    else:
        assert result.exit_code == 0, (result.output, result.exception)
        assert result.exception is None
    if command == "list --json":
        assert len(json.loads(result.stdout)) == 39
    assert ESCAPE not in result.stdout


def run_app(library: Library, drive: Callable[[Any], Any]) -> ReaderApp:
    app = ReaderApp(library, USER)

    async def go() -> None:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            await app.workers.wait_for_complete()
            await drive(pilot)
            await app.workers.wait_for_complete()
            await pilot.pause()

    asyncio.run(go())
    return app


# The app reads through the same store: the kinds of value, not every case again.
APP_CASES = [
    "bad JSON in authors",
    "100k-deep authors",
    "a BLOB title",
    "NULL where text belongs",
    "escapes in dates",
    "wrong types in marks",
    "NULL in marks and drafts",
]


@pytest.mark.slow
@pytest.mark.parametrize("hostile", APP_CASES, indirect=True)
def test_the_app_browses_a_hostile_file(opened: Library) -> None:
    """It crashed (printing its locals) on a stored authors list that was not JSON."""

    async def browse(pilot: Any) -> None:
        for key in ("j", "k", "G", "g", "enter", "escape", "slash", "a", "escape"):
            await pilot.press(key)
            await pilot.pause()

    app = run_app(opened, browse)
    assert app.failure is None
    assert app.return_code in (None, 0)
