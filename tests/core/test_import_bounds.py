"""Oversized fields in every format a user imports or fetches: stored cut to size, and
the report line says what was cut."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

import reader.sources.bibtex as bibtex_module
from reader.limits import (
    ABSTRACT_CHARS,
    AUTHOR_CHARS,
    AUTHORS,
    ELLIPSIS,
    NOTE_CHARS,
    TAG_CHARS,
    TAGS,
    TITLE_CHARS,
)
from tests.support.imports import import_file, stored, words
from tests.support.network import MockNetwork, atom_feed


@pytest.fixture
def network() -> MockNetwork:
    return MockNetwork()


def test_hf_json_with_a_huge_title(tmp_path: Path, db_path: Path) -> None:
    title = words(1_000_000)
    item = {"paper": {"id": "2501.04519", "title": title, "summary": "Short."}}
    path = tmp_path / "hf.json"
    path.write_text(json.dumps([item, {"paper": {"id": "2501.00001", "title": "Fine"}}]))
    out = import_file(db_path, path)
    assert out == (
        f"{path}: 2 papers (hf-json): 2 added, 0 updated, 0 unchanged; 1 field cut to size "
        f"(paper 1 'word word word word word word word word…': title, {len(title):,} "
        f"characters to 1,000)\n"
    )
    papers, _ = stored(db_path)
    (big,) = [p for p in papers if p.arxiv_id == "2501.04519"]
    assert len(big.title) == TITLE_CHARS and big.title.endswith(ELLIPSIS)
    assert title.startswith(big.title.removesuffix(ELLIPSIS))


def test_hf_json_with_too_many_authors_and_a_long_name(tmp_path: Path, db_path: Path) -> None:
    names = [{"name": f"Author {i}"} for i in range(AUTHORS + 1)]
    names[3] = {"name": "N" * 5_000}
    item = {"paper": {"id": "2501.04519", "title": "Many Authors", "authors": names}}
    path = tmp_path / "hf.json"
    path.write_text(json.dumps([item]))
    out = import_file(db_path, path)
    assert out.endswith(
        "; 2 fields cut to size (first: paper 1 'Many Authors': authors, "
        f"{AUTHORS + 1:,} names to {AUTHORS:,})\n"
    )
    ((paper,), _) = stored(db_path)
    assert len(paper.authors) == AUTHORS and paper.authors[4] == "Author 4"
    assert len(paper.authors[3]) == AUTHOR_CHARS and paper.authors[3].endswith(ELLIPSIS)


def test_arxiv_feed_with_a_huge_abstract(tmp_path: Path, db_path: Path) -> None:
    # arXiv wraps its text over lines: the abstract is folded onto one, then cut.
    text = words(2_000_000)
    abstract = "\n".join(text[i : i + 80] for i in range(0, len(text), 80))
    feed = (
        '<feed xmlns="http://www.w3.org/2005/Atom"><entry>'
        "<id>http://arxiv.org/abs/2202.12139v1</id><title>Big Abstract</title>"
        f"<summary>{abstract}</summary><author><name>Ana Silva</name></author>"
        "</entry></feed>"
    )
    path = tmp_path / "feed.xml"
    path.write_text(feed)
    out = import_file(db_path, path)
    assert "; 1 field cut to size (paper 1 'Big Abstract': abstract, " in out
    assert out.endswith(" characters to 20,000)\n")
    ((paper,), _) = stored(db_path)
    assert len(paper.abstract) <= ABSTRACT_CHARS and paper.abstract.endswith(ELLIPSIS)
    assert "\n" not in paper.abstract and paper.abstract.startswith("word word")


def test_bibtex_with_a_huge_latex_title(
    tmp_path: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    decoded: list[int] = []
    decoder = bibtex_module._decoder()

    class Recording:
        def latex_to_text(self, latex: str) -> Any:
            decoded.append(len(latex))
            return decoder.latex_to_text(latex)

    monkeypatch.setattr(bibtex_module, "_decoder", Recording)
    title = r"{\'E}cole " + words(1_000_000)
    path = tmp_path / "refs.bib"
    path.write_text(f"@article{{big,\n  title = {{{title}}},\n  eprint = {{2202.12139}}\n}}\n")
    out = import_file(db_path, path)
    assert "; 1 field cut to size (paper 1 'École word word word word word word…': " in out
    assert out.endswith(" characters to 1,000)\n")
    ((paper,), _) = stored(db_path)
    assert paper.title.startswith("École word") and len(paper.title) <= TITLE_CHARS
    # The slow LaTeX decoder read only the start of the title, not the megabyte.
    assert decoded and max(decoded) <= 2 * TITLE_CHARS


def test_bibtex_with_a_huge_plain_abstract_and_author(tmp_path: Path, db_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_text(
        "@article{big,\n  title = {Plain},\n"
        f"  author = {{Silva, {words(100_000)}}},\n"
        f"  abstract = {{{words(1_000_000)}}},\n  eprint = {{2202.12139}}\n}}\n"
    )
    out = import_file(db_path, path)
    assert "; 2 fields cut to size (first: paper 1 'Plain': abstract, 999,999 characters" in out
    ((paper,), _) = stored(db_path)
    assert len(paper.abstract) <= ABSTRACT_CHARS
    assert len(paper.authors[0]) <= AUTHOR_CHARS and paper.authors[0].endswith(ELLIPSIS)


def test_hf_page_with_a_huge_title_line(tmp_path: Path, db_path: Path) -> None:
    title = words(500_000)
    page = f"Daily Papers\n\n{title}\n\nThe abstract.\n\n • 7 authors\n·\nSep 15\n"
    path = tmp_path / "page.txt"
    path.write_text(page)
    out = import_file(db_path, path)
    assert out.endswith(f": title, {len(title):,} characters to 1,000)\n")
    ((paper,), _) = stored(db_path)
    assert len(paper.title) <= TITLE_CHARS and paper.abstract == "The abstract."


def test_reader_export_with_a_huge_note_and_tags(tmp_path: Path, db_path: Path) -> None:
    note = "# Notes\n\n" + "A line of the note.\n" * 100_000
    tags = [f"tag-{i}" for i in range(TAGS + 10)] + ["t" * 5_000]
    export = {
        "format": "reader",
        "version": 1,
        "papers": [
            {"title": "Fine", "arxiv_id": "2401.00001"},
            {
                "title": "Annotated",
                "arxiv_id": "2401.00002",
                "annotations": {"starred": True, "note": note, "tags": tags},
            },
        ],
    }
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export))
    out = import_file(db_path, path)
    assert out.endswith(
        "(reader-json): 2 added, 0 updated, 0 unchanged; 1 annotation restored; "
        f"3 fields cut to size (first: paper 2 'Annotated': note, {len(note):,} characters "
        "to 1,000,000)\n"
    )
    papers, marks = stored(db_path)
    (annotated,) = [p for p in papers if p.title == "Annotated"]
    mark = marks[annotated.id or 0]
    assert mark.starred and len(mark.note) <= NOTE_CHARS and mark.note.startswith("# Notes\n\n")
    assert len(mark.tags) == TAGS and mark.tags[0] == "tag-0"
    assert all(len(tag) <= TAG_CHARS for tag in mark.tags)


def test_fetch_hf_says_what_was_cut(network: MockNetwork, db_path: Path) -> None:
    item = {"paper": {"id": "2501.04519", "title": words(5_000), "summary": "Short."}}
    network.handler = lambda request: httpx.Response(200, json=[item])
    result = network.run("--db", db_path, "fetch", "hf", "--date", "2025-01-15")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "huggingface.co: 1 paper: 1 added, 0 updated, 0 unchanged; 1 field cut to size "
        "(paper 1 'word word word word word word word word…': title, 4,999 characters to "
        "1,000)\n"
    )
    ((paper,), _) = stored(db_path)
    assert len(paper.title) <= TITLE_CHARS


def test_add_says_what_was_cut(network: MockNetwork, db_path: Path) -> None:
    feed = atom_feed("2202.12139")
    start = feed.index("<summary>") + len("<summary>")
    feed = feed[:start] + words(30_000) + " " + feed[start:]
    network.handler = lambda request: httpx.Response(200, text=feed)
    result = network.run("--db", db_path, "add", "2202.12139")
    assert result.exit_code == 0, result.output
    assert "; 1 field cut to size (paper 1 'Testing Deep Learning" in result.stdout
    assert ": abstract, " in result.stdout and " characters to 20,000)\n" in result.stdout
    ((paper,), _) = stored(db_path)
    assert len(paper.abstract) <= ABSTRACT_CHARS
