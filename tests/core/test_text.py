"""Text safety: the fast paths of reader.text give exactly what the plain patterns give.

Importing skips the patterns when a C check shows there is nothing for them to do.
Each function is held here to the pattern it stands for, on hostile text.
"""

from __future__ import annotations

import re
import sys
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reader.text import find_github_url, normalise_title, one_line, one_lines, strip_controls

# The patterns as they were before the fast paths, and the functions built on them.
UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ud800-\udfff]"
)
GITHUB = re.compile(
    r"https?://(?:www\.)?github\.com/([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)/([A-Za-z0-9_.-]+)",
    re.IGNORECASE,
)


def plain_strip_controls(text: str) -> str:
    return UNSAFE.sub("", text)


def plain_one_line(text: str) -> str:
    return re.sub(r"\s+", " ", plain_strip_controls(text)).strip()


def plain_normalise_title(title: str) -> str:
    decomposed = unicodedata.normalize("NFKD", title.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[\W_]+", " ", stripped).strip()


def plain_find_github_url(text: str) -> str | None:
    for match in GITHUB.finditer(text):
        repo = match.group(2).rstrip(".")
        if repo.lower().endswith(".git"):
            repo = repo[:-4].rstrip(".")
        if repo:
            return f"https://github.com/{match.group(1)}/{repo}"
    return None


HOSTILE = [
    "",
    " ",
    "   ",
    "plain words",
    "  padded  ",
    "two  spaces",
    "tab\there",
    "new\nline\r\nand\rreturns",
    "\x1b[31mred\x1b[0m",
    "\x1b]8;;https://evil.example\x07link\x1b]8;;\x07",
    "\x9b31mC1 CSI",
    "\x85next line",
    "bell\x07",
    "del\x7f",
    "\x00nul",
    "\x0b\x0c\x1c\x1d\x1e\x1fseparators",
    "evil\u202etxt.exe",
    "\u2066isolate\u2069",
    "zero\u200bwidth\u200d",
    "\ufeffbom",
    "lone \ud800 surrogate \udfff",
    "no\xa0break\u2007figure\u202fnarrow",
    "line\u2028para\u2029",
    "ideographic\u3000space",
    "ogham\u1680space",
    "Café naïve Müller",
    "e\u0301 combining",
    "ﬁ ligature",
    "ǅ titlecase",
    "İstanbul ß",
    "Ω Å K",
    "under_score snake_case",
    "x" * 5000 + "\u202e",
    "See https://github.com/owner/repo.git.",
    "HTTPS://WWW.GITHUB.COM/Owner/Repo and http://github.com/a/b",
    "HTTP://GITHUB.COM/Shouting/Repo",
    "github.com/no/scheme",
    "https://github.com/-bad/repo",
]
# Characters that are unsafe, whitespace, or close to either, to draw text from.
TRICKY = sorted({ch for sample in HOSTILE for ch in sample} | set("\t\n\r \u00ad\u034f\u061c"))
texts = st.text(alphabet=st.sampled_from(TRICKY) | st.characters(), max_size=60)


def test_no_printable_character_is_unsafe_or_whitespace_but_the_space() -> None:
    # The fast paths rest on this, for every character there is.
    printable = "".join(ch for ch in map(chr, range(sys.maxunicode + 1)) if ch.isprintable())
    assert not UNSAFE.search(printable)
    assert re.findall(r"\s", printable) == [" "] * printable.count(" ")


def test_hostile_samples_come_out_as_the_patterns_make_them() -> None:
    for text in HOSTILE:
        assert strip_controls(text) == plain_strip_controls(text), repr(text)
        assert one_line(text) == plain_one_line(text), repr(text)
        assert normalise_title(text) == plain_normalise_title(text), repr(text)
        assert find_github_url(text) == plain_find_github_url(text), repr(text)
    assert one_lines(HOSTILE) == [plain_one_line(text) for text in HOSTILE]


def test_every_ascii_character_folds_out_of_a_title_as_the_pattern_folds_it() -> None:
    for code in range(128):
        title = f"a{chr(code)}b {chr(code)} {chr(code)}c"
        assert normalise_title(title) == plain_normalise_title(title), repr(title)


@given(texts)
def test_any_text_comes_out_as_the_patterns_make_it(text: str) -> None:
    assert strip_controls(text) == plain_strip_controls(text)
    assert one_line(text) == plain_one_line(text)
    assert normalise_title(text) == plain_normalise_title(text)
    assert find_github_url(text) == plain_find_github_url(text)


@given(st.lists(texts | st.sampled_from(["", " ", "a", "a b", "b "]), max_size=8))
def test_a_list_comes_out_as_each_of_its_texts_would(items: list[str]) -> None:
    assert one_lines(items) == [plain_one_line(text) for text in items]


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/a\nb",
        "https://github.com/a/b\tc",
        "https://example.org/a\u2028b",
        "https://example.org/a\u00a0b",
        "https://example.org/a b",
    ],
)
def test_a_url_with_whitespace_inside_is_not_a_link(url: str) -> None:
    from reader.text import safe_url

    assert safe_url(url) is None
    assert safe_url("  https://example.org/a  ") == "https://example.org/a"


@given(texts)
def test_terminal_text_holds_nothing_that_steers_a_terminal(text: str) -> None:
    from reader.text import terminal_text

    for lines in (True, False):
        shown = terminal_text(text, lines=lines)
        for char in shown:
            category = unicodedata.category(char)
            assert category not in ("Cc", "Cs") or (lines and char in "\t\n"), repr(char)
            assert char not in "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
            assert not "\u2066" <= char <= "\u2069"
        # Only what could steer a terminal goes: printable text stays as it is.
        if text.isprintable():
            assert shown == text


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("a\x1b]52;c;eA==\x07b", "a]52;c;eA==b"),
        ("\x9b2J\x9d0;t\x07", "2J0;t"),
        ("left\u202eright\u2066x\u2069", "leftrightx"),
        ("tab\tline\nend\r", "tab\tline\nend"),
        ("lone \ud800 surrogate", "lone \ufffd surrogate"),
        ("nbsp\xa0stays", "nbsp\xa0stays"),
    ],
)
def test_terminal_text_examples(text: str, shown: str) -> None:
    from reader.text import terminal_text

    assert terminal_text(text) == shown
    assert terminal_text(text, lines=False) == shown.replace("\t", "").replace("\n", "")


def test_shorten_cuts_long_text_to_one_short_line() -> None:
    from reader.text import shorten

    url = "https://example.org/" + "a" * 300_000
    assert shorten(url) == url[:99] + "…" and len(shorten(url, 40)) == 40
    assert shorten("two\nlines") == "two lines"
    assert shorten("short") == "short"


@pytest.mark.parametrize(
    "url",
    [
        "https://-x",
        "https://x-/a",
        "https://_x.org",
        "https://a..b/",
        "https://x:99999/",
        "http://",
    ],
)
def test_a_url_without_a_host_a_browser_would_visit_is_not_a_link(url: str) -> None:
    from reader.text import safe_url

    assert safe_url(url) is None


@pytest.mark.parametrize(
    "url",
    [
        "https://arxiv.org/abs/2409.11074",
        "http://127.0.0.1:8080/x",
        "http://[::1]/",
        "https://münchen.example/",
        "https://a-b.example.org./x?q=1#f",
    ],
)
def test_web_urls_are_links(url: str) -> None:
    from reader.text import safe_url

    assert safe_url(url) == url


@given(texts, st.integers(min_value=1, max_value=8))
def test_long_text_folded_a_piece_at_a_time_comes_out_as_the_pattern_makes_it(
    text: str, size: int
) -> None:
    from reader.text import _one_line_in_pieces

    assert _one_line_in_pieces(text, size) == plain_one_line(text)


def test_a_long_text_with_line_breaks_is_folded_as_the_pattern_folds_it() -> None:
    # Longer than a piece: words, runs of spaces and controls across the seams.
    text = ("word \n\t  \x1b[1m more\u2028words \x00" * 20_000) + "end"
    assert one_line(text) == plain_one_line(text)
    assert one_line("  " + text + "  ") == plain_one_line(text)


def test_folding_a_long_text_takes_memory_of_the_order_of_the_text() -> None:
    import tracemalloc

    # 5 MB of short words over many lines: split whole, it made an object per word
    # (about 60 bytes each), some fifteen times the text.
    text = "word\n" * 1_000_000
    tracemalloc.start()
    try:
        folded = one_line(text)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert folded == ("word " * 1_000_000).strip()
    assert peak < 3 * len(text)
