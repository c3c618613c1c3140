"""A paper's links (issue 15, item 8): a Hugging Face page only where there is one."""

from __future__ import annotations

import pytest

from reader.models import Paper
from reader.tui.widgets.paper_detail import links_text

HF = "https://huggingface.co/papers/2409.11074"


@pytest.mark.parametrize(
    "paper",
    [
        Paper("From HF", arxiv_id="2409.11074", featured="2024-09-18"),
        Paper("Upvoted", arxiv_id="2409.11074", upvotes=0),
        Paper("Discussed", arxiv_id="2409.11074", num_comments=2),
        Paper("Summarised", arxiv_id="2409.11074", ai_summary="A summary."),
        Paper("Starred code", arxiv_id="2409.11074", github_stars=10),
    ],
    ids=lambda paper: paper.title,
)
def test_a_paper_hugging_face_knows_links_to_its_page(paper: Paper) -> None:
    assert paper.known_to_hf
    assert paper.hf_url == HF


def test_a_paper_from_arxiv_alone_has_no_hugging_face_link() -> None:
    paper = Paper("From arXiv", arxiv_id="2409.11074", categories=("cs.LG",))
    assert not paper.known_to_hf
    assert paper.hf_url is None
    assert paper.abs_url == "https://arxiv.org/abs/2409.11074"


def test_an_old_style_id_has_no_hugging_face_page() -> None:
    # huggingface.co/papers/quant-ph/0201082 is not a page.
    paper = Paper("Old", arxiv_id="quant-ph/0201082", upvotes=3, featured="2024-01-01")
    assert paper.hf_url is None
    assert paper.abs_url == "https://arxiv.org/abs/quant-ph/0201082"


def test_the_detail_pane_lists_only_the_pages_there_are() -> None:
    plain = links_text(Paper("From arXiv", arxiv_id="2409.11074")).plain
    assert "arXiv: https://arxiv.org/abs/2409.11074" in plain
    assert "Hugging Face" not in plain
    featured = links_text(Paper("From HF", arxiv_id="2409.11074", featured="2024-09-18")).plain
    assert f"Hugging Face: {HF}" in featured
