"""The CSV export: parses back with the csv module, formula cells neutralised."""

from __future__ import annotations

import codecs
import csv
import io
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from reader.cli import main
from reader.export.csv_export import COLUMNS, LIST_SEPARATOR, render_csv, safe_cell
from reader.export.run import export
from reader.models import Annotation, Paper
from reader.text import strip_controls

NOW = datetime(2025, 1, 31, 12, tzinfo=UTC)
NOTE = (
    'Line one, with "quotes" and a comma — naïve 🚀\n'
    "\n"
    "---\n"
    "Set {a, b} C:\\path\\to \\\\ }{\r\n"
    "last line"
)


def rows(text: str) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    assert tuple(reader.fieldnames or ()) == COLUMNS
    return list(reader)


def test_every_value_comes_back() -> None:
    paper = Paper(
        title='Attention, "Please": a\nstudy',
        arxiv_id="1706.03762",
        authors=("Vaswani, Ashish", "Noam Shazeer"),
        published="2017-06-12",
        updated="2023-08-02",
        featured="2017-06-13",
        upvotes=100,
        github_url="https://github.com/o/r",
        doi="10.48550/arXiv.1706.03762",
        id=1,
    )
    mark = Annotation(1, starred=True, note=NOTE, read_at="2025-01-02T00:00:00Z", tags=("a", "b"))
    (row,) = rows(render_csv([(paper, mark)]))
    assert row == {
        "arxiv_id": "1706.03762",
        "title": 'Attention, "Please": a\nstudy',
        "authors": "Vaswani, Ashish; Noam Shazeer",
        "published": "2017-06-12",
        "updated": "2023-08-02",
        "featured": "2017-06-13",
        "upvotes": "100",
        "starred": "true",
        "read": "true",
        "tags": "a; b",
        "note": NOTE.replace("\r", ""),  # a lone CR is a control; CRLF becomes LF
        "abs_url": "https://arxiv.org/abs/1706.03762",
        "pdf_url": "https://arxiv.org/pdf/1706.03762",
        "github_url": "https://github.com/o/r",
        "doi": "10.48550/arXiv.1706.03762",
    }


def test_unknowns_are_empty_and_numbers_are_bare() -> None:
    paper = Paper(title="Local", upvotes=0, github_url="javascript:alert(1)", id=1)
    text = render_csv([(paper, Annotation(1))])
    assert text.splitlines()[1] == '"","Local","","","","",0,"false","false","","","","","",""'
    (row,) = rows(text)
    assert row["upvotes"] == "0" and row["github_url"] == ""


def test_one_row_per_paper_in_order() -> None:
    papers = [Paper(title=t, id=i) for i, t in enumerate(["B", "A", "C"], start=1)]
    text = render_csv([(p, Annotation(p.id or 0)) for p in papers])
    assert [row["title"] for row in rows(text)] == ["B", "A", "C"]
    assert render_csv([]) == ",".join(f'"{column}"' for column in COLUMNS) + "\r\n"


@pytest.mark.parametrize(
    "value", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "=1,\n2"]
)
def test_formula_cells_are_neutralised(value: str) -> None:
    paper = Paper(title=value, authors=(value,), id=1)
    (row,) = rows(render_csv([(paper, Annotation(1, note=value, tags=(value,)))]))
    for column in ("title", "authors", "note", "tags"):
        assert row[column] == "'" + value
    assert safe_cell(value) == "'" + value


# The first way of finding a formula character after a separator, tried at every
# position: the faster one must quote exactly the same cells the same way.
_BEHIND_A_SEPARATOR = re.compile(r"(?<=[,;\t])([^\S\t]*)(?=[=+\-@])")


@given(st.text(alphabet=",;\t =+-@a'\n\u00a0\u3000\x1b"))
def test_cells_are_quoted_as_by_the_first_pattern(value: str) -> None:
    text = _BEHIND_A_SEPARATOR.sub(r"\1'", strip_controls(value))
    expected = "'" + text if re.match(r"\s*[=+\-@]|\t", text) else text
    assert safe_cell(value) == expected


def test_harmless_cells_are_untouched() -> None:
    for value in ("a=b", "x - y", "'quoted", "1e5", "a;b, c\td", "a,b=c", ""):
        assert safe_cell(value) == value
    assert safe_cell(None) == ""


def cells_as_split_by(text: str, delimiter: str) -> list[str]:
    """Every cell as a spreadsheet splitting at ``delimiter`` would see it."""
    return [cell for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
            for cell in row]  # fmt: skip


@pytest.mark.parametrize(
    "value",
    [
        "10.1/x;=cmd|' /C calc'!A0",
        "a;+1+1",
        "a; -2+3",
        "a,@SUM(A1)",
        "a,  =1",
        'a\t=HYPERLINK("http://x")',
        "a;\n=1",
        "x;=1;=2,\t-3",
    ],
)
def test_no_cell_starts_a_formula_whatever_the_separator(value: str) -> None:
    paper = Paper(title=value, authors=(value,), doi=value, id=1)
    text = render_csv([(paper, Annotation(1, note=value, tags=(value,)))])
    for delimiter in (",", ";", "\t"):
        for cell in cells_as_split_by(text, delimiter):
            assert not cell.lstrip().startswith(("=", "+", "-", "@")), (delimiter, cell)
    # Nothing lost but the quotes marking text: the value reads back with them.
    (row,) = rows(text)
    assert row["title"].replace("'", "") == value.replace("'", "")


def test_every_text_cell_is_quoted() -> None:
    paper = Paper(title="a;b", upvotes=3, id=1)
    line = render_csv([(paper, Annotation(1))]).splitlines()[1]
    # A ";" inside quotes is text for a spreadsheet splitting at ";"; counts stay numbers.
    assert line == '"","a;b","","","","",3,"false","false","","","","","",""'


def test_every_list_cell_uses_one_separator() -> None:
    paper = Paper(title="T", authors=("Ada Lovelace", "Alan Turing"), id=1)
    (row,) = rows(render_csv([(paper, Annotation(1, tags=("deep-learning", "vision")))]))
    assert row["authors"] == f"Ada Lovelace{LIST_SEPARATOR}Alan Turing"
    assert row["tags"] == f"deep-learning{LIST_SEPARATOR}vision"
    assert LIST_SEPARATOR == "; "


def test_a_file_starts_with_a_bom_so_excel_reads_utf8(tmp_path: Path) -> None:
    paper = Paper(title="Naïve café — ∑", authors=("Jürgen Müller",), id=1)
    out = tmp_path / "papers.csv"
    outcome = export("csv", [(paper, Annotation(1, starred=True))], out, user="ana", now=NOW)
    assert outcome.count == 1
    data = out.read_bytes()
    assert data.startswith(codecs.BOM_UTF8) and not data.startswith(codecs.BOM_UTF8 * 2)
    # What Excel (and Python's "utf-8-sig") reads: the header's first name intact, accents right.
    (row,) = rows(data.decode("utf-8-sig"))
    assert row["title"] == "Naïve café — ∑" and row["authors"] == "Jürgen Müller"


def test_standard_output_gets_no_bom() -> None:
    paper = Paper(title="Naïve", id=1)
    outcome = export("csv", [(paper, Annotation(1, starred=True))], None, user="ana", now=NOW)
    assert outcome.text is not None and outcome.text.startswith('"arxiv_id"')
    assert render_csv([]).startswith('"arxiv_id"')


def test_import_of_a_csv_export_stays_a_clean_refusal(db_path: Path, tmp_path: Path) -> None:
    """CSV is not an import format: the BOM does not make `reader import` guess otherwise."""
    out = tmp_path / "papers.csv"
    export("csv", [(Paper(title="T", id=1), Annotation(1, starred=True))], out, user="a", now=NOW)
    result = CliRunner().invoke(main, ["--db", str(db_path), "import", str(out)])
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.output
    assert "papers.csv" in result.stderr
