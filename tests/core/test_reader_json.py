"""The reader's own JSON and JSON Lines export, read back: shapes, versions, round trip."""

from __future__ import annotations

import contextlib
import copy
import json
import random
import re
from dataclasses import fields, replace
from typing import Any

import pytest

from reader.models import Paper
from reader.sources import Batch, ImportedMark, SourceError
from reader.sources.reader_json import (
    looks_like_reader_json,
    paper_to_json,
    parse_reader_json,
    parse_reader_jsonl,
)
from tests.support import json_fuzz
from tests.support.data import DATA
from tests.support.store import FULL

UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
RSTAR = "rStar-Math: Small LLMs Can Master Math Reasoning with Self-Evolved Deep Thinking"
RAM = "RAM++: Robust Representation Learning via Adaptive Mask for All-in-One Image Restoration"


def load(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def parse(data: object) -> Batch:
    return parse_reader_json(data, source="export.json")


def jsonl(*values: object) -> str:
    return "\n".join(v if isinstance(v, str) else json.dumps(v) for v in values) + "\n"


def doc(*papers: object, **header: Any) -> dict[str, Any]:
    return {"format": "reader", "version": 1, **header, "papers": list(papers)}


# --- paper_to_json and the round trip ----------------------------------------------


def test_full_paper_sets_every_field() -> None:
    # A new Paper field must be set here, so the round trip below covers it.
    unset = [f.name for f in fields(Paper) if getattr(FULL, f.name) == f.default]
    assert unset == []


def test_paper_to_json_holds_every_field_but_the_row_id() -> None:
    out = paper_to_json(FULL)
    assert set(out) == {f.name for f in fields(Paper)} - {"id"}
    assert out["authors"] == ["JiaKui Hu", "Lujia Jin", "Zhengjian Yao", "Yanye Lu"]
    assert out["categories"] == ["cs.CV", "cs.AI"]
    assert out["arxiv_version"] == 3
    json.dumps(out)  # plain JSON values only


def test_round_trip_of_a_full_paper() -> None:
    text = json.dumps(doc(paper_to_json(FULL)))
    batch = parse(json.loads(text))
    assert batch.papers == [replace(FULL, id=None)]
    assert batch.skipped == 0


def test_round_trip_of_a_minimal_paper() -> None:
    minimal = Paper(title="Only a title")
    assert parse(doc(paper_to_json(minimal))).papers == [minimal]


def test_round_trip_through_json_lines() -> None:
    text = jsonl({"format": "reader", "version": 1}, paper_to_json(FULL), paper_to_json(FULL))
    batch = parse_reader_jsonl(text, source="export.jsonl")
    assert batch.papers == [replace(FULL, id=None)] * 2


def test_round_trip_of_a_year_only_date_and_old_style_id() -> None:
    old = Paper(title="Anti de Sitter Space and Holography", arxiv_id="hep-th/9802150")
    old = replace(old, published="1998", arxiv_version=2)
    assert parse(doc(paper_to_json(old))).papers == [old]


# --- the fixtures ------------------------------------------------------------------


def check_fixture_papers(batch: Batch) -> None:
    rstar, ram, witten = batch.papers
    assert batch.skipped == 1  # the paper object with an empty title
    assert rstar.title == RSTAR
    assert (rstar.arxiv_id, rstar.arxiv_version, rstar.upvotes) == ("2501.04519", 2, 246)
    assert (rstar.published, rstar.updated, rstar.featured) == (
        "2025-01-08",
        "2025-01-10",
        "2025-01-09",
    )
    assert rstar.authors == ("Xinyu Guan", "Li Lyna Zhang", "Yifei Liu")
    assert rstar.categories == ("cs.CL", "cs.LG")
    assert (rstar.primary_category, rstar.comment) == ("cs.CL", "25 pages")
    assert (rstar.num_comments, rstar.github_stars) == (12, 4521)
    assert rstar.github_url == "https://github.com/microsoft/rStar"
    assert rstar.url == "https://www.microsoft.com/en-us/research/project/rstar-math/"
    assert rstar.ai_keywords == ("Monte Carlo Tree Search", "process reward model")
    assert rstar.id is None
    # No arXiv id: kept, keyed by its title; an unknown key is passed over.
    assert (ram.title, ram.arxiv_id, ram.author_count, ram.authors) == (RAM, None, 7, ())
    assert witten.arxiv_id == "hep-th/9802150"
    assert (witten.published, witten.doi) == ("1998", "10.4310/ATMP.1998.v2.n2.a2")
    assert witten.journal_ref == "Adv.Theor.Math.Phys.2:253-291,1998"
    assert witten.upvotes is None  # a key left out is a field left empty


# rStar's marks; the untitled paper's star goes with it.
FIXTURE_MARKS = (
    ImportedMark(
        0,
        starred=True,
        read_at="2026-11-20T09:15:00Z",
        tags=("reasoning", "math"),
        note="Compare with DeepSeek-R1 on MATH.",
    ),
)


def test_json_document_fixture() -> None:
    data = load("reader-export.json")
    assert looks_like_reader_json(data)
    batch = parse(data)
    assert batch.format == "reader-json"
    check_fixture_papers(batch)
    assert batch.marks == FIXTURE_MARKS


def test_json_lines_fixture() -> None:
    text = (DATA / "reader-export.jsonl").read_text(encoding="utf-8")
    batch = parse_reader_jsonl(text, source="export.jsonl")
    assert batch.format == "reader-jsonl"
    check_fixture_papers(batch)
    assert batch.marks == FIXTURE_MARKS


def test_both_fixtures_hold_the_same_papers() -> None:
    text = (DATA / "reader-export.jsonl").read_text(encoding="utf-8")
    assert (
        parse_reader_jsonl(text, source="e.jsonl").papers
        == parse(load("reader-export.json")).papers
    )


# --- the document ------------------------------------------------------------------


def test_a_header_without_papers_is_an_empty_export() -> None:
    assert parse({"format": "reader", "version": 1}) == Batch("reader-json")


def test_missing_version_reads_as_version_1() -> None:
    assert [p.title for p in parse({"format": "reader", "papers": [{"title": "T"}]}).papers] == [
        "T"
    ]


@pytest.mark.parametrize("version", [2, 17])
def test_a_newer_version_is_refused(version: int) -> None:
    with pytest.raises(SourceError, match="newer reader") as info:
        parse(doc({"title": "T"}, version=version))
    assert (info.value.source, info.value.line) == ("export.json", None)


@pytest.mark.parametrize("version", [0, -1, "1", 1.0, True, None, [1]])
def test_a_nonsense_version_is_refused(version: object) -> None:
    with pytest.raises(SourceError, match="unknown reader export version"):
        parse(doc({"title": "T"}, version=version))


@pytest.mark.parametrize("fmt", ["zotero", None, 1, ""])
def test_another_format_is_refused(fmt: object) -> None:
    with pytest.raises(SourceError, match="not a reader export"):
        parse({"format": fmt, "version": 1, "papers": []})


@pytest.mark.parametrize("papers", [{"title": "T"}, "T", 3, None])
def test_papers_must_be_a_list(papers: object) -> None:
    with pytest.raises(SourceError, match='"papers" is not a list'):
        parse({"format": "reader", "version": 1, "papers": papers})


@pytest.mark.parametrize("data", ["text", 3, None, True])
def test_a_document_that_is_not_an_object_is_refused(data: object) -> None:
    with pytest.raises(SourceError, match="not a reader export"):
        parse(data)


def test_items_without_a_usable_title_are_skipped_and_counted() -> None:
    items = [{"title": "Kept"}, {"title": ""}, {"title": None}, {"title": 5}, {}, [], "T", 1]
    batch = parse(doc(*items))
    assert [p.title for p in batch.papers] == ["Kept"]
    assert batch.skipped == 7


def test_the_row_id_is_not_imported_and_annotations_are_no_paper_fields() -> None:
    batch = parse(doc({"title": "T", "id": 99, "annotations": {"starred": True}}))
    assert batch.papers == [Paper(title="T")]
    assert batch.marks == (ImportedMark(0, starred=True),)


def test_unknown_keys_are_ignored() -> None:
    [paper] = parse(doc({"title": "T", "upvotes": 3, "x-new": {"a": [1]}}, extra=1)).papers
    assert paper == Paper(title="T", upvotes=3)


@pytest.mark.parametrize(
    ("raw", "arxiv_id", "version"),
    [
        ("2409.11074", "2409.11074", None),
        ("2409.11074v2", "2409.11074", 2),
        ("arXiv:2409.11074v4", "2409.11074", 4),
        ("https://arxiv.org/abs/2409.11074", "2409.11074", None),
        ("math.GT/0309136", "math/0309136", None),
        ("nonsense", None, None),
        (2409.11074, None, None),
    ],
)
def test_arxiv_id_forms(raw: object, arxiv_id: str | None, version: int | None) -> None:
    [paper] = parse(doc({"title": "T", "arxiv_id": raw})).papers
    assert (paper.arxiv_id, paper.arxiv_version) == (arxiv_id, version)


def test_an_explicit_version_wins_over_one_inside_the_id() -> None:
    [paper] = parse(doc({"title": "T", "arxiv_id": "2409.11074v2", "arxiv_version": 5})).papers
    assert paper.arxiv_version == 5


def test_a_version_without_an_id_is_dropped() -> None:
    [paper] = parse(doc({"title": "T", "arxiv_id": None, "arxiv_version": 5})).papers
    assert paper.arxiv_version is None


def test_wrong_typed_fields_are_ignored() -> None:
    hostile = {
        "title": "T",
        "abstract": 5,
        "authors": "Ana, Bo",
        "author_count": -2,
        "published": "1998-02-30",
        "updated": "1998",  # a year alone is for published only
        "featured": True,
        "upvotes": "12",
        "github_url": "javascript:alert(1)",
        "categories": [1, None, "cs.CL", ""],
        "primary_category": ["cs.CL"],
        "comment": {},
        "doi": 10.1,
        "journal_ref": [],
        "url": "file:///etc/passwd",
        "num_comments": 1.5,
        "github_stars": 10**30,
        "ai_summary": False,
        "ai_keywords": "one, two",
    }
    [paper] = parse(doc(hostile)).papers
    assert paper == Paper(title="T", categories=("cs.CL",))


def test_text_is_cleaned_like_any_import() -> None:
    [paper] = parse(
        doc(
            {
                "title": "A\x1b[2J\ntitle",
                "abstract": "One\r\ntwo\u202e",
                "authors": ["Ana\x07 Silva", "\x1b"],
                "comment": " 12 pages\n",
            }
        )
    ).papers
    assert (paper.title, paper.abstract) == ("A[2J title", "One two")
    assert paper.authors == ("Ana Silva",)
    assert paper.comment == "12 pages"


# --- detection ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"format": "reader", "version": 1, "papers": []}, True),
        ({"format": "reader", "version": 9}, True),  # detected, then refused as newer
        (paper_to_json(FULL), True),  # one paper object: a one-line JSON Lines export
        ({"format": "zotero", "papers": []}, False),
        ({"papers": [{"title": "T"}]}, False),
        ({"id": "2409.11074", "title": "T", "summary": "S"}, False),  # an HF paper
        ({"paper": {"id": "2409.11074"}, "title": "T", "arxiv_id": "x"}, False),
        ([paper_to_json(FULL)], False),
        ("reader", False),
        (None, False),
    ],
)
def test_looks_like_reader_json(data: object, expected: bool) -> None:
    assert looks_like_reader_json(data) is expected


def test_a_lone_paper_object_reads_as_one_paper() -> None:
    batch = parse(paper_to_json(FULL))
    assert batch.papers == [replace(FULL, id=None)]


# --- JSON Lines --------------------------------------------------------------------


def test_jsonl_without_a_header() -> None:
    batch = parse_reader_jsonl(jsonl({"title": "A"}, {"title": "B"}), source="e.jsonl")
    assert [p.title for p in batch.papers] == ["A", "B"]


def test_jsonl_blank_lines_crlf_and_bom() -> None:
    text = '\ufeff{"format": "reader", "version": 1}\r\n\r\n{"title": "A"}\r\n  \r\n{"title": "B"}'
    batch = parse_reader_jsonl(text, source="e.jsonl")
    assert [p.title for p in batch.papers] == ["A", "B"]


def test_jsonl_bad_line_names_its_line() -> None:
    text = jsonl({"format": "reader", "version": 1}, {"title": "A"}, "", '{"title": "B",', "{}")
    with pytest.raises(SourceError, match="not valid JSON") as info:
        parse_reader_jsonl(text, source="e.jsonl")
    assert (info.value.source, info.value.line) == ("e.jsonl", 4)
    assert str(info.value).startswith("e.jsonl:4: not valid JSON: ")


@pytest.mark.parametrize("line", ["[" * 100_000, "1" * 5000, "{'single': 'quotes'}", "NaN x"])
def test_jsonl_hostile_lines_are_source_errors_at_their_line(line: str) -> None:
    with pytest.raises(SourceError, match="not valid JSON") as info:
        parse_reader_jsonl(jsonl({"title": "A"}, line), source="e.jsonl")
    assert info.value.line == 2


@pytest.mark.parametrize("line", ["[1, 2]", "3", '"title"', "null"])
def test_jsonl_a_line_that_is_not_an_object_is_an_error(line: str) -> None:
    with pytest.raises(SourceError, match="expected a paper object") as info:
        parse_reader_jsonl(jsonl({"title": "A"}, {"title": "B"}, line), source="e.jsonl")
    assert info.value.line == 3


def test_jsonl_newer_version_header_names_its_line() -> None:
    text = jsonl({"format": "reader", "version": 2}, {"title": "A"})
    with pytest.raises(SourceError, match="newer reader") as info:
        parse_reader_jsonl(text, source="e.jsonl")
    assert info.value.line == 1


def test_jsonl_concatenated_exports_read_as_one() -> None:
    header = {"format": "reader", "version": 1, "user": "ana"}
    text = jsonl(header, {"title": "A"}) + jsonl(header, {"title": "B"})
    batch = parse_reader_jsonl(text, source="e.jsonl")
    assert [p.title for p in batch.papers] == ["A", "B"]
    assert batch.skipped == 0  # headers are not papers


def test_jsonl_a_whole_document_on_a_line_is_refused() -> None:
    text = jsonl(doc({"title": "A"}), {"title": "B"})
    with pytest.raises(SourceError, match="expected one paper") as info:
        parse_reader_jsonl(text, source="e.jsonl")
    assert info.value.line == 1


def test_jsonl_untitled_lines_are_skipped_and_counted() -> None:
    batch = parse_reader_jsonl(jsonl({"title": "A"}, {"title": ""}, {}), source="e.jsonl")
    assert ([p.title for p in batch.papers], batch.skipped) == (["A"], 2)


def test_jsonl_empty_text_is_an_empty_batch() -> None:
    assert parse_reader_jsonl("", source="e.jsonl") == Batch("reader-jsonl")


# --- anything at all ---------------------------------------------------------------


KEYS = [*(f.name for f in fields(Paper)), "format", "version", "papers", "annotations"]
KEYS += ["starred", "read_at", "tags", "note"]
LEAVES: list[object] = [
    None, True, 0, -5, 1, 2, 2**80, 0.5, float("nan"), "", "reader", "x\x1b[2J",
    "2409.11074v2", "1998", "2025-01-15", "https://github.com/a/b", "javascript:x",
    "\ud800", "9" * 5000, "2026-11-26T12:00:00+00:00", "2026-13-26T12:00", "a\x00b",
]  # fmt: skip


def random_value(rng: random.Random) -> object:
    return json_fuzz.random_value(rng, KEYS, LEAVES)


def mutate(rng: random.Random, value: Any) -> Any:
    return json_fuzz.mutate(rng, value, KEYS, LEAVES)


def check_papers(batch: Batch) -> None:
    for paper in batch.papers:
        assert paper.title and "\n" not in paper.title and "\x1b" not in paper.title
        assert paper.url is None or paper.url.startswith(("http://", "https://"))
    indexes = [mark.index for mark in batch.marks]
    assert indexes == sorted(set(indexes)) and all(0 <= i < len(batch.papers) for i in indexes)
    for mark in batch.marks:
        assert mark.starred or mark.read_at or mark.tags or mark.note.strip()
        assert mark.read_at is None or mark.read_at[:4].isdigit()
        assert not UNSTORABLE.search(mark.note)
        json.dumps(mark.note).encode("utf-8")  # storable as it is


def test_random_and_mutated_json_never_raise_anything_but_source_error() -> None:
    rng = random.Random(1)
    original = load("reader-export.json")
    for attempt in range(3000):
        if attempt % 2:
            data: Any = random_value(rng)
        else:
            data = copy.deepcopy(original)
            for _ in range(rng.randrange(1, 5)):
                data = mutate(rng, data)
        assert isinstance(looks_like_reader_json(data), bool)
        with contextlib.suppress(SourceError):
            check_papers(parse_reader_json(data, source="fuzz.json"))


def test_mutated_json_lines_never_raise_anything_but_source_error() -> None:
    rng = random.Random(2)
    lines = (DATA / "reader-export.jsonl").read_text(encoding="utf-8").splitlines()
    junk = ["", "{", "}", "[", '"', ",", ":", "\\", "\x00", "\ud800", "\r", "\n", "null", "9" * 9]
    for _ in range(2000):
        mutated = list(lines)
        for _ in range(rng.randrange(1, 4)):
            index = rng.randrange(len(mutated))
            line = mutated[index]
            cut = rng.randrange(len(line) + 1)
            if rng.random() < 0.5:
                mutated[index] = line[:cut] + rng.choice(junk) + line[cut:]
            else:
                mutated[index] = json.dumps(random_value(rng))
        try:
            check_papers(parse_reader_jsonl("\n".join(mutated), source="fuzz.jsonl"))
        except SourceError as error:
            assert error.line is not None


@pytest.mark.parametrize("published", ["2019", "2019-06", "2019-06-14"])
def test_partial_dates_survive_the_round_trip(published: str) -> None:
    paper = replace(FULL, id=None, published=published)
    assert parse([paper_to_json(paper)]).papers == [paper]


# --- annotations: the user's marks -------------------------------------------------


def marks(*items: object) -> tuple[ImportedMark, ...]:
    return parse(doc(*items)).marks


def test_annotations_become_the_mark_of_their_paper() -> None:
    note = '# Notes\n\n---\n\t{code} \\ "quoted"\r\n🧪 naïve  \n'
    annotations = {
        "starred": True,
        "read_at": "2026-11-26T12:00:00+00:00",
        "tags": ["Vision", "to read", "vision"],
        "note": note,
    }
    assert marks({"title": "T", "annotations": annotations}) == (
        ImportedMark(0, True, "2026-11-26T12:00:00+00:00", ("vision", "to-read"), note),
    )


def test_a_mark_names_its_paper_by_position_among_the_papers_kept() -> None:
    items = [
        {"title": "", "annotations": {"starred": True}},  # skipped: its mark too
        {"title": "A"},
        "not a paper",
        {"title": "B", "annotations": {"note": "b"}},
        {"title": "C", "annotations": {}},
        {"title": "D", "annotations": {"tags": ["d"]}},
    ]
    batch = parse(doc(*items))
    assert [p.title for p in batch.papers] == ["A", "B", "C", "D"]
    assert batch.marks == (ImportedMark(1, note="b"), ImportedMark(3, tags=("d",)))


def test_jsonl_marks_count_papers_not_lines() -> None:
    header = {"format": "reader", "version": 1}
    text = jsonl(
        header, {"title": "A"}, "", header, {"title": "B", "annotations": {"starred": True}}
    )
    assert parse_reader_jsonl(text, source="e.jsonl").marks == (ImportedMark(1, starred=True),)


@pytest.mark.parametrize(
    "annotations",
    [
        None,
        [],
        "starred",
        {},
        {"starred": False, "read_at": None, "tags": [], "note": ""},
        {"note": " \n\t \n"},  # a blank note is no note
        {"tags": ["", " ", ","]},
        {"starred": "true", "read_at": "yesterday", "tags": "a, b", "note": 5},
    ],
)
def test_annotations_that_mark_nothing_give_no_mark(annotations: object) -> None:
    batch = parse(doc({"title": "T", "annotations": annotations}))
    assert (batch.papers, batch.marks) == ([Paper(title="T")], ())


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("starred", 1),
        ("starred", "yes"),
        ("read_at", True),
        ("read_at", 1732622400),
        ("tags", "vision"),
        ("tags", {"vision": True}),
        ("note", ["a", "b"]),
        ("note", None),
    ],
)
def test_a_wrong_typed_annotation_drops_only_that_key(key: str, value: object) -> None:
    good = {"starred": True, "read_at": "2026-11-26T12:00:00Z", "tags": ["t"], "note": "n"}
    [mark] = marks({"title": "T", "annotations": {**good, key: value}})
    expected = ImportedMark(0, True, "2026-11-26T12:00:00Z", ("t",), "n")
    assert mark == replace(expected, **{key: getattr(ImportedMark(0), key)})


def test_tags_keep_only_strings_normalised() -> None:
    [mark] = marks(
        {"title": "T", "annotations": {"tags": [1, None, " Deep  Learning ", ["x"], "a\x1b"]}}
    )
    assert mark.tags == ("deep-learning", "a")


@pytest.mark.parametrize(
    "read_at",
    [
        "2026-11-26T12:00:00+00:00",
        "2026-11-26T12:00:00Z",
        "2026-11-26T12:00:00.123456+05:30",
        "2026-11-26T12:00",
        "2026-11-26T12:00:00",
    ],
)
def test_read_at_is_an_iso_timestamp_kept_as_written(read_at: str) -> None:
    [mark] = marks({"title": "T", "annotations": {"read_at": read_at}})
    assert mark.read_at == read_at


@pytest.mark.parametrize(
    "read_at",
    [
        "",
        "2026-11-26",  # a date: no time of reading
        "2026-13-26T12:00:00",
        "2026-02-30T12:00:00",
        "2026-11-26T25:00:00",
        "2026-11-26 12:00:00",
        "20261126T120000",
        " 2026-11-26T12:00:00",
        "2026-11-26T12:00:00+00:00\x1b[2J",
        "\u0662\u0660\u0662\u0666-11-26T12:00:00",  # Arabic-Indic digits
    ],
)
def test_read_at_that_is_not_a_timestamp_is_dropped(read_at: str) -> None:
    assert marks({"title": "T", "annotations": {"read_at": read_at}}) == ()


def test_a_note_is_kept_exactly_but_for_what_cannot_be_stored() -> None:
    note = "  indented\r\n\tline\x1b[1m\u202e\n\n"
    [mark] = marks({"title": "T", "annotations": {"note": note + "\x00\ud800"}})
    assert mark.note == note
