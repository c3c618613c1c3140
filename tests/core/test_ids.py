"""arXiv ids in every form they are written: the identity of a paper."""

from __future__ import annotations

import pytest

from reader.ids import ArxivId, find_arxiv_id, parse_arxiv_id


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2409.11074", ArxivId("2409.11074")),
        ("2409.11074v3", ArxivId("2409.11074", 3)),
        ("arXiv:2409.11074", ArxivId("2409.11074")),
        ("arxiv: 2409.11074v2", ArxivId("2409.11074", 2)),
        ("ARXIV:2409.11074V2", ArxivId("2409.11074", 2)),
        ("https://arxiv.org/abs/2409.11074v2", ArxivId("2409.11074", 2)),
        ("http://arxiv.org/abs/2409.11074", ArxivId("2409.11074")),
        ("https://www.arxiv.org/pdf/2409.11074v1.pdf", ArxivId("2409.11074", 1)),
        ("https://export.arxiv.org/abs/2409.11074", ArxivId("2409.11074")),
        ("/pdf/2409.11074.pdf", ArxivId("2409.11074")),
        ("arxiv.org/html/2409.11074v4", ArxivId("2409.11074", 4)),
        ("https://huggingface.co/papers/2409.11074", ArxivId("2409.11074")),
        ("https://arxiv.org/abs/2409.11074?context=cs", ArxivId("2409.11074")),
        ("  2409.11074  ", ArxivId("2409.11074")),
        ("0704.0001", ArxivId("0704.0001")),
        ("1412.9999", ArxivId("1412.9999")),
        ("1501.00001", ArxivId("1501.00001")),
        ("hep-th/9901001", ArxivId("hep-th/9901001")),
        ("hep-th/9901001v3", ArxivId("hep-th/9901001", 3)),
        ("HEP-TH/9901001", ArxivId("hep-th/9901001")),
        ("math.GT/0309136", ArxivId("math/0309136")),
        ("math.gt/0309136v2", ArxivId("math/0309136", 2)),
        ("arXiv:math.CA/0611800v2", ArxivId("math/0611800", 2)),
        ("http://arxiv.org/abs/cond-mat/0102536v1", ArxivId("cond-mat/0102536", 1)),
    ],
)
def test_every_form_gives_the_id_and_version(text: str, expected: ArxivId) -> None:
    assert parse_arxiv_id(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "1234",
        "2409.1107",  # four digits after the dot ended in 2014
        "1412.12345",  # five digits began in 2015
        "2413.12345",  # month 13
        "2409.11074v",
        "2409.11074v" + "9" * 5000,
        "https://example.org/abs/2409.11074",
        "doi:10.1000/xyz",
        "hep-th/990100",
        "not an id",
    ],
)
def test_what_is_not_an_arxiv_id(text: str) -> None:
    assert parse_arxiv_id(text) is None


def test_str_puts_the_version_back() -> None:
    assert str(ArxivId("2409.11074", 2)) == "2409.11074v2"
    assert str(ArxivId("2409.11074")) == "2409.11074"


def test_an_id_is_found_in_running_text() -> None:
    assert find_arxiv_id("see https://arxiv.org/abs/2409.11074v2 for more") == ArxivId(
        "2409.11074", 2
    )
    assert find_arxiv_id("Preprint arXiv:hep-th/9901001.") == ArxivId("hep-th/9901001")
    assert find_arxiv_id("no id in 2409.11074 bare numbers") is None


@pytest.mark.parametrize(
    "text", ["2409.11074", "0704.0001", "2413.11074", "1412.12345", "2409.1107"]
)
def test_the_plain_form_reads_as_the_general_path_does(text: str) -> None:
    from reader import ids

    general = ids.parse_arxiv_id(f" {text} ")  # the space takes the general path
    assert ids.parse_arxiv_id(text) == general
