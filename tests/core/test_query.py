"""The filter language: field terms, quoting, negation and hints, on a small fixed library,
and ``reader list``, which prints what a query matches."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from reader.cli import main
from reader.lookup import is_title_id
from reader.models import Annotation, Paper
from reader.search import Query, SearchIndex, title_spans
from reader.store import open_library
from tests.support.data import SAMPLE_PAGE

# Library order, newest first, as the store hands it over (not the order of the ids).
LIBRARY = [
    Paper(
        id=8,
        title="Energy-Based Models Revisited",
        authors=("Yann LeCun", "Fu Jie Huang"),
        abstract="Energy functions for structured prediction.",
        published="2024-12-30",
        upvotes=0,
    ),
    Paper(
        id=6,
        title="Scaling Rectified Flow Transformers for High-Resolution Image Synthesis",
        authors=("Patrick Esser", "Robin Rombach"),
        abstract="Rectified flow is trained with flow matching and beats diffusion baselines.",
        published="2024-03-05",
        upvotes=9,
        github_url="https://github.com/example/sd3",
        github_stars=1200,
        num_comments=3,
    ),
    Paper(
        id=2,
        title="Flow Matching for Generative Modeling",
        authors=("Yaron Lipman", "Ricky T. Q. Chen"),
        abstract="We train continuous normalizing flows without simulation.",
        published="2022-10",
        upvotes=45,
        num_comments=12,
    ),
    Paper(
        id=3,
        title="A Survey on Diffusion Models",
        authors=("Ling Yang",),
        abstract="A survey of methods and applications.",
        published="2022",
    ),
    Paper(
        id=1,
        title="Denoising Diffusion Probabilistic Models",
        authors=("Jonathan Ho", "Ajay Jain", "Pieter Abbeel"),
        abstract="High quality image synthesis with latent variable models.",
        published="2020-06-19",
        upvotes=120,
        github_url="https://github.com/hojonathanho/diffusion",
        github_stars=50,
        num_comments=0,
    ),
    Paper(
        id=5,
        title="Attention Is All You Need",
        authors=("Ashish Vaswani", "Noam Shazeer"),
        abstract="The Transformer, based solely on attention mechanisms.",
        published="2017-06-12",
        upvotes=11,
    ),
    Paper(
        id=4,
        title="Gradient-Based Learning Applied to Document Recognition",
        authors=("Yann LeCun", "Léon Bottou", "Yoshua Bengio", "Patrick Haffner"),
        abstract="Convolutional networks for handwritten character recognition.",
        published="1998-11-01",
        upvotes=10,
    ),
    Paper(
        id=7,
        title="Untitled Workshop Notes",
        abstract="Loose notes on diffusion, and a link to re:zero.",
    ),
]
ALL = [8, 6, 2, 3, 1, 5, 4, 7]
READ_AT = "2026-11-20T10:00:00Z"
MARKS = {
    1: Annotation(1, starred=True, note="great", read_at=READ_AT, tags=("generative", "classic")),
    2: Annotation(2, tags=("to-read",)),
    3: Annotation(3, note="   ", tags=("survey",)),  # a blank note is no note
    4: Annotation(4, read_at=READ_AT, tags=("classic",)),
    5: Annotation(5, note="read again", read_at=READ_AT),
    6: Annotation(6, starred=True),
    99: Annotation(99, starred=True),  # a paper the index does not hold
}


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    return SearchIndex(LIBRARY)


def found(index: SearchIndex, text: str) -> list[int]:
    return index.search(Query.parse(text), MARKS)


MATCHES = [
    # Nothing typed: everything, in library order.
    ("", ALL),
    ("   ", ALL),
    # is: and has:, from the user's marks.
    ("is:starred", [6, 1]),
    ("-is:starred", [8, 2, 3, 5, 4, 7]),
    ("is:read", [1, 5, 4]),
    ("-is:read", [8, 6, 2, 3, 7]),
    ("is:unread", [8, 6, 2, 3, 7]),
    ("-is:unread", [1, 5, 4]),
    ("has:note", [1, 5]),
    ("-has:note", [8, 6, 2, 3, 4, 7]),
    ("has:code", [6, 1]),
    ("-has:code", [8, 2, 3, 5, 4, 7]),
    ("IS:Starred", [6, 1]),
    # tag: is exact and case-insensitive; a quoted tag is normalised like a stored one.
    ("tag:classic", [1, 4]),
    ("tag:CLASSIC", [1, 4]),
    ("tag:class", []),
    ("-tag:classic", [8, 6, 2, 3, 5, 7]),
    ('tag:"To Read"', [2]),
    # upvotes: each comparison; no count counts as 0.
    ("upvotes:>10", [2, 1, 5]),
    ("upvotes:>=10", [2, 1, 5, 4]),
    ("upvotes:<10", [8, 6, 3, 7]),
    ("upvotes:<=10", [8, 6, 3, 4, 7]),
    ("upvotes:=10", [4]),
    ("upvotes:10", [4]),
    ("upvotes:0", [8, 3, 7]),
    ("upvotes:9..45", [6, 2, 5, 4]),
    ("upvotes:100..", [1]),
    ("-upvotes:>10", [8, 6, 3, 4, 7]),
    # github: (GitHub stars) and comments: compare as upvotes: does.
    ("github:>100", [6]),
    ("github:>=50", [6, 1]),
    ("github:<50", [8, 2, 3, 5, 4, 7]),
    ("github:<=50", [8, 2, 3, 1, 5, 4, 7]),
    ("github:=50", [1]),
    ("github:50", [1]),
    ("github:0", [8, 2, 3, 5, 4, 7]),
    ("github:40..2000", [6, 1]),
    ("github:..49", [8, 2, 3, 5, 4, 7]),
    ("-github:>100", [8, 2, 3, 1, 5, 4, 7]),
    ("GitHub:>100", [6]),
    ("comments:>5", [2]),
    ("comments:>=3", [6, 2]),
    ("comments:<3", [8, 3, 1, 5, 4, 7]),
    ("comments:<=3", [8, 6, 3, 1, 5, 4, 7]),
    ("comments:=12", [2]),
    ("comments:1..3", [6]),
    ("-comments:>0", [8, 3, 1, 5, 4, 7]),
    ("diffusion github:>10", [1, 6]),
    # year: one, a range, open ranges, comparisons; no date matches no date term.
    ("year:2024", [8, 6]),
    ("year:2020..2022", [2, 3, 1]),
    ("year:2022..", [8, 6, 2, 3]),
    ("year:..2000", [4]),
    ("year:>2020", [8, 6, 2, 3]),
    ("year:>=2020", [8, 6, 2, 3, 1]),
    ("year:<2017", [4]),
    ("year:<=2017", [5, 4]),
    ("year:=2022", [2, 3]),
    ("-year:2024", [2, 3, 1, 5, 4]),
    # before:/after: at each precision, against dates of each precision. A paper
    # dated "2022" is neither before nor after a day inside 2022.
    ("before:2022", [1, 5, 4]),
    ("after:2022", [8, 6]),
    ("after:2022-09", [8, 6, 2]),
    ("before:2022-11", [2, 1, 5, 4]),
    ("before:2022-10-15", [1, 5, 4]),
    ("before:2022-10-31", [1, 5, 4]),  # "2022-10" may be the 31st
    ("after:2024-11", [8]),
    ("after:2024-12", []),  # the 30th is not after December
    ("after:2022-10-15", [8, 6]),
    ("after:2024-03-05", [8]),
    ("after:2024-03-04 before:2024-03-06", [6]),
    ("-before:2022", [8, 6, 2, 3]),
    # author: fuzzy on names, at a word start; quoted full names.
    ("author:lecun", [8, 4]),
    ('author:"Yann LeCun"', [8, 4]),
    ("author:LeCunn", [8, 4]),
    ("author:ho", [1]),
    ("-author:lecun", [6, 2, 3, 1, 5, 7]),
    # title: the title only (abstract-only diffusion papers 6 and 7 are left out).
    ("title:diffusion", [3, 1]),
    ("title:difusion", [3, 1]),
    ('title:"image synthesis"', [6]),
    ("-title:diffusion", [8, 6, 2, 5, 4, 7]),
    # Plain words rank: title matches before abstract-only ones.
    ("diffusion", [3, 1, 6, 7]),
    ("-diffusion", [8, 2, 5, 4]),
    ("lecun", [8, 4]),
    # A quoted phrase is exact (in order), in title, authors or abstract.
    ('"flow matching"', [2, 6]),
    ('"matching flow"', []),
    ('-"flow matching"', [8, 3, 1, 5, 4, 7]),
    ('"yann lecun"', [8, 4]),
    # Combinations: every term must hold; words still rank.
    ("diffusion is:starred", [1, 6]),
    ("diffusion -is:starred", [3, 7]),
    ("diffusion year:2020..2022", [3, 1]),
    ("diffusion -title:survey", [1, 6, 7]),
    ("author:lecun year:2024", [8]),
    ("is:unread has:code", [6]),
    ("tag:classic -is:starred", [4]),
    ('"flow matching" upvotes:<10', [6]),
    ("flow -rectified", [2]),
    # A word with a colon that is not a field is text.
    ("re:zero", [7]),
]


@pytest.mark.parametrize(("text", "expected"), MATCHES, ids=[m[0] or "empty" for m in MATCHES])
def test_query_matches(index: SearchIndex, text: str, expected: list[int]) -> None:
    query = Query.parse(text)
    assert query.errors == ()
    assert index.search(query, MARKS) == expected


MALFORMED = [
    # (query, hint it shows, what it matches: the malformed term is left out)
    ("autor:lecun", "unknown field 'autor:' — did you mean author:?", []),
    ("autor:lecun diffusion", "unknown field 'autor:' — did you mean author:?", [3, 1, 6, 7]),
    ("tags:classic", "unknown field 'tags:' — did you mean tag:?", []),
    ("stars:yes", "unknown field 'stars:' — did you mean is:starred?", []),
    # With a count, stars: means GitHub stars.
    ("stars:>100", "unknown field 'stars:' — did you mean github: (GitHub stars)?", []),
    ("date:2024", "unknown field 'date:' — did you mean after:, before: or year:?", []),
    ("up:>3", "unknown field 'up:' — did you mean upvotes:?", []),
    ("upvotes:lots", "upvotes: needs a number, e.g. upvotes:>10", []),
    ("github:lots", "github: needs a number of GitHub stars, e.g. github:>100", []),
    ("github:", "github: needs a number of GitHub stars, e.g. github:>100", []),
    ("comments:many", "comments: needs a number, e.g. comments:>5", []),
    ("comments:9..1", "comments: 9..1 runs backwards — did you mean comments:1..9?", []),
    ("comment:>3", "unknown field 'comment:' — did you mean comments:?", []),
    ("gh:>10", "unknown field 'gh:' — did you mean github: (GitHub stars)?", []),
    ("upvotes:>", "upvotes: needs a number, e.g. upvotes:>10", []),
    ("year:2024 upvotes:lots", "upvotes: needs a number, e.g. upvotes:>10", [8, 6]),
    ("year:24", "year: needs a year like 2024 or 2020..2023", []),
    ("year:recent", "year: needs a year like 2024 or 2020..2023", []),
    ("year:2023..2020", "year: 2023..2020 runs backwards — did you mean year:2020..2023?", []),
    ("-year:x", "year: needs a year like 2024 or 2020..2023", []),
    ("before:2024-13", "before: needs a date like 2024, 2024-06 or 2024-06-30", []),
    ("after:2023-02-30", "after: needs a date like 2024, 2024-06 or 2024-06-30", []),
    ("after:yesterday", "after: needs a date like 2024, 2024-06 or 2024-06-30", []),
    (
        "is:stared",
        "is: takes starred, unread, read, dismissed, new, updated or inbox"
        " — did you mean is:starred?",
        [],
    ),
    (
        "is:note",
        "is: takes starred, unread, read, dismissed, new, updated or inbox"
        " — did you mean has:note?",
        [],
    ),
    ("has:github", "has: takes note or code, e.g. has:note", []),
    ("author:", "author: needs a name, e.g. author:lecun", []),
    ('title:""', "title: needs a word, e.g. title:diffusion", []),
    ("tag:", "tag: needs a tag, e.g. tag:survey", []),
    ("-", "'-' needs something to leave out after it, e.g. -is:read", []),
    ('""', "empty quotes — put a phrase between them", []),
    # A quote alone (the first key of a phrase): one hint, what to type next.
    ('"', 'a lone " — type a phrase after it, then a closing "', []),
    ('-"', 'a lone " — type a phrase after it, then a closing "', []),
    ("“", 'a lone " — type a phrase after it, then a closing "', []),
    ('diffusion "', 'a lone " — type a phrase after it, then a closing "', [3, 1, 6, 7]),
    ('diffusion "  ', 'a lone " — type a phrase after it, then a closing "', [3, 1, 6, 7]),
    ('author:"', "author: needs a name, e.g. author:lecun", []),
    # An unclosed quote runs to the end of the text and still narrows, with a hint.
    ('author:"Yann LeCun', 'unclosed quote — add a closing "', [8, 4]),
    ('"flow matching', 'unclosed quote — add a closing "', [2, 6]),
]


@pytest.mark.parametrize(("text", "hint", "expected"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_terms_give_a_hint_and_are_left_out(
    index: SearchIndex, text: str, hint: str, expected: list[int]
) -> None:
    query = Query.parse(text)
    assert query.errors == (hint,)
    assert index.search(query, MARKS) == expected


def test_a_query_of_only_malformed_terms_is_neither_empty_nor_valid() -> None:
    query = Query.parse("autor:x year:soon")
    assert not query.is_empty
    assert not query.is_valid
    assert len(query.errors) == 2
    assert Query.parse("").is_empty and Query.parse("").is_valid
    assert not Query.parse("-is:read").is_empty


def test_only_words_and_phrases_rank() -> None:
    assert Query.parse("diffusion is:read").is_ranked
    assert Query.parse('"flow matching" year:2024').is_ranked
    assert not Query.parse('-diffusion -"flow matching" title:x author:y is:read').is_ranked


def test_the_same_mistake_twice_gives_one_hint() -> None:
    assert Query.parse("autor:a autor:b").errors == (
        "unknown field 'autor:' — did you mean author:?",
    )


def test_words_with_a_colon_that_are_not_fields_are_text() -> None:
    query = Query.parse("re:zero arXiv:2409.11074 https://github.com/a/b 12:30 x:y")
    assert query.errors == ()
    assert query.words == ("re:zero", "arxiv:2409.11074", "https://github.com/a/b", "12:30", "x:y")
    # Quoting makes even a field name text.
    assert Query.parse('"is:starred"').terms[0].field == "phrase"


def test_parse_keeps_the_text_and_lower_cases_words() -> None:
    query = Query.parse("  Diffusion  MODEL ")
    assert query.text == "  Diffusion  MODEL "
    assert query.words == ("diffusion", "model")


def test_without_marks_no_paper_is_starred_read_tagged_or_noted(index: SearchIndex) -> None:
    for text in ("is:starred", "is:read", "has:note", "tag:classic"):
        assert index.search(Query.parse(text)) == [], text
    assert index.search(Query.parse("is:unread")) == ALL
    assert index.search(Query.parse("-is:starred")) == ALL


def test_marks_are_read_at_search_time(index: SearchIndex) -> None:
    # The TUI keeps one index and changes marks as the user stars: no rebuild needed.
    marks = {8: Annotation(8, starred=True)}
    assert index.search(Query.parse("is:starred"), marks) == [8]
    marks[4] = Annotation(4, starred=True)
    assert index.search(Query.parse("is:starred"), marks) == [8, 4]


def test_a_negated_word_leaves_out_exactly_what_the_word_finds(index: SearchIndex) -> None:
    # A typo is forgiven in titles (3, 1), not in abstracts (6, 7), both ways round.
    assert found(index, "difusion") == [3, 1]
    assert found(index, "-difusion") == [8, 6, 2, 5, 4, 7]
    for word in ("diffusion", "flow", "lecun", "models", "x"):
        kept = found(index, f"-{word}")
        assert sorted(kept + found(index, word)) == sorted(ALL), word


def test_ranking_by_text_survives_terms_that_narrow(index: SearchIndex) -> None:
    # Exact title words first (library order among them), then "Modeling" (a fuzzy hit).
    assert found(index, "models") == [8, 3, 1, 2]
    assert found(index, "models -is:read") == [8, 3, 2]
    assert found(index, "models upvotes:>10") == [1, 2]


def test_title_spans_light_words_title_values_and_phrases_not_negated_ones() -> None:
    title = "Flow Matching for Generative Modeling"

    def lit(text: str) -> list[str]:
        return [title[a:b] for a, b in title_spans(title, Query.parse(text))]

    assert lit("flow") == ["Flow"]
    assert lit("-flow") == []
    assert lit("title:generative") == ["Generative"]
    assert lit("-title:generative") == []
    assert lit('"matching for"') == ["Matching for"]
    assert lit('-"matching for" modeling') == ["Modeling"]
    assert lit("author:flow is:starred upvotes:>3") == []


def test_parse_and_search_never_raise_on_random_text(index: SearchIndex) -> None:
    rng = random.Random(4)
    pieces = [
        "-", '"', "“", "”", ":", " ", "..", ">", "<=", "=", "author", "title", "year",
        "before", "after", "tag", "is", "has", "upvotes", "2024", "2024-06", "x", "é",
        "\x1b", "\t", "\n", "9" * 30, "starred", "note", "[b]", "autor", "-2",
    ]  # fmt: skip
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 8)))
        query = Query.parse(text)
        result = index.search(query, MARKS)
        assert set(result) <= set(ALL), text
        if query.errors and not (query.words or query.terms):
            assert result == [], text


# -- reader list ------------------------------------------------------------------


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], prog_name="reader")


@pytest.fixture
def imported_db(db_path: Path) -> Path:
    assert run("--db", db_path, "import", SAMPLE_PAGE).exit_code == 0
    return db_path


def rows(result: Result) -> list[list[str]]:
    assert result.exit_code == 0, result.output
    return [line.split("\t") for line in result.stdout.splitlines()]


def mark_up(db: Path, user: str, title_word: str, *, star: bool = False, tag: str = "") -> int:
    """Star, read and/or tag the first paper whose title has ``title_word``; its id."""
    lib = open_library(db)
    try:
        paper = next(p for p in lib.papers() if title_word in p.title)
        assert paper.id is not None
        if star:
            lib.set_starred(user, paper.id, True)
            lib.set_read(user, [paper.id], True)
        if tag:
            lib.change_tags(user, [paper.id], add=[tag])
        return paper.id
    finally:
        lib.close()


def test_list_prints_every_paper_as_tab_separated_lines(imported_db: Path) -> None:
    lines = rows(run("--db", imported_db, "list"))
    assert len(lines) == 39
    assert all(len(line) == 4 for line in lines)
    # The page text has no arXiv ids: each paper is named by its title id.
    assert all(is_title_id(line[0]) for line in lines)
    # Newest first; the one paper without a date last, with "-" for what is unknown.
    dates = [line[1] for line in lines]
    assert dates[:-1] == sorted(dates[:-1], reverse=True)
    assert lines[-1][1:3] == ["-", "-"]
    assert lines[-1][3].startswith("Universal Image Restoration Pre-training via Masked")


def test_list_matches_the_query_best_first(imported_db: Path) -> None:
    lines = rows(run("--db", imported_db, "list", "grokking"))
    assert [line[3] for line in lines] == [
        "Benign Overfitting and Grokking in ReLU Networks for XOR Cluster Data"
    ]
    upvoted = rows(run("--db", imported_db, "list", "upvotes:>=3"))
    assert [(line[1], line[2]) for line in upvoted] == [("2025-02-11", "3"), ("2024-09-25", "5")]
    # Several arguments are one query; a negated term is not taken for an option.
    both = rows(run("--db", imported_db, "list", "image", "restoration", "-has:code"))
    assert both and all("Restoration" in line[3] for line in both)
    with_code = rows(run("--db", imported_db, "list", "image", "restoration", "has:code"))
    assert len(both) + len(with_code) == len(
        rows(run("--db", imported_db, "list", "image restoration"))
    )
    assert not {line[0] for line in both} & {line[0] for line in with_code}


def test_list_limit_caps_the_output(imported_db: Path) -> None:
    everything = rows(run("--db", imported_db, "list", "diffusion"))
    assert len(everything) > 2
    assert rows(run("--db", imported_db, "list", "diffusion", "--limit", "2")) == everything[:2]
    assert run("--db", imported_db, "list", "--limit", "0").exit_code == 2


def test_list_uses_the_users_marks(imported_db: Path) -> None:
    mark_up(imported_db, "ana", "Grokking", star=True)
    ana = rows(run("--db", imported_db, "--user", "ana", "list", "is:starred"))
    assert [line[3][:24] for line in ana] == ["Benign Overfitting and G"]
    assert rows(run("--db", imported_db, "--user", "bob", "list", "is:starred")) == []
    assert len(rows(run("--db", imported_db, "--user", "ana", "list", "-is:read"))) == 38


def test_list_json_has_every_field_and_the_users_marks(imported_db: Path) -> None:
    starred = mark_up(imported_db, "tester", "Grokking", star=True, tag="Must Read")
    result = run("--db", imported_db, "--user", "tester", "list", "--json", "grokking")
    assert result.exit_code == 0, result.output
    items = json.loads(result.stdout)
    assert isinstance(items, list) and len(items) == 1
    item = items[0]
    assert item["title"].startswith("Benign Overfitting and Grokking")
    assert item["published"] == "2023-10-03"
    assert {"arxiv_id", "abstract", "authors", "upvotes", "github_url"} <= set(item)
    assert (item["starred"], item["read"], item["tags"]) == (True, True, ["must-read"])
    assert starred > 0
    others = json.loads(run("--db", imported_db, "list", "--json", "--limit", "3").stdout)
    assert len(others) == 3
    assert all(o["starred"] is False and o["read"] is False and o["tags"] == [] for o in others)
    assert json.loads(run("--db", imported_db, "list", "--json", "qzxv").stdout) == []


def test_list_warns_about_a_malformed_term_and_lists_the_rest(imported_db: Path) -> None:
    result = run("--db", imported_db, "list", "autor:someone", "grokking")
    assert result.exit_code == 0
    assert result.stderr == "warning: unknown field 'autor:' — did you mean author:?\n"
    assert len(result.stdout.splitlines()) == 1


def test_list_with_nothing_valid_is_an_error(imported_db: Path) -> None:
    result = run("--db", imported_db, "list", "upvotes:lots")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == "Error: upvotes: needs a number, e.g. upvotes:>10\n"


def test_list_refuses_an_unknown_option_and_a_missing_library(
    imported_db: Path, tmp_path: Path
) -> None:
    result = run("--db", imported_db, "list", "--limt", "3")
    assert result.exit_code == 2
    assert "No such option" in result.stderr
    missing = run("--db", tmp_path / "nothing.db", "list")
    assert missing.exit_code == 1
    assert "no library at" in missing.stderr
    assert not (tmp_path / "nothing.db").exists()


def test_recent_means_featured_or_published_in_the_last_days() -> None:
    from datetime import date

    from reader.models import Paper
    from reader.search import SearchIndex

    papers = [
        Paper("Featured Yesterday", id=1, featured="2026-11-26", published="2019-01-01"),
        Paper("Published A Week Ago", id=2, published="2026-11-21"),
        Paper("Published Eight Days Ago", id=3, published="2026-11-20"),
        Paper("Undated", id=4),
    ]
    index = SearchIndex(papers)
    today = date(2026, 11, 27)
    assert index.search(Query.parse("recent:7", today=today)) == [1, 2]
    assert index.search(Query.parse("-recent:7", today=today)) == [3, 4]
    assert Query.parse("recent:soon", today=today).errors == (
        "recent: needs a number of days, e.g. recent:7",
    )
