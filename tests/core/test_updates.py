"""Updates to starred papers (issue 19, item 7), without Textual: an import or fetch that
brings a newer arXiv version or a code link records it; ``is:updated`` and ``is:inbox``
find the user's starred ones since the inbox mark; an import undone takes its updates
with it; ``reader list`` tells them (the digest: test_digest_updates.py)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

import reader.store.imports as imports_module
from reader.asked import asked
from reader.cli import main
from reader.models import Paper, PaperUpdate
from reader.search import Query, SearchIndex
from reader.search.direct import DirectSearch, found_rows
from reader.store import INBOX, Library, LibraryError, clock, open_library
from reader.updates import badge, lines
from tests.support.chunks import assert_whole
from tests.support.network import ATOM, DAILY, MockNetwork, atom_feed
from tests.support.store import new_papers
from tests.support.updates import T0, cli, pid, three_papers


@pytest.fixture
def at(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    """Set the store's clock to a time."""
    return lambda when: monkeypatch.setattr(clock, "now", lambda: when)


@pytest.fixture
def lib(empty_library: Library, at: Callable[[str], None]) -> Library:
    """Three papers at version 1, none with code, imported at T0 (the clock left there)."""
    at(T0)
    return three_papers(empty_library)


def rows(library: Library) -> list[tuple[Any, ...]]:
    return library.db.execute(
        "SELECT paper_id, kind, at, old, new FROM paper_updates ORDER BY rowid"
    ).fetchall()


def search(library: Library, user: str, text: str) -> list[int]:
    """What the filter finds for ``user``, the inbox read as every command reads it."""
    query = Query.parse(text)
    needs = asked(library, user, query)
    index = SearchIndex(library.listing(), library.words())
    return index.search(
        query, library.annotations(user), None, needs.new, needs.lab, updated=needs.updated
    )


# -- detection ------------------------------------------------------------------------


def test_a_newer_version_and_new_code_are_recorded(lib: Library, at: Callable[[str], None]) -> None:
    one, two = pid(lib, "2512.00001"), pid(lib, "2512.00002")
    assert rows(lib) == []  # a paper's first import is no update
    at("2026-12-04T09:00:00+00:00")
    lib.import_papers(
        [
            Paper("Paper 1", "2512.00001", arxiv_version=3),
            Paper("Paper 2", "2512.00002", github_url="https://github.com/x/y"),
            Paper("Paper 4", "2512.00004", arxiv_version=2, github_url="https://github.com/n/n"),
        ]
    )
    assert rows(lib) == [
        (one, "version", "2026-12-04T09:00:00+00:00", "1", "3"),
        (two, "code", "2026-12-04T09:00:00+00:00", None, "https://github.com/x/y"),
    ]
    assert lib.updates_of([one, two]) == {
        one: (PaperUpdate(one, "version", "2026-12-04T09:00:00+00:00", "1", "3"),),
        two: (
            PaperUpdate(two, "code", "2026-12-04T09:00:00+00:00", None, "https://github.com/x/y"),
        ),
    }


@pytest.mark.parametrize(
    ("incoming", "why"),
    [
        (Paper("Paper 1", "2512.00001", arxiv_version=1, upvotes=5), "the same version"),
        (Paper("Paper 1", "2512.00001", upvotes=9), "no version said"),
        (Paper("Paper 1 older", "2512.00001", arxiv_version=1), "the same version, new title"),
    ],
)
def test_what_is_no_update(lib: Library, incoming: Paper, why: str) -> None:
    lib.import_papers([incoming])
    assert rows(lib) == [], why


def test_an_older_version_a_version_first_learned_and_another_link_are_no_update(
    empty_library: Library,
) -> None:
    empty_library.import_papers(
        [
            Paper("A", "2512.00001", arxiv_version=3, github_url="https://github.com/a/a"),
            Paper("B", "2512.00002"),
        ]
    )
    empty_library.import_papers(
        [
            Paper("A", "2512.00001", arxiv_version=2, github_url="https://github.com/b/b"),
            Paper("B", "2512.00002", arxiv_version=4),  # its version was not known
        ]
    )
    assert rows(empty_library) == []


def test_a_paper_met_twice_in_one_import_is_one_update(lib: Library) -> None:
    lib.import_papers(
        [
            Paper("Paper 1", "2512.00001", arxiv_version=2),
            Paper("Paper 1", "2512.00001", arxiv_version=4),
        ]
    )
    assert [(kind, old, new) for _id, kind, _at, old, new in rows(lib)] == [("version", "1", "4")]


# -- is:updated, per user, since the mark ----------------------------------------------


def test_is_updated_is_the_users_starred_papers_updated_since_the_mark(
    lib: Library, at: Callable[[str], None]
) -> None:
    one, two, three = (pid(lib, f"2512.0000{n}") for n in (1, 2, 3))
    lib.set_starred("ana", one, True)
    lib.set_starred("ana", two, True)
    lib.set_starred("bo", three, True)
    at("2026-12-02T08:00:00+00:00")
    lib.mark_looked("ana")
    at("2026-12-03T08:00:00+00:00")
    lib.import_papers(
        [
            Paper("Paper 1", "2512.00001", arxiv_version=2),
            Paper("Paper 3", "2512.00003", arxiv_version=2),
        ]
    )
    assert search(lib, "ana", "is:updated") == [one]  # two has no update, three is bo's
    assert search(lib, "bo", "is:updated") == [three]  # bo never looked: any update
    assert set(search(lib, "ana", "-is:updated")) == set(lib.order()) - {one}
    # Unstarred: not ana's update any more.
    lib.set_starred("ana", one, False)
    assert search(lib, "ana", "is:updated") == []
    lib.set_starred("ana", one, True)
    # Inbox done: seen. Put back (z): unseen again.
    at("2026-12-03T09:00:00+00:00")
    before, _ = lib.mark_looked("ana")
    assert search(lib, "ana", "is:updated") == []
    lib.set_looked("ana", INBOX, before)
    assert search(lib, "ana", "is:updated") == [one]


def test_inbox_done_sees_updates_made_after_the_newest_paper(
    lib: Library, at: Callable[[str], None]
) -> None:
    """An update with no new paper (a fetch that brings only a v2): marking the inbox
    done sees it, though the newest paper came in before it."""
    one = pid(lib, "2512.00001")
    lib.set_starred("ana", one, True)
    at("2026-12-03T08:00:00+00:00")
    lib.import_papers([Paper("Paper 1", "2512.00001", arxiv_version=2)])
    assert search(lib, "ana", "is:updated") == [one]
    at("2026-12-03T08:05:00+00:00")
    lib.mark_looked("ana")
    assert search(lib, "ana", "is:updated") == []
    assert search(lib, "ana", "is:new") == []
    # A paper that comes later is new, an update later is unseen.
    at("2026-12-03T08:10:00+00:00")
    lib.import_papers(
        [Paper("Paper 1", "2512.00001", arxiv_version=3), Paper("Later", "2512.09999")]
    )
    later = pid(lib, "2512.09999")
    assert search(lib, "ana", "is:updated") == [one]
    assert search(lib, "ana", "is:new") == [later]


def test_an_update_in_the_marks_very_second_is_told_apart(lib: Library) -> None:
    """An import in chunks writes every update at its start time: one written after
    the user marked the inbox done, in that very second, is still unseen."""
    one, two = pid(lib, "2512.00001"), pid(lib, "2512.00002")
    lib.set_starred("ana", one, True)
    lib.set_starred("ana", two, True)
    lib.import_papers([Paper("Paper 1", "2512.00001", arxiv_version=2)])  # all at T0
    lib.mark_looked("ana")
    assert search(lib, "ana", "is:updated") == []
    lib.import_papers([Paper("Paper 2", "2512.00002", arxiv_version=2)])  # T0 again
    assert search(lib, "ana", "is:updated") == [two]
    # A mark from before updates (schema 11's, upgraded: no update number): every
    # update is unseen, none is lost.
    lib.db.execute("UPDATE looked SET last_update = 0 WHERE view = 'inbox'")
    assert sorted(search(lib, "ana", "is:updated")) == sorted([one, two])


def test_an_update_dated_before_the_mark_but_written_after_it_is_unseen(
    lib: Library, at: Callable[[str], None]
) -> None:
    """A chunked import that began at 10:03 writes its next chunk's updates dated
    10:03, after the user marked at 10:06 the papers another fetch brought at 10:05."""
    one = pid(lib, "2512.00001")
    lib.set_starred("ana", one, True)
    at("2026-12-01T10:05:00+00:00")
    lib.import_papers([Paper("Brand new", "2512.00009", arxiv_version=1)])
    at("2026-12-01T10:06:00+00:00")
    lib.mark_looked("ana")
    at("2026-12-01T10:03:00+00:00")
    lib.import_papers([Paper("Paper 1", "2512.00001", arxiv_version=2)])
    assert search(lib, "ana", "is:updated") == [one]
    assert list(lib.updates_since(lib.looked("ana"))) == [one]


def test_is_inbox_holds_new_and_updated_papers_each_once(
    lib: Library, at: Callable[[str], None]
) -> None:
    one = pid(lib, "2512.00001")
    lib.set_starred("ana", one, True)
    at("2026-12-02T08:00:00+00:00")
    lib.mark_looked("ana")
    at("2026-12-03T08:00:00+00:00")
    lib.import_papers([Paper("New one", "2512.00009", arxiv_version=1)])
    new = pid(lib, "2512.00009")
    lib.set_starred("ana", new, True)
    at("2026-12-03T09:00:00+00:00")
    lib.import_papers(
        [
            Paper("Paper 1", "2512.00001", arxiv_version=2),
            Paper("New one", "2512.00009", arxiv_version=2),  # new, and updated since
        ]
    )
    found = search(lib, "ana", "is:inbox")
    assert sorted(found) == sorted({one, new}) and len(found) == 2
    assert set(search(lib, "ana", "-is:inbox")) == set(lib.order()) - {one, new}
    # Never looked: every paper is in the inbox.
    assert search(lib, "bo", "is:inbox") == lib.order()


def test_direct_search_answers_is_updated_as_the_index_does(
    lib: Library, at: Callable[[str], None]
) -> None:
    one, two = pid(lib, "2512.00001"), pid(lib, "2512.00002")
    lib.set_starred("ana", one, True)
    lib.set_starred("ana", two, True)
    at("2026-12-03T08:00:00+00:00")
    lib.import_papers([Paper("Paper 1", "2512.00001", arxiv_version=2)])
    updated = set(lib.updates_since(None))
    marks = lib.annotations("ana")
    for text in ("is:updated", "-is:updated", "paper is:updated", "is:updated is:starred"):
        words = lib.words()
        found = DirectSearch(words).search(Query.parse(text), marks, updated=updated)
        direct = [p.id for batch in found_rows(found, lib) for p in batch]
        words.close()
        assert direct == search(lib, "ana", text), text


# -- an import undone ------------------------------------------------------------------


def versioned(count: int, start: int = 1) -> list[Paper]:
    return [replace(p, arxiv_version=1) for p in new_papers(count, start)]


def bumped(library: Library) -> list[Paper]:
    """Every paper of ``library`` at a newer version, with code, then new papers: an
    import of more than a thousand, so it commits in chunks."""
    changed = [
        replace(p, id=None, arxiv_version=2, github_url=f"https://github.com/a/{n}")
        for n, p in enumerate(library.papers())
    ]
    return [*changed, *versioned(6_000, start=100)]


def failing_third(message: str) -> Callable[..., None]:
    """The import's insert of new rows, failing with ``message`` on its third chunk."""
    calls: list[int] = []
    real = imports_module._insert

    def insert(*args: Any) -> None:
        calls.append(1)
        if len(calls) == 3:
            raise LibraryError(message)
        real(*args)

    return insert


@pytest.fixture
def bigger(empty_library: Library) -> Iterator[Library]:
    empty_library.import_papers(versioned(50))
    yield empty_library


@pytest.mark.usefixtures("ticking_clock")
def test_an_import_that_fails_midway_takes_its_updates_with_it(
    bigger: Library, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A first update that stands: a small import of its own.
    first = bigger.papers()[0]
    bigger.import_papers([replace(first, id=None, arxiv_version=5)])
    kept = rows(bigger)
    assert len(kept) == 1
    monkeypatch.setattr(imports_module, "_insert", failing_third("database or disk is full"))
    with pytest.raises(LibraryError, match="disk is full"):
        bigger.import_papers(bumped(bigger))
    assert rows(bigger) == kept
    assert all(p.arxiv_version in (1, 5) and not p.github_url for p in bigger.papers())
    assert_whole(db_path)


@pytest.mark.usefixtures("ticking_clock")
def test_an_import_whose_process_died_is_undone_with_its_updates_by_the_next_open(
    bigger: Library, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def cannot_undo(*args: Any) -> None:
        raise LibraryError("the process died before it could undo")

    monkeypatch.setattr(imports_module, "_insert", failing_third("killed"))
    monkeypatch.setattr(imports_module, "undo_imports", cannot_undo)
    with pytest.raises(LibraryError, match="killed"):
        bigger.import_papers(bumped(bigger))
    assert rows(bigger)  # the chunks in: their updates too
    bigger.close()
    monkeypatch.undo()
    library = open_library(db_path)  # recovers
    try:
        assert rows(library) == []
        assert all(p.arxiv_version == 1 and not p.github_url for p in library.papers())
    finally:
        library.close()
    assert_whole(db_path)


@pytest.mark.usefixtures("ticking_clock")
def test_an_import_in_chunks_that_stands_keeps_its_updates(bigger: Library) -> None:
    bigger.import_papers(bumped(bigger))
    assert len(rows(bigger)) == 100  # a version and code for each of the 50


# -- the words a user reads -------------------------------------------------------------


def test_the_badge_and_the_lines() -> None:
    v = PaperUpdate(1, "version", "2026-12-03T08:00:00+00:00", "2", "3")
    v2 = PaperUpdate(1, "version", "2026-12-04T08:00:00+00:00", "3", "4")
    code = PaperUpdate(1, "code", "2026-12-04T09:00:00+00:00", None, "https://github.com/x/y")
    assert badge([v]) == "↑v3" and badge([code]) == "↑code" and badge([v, v2, code]) == "↑v4+code"
    assert lines([v, v2, code]) == [
        ("version", "Updated: arXiv v4 (was v2), 2026-12-04"),
        ("code", "Code: github.com/x/y, appeared 2026-12-04"),
    ]
    hostile = PaperUpdate(1, "code", "2026-12-04", None, "https://github.com/\x1b[31mx\n[b]y")
    assert lines([hostile]) == [("code", "Code: github.com/[31mx [b]y, appeared 2026-12-04")]


# -- reader fetch, reader list, reader digest ---------------------------------------------


def test_reader_fetch_brings_a_newer_version_and_code(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    network = MockNetwork()
    network.handler = lambda request: httpx.Response(200, text=atom_feed("2202.12139"))
    assert network.run("--db", db_path, "add", "2202.12139").exit_code == 0
    network.handler = lambda request: httpx.Response(200, json=DAILY)
    assert network.run("--db", db_path, "fetch", "hf").exit_code == 0
    library = open_library(db_path)
    arxiv, titan = pid(library, "2202.12139"), pid(library, "2501.00663")
    library.set_starred("ana", arxiv, True)
    library.set_starred("ana", titan, True)
    library.close()
    assert rows_of(db_path) == []
    # arXiv has a v2 now; Hugging Face has learned Titans' code.
    newer = atom_feed("2202.12139").replace("/abs/2202.12139v1", "/abs/2202.12139v2")
    network.handler = lambda request: httpx.Response(200, text=newer)
    assert network.run("--db", db_path, "add", "2202.12139").exit_code == 0
    daily = json.loads(json.dumps(DAILY))
    for item in daily:
        if item["paper"]["id"] == "2501.00663":
            item["paper"]["githubRepo"] = "https://github.com/lucidrains/titans"
    network.handler = lambda request: httpx.Response(200, json=daily)
    assert network.run("--db", db_path, "fetch", "hf").exit_code == 0
    assert [(paper_id, kind, old, new) for paper_id, kind, _at, old, new in rows_of(db_path)] == [
        (arxiv, "version", "1", "2"),
        (titan, "code", None, "https://github.com/lucidrains/titans"),
    ]
    listed = cli(db_path, "list", "is:updated").splitlines()
    assert [line.split("\t")[0] for line in listed] == ["2501.00663", "2202.12139"]
    assert cli(db_path, "list", "is:updated", user="bo") == ""  # bo starred nothing
    assert ATOM  # the shared response the feed was cut from


def rows_of(db: Path) -> list[tuple[Any, ...]]:
    library = open_library(db)
    try:
        return rows(library)
    finally:
        library.close()


def test_reader_list_json_gives_each_papers_updates(
    lib: Library, db_path: Path, at: Callable[[str], None]
) -> None:
    one = pid(lib, "2512.00001")
    lib.set_starred("ana", one, True)
    at("2026-12-04T09:00:00+00:00")
    lib.import_papers([Paper("Paper 1", "2512.00001", arxiv_version=2)])
    items = {item["arxiv_id"]: item for item in json.loads(cli(db_path, "list", "--json"))}
    assert items["2512.00001"]["updates"] == [
        {"kind": "version", "at": "2026-12-04T09:00:00+00:00", "old": "1", "new": "2"}
    ]
    assert items["2512.00001"]["updated"] is True
    assert items["2512.00002"]["updates"] == [] and items["2512.00002"]["updated"] is False
    (only,) = json.loads(cli(db_path, "list", "--json", "is:updated"))
    assert only["arxiv_id"] == "2512.00001"


def test_reader_remove_finds_the_inbox_as_reader_list_does(
    lib: Library, db_path: Path, at: Callable[[str], None]
) -> None:
    one = pid(lib, "2512.00001")
    lib.set_starred("ana", one, True)
    at("2026-12-02T08:00:00+00:00")
    lib.mark_looked("ana")
    at("2026-12-03T08:00:00+00:00")
    lib.import_papers([Paper("Paper 1", "2512.00001", arxiv_version=2)])
    cli(db_path, "remove", "--query", "is:inbox", "--yes")
    assert lib.count() == 2 and lib.paper(one) is None  # not every paper: the inbox's one
    # Nothing came in since the mark: is:new finds nothing (it once found every paper).
    result = CliRunner().invoke(
        main, ["--db", str(db_path), "--user", "ana", "remove", "--query", "is:new", "--yes"]
    )
    assert result.exit_code == 1 and "no paper matches" in result.output
    assert lib.count() == 2
