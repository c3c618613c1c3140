"""The JSON export as SQLite writes it (stored_json_pieces): byte for byte the text
of render_json over the papers read whole, whatever the file holds."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from reader.export import json_export
from reader.export.json_export import render_json, stored_json_pieces
from reader.export.run import select
from reader.models import Annotation, Paper
from reader.sources.reader_json import PAPER_KEYS
from reader.store import Library, open_library

NOW = "2025-01-31T12:00:00+00:00"
WIDE_YEAR = "\uff12\uff10\uff12\uff14"  # 2024 in full-width digits: no date
# What the papers table may hold in a column, written by something else than reader.
ODD_TEXT = st.text(
    alphabet=st.sampled_from(
        [
            '"',
            "\\",
            "/",
            "\x00",
            "\x01",
            "\t",
            "\n",
            "\x7f",
            "\x85",
            "\u200b",
            "\u2028",
            "é",
            "🚀",
            "\ufeff",
            "a",
            " ",
            "%",
            ",",
            "[",
            "]",
        ]
    ),
    max_size=8,
)
STORED_VALUE = st.one_of(
    st.none(),
    ODD_TEXT,
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False),
    st.binary(max_size=6),  # a BLOB, maybe not UTF-8
    st.sampled_from(["2024", "2024-05", "2024-05-06", "2024-5-6", "20240506", WIDE_YEAR]),
)
LIST_ITEM = st.one_of(
    ODD_TEXT, st.integers(), st.floats(), st.booleans(), st.none(), st.just(["x"]), st.just({})
)
# Plain arrays of strings (SQLite writes them), and what it leaves to Python.
PLAIN_TEXT = st.text(alphabet=st.sampled_from(["a", " ", "é", "🚀", "\x7f", "\u2028", "[", ","]))
PLAIN_LIST = st.lists(PLAIN_TEXT, max_size=4).map(
    lambda items: json.dumps(items, ensure_ascii=False)
)
ODD_LIST = st.one_of(
    st.lists(ODD_TEXT, max_size=4).map(lambda items: json.dumps(items, ensure_ascii=False)),
    st.lists(ODD_TEXT, max_size=4).map(json.dumps),  # \u escapes
    st.lists(LIST_ITEM, max_size=4).map(lambda items: json.dumps(items, ensure_ascii=False)),
    st.sampled_from(['[ "a" , "b" ]', "[ ]", '{"a": 1}', '"a"', "[", '["\\ud800"]', '[["a"]]']),
    STORED_VALUE,
)
STORED_LIST = st.one_of(PLAIN_LIST, PLAIN_LIST, PLAIN_LIST, ODD_LIST)
COLUMNS = PAPER_KEYS
LISTS = ("authors", "categories", "ai_keywords")
NOT_NULL = ("title", "abstract", *LISTS)


def stored_value(name: str) -> st.SearchStrategy[object]:
    """What the file may hold in the column ``name`` (NULL only where the schema lets it)."""
    values = STORED_LIST if name in LISTS else STORED_VALUE
    return values.filter(lambda value: value is not None) if name in NOT_NULL else values


def stored(library: Library, ids: list[int], marks: dict[int, Annotation]) -> str:
    pieces = stored_json_pieces(library, ids, marks, user="ana", exported_at=NOW)
    return b"".join(pieces).decode()


def whole(library: Library, ids: list[int], marks: dict[int, Annotation]) -> str:
    items = select(library.papers_by_id(ids), marks, scope="all")
    return render_json(items, user="ana", exported_at=NOW)


@pytest.fixture
def odd_library() -> Iterator[Library]:
    library = open_library(None)
    yield library
    library.close()


def test_the_sample_library_is_written_as_render_json_writes_it(library: Library) -> None:
    ids = library.order()
    library.toggle_star("ana", ids[0])
    library.set_note("ana", ids[0], 'a "note"\n\x1b[31m‮ with\ttabs')
    library.change_tags("ana", [ids[1]], add=["b", "a"])
    marks = library.annotations("ana")
    text = stored(library, ids, marks)
    assert text == whole(library, ids, marks)
    assert "\x1b" not in text and "\\u001b" in text and "\\u202e" in text


def test_sqlite_writes_plain_papers_and_leaves_odd_lists_to_python(odd_library: Library) -> None:
    from reader.store.rows import NOT_WRITTEN

    odd_library.import_papers([Paper(title="Plain", authors=("A", "B")), Paper(title="Odd")])
    plain, odd = sorted(odd_library.order())
    odd_library.db.execute("UPDATE papers SET categories = '[1]' WHERE id = ?", (odd,))
    template, lists = json_export._STORED_TEMPLATE, json_export._STORED_LISTS
    written = odd_library.papers_json([plain, odd], COLUMNS, template, lists)
    assert NOT_WRITTEN not in written[plain] and NOT_WRITTEN in written[odd]
    assert stored(odd_library, [plain, odd], {}) == whole(odd_library, [plain, odd], {})


def test_a_few_hundred_at_a_time_in_the_order_given(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(json_export, "PIECE", 3)
    ids = list(reversed(library.order()))
    pieces = list(stored_json_pieces(library, ids, {}, user="ana", exported_at=NOW))
    assert len(pieces) == 2 + -(-len(ids) // 3)
    assert b"".join(pieces).decode() == whole(library, ids, {})


def test_nothing_chosen_and_papers_gone_meanwhile(odd_library: Library) -> None:
    assert stored(odd_library, [], {}) == whole(odd_library, [], {})
    assert json.loads(stored(odd_library, [], {}))["papers"] == []
    odd_library.import_papers([Paper(title="Kept")])
    kept = odd_library.order()
    assert stored(odd_library, [*kept, 999], {}) == whole(odd_library, kept, {})
    assert stored(odd_library, [999], {}) == whole(odd_library, [], {})


# One of each kind of value a column may hold, in every column.
VALUES: tuple[object, ...] = (
    None,
    "",
    "plain",
    'q"uote\\back/slash',
    "\x00nul\x01\x1f\t\n\r\x08\x0c",
    "\x7f\x85\x9b",
    "\u200b\u2028\u202e\ufeff",
    "é🚀",
    "%s%%",
    0,
    -1,
    2**63 - 1,
    1.5,
    1e300,
    b"",
    b"\xff\xfe",
    b"bytes",
    "\ud800".encode("utf-8", "surrogatepass"),
    "2024",
    "2024-05",
    "2024-05-06",
    "2024-5-6",
    WIDE_YEAR,
    "2024-05-06T00:00",
    2024,
    "[]",
    "[ ]",
    '["a"]',
    '["a", "b"]',
    '[ "a" , "b" ]',
    '["", ""]',
    '["a\\"b"]',
    '["\\u0041"]',
    '["\\ud800"]',
    '["a", 1]',
    "[1]",
    "[true]",
    "[null]",
    '[["a"]]',
    '[{"a": "b"}]',
    '{"a": 1}',
    '"a"',
    "[",
    '["a",]',
    '["\x01"]',
    '["\x7f", "\u2028", "é"]',
    '["[", ",", "]"]',
    '["\\", "\\""]',
    '[","]',
    '[",", "a"]',
    "[" * 3000 + "]" * 3000,
)


@pytest.mark.parametrize("name", COLUMNS)
def test_any_value_in_any_column_is_written_as_python_writes_it(name: str) -> None:
    library = open_library(None)
    try:
        library.import_papers([Paper(title=f"Paper {n}") for n in range(len(VALUES))])
        ids = library.order()
        for n, (paper_id, value) in enumerate(zip(ids, VALUES, strict=True)):
            if value is None and name in NOT_NULL:
                continue
            if name == "arxiv_id" and value is not None:
                value = f"{n}: {value!r}"  # one paper an arXiv id
            library.db.execute(f"UPDATE papers SET {name} = ? WHERE id = ?", (value, paper_id))
        assert stored(library, ids, {}) == whole(library, ids, {})
    finally:
        library.close()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(
        st.fixed_dictionaries({name: stored_value(name) for name in COLUMNS}),
        min_size=1,
        max_size=4,
    )
)
def test_whatever_the_file_holds_the_text_is_the_same(rows: list[dict[str, object]]) -> None:
    """A damaged or foreign file: BLOBs, bytes that are not UTF-8, numbers in text
    columns, text in count columns, lists that are no plain arrays of strings."""
    library = open_library(None)
    try:
        library.import_papers([Paper(title=f"Paper {n}") for n in range(len(rows))])
        ids = library.order()
        for paper_id, row in zip(ids, rows, strict=True):
            columns = ", ".join(f"{name} = ?" for name in row)
            try:
                library.db.execute(
                    f"UPDATE papers SET {columns} WHERE id = ?", (*row.values(), paper_id)
                )
            except sqlite3.IntegrityError:
                reject()  # two rows with one arXiv id
        marks = {ids[0]: Annotation(ids[0], starred=True, note="\x9b2J", tags=("t",))}
        assert stored(library, ids, marks) == whole(library, ids, marks)
    finally:
        library.close()


def test_the_command_line_writes_it(tmp_path: Path, library: Library) -> None:
    """`reader export --all --format json` takes this way, to a file and to stdout."""
    from click.testing import CliRunner

    from reader.cli import main

    ids = library.order()
    library.set_note("ana", ids[2], "note")
    path = library.path
    assert path is not None
    out = tmp_path / "out.json"
    runner = CliRunner()
    args = ["--db", str(path), "--user", "ana", "export", "--all", "--format", "json"]
    to_file = runner.invoke(main, [*args, "-o", str(out)])
    to_stdout = runner.invoke(main, args)
    assert to_file.exit_code == 0 and to_stdout.exit_code == 0
    written = out.read_text(encoding="utf-8")
    assert written == to_stdout.stdout
    data = json.loads(written)
    assert [paper["title"] for paper in data["papers"]] == [
        paper.title for paper in library.papers_by_id(ids)
    ]
    assert data["papers"][2]["annotations"]["note"] == "note"


def test_bytes_that_are_not_utf8_in_two_fields_are_replaced_not_joined(tmp_path: Path) -> None:
    # b"\xe4" in one field and b"\x80\x80" in another: apart, neither is UTF-8;
    # side by side (the ASCII between them taken out) they would read as one character.
    library = open_library(tmp_path / "library.db")
    try:
        library.import_papers([Paper("Odd bytes", "2501.00001")])
        library._conn.execute("UPDATE papers SET url = ?, ai_summary = ?", (b"\xe4", b"\x80\x80"))
        ids = library.order()
        text = stored(library, ids, {})
        assert text == whole(library, ids, {})
        assert '"url": "\ufffd"' in text
    finally:
        library.close()
