"""The word indexes: the filter over SQLite's indexes answers as the plain scan does.

The filter asks the store which papers hold a word (schema 4's FTS5 tables); the
same questions can be answered by reading every paper (``MemoryWords``). Both must
give the same ranked ids for any query, and the count is the number of papers
that truly match.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import OSA

from reader.models import Annotation, ListedPaper, Paper
from reader.search import (
    AUTHOR_TYPO_MIN_LEN,
    FUZZY_CUTOFF,
    HeldWords,
    MemoryWords,
    Query,
    SearchIndex,
    Term,
    author_kind,
    fold,
    has_run,
    is_full_name,
    name_words,
    words,
)
from reader.store import Library, open_library
from tests.support.store import older_library, stored_id

# Words with accents, digits, hyphens and case, as real titles have them.
VOCABULARY = [
    "diffusion",
    "Diffusion-based",
    "models",
    "model",
    "transformer",
    "Transformers",
    "attention",
    "GPT-4o",
    "re:zero",
    "Müller",
    "muller",
    "naïve",
    "café",
    "flow",
    "matching",
    "flow-matching",
    "grokking",
    "working",
    "LLM",
    "LLMs",
    "3D",
    "vision",
    "language",
    "of",
    "a",
    "in",
    "x",
]
NAMES = [
    "Ana Smith",
    "Ben Müller",
    "Chen Li",
    "Dana Diffusion",
    "Eli Lecun",
    "Yann LeCun",
    # Names that collide: the same words in another order, inside other words, as
    # initials or in BibTeX's "Last, First".
    "Hao Li",
    "Li Hao",
    "Haoran Liu",
    "Xiaohao Li",
    "Hao Li-Wei",
    "Li, Hao",
    "H. Li",
    "Hao X. Li",
]


def _library_papers(seed: int = 11, count: int = 120) -> list[Paper]:
    rng = random.Random(seed)
    papers = []
    for n in range(count):
        papers.append(
            Paper(
                title=" ".join(rng.choice(VOCABULARY) for _ in range(rng.randint(2, 7))) + f" {n}",
                arxiv_id=f"2401.{n:05d}",
                abstract=" ".join(rng.choice(VOCABULARY) for _ in range(rng.randint(0, 30))),
                authors=tuple(rng.sample(NAMES, rng.randint(0, 3))),
                published=f"202{rng.randint(0, 5)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
                upvotes=rng.randint(0, 50),
                github_url="https://github.com/a/b" if rng.random() < 0.3 else None,
            )
        )
    return papers


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> Library:
    library = open_library(tmp_path_factory.mktemp("words") / "library.db")
    library.import_papers(_library_papers())
    return library


def _fast(stored: Library, kind: str) -> SearchIndex:
    """The filter over the store's word indexes: asked at each key ("store"), or
    read into memory first ("held", as the app's index is once warm)."""
    words = stored.words()
    return SearchIndex(stored.listing(), HeldWords(words) if kind == "held" else words)


@pytest.fixture(scope="module", params=["store", "held"])
def both(stored: Library, request: pytest.FixtureRequest) -> tuple[SearchIndex, SearchIndex]:
    fast = _fast(stored, request.param)
    plain = SearchIndex(stored.papers(), MemoryWords(stored.papers()))
    return fast, plain


MARKS = {1: Annotation(1, starred=True), 2: Annotation(2, read_at="2024-01-01T00:00:00")}
FIXED_QUERIES = [
    "diffusion",
    "difusion",
    "diff",
    "d",
    "di",
    "mod",
    "model",
    "transformer",
    "gpt-4o",
    "4o",
    "re:zero",
    "müller",
    "muller",
    "Mueller",
    "naive",
    "café",
    "cafe",
    '"flow matching"',
    '"flow-matching"',
    '"models of"',
    "author:müller",
    'author:"yann lecun"',
    'author:"Hao Li"',
    'author:"Li, Hao"',
    'author:"H. Li"',
    'author:"Hao L',
    "author:li",
    "author:hao",
    "author:li-wei",
    "author:lecunn",
    "-author:li",
    "title:grokking",
    "grokking -working",
    "-diffusion",
    "llm year:2023",
    "vision is:starred",
    "attention has:code upvotes:>10",
    "x",
    "3d",
    "-",
    "++",
]


@pytest.mark.parametrize("text", FIXED_QUERIES)
def test_the_indexes_answer_as_the_plain_scan(
    both: tuple[SearchIndex, SearchIndex], text: str
) -> None:
    fast, plain = both
    query = Query.parse(text)
    assert fast.search(query, MARKS) == plain.search(query, MARKS)


def test_queries_that_match_match_something(both: tuple[SearchIndex, SearchIndex]) -> None:
    # Guards the comparison above against two empty answers agreeing.
    fast, _plain = both
    for text in ("diffusion", "difusion", "müller", '"flow matching"', "re:zero", "gpt-4o"):
        assert fast.search(Query.parse(text)), text


_fragments = st.sampled_from(VOCABULARY + [n.split()[1] for n in NAMES]).flatmap(
    lambda word: st.tuples(st.integers(0, len(word)), st.integers(0, len(word))).map(
        lambda cut: word[min(cut) : max(cut)] or word
    )
)
_typos = st.tuples(_fragments, st.integers(0, 20), st.sampled_from("aeiouxz")).map(
    lambda t: t[0][: t[1]] + t[2] + t[0][t[1] + 1 :] if t[1] < len(t[0]) else t[0]
)
_terms = st.one_of(
    _fragments,
    _typos,
    _fragments.map(lambda w: f"-{w}"),
    _fragments.map(lambda w: f"title:{w}"),
    _fragments.map(lambda w: f"author:{w}"),
    st.sampled_from(NAMES).map(lambda name: f'author:"{name}"'),
    st.tuples(st.sampled_from(NAMES), _fragments).map(lambda p: f'-author:"{p[0]} {p[1]}"'),
    _fragments.map(lambda w: f'author:"Hao {w}'),
    st.tuples(_fragments, _fragments).map(lambda p: f'"{p[0]} {p[1]}"'),
    st.sampled_from(["is:starred", "is:unread", "has:code", "year:>2022", "upvotes:<20"]),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_terms, min_size=1, max_size=3))
def test_any_query_is_answered_as_the_plain_scan(
    both: tuple[SearchIndex, SearchIndex], terms: list[str]
) -> None:
    fast, plain = both
    query = Query.parse(" ".join(terms))
    expected = plain.search(query, MARKS)
    assert fast.search(query, MARKS) == expected


def _named(term: Term, names: tuple[str, ...], vocabulary: set[str]) -> bool:
    """Whether an author term names one of ``names``, read the plain way: every
    name split and compared, no index."""
    typed = name_words(term.value)
    if not typed:
        return True
    held = [name_words(name) for name in names]
    name_words_held = {w for name in held for w in name}
    kind = author_kind(term, typed)
    if kind == "name" and term.partial:
        # An open quote: its words as typed among all the names, the last as a
        # beginning, a word as itself or its initial, middle initials optional.
        typed = words(term.value)

        def among(word: str) -> bool:
            if len(word) == 1:
                return any(w.startswith(word) for w in name_words_held)
            return bool({word, word[0]} & name_words_held)

        given = [w for at, w in enumerate(typed[:-1]) if at == 0 or len(w) > 1]
        last = typed[-1]
        return all(map(among, given)) and any(w.startswith(last) for w in name_words_held)
    if kind == "name":
        return any(is_full_name(typed, name) for name in held)
    if kind == "run":
        return any(has_run(typed, name) for name in held)
    (word,) = typed
    if term.quoted and term.partial:
        return any(w.startswith(word) for w in name_words_held)
    if word in name_words_held:
        return True
    typo = not term.quoted and len(word) >= AUTHOR_TYPO_MIN_LEN and word not in vocabulary
    return typo and any(OSA.distance(word, w) <= 1 for w in name_words_held)


def _plain_author_search(papers: list[Paper], text: str) -> list[int]:
    (term,) = Query.parse(text).terms
    vocabulary = {w for paper in papers for name in paper.authors for w in words(name)}
    hits = [p.id for p in papers if p.id is not None and _named(term, p.authors, vocabulary)]
    everything = [p.id for p in papers if p.id is not None]
    return [i for i in everything if (i in hits) != term.negated]


_author_terms = st.one_of(
    _fragments.map(lambda w: f"author:{w}"),
    _typos.map(lambda w: f"author:{w}"),
    st.sampled_from(NAMES).map(lambda name: f'author:"{name}"'),
    st.tuples(_fragments, _fragments).map(lambda p: f'author:"{p[0]} {p[1]}"'),
    st.tuples(_fragments, _fragments).map(lambda p: f'author:"{p[0]}, {p[1]}"'),
    st.tuples(st.sampled_from(NAMES), st.integers(1, 12)).map(lambda p: f'author:"{p[0][: p[1]]}'),
    st.sampled_from(NAMES).map(lambda name: f'-author:"{name}"'),
)


@pytest.fixture(scope="module", params=["store", "held"])
def fast(stored: Library, request: pytest.FixtureRequest) -> SearchIndex:
    return _fast(stored, request.param)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_author_terms)
def test_author_terms_name_whom_reading_every_name_finds(
    stored: Library, fast: SearchIndex, text: str
) -> None:
    # The indexes only narrow: what they find must be what reading every name finds.
    assert fast.search(Query.parse(text)) == _plain_author_search(stored.papers(), text)


def test_named_authors_are_found_as_reading_every_name_finds_them(
    stored: Library, fast: SearchIndex
) -> None:
    # The comparison above on queries sure to find some papers (not two empty
    # answers agreeing), and fewer than every paper.
    papers = stored.papers()
    for text in ('author:"Hao Li"', "author:li", 'author:"Li, Hao"', 'author:"Hao L'):
        expected = _plain_author_search(papers, text)
        assert 0 < len(expected) < len(papers), text
        assert fast.search(Query.parse(text)) == expected, text


def test_words_held_in_memory_answer_as_the_plain_scan(stored: Library) -> None:
    # Every term and every beginning of one, in both fields the memory holds; and
    # the fields it does not hold, asked of the store through it.
    whole = stored.papers()
    plain, held = MemoryWords(whole), HeldWords(stored.words())
    for field in ("title", "authors"):
        terms = plain.terms(field)
        assert list(held.terms(field)) == terms and terms, field
        assert sorted(set(held.having(field, terms))) == sorted(plain.having(field, terms))
        assert len(held.having(field, ["nosuchword"])) == 0
        for term in terms:
            assert sorted(held.having(field, [term])) == sorted(plain.having(field, [term]))
            for end in range(1, len(term) + 1):
                prefix = term[:end]
                found = held.starting(field, prefix)
                assert sorted(set(found)) == sorted(plain.starting(field, prefix)), prefix
    for prefix in ("zzz", "\U0010ffff", "di", "d"):
        for field in ("title", "authors", "abstract"):
            found = held.starting(field, prefix)
            assert sorted(set(found)) == sorted(plain.starting(field, prefix)), (field, prefix)
    assert sorted(held.having("abstract", ["flow"])) == sorted(plain.having("abstract", ["flow"]))


def test_the_count_is_the_number_of_papers_that_hold_the_word(stored: Library) -> None:
    index = SearchIndex(stored.listing(), stored.words())
    # "grokking" fuzzily also finds "working" (a typo away is not: that is
    # partial_ratio 71), so count by the words each paper really has.
    found = index.search(Query.parse("grokking"))
    truth = [
        stored_id(paper)
        for paper in stored.papers()
        if {"grokking"} & set(words(f"{paper.title} {' '.join(paper.authors)} {paper.abstract}"))
    ]
    assert sorted(found) == sorted(truth) and truth


def test_folding_matches_the_store() -> None:
    assert fold("Müller NAÏVE Café") == "muller naive cafe"
    assert words("GPT-4o re:zero a_b") == ["gpt", "4o", "re", "zero", "a", "b"]


def _index(library: Library) -> SearchIndex:
    return SearchIndex(library.listing(), library.words())


def test_the_indexes_follow_every_change_to_a_paper(empty_library: Library) -> None:
    empty_library.import_papers([Paper("Old title", "2401.00001", abstract="first words")])
    assert _index(empty_library).search(Query.parse("first"))
    # A newer revision changes title and abstract: the old words go, the new ones come.
    empty_library.import_papers(
        [Paper("Grokking anew", "2401.00001", abstract="second text", arxiv_version=2)]
    )
    index = _index(empty_library)
    assert index.search(Query.parse("grokking")) and index.search(Query.parse("second"))
    assert index.search(Query.parse("first")) == []
    assert index.search(Query.parse("title:old")) == []
    empty_library.db.execute("DELETE FROM papers")
    assert _index(empty_library).source.starting("title", "grok") == []


def test_an_upgraded_library_has_its_papers_indexed(db_path: Path) -> None:

    conn = older_library(db_path, 3)
    conn.execute(
        "INSERT INTO papers (title, title_key, abstract, authors, added_at, updated_at) "
        "VALUES ('Grokking old papers', 'grokking old papers', 'kept words', "
        "'[\"Ana Smith\"]', 'x', 'x')"
    )
    conn.close()
    library = open_library(db_path)
    try:
        index = _index(library)
        for text in ("grokking", "kept", "author:smith"):
            assert len(index.search(Query.parse(text))) == 1, text
    finally:
        library.close()


def test_author_texts_read_as_names(empty_library: Library) -> None:
    empty_library.import_papers([Paper("A", "2401.00002", authors=("Ana Smith", 'B "Q" Li'))])
    (paper,) = empty_library.listing()
    words_index = empty_library.words()
    assert list(words_index.texts("authors", [paper.id])) == [(paper.id, 'Ana Smith, B "Q" Li')]
    assert words_index.having("authors", {"q"}) == {paper.id}


def test_a_paper_added_after_the_index_was_built_is_left_out(empty_library: Library) -> None:
    empty_library.import_papers([Paper("Grokking one", "2401.00003")])
    index = _index(empty_library)
    index.warm()
    empty_library.import_papers([replace(Paper("Grokking two", "2401.00004"))])
    assert len(index.search(Query.parse("grokking"))) == 1


def _kept_fields(library: Library) -> list[str]:
    return [row[0] for row in library.db.execute("SELECT field FROM word_terms ORDER BY field")]


def test_term_lists_are_kept_until_a_title_or_author_changes(empty_library: Library) -> None:
    empty_library.import_papers([Paper("Grokking one", "2401.00005", authors=("Ana Smith",))])
    assert _kept_fields(empty_library) == []
    words_index = empty_library.words()
    assert "grokking" in words_index.terms("title")
    assert _kept_fields(empty_library) == ["authors", "title"]
    assert "smith" in words_index.terms("authors")  # read back from the kept list
    empty_library.import_papers([Paper("Lottery tickets", "2401.00006")])
    assert _kept_fields(empty_library) == []
    assert "lottery" in words_index.terms("title")
    # A change that leaves titles and authors alone keeps the lists.
    empty_library.import_papers([Paper("Lottery tickets", "2401.00006", abstract="new")])
    assert _kept_fields(empty_library) == ["authors", "title"]
    words_index.close()


def test_a_library_that_cannot_be_written_lists_its_terms_without_keeping_them(
    empty_library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty_library.import_papers([Paper("Grokking one", "2401.00007")])
    words_index = empty_library.words()
    # What a read-only file, or another process holding the write lock, gives.
    monkeypatch.setattr(type(words_index), "_writer", lambda self: None)
    assert words_index.terms("title") == ["grokking", "one"]
    assert _kept_fields(empty_library) == []
    words_index.close()


def test_a_search_over_the_order_alone_reads_papers_only_for_dates(stored: Library) -> None:
    loads: list[int] = []

    def load() -> list[ListedPaper]:
        loads.append(1)
        return stored.listing()

    index = SearchIndex([], stored.words(), order=stored.order(), load=load)
    full = SearchIndex(stored.listing(), stored.words())
    for text in ("diffusion", "flow matching", '"flow matching" -vision'):
        assert index.search(Query.parse(text)) == full.search(Query.parse(text)), text
    assert loads == []
    assert index.search(Query.parse("diffusion year:>2022")) == full.search(
        Query.parse("diffusion year:>2022")
    )
    assert loads == [1]


def test_a_library_changed_between_order_and_load_is_an_error(stored: Library) -> None:
    index = SearchIndex([], stored.words(), order=stored.order()[1:], load=stored.listing)
    with pytest.raises(ValueError, match="changed while it was searched"):
        index.search(Query.parse("year:2023"))


def _check_indexes(library: Library) -> None:
    """FTS5's own check: the indexes hold exactly what the papers table says."""
    library.db.execute("INSERT INTO paper_words (paper_words) VALUES ('integrity-check')")
    library.db.execute("INSERT INTO abstract_words (abstract_words) VALUES ('integrity-check')")


def test_rows_written_outside_an_import_are_indexed_too(empty_library: Library) -> None:
    empty_library.import_papers([Paper("Grokking one", "2401.00008", abstract="alpha")])
    assert empty_library.get_meta("indexing_by_import") is None
    empty_library.db.execute(
        "INSERT INTO papers (title, title_key, abstract, added_at, updated_at) "
        "VALUES ('Lottery tickets', 'lottery tickets', 'beta', 'x', 'x')"
    )
    empty_library.db.execute("UPDATE papers SET abstract = 'gamma' WHERE title = 'Grokking one'")
    _check_indexes(empty_library)
    index = _index(empty_library)
    assert len(index.search(Query.parse("lottery"))) == 1
    assert len(index.search(Query.parse("gamma"))) == 1
    assert index.search(Query.parse("alpha")) == []


def test_imports_of_every_kind_leave_the_indexes_whole(empty_library: Library) -> None:
    papers = _library_papers(seed=3, count=60)
    empty_library.import_papers(papers[:40])
    # New papers, known ones revised (title, authors, abstract), known ones unchanged.
    revised = [
        replace(p, title=p.title + " revised", abstract="fresh", arxiv_version=2, authors=("Z Q",))
        for p in papers[:10]
    ]
    empty_library.import_papers(revised + papers[10:60])
    _check_indexes(empty_library)
    whole = empty_library.papers()
    fast = SearchIndex(empty_library.listing(), empty_library.words())
    plain = SearchIndex(whole, MemoryWords(whole))
    for text in ("revised", "fresh", "author:q", "diffusion", '"flow matching"'):
        assert fast.search(Query.parse(text)) == plain.search(Query.parse(text)), text
    assert len(fast.search(Query.parse("revised"))) == 10


def test_the_fixed_library_is_indexed_whole(stored: Library) -> None:
    _check_indexes(stored)


def test_a_library_named_by_a_relative_path_is_searched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    library = open_library(Path("my library #1.db"))
    library.import_papers([Paper("Grokking one", "2401.00009")])
    assert len(_index(library).search(Query.parse("grokking"))) == 1
    library.close()


def test_a_fuzzy_word_finds_words_two_thirds_its_length_and_no_shorter(
    empty_library: Library,
) -> None:
    # ratio("abcdef", "abcd") is 80, the cutoff; ("abcdef", "abc") is 67.
    empty_library.import_papers([Paper("Xy abcd", "2401.00010"), Paper("Xy abc", "2401.00011")])
    index = _index(empty_library)
    (found,) = index.search(Query.parse("abcdef"))
    assert empty_library.paper(found).title == "Xy abcd"  # type: ignore[union-attr]


NON_LATIN = [
    ("мой", "Мой путь"),
    ("ёж", "Ёлка и ёж"),
    ("άλφα", "Σοφία και άλφα"),
    ("λόγος", "Ο λόγος"),  # noqa: RUF001 - a Greek capital omicron
    ("ガイド", "ガイド付き学習"),
    ("हिन्दी", "हिन्दी भाषा मॉडल"),
    ('"Новый подход"', "Новый подход к обучению"),
    ("title:мой", "Мой путь"),
    ("대규모", "대규모 언어 모델"),
    ("模型", "中文 模型"),
]


@pytest.mark.parametrize(("text", "title"), NON_LATIN)
def test_words_of_any_script_are_found_as_the_index_splits_them(
    empty_library: Library, text: str, title: str
) -> None:
    empty_library.import_papers(
        [Paper(t, f"2402.{n:05d}") for n, (_q, t) in enumerate(NON_LATIN)]
        + [Paper("Unrelated", "2402.00099", abstract=title)]
    )
    index = _index(empty_library)
    found = [empty_library.paper(i).title for i in index.search(Query.parse(text))]  # type: ignore[union-attr]
    assert title in found
    if not text.startswith("title:") and len(text) >= 3:
        assert "Unrelated" in found  # the same words in an abstract (from 3 letters)
    without = _index(empty_library).search(Query.parse(f"-{text}"))
    assert all(empty_library.paper(i).title != title for i in without)  # type: ignore[union-attr]


def test_term_lists_read_while_titles_change_are_not_kept(
    empty_library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reader.store.words import Words

    empty_library.import_papers([Paper("Grokking one", "2401.00012")])
    original = Words._write
    writes: list[int] = []

    def write_then_change(self: Words, change: Callable[[sqlite3.Connection], object]) -> bool:
        done = original(self, change)
        if not writes:  # another process imports while the list is being read
            writes.append(1)
            empty_library.import_papers([Paper("Lottery tickets", "2401.00013")])
        return done

    monkeypatch.setattr(Words, "_write", write_then_change)
    words_index = empty_library.words()
    assert "grokking" in words_index.terms("title")
    assert _kept_fields(empty_library) == []
    words_index.close()


def test_leaving_out_only_punctuation_leaves_out_nothing(stored: Library) -> None:
    index = _index(stored)
    found = index.search(Query.parse("diffusion"))
    assert found and index.search(Query.parse("diffusion -&")) == found
    assert index.search(Query.parse('diffusion -"&"')) == found


def test_words_typed_in_title_order_rank_first_whatever_their_accents(
    empty_library: Library,
) -> None:
    empty_library.import_papers(
        [
            Paper("Model of Müller cells", "2401.00020", published="2024-02-01"),
            Paper("Müller model", "2401.00021", published="2024-01-01"),
        ]
    )
    index = _index(empty_library)
    (first, _second) = index.search(Query.parse("Müller model"))
    assert empty_library.paper(first).title == "Müller model"  # type: ignore[union-attr]


def test_the_names_holding_a_word_are_read_as_the_plain_scan_reads_them(
    empty_library: Library,
) -> None:
    # The store finds them in the raw JSON where it can; escapes, accents, bad JSON
    # and numbers take the slow way. Both ways must agree with reading every name.
    plain_names = ("Ana Smith", "Smithson Ana", "Bo Li", "Smith, Ana", "Ana Smith-Jones")
    empty_library.import_papers(
        [
            Paper("Plain", "2405.00001", authors=(*plain_names, "Ana_Smith", "SMITH")),
            Paper("Quoted", "2405.00002", authors=('Q "Smith" R', "Ana Smith")),
            Paper("Accented", "2405.00003", authors=("Ánna Smith", "Bo Smíth")),
            Paper("None", "2405.00004", authors=("Smithers Bo", "Li Na")),
            Paper("Escaped", "2405.00005"),
            Paper("Broken", "2405.00006"),
            Paper("Numbers", "2405.00007"),
        ]
    )
    db = empty_library.db
    db.execute("""UPDATE papers SET authors = '["Ana \\u00c9 Smith"]' WHERE title = 'Escaped'""")
    db.execute("""UPDATE papers SET authors = '["Ana Smith"' WHERE title = 'Broken'""")
    db.execute("""UPDATE papers SET authors = '[7, "Ana Smith", true]' WHERE title = 'Numbers'""")
    whole = empty_library.papers()
    ids = [paper.id for paper in whole if paper.id is not None]
    by_id = {paper.title: paper.id for paper in whole}
    plain, stored = MemoryWords(whole), empty_library.words()
    for holding in ("smith", "ana", "li", "jones", "anna", "7", "u00c9", "e", "q", "true"):
        expected = sorted(plain.names(ids, holding))
        assert sorted(stored.names(ids, holding)) == expected, holding
        # With a second word, by its beginning: in the same name, not a neighbour's.
        for starting in ("a", "an", "b", "s", "j", "r", "7"):
            expected = sorted(plain.names(ids, holding, starting))
            assert sorted(stored.names(ids, holding, starting)) == expected, (holding, starting)
    assert dict(stored.names(ids, "li", "b")) == {by_id["Plain"]: ["Bo Li"]}
    assert dict(stored.names(ids, "smith", "b")) == {by_id["Accented"]: ["Bo Smíth"]}
    by_title = {paper.title: stored_id(paper) for paper in whole}
    found = {title: dict(stored.names(ids, "smith")).get(i) for title, i in by_title.items()}
    assert found == {
        "Plain": ["Ana Smith", "Smith, Ana", "Ana Smith-Jones", "Ana_Smith", "SMITH"],
        "Quoted": ['Q "Smith" R', "Ana Smith"],
        "Accented": ["Ánna Smith", "Bo Smíth"],
        "None": None,
        "Escaped": ["Ana É Smith"],
        "Broken": None,
        "Numbers": ["Ana Smith"],
    }
    stored.close()


_letters = st.text(alphabet="abcdeilmnorstuxyz019éßд", min_size=1, max_size=14)


@settings(max_examples=200, deadline=None)
@given(st.lists(_letters, min_size=1, max_size=40, unique=True), _letters)
def test_the_words_worth_scoring_are_every_word_that_reaches_the_cutoff(
    vocabulary: list[str], token: str
) -> None:
    # FuzzyWords leaves out words by a bound on their score: it must never leave out
    # one that scoring every word finds (only words two thirds the typed one's length
    # or longer are scored at all).
    from rapidfuzz import fuzz

    from reader.search.fuzzy import FuzzyWords

    shortest = -(-2 * len(token) // 3)
    scored = {
        word
        for word in vocabulary
        if len(word) >= shortest and fuzz.partial_ratio(token, word) >= FUZZY_CUTOFF
    }
    near = FuzzyWords(vocabulary).near(token, FUZZY_CUTOFF)
    assert scored <= set(near)
    assert all(len(word) >= shortest for word in near)


def test_words_that_cannot_reach_the_cutoff_are_not_scored() -> None:
    from reader.search.fuzzy import FuzzyWords

    near = FuzzyWords(["diffusion", "difusion", "model", "transformer", "zzzzzzzzz"])
    assert set(near.near("diffusion", FUZZY_CUTOFF)) == {"diffusion", "difusion"}
