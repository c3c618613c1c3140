"""The filter language's help text: the README and the app's help page say the same."""

from __future__ import annotations

import re

from reader import filter_help
from reader.search import FIELDS, HAS_VALUES, IS_VALUES
from tests.support.data import README


def flat(text: str) -> str:
    return " ".join(text.split())


def test_the_readme_quotes_the_filter_help_word_for_word() -> None:
    readme = README.read_text(encoding="utf-8")
    assert filter_help.markdown_table() + "\n" in readme
    assert flat(filter_help.INTRO) in flat(readme)
    assert flat(filter_help.OUTRO) in flat(readme)


def test_the_filter_help_names_every_field_and_value() -> None:
    terms = " ".join(term for term, _matches in filter_help.TERMS)
    fields = set(re.findall(r"([a-z]+(?:-[a-z]+)?):", terms))
    assert fields == set(FIELDS)
    assert {f"is:{value}" for value in IS_VALUES} <= set(re.findall(r"is:[a-z]+", terms))
    assert {f"has:{value}" for value in HAS_VALUES} <= set(re.findall(r"has:[a-z]+", terms))


def test_code_spans_are_split_out() -> None:
    assert filter_help.spans("`tag:x`, or `-`: negate") == [
        ("tag:x", True),
        (", or ", False),
        ("-", True),
        (": negate", False),
    ]
