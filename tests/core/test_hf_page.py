"""The Hugging Face Daily Papers page importer, on the real copied page and on small pages."""

from __future__ import annotations

from datetime import datetime

import pytest

from reader.models import Paper
from reader.sources import SourceError
from reader.sources.hf_page import CHROME, looks_like_hf_page, parse_hf_page
from tests.support.data import SAMPLE_PAGE

SAMPLE = SAMPLE_PAGE
NOW = datetime(2026, 11, 26, 12, 0)

RAM = "RAM++: Robust Representation Learning via Adaptive Mask for All-in-One Image Restoration"
DCPT = "Universal Image Restoration Pre-training via Degradation Classification"
MASKED = "Universal Image Restoration Pre-training via Masked Degradation Classification"
SR = "Degradation-Guided One-Step Image Super-Resolution with Diffusion Priors"
ABSTRACT = "A" * 250  # long enough to read as an abstract, never as a title


@pytest.fixture(scope="module")
def papers() -> list[Paper]:
    return parse_hf_page(SAMPLE.read_text(encoding="utf-8"), source=str(SAMPLE), now=NOW)


@pytest.fixture(scope="module")
def by_title(papers: list[Paper]) -> dict[str, Paper]:
    return {p.title: p for p in papers}


def page(*lines: str, newline: str = "\n") -> str:
    return newline.join(lines)


# --- the real page -----------------------------------------------------------------


def test_sample_has_39_unique_titles(papers: list[Paper]) -> None:
    assert len(papers) == 39
    assert len({p.title for p in papers}) == 39


def test_first_and_last_titles(papers: list[Paper]) -> None:
    assert papers[0].title == RAM
    assert papers[-1].title == (
        "Continual Pre-Training of Large Language Models: How to (re)warm your model?"
    )


def test_spot_checked_abstract_is_whole(by_title: dict[str, Paper]) -> None:
    abstract = by_title[RAM].abstract
    assert abstract.startswith("This work presents Robust Representation Learning via Adaptive")
    assert abstract.endswith(
        "Our code and model will be released at https://github.com/DragonisCV/RAM"
    )
    assert "\n" not in abstract


def test_ram_authors_date_and_code(by_title: dict[str, Paper]) -> None:
    ram = by_title[RAM]
    assert ram.author_count == 7
    assert ram.github_url == "https://github.com/DragonisCV/RAM"
    assert ram.published == "2025-09-15"  # "Sep 15", page date Dec 12 -> 2025-12-12
    assert ram.upvotes is None
    assert ram.arxiv_id is None
    assert ram.authors == ()


def test_entry_without_meta_block_still_imports(by_title: dict[str, Paper]) -> None:
    masked = by_title[MASKED]
    assert masked.author_count is None
    assert masked.published is None
    assert masked.upvotes is None
    assert masked.abstract.startswith("This study introduces a Masked Degradation Classification")
    assert masked.github_url == "https://github.com/MILab-PKU/MaskDCPT"  # trailing "." dropped


def test_yearless_date_with_upvotes(by_title: dict[str, Paper]) -> None:
    dcpt = by_title[DCPT]
    assert dcpt.published == "2025-01-26"  # "Jan 26 2"
    assert dcpt.upvotes == 2
    assert dcpt.github_url == "https://github.com/MILab-PKU/dcpt"


def test_dated_with_year_and_upvotes(by_title: dict[str, Paper]) -> None:
    sr = by_title[SR]
    assert sr.published == "2024-09-25"  # "Sep 25, 2024 5"
    assert sr.upvotes == 5


def test_year_without_upvotes(by_title: dict[str, Paper]) -> None:
    [video] = [p for t, p in by_title.items() if t.startswith("PersonalVideo: High ID-Fidelity")]
    assert video.published == "2024-11-25"
    assert video.upvotes is None
    assert video.author_count == 9


def test_single_author_and_no_code(by_title: dict[str, Paper]) -> None:
    memo = by_title["Does Learning Require Memorization? A Short Tale about a Long Tail"]
    assert memo.author_count == 1  # written "1 authors"
    assert memo.github_url is None


def test_no_chrome_or_meta_line_became_a_paper(papers: list[Paper]) -> None:
    for paper in papers:
        assert paper.title.casefold() not in CHROME
        assert paper.title not in {"Dec 12", "·"}
        assert "authors" not in paper.title
        assert paper.abstract


def test_looks_like_hf_page() -> None:
    assert looks_like_hf_page(SAMPLE.read_text(encoding="utf-8"))
    assert not looks_like_hf_page('[{"title": "x", "authors": 3}]')
    assert not looks_like_hf_page('<?xml version="1.0"?>\n<feed>\n  7 authors\n</feed>')
    assert not looks_like_hf_page("@article{key,\n  title = {Daily Papers},\n}")
    assert not looks_like_hf_page("")


# --- small pages -------------------------------------------------------------------


def test_crlf_bom_tabs_and_trailing_whitespace() -> None:
    text = "\ufeff" + page(
        "Daily Papers  ",
        "",
        "Dec 12\t",
        "",
        "",
        "A\tsmall  title   ",
        "",
        "  An abstract with \x1b[31mcolour\x1b[0m and https://github.com/o/r.git).  ",
        "",
        "\t• 3 authors",
        "·",
        "Nov\t2, 2024 \t7 ",
        "",
        "Second title",
        "",
        "Second abstract.",
        newline="\r\n",
    )
    first, second = parse_hf_page(text, now=NOW)
    assert first.title == "A small title"
    assert first.abstract == "An abstract with [31mcolour[0m and https://github.com/o/r.git)."
    assert first.github_url == "https://github.com/o/r"
    assert (first.author_count, first.published, first.upvotes) == (3, "2024-11-02", 7)
    assert second == Paper(title="Second title", abstract="Second abstract.")


def test_long_lines_after_an_abstract_continue_it() -> None:
    text = page("T", "", "First paragraph.", "", ABSTRACT, "", "1 author", "·", "Mar 3, 2020")
    [paper] = parse_hf_page(text, now=NOW)
    assert paper.abstract == f"First paragraph. {ABSTRACT}"
    assert paper.author_count == 1


def test_yearless_dates_without_page_date_follow_now() -> None:
    text = page(
        "Dec paper", "", ABSTRACT, "", "Dec 12", "", "Feb paper", "", ABSTRACT, "", "Feb 10"
    )
    dec, feb = parse_hf_page(text, now=datetime(2026, 3, 1))
    assert dec.published == "2025-12-12"
    assert feb.published == "2026-02-10"


def test_page_date_is_the_anchor_for_paper_dates() -> None:
    text = page("Dec 12", "", "T", "", ABSTRACT, "", "Dec 20")
    [paper] = parse_hf_page(text, now=datetime(2026, 12, 25))
    # The page is 2026-12-12, so "Dec 20" cannot be later than it: 2025-12-20.
    assert paper.published == "2025-12-20"


def test_feb_29_resolves_to_a_leap_year() -> None:
    text = page("T", "", ABSTRACT, "", "Feb 29")
    [paper] = parse_hf_page(text, now=NOW)
    assert paper.published == "2024-02-29"
    [page_dated] = parse_hf_page(page("Feb 29", "", "T", "", ABSTRACT, "", "Feb 29"), now=NOW)
    assert page_dated.published == "2024-02-29"


def test_impossible_dates_leave_published_empty() -> None:
    text = page("T", "", ABSTRACT, "", "Feb 30", "", "U", "", ABSTRACT, "", "Feb 29, 2023 4")
    first, second = parse_hf_page(text, now=NOW)
    assert first.published is None
    assert (second.published, second.upvotes) == (None, 4)


@pytest.mark.parametrize("text", ["", "\n\n  \n", "\ufeff", "Daily Papers\n\nDec 12\n"])
def test_no_papers_raises(text: str) -> None:
    with pytest.raises(SourceError, match="no papers found") as info:
        parse_hf_page(text, source="page.txt", now=NOW)
    assert str(info.value).startswith("page.txt: no papers found")


@pytest.mark.parametrize(
    "text",
    [
        "just some words",
        "foo\nbar\nbaz\n",
        '{"papers": [{"title": "x"}]}',
        "\x00\x1b[2J\u202e\ud800 )(*&^%$#@!",
        "@article{k,\n  title = {T},\n  year = 2020\n}",
    ],
)
def test_garbage_raises_source_error(text: str) -> None:
    with pytest.raises(SourceError) as info:
        parse_hf_page(text, source="x.txt", now=NOW)
    assert info.value.message


def test_title_at_eof_without_abstract_names_its_line() -> None:
    text = page(
        "Daily Papers", "", "T", "", ABSTRACT, "", "• 2 authors", "·", "Jan 1", "", "Dangling"
    )
    with pytest.raises(SourceError, match="title without an abstract") as info:
        parse_hf_page(text, source="page.txt", now=NOW)
    assert info.value.line == 11
    assert str(info.value) == "page.txt:11: title without an abstract"


def test_title_followed_by_meta_block_names_its_line() -> None:
    text = page("Daily Papers", "", "Orphan title", "", "• 2 authors", "·", "Jan 1")
    with pytest.raises(SourceError, match="title without an abstract") as info:
        parse_hf_page(text, now=NOW)
    assert info.value.line == 3


def test_default_now_does_not_crash() -> None:
    [paper] = parse_hf_page(page("T", "", ABSTRACT, "", "Jan 1"))
    assert paper.published is not None
    assert paper.published <= datetime.now().date().isoformat()
