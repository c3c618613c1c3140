"""The For you ranking where a query or the command line reaches it: ``fy:`` and
``reader list --sort for-you``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from reader.cli import listing, main
from reader.search import Query, SearchIndex
from reader.search.query import FY_SCALE
from reader.store import Library, clock, open_library
from tests.support.topics import topic_papers


def test_fy_reads_a_score_from_0_to_1() -> None:
    def bounds(text: str) -> tuple[int | None, int | None] | str:
        query = Query.parse(text)
        return (query.terms[0].low, query.terms[0].high) if query.terms else query.errors[0]

    assert bounds("fy:>0.7") == (701, None)
    assert bounds("fy:>=0.7") == (700, None)
    assert bounds("fy:<.25") == (None, 249)
    assert bounds("fy:0.3..0.8") == (300, 800)
    assert bounds("fy:1") == (FY_SCALE, FY_SCALE)
    for wrong in ("fy:2", "fy:0.8..0.3", "fy:high", "fy:>", "fy:nan", "fy:-0.1"):
        assert bounds(wrong) == "fy: needs a For you score from 0 to 1, e.g. fy:>0.7", wrong
    assert Query.parse("-fy:>0.5").terms[0].negated


def test_fy_composes_with_the_other_terms(library: Library) -> None:
    ids = library.order()
    scores = {paper_id: n / len(ids) for n, paper_id in enumerate(ids)}
    index = SearchIndex(library.listing(), library.words())
    high = index.search(Query.parse("fy:>0.5"), {}, scores)
    assert sorted(high) == sorted(i for i, s in scores.items() if round(s * 1000) > 500)
    low = index.search(Query.parse("-fy:>0.5"), {}, scores)
    assert sorted(low + high) == sorted(ids)
    both = index.search(Query.parse("fy:>0.5 diffusion"), {}, scores)
    assert both and set(both) <= set(high)
    assert set(both) == set(high) & set(index.search(Query.parse("diffusion"), {}))
    # No ranking yet: nothing has a score.
    assert index.search(Query.parse("fy:>0.1"), {}) == []


@pytest.fixture
def topic_db(tmp_path: Path) -> Path:
    db = tmp_path / "topics.db"
    library = open_library(db)
    pairs = topic_papers(30)
    library.import_papers([paper for _, paper in pairs])
    vision = {paper.arxiv_id for topic, paper in pairs if topic == "vision"}
    chosen = [p.id for p in library.papers() if p.arxiv_id in vision and p.id is not None]
    library.set_starred_many("ana", chosen[:10], True)
    library.close()
    return db


def run(db: Path, *args: str) -> list[str]:
    result = CliRunner().invoke(main, ["--db", str(db), "--user", "ana", *args])
    assert result.exit_code == 0, result.output
    return result.output.splitlines()


def test_list_sorts_for_you(topic_db: Path) -> None:
    lines = run(topic_db, "list", "--sort", "for-you", "-is:starred", "--limit", "10")
    assert len(lines) == 10
    library = open_library(topic_db)
    try:
        titles = {p.arxiv_id: p for p in library.papers()}
    finally:
        library.close()
    vision = [line for line in lines if titles[line.split("\t")[0]].categories == ("cs.CV",)]
    assert len(vision) >= 8


def test_list_json_carries_the_score(topic_db: Path) -> None:
    papers = json.loads("\n".join(run(topic_db, "list", "--sort", "for-you", "--json")))
    scores = [paper["for_you"] for paper in papers]
    assert len(papers) == 90 and all(0 <= s <= 1 for s in scores)
    assert scores == sorted(scores, reverse=True)
    high = json.loads("\n".join(run(topic_db, "list", "fy:>0.5", "--json")))
    assert high and all(paper["for_you"] > 0.5 for paper in high)
    assert {p["arxiv_id"] for p in high} == {p["arxiv_id"] for p in papers if p["for_you"] > 0.5}
    # Without the ranking, no score field.
    assert "for_you" not in json.loads("\n".join(run(topic_db, "list", "--json")))[0]


def test_a_bad_sort_is_one_line(topic_db: Path) -> None:
    result = CliRunner().invoke(main, ["--db", str(topic_db), "list", "--sort", "best-for-me"])
    assert result.exit_code == 2
    assert "'best-for-me' is not one of 'best', 'for-you'" in result.output


def test_stats_measures_for_you(topic_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    figures = json.loads("\n".join(run(topic_db, "stats", "--json")))
    # Ten stars given at one moment: nothing to split, so no figure, and why.
    assert figures["starred"] == 10 and figures["papers"] == 90
    assert figures["for_you"] == {"measured": False, "stars_needed": 0}
    assert "your 10 stars came too close together" in run(topic_db, "stats")[-1]
    library = open_library(topic_db)
    try:
        starred = set(library.annotations("ana"))
        more = [p.id for p in library.papers() if p.categories == ("cs.CV",)]
        for day, paper_id in enumerate([i for i in more if i not in starred][:4], start=1):
            monkeypatch.setattr(clock, "now", lambda day=day: f"2099-01-{day:02d}T00:00:00+00:00")
            assert paper_id is not None
            library.set_starred_many("ana", [paper_id], True)
        monkeypatch.undo()
        for seconds in (5.0, 2.0):  # two decisions in triage mode, today
            library.log_decision("ana", more[0] or 0, "skip", seconds)
    finally:
        library.close()
    figures = json.loads("\n".join(run(topic_db, "stats", "--json")))
    assert figures["triage"]["median_seconds"] == 3.5
    assert sum(figures["triage"]["days"].values()) == 2 and len(figures["triage"]["days"]) == 7
    measured = figures["for_you"]
    assert measured["measured"] and (measured["trained_on"], measured["tested_on"]) == (10, 4)
    assert set(measured) >= {"for_you", "newest", "most_upvoted", "split"}
    assert measured["for_you"]["recall_at_50"] == 1.0  # 4 vision papers among 50
    text = run(topic_db, "stats")
    assert text[0] == "ana: 90 papers; 0 read, 14 starred, 0 with notes, 0 not interested"
    assert text[1] == (
        "Triage mode: 2 papers triaged in the last 7 days; a median 3.5 s a decision"
    )
    assert any(line.startswith("For you ") for line in text)
    # Another user has marked nothing.
    result = CliRunner().invoke(main, ["--db", str(topic_db), "--user", "bo", "stats"])
    assert "Not measured yet: 0 papers starred, 8 needed" in result.output


def test_followed_authors_from_the_config_come_first(tmp_path: Path) -> None:
    db = tmp_path / "cold.db"
    library = open_library(db)
    library.import_papers([paper for _, paper in topic_papers(10)])
    by_eve = {p.arxiv_id for p in library.papers() if "Eve Cell" in p.authors}
    library.close()
    config = tmp_path / "config.toml"
    config.write_text('follow = ["Eve Cell"]\n', encoding="utf-8")
    result = CliRunner().invoke(
        main,
        ["--db", str(db), "--user", "ana", "list", "--sort", "for-you"],
        env={"READER_CONFIG": str(config)},
    )
    assert result.exit_code == 0, result.output
    first = [line.split("\t")[0] for line in result.stdout.splitlines()[: len(by_eve)]]
    assert set(first) == by_eve
    # Before it has learned, it says how it ranks (on stderr: the lines stay clean).
    assert result.stderr == (
        "For you: 0 papers starred, noted or tagged; until there are 5, ranked by upvotes "
        "and recency (authors you follow first)\n"
    )
    config.write_text('follow = "Eve Cell"\n', encoding="utf-8")
    result = CliRunner().invoke(
        main, ["--db", str(db), "list", "--sort", "for-you"], env={"READER_CONFIG": str(config)}
    )
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {config}: follow: must be a list of author names")


def test_the_first_count_is_said_then_kept(topic_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(listing, "SAY_COUNTING", 50)
    first = CliRunner().invoke(
        main, ["--db", str(topic_db), "--user", "ana", "list", "--sort", "for-you"]
    )
    assert first.exit_code == 0
    assert "For you: counting the words of 90 papers (once: they are kept)…" in first.stderr
    again = CliRunner().invoke(
        main, ["--db", str(topic_db), "--user", "ana", "list", "--sort", "for-you"]
    )
    assert again.stderr == "" and again.stdout == first.stdout
