"""The arXiv API (Atom) importer, on a real 100-entry response and on small feeds."""

from __future__ import annotations

import random

import pytest

from reader.models import Paper
from reader.sources import Batch, SourceError
from reader.sources.arxiv_atom import looks_like_arxiv_atom, parse_arxiv_atom, total_results
from tests.support.data import DATA

# A real arXiv API response (search_query=all:testing, 100 entries), kept with the tests.
RESPONSE = DATA / "arxiv-query-testing.xml"

HEAD = (
    "<?xml version='1.0' encoding='UTF-8'?>\n"
    '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/"'
    ' xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">\n'
)


def feed(*entries: str, total: str = "2") -> str:
    return (
        HEAD
        + f"<opensearch:totalResults>{total}</opensearch:totalResults>\n"
        + "\n".join(entries)
        + "\n</feed>\n"
    )


def entry(arxiv_id: str = "http://arxiv.org/abs/2409.11074v2", title: str = "A Title") -> str:
    return (
        f"<entry><id>{arxiv_id}</id><title>{title}</title>"
        "<summary>An abstract.</summary>"
        "<published>2024-09-17T10:00:00Z</published><updated>2024-10-01T08:00:00Z</updated>"
        "<author><name>Ada Lovelace</name></author></entry>"
    )


@pytest.fixture(scope="module")
def response() -> str:
    return RESPONSE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def batch(response: str) -> Batch:
    return parse_arxiv_atom(response, source=str(RESPONSE))


@pytest.fixture(scope="module")
def by_id(batch: Batch) -> dict[str, Paper]:
    return {p.arxiv_id: p for p in batch.papers if p.arxiv_id}


# --- the real response ---------------------------------------------------------------


def test_real_response_has_100_distinct_papers(batch: Batch) -> None:
    assert batch.format == "arxiv"
    assert len(batch.papers) == 100
    assert batch.skipped == 0
    assert len({p.arxiv_id for p in batch.papers}) == 100
    assert all(p.title and p.abstract and p.authors and p.published for p in batch.papers)


def test_real_response_is_sniffed_and_counts_its_total(response: str) -> None:
    assert looks_like_arxiv_atom(response)
    assert total_results(response) == 214881


def test_entry_with_doi_journal_ref_and_comment(by_id: dict[str, Paper]) -> None:
    paper = by_id["2202.12139"]
    assert paper.title == (
        "Testing Deep Learning Models: A First Comparative Study of Multiple Testing Techniques"
    )
    assert paper.arxiv_version == 1
    assert paper.authors == ("Mohit Kumar Ahuja", "Arnaud Gotlieb", "Helge Spieker")
    assert paper.published == "2022-02-24"
    assert paper.updated == "2022-02-24"
    assert paper.doi == "10.1109/ICSTW55395.2022.00035"
    assert paper.journal_ref is not None
    assert paper.journal_ref.startswith("Artificial Intelligence in Software Testing @ 2022 IEEE")
    assert paper.comment == "Artificial Intelligence in Software Testing 2022 workshop @ ICST 2022"
    assert paper.abstract.startswith("Deep Learning (DL) has revolutionized")
    assert paper.abstract.endswith("and discuss its results.")


def test_several_categories_keep_their_order(by_id: dict[str, Paper]) -> None:
    paper = by_id["1106.3680"]
    assert paper.categories == ("cs.DM", "cs.CE", "cs.DS", "cs.IT", "math.CO", "q-bio.QM")
    assert paper.primary_category == "cs.DM"
    interdisciplinary = by_id["2008.01944"]
    assert interdisciplinary.primary_category == "q-bio.QM"
    assert interdisciplinary.categories[0] == "q-bio.QM"


def test_versions_and_dates_of_a_revised_paper(by_id: dict[str, Paper]) -> None:
    assert by_id["2409.05654"].arxiv_version == 9
    assert by_id["2206.10210"].arxiv_version == 5
    old = by_id["hep-ph/0301050"]  # an old-style id, revised once
    assert old.arxiv_version == 2
    assert (old.published, old.updated) == ("2003-01-08", "2003-06-30")
    assert old.journal_ref == "Phys.Lett.B573:94-100,2003"


def test_multi_line_abstract_is_collapsed(by_id: dict[str, Paper]) -> None:
    # This summary is wrapped over several lines in the response.
    abstract = by_id["1812.11470"].abstract
    assert "\n" not in abstract
    assert "  " not in abstract


def test_absent_optional_fields_are_none(by_id: dict[str, Paper]) -> None:
    paper = by_id["2008.01944"]
    assert paper.doi is None
    assert paper.journal_ref is None
    assert paper.comment == "group testing design, COVID-19"


def test_github_link_is_found_in_the_comment(by_id: dict[str, Paper]) -> None:
    paper = by_id["1706.00679"]
    assert paper.github_url == "https://github.com/ydecastro/super-resolution-testing"
    assert [p.arxiv_id for p in by_id.values() if p.github_url] == ["1706.00679"]


def test_double_encoded_utf8_is_repaired(by_id: dict[str, Paper]) -> None:
    # The response holds "RamÃ­rez": UTF-8 read as Latin-1 somewhere upstream.
    assert by_id["2405.13786"].authors[0] == "Aurora Ramírez"
    assert "José Raúl Romero" in by_id["2405.13786"].authors
    assert by_id["2306.03845"].title.startswith("$ω$Test")
    assert not any("Ã" in a for p in by_id.values() for a in p.authors)


# --- small feeds ----------------------------------------------------------------------


def test_multi_line_title_is_collapsed() -> None:
    text = feed(entry(title="Robust\n      Representation\tLearning  via\n  Masks"))
    (paper,) = parse_arxiv_atom(text, source="t.xml").papers
    assert paper.title == "Robust Representation Learning via Masks"
    assert (paper.arxiv_id, paper.arxiv_version) == ("2409.11074", 2)
    assert (paper.published, paper.updated) == ("2024-09-17", "2024-10-01")
    assert paper.authors == ("Ada Lovelace",)


def test_correct_utf8_is_left_alone() -> None:
    text = feed(entry(title="Müller's Θ-test für Ångström"))
    (paper,) = parse_arxiv_atom(text, source="t.xml").papers
    assert paper.title == "Müller's Θ-test für Ångström"


def test_entry_without_title_or_id_is_skipped_and_counted() -> None:
    text = feed(
        entry(),
        entry(title="   "),
        entry(arxiv_id="https://example.org/not-arxiv"),
        entry(arxiv_id="http://arxiv.org/abs/1501.00001v1", title="Kept"),
    )
    batch = parse_arxiv_atom(text, source="t.xml")
    assert [p.title for p in batch.papers] == ["A Title", "Kept"]
    assert batch.skipped == 2


def test_malformed_xml_names_its_line() -> None:
    text = feed(entry(), "<entry><id>x</id>\n<title>unclosed</entry>")
    with pytest.raises(SourceError) as caught:
        parse_arxiv_atom(text, source="t.xml")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "unclosed" in row)
    assert line == 6
    assert caught.value.line == line
    assert str(caught.value).startswith("t.xml:6: not valid XML: mismatched tag")


def test_doctype_is_refused_before_parsing() -> None:
    text = (
        '<?xml version="1.0"?>\n<!DOCTYPE feed [\n<!ENTITY lol "lol">\n]>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>http://arxiv.org/abs/2409.11074</id>'
        "<title>&lol;</title></entry></feed>"
    )
    with pytest.raises(SourceError, match="DOCTYPE") as caught:
        parse_arxiv_atom(text, source="t.xml")
    assert caught.value.line == 2
    assert total_results(text) is None


def test_api_error_feed_raises_its_message() -> None:
    error = (
        "<entry><id>http://arxiv.org/api/errors#incorrect_id_format_for_1234.5678</id>"
        "<title>Error</title><summary>incorrect id format for 1234.5678</summary>"
        "<author><name>arXiv api core</name></author></entry>"
    )
    with pytest.raises(SourceError, match=r"arXiv API error: incorrect id format for 1234\.5678"):
        parse_arxiv_atom(feed(error, total="1"), source="arXiv API")


def test_lone_entry_copied_out_of_a_feed() -> None:
    # Its arxiv: prefix was declared on the <feed> it was copied from.
    text = (
        "<entry>\n<id>http://arxiv.org/abs/2409.11074v1</id>\n<title>Alone</title>\n"
        "<arxiv:doi>10.1000/xyz</arxiv:doi>\n<category term='cs.CV'/>\n</entry>\n"
    )
    assert looks_like_arxiv_atom(text)
    (paper,) = parse_arxiv_atom(text, source="entry.xml").papers
    assert (paper.title, paper.doi, paper.categories) == ("Alone", "10.1000/xyz", ("cs.CV",))
    with pytest.raises(SourceError) as caught:
        parse_arxiv_atom(text.replace("</title>", "</titel>"), source="entry.xml")
    assert caught.value.line == 3  # the wrapper does not shift lines


def test_empty_result_and_totals() -> None:
    batch = parse_arxiv_atom(feed(total="0"), source="t.xml")
    assert batch.papers == [] and batch.skipped == 0
    assert total_results(feed(total="0")) == 0
    assert total_results(feed(total="many")) is None
    assert total_results("<feed") is None


def test_other_documents_are_not_atom() -> None:
    assert not looks_like_arxiv_atom("<html><body>hi</body></html>")
    assert not looks_like_arxiv_atom('{"papers": []}')
    assert not looks_like_arxiv_atom("@article{a, title={x}}")
    with pytest.raises(SourceError, match="not an Atom feed"):
        parse_arxiv_atom("<rss><channel/></rss>", source="t.xml")


def test_markup_and_controls_in_text_stay_data() -> None:
    text = feed(entry(title="[bold red]Boom[/] &lt;b&gt;x&lt;/b&gt; \u202eevil\u0085"))
    (paper,) = parse_arxiv_atom(text, source="t.xml").papers
    assert paper.title == "[bold red]Boom[/] <b>x</b> evil"


def test_mutated_input_raises_nothing_but_source_error(response: str) -> None:
    small = response[: response.index("<entry>", response.index("<entry>") + 1)] + "</feed>"
    rng = random.Random(20240917)
    outcomes = {"parsed": 0, "refused": 0}
    alphabet = '<>/&;="!-?[]#x \n\x00\ud800é'
    for _ in range(400):
        chars = list(small)
        for _ in range(rng.randint(1, 6)):
            at = rng.randrange(len(chars))
            if rng.random() < 0.5:
                chars.insert(at, rng.choice(alphabet))
            else:
                del chars[at : at + rng.randint(1, 40)]
        mutated = "".join(chars)
        try:
            parse_arxiv_atom(mutated, source="m.xml")
            outcomes["parsed"] += 1
        except SourceError:
            outcomes["refused"] += 1
        total_results(mutated)  # never raises
        looks_like_arxiv_atom(mutated)
    assert outcomes["parsed"] > 0 and outcomes["refused"] > 0
