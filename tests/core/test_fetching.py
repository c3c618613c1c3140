"""The one fetch path (reader.fetching) that `reader fetch`, `reader add` and the
app's f and L share, on a mock network given through its one seam, a Network."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from reader.fetching import (
    AddRequest,
    HfRequest,
    Network,
    Period,
    Titles,
    add_request,
    fetch_added,
    fetch_arxiv,
    fetch_hf,
    fetched,
    save,
    titles_of,
)
from reader.models import Paper, title_id
from reader.net import FetchError
from reader.sources.arxiv_atom import parse_arxiv_atom
from reader.store import Library

ATOM = (Path(__file__).parent.parent / "data" / "arxiv-query-testing.xml").read_text("utf-8")


def hf_item(paper_id: str, title: str, upvotes: int) -> dict[str, object]:
    return {"paper": {"id": paper_id, "title": title, "upvotes": upvotes}}


def feed(*ids: str) -> str:
    """The shared arXiv response cut to the entries with these ids."""
    entries = re.findall(r"<entry>.*?</entry>", ATOM, re.DOTALL)
    chosen = [e for e in entries if any(f"/abs/{paper_id}v" in e for paper_id in ids)]
    head = ATOM[: ATOM.index("<entry>")]
    head = re.sub(
        r"<opensearch:totalResults>\d+<", f"<opensearch:totalResults>{len(chosen)}<", head
    )
    return head + "".join(chosen) + "</feed>"


class Mock:
    """A mock server behind the one seam: answers with ``answer``, keeps the
    requests and the waits it was asked for (none is slept)."""

    def __init__(self, answer: httpx.Response) -> None:
        self.answer = answer
        self.requests: list[httpx.Request] = []
        self.sleeps: list[float] = []
        self.network = Network(httpx.MockTransport(self._answer), sleep=self.sleeps.append)

    def _answer(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.answer


def test_a_paper_listed_under_two_forms_of_its_id_is_fetched_once_as_its_latest_record() -> None:
    """The Daily Papers list can name one paper twice (with and without a version):
    the app's f imported both and counted "2 papers: 1 added, 1 updated"."""
    mock = Mock(
        httpx.Response(
            200,
            json=[
                hf_item("2501.00663", "Titans", 3),
                hf_item("2501.00663v2", "Titans: Learning to Memorize at Test Time", 5),
                hf_item("2501.04519", "rStar-Math", 246),
            ],
        )
    )
    fetch = fetch_hf(mock.network)
    assert [(p.arxiv_id, p.upvotes) for p in fetch.papers] == [
        ("2501.00663", 5),
        ("2501.04519", 246),
    ]
    assert fetch.source == "huggingface.co" and fetch.stops == ()


def test_saving_counts_each_paper_once(empty_library: Library) -> None:
    papers = [Paper("A", arxiv_id="2501.00001"), Paper("A, revised", arxiv_id="2501.00001")]
    fetch = fetched("huggingface.co", papers, skipped=2)
    result = save(empty_library, fetch)
    assert fetch.summary(result) == "1 paper: 1 added, 0 updated, 0 unchanged, 2 skipped"
    assert [p.title for p in empty_library.papers()] == ["A, revised"]


def test_each_period_is_asked_for_and_progress_counts_across_them() -> None:
    mock = Mock(httpx.Response(200, json=[hf_item("2501.04519", "rStar-Math", 1)]))
    pages: list[int] = []
    periods: list[None] = []
    request = HfRequest((Period(date="2025-01-15"), Period(date="2025-01-16")), limit=5)
    fetch = fetch_hf(
        mock.network, request, on_page=pages.append, on_period=lambda: periods.append(None)
    )
    assert [r.url.params["date"] for r in mock.requests] == ["2025-01-15", "2025-01-16"]
    assert {r.url.params["limit"] for r in mock.requests} == {"5"}
    assert pages == [1, 2] and len(periods) == 2
    assert len(fetch.papers) == 1  # the same paper on both days: once


def test_stops_are_one_line_naming_the_first_and_counting_the_rest() -> None:
    assert fetched("h", []).stopped_early is None
    assert fetched("h", [], stops=["a"]).stopped_early == "a"
    assert fetched("h", [], stops=["a", "b", "c"]).stopped_early == "a (and 2 more like it)"
    assert fetched("h", []).empty and not fetched("h", [], stops=["a"]).empty


def test_fetch_arxiv_keeps_at_most_what_was_asked_and_waits_its_turn_on_the_seam() -> None:
    mock = Mock(httpx.Response(200, text=ATOM))
    fetch = fetch_arxiv(mock.network, "all:testing", max_results=100)
    assert len(fetch.papers) == 100 and fetch.source == "export.arxiv.org"
    assert mock.requests[0].url.params["search_query"] == "all:testing"


def test_add_request_reads_every_form_once_and_names_what_is_not_an_id() -> None:
    request = add_request(
        ["arXiv:2409.11074v2", "https://arxiv.org/abs/2409.11074", "T-0123456789"]
    )
    assert request == AddRequest(("2409.11074",), ("t-0123456789",))
    with pytest.raises(FetchError, match=r"^not-an-id: not an arXiv id, URL or title id$"):
        add_request(["2409.11074", "not-an-id"])


def test_adding_names_the_ids_arxiv_does_not_know_and_adds_nothing() -> None:
    mock = Mock(httpx.Response(200, text=feed("2202.12139")))
    with pytest.raises(FetchError, match=r"^not found on arXiv: 2501\.99999; nothing added$"):
        fetch_added(mock.network, AddRequest(("2202.12139", "2501.99999")))
    fetch = fetch_added(mock.network, AddRequest(("2202.12139",)))
    assert [p.arxiv_id for p in fetch.papers] == ["2202.12139"]


def test_a_title_id_is_looked_up_over_the_same_client_and_spacing(
    empty_library: Library,
) -> None:
    """Ids and titles go over one client: arXiv's three seconds hold between them,
    and the paper found both ways is added once."""
    (arxiv_paper,) = parse_arxiv_atom(feed("2202.12139"), source="feed").papers
    empty_library.import_papers([Paper(arxiv_paper.title)])  # the same paper, without an id
    ident = title_id(Paper(arxiv_paper.title).title_key)
    titles = titles_of(empty_library, [ident])
    assert titles.wanted == ((ident, arxiv_paper.title),) and titles.held == frozenset()
    mock = Mock(httpx.Response(200, text=feed("2202.12139")))
    fetch = fetch_added(mock.network, AddRequest(("2202.12139",), (ident,)), titles)
    assert [p.arxiv_id for p in fetch.papers] == ["2202.12139"]
    assert len(mock.requests) == 2 and mock.sleeps and max(mock.sleeps) <= 3.0
    assert "2 papers" not in fetch.summary(save(empty_library, fetch))
    assert empty_library.count() == 1


def test_an_unknown_title_id_is_named(library: Library) -> None:
    with pytest.raises(FetchError, match="no paper without an arXiv id has the title id t-"):
        titles_of(library, ["t-0000000000"])
    assert titles_of(library, []) == Titles()
