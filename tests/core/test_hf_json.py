"""The Hugging Face JSON importer: every API shape, field placement, and hostile values."""

from __future__ import annotations

import copy
import json
import random
from typing import Any

import pytest

from reader.models import Paper
from reader.sources import Batch, SourceError
from reader.sources.hf_json import (
    json_date,
    looks_like_hf_json,
    parse_hf_json,
)
from tests.support import json_fuzz
from tests.support.data import DATA


def load(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def parse(data: object) -> Batch:
    return parse_hf_json(data, source="test.json")


def one(data: object) -> Paper:
    batch = parse(data)
    assert batch.skipped == 0
    [paper] = batch.papers
    return paper


def daily_item(paper: dict[str, Any] | None = None, **outer: Any) -> dict[str, Any]:
    """A /api/daily_papers item; ``paper`` defaults to a minimal nested paper."""
    return {"paper": {"id": "2501.04519", "title": "Nested"} if paper is None else paper, **outer}


# --- /api/daily_papers -------------------------------------------------------------


@pytest.fixture(scope="module")
def daily() -> Batch:
    return parse(load("hf-daily-papers.json"))


def test_daily_papers_reads_every_titled_item_and_counts_the_rest(daily: Batch) -> None:
    assert daily.format == "hf-json"
    assert [p.arxiv_id for p in daily.papers] == [
        "2501.04519",
        "2501.00663",
        "2501.08313",
        "2501.06252",
    ]
    assert daily.skipped == 1  # 2501.05366 has no title anywhere


def test_daily_item_with_every_field(daily: Batch) -> None:
    rstar = daily.papers[0]
    assert rstar.title == (
        "rStar-Math: Small LLMs Can Master Math Reasoning with Self-Evolved Deep Thinking"
    )
    assert rstar.arxiv_version is None
    # The nested summary (the whole abstract) wins over the item's shorter copy, on one line.
    assert rstar.abstract.startswith("We present rStar-Math to demonstrate")
    assert "OpenAI o1, without distillation" in rstar.abstract
    assert rstar.abstract.endswith("through Monte Carlo Tree Search.")
    assert rstar.authors[:2] == ("Xinyu Guan", "Li Lyna Zhang")
    assert len(rstar.authors) == 8
    assert rstar.published == "2025-01-08"  # paper.publishedAt: on arXiv
    assert rstar.featured == "2025-01-09"  # paper.submittedOnDailyAt
    assert rstar.upvotes == 246
    assert rstar.num_comments == 12  # only on the outer item
    assert rstar.github_url == "https://github.com/microsoft/rStar"
    assert rstar.github_stars == 4521
    assert rstar.url == "https://www.microsoft.com/en-us/research/project/rstar-math/"
    assert rstar.ai_summary == (
        "Small language models reach o1-level math reasoning through MCTS-guided self-evolution."
    )
    assert rstar.ai_keywords == (
        "Monte Carlo Tree Search",
        "process reward model",
        "self-evolution",
        "math reasoning",
    )


def test_hidden_authors_are_kept_and_empty_names_dropped(daily: Batch) -> None:
    titans = daily.papers[1]
    # "hidden" hides a claimed paper from the author's HF profile; the name still counts.
    assert titans.authors == ("Ali Behrouz", "Peilin Zhong", "Vahab Mirrokni")
    assert titans.github_url is None
    assert titans.url is None
    assert titans.ai_keywords == ()


def test_github_link_found_in_the_abstract_when_no_repo_field(daily: Batch) -> None:
    minimax = daily.papers[2]
    assert minimax.github_url == "https://github.com/MiniMax-AI/MiniMax-01"
    assert minimax.ai_keywords == ("lightning attention", "Mixture of Experts")  # 7, "", null


def test_null_fields_are_ignored(daily: Batch) -> None:
    null = daily.papers[3]
    assert null == Paper(title="Transformer^2: Self-adaptive LLMs", arxiv_id="2501.06252")


def test_featured_falls_back_to_the_outer_published_at() -> None:
    item = daily_item(
        {"id": "2501.04519", "title": "T", "publishedAt": "2025-01-08T18:59:51.000Z"},
        publishedAt="2025-01-09T05:31:28.283Z",
    )
    paper = one([item])
    assert paper.published == "2025-01-08"
    assert paper.featured == "2025-01-09"


def test_outer_published_at_is_never_the_arxiv_date_of_a_daily_item() -> None:
    paper = one([daily_item(publishedAt="2025-01-09T05:31:28.283Z")])
    assert paper.published is None
    assert paper.featured == "2025-01-09"


def test_submitted_on_daily_on_the_outer_item_is_read() -> None:
    paper = one([daily_item(submittedOnDailyAt="2025-01-07T01:00:00.000Z")])
    assert paper.featured == "2025-01-07"


# --- nested first, flat as fallback ------------------------------------------------


def test_nested_fields_win_over_flat_ones() -> None:
    nested = {
        "id": "2501.04519",
        "title": "Nested title",
        "summary": "Nested abstract.",
        "authors": [{"name": "Nested Author"}],
        "upvotes": 10,
        "numComments": 4,
        "githubRepo": "https://github.com/nested/repo",
        "githubStars": 100,
        "projectPage": "https://nested.example.org/",
        "ai_summary": "Nested summary.",
        "ai_keywords": ["nested"],
    }
    flat = {
        "id": "2401.00001",
        "title": "Flat title",
        "summary": "Flat abstract.",
        "authors": [{"name": "Flat Author"}],
        "upvotes": 3,
        "numComments": 9,
        "githubRepo": "https://github.com/flat/repo",
        "githubStars": 1,
        "projectPage": "https://flat.example.org/",
        "ai_summary": "Flat summary.",
        "ai_keywords": ["flat"],
    }
    paper = one([{"paper": nested, **flat}])
    assert paper == Paper(
        title="Nested title",
        arxiv_id="2501.04519",
        abstract="Nested abstract.",
        authors=("Nested Author",),
        upvotes=10,
        num_comments=4,
        github_url="https://github.com/nested/repo",
        github_stars=100,
        url="https://nested.example.org/",
        ai_summary="Nested summary.",
        ai_keywords=("nested",),
    )


def test_flat_fields_fill_in_what_the_nested_paper_lacks() -> None:
    item = daily_item(
        {"id": None, "title": "", "upvotes": "many", "authors": []},
        id="2401.00001",
        title="Flat title",
        summary="Flat abstract.",
        authors=["Flat Author"],
        upvotes=3,
        githubRepo="https://github.com/flat/repo",
    )
    paper = one([item])
    assert (paper.title, paper.arxiv_id, paper.abstract) == (
        "Flat title",
        "2401.00001",
        "Flat abstract.",
    )
    assert paper.authors == ("Flat Author",)
    assert paper.upvotes == 3
    assert paper.github_url == "https://github.com/flat/repo"


# --- /api/papers/search, /api/papers/{id}, wrapped lists ---------------------------


def test_search_results_mix_nested_items_and_flat_papers() -> None:
    batch = parse(load("hf-papers-search.json"))
    r1, v3 = batch.papers
    assert batch.skipped == 0
    assert (r1.arxiv_id, r1.upvotes, r1.github_stars) == ("2501.12948", 419, 91034)
    assert (r1.published, r1.featured, r1.num_comments) == ("2025-01-22", "2025-01-22", 5)
    assert r1.authors == ("DeepSeek-AI", "Daya Guo", "Dejian Yang")
    assert v3.title == "DeepSeek-V3 Technical Report"
    # A flat paper: its publishedAt is the arXiv date.
    assert (v3.arxiv_id, v3.published, v3.featured) == ("2412.19437", "2024-12-27", "2024-12-27")
    assert v3.github_url == "https://github.com/deepseek-ai/DeepSeek-V3"
    assert v3.ai_keywords == ("Mixture-of-Experts", "Multi-head Latent Attention", "FP8")


def test_single_flat_paper_object() -> None:
    data = load("hf-paper.json")
    assert looks_like_hf_json(data)
    paper = one(data)
    assert paper.title == "RoMath: A Mathematical Reasoning Benchmark in Romanian"
    assert paper.abstract.startswith("Mathematics has long been conveyed")
    assert "\n" not in paper.abstract
    assert paper == Paper(
        title=paper.title,
        abstract=paper.abstract,
        arxiv_id="2409.11074",
        authors=("Zhengyu Chen", "Siqi Wang", "Teng Xiao"),
        published="2024-09-17",
        featured="2024-09-18",
        upvotes=23,
        num_comments=2,
        github_url="https://github.com/example-lab/RoMath",
        github_stars=48,
        url="https://example-lab.github.io/romath/",
        ai_summary="A Romanian mathematical reasoning benchmark with three subsets.",
        ai_keywords=("mathematical reasoning", "benchmark", "low-resource languages"),
    )


def test_wrapped_list_with_every_author_form_and_bad_values() -> None:
    data = load("hf-wrapped.json")
    assert looks_like_hf_json(data)
    batch = parse(data)
    assert batch.skipped == 0
    romath, coder, vl, cot = batch.papers
    assert romath.authors == ("Zhengyu Chen", "Siqi Wang", "Teng Xiao")  # strings
    assert romath.github_url == "https://github.com/example-lab/RoMath"
    assert coder.authors == ("Binyuan Hui", "Jian Yang", "Zeyu Cui")  # objects
    assert coder.published == "2024-09-18"  # a bare date
    assert coder.github_url is None  # a repo, but not on GitHub
    assert vl.authors == ("Peng Wang", "Shuai Bai", "Sinan Tan")  # one string, trailing comma
    assert (vl.upvotes, vl.published) == (None, None)  # "many", "September 18th"
    # Every optional field of the wrong type: the title alone survives.
    assert cot == Paper(title=cot.title)


@pytest.mark.parametrize("key", ["papers", "results", "items", "data", "dailyPapers"])
def test_every_wrapper_key(key: str) -> None:
    data = {key: [{"id": "2409.11074", "title": "Wrapped", "upvotes": 2}]}
    assert looks_like_hf_json(data)
    assert one(data).upvotes == 2


def test_wrapped_daily_items_are_read_nested_first() -> None:
    data = {"dailyPapers": [daily_item({"id": "2501.04519", "title": "T", "upvotes": 5})]}
    assert one(data).upvotes == 5


# --- ids, titles, dates ------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "arxiv_id", "version"),
    [
        ("2409.11074", "2409.11074", None),
        ("2409.11074v3", "2409.11074", 3),
        ("arXiv:2409.11074v2", "2409.11074", 2),
        ("https://arxiv.org/abs/2409.11074v2", "2409.11074", 2),
        ("https://arxiv.org/pdf/2409.11074.pdf", "2409.11074", None),
        ("https://huggingface.co/papers/2409.11074", "2409.11074", None),
        ("hep-th/9901001", "hep-th/9901001", None),
        ("not-an-arxiv-id", None, None),
        ("2413.11074", None, None),  # month 13
        ("", None, None),
        (2409.11074, None, None),  # a number, not an id
        (["2409.11074"], None, None),
        ("2409.11074v" + "9" * 5000, None, None),  # absurd: no id rather than a crash
    ],
)
def test_id_forms(raw: object, arxiv_id: str | None, version: int | None) -> None:
    paper = one({"id": raw, "title": "T", "summary": "S"})
    assert (paper.arxiv_id, paper.arxiv_version) == (arxiv_id, version)


def test_item_without_an_id_is_kept() -> None:
    paper = one([{"title": "No id here", "summary": "Abstract.", "upvotes": 1}])
    assert (paper.title, paper.arxiv_id, paper.upvotes) == ("No id here", None, 1)


@pytest.mark.parametrize("title", [None, "", "   \n\t ", 42, ["A title"], {"t": 1}, "\x1b\x07"])
def test_items_without_a_usable_title_are_skipped_and_counted(title: object) -> None:
    good = {"id": "2409.11074", "title": "Good"}
    batch = parse([good, {"id": "2409.11075", "title": title, "summary": "S"}, 7, None, "x"])
    assert [p.title for p in batch.papers] == ["Good"]
    assert batch.skipped == 4


def test_text_is_one_line_without_controls() -> None:
    paper = one(
        {
            "id": "2409.11074",
            "title": "  A\x1b[31m red\n  title\u202e \ud800",
            "summary": "Line one.\r\nLine\ttwo.\x07",
            "authors": [{"name": "Ana\x1b]0;pwned\x07 Silva\n"}],
            "ai_summary": "\x00Short.",
            "ai_keywords": ["key\nword"],
        }
    )
    assert paper.title == "A[31m red title"
    assert paper.abstract == "Line one. Line two."
    assert paper.authors == ("Ana]0;pwned Silva",)
    assert paper.ai_summary == "Short."
    assert paper.ai_keywords == ("key word",)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://github.com/owner/repo", "https://github.com/owner/repo"),
        ("http://www.github.com/owner/repo", "http://www.github.com/owner/repo"),
        ("https://github.com.evil.example/owner/repo", None),
        ("https://gitlab.com/owner/repo", None),
        ("javascript:alert(1)", None),
        ("file:///etc/passwd", None),
        ("https://github.com/owner/repo\x1b[2J", None),
        ("", None),
        (123, None),
    ],
)
def test_github_repo_must_be_an_http_github_url(url: object, expected: str | None) -> None:
    paper = one({"id": "2409.11074", "title": "T", "githubRepo": url})
    assert paper.github_url == expected


def test_a_bad_github_repo_falls_back_to_the_abstract() -> None:
    paper = one(
        {
            "title": "T",
            "summary": "Code at https://github.com/owner/repo.",
            "githubRepo": "ftp://github.com/x/y",
        }
    )
    assert paper.github_url == "https://github.com/owner/repo"


@pytest.mark.parametrize("page", ["javascript:alert(1)", "ftp://x.org", "", 3, ["https://x.org"]])
def test_project_page_must_be_http(page: object) -> None:
    assert one({"title": "T", "summary": "S", "projectPage": page}).url is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-01-15T12:34:56.000Z", "2025-01-15"),
        ("2025-01-15T12:34:56Z", "2025-01-15"),
        ("2025-01-15T12:34:56.123456+05:30", "2025-01-15"),
        ("2025-01-15", "2025-01-15"),
        (" 2025-01-15 ", "2025-01-15"),
        ("2025-02-30T00:00:00.000Z", None),
        ("2025-13-01", None),
        ("0000-01-01", None),
        ("2025-01-15Tgarbage", None),
        ("Jan 15, 2025", None),
        ("2025", None),
        ("", None),
        (20250115, None),
        (None, None),
        (["2025-01-15"], None),
    ],
)
def test_dates(value: object, expected: str | None) -> None:
    assert json_date(value) == expected
    assert one({"title": "T", "summary": "S", "publishedAt": value}).published == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, 0), (5, 5), (-1, None), (True, None), (2.5, None), ("5", None), (10**30, None)],
)
def test_counts_must_be_non_negative_integers(value: object, expected: int | None) -> None:
    paper = one({"title": "T", "summary": "S", "upvotes": value, "githubStars": value})
    assert (paper.upvotes, paper.github_stars) == (expected, expected)


# --- detection ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["hf-daily-papers.json", "hf-papers-search.json", "hf-paper.json", "hf-wrapped.json"]
)
def test_fixtures_look_like_hf_json(name: str) -> None:
    assert looks_like_hf_json(load(name))


@pytest.mark.parametrize(
    "data",
    [
        {"format": "reader", "version": 1, "papers": [{"title": "T", "authors": []}]},
        {"name": "not a paper"},
        {"title": "Only a title"},
        {"papers": "not a list"},
        [1, 2, 3],
        [{"name": "x"}],
        "a string",
        42,
        None,
    ],
)
def test_other_json_does_not_look_like_hf(data: object) -> None:
    assert not looks_like_hf_json(data)


def test_an_empty_daily_feed_is_hf_json_with_no_papers() -> None:
    assert looks_like_hf_json([])
    assert parse([]) == Batch("hf-json")


@pytest.mark.parametrize("data", ["a string", 42, None, True, {"name": "not a paper"}])
def test_no_shape_at_all_is_a_source_error(data: object) -> None:
    with pytest.raises(SourceError, match="not Hugging Face papers") as info:
        parse_hf_json(data, source="odd.json")
    assert (info.value.source, info.value.line) == ("odd.json", None)


# --- anything at all ---------------------------------------------------------------


KEYS = [
    "paper", "id", "title", "summary", "authors", "name", "hidden", "publishedAt",
    "submittedOnDailyAt", "upvotes", "numComments", "githubRepo", "githubStars",
    "projectPage", "ai_summary", "ai_keywords", "papers", "results", "data", "format",
]  # fmt: skip
LEAVES: list[object] = [
    None, True, False, 0, -1, 2**70, 1.5, float("inf"), float("nan"), "", " ", "x",
    "2409.11074v2", "2025-01-15T12:34:56.000Z", "2025-99-99", "https://github.com/a/b",
    "javascript:alert(1)", "\x1b[2J\ud800\u202e", "a, b, ,", "reader",
]  # fmt: skip


def random_value(rng: random.Random) -> object:
    return json_fuzz.random_value(rng, KEYS, LEAVES)


def mutate(rng: random.Random, value: Any) -> Any:
    return json_fuzz.mutate(rng, value, KEYS, LEAVES)


def check_never_raises_but_source_error(data: object) -> None:
    assert isinstance(looks_like_hf_json(data), bool)
    try:
        batch = parse_hf_json(data, source="fuzz.json")
    except SourceError:
        return
    for paper in batch.papers:
        assert paper.title and "\n" not in paper.title and "\x1b" not in paper.title
        assert paper.github_url is None or paper.github_url.startswith(("http://", "https://"))


def test_random_json_never_raises_anything_but_source_error() -> None:
    rng = random.Random(20250115)
    for _ in range(3000):
        check_never_raises_but_source_error(random_value(rng))


@pytest.mark.parametrize(
    "name", ["hf-daily-papers.json", "hf-papers-search.json", "hf-paper.json", "hf-wrapped.json"]
)
def test_mutated_fixtures_never_raise_anything_but_source_error(name: str) -> None:
    rng = random.Random(name)
    original = load(name)
    for _ in range(500):
        data = copy.deepcopy(original)
        for _ in range(rng.randrange(1, 5)):
            data = mutate(rng, data)
        check_never_raises_but_source_error(data)
