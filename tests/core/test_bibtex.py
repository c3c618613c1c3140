"""The BibTeX importer: where ids come from, LaTeX, names, macros, dates, bad input."""

from __future__ import annotations

import random

import pytest

from reader.models import Paper
from reader.sources import SourceError
from reader.sources.bibtex import looks_like_bibtex, parse_bibtex

# A file like the ones arXiv, DBLP, Google Scholar and Zotero hand out.
LIBRARY = r"""% Exported by hand for the tests
@string{neurips = "Advances in Neural Information Processing Systems"}
@string{tfm = {Transformer}}

@comment{ @article{ignored, title = {Not a paper}} }
@preamble{ "\newcommand{\noopsort}[1]{}" }

@misc{vaswani2017,
  title         = {Attention Is All You Need},
  author        = {Vaswani, Ashish and Shazeer, Noam and Parmar, Niki},
  year          = {2017},
  eprint        = {1706.03762v7},
  archivePrefix = {arXiv},
  primaryClass  = {cs.CL},
}

@inproceedings{devlin2019,
  Title     = {{BERT}: Pre-training of Deep Bidirectional Transformers},
  Author    = {Devlin, Jacob and Chang, Ming-Wei},
  booktitle = neurips,
  year      = 2019,
  month     = jun,
  url       = {https://arxiv.org/abs/1810.04805v2},
}

@article{schroedinger,
  title  = "Quantenmechanik f{\"u}r Anf\"anger " # tfm # " edition",
  author = {Schr{\"o}dinger, Erwin and Caf\'e, Ren\'e and {\O}rsted, Hans Christian
            and de la Fontaine, Jean and {Barnes and Noble} and others},
  arxiv  = {hep-th/9901001v2},
  date   = {2001-03-17},
  abstract = {We show that   the cat
              is both.  Code: \url{https://github.com/erwin/cat}.},
}

@article{nature2020,
  title   = {A Paper With Only a {DOI}},
  author  = {Curie, Marie},
  journal = {Nature},
  doi     = {https://doi.org/10.1038/s41586-020-2649-2},
  url     = {https://www.nature.com/articles/s41586-020-2649-2},
  year    = {2020},
  month   = {3},
  keywords = {physics, chemistry},
}

@misc{untitled,
  author = {Nobody, A.},
  year   = {2021},
}
"""


@pytest.fixture(scope="module")
def papers() -> dict[str, Paper]:
    batch = parse_bibtex(LIBRARY, source="refs.bib")
    assert batch.format == "bibtex"
    return {p.title: p for p in batch.papers}


def one(text: str) -> Paper:
    (paper,) = parse_bibtex(text, source="t.bib").papers
    return paper


def test_every_titled_entry_is_a_paper_in_file_order() -> None:
    batch = parse_bibtex(LIBRARY, source="refs.bib")
    assert [p.title for p in batch.papers] == [
        "Attention Is All You Need",
        "BERT: Pre-training of Deep Bidirectional Transformers",
        "Quantenmechanik für Anfänger Transformer edition",
        "A Paper With Only a DOI",
    ]
    assert batch.skipped == 1  # the entry without a title; @comment/@preamble are not entries


def test_eprint_with_archive_prefix(papers: dict[str, Paper]) -> None:
    paper = papers["Attention Is All You Need"]
    assert (paper.arxiv_id, paper.arxiv_version) == ("1706.03762", 7)
    assert paper.primary_category == "cs.CL"
    assert paper.authors == ("Ashish Vaswani", "Noam Shazeer", "Niki Parmar")
    assert paper.published == "2017"


def test_arxiv_url_in_url_field_and_month_macro(papers: dict[str, Paper]) -> None:
    paper = papers["BERT: Pre-training of Deep Bidirectional Transformers"]
    assert (paper.arxiv_id, paper.arxiv_version) == ("1810.04805", 2)
    assert paper.url == "https://arxiv.org/abs/1810.04805v2"
    assert paper.published == "2019-06"
    assert paper.authors == ("Jacob Devlin", "Ming-Wei Chang")


def test_arxiv_field_old_style_id_latex_and_full_date(papers: dict[str, Paper]) -> None:
    paper = papers["Quantenmechanik für Anfänger Transformer edition"]
    assert (paper.arxiv_id, paper.arxiv_version) == ("hep-th/9901001", 2)
    assert paper.published == "2001-03-17"
    assert paper.abstract == "We show that the cat is both. Code: https://github.com/erwin/cat."
    assert paper.github_url == "https://github.com/erwin/cat"


def test_names_are_split_decoded_and_first_name_first(papers: dict[str, Paper]) -> None:
    paper = papers["Quantenmechanik für Anfänger Transformer edition"]
    assert paper.authors == (
        "Erwin Schrödinger",
        "René Café",
        "Hans Christian Ørsted",
        "Jean de la Fontaine",
        "Barnes and Noble",  # braces protect the "and"
    )  # "and others" is et al., not a person


def test_doi_only_no_arxiv_id(papers: dict[str, Paper]) -> None:
    paper = papers["A Paper With Only a DOI"]
    assert paper.arxiv_id is None
    assert paper.doi == "10.1038/s41586-020-2649-2"
    assert paper.url == "https://www.nature.com/articles/s41586-020-2649-2"
    assert paper.published == "2020-03"
    assert paper.authors == ("Marie Curie",)
    assert paper.ai_keywords == ()  # keywords are not tags, nor anything else


# --- where the arXiv id comes from ---------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ("eprint = {arXiv:2409.11074v3}", ("2409.11074", 3)),
        ("eprint = {2409.11074}, eprinttype = {arxiv}", ("2409.11074", None)),
        ("journal = {arXiv preprint arXiv:2301.00234}", ("2301.00234", None)),
        ("note = {\\url{https://arxiv.org/pdf/2301.00234v1.pdf}}", ("2301.00234", 1)),
        ("howpublished = {\\url{http://arxiv.org/abs/math.GT/0309136}}", ("math/0309136", None)),
        ("doi = {10.48550/arXiv.2409.11074}", ("2409.11074", None)),
        ("eprint = {1234}, archivePrefix = {PubMed}, arxiv = {2409.11074}", ("2409.11074", None)),
        ("eprint = {not an id}", (None, None)),
    ],
)  # fmt: skip
def test_arxiv_id_sources(fields: str, expected: tuple[str | None, int | None]) -> None:
    paper = one(f"@misc{{k, title = {{T}}, {fields}}}")
    assert (paper.arxiv_id, paper.arxiv_version) == expected


def test_url_and_doi_are_taken_verbatim_not_as_latex() -> None:
    # Decoded as LaTeX, "%20..." would be a comment and "--" a dash.
    paper = one(
        "@misc{k, title = {T}, url = {https://example.org/a\\_b%20c~d},"
        " doi = {doi:10.1002/(SICI)1097--4636}}"
    )
    assert paper.url == "https://example.org/a_b%20c~d"
    assert paper.doi == "10.1002/(SICI)1097--4636"


def test_only_http_urls_are_kept() -> None:
    assert one("@misc{k, title = {T}, url = {javascript:alert(1)}}").url is None
    assert one("@misc{k, title = {T}, url = {file:///etc/passwd}}").url is None
    assert one("@misc{k, title = {T}, doi = {n/a}}").doi is None


# --- values, macros, dates ---------------------------------------------------------


def test_string_macros_resolve_case_insensitively_and_concatenate() -> None:
    text = (
        '@String{First = "Deep"}\n@STRING{second = first # { Learning}}\n'
        '@article{k, title = SECOND # " for " # {{NLP}}, year = 2024}'
    )
    assert one(text).title == "Deep Learning for NLP"


def test_parenthesised_entry_and_unknown_macro_stand_as_written() -> None:
    paper = one("@misc(k, title = {Paren} # undefinedmacro, year = {2021})")
    assert paper.title == "Parenundefinedmacro"
    assert paper.published == "2021"


@pytest.mark.parametrize(
    ("fields", "published"),
    [
        ("year = 2024, month = {March}", "2024-03"),
        ("year = 2024, month = {sep.}", "2024-09"),
        ("year = 2024, month = {11}", "2024-11"),
        ("year = 2024, month = {Smarch}", "2024"),
        ("year = {to appear}", None),
        ("date = {2023-02}", "2023-02"),
        ("date = {2023-02-29}, year = {2023}", "2023"),  # no such day: fall back to the year
        ("date = {2024-01-05/2024-01-07}", "2024-01-05"),
    ],
)  # fmt: skip
def test_published(fields: str, published: str | None) -> None:
    assert one(f"@misc{{k, title = {{T}}, {fields}}}").published == published


def test_latex_accents_and_markup_decode() -> None:
    paper = one(
        r"@misc{k, author = {Erd{\H{o}}s, P{\'a}l},"
        r" title = {{\"U}ber {\o}l and \'ecole: \textbf{Bold} $\alpha$-Nets, 50\% --- done}}"
    )
    assert paper.title == "Über øl and école: Bold $\\alpha$-Nets, 50% — done"
    assert paper.authors == ("Pál Erdős",)


def test_control_characters_never_survive() -> None:
    paper = one("@misc{k, title = {Evil \x1b[2J\x07title \u202eright}, author = {Bad\x1b, Guy}}")
    assert paper.title == "Evil [2Jtitle right"
    assert "\x1b" not in "".join(paper.authors)


# --- errors -------------------------------------------------------------------------


def test_broken_entry_is_an_error_at_its_line() -> None:
    text = (
        "@misc{ok, title = {Fine}}\n"
        "\n"
        "@article{broken,\n"  # line 3
        "  title = {Never closed\n"
        "\n"
        "@misc{next, title = {X}}\n"
    )
    with pytest.raises(SourceError) as caught:
        parse_bibtex(text, source="refs.bib")
    assert caught.value.line == 3
    assert str(caught.value).startswith("refs.bib:3: ")


def test_duplicate_key_is_an_error_at_the_second_entry() -> None:
    text = "@misc{same, title = {One}}\n@misc{same, title = {Two}}\n"
    with pytest.raises(SourceError, match="duplicate key 'same'") as caught:
        parse_bibtex(text, source="refs.bib")
    assert caught.value.line == 2


def test_files_without_entries() -> None:
    assert parse_bibtex("", source="t.bib").papers == []
    batch = parse_bibtex("% nothing\n@comment{nothing}\n", source="t.bib")
    assert batch.papers == [] and batch.skipped == 0


def test_sniffing() -> None:
    assert looks_like_bibtex(LIBRARY)
    assert looks_like_bibtex("\ufeff@Article{k,\n title={x}}")
    assert looks_like_bibtex("% comment\n\n  @misc (k, title={x})")
    assert not looks_like_bibtex("Daily Papers\nemail me @ home {soon}")
    assert not looks_like_bibtex('{"title": "@misc{x"}')
    assert not looks_like_bibtex("<feed>\n@misc{x}</feed>")


def test_mutated_input_raises_nothing_but_source_error() -> None:
    rng = random.Random(1706)
    alphabet = '{}@"#,=()\\%$~\n \x00\x1b\ud800é'
    outcomes = {"parsed": 0, "refused": 0}
    for _ in range(400):
        chars = list(LIBRARY)
        for _ in range(rng.randint(1, 8)):
            at = rng.randrange(len(chars))
            roll = rng.random()
            if roll < 0.45:
                chars.insert(at, rng.choice(alphabet))
            elif roll < 0.8:
                del chars[at : at + rng.randint(1, 30)]
            else:
                start = rng.randrange(len(chars))
                chars[at:at] = chars[start : start + rng.randint(1, 80)]
        try:
            parse_bibtex("".join(chars), source="m.bib")
            outcomes["parsed"] += 1
        except SourceError:
            outcomes["refused"] += 1
    assert outcomes["parsed"] > 0 and outcomes["refused"] > 0


@pytest.mark.parametrize(
    "text",
    ["@", "@misc", "@misc{", "@misc{k", "@misc{k,", "@misc{k, title", "@misc{k, title=", "}{}{",
     "@string{x", "@comment{", "@preamble{", "@misc{k, title = {" + "{" * 3000 + "}",
     "@misc{k, title = {" + "{" * 3000 + "x" + "}" * 3001 + "}"],
)  # fmt: skip
def test_truncated_and_absurd_input(text: str) -> None:
    try:
        batch = parse_bibtex(text, source="t.bib")
    except SourceError as error:
        assert error.source == "t.bib"
    else:
        assert all(p.title for p in batch.papers)
