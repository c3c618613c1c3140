"""The inbox, without Textual: each user's "last looked" mark, is:new, undo, and
``reader list is:new``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from reader.cli import main
from reader.models import Paper
from reader.search import Query, SearchIndex
from reader.store import INBOX, Library, clock
from reader.triage import Triage, WriteNow


def arrive(library: Library, monkeypatch: pytest.MonkeyPatch, when: str, *titles: str) -> set[int]:
    """Papers that come into the library at ``when``: their ids."""
    monkeypatch.setattr(clock, "now", lambda: when)
    library.import_papers([Paper(title, f"2512.{n:05d}") for n, title in enumerate(titles, 1)])
    return {p.id for p in library.papers() if p.title in titles and p.id is not None}


def test_a_user_who_never_looked_has_everything_new(library: Library) -> None:
    assert library.looked("ana") is None
    assert library.new_since(library.looked("ana")) is None  # every paper


def test_marking_the_inbox_done_makes_only_later_papers_new(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    before, now = library.mark_looked("ana")
    assert before is None and now is not None
    assert library.new_since(library.looked("ana")) == set()
    later = arrive(library, monkeypatch, "2099-01-01T08:00:00+00:00", "Arrived A", "Arrived B")
    assert library.new_since(library.looked("ana")) == later
    # Bo never looked: everything is new to him; the inbox is not another view.
    assert library.looked("bo") is None and library.looked("ana", "starred") is None
    # Done again: nothing new; put back (an undo), the two are new again.
    again, _ = library.mark_looked("ana")
    assert library.new_since(library.looked("ana")) == set()
    library.set_looked("ana", INBOX, again)
    assert library.new_since(library.looked("ana")) == later


def test_inbox_done_is_undone_with_z(library: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    said: list[str] = []
    triage = Triage(
        library,
        "ana",
        submit=WriteNow(library),
        report=lambda outcome: said.append(outcome.notice.message if outcome.notice else ""),
    )
    triage.read()
    triage.mark_inbox_done(39)
    assert said[-1] == "Inbox done: 39 papers seen; what comes in next is new."
    assert library.looked("ana") is not None
    triage.undo()
    assert library.looked("ana") is None and said[-1] == "Undone: inbox done."


def test_is_new_finds_what_came_in(library: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    library.mark_looked("ana")
    later = arrive(library, monkeypatch, "2099-01-01T08:00:00+00:00", "Arrived later")
    index = SearchIndex(library.listing(), library.words())
    new = library.new_since(library.looked("ana"))
    assert index.search(Query.parse("is:new"), {}, None, new) == sorted(later)
    assert set(index.search(Query.parse("-is:new"), {}, None, new)) == set(library.order()) - later
    # Never looked: every paper is new.
    assert index.search(Query.parse("is:new"), {}, None, None) == library.order()


def test_reader_list_is_new(
    library: Library, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def listed(*args: str) -> list[str]:
        result = CliRunner().invoke(main, ["--db", str(db_path), "--user", "ana", "list", *args])
        assert result.exit_code == 0, result.output
        return result.output.splitlines()

    assert len(listed("is:new")) == 39
    library.mark_looked("ana")
    assert listed("is:new") == []
    arrive(library, monkeypatch, "2099-01-01T08:00:00+00:00", "Arrived later")
    assert [line.split("\t")[-1] for line in listed("is:new")] == ["Arrived later"]
    found = json.loads("\n".join(listed("is:new", "--json")))
    assert [paper["title"] for paper in found] == ["Arrived later"]


def test_a_paper_of_the_same_second_or_after_a_removal_is_still_new(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, mark = library.mark_looked("ana")
    assert mark is not None
    # Came in the very second of the newest paper the mark saw.
    same = arrive(library, monkeypatch, mark[0], "Same second")
    assert library.new_since(library.looked("ana")) == same
    library.mark_looked("ana")
    # The newest paper removed: the next one is new whatever id it gets.
    library.remove_papers(sorted(same))
    again = arrive(library, monkeypatch, "2099-02-01T08:00:00+00:00", "After a removal")
    assert library.new_since(library.looked("ana")) == again


def test_a_paper_from_hugging_face_and_from_arxiv_is_new_once(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    library.mark_looked("ana")
    monkeypatch.setattr(clock, "now", lambda: "2099-01-01T08:00:00+00:00")
    library.import_papers([Paper("Seen on Hugging Face", "2512.00042", upvotes=12)])
    monkeypatch.setattr(clock, "now", lambda: "2099-01-01T09:00:00+00:00")
    library.import_papers(
        [Paper("Seen on Hugging Face", "2512.00042", abstract="From arXiv", categories=("cs.LG",))]
    )
    new = library.new_since(library.looked("ana"))
    assert new is not None and len(new) == 1
    paper = library.paper(next(iter(new)))
    assert paper is not None and paper.upvotes == 12 and paper.categories == ("cs.LG",)
