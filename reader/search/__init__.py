"""The filter: query terms and fuzzy matching over title, authors and abstract. Pure, no I/O.

A query is plain words plus field terms; a paper matches when every one of them
holds. Text is compared word by word, a word being a run of letters and digits,
lower-cased with accents removed ("Müller" is "muller", "GPT-4o" is "gpt" and
"4o"), exactly as the store's word indexes split it. The fields are not equal: a
title word is matched fuzzily (a typo still finds "diffusion"), an author's name
too but weighs a little less, and the abstract counts only a word that starts
with what was typed. That keeps a filter meaningful: typing "grokking" finds the
papers about grokking, not every long abstract that happens to hold those letters
in order. Words of one or two letters match where a word starts; of three or four,
anywhere inside a word; from five on, fuzzily.

By job: :mod:`~reader.search.query` is the query language (what a typed filter
means), :mod:`~reader.search.terms` how text splits into terms and which papers
hold which, :mod:`~reader.search.columns` the list's dates and counts and the
terms matched against them, :mod:`~reader.search.index` the :class:`SearchIndex`
that ranks the papers, and :mod:`~reader.search.highlight` the letters of a
title to light up. Import what you need from here.
"""

from reader.search.columns import Listed
from reader.search.held import HeldWords
from reader.search.highlight import title_spans
from reader.search.index import (
    ABSTRACT_WEIGHT,
    AUTHOR_WEIGHT,
    PHRASE_BONUS,
    TITLE_WEIGHT,
    WORD_START_BONUS,
    SearchIndex,
)
from reader.search.query import (
    COUNT_FIELDS,
    EMPTY_QUOTES,
    FIELDS,
    FUZZY_CUTOFF,
    FUZZY_MIN_LEN,
    HAS_VALUES,
    IS_VALUES,
    LONE_MINUS,
    LONE_QUOTE,
    UNCLOSED_QUOTE,
    Query,
    Term,
)
from reader.search.terms import (
    AUTHOR_TYPO_MIN_LEN,
    MemoryWords,
    WordSource,
    author_kind,
    fold,
    has_run,
    is_full_name,
    name_words,
    words,
)

__all__ = [
    "ABSTRACT_WEIGHT",
    "AUTHOR_TYPO_MIN_LEN",
    "AUTHOR_WEIGHT",
    "COUNT_FIELDS",
    "EMPTY_QUOTES",
    "FIELDS",
    "FUZZY_CUTOFF",
    "FUZZY_MIN_LEN",
    "HAS_VALUES",
    "IS_VALUES",
    "LONE_MINUS",
    "LONE_QUOTE",
    "PHRASE_BONUS",
    "TITLE_WEIGHT",
    "UNCLOSED_QUOTE",
    "WORD_START_BONUS",
    "HeldWords",
    "Listed",
    "MemoryWords",
    "Query",
    "SearchIndex",
    "Term",
    "WordSource",
    "author_kind",
    "fold",
    "has_run",
    "is_full_name",
    "name_words",
    "title_spans",
    "words",
]
