"""`reader import` over every format: detected from the content, forced with --format,
merged into what the library already holds, and refused whole when malformed."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from reader.cli import main
from reader.sources import SourceError
from reader.sources.loader import detect, load
from reader.store import open_library
from tests.support.data import DATA, SAMPLE_PAGE

BIBTEX = r"""@misc{vaswani2017attention,
  title = {Attention Is All You Need},
  author = {Vaswani, Ashish and Shazeer, Noam and Parmar, Niki},
  year = {2017},
  eprint = {1706.03762},
  archivePrefix = {arXiv},
  primaryClass = {cs.CL},
}
@article{goedel1931,
  title = {{\"U}ber formal unentscheidbare S{\"a}tze},
  author = {G{\"o}del, Kurt},
  journal = {Monatshefte f{\"u}r Mathematik},
  year = {1931},
  doi = {10.1007/BF01700692},
}
"""


def run(*args: str | Path, input: bytes | None = None) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], input=input, prog_name="reader")


def titles(db: Path) -> dict[str | None, str]:
    library = open_library(db)
    try:
        return {paper.arxiv_id: paper.title for paper in library.papers()}
    finally:
        library.close()


@pytest.mark.parametrize(
    ("name", "expected_format", "papers", "skipped"),
    [
        ("hf-daily-papers.json", "hf-json", 4, 1),
        ("hf-papers-search.json", "hf-json", 2, 0),
        ("hf-paper.json", "hf-json", 1, 0),
        ("hf-wrapped.json", "hf-json", 4, 0),
        ("arxiv-query-testing.xml", "arxiv", 100, 0),
        ("reader-export.json", "reader-json", 3, 1),
        ("reader-export.jsonl", "reader-jsonl", 3, 1),
    ],
)
def test_each_format_is_told_by_its_content(
    name: str, expected_format: str, papers: int, skipped: int, db_path: Path, tmp_path: Path
) -> None:
    # Renamed to .txt: the content decides, not the extension.
    path = tmp_path / "input.txt"
    path.write_bytes((DATA / name).read_bytes())
    result = run("--db", db_path, "import", path)
    assert result.exit_code == 0, result.output
    count = "1 paper" if papers == 1 else f"{papers} papers"
    summary = f"{count} ({expected_format}): {papers} added, 0 updated, 0 unchanged"
    if skipped:
        summary += f", {skipped} skipped"
    # A reader export also restores annotations: its line goes on after the papers.
    assert result.stdout.startswith(f"{path}: {summary}")
    assert result.stdout.endswith("\n") and result.stdout.count("\n") == 1


def test_bibtex_is_detected_and_decoded(db_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_text(BIBTEX, encoding="utf-8")
    result = run("--db", db_path, "import", path)
    assert result.exit_code == 0, result.output
    assert "2 papers (bibtex): 2 added" in result.stdout
    assert titles(db_path) == {
        "1706.03762": "Attention Is All You Need",
        None: "Über formal unentscheidbare Sätze",
    }


def test_the_page_text_still_imports_and_stdin_works(db_path: Path) -> None:
    result = run("--db", db_path, "import", "-", input=SAMPLE_PAGE.read_bytes())
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("stdin: 39 papers (hf-page): 39 added")


def test_format_can_be_forced(db_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "papers.json"
    path.write_bytes((DATA / "hf-wrapped.json").read_bytes())
    forced = run("--db", db_path, "import", "--format", "reader-json", path)
    assert forced.exit_code == 1
    assert "not a reader export" in forced.stderr
    assert run("--db", db_path, "import", "--format", "hf-json", path).exit_code == 0


def test_a_page_paper_merges_with_the_same_paper_from_json(db_path: Path, tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_text(
        "Daily Papers\nbyAK and the research community\n\n"
        "Titans: Learning to Memorize at Test Time\n\n"
        "Over more than a decade there has been an extensive research effort.\n\n"
        "  • 3 authors\n·\nJan 1, 2025 7\n",
        encoding="utf-8",
    )
    assert run("--db", db_path, "import", page).exit_code == 0
    result = run("--db", db_path, "import", DATA / "hf-daily-papers.json")
    assert "3 added, 1 updated, 0 unchanged, 1 skipped" in result.stdout
    library = open_library(db_path)
    (titan,) = [p for p in library.papers() if p.title.startswith("Titans")]
    library.close()
    assert titan.arxiv_id == "2501.00663"


def test_utf16_with_a_bom_imports(db_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "utf16.json"
    path.write_bytes(codecs.BOM_UTF16_LE + (DATA / "hf-paper.json").read_text().encode("utf-16-le"))
    result = run("--db", db_path, "import", path)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("content", "where", "what"),
    [
        (b'[\n  {"title": "A"},\n  {"title": \n', ":4:", "not valid JSON"),
        (b'{"title": "A"}\n{"title": "B",\n', ":2:", "not valid JSON"),
        (b"<feed xmlns='http://www.w3.org/2005/Atom'>\n<entry>\n</feed>\n", ":3:", "XML"),
        (b"<html><body>hello</body></html>", ":1:", "not an arXiv Atom feed"),
        (b"@article{a,\n  title = {A},\n}\n@article{a,\n  title = {B},\n}\n", ":4:", "duplicate"),
        (b"[" * 100_000, "", "nested too deep"),
        (b'{"theme": "dark"}', "", "not a format reader knows"),
        (b"Just some notes\nabout nothing.\n", "", "not a format reader knows"),
        (b"", "", "empty"),
    ],
)
def test_a_malformed_file_is_located_and_changes_nothing(
    content: bytes, where: str, what: str, tmp_path: Path
) -> None:
    db = tmp_path / "library.db"
    assert run("--db", db, "import", SAMPLE_PAGE).exit_code == 0
    before = titles(db)
    bad = tmp_path / "bad.input"
    bad.write_bytes(content)
    result = run("--db", db, "import", SAMPLE_PAGE, bad)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {bad}{where}")
    assert what in result.stderr and len(result.stderr.splitlines()) == 1
    assert titles(db) == before


def test_detect_and_load_raise_only_source_errors() -> None:
    assert detect("x", "  <feed xmlns='http://www.w3.org/2005/Atom'></feed>") == "arxiv"
    assert detect("x", json.dumps([])) == "json"
    assert load("x", b"[]").papers == []
    with pytest.raises(SourceError, match="unknown format"):
        load("x", b"[]", fmt="yaml")


def test_hf_items_one_per_line_import_as_hf_json(db_path: Path, tmp_path: Path) -> None:
    items = json.loads((DATA / "hf-daily-papers.json").read_text(encoding="utf-8"))
    path = tmp_path / "daily.jsonl"
    path.write_text("\n".join(json.dumps(item) for item in items) + "\n", encoding="utf-8")
    result = run("--db", db_path, "import", path)
    assert result.exit_code == 0, result.output
    assert "4 papers (hf-json): 4 added, 0 updated, 0 unchanged, 1 skipped" in result.stdout
    assert "2501.00663" in titles(db_path)


def test_garbage_after_a_json_document_is_reported_where_it_is(
    db_path: Path, tmp_path: Path
) -> None:
    text = (DATA / "reader-export.json").read_text(encoding="utf-8")
    path = tmp_path / "trailing.json"
    path.write_text(text.rstrip() + "\noops\n", encoding="utf-8")
    result = run("--db", db_path, "import", path)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {path}:{text.rstrip().count(chr(10)) + 2}: ")


@pytest.mark.parametrize(
    ("fmt", "name", "what"),
    [
        ("bibtex", "hf-paper.json", "no BibTeX entries found"),
        ("hf-json", "reader-export.json", "a reader export, not Hugging Face JSON"),
    ],
)
def test_a_forced_format_that_does_not_fit_is_an_error(
    fmt: str, name: str, what: str, db_path: Path
) -> None:
    result = run("--db", db_path, "import", "--format", fmt, DATA / name)
    assert result.exit_code == 1
    assert what in result.stderr
