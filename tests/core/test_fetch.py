"""`reader fetch`, `reader add` and the app's `f` as a user runs them, on a mock network.

Requests go to an ``httpx.MockTransport`` through the one network seam (a
:class:`reader.fetching.Network`, click's ``obj`` and ``ReaderApp(network=...)``), and
waits go to a list instead of the clock. What the network layer does on its own
(paging, retries, spacing) is tested in test_net.py; here: what reaches the library.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner, Result

from reader.cli import main
from reader.store import open_library
from tests.support.data import DATA
from tests.support.network import ATOM, DAILY, MockNetwork, atom_feed
from tests.support.store import stored, stored_id


@pytest.fixture
def network() -> MockNetwork:
    return MockNetwork()


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], prog_name="reader")


def count(db: Path) -> int:
    if not db.exists():
        return 0
    library = open_library(db)
    try:
        return library.count()
    finally:
        library.close()


# -- fetch hf --------------------------------------------------------------------


def test_fetch_hf_adds_the_days_papers(network: MockNetwork, db_path: Path) -> None:
    network.handler = lambda request: httpx.Response(200, json=DAILY)
    result = network.run("--db", db_path, "fetch", "hf", "--date", "2025-01-15")
    assert result.exit_code == 0, result.output
    assert result.stdout == "huggingface.co: 4 papers: 4 added, 0 updated, 0 unchanged, 1 skipped\n"
    assert network.params("date") == ["2025-01-15"]
    assert network.requests[0].url.path == "/api/daily_papers"
    assert network.requests[0].headers["user-agent"].startswith("reader/")
    library = open_library(db_path)
    titan = next(p for p in library.papers() if p.arxiv_id == "2501.00663")
    library.close()
    assert titan.title == "Titans: Learning to Memorize at Test Time"
    assert titan.authors and titan.upvotes is not None


def test_fetching_again_updates_upvotes_and_keeps_notes(
    network: MockNetwork, db_path: Path
) -> None:
    network.handler = lambda request: httpx.Response(200, json=DAILY)
    assert network.run("--db", db_path, "fetch", "hf").exit_code == 0
    library = open_library(db_path)
    titan = stored_id(next(p for p in library.papers() if p.arxiv_id == "2501.00663"))
    library.set_note("tester", titan, "memory as a layer")
    library.toggle_star("tester", titan)
    library.close()

    moved = json.loads(json.dumps(DAILY))
    for item in moved:
        item["paper"]["upvotes"] = 999
    network.handler = lambda request: httpx.Response(200, json=moved)
    result = network.run("--db", db_path, "fetch", "hf")
    assert "0 added, 4 updated, 0 unchanged" in result.stdout
    library = open_library(db_path)
    assert stored(library, titan).upvotes == 999
    mark = library.annotation("tester", titan)
    library.close()
    assert mark.note == "memory as a layer" and mark.starred


def test_a_day_without_papers_is_not_an_error(network: MockNetwork, db_path: Path) -> None:
    network.handler = lambda request: httpx.Response(200, json=[])
    result = network.run("--db", db_path, "fetch", "hf", "--date", "2025-01-18")
    assert result.exit_code == 0, result.output
    assert "0 papers: 0 added" in result.stdout


def test_days_fetches_each_day_weekends_included(network: MockNetwork, db_path: Path) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        # Papers on the first day asked for; the other days (a weekend, say) have none.
        return httpx.Response(200, json=DAILY[:2] if len(network.requests) == 1 else [])

    network.handler = answer
    result = network.run("--db", db_path, "fetch", "hf", "--days", "7")
    assert result.exit_code == 0, result.output
    days = network.params("date")
    assert len(days) == 7 and len(set(days)) == 7
    assert count(db_path) == 2


def test_week_month_sort_and_limit_reach_the_api(network: MockNetwork, db_path: Path) -> None:
    network.handler = lambda request: httpx.Response(200, json=[])
    assert (
        network.run(
            "--db", db_path, "fetch", "hf", "--week", "2025-W03", "--sort", "trending"
        ).exit_code
        == 0
    )
    assert (
        network.run("--db", db_path, "fetch", "hf", "--month", "2025-01", "--limit", "5").exit_code
        == 0
    )
    first, second = network.requests
    assert first.url.params["week"] == "2025-W03" and first.url.params["sort"] == "trending"
    assert second.url.params["month"] == "2025-01" and second.url.params["limit"] == "5"


@pytest.mark.parametrize(
    "args",
    [
        ("--date", "2025-13-01"),
        ("--week", "2025-W60"),
        ("--month", "January"),
        ("--date", "2025-01-15", "--week", "2025-W03"),
        ("--days", "0"),
    ],
)
def test_bad_periods_are_usage_errors_before_any_request(
    network: MockNetwork, db_path: Path, args: tuple[str, ...]
) -> None:
    result = network.run("--db", db_path, "fetch", "hf", *args)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert network.requests == []


def test_a_failing_service_is_one_clean_error_and_writes_nothing(
    network: MockNetwork, db_path: Path
) -> None:
    network.handler = lambda request: httpx.Response(503)
    result = network.run("--db", db_path, "fetch", "hf")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines[-1] == "Error: huggingface.co kept failing: HTTP 503 after 5 attempts"
    # Each wait was announced, and none was really slept.
    assert len(lines) == 5 and all("trying again" in line for line in lines[:-1])
    assert network.sleeps == [1.0, 2.0, 4.0, 8.0]
    assert count(db_path) == 0


def test_an_unreachable_network_is_one_clean_error(network: MockNetwork, db_path: Path) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    network.handler = refuse
    result = network.run("--db", db_path, "fetch", "hf")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1].startswith("Error: cannot reach huggingface.co")
    assert "Traceback" not in result.output


def test_one_failed_day_means_no_day_is_saved(network: MockNetwork, db_path: Path) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if len(network.requests) == 3:
            return httpx.Response(404, json={"error": "gone"})
        return httpx.Response(200, json=DAILY)

    network.handler = answer
    result = network.run("--db", db_path, "fetch", "hf", "--days", "5")
    assert result.exit_code == 1
    assert count(db_path) == 0


def test_base_url_comes_from_the_environment(
    network: MockNetwork, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("READER_HF_URL", "http://127.0.0.1:8000")
    network.handler = lambda request: httpx.Response(200, json=[])
    assert network.run("--db", db_path, "fetch", "hf").exit_code == 0
    assert str(network.requests[0].url).startswith("http://127.0.0.1:8000/api/daily_papers")


def hf_item(number: int) -> dict[str, object]:
    return {"paper": {"id": f"2501.{10000 + number}", "title": f"Paper {number}"}}


def endless_new_pages(request: httpx.Request) -> httpx.Response:
    """A server that always has another full page of papers it never sent before."""
    page, size = int(request.url.params["p"]), int(request.url.params["limit"])
    return httpx.Response(200, json=[hf_item(page * size + n) for n in range(size)])


def test_a_day_that_never_ends_saves_what_arrived_and_says_it_stopped(
    network: MockNetwork, db_path: Path
) -> None:
    network.handler = endless_new_pages
    result = network.run("--db", db_path, "fetch", "hf")
    assert result.exit_code == 1
    assert result.stdout == "huggingface.co: 1000 papers: 1000 added, 0 updated, 0 unchanged\n"
    assert result.stderr == (
        "Error: huggingface.co: stopped after 10 pages (1,000 papers) for the latest day: "
        "more than a day can hold\n"
    )
    assert len(network.requests) == 10
    assert count(db_path) == 1000


def test_days_that_stop_early_are_counted_in_one_line(network: MockNetwork, db_path: Path) -> None:
    network.handler = endless_new_pages
    result = network.run("--db", db_path, "fetch", "hf", "--days", "3")
    assert result.exit_code == 1
    assert re.fullmatch(
        r"Error: huggingface\.co: stopped after 10 pages \(1,000 papers\) for "
        r"\d{4}-\d\d-\d\d: more than a day can hold \(and 2 more like it\)\n",
        result.stderr,
    )
    assert count(db_path) == 1000  # the same papers each day: kept once


def test_a_server_too_slow_to_finish_is_announced_then_given_up(
    network: MockNetwork, db_path: Path
) -> None:
    def drip() -> Iterator[bytes]:
        while True:  # a server that never finishes: only the deadline ends this
            yield b" "
            threading.Event().wait(0.02)

    network.handler = lambda request: httpx.Response(200, content=drip())
    network.deadline, network.notice_every = 0.3, 0.1
    result = network.run("--db", db_path, "fetch", "hf")
    assert result.exit_code == 1
    *notices, error = result.stderr.splitlines()
    assert error == "Error: huggingface.co: no complete answer within 0.3 s; the server is too slow"
    assert notices and all(
        re.fullmatch(
            r"huggingface\.co: still receiving the answer \(0\.[12] s, \d+ bytes so far\)…", n
        )
        for n in notices
    ), notices
    assert len(network.requests) == 1 and count(db_path) == 0


# -- fetch arxiv and add -----------------------------------------------------------


def test_fetch_arxiv_imports_every_entry(network: MockNetwork, db_path: Path) -> None:
    network.handler = lambda request: httpx.Response(200, text=ATOM)
    result = network.run(
        "--db", db_path, "fetch", "arxiv", "--query", "all:testing", "--max", "100"
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == "export.arxiv.org: 100 papers: 100 added, 0 updated, 0 unchanged\n"
    (request,) = network.requests
    assert request.url.params["search_query"] == "all:testing"
    assert request.url.host == "export.arxiv.org"
    assert count(db_path) == 100


def test_add_by_id_and_url(network: MockNetwork, db_path: Path) -> None:
    network.handler = lambda request: httpx.Response(200, text=atom_feed("2202.12139"))
    result = network.run("--db", db_path, "add", "https://arxiv.org/abs/2202.12139v1")
    assert result.exit_code == 0, result.output
    assert network.requests[0].url.params["id_list"] == "2202.12139"
    library = open_library(db_path)
    (paper,) = library.papers()
    library.close()
    assert paper.arxiv_id == "2202.12139" and paper.doi == "10.1109/ICSTW55395.2022.00035"


def test_add_adds_only_the_papers_asked_for(network: MockNetwork, db_path: Path) -> None:
    network.handler = lambda request: httpx.Response(200, text=ATOM)  # a server saying too much
    result = network.run("--db", db_path, "add", "2202.12139")
    assert result.stdout == "export.arxiv.org: 1 paper: 1 added, 0 updated, 0 unchanged\n"
    assert count(db_path) == 1


def test_add_names_ids_arxiv_does_not_know_and_adds_nothing(
    network: MockNetwork, db_path: Path
) -> None:
    network.handler = lambda request: httpx.Response(200, text=atom_feed("2202.12139"))
    result = network.run("--db", db_path, "add", "2202.12139", "2501.99999")
    assert result.exit_code == 1
    assert "not found on arXiv: 2501.99999" in result.stderr
    assert count(db_path) == 0


def test_add_refuses_what_is_not_an_id_before_any_request(
    network: MockNetwork, db_path: Path
) -> None:
    result = network.run("--db", db_path, "add", "2202.12139", "not-an-id")
    assert result.exit_code == 1
    assert result.stderr == "Error: not-an-id: not an arXiv id, URL or title id\n"
    assert network.requests == []


def test_a_paper_featured_on_two_days_counts_once(network: MockNetwork, db_path: Path) -> None:
    network.handler = lambda request: httpx.Response(200, json=DAILY[:2])
    result = network.run("--db", db_path, "fetch", "hf", "--days", "3")
    assert result.stdout == "huggingface.co: 2 papers: 2 added, 0 updated, 0 unchanged\n"


def one_entry_pages(request: httpx.Request) -> httpx.Response:
    """arXiv as a server that sends one entry a page out of a promised 10,000."""
    start = int(request.url.params["start"])
    entries = re.findall(r"<entry>.*?</entry>", ATOM, re.DOTALL)
    head = ATOM[: ATOM.index("<entry>")]
    head = re.sub(r"<opensearch:totalResults>\d+<", "<opensearch:totalResults>10000<", head)
    return httpx.Response(200, text=head + entries[start % len(entries)] + "</feed>")


def test_fetch_arxiv_that_gets_fewer_than_asked_saves_them_and_says_so(
    network: MockNetwork, db_path: Path
) -> None:
    network.handler = one_entry_pages
    result = network.run("--db", db_path, "fetch", "arxiv", "-q", "all:testing", "--max", "200")
    assert result.exit_code == 1
    assert result.stdout == "export.arxiv.org: 7 papers: 7 added, 0 updated, 0 unchanged\n"
    assert result.stderr == (
        "Error: export.arxiv.org: got 7 of 200 papers asked for; "
        "stopped after 7 requests: pages came back short or empty\n"
    )
    assert len(network.requests) == 7 and count(db_path) == 7
    # arXiv's spacing was kept (asked for, not slept): before each request but the first.
    assert len(network.sleeps) == 6 and all(0 < wait <= 3.0 for wait in network.sleeps)


# -- the app's f -------------------------------------------------------------------


# -- arXiv's own words (issue 15, items 4 and 5) ----------------------------------

ERROR_FEED = (DATA / "arxiv-error-feed.xml").read_text(encoding="utf-8")
EMPTY_FEED = (DATA / "arxiv-empty-feed.xml").read_text(encoding="utf-8")


def test_importing_an_arxiv_error_feed_shows_arxivs_words_and_fails(db_path: Path) -> None:
    """The real error feed's entry id is https://arxiv.org/api/errors#...: it was
    imported as "0 added, 1 skipped" with exit 0."""
    result = run("--db", db_path, "import", DATA / "arxiv-error-feed.xml")
    assert result.exit_code == 1
    assert "arXiv API error: incorrect id format for abc" in result.output
    assert count(db_path) == 0


@pytest.mark.parametrize("status", [200, 400])
def test_add_shows_arxivs_own_words_for_a_refused_id(
    network: MockNetwork, db_path: Path, status: int
) -> None:
    network.handler = lambda request: httpx.Response(status, text=ERROR_FEED)
    result = network.run("--db", db_path, "add", "2409.11074")
    assert result.exit_code == 1
    assert "incorrect id format for abc" in result.output
    assert "Bad Request" not in result.output
    assert count(db_path) == 0


def test_a_fetch_refused_with_an_error_feed_shows_arxivs_words(
    network: MockNetwork, db_path: Path
) -> None:
    network.handler = lambda request: httpx.Response(400, text=ERROR_FEED)
    result = network.run("--db", db_path, "fetch", "arxiv", "-q", "ti:(")
    assert result.exit_code == 1
    assert "incorrect id format for abc" in result.output


def test_an_empty_arxiv_result_says_so(network: MockNetwork, db_path: Path) -> None:
    network.handler = lambda request: httpx.Response(200, text=EMPTY_FEED)
    result = network.run("--db", db_path, "fetch", "arxiv", "-q", "ti:qqqqzzzz")
    assert result.exit_code == 0
    assert result.output.strip().endswith("no papers match 'ti:qqqqzzzz'")


def test_importing_an_empty_feed_says_so(db_path: Path) -> None:
    result = run("--db", db_path, "import", DATA / "arxiv-empty-feed.xml")
    assert result.exit_code == 0
    assert result.output.strip().endswith("no papers in this file (arxiv); nothing imported")


@pytest.mark.parametrize("query", ["", "   "])
def test_an_empty_arxiv_query_is_a_usage_error(network: MockNetwork, query: str) -> None:
    result = network.run("fetch", "arxiv", "-q", query)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "'--query' / '-q': is empty" in result.output
    assert network.requests == []
