"""The filter: meaningful fuzzy matches over the real sample papers."""

from __future__ import annotations

import pytest

from reader.models import Paper
from reader.sample import sample_papers
from reader.search import Query, SearchIndex, title_spans
from tests.support.data import FIXED_NOW


@pytest.fixture(scope="module")
def papers() -> dict[int, Paper]:
    from dataclasses import replace

    return {i: replace(p, id=i) for i, p in enumerate(sample_papers(FIXED_NOW), start=1)}


@pytest.fixture(scope="module")
def index(papers: dict[int, Paper]) -> SearchIndex:
    return SearchIndex(list(papers.values()))


def titles(index: SearchIndex, papers: dict[int, Paper], text: str) -> list[str]:
    return [papers[i].title for i in index.search(Query.parse(text))]


def test_empty_query_keeps_every_paper_in_library_order(
    index: SearchIndex, papers: dict[int, Paper]
) -> None:
    assert index.search(Query.parse("   ")) == list(papers)


def test_grokking_finds_the_grokking_paper_only(
    index: SearchIndex, papers: dict[int, Paper]
) -> None:
    assert titles(index, papers, "grokking") == [
        "Benign Overfitting and Grokking in ReLU Networks for XOR Cluster Data"
    ]


def test_a_typo_still_finds_the_title(index: SearchIndex, papers: dict[int, Paper]) -> None:
    found = titles(index, papers, "difusion")
    assert found, "a one-letter typo must still match"
    assert all("diffusion" in t.lower() for t in found[:3])


def test_unrelated_letters_in_order_do_not_match(
    index: SearchIndex, papers: dict[int, Paper]
) -> None:
    # "qzx" appears in no paper; a subsequence matcher over abstracts would still hit.
    assert titles(index, papers, "qzxv") == []
    assert titles(index, papers, "xyzzy") == []


def test_every_word_must_match(index: SearchIndex, papers: dict[int, Paper]) -> None:
    found = titles(index, papers, "model collapse")
    assert found == [
        "Is Model Collapse Inevitable? Breaking the Curse of Recursion by Accumulating "
        "Real and Synthetic Data"
    ]


def test_title_matches_rank_above_abstract_only_matches(
    index: SearchIndex, papers: dict[int, Paper]
) -> None:
    found = titles(index, papers, "quantization")
    in_title = [t for t in found if "quantization" in t.lower()]
    assert found[: len(in_title)] == in_title
    assert len(found) >= len(in_title) >= 2


def test_a_word_in_the_abstract_only_still_matches(
    index: SearchIndex, papers: dict[int, Paper]
) -> None:
    # "DINOv2" is only in RAM++'s abstract.
    assert titles(index, papers, "dinov2") == [
        "RAM++: Robust Representation Learning via Adaptive Mask for All-in-One Image Restoration"
    ]


def test_one_letter_matches_only_at_word_starts(
    index: SearchIndex, papers: dict[int, Paper]
) -> None:
    for title in titles(index, papers, "x"):
        words = title.lower().replace("-", " ").split()
        assert any(w.startswith("x") for w in words), title


def test_authors_are_searched() -> None:
    papers = [
        Paper(id=1, title="Attention Is All You Need", authors=("Ashish Vaswani", "Noam Shazeer")),
        Paper(id=2, title="Something Else", authors=("Jane Doe",)),
    ]
    index = SearchIndex(papers)
    assert index.search(Query.parse("vaswani")) == [1]
    assert index.search(Query.parse("vasvani")) == [1]  # a typo in a name


def test_title_spans_mark_exact_and_fuzzy_matches() -> None:
    title = "Degradation-Guided One-Step Image Super-Resolution with Diffusion Priors"
    spans = title_spans(title, Query.parse("image"))
    assert [title[a:b] for a, b in spans] == ["Image"]
    fuzzy = title_spans(title, Query.parse("difusion"))
    lit = "".join(title[a:b] for a, b in fuzzy)
    assert lit.lower().startswith("dif") and "fusio" in lit.lower()
    assert title_spans(title, Query.parse("zzz")) == []
