"""The lab (issue 19, item 6), without Textual: several users of one library seeing
each other's stars and tags, the notes their authors share and never the others,
``[lab] private``, the terms starred-by: and lab:, and the digest's lab group."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from reader.cli import main
from reader.digest import LAB_GROUP
from reader.lab import Lab
from reader.search import Query, SearchIndex
from reader.store import Library, clock
from reader.store.lab import LabMark

# A word in bo's note that bo never shared: nobody else may ever read it.
SECRET = "zanzibarquokka"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def lab(library: Library, monkeypatch: pytest.MonkeyPatch) -> Iterator[Library]:
    """The sample, used by ana, bo, cy and bob (a name that starts like bo's):
    bo and cy star the first paper; bo the second too, with a note he shares on it
    and one he does not on the first; cy tags the third; bob stars the fourth."""
    first, second, third, fourth = library.order()[:4]
    monkeypatch.setattr(clock, "now", lambda: "2026-12-01T10:00:00+00:00")
    library.set_starred_many("bo", [first, second], True)
    library.set_starred_many("cy", [first], True)
    library.set_starred_many("bob", [fourth], True)
    library.set_note("bo", first, f"my own thoughts: {SECRET}")
    library.set_note("bo", second, "worth a read for the ablations")
    assert library.share_note("bo", second, True)
    library.change_tags("cy", [third], add=["survey"])
    library.set_starred_many("ana", [second], True)
    monkeypatch.undo()
    yield library


def ids(library: Library) -> list[int]:
    return library.order()[:4]


def test_each_user_sees_the_others_stars_tags_and_shared_notes_only(lab: Library) -> None:
    first, second, third, fourth = ids(lab)
    assert lab.lab_stars("ana") == {
        first: ("bo", "cy"),
        second: ("ana", "bo"),
        fourth: ("bob",),
    }
    assert lab.lab_marks("ana", first) == [
        LabMark("bo", True, (), ""),  # a note bo did not share: not even read
        LabMark("cy", True, (), ""),
    ]
    assert lab.lab_marks("ana", second) == [
        LabMark("bo", True, (), "worth a read for the ablations")
    ]
    assert lab.lab_marks("ana", third) == [LabMark("cy", False, ("survey",), "")]
    # Your own marks are not the lab's.
    assert all(mark.user != "bo" for mark in lab.lab_marks("bo", first))
    # A note deleted stops being shared: the next one is bo's own until he shares it.
    lab.set_note("bo", second, "")
    lab.set_note("bo", second, "new thoughts")
    assert lab.lab_marks("ana", second) == [LabMark("bo", True, (), "")]
    assert not lab.share_note("ana", third, True)  # no note to share


def test_a_private_user_is_never_seen_by_the_others(lab: Library) -> None:
    first, second, *_ = ids(lab)
    lab.join_lab("bo", private=True)
    assert lab.lab_members() == [("bo", True)]
    assert lab.lab_stars("ana")[first] == ("cy",)
    assert lab.lab_stars("ana")[second] == ("ana",)
    assert all(mark.user != "bo" for mark in lab.lab_marks("ana", second))
    assert lab.lab_starred_since("ana", None) == {first, ids(lab)[3]}
    # bo still sees his own, and the others'.
    assert lab.lab_stars("bo")[first] == ("bo", "cy")
    lab.join_lab("bo", private=False)
    assert lab.lab_stars("ana")[first] == ("bo", "cy")
    # A user set down nowhere shares: nothing is written for them.
    lab.join_lab("cy", private=False)
    assert lab.lab_members() == [("bo", False)]


def test_starred_by_and_lab_terms(lab: Library) -> None:
    first, second, third, fourth = ids(lab)
    found = Lab("ana", lab.lab_stars("ana"))
    assert found.mates(second) == ("bo",) and found.count(first) == 2
    index = SearchIndex(lab.papers())
    marks = lab.annotations("ana")

    def search(text: str) -> list[int]:
        query = Query.parse(text)
        assert not query.errors, query.errors
        return index.search(query, marks, None, None, found)

    assert search("starred-by:bo") == [first, second]
    assert search("starred-by:BO") == [first, second]  # names: case does not matter
    assert search("starred-by:bob") == [fourth]  # "bo" is not "bob"
    assert search("starred-by:ana") == [second]  # your own stars
    assert search("lab:>=2") == [first]
    assert search("lab:1") == [second, fourth]
    assert set(search("lab:0")) == set(lab.order()) - {first, second, fourth}
    assert search("lab:>=1 -starred-by:cy") == [second, fourth]
    assert third not in search("lab:>=1")
    assert Query.parse("starred-by:").errors == (
        "starred-by: needs a user's name, e.g. starred-by:ana",
    )
    assert Query.parse("lab:many").errors == ("lab: needs a number of lab mates, e.g. lab:>=2",)
    assert Query.parse("starredby:bo").errors == (
        "unknown field 'starredby:' — did you mean starred-by:?",
    )
    # A hyphenated word with a colon that is no field stays text.
    assert Query.parse("state-of-art:x").words == ("state-of-art:x",)


def run(db: Path, *args: str, user: str = "ana") -> str:
    result = CliRunner().invoke(main, ["--db", str(db), "--user", user, *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_reader_list_knows_the_lab(lab: Library, db_path: Path) -> None:
    first = ids(lab)[0]
    short = {p.id: p.short_id for p in lab.listing()}
    lines = run(db_path, "list", "lab:>=2").splitlines()
    assert [line.split("\t")[0] for line in lines] == [short[first]]
    listed = json.loads(run(db_path, "list", "starred-by:bo", "--json"))
    assert [item["lab"] for item in listed] == [["bo", "cy"], ["bo"]]
    assert [item["note"] for item in listed] == ["", ""]  # ana's own notes: none


def test_an_unshared_note_is_never_readable_by_another_user(lab: Library, db_path: Path) -> None:
    """Through every query, export and digest ana can run."""
    outputs = [
        run(db_path, "list", SECRET),
        run(db_path, "list", "--json"),
        run(db_path, "list", "starred-by:bo", "--json"),
        run(db_path, "list", "has:note", "--json"),
        run(db_path, "digest", "--format", "markdown"),
        run(db_path, "digest", "--format", "atom"),
        run(db_path, "stats", "--json"),
    ]
    for fmt in ("json", "markdown", "bibtex", "csv"):
        outputs.append(run(db_path, "export", "--all", "--format", fmt))
    assert all(SECRET not in output for output in outputs)
    assert run(db_path, "list", SECRET) == ""
    # bo himself finds it.
    assert run(db_path, "list", "has:note", user="bo").count("\n") == 2


def test_the_digest_groups_what_the_lab_starred(
    lab: Library, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second, *_ = ids(lab)
    # The papers came in on the 2nd, after the lab's first stars; cy starred one more
    # before ana looked, an hour later: seen then, not news.
    lab.db.execute("UPDATE papers SET added_at = '2026-12-02T10:00:00+00:00'")
    monkeypatch.setattr(clock, "now", lambda: "2026-12-02T10:30:00+00:00")
    lab.set_starred_many("cy", [ids(lab)[3]], True)
    monkeypatch.setattr(clock, "now", lambda: "2026-12-02T11:00:00+00:00")
    lab.mark_looked("ana")
    # After ana's look: a new star by cy on an old paper, and one by bob, private.
    monkeypatch.setattr(clock, "now", lambda: "2026-12-03T10:00:00+00:00")
    lab.set_starred_many("cy", [second], True)
    lab.set_starred_many("bob", [ids(lab)[2]], True)
    lab.join_lab("bob", private=True)
    monkeypatch.undo()
    text = run(db_path, "digest", "--format", "markdown")
    title = {p.id: p.title for p in lab.papers()}
    assert f"## {LAB_GROUP}" in text
    lab_part = text.split(f"## {LAB_GROUP}")[1].split("## ")[0]
    assert title[second][:30] in lab_part and "★ bo, cy" in lab_part
    assert title[first][:30] not in text  # starred before ana looked
    assert title[ids(lab)[3]][:30] not in text
    assert "bob" not in text
    feed = ET.fromstring(run(db_path, "digest", "--format", "atom"))
    [entry] = feed.findall(f"{ATOM}entry")
    assert entry.find(f"{ATOM}category").get("term") == LAB_GROUP  # type: ignore[union-attr]


def test_the_lab_is_read_again_when_two_users_swap_their_privacy(lab: Library) -> None:
    lab.join_lab("bo", private=True)
    lab.join_lab("cy", private=True)
    lab.join_lab("cy", private=False)
    before = lab.lab_stamp("ana")
    lab.join_lab("bo", private=False)
    lab.join_lab("cy", private=True)
    assert lab.lab_stamp("ana") != before


def test_every_query_that_takes_the_filter_language_knows_the_lab(
    lab: Library, db_path: Path
) -> None:
    """reader export --query and reader digest --query, as reader list does."""
    first = ids(lab)[0]
    title = {p.id: p.title for p in lab.papers()}
    exported = json.loads(run(db_path, "export", "--query", "lab:>=2", "--format", "json"))
    assert [paper["title"] for paper in exported["papers"]] == [title[first]]
    rest = json.loads(run(db_path, "export", "--query", "-lab:>=1", "--format", "json"))
    assert len(rest["papers"]) == lab.count() - 3
    digest = run(db_path, "digest", "--since", "2000-01-01", "--query", "starred-by:cy")
    assert title[first][:30] in digest and digest.count("\n- **") == 1


def test_an_import_sets_down_the_users_privacy_as_the_app_does(
    lab: Library, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A user who only runs reader from cron is kept private too."""
    config = tmp_path / "config.toml"
    config.write_text("[lab]\nprivate = true\n", encoding="utf-8")
    monkeypatch.setenv("READER_CONFIG", str(config))
    feed = Path(__file__).parent.parent / "data" / "arxiv-query-testing.xml"
    run(db_path, "import", str(feed), user="bo")
    assert lab.lab_members() == [("bo", True)]
    listed = json.loads(run(db_path, "list", "lab:>=1", "--json"))
    assert all("bo" not in item["lab"] for item in listed) and len(listed) == 2  # cy's, bob's


def test_export_query_answers_the_inbox_terms_as_reader_list_does(
    lab: Library, db_path: Path
) -> None:
    from reader.models import Paper

    lab.mark_looked("ana")
    lab.import_papers([Paper("Came in after the look", "2612.00001")])
    exported = json.loads(run(db_path, "export", "--query", "is:new", "--format", "json"))
    assert [paper["title"] for paper in exported["papers"]] == ["Came in after the look"]
    assert run(db_path, "list", "is:new").split("\t")[-1].strip() == "Came in after the look"
