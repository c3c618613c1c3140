"""The filter bar names the author a quoted author: term asks for (issue 15), in the app."""

from __future__ import annotations

import pytest

from reader.config import Config
from reader.models import Paper
from reader.search import MemoryWords, SearchIndex
from reader.store import Library, open_library
from reader.tui.app import ReaderApp
from tests.support.pilot import settle, shown_ids

# One paper per name (or names), keyed by what it is there to catch.
NAMED = {
    "hao li": ("Hao Li",),
    "haoran liu": ("Haoran Liu",),
    "xiaohao li": ("Xiaohao Li",),
    "li hao": ("Li Hao",),
    "hao li-wei": ("Hao Li-Wei",),
    "bibtex": ("Li, Hao",),
    "initial": ("H. Li",),
    "middle initial": ("Hao X. Li",),
    "middle name": ("Hao Xiang Li",),
    "hao lin": ("Hao Lin",),
    "zehao jin": ("Zehao Jin",),
    "apart": ("Zehao Wang", "Mei Jin"),
    "weihao liu": ("Weihao Liu",),
    "li-like": ("Lin Chen", "Lim Wei", "Liang Xu"),
    "lecun": ("Yann LeCun", "Léon Bottou"),
    "lecun apart": ("Yann Dauphin", "Xu LeCun"),
    "ricky": ("Ricky T. Q. Chen",),
    "accents": ("Hào Lǐ",),
    "miller": ("Ann Miller",),
    "muller": ("Bea Müller",),
}
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
    """The store's word indexes, and the same papers searched in memory."""
    whole = stored.papers()
    return [SearchIndex(stored.listing(), stored.words()), SearchIndex(whole, MemoryWords(whole))]


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


async def test_the_filter_bar_names_the_author_once_the_quote_closes(
    empty_library: Library,
) -> None:
    empty_library.import_papers(_papers())
    by_title = {
        paper.title.removeprefix("Paper on "): paper.id for paper in empty_library.listing()
    }
    app = ReaderApp(empty_library, "ana", config=Config(read_delay=0))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *'author:"Zehao Jin')
        await settle(pilot)
        # The quote still open: a Zehao and a Jin among a paper's authors will do.
        assert set(shown_ids(app)) == {by_title["zehao jin"], by_title["apart"]}
        await pilot.press('"')
        await settle(pilot)
        assert shown_ids(app) == [by_title["zehao jin"]]
