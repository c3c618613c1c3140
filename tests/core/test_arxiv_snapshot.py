"""The arXiv metadata snapshot (JSON Lines), streamed, and ``--category``."""

from __future__ import annotations

import io
from pathlib import Path

from reader.models import Paper
from reader.sources import Batch, ImportedMark, only_in
from reader.sources.loader import load
from reader.sources.streaming import PaperStream, open_stream
from reader.store import open_library
from tests.support.data import DATA
from tests.support.imports import run

SNAPSHOT = DATA / "arxiv-snapshot.jsonl"


def papers_by_id(db: Path) -> dict[str | None, Paper]:
    return {paper.arxiv_id: paper for paper in open_library(db).papers()}


def test_a_snapshot_is_told_by_its_records_and_imported(db_path: Path) -> None:
    result = run("--db", db_path, "import", SNAPSHOT)
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"{SNAPSHOT}: 4 papers (arxiv-snapshot): 4 added, 0 updated, 0 unchanged, 1 skipped\n"
    )
    papers = papers_by_id(db_path)
    diphoton = papers["0704.0001"]
    # LaTeX accents decoded, from authors_parsed (last, first), first name first.
    assert diphoton.authors == ("C. Balázs", "E. L. Berger", "P. M. Nadolsky", "C. -P. Yuan")
    assert diphoton.title == (
        "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies"
    )
    assert diphoton.abstract.startswith("A fully differential calculation in perturbative")
    assert (diphoton.published, diphoton.updated, diphoton.arxiv_version) == (
        "2007-04-02",
        "2007-07-24",
        2,
    )
    assert diphoton.journal_ref == "Phys.Rev.D76:013009,2007"
    lora = papers["2106.09685"]
    assert lora.categories == ("cs.CL", "cs.AI", "cs.LG")
    assert lora.primary_category == "cs.CL"
    assert lora.github_url == "https://github.com/microsoft/LoRA"
    knots = papers["math/0309136"]
    # No authors_parsed: the names from "authors", affiliations in parentheses dropped.
    assert knots.authors == ("J. Müller", "François Dupont", "S. Mañas")
    ranking = papers["1501.00001"]
    assert ranking.doi == "10.1000/a1"


def test_category_keeps_only_the_papers_of_a_category_or_an_archive(db_path: Path) -> None:
    result = run("--db", db_path, "import", "--category", "cs.LG", SNAPSHOT)
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith(
        "2 papers (arxiv-snapshot): 2 added, 0 updated, 0 unchanged, 1 skipped; "
        "2 in other categories left out\n"
    )
    assert {p.arxiv_id for p in open_library(db_path).papers()} == {"2106.09685", "1501.00001"}
    result = run("--db", db_path, "import", "--category", "math", "--category", "hep-ph", SNAPSHOT)
    assert result.exit_code == 0, result.output
    ids = {p.arxiv_id for p in open_library(db_path).papers()}
    assert ids == {"2106.09685", "1501.00001", "math/0309136", "0704.0001"}


def test_category_filters_a_file_read_whole_too(db_path: Path) -> None:
    feed = DATA / "arxiv-query-testing.xml"
    every = load(str(feed), feed.read_bytes()).papers
    in_se = [paper for paper in every if "cs.SE" in paper.categories]
    assert 0 < len(in_se) < len(every)
    result = run("--db", db_path, "import", "--category", "cs.SE", feed)
    assert result.exit_code == 0, result.output
    assert f"; {len(every) - len(in_se)} in other categories left out" in result.stdout
    assert open_library(db_path).count() == len(in_se)


def test_a_snapshot_read_whole_gives_the_papers_of_the_stream() -> None:
    data = SNAPSHOT.read_bytes()
    stream = open_stream("s.jsonl", io.BytesIO(data))
    assert isinstance(stream, PaperStream)
    streamed = list(stream)
    batch = load("s.jsonl", data)
    assert (batch.format, batch.papers, batch.skipped) == (
        "arxiv-snapshot",
        streamed,
        stream.skipped,
    )


def test_a_bad_record_is_named_by_its_line(db_path: Path, tmp_path: Path) -> None:
    bad = tmp_path / "snapshot.jsonl"
    bad.write_bytes(SNAPSHOT.read_bytes() + b'{"id": "2401.00002", "title": \n')
    result = run("--db", db_path, "import", bad)
    assert result.exit_code == 1
    assert result.stderr == f"Error: {bad}:6: not valid JSON: Expecting value\n"
    assert open_library(db_path).count() == 0


def test_category_keeps_the_marks_of_the_papers_it_keeps() -> None:
    papers = [
        Paper("Left out", "2401.00001", categories=("hep-th",)),
        Paper("Kept", "2401.00002", categories=("cs.LG", "stat.ML")),
        Paper("Kept too", "2401.00003", categories=("cs.CV",)),
    ]
    marks = (ImportedMark(0, starred=True), ImportedMark(2, note="mine"))
    batch, left_out = only_in(Batch("reader-json", papers, 0, marks), ["cs"])
    assert (batch.papers, left_out) == (papers[1:], 1)
    assert batch.marks == (ImportedMark(1, note="mine"),)
