"""The filter language, as users read it: the one text the README and the app's help
page both show (tests/core/test_filter_help.py checks the README quotes it word for word).

Code spans are written as in Markdown (`` `tag:survey` ``); :func:`spans` splits them
out for a front end that draws them another way.
"""

from __future__ import annotations

import re

# Before the table: how plain words match.
INTRO = (
    "The filter needs every word you type to match, word by word (case and Latin accents "
    'do not matter: "muller" finds "Müller"). Title words and author names match fuzzily '
    "(one typo is fine); in the abstract a word counts when it starts with what you typed, "
    "so a filter narrows to the papers that are about what you typed. Words of one or two "
    "letters match only where a word starts. Terms narrow further, and `-` negates any of "
    "them:"
)

# (term, what it matches); every field of reader.search.FIELDS is here.
TERMS: tuple[tuple[str, str], ...] = (
    ('`"flow matching"`', "the exact phrase"),
    ("`title:diffusion`", "the title only, matched as a plain word is"),
    (
        "`author:li`",
        'a whole word of an author\'s name: "Li", not "Liu", "Lin" or "Xiaohao"; a word '
        "of 6 letters or more that no author in the library has forgives one typo "
        "(`author:lecunn` finds LeCun); `author:li-wei` is those words in a row in one name",
    ),
    (
        '`author:"Hao Li"`',
        "one author with that full name, words in order, no typo forgiven: also written "
        '"Li, Hao" (BibTeX; `author:Li,Hao` too) or "H. Li", with or without middle '
        'initials ("Hao X. Li"); never "Li Hao" or "Xiaohao Li". Until the closing `"` is '
        "typed, the words as typed among all of a paper's authors, the last as a beginning",
    ),
    ("`year:2024`, `year:2020..2023`, `year:>2021`", "the year published"),
    ("`before:2024-06`, `after:2023`", "dates (YYYY, YYYY-MM or YYYY-MM-DD)"),
    ("`recent:7`", "featured or published in the last 7 days"),
    (
        "`tag:survey`, `is:starred`, `is:read`, `is:unread`, `has:note`, `has:code`",
        "your marks",
    ),
    (
        "`is:new`",
        "came into the library since you last marked the inbox done (`I`)",
    ),
    (
        "`is:updated`",
        "your starred papers with a newer arXiv version or new code since you last marked "
        "the inbox done",
    ),
    ("`is:inbox`", "new or updated: what the Inbox (view `8`) lists"),
    (
        "`is:dismissed`",
        "papers you marked not interested (`d`): every view and search leaves them out "
        "unless the query names this term",
    ),
    ("`upvotes:>10` (also `<`, `>=`, `<=`, `=`, `5..20`)", "upvotes"),
    (
        "`github:>100`, `comments:>5` (the same comparisons)",
        "GitHub stars and Hugging Face comments (none counts as 0)",
    ),
    (
        "`fy:>0.7` (the same comparisons, `0.3..0.8`)",
        "your For you score, 0 to 1: the chance your own ranking gives of a star "
        "(nothing matches until it has ranked)",
    ),
    (
        "`starred-by:ana`",
        "starred by that user of a shared library (you, or a lab mate who does not keep "
        "their marks private)",
    ),
    (
        "`lab:>=2` (the same comparisons)",
        "how many lab mates (the library's other users) starred it; view `9`, Lab picks, "
        "is `lab:>=1`",
    ),
)

# After the table.
OUTRO = "A mistyped term (`autor:`) shows a hint under the bar and matches nothing."

_CODE = re.compile(r"`([^`]*)`")


def markdown_table() -> str:
    """:data:`TERMS` as the README's Markdown table (no trailing newline)."""
    lines = ["| term | matches |", "|---|---|"]
    lines.extend(f"| {term} | {matches} |" for term, matches in TERMS)
    return "\n".join(lines)


def spans(text: str) -> list[tuple[str, bool]]:
    """``text`` as (piece, is code) pairs, the backticks dropped."""
    pieces: list[tuple[str, bool]] = []
    for n, piece in enumerate(_CODE.split(text)):
        if piece:
            pieces.append((piece, n % 2 == 1))
    return pieces
