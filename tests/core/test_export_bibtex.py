"""BibTeX entries: the fields a bibliography needs, keys, escaping, and parsing back."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from bibtexparser.entrypoint import parse_string
from bibtexparser.library import Library
from bibtexparser.middlewares import SeparateCoAuthors
from hypothesis import given, settings
from hypothesis import strategies as st
from pylatexenc.latex2text import (  # type: ignore[import-untyped]
    LatexNodes2Text,
    MacroTextSpec,
    get_default_latex_context_db,
)

from reader.export import bibtex
from reader.export.bibtex import bibtex_entry, bibtex_key, bibtex_keys, render_bibtex
from reader.models import Annotation, Paper
from reader.sources.bibtex import parse_bibtex

ATTENTION = Paper(
    title="Attention Is All You Need",
    arxiv_id="1706.03762",
    arxiv_version=7,
    abstract="The dominant sequence transduction models...",
    authors=("Ashish Vaswani", "Noam Shazeer", "Łukasz Kaiser"),
    published="2017-06-12",
    updated="2023-08-02",
    featured="2017-06-13",
    upvotes=100,
    github_url="https://github.com/tensorflow/tensor2tensor",
    categories=("cs.CL", "cs.LG"),
    primary_category="cs.CL",
    comment="15 pages, 5 figures",
    doi="10.48550/arXiv.1706.03762",
    journal_ref="NeurIPS 2017",
    url="https://example.org/attention",
    id=3,
)

# Hostile text: BibTeX and LaTeX specials, unbalanced braces, an entry start, controls.
HOSTILE_TITLE = "A}{b \\ 100% & #1 $x$ a_b ~^ {GAN} {open @misc{evil, title = {x}}\x1b[31m"
HOSTILE_NOTE = "Line one: 50% & {set}\n@misc{evil,\n  title = {pwned}}\n\n\\end{document} }{ ~^"


def parse(text: str) -> Library:
    """``text`` as bibtexparser reads it, authors split; no block may fail."""
    library = parse_string(text, append_middleware=[SeparateCoAuthors()])
    assert library.failed_blocks == []
    return library


def fields_of(entry_text: str) -> dict[str, object]:
    (entry,) = parse(entry_text).entries
    return {field.key: field.value for field in entry.fields}


def names(fields: dict[str, object]) -> list[str]:
    """The author list bibtexparser split, each name decoded; [] without an author field."""
    authors = fields.get("author", [])
    assert isinstance(authors, list)
    return [unlatex(name) for name in authors]


def unlatex(value: str) -> str:
    """Undo exactly the escaping the exporter does (a test-side decoder)."""
    value = value.replace(r"\textbackslash{}", "\x00")
    value = value.replace(r"\textbraceleft{}", "\x01").replace(r"\textbraceright{}", "\x02")
    value = value.replace(r"\textasciitilde{}", "~").replace(r"\textasciicircum{}", "^")
    value = re.sub(r"(?<!\\)[{}]", "", value)
    value = re.sub(r"\\([{}&%$#_])", r"\1", value)
    return value.replace("\x00", "\\").replace("\x01", "{").replace("\x02", "}")


def assert_bibtex_balanced(text: str) -> None:
    """Classic BibTeX counts every brace, escaped or not: the entry must close at its end."""
    depth = 0
    body = text.rstrip("\n")
    for index, char in enumerate(body):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            assert depth > 0 or index == len(body) - 1, f"field closes early at {index}"
    assert depth == 0


# --- whole entries -----------------------------------------------------------------


def test_arxiv_paper_with_every_field() -> None:
    assert bibtex_entry(ATTENTION) == (
        "@misc{vaswani2017attention,\n"
        "  title         = {Attention Is All You Need},\n"
        "  author        = {Ashish Vaswani and Noam Shazeer and Łukasz Kaiser},\n"
        "  year          = {2017},\n"
        "  month         = jun,\n"
        "  eprint        = {1706.03762},\n"
        "  archivePrefix = {arXiv},\n"
        "  primaryClass  = {cs.CL},\n"
        "  doi           = {10.48550/arXiv.1706.03762},\n"
        "  url           = {https://arxiv.org/abs/1706.03762},\n"
        "}\n"
    )


def test_arxiv_entry_parses_back_with_its_fields() -> None:
    fields = fields_of(bibtex_entry(ATTENTION))
    assert fields["title"] == "Attention Is All You Need"
    assert fields["author"] == ["Ashish Vaswani", "Noam Shazeer", "Łukasz Kaiser"]
    assert fields["eprint"] == "1706.03762"
    assert fields["archivePrefix"] == "arXiv"
    assert fields["primaryClass"] == "cs.CL"
    assert fields["doi"] == "10.48550/arXiv.1706.03762"
    assert fields["url"] == "https://arxiv.org/abs/1706.03762"
    assert fields["month"] == "jun"
    assert "note" not in fields
    assert "annote" not in fields


def test_paper_without_an_arxiv_id() -> None:
    paper = Paper(
        title="Deep Residual Learning",
        authors=("Kaiming He", "Xiangyu Zhang"),
        published="2016",
        doi="10.1109/CVPR.2016.90",
        url="https://openaccess.thecvf.com/resnet.pdf",
    )
    assert bibtex_entry(paper) == (
        "@misc{he2016deep,\n"
        "  title  = {Deep Residual Learning},\n"
        "  author = {Kaiming He and Xiangyu Zhang},\n"
        "  year   = {2016},\n"
        "  doi    = {10.1109/CVPR.2016.90},\n"
        "  url    = {https://openaccess.thecvf.com/resnet.pdf},\n"
        "}\n"
    )


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.org/x", "file:///etc"])
def test_only_http_urls_go_in(url: str) -> None:
    entry = bibtex_entry(Paper(title="T", url=url))
    assert "url" not in fields_of(entry)


def test_paper_with_no_authors_and_no_date() -> None:
    paper = Paper(title="The Unknown Paper", author_count=7)
    entry = bibtex_entry(paper)
    assert entry == "@misc{anonndunknown,\n  title = {The Unknown Paper},\n}\n"
    assert fields_of(entry) == {"title": "The Unknown Paper"}


def test_year_and_month_from_the_arxiv_id_when_no_date() -> None:
    fields = fields_of(bibtex_entry(Paper(title="X", arxiv_id="2409.11074")))
    assert (fields["year"], fields["month"]) == ("2024", "sep")
    fields = fields_of(bibtex_entry(Paper(title="X", arxiv_id="hep-th/9901001")))
    assert (fields["year"], fields["month"]) == ("1999", "jan")
    assert fields["eprint"] == "hep-th/9901001"
    assert "primaryClass" not in fields


@pytest.mark.parametrize(
    ("published", "year", "month"),
    [("2024-03-05", "2024", "mar"), ("2024-12", "2024", "dec"), ("2024", "2024", None)],
)
def test_month_only_when_the_date_has_one(published: str, year: str, month: str | None) -> None:
    fields = fields_of(bibtex_entry(Paper(title="X", published=published, arxiv_id="2409.11074")))
    assert fields["year"] == year
    assert fields.get("month") == month


def test_note_goes_in_annote_only_when_given() -> None:
    assert "annote" not in bibtex_entry(ATTENTION)
    assert "annote" not in bibtex_entry(ATTENTION, note="  \n ")
    entry = bibtex_entry(ATTENTION, note="Read this.\nTwice.")
    fields = fields_of(entry)
    assert fields["annote"] == "Read this.\nTwice."
    assert "note" not in fields
    assert not re.search(r"^\s*note\s*=", entry, re.MULTILINE)


def test_a_given_key_is_used_and_cleaned() -> None:
    assert bibtex_entry(ATTENTION, key="mine:2017").startswith("@misc{mine:2017,\n")
    assert bibtex_entry(ATTENTION, key="a b,{c}%\x1b").startswith("@misc{abc,\n")
    assert bibtex_entry(ATTENTION, key=" ,{}").startswith("@misc{vaswani2017attention,\n")


# --- escaping ----------------------------------------------------------------------


def test_capitals_inside_words_are_protected() -> None:
    paper = Paper(title="GANs and LLMs on ImageNet: an iPhone 3D Study of BERT-base")
    title = fields_of(bibtex_entry(paper))["title"]
    assert title == "{GANs} and {LLMs} on {ImageNet}: an {iPhone} {3D} Study of {BERT}-base"


def test_capitals_beyond_ascii_inside_words_are_protected_and_small_letters_not() -> None:
    # The quick check that skips most titles must not skip these.
    titles = {
        "Über naïve nets": "Über naïve nets",
        "Über naïve façadÉ nets": "Über naïve {façadÉ} nets",
        "Nets of ΣΑΣ": "Nets of {ΣΑΣ}",
    }
    for title, written in titles.items():
        assert fields_of(bibtex_entry(Paper(title=title)))["title"] == written


def test_hostile_title_stays_inside_its_field() -> None:
    paper = Paper(title=HOSTILE_TITLE, authors=("Evil } Author", "Ampersand & Co"))
    entry = bibtex_entry(paper)
    assert_bibtex_balanced(entry)
    assert "\x1b" not in entry
    fields = fields_of(entry)
    assert set(fields) == {"title", "author"}
    # Everything comes back as written, unpaired braces too; only the control goes.
    assert unlatex(str(fields["title"])) == HOSTILE_TITLE.replace("\x1b", "")
    assert "{$x$}" in str(fields["title"])  # math stays math
    assert names(fields) == ["Evil } Author", "Ampersand & Co"]


def test_hostile_note_stays_inside_annote() -> None:
    entry = bibtex_entry(ATTENTION, note=HOSTILE_NOTE)
    assert_bibtex_balanced(entry)
    library = parse(entry + bibtex_entry(ATTENTION, key="second"))
    assert [entry.key for entry in library.entries] == ["vaswani2017attention", "second"]
    annote = library.entries[0].fields_dict["annote"].value
    assert unlatex(annote) == HOSTILE_NOTE
    assert "\n{@}misc" in annote


@pytest.mark.parametrize(
    "title",
    ["}{", "{{{", "}}}", "{a}}", "x}y{z", "{}", "{\\}", "a\\", "\\", "100%", "@misc{", "~^",
     "a{", "$x{$", "$\\}$", "${$}", "$a$}"],
)  # fmt: skip
def test_any_text_gives_one_valid_entry_that_holds_it(title: str) -> None:
    entry = bibtex_entry(Paper(title=title, authors=(title,)), note=title)
    assert_bibtex_balanced(entry)
    fields = fields_of(entry)
    assert unlatex(str(fields["title"])) == title
    assert names(fields) == [title]
    assert unlatex(str(fields.get("annote", ""))) == title


def test_names_that_bibtex_would_split_or_reorder_are_braced() -> None:
    paper = Paper(title="T", authors=("Research AND Development Team", "Smith, Jr., John", "Sandy"))
    fields = fields_of(bibtex_entry(paper))
    assert fields["author"] == ["{Research AND Development Team}", "{Smith, Jr., John}", "Sandy"]


def test_urls_and_ids_are_written_verbatim() -> None:
    paper = Paper(
        title="T",
        doi="10.1000/a_b%c{d}",
        url="https://example.org/a_b?q=1%202&x={y}\\z",
    )
    fields = fields_of(bibtex_entry(paper))
    assert fields["doi"] == "10.1000/a_b%cd"
    assert fields["url"] == "https://example.org/a_b?q=1%202&x=%7By%7D%5Cz"


def test_non_ascii_stays_utf8() -> None:
    paper = Paper(title="Über naïve café: 東京 ∑ 🚀", authors=("Jörg Müller",))
    fields = fields_of(bibtex_entry(paper))
    assert fields["title"] == "Über naïve café: 東京 ∑ 🚀"
    assert fields["author"] == ["Jörg Müller"]


# --- keys --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("paper", "key"),
    [
        (ATTENTION, "vaswani2017attention"),
        (
            Paper(
                title="On the Opportunities and Risks",
                authors=("Rishi Bommasani",),
                published="2021",
            ),
            "bommasani2021opportunities",
        ),
        (Paper(title="A Survey", authors=("Jörg Müller",), published="2020"), "muller2020survey"),
        (
            Paper(title="The Łódź Data", authors=("Sławomir Strauß Jr.",), published="2019"),
            "strauss2019lodz",
        ),
        (
            Paper(title="GPT-4 Technical Report", authors=("OpenAI",), published="2023-03"),
            "openai2023gpt",
        ),
        (
            Paper(title="2024: A Year", authors=("Vaswani, Ashish",), published="2024"),
            "vaswani2024year",
        ),
        (Paper(title="Of The An", authors=("王伟",)), "anonnd"),
        (
            Paper(title="Scaling", authors=("Laurens van der Maaten",), arxiv_id="2409.11074"),
            "maaten2024scaling",
        ),
        (
            Paper(title="O'Brien's Law", authors=("Conan O'Brien",), published="2001"),
            "obrien2001obriens",
        ),
    ],
)
def test_key_from_author_year_and_title_word(paper: Paper, key: str) -> None:
    assert bibtex_key(paper) == key


def test_key_collisions_get_letters_in_order() -> None:
    assert bibtex_key(ATTENTION, {"vaswani2017attention"}) == "vaswani2017attentiona"
    taken = {"Vaswani2017Attention", "vaswani2017attentiona"}
    assert bibtex_key(ATTENTION, taken) == "vaswani2017attentionb"
    assert taken == {"Vaswani2017Attention", "vaswani2017attentiona"}  # not changed
    many = {"vaswani2017attention"} | {
        f"vaswani2017attention{c}" for c in "abcdefghijklmnopqrstuvwxyz"
    }
    assert bibtex_key(ATTENTION, many) == "vaswani2017attentionaa"


def test_keys_for_a_list_are_unique_and_stable() -> None:
    other = Paper(title="Attention Please", authors=("Zed Vaswani",), published="2017")
    papers = [ATTENTION, other, ATTENTION, Paper(title="Else")]
    keys = bibtex_keys(papers)
    assert keys == [
        "vaswani2017attention",
        "vaswani2017attentiona",
        "vaswani2017attentionb",
        "anonndelse",
    ]
    assert bibtex_keys(papers) == keys


def test_keys_at_scale_are_the_keys_of_one_paper_at_a_time() -> None:
    """Many colliding papers get the keys that asking :func:`bibtex_key` paper by paper,
    with every earlier key taken, gives: a, b, ... z, aa, ab, ... in order, and a suffix
    that another paper's own key already holds is skipped."""
    same = Paper(title="Deep Nets", authors=("Ana Smith",), published="2020")
    # Its own base key is "smith2020deepb": what the third "Deep Nets" would get.
    lookalike = Paper(title="Deepb", authors=("Bo Smith",), published="2020")
    other = Paper(title="Wide Nets", authors=("Ana Smith",), published="2020")
    papers = [same, same, lookalike, *[same, other] * 400, *[same] * 301]
    keys = bibtex_keys(papers)
    taken: list[str] = []
    for paper in papers:
        taken.append(bibtex_key(paper, taken))
    assert keys == taken
    assert len(set(keys)) == len(keys)
    smith = [key for key, paper in zip(keys, papers, strict=True) if paper is same]
    assert smith[:5] == [
        "smith2020deep",
        "smith2020deepa",
        "smith2020deepc",  # "smith2020deepb" is the lookalike's
        "smith2020deepd",
        "smith2020deepe",
    ]
    assert smith[26:29] == ["smith2020deepaa", "smith2020deepab", "smith2020deepac"]
    assert smith[-2:] == ["smith2020deepzz", "smith2020deepaaa"]  # b was skipped
    assert keys[3:5] == ["smith2020deepc", "smith2020wide"]


# --- reading our own output back -----------------------------------------------------


def test_export_reads_back_into_the_same_papers() -> None:
    papers = [
        ATTENTION,
        Paper(
            title="Deep Residual Learning",
            authors=("Kaiming He",),
            published="2016-06",
            doi="10.1109/CVPR.2016.90",
        ),
        Paper(
            title="Braces {and} 100% & $5 #1 a_b \\ back: GANs vs. LLMs",
            authors=("Ann O'Neil", "Research and Development Team"),
            arxiv_id="2409.11074",
            published="2024-09-17",
        ),
        Paper(title="Über naïve café", authors=("Jörg Müller",), arxiv_id="hep-th/9901001"),
    ]
    keys = bibtex_keys(papers)
    text = "\n".join(
        bibtex_entry(paper, key=key, note="note {x} 50%")
        for paper, key in zip(papers, keys, strict=True)
    )
    library = parse(text)
    assert [entry.key for entry in library.entries] == keys
    for paper, entry in zip(papers, library.entries, strict=True):
        fields = {field.key: field.value for field in entry.fields}
        assert unlatex(str(fields["title"])) == paper.title
        assert names(fields) == list(paper.authors)
        assert fields.get("eprint") == paper.arxiv_id
        assert fields.get("doi") == paper.doi
        assert unlatex(str(fields["annote"])) == "note {x} 50%"

    # And reader's own BibTeX importer (which decodes with pylatexenc) agrees.
    imported = parse_bibtex(text, source="export.bib").papers
    assert [(p.title, p.authors, p.arxiv_id, p.doi) for p in imported] == [
        (p.title, p.authors, p.arxiv_id, p.doi) for p in papers
    ]
    assert imported[0].published == "2017-06"
    assert imported[0].primary_category == "cs.CL"


# --- the whole document ------------------------------------------------------------


DOC_NOTE = (
    "Ünïcödé 🚀 \"quoted\" and 'single'\n"
    "\n"
    "---\n"
    "C:\\path\\to \\\\ {braces} and }{ 50% & $x$\n"
    "@misc{evil, title={x}}\n"
    "---"
)


def document_items() -> list[tuple[Paper, Annotation]]:
    return [
        (ATTENTION, Annotation(3, starred=True, note=DOC_NOTE)),
        (replace(ATTENTION, id=4), Annotation(4, note="second copy")),
        (Paper(title="Über {GAN} 100%", authors=("Jörg Müller",), id=5), Annotation(5)),
    ]


def test_document_parses_back_with_every_paper() -> None:
    items = document_items()
    text = render_bibtex(items, with_notes=False)
    library = parse(text)
    keys = [entry.key for entry in library.entries]
    assert keys == ["vaswani2017attention", "vaswani2017attentiona", "mullernduber"]
    assert len(set(keys)) == len(items)
    assert [unlatex(str(e.fields_dict["title"].value)) for e in library.entries] == [
        p.title for p, _ in items
    ]
    assert "annote" not in text and not re.search(r"^\s*note\s*=", text, re.MULTILINE)
    assert text == render_bibtex(items, with_notes=False)  # stable


def test_document_with_notes_puts_them_in_annote() -> None:
    text = render_bibtex(document_items(), with_notes=True)
    entry_texts = re.split(r"(?<=\}\n)\n(?=@misc\{)", text)
    assert len(entry_texts) == 3
    for entry in entry_texts:
        assert_bibtex_balanced(entry)
    entries = parse(text).entries
    assert len(entries) == 3
    annotes = [e.fields_dict.get("annote") for e in entries]
    assert annotes[0] is not None and annotes[1] is not None
    # Unpaired braces stay; a line starting "@" gets it braced so no new entry starts.
    assert unlatex(annotes[0].value) == DOC_NOTE
    assert "\n{@}misc" in annotes[0].value
    assert unlatex(annotes[1].value) == "second copy"
    assert annotes[2] is None  # no note, no field
    assert all("note" not in e.fields_dict for e in entries)


def test_empty_document() -> None:
    assert render_bibtex([], with_notes=True) == ""


@pytest.mark.parametrize("piece", [1, 2])
def test_a_document_written_in_pieces_is_the_entries_one_blank_line_apart(
    piece: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bibtex, "_PIECE", piece)
    items = document_items() * 3  # the same keys again: later ones get a suffix
    keys = bibtex_keys(paper for paper, _ in items)
    entries = [
        bibtex_entry(paper, key=key, note=mark.note)
        for (paper, mark), key in zip(items, keys, strict=True)
    ]
    assert len(entries) > 2 * piece
    assert render_bibtex(items, with_notes=True) == "\n".join(entries)


# --- math stays math; a note reads back as written ------------------------------------


@pytest.mark.parametrize(
    ("title", "field"),
    [
        ("$ω$Test", "{$ω$}Test"),
        ("$\\mu$P: Tensor Programs", "{$\\mu$}P: Tensor Programs"),
        ("Sorting in $\\mathcal{O}(n \\log n)$", "Sorting in {$\\mathcal{O}(n \\log n)$}"),
        ("Top-$k$ at 50% with $p<5\\%$", "Top-{$k$} at 50\\% with {$p<5\\%$}"),
        ("$5 and $10", "\\$5 and \\$10"),  # money, as Pandoc reads it
        ("a $ b $ c", "a \\$ b \\$ c"),  # spaces inside: not math
        ("$$x$$", "\\$\\$x\\$\\$"),
        ("$x{$ y", "\\$x\\textbraceleft{}\\$ y"),  # math must pair its braces
        ("$a % b$", "{$a \\% b$}"),  # % would comment out the rest of the line
    ],
)
def test_math_in_a_title_stays_math(title: str, field: str) -> None:
    entry = bibtex_entry(Paper(title=title))
    assert_bibtex_balanced(entry)
    assert fields_of(entry)["title"] == field
    # reader's own importer gives back the title as it was (math is read verbatim, so a
    # "%" escaped in math comes back escaped; its decoder drops \textbraceleft).
    if "%" not in title and "textbrace" not in field:
        (paper,) = parse_bibtex(entry, source="x.bib").papers
        assert paper.title == title


def test_math_is_for_titles_only() -> None:
    entry = bibtex_entry(Paper(title="T", authors=("A $x$ B",)), note="costs $x$")
    fields = fields_of(entry)
    assert fields["annote"] == "costs \\$x\\$"
    assert names(fields) == ["A $x$ B"]


def latex_reader() -> LatexNodes2Text:
    """A LaTeX-to-text decoder that is not ours (pylatexenc), told what three text
    macros print as LaTeX prints them (pylatexenc drops the first two and gives U+02C6
    for the third)."""
    context = get_default_latex_context_db()
    context.add_context_category(
        "as-latex-prints",
        prepend=True,
        macros=[
            MacroTextSpec("textbraceleft", "{"),
            MacroTextSpec("textbraceright", "}"),
            MacroTextSpec("textasciicircum", "^"),
        ],
    )
    return LatexNodes2Text(
        latex_context=context,
        math_mode="verbatim",
        strict_latex_spaces=True,
        keep_braced_groups=False,
    )


def annote_read_back(note: str) -> str:
    """``note`` exported in an entry (between two others), read by bibtexparser 2, decoded."""
    text = render_bibtex(
        [
            (ATTENTION, Annotation(3, note="before")),
            (ATTENTION, Annotation(3, note=note)),
            (ATTENTION, Annotation(3, note="after")),
        ],
        with_notes=True,
    )
    assert_bibtex_balanced(text.split("\n\n@")[1])
    entries = parse(text).entries
    assert len(entries) == 3
    assert latex_reader().latex_to_text(entries[2].fields_dict["annote"].value) == "after"
    field = entries[1].fields_dict.get("annote")
    return "" if field is None else str(latex_reader().latex_to_text(field.value))


@pytest.mark.parametrize(
    "note",
    [
        "ends in an unbalanced {",
        "}{ both ways }",
        "a -- b --- c, ``quoted'' and !` ?`",
        "  indented\n\ttabbed\ttext  \n\n\nthree blank lines above\n@misc{x,",
        "50% & $5 # _ ~ ^ \\ \\end{document}",
    ],
)
def test_a_note_reads_back_as_written(note: str) -> None:
    assert annote_read_back(note) == note


NOTE_PIECES = [
    "{", "}", "\\", "$", "%", "&", "#", "_", "~", "^", "-", "--", "`", "'", "!", "?", "@",
    "@misc{", "\n", "\n\n", " ", "\t", "text", "é", "{x}", "\\end{document}", ",", "=", '"',
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(NOTE_PIECES), max_size=25).map("".join))
def test_any_note_reads_back_as_written(note: str) -> None:
    assert annote_read_back(note) == note.rstrip()
