"""Fields cut to size on import: the cut itself, a paper and a user's marks bounded,
and the line that says what was cut."""

from __future__ import annotations

from dataclasses import fields, replace

from hypothesis import given, settings
from hypothesis import strategies as st

from reader import limits
from reader.importing import ImportReport
from reader.limits import (
    ABSTRACT_CHARS,
    AUTHOR_CHARS,
    AUTHORS,
    ELLIPSIS,
    LINK_CHARS,
    NOTE_CHARS,
    TAG_CHARS,
    TAGS,
    TERM_CHARS,
    TERMS,
    TITLE_CHARS,
    Cut,
    bound_annotation,
    bound_import,
    bound_paper,
    cut,
    fits,
)
from reader.models import Annotation, ImportResult, Paper
from reader.store.library import MarksResult

NORMAL = Paper(
    title="Attention Is All You Need",
    arxiv_id="1706.03762",
    abstract="The dominant sequence transduction models are based on recurrent networks. " * 20,
    authors=("Ashish Vaswani", "Noam Shazeer"),
    categories=("cs.CL", "cs.LG"),
    primary_category="cs.CL",
    comment="15 pages",
    doi="10.48550/arXiv.1706.03762",
    journal_ref="NeurIPS 2017",
    url="https://example.org/attention",
    github_url="https://github.com/tensorflow/tensor2tensor",
    ai_summary="Transformers replace recurrence with attention.",
    ai_keywords=("attention", "transformer"),
)


# -- cut ------------------------------------------------------------------------


def test_text_that_fits_is_kept_as_it_is() -> None:
    assert cut("", 5) == ""
    assert cut("abcde", 5) == "abcde"


def test_a_cut_ends_in_an_ellipsis_within_the_limit() -> None:
    assert cut("abcdefghij", 5) == "abcd" + ELLIPSIS
    assert cut("ab", 1) == ELLIPSIS


def test_a_cut_ends_on_a_word_boundary_when_one_is_near() -> None:
    text = "word " * 100
    result = cut(text, 52)
    assert result == ("word " * 10).rstrip() + ELLIPSIS
    assert cut("hello world this is", 12) == "hello world" + ELLIPSIS


def test_a_cut_ends_mid_word_when_no_boundary_is_near() -> None:
    text = "short " + "x" * 200
    assert cut(text, 100) == "short " + "x" * 93 + ELLIPSIS


def test_a_line_break_is_a_word_boundary_too() -> None:
    text = "a" * 30 + "\n" + "b" * 30
    assert cut(text, 40) == "a" * 30 + ELLIPSIS


def test_a_cut_keeps_a_character_with_its_accents() -> None:
    # "e" + a combining acute accent is one character on screen: never split.
    text = "e\u0301" * 10
    result = cut(text, 6)
    assert result == "e\u0301" * 2 + ELLIPSIS
    assert not result.removesuffix(ELLIPSIS).endswith("e")


def test_a_cut_keeps_a_joined_emoji_whole() -> None:
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # one emoji, five code points
    text = "ab " + family + "cd"
    for limit in range(4, 10):
        kept = cut(text, limit).removesuffix(ELLIPSIS)
        assert kept == ("ab " + family if limit == 9 else "ab"), limit


@given(st.text(), st.integers(min_value=1, max_value=50))
def test_cut_is_bounded_and_cutting_again_changes_nothing(text: str, limit: int) -> None:
    once = cut(text, limit)
    assert len(once) <= limit
    assert cut(once, limit) == once
    if len(text) > limit:
        assert once.endswith(ELLIPSIS)
        assert text.startswith(once.removesuffix(ELLIPSIS))


# -- one paper ----------------------------------------------------------------------


def test_a_normal_paper_fits_and_is_passed_on_untouched() -> None:
    assert fits(NORMAL)
    bounded, cuts = bound_paper(NORMAL)
    assert bounded is NORMAL and cuts == []


def test_each_text_field_is_cut_to_its_limit() -> None:
    huge = "word " * 10_000
    paper = replace(
        NORMAL,
        title=huge,
        abstract=huge * 10,
        ai_summary=huge,
        comment=huge,
        journal_ref=huge,
        primary_category=huge,
    )
    bounded, cuts = bound_paper(paper, 7)
    assert len(bounded.title) <= TITLE_CHARS and bounded.title.endswith(ELLIPSIS)
    assert len(bounded.abstract) <= ABSTRACT_CHARS
    assert len(bounded.ai_summary or "") <= limits.AI_SUMMARY_CHARS
    assert len(bounded.comment or "") <= limits.PROSE_CHARS
    assert len(bounded.journal_ref or "") <= limits.PROSE_CHARS
    assert len(bounded.primary_category or "") <= TERM_CHARS
    assert [c.field for c in cuts] == [
        "title",
        "abstract",
        "AI summary",
        "comment",
        "journal reference",
        "primary category",
    ]
    assert cuts[0] == Cut(7, bounded.title, "title", len(huge), TITLE_CHARS)
    assert bounded.abstract == cut(huge * 10, ABSTRACT_CHARS)


def test_a_link_too_long_is_dropped_not_cut() -> None:
    long_url = "https://example.org/" + "a" * LINK_CHARS
    paper = replace(NORMAL, url=long_url, github_url=long_url, doi="10.1/" + "x" * LINK_CHARS)
    bounded, cuts = bound_paper(paper)
    assert (bounded.url, bounded.github_url, bounded.doi) == (None, None, None)
    assert [(c.field, c.after) for c in cuts] == [("DOI", 0), ("URL", 0), ("GitHub URL", 0)]
    assert "dropped" in cuts[1].describe()


def test_a_link_at_the_limit_is_kept() -> None:
    url = "https://example.org/" + "a" * (LINK_CHARS - 20)
    assert len(url) == LINK_CHARS
    assert bound_paper(replace(NORMAL, url=url))[0].url == url


def test_the_largest_collaborations_keep_every_author() -> None:
    atlas = tuple(f"Author Number {i}" for i in range(3_000))
    paper = replace(NORMAL, authors=atlas)
    assert fits(paper)
    assert bound_paper(paper)[0].authors == atlas


def test_too_many_authors_keeps_the_first_ones() -> None:
    names = tuple(f"Author {i}" for i in range(AUTHORS + 10))
    bounded, cuts = bound_paper(replace(NORMAL, authors=names))
    assert bounded.authors == names[:AUTHORS]
    assert [(c.field, c.before, c.after, c.unit) for c in cuts] == [
        ("authors", AUTHORS + 10, AUTHORS, "names")
    ]


def test_a_long_author_name_is_cut() -> None:
    long_name = "Name " * 200
    bounded, cuts = bound_paper(replace(NORMAL, authors=("Ana Silva", long_name)))
    assert bounded.authors == ("Ana Silva", cut(long_name, AUTHOR_CHARS))
    assert [(c.field, c.before, c.after) for c in cuts] == [
        ("author name", len(long_name), AUTHOR_CHARS)
    ]


def test_categories_and_keywords_are_bounded_in_number_and_length() -> None:
    many = tuple(f"k{i}" for i in range(TERMS + 1))
    long_term = "k" * (TERM_CHARS + 1)
    bounded, cuts = bound_paper(replace(NORMAL, categories=many, ai_keywords=(long_term,)))
    assert bounded.categories == many[:TERMS]
    assert bounded.ai_keywords == (cut(long_term, TERM_CHARS),)
    assert [c.field for c in cuts] == ["categories", "keyword"]


# -- a user's marks -----------------------------------------------------------------


def test_marks_that_fit_are_passed_on_untouched() -> None:
    mark = Annotation(0, starred=True, note="A note.\n\nTwo lines.", tags=("a", "b"))
    assert bound_annotation(mark) == (mark, [])


def test_a_long_note_is_cut_and_keeps_its_lines() -> None:
    note = "line one\nline two\n" * (NOTE_CHARS // 10)
    bounded, cuts = bound_annotation(Annotation(0, note=note), 3, "A Paper")
    assert len(bounded.note) <= NOTE_CHARS
    assert bounded.note.startswith("line one\nline two\n") and bounded.note.endswith(ELLIPSIS)
    assert cuts == [Cut(3, "A Paper", "note", len(note), NOTE_CHARS)]


def test_tags_are_bounded_in_number_and_length() -> None:
    tags = tuple(f"tag-{i}" for i in range(TAGS + 50))
    bounded, cuts = bound_annotation(Annotation(0, tags=tags))
    assert bounded.tags == tags[:TAGS]
    assert [(c.field, c.before, c.after, c.unit) for c in cuts] == [
        ("tags", TAGS + 50, TAGS, "tags")
    ]


def test_tags_cut_to_the_same_text_count_once() -> None:
    stem = "t" * TAG_CHARS
    bounded, cuts = bound_annotation(Annotation(0, tags=(stem + "a", stem + "b", "short")))
    assert bounded.tags == (cut(stem + "a", TAG_CHARS), "short")
    assert [(c.field, c.before) for c in cuts] == [("tag", TAG_CHARS + 1)]


# -- a whole import -----------------------------------------------------------------


def test_an_import_that_fits_is_passed_on_as_it_is() -> None:
    papers = [NORMAL, replace(NORMAL, title="Another")]
    marks = {1: Annotation(0, starred=True)}
    bounded, bounded_marks, cuts = bound_import(papers, marks)
    assert bounded is papers and bounded_marks == marks and cuts == []


def test_an_import_names_each_cut_by_its_paper_in_order() -> None:
    papers = [NORMAL, replace(NORMAL, title="T" * 2_000), replace(NORMAL, title="Third")]
    marks = {2: Annotation(0, note="n" * (NOTE_CHARS + 1)), 0: Annotation(0, starred=True)}
    bounded, bounded_marks, cuts = bound_import(papers, marks)
    assert bounded[0] is NORMAL and len(bounded[1].title) == TITLE_CHARS
    assert len(bounded_marks[2].note) == NOTE_CHARS and bounded_marks[0] == marks[0]
    assert [(c.record, c.title, c.field) for c in cuts] == [
        (2, bounded[1].title, "title"),
        (3, "Third", "note"),
    ]


# -- the summary line ---------------------------------------------------------------


def test_the_summary_says_what_was_cut() -> None:
    first = Cut(17, "A title " * 20, "title", 50_000_000, 1_000)
    second = Cut(20, "Other", "abstract", 30_000, 20_000)
    result = ImportResult(added=3).with_cuts([second, first])
    assert result.summary() == (
        "3 added, 0 updated, 0 unchanged; 2 fields cut to size (first: paper 17 "
        "'A title A title A title A title A title…': title, 50,000,000 characters to 1,000)"
    )


def test_one_cut_is_not_called_the_first() -> None:
    result = ImportResult(added=1).with_cuts([Cut(1, "T", "URL", 3_000, 0)])
    assert result.summary() == (
        "1 added, 0 updated, 0 unchanged; 1 field cut to size (paper 1 'T': URL, "
        "3,000 characters, dropped)"
    )


def test_the_summary_shows_a_title_without_controls_on_one_line() -> None:
    hostile = "Evil\x1b[31m\nTitle\u202e"
    line = ImportResult().with_cuts([Cut(1, hostile, "abstract", 30_000, 20_000)]).summary()
    assert "'Evil[31m Title'" in line
    assert line.isprintable()


def test_cuts_add_up_and_keep_the_earliest() -> None:
    result = ImportResult().with_cuts([Cut(5, "E", "title", 2_000, 1_000)])
    result = result.with_cuts([Cut(2, "B", "note", 2, 1), Cut(9, "I", "tag", 2, 1)])
    assert result.fields_cut == 3 and result.first_cut is not None
    assert result.first_cut.record == 2
    assert result.with_cuts([]) is result


def test_no_cut_no_clause() -> None:
    assert (
        ImportResult(added=2, skipped=1).summary() == "2 added, 0 updated, 0 unchanged, 1 skipped"
    )


def test_a_reader_import_says_what_was_cut_after_the_marks() -> None:
    papers = ImportResult(added=1).with_cuts([Cut(1, "T", "note", 2_000_000, NOTE_CHARS)])
    report = ImportReport(papers, MarksResult(restored=1), marked=1)
    assert report.summary() == (
        "1 added, 0 updated, 0 unchanged; 1 annotation restored; 1 field cut to size "
        "(paper 1 'T': note, 2,000,000 characters to 1,000,000)"
    )


# -- the property: bounded is bounded, and stays so ------------------------------------


def _long(max_repeat: int) -> st.SearchStrategy[str]:
    """Text up to far beyond a limit, made cheaply: a short random text repeated."""
    return st.builds(
        lambda text, times: text * times,
        st.text(max_size=12),
        st.integers(min_value=0, max_value=max_repeat),
    )


def _optional(strategy: st.SearchStrategy[str]) -> st.SearchStrategy[str | None]:
    return st.none() | strategy


def _items(item: st.SearchStrategy[str], most: int) -> st.SearchStrategy[tuple[str, ...]]:
    return st.builds(
        lambda few, times: few * times,
        st.lists(item, max_size=4).map(tuple),
        st.integers(min_value=0, max_value=most),
    )


PAPERS = st.builds(
    Paper,
    title=_long(200),
    abstract=_long(4_000),
    authors=_items(_long(40), 2_000),
    ai_summary=_optional(_long(500)),
    comment=_optional(_long(200)),
    journal_ref=_optional(_long(200)),
    primary_category=_optional(_long(12)),
    doi=_optional(_long(200)),
    url=_optional(_long(200)),
    github_url=_optional(_long(200)),
    categories=_items(_long(12), 80),
    ai_keywords=_items(_long(12), 80),
)
MARKS = st.builds(
    Annotation,
    paper_id=st.just(0),
    note=_long(300_000),
    tags=_items(_long(12), 80) | st.lists(_long(12), max_size=TAGS + 20).map(tuple),
)


# The attribute each reported field names.
ATTRIBUTE = {
    "title": "title",
    "abstract": "abstract",
    "AI summary": "ai_summary",
    "comment": "comment",
    "journal reference": "journal_ref",
    "primary category": "primary_category",
    "DOI": "doi",
    "URL": "url",
    "GitHub URL": "github_url",
    "authors": "authors",
    "author name": "authors",
    "categories": "categories",
    "category": "categories",
    "keywords": "ai_keywords",
    "keyword": "ai_keywords",
}


def _within_limits(paper: Paper) -> bool:
    return (
        len(paper.title) <= TITLE_CHARS
        and len(paper.abstract) <= ABSTRACT_CHARS
        and len(paper.authors) <= AUTHORS
        and all(len(name) <= AUTHOR_CHARS for name in paper.authors)
        and all(
            len(getattr(paper, name) or "") <= limit
            for name, limit in (
                ("ai_summary", limits.AI_SUMMARY_CHARS),
                ("comment", limits.PROSE_CHARS),
                ("journal_ref", limits.PROSE_CHARS),
                ("primary_category", TERM_CHARS),
                ("doi", LINK_CHARS),
                ("url", LINK_CHARS),
                ("github_url", LINK_CHARS),
            )
        )
        and all(
            len(items) <= TERMS and all(len(item) <= TERM_CHARS for item in items)
            for items in (paper.categories, paper.ai_keywords)
        )
    )


@settings(max_examples=300, deadline=None)
@given(PAPERS)
def test_a_bounded_paper_is_within_the_limits_and_bounding_it_again_changes_nothing(
    paper: Paper,
) -> None:
    bounded, cuts = bound_paper(paper)
    assert _within_limits(bounded) and fits(bounded)
    assert bound_paper(bounded) == (bounded, [])
    # Something was cut exactly when the paper did not fit, and each change is reported.
    assert bool(cuts) == (not fits(paper)) == (bounded != paper)
    changed = {f.name for f in fields(Paper) if getattr(paper, f.name) != getattr(bounded, f.name)}
    assert {ATTRIBUTE[c.field] for c in cuts} == changed


@settings(max_examples=200, deadline=None)
@given(MARKS)
def test_a_bounded_mark_is_within_the_limits_and_bounding_it_again_changes_nothing(
    mark: Annotation,
) -> None:
    bounded, _cuts = bound_annotation(mark)
    assert len(bounded.note) <= NOTE_CHARS
    assert len(bounded.tags) <= TAGS and all(len(tag) <= TAG_CHARS for tag in bounded.tags)
    assert bound_annotation(bounded) == (bounded, [])
