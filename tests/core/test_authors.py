"""author: terms over names that collide: a quoted author is one author's full name,
an unquoted author word is a whole word of a name, and a typo is forgiven only where
it cannot turn one name into another. The same answers from the store's word indexes
and from papers held in memory, through ``reader list`` as its help shows it,
``reader export --query`` and the app's filter bar."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from reader.cli import main
from reader.models import Paper
from reader.search import HeldWords, MemoryWords, Query, SearchIndex
from reader.store import Library, open_library
from tests.support.authors import NAMED

KEYS = list(NAMED)


def _papers() -> list[Paper]:
    return [
        Paper(f"Paper on {key}", f"2403.{n:05d}", authors=names, published=f"2024-03-{n + 1:02d}")
        for n, (key, names) in enumerate(NAMED.items())
    ]


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> Library:
    library = open_library(tmp_path_factory.mktemp("authors") / "library.db")
    library.import_papers(_papers())
    return library


@pytest.fixture(scope="module")
def indexes(stored: Library) -> list[SearchIndex]:
    """The store's word indexes, read at each search and read into memory first, and
    the same papers searched in memory."""
    whole = stored.papers()
    return [
        SearchIndex(stored.listing(), stored.words()),
        SearchIndex(stored.listing(), HeldWords(stored.words())),
        SearchIndex(whole, MemoryWords(whole)),
    ]


def found(stored: Library, index: SearchIndex, text: str) -> set[str]:
    query = Query.parse(text)
    titles = [stored.paper(i).title for i in index.search(query)]  # type: ignore[union-attr]
    return {title.removeprefix("Paper on ") for title in titles}


HAO_LI = {"hao li", "bibtex", "initial", "middle initial", "accents"}
# What each behaviour asks, query by query; each topic also holds answers that were
# right before names were read (kept right), beside the ones that were not.
TOPICS: dict[str, dict[str, set[str]]] = {
    "a quoted author is one author's full name": {
        'author:"Hao Li"': HAO_LI,
        'author:"hao li"': HAO_LI,
        'author:"Li Hao"': {"li hao"},
        'author:"Hao Li-Wei"': {"hao li-wei"},
        'author:"Yann LeCun"': {"lecun"},
        'author:"Yann Lecunn"': set(),  # a full name is exact
        '-author:"Hao Li"': set(KEYS) - HAO_LI,
    },
    "the words of a name may sit apart only in different names": {
        'author:"Zehao Jin"': {"zehao jin"},
        '"Zehao Jin"': {"zehao jin"},  # unfielded: the phrase, as it was
        "author:zehao": {"zehao jin", "apart"},
        "liu": {"weihao liu", "haoran liu"},  # a plain word is fuzzy in names, as it was
    },
    "case and accents are folded": {
        'author:"HAO LÍ"': HAO_LI,
        'author:"Leon Bottou"': {"lecun"},
        "author:müller": {"muller"},
    },
    "BibTeX's forms: Last, First and initials": {
        'author:"Li, Hao"': HAO_LI,
        'author:"LeCun, Yann"': {"lecun"},
        "author:LeCun,Yann": {"lecun"},
        'author:"H. Li"': HAO_LI,
        'author:"H Li"': HAO_LI,
        'author:"R. Chen"': {"ricky"},
    },
    "middle initials one side left out": {
        'author:"Hao Xiang Li"': {"middle name", "middle initial"},
        'author:"Ricky Chen"': {"ricky"},
        'author:"Ricky T. Q. Chen"': {"ricky"},
    },
    "an unquoted author word is a whole word of a name": {
        "author:li": {"hao li", "xiaohao li", "li hao", "hao li-wei", "bibtex", "initial"}
        | {"middle initial", "middle name", "accents"},
        "author:hao": HAO_LI - {"initial"} | {"li hao", "hao li-wei", "middle name", "hao lin"},
        "author:lecun": {"lecun", "lecun apart"},
        'author:"lecun"': {"lecun", "lecun apart"},
        "author:li-wei": {"hao li-wei"},
        "author:lin": {"hao lin", "li-like"},
    },
    "a typo only in a long word that is nobody's name": {
        "author:lecunn": {"lecun", "lecun apart"},
        "author:bottuo": {"lecun"},  # two letters swapped
        'author:"lecunn"': set(),  # quotes: exact
        "author:liang": {"li-like"},
        "author:lianq": set(),  # five letters: no typo forgiven
        "author:zehae": set(),
        "author:miller": {"miller"},  # Müller is a name of its own, not a typo
        "author:mueller": {"muller"},  # nobody's name: a typo of muller
    },
    "with other terms": {
        'author:"Hao Li" -author:"H. Li" year:2024': set(),
        'author:"Hao Li" year:2024': HAO_LI,
        'author:"Yann LeCun" author:bottou': {"lecun"},
    },
}


@pytest.mark.parametrize("topic", TOPICS)
def test_author_terms_name_the_authors_asked_for(
    stored: Library, indexes: list[SearchIndex], topic: str
) -> None:
    for text, expected in TOPICS[topic].items():
        assert Query.parse(text).errors == (), text
        for index in indexes:
            assert found(stored, index, text) == expected, (text, index.source)


def test_an_open_quote_narrows_as_it_is_typed_and_the_closing_one_names_the_author(
    stored: Library, indexes: list[SearchIndex]
) -> None:
    # While the quote is open (the filter says so), the words are looked for among
    # all the authors, the last as a beginning; closed, they are one author's name.
    typing = {
        'author:"Zeh': {"zehao jin", "apart"},
        'author:"Zehao J': {"zehao jin", "apart"},
        'author:"Zehao Jin': {"zehao jin", "apart"},
        'author:"Zehao Jin"': {"zehao jin"},
        'author:"Hao L': HAO_LI | {"li hao", "hao li-wei", "middle name", "hao lin"},
        'author:"Hao Lin': {"hao lin"},
        'author:"Hao Li"': HAO_LI,
    }
    for index in indexes:
        for text, expected in typing.items():
            assert found(stored, index, text) == expected, text


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], prog_name="reader")


def test_reader_list_finds_the_author_its_help_shows(tmp_path: Path) -> None:
    db = tmp_path / "library.db"
    library = open_library(db)
    library.import_papers(_papers())
    library.close()
    shown = run("list", "--help")
    assert shown.exit_code == 0
    assert "reader list 'author:\"Yann LeCun\"'" in shown.stdout
    # The shell hands the quoted argument over as one word, quotes and all.
    result = run("--db", db, "list", 'author:"Yann LeCun"')
    assert result.exit_code == 0, result.output
    assert [line.split("\t")[3] for line in result.stdout.splitlines()] == ["Paper on lecun"]
    assert result.stderr == ""
    hao = run("--db", db, "list", 'author:"Hao Li"')
    assert len(hao.stdout.splitlines()) == len(HAO_LI)


def test_reader_export_takes_the_same_authors(tmp_path: Path) -> None:
    db = tmp_path / "library.db"
    library = open_library(db)
    library.import_papers(_papers())
    library.close()
    result = run("--db", db, "export", "--format", "csv", "--query", 'author:"Zehao Jin"')
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [row["authors"] for row in rows] == ["Zehao Jin"]
