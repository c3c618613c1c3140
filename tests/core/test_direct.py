"""``reader list``'s search from the word indexes alone (DirectSearch) answers as the
filter's own index (SearchIndex over the store) does: the same papers, in the same
order, for every kind of query it answers; the others it leaves to SearchIndex.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz, process

from reader.cli import main
from reader.models import Annotation, Paper
from reader.search import FUZZY_CUTOFF, WORD_START_BONUS, Query, SearchIndex
from reader.search.direct import DirectSearch, NotDirect, answers, found_rows, fuzzy_groups
from reader.store import Library, found, open_library

USER = "reader-test"
TITLE_WORDS = [
    "diffusion",
    "Diffusion-based",
    "models",
    "model",
    "modelling",
    "transformer",
    "Transformers",
    "attention",
    "GPT-4o",
    "re:zero",
    "Müller",
    "naïve",
    "flow",
    "matching",
    "flow-matching",
    "grokking",
    "working",
    "LLMs",
    "3D",
    "of",
    "a",
    "x",
]
NAMES = [
    "Ana Smith",
    "Bo Smyth",
    "Ben Müller",
    "Chen Li",
    "Hao Li",
    "Li Hao",
    "Haoran Liu",
    "Hao Li-Wei",
    "Li, Hao",
    "H. Li",
    "Yann LeCun",
    "John Smithson",
]


def _papers(count: int = 160, seed: int = 5) -> list[Paper]:
    rng = random.Random(seed)
    papers = []
    for n in range(count):
        # Few dates and repeated titles: many ties, broken in the list's order.
        title = " ".join(rng.choice(TITLE_WORDS) for _ in range(rng.randint(2, 6)))
        papers.append(
            Paper(
                # The same title, in two cases, on many papers: ties to the last key.
                title=title if n % 7 else rng.choice(["Diffusion model", "diffusion Model"]),
                # Not in the order the rows are added, and some papers without one.
                arxiv_id=f"2402.{n * 37 % 1000:05d}" if n % 11 else None,
                abstract=" ".join(rng.choice(TITLE_WORDS) for _ in range(rng.randint(0, 25))),
                authors=tuple(rng.sample(NAMES, rng.randint(0, 3))),
                published=rng.choice([None, "2023", "2024-05", "2024-05-01", "2024-06-02"]),
                upvotes=rng.randint(0, 30),
            )
        )
    return papers


@pytest.fixture(params=["lookups", "scans"])
def stored(request: pytest.FixtureRequest, library_of_ties: Library) -> Iterator[Library]:
    """The library, its found papers read one lookup each or by a scan of the list's
    index (what a larger share of a larger library takes)."""
    if request.param == "lookups":
        yield library_of_ties
        return
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(found, "SCAN_FROM", 0)
        yield library_of_ties


@pytest.fixture(scope="module")
def library_of_ties(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    library = open_library(tmp_path_factory.mktemp("direct") / "library.db")
    library.import_papers(_papers())
    ids = library.order()
    library.set_starred_many(USER, ids[::5], True)
    library.set_read(USER, ids[::3], True)
    library.change_tags(USER, ids[::4], add=["survey"])
    library.set_note(USER, ids[7], "a note")
    library.set_note(USER, ids[40], "another")
    yield library
    library.close()


def _expected(library: Library, query: Query, marks: dict[int, Annotation]) -> list[int]:
    """What ``reader list`` answered before: SearchIndex over the order and the store."""
    index = SearchIndex([], library.words(), order=library.order(), load=library.listing)
    return index.search(query, marks)


def _direct(
    library: Library, query: Query, marks: dict[int, Annotation], limit: int | None = None
) -> list[int]:
    found = DirectSearch(library.words()).search(query, marks)
    return [paper.id for rows in found_rows(found, library, limit) for paper in rows]


FIXED = [
    "",
    "diffusion",
    "diffusion model",
    "model diffusion",
    "difusion",
    "difusion modle",
    "transformers attention",
    "grokking",
    "smith",
    "smyth",
    "mod",
    "di",
    "x",
    "3d",
    "gpt-4o",
    "re:zero",
    "muller",
    '"flow matching"',
    '"diffusion model" flow',
    "author:smith",
    "author:smithsen",
    'author:"Hao Li"',
    'author:"Li, Hao"',
    'author:"H. Li"',
    'author:"Hao L',
    "author:li-wei",
    "-author:li",
    "title:grokking",
    "title:diffusion -model",
    "grokking -working",
    "-diffusion",
    '-"flow matching"',
    "is:starred",
    "is:unread",
    "-is:unread",
    "is:read diffusion",
    "-is:starred model",
    "tag:survey",
    "-tag:survey flow",
    "has:note",
    "-has:note -is:starred",
    "is:starred -is:starred",
    "tag:nothing",
]


@pytest.mark.parametrize("text", FIXED)
def test_the_direct_search_answers_as_the_filter_s_index(stored: Library, text: str) -> None:
    query = Query.parse(text)
    marks = stored.annotations(USER)
    assert answers(query)
    assert _direct(stored, query, marks) == _expected(stored, query, marks)


def test_the_fixed_queries_find_something_and_tie(stored: Library) -> None:
    # Guards the comparison above against two empty answers agreeing, and checks the
    # ties (same score, broken by the list's order) it is meant to compare.
    marks = stored.annotations(USER)
    for text in ("diffusion model", "smith", "difusion", "author:smith", "is:starred", "-x"):
        assert _direct(stored, Query.parse(text), marks), text
    found = DirectSearch(stored.words()).search(Query.parse("diffusion"), marks)
    assert found.scores is not None
    assert max(Counter(found.scores.values()).values()) > 10


@pytest.mark.parametrize("limit", [1, 3, 10, 50, 500])
@pytest.mark.parametrize("text", ["diffusion model", "smith", "-is:starred", "", "difusion"])
def test_a_limit_gives_the_first_papers(stored: Library, text: str, limit: int) -> None:
    query = Query.parse(text)
    marks = stored.annotations(USER)
    assert _direct(stored, query, marks, limit) == _expected(stored, query, marks)[:limit]


_words = st.sampled_from(TITLE_WORDS + [name.split()[-1] for name in NAMES]).flatmap(
    lambda word: st.tuples(st.integers(0, len(word)), st.integers(0, len(word))).map(
        lambda cut: word[min(cut) : max(cut)] or word
    )
)
_typos = st.tuples(_words, st.integers(0, 12), st.sampled_from("aeiouxz")).map(
    lambda t: t[0][: t[1]] + t[2] + t[0][t[1] + 1 :] if t[1] < len(t[0]) else t[0]
)
_terms = st.one_of(
    _words,
    _typos,
    _words.map(lambda w: f"-{w}"),
    _words.map(lambda w: f"title:{w}"),
    _words.map(lambda w: f"author:{w}"),
    _words.map(lambda w: f"-author:{w}"),
    st.sampled_from(NAMES).map(lambda name: f'author:"{name}"'),
    _words.map(lambda w: f'author:"Hao {w}'),
    st.tuples(_words, _words).map(lambda p: f'"{p[0]} {p[1]}"'),
    st.tuples(_words, _words).map(lambda p: f'-"{p[0]} {p[1]}"'),
    st.sampled_from(["is:starred", "is:unread", "is:read", "has:note", "tag:survey"]),
    st.sampled_from(["-is:starred", "-is:unread", "-is:read", "-has:note", "-tag:survey"]),
)


@settings(
    max_examples=300,
    deadline=None,
    # The library is only read: one per test serves every example.
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.lists(_terms, min_size=1, max_size=4))
def test_any_query_is_answered_as_the_filter_s_index(stored: Library, terms: list[str]) -> None:
    query = Query.parse(" ".join(terms))
    marks = stored.annotations(USER)
    try:
        found = _direct(stored, query, marks)
    except NotDirect:
        return  # only punctuation in a term: SearchIndex answers it
    assert found == _expected(stored, query, marks)


@pytest.mark.parametrize(
    "text", ["year:2024", "diffusion before:2024-06", "upvotes:>3", "has:code", "recent:7", "++"]
)
def test_what_it_does_not_answer_is_left_to_the_filter_s_index(stored: Library, text: str) -> None:
    query = Query.parse(text)
    with pytest.raises(NotDirect):
        DirectSearch(stored.words()).search(query, {})


def test_reader_list_prints_what_the_filter_s_index_finds(stored: Library) -> None:
    # Both ways through the command: the direct one, and the one it falls back to.
    assert stored.path is not None
    marks = stored.annotations(USER)
    by_id = {paper.id: paper for paper in stored.listing()}
    for text in ("diffusion model", "-is:starred smith", "upvotes:>3 model"):
        args = ["--db", str(stored.path), "--user", USER, "list", *text.split()]
        result = CliRunner().invoke(main, args, prog_name="reader")
        assert result.exit_code == 0, result.output
        printed = [line.split("\t")[0] for line in result.output.splitlines()]
        expected = _expected(stored, Query.parse(text), marks)
        assert expected and printed == [by_id[i].short_id for i in expected], text


# -- the fuzzy match's shortcut ------------------------------------------------------


def _fuzzy_as_index(token: str, vocabulary: list[str]) -> dict[float, list[str]]:
    """SearchIndex's fuzzy match of one token (reader.search.index._field_scores):
    partial_ratio against every word at least two thirds as long."""
    groups: dict[float, list[str]] = {}
    for term in vocabulary:
        if len(term) < -(-2 * len(token) // 3):
            continue
        score = fuzz.partial_ratio(token, term, score_cutoff=FUZZY_CUTOFF)
        if score and len(term) < len(token):
            score = fuzz.ratio(token, term, score_cutoff=FUZZY_CUTOFF)
        if not score:
            continue
        if score >= 100.0 and term.startswith(token):
            score += WORD_START_BONUS
        groups.setdefault(score, []).append(term)
    return groups


def test_the_fuzzy_shortcut_finds_every_word_a_full_scan_finds() -> None:
    rng = random.Random(3)
    letters = "aeioudfmnst"
    vocabulary = sorted(
        {"".join(rng.choice(letters) for _ in range(rng.randint(1, 16))) for _ in range(20000)}
    )
    ordered = sorted(vocabulary, key=len)
    tokens = [w for w in rng.sample(vocabulary, 200) if len(w) >= 5]
    tokens += ["diffusion", "difusion", "smith", "modle", "transformers"]
    compared = 0
    for token in tokens:
        expected = _fuzzy_as_index(token, ordered)
        found = fuzzy_groups(token, (ordered, [len(w) for w in ordered]))
        assert {s: sorted(w) for s, w in found.items()} == {
            s: sorted(w) for s, w in expected.items()
        }, token
        compared += sum(map(len, expected.values()))
    assert compared > 1000  # words near the tokens were there to be found


def test_the_fuzzy_scores_are_the_index_s_own() -> None:
    # cdist (what SearchIndex calls) and one call at a time score alike.
    words = ["diffusion", "difusion", "diffusionbased", "confusion", "fusion", "diffusions"]
    for token in ("diffusion", "difusion", "fusion"):
        across = process.cdist(words, [token], scorer=fuzz.partial_ratio, score_cutoff=80)
        for word, score in zip(words, across[:, 0], strict=True):
            assert fuzz.partial_ratio(token, word, score_cutoff=80) == pytest.approx(score, abs=0)
