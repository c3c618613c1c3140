"""The JSON and JSON Lines export: the versioned document reader reads back."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reader.export import json_export
from reader.export.json_export import indented, paper_object, render_json, render_jsonl
from reader.models import Annotation, Paper
from reader.sources.reader_json import parse_reader_json, parse_reader_jsonl
from reader.text import json_dumps_safe

NOTE = (
    "# Heading — naïve café ∑ 🚀\n"
    "\n"
    "---\n"
    "\"quoted\" and 'single', C:\\path\\to, \\\\, {braces} }{\n"
    "\ttabbed\n"
    "---"
)
FULL = Paper(
    title='Attention "Is" All: You Need {x} \\',
    arxiv_id="1706.03762",
    arxiv_version=7,
    abstract="The dominant models…",
    authors=("Ashish Vaswani", "Łukasz Kaiser"),
    published="2017-06-12",
    updated="2023-08-02",
    featured="2017-06-13",
    upvotes=100,
    github_url="https://github.com/tensorflow/tensor2tensor",
    categories=("cs.CL", "cs.LG"),
    primary_category="cs.CL",
    comment="15 pages",
    doi="10.48550/arXiv.1706.03762",
    journal_ref="NeurIPS 2017",
    url="https://example.org/attention",
    num_comments=3,
    github_stars=1000,
    ai_summary="A summary.",
    ai_keywords=("attention", "transformer"),
    id=3,
)
LOCAL = Paper(title="Local Paper", author_count=7, id=4)
ITEMS = [
    (
        FULL,
        Annotation(3, starred=True, note=NOTE, read_at="2025-01-02T03:04:05+00:00", tags=("a",)),
    ),
    (LOCAL, Annotation(4, tags=("x-y", "z"))),
]
NOW = "2025-01-31T12:00:00+00:00"


def test_json_document_shape() -> None:
    text = render_json(ITEMS, user="ada", exported_at=NOW)
    assert text.endswith("}\n") and '\n  "papers": [\n' in text  # indent=2
    assert "Łukasz" in text and "🚀" in text  # UTF-8, not \u escapes
    data = json.loads(text)
    assert list(data) == ["format", "version", "exported_at", "user", "papers"]
    assert (data["format"], data["version"], data["exported_at"], data["user"]) == (
        "reader",
        1,
        NOW,
        "ada",
    )
    first = data["papers"][0]
    assert first["title"] == FULL.title and "id" not in first
    assert list(first)[-1] == "annotations"
    assert first["annotations"] == {
        "starred": True,
        "read_at": "2025-01-02T03:04:05+00:00",
        "tags": ["a"],
        "note": NOTE,
    }
    assert data["papers"][1]["annotations"] == {
        "starred": False,
        "read_at": None,
        "tags": ["x-y", "z"],
        "note": "",
    }


def test_json_reads_back_to_the_same_papers() -> None:
    data = json.loads(render_json(ITEMS, user="ada", exported_at=NOW))
    batch = parse_reader_json(data, source="export.json")
    assert list(batch.papers) == [replace(p, id=None) for p, _ in ITEMS]


def test_jsonl_header_then_one_paper_per_line() -> None:
    text = render_jsonl(ITEMS, user="ada", exported_at=NOW)
    lines = text.splitlines()
    assert len(lines) == 3 and text.endswith("\n")
    assert json.loads(lines[0]) == {
        "format": "reader",
        "version": 1,
        "exported_at": NOW,
        "user": "ada",
    }
    objects = [json.loads(line) for line in lines[1:]]
    assert [o["annotations"]["note"] for o in objects] == [NOTE, ""]
    whole = json.loads(render_json(ITEMS, user="ada", exported_at=NOW))
    assert objects == whole["papers"]
    batch = parse_reader_jsonl(text, source="export.jsonl")
    assert list(batch.papers) == [replace(p, id=None) for p, _ in ITEMS]


@pytest.mark.parametrize("piece", [1, 2, 500])
def test_json_is_written_as_json_dumps_with_indent_2_would(
    piece: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The document is written a paper at a time, in pieces of ``piece`` papers, and
    byte for byte as the standard library's indented encoder writes it; with marks and
    without, odd values too. The same for JSON Lines and its compact encoder."""
    monkeypatch.setattr(json_export, "PIECE", piece)
    odd = replace(LOCAL, authors=("Ana", 'B "c" \\ d'), upvotes=-3, id=5)
    items = [
        *ITEMS,
        (odd, Annotation(5, read_at="2025-01-02T03:04:05+00:00")),
        (LOCAL, Annotation(4)),
    ]
    document = {
        "format": "reader",
        "version": 1,
        "exported_at": NOW,
        "user": "ada",
        "papers": [paper_object(paper, mark) for paper, mark in items],
    }
    expected = json_dumps_safe(document, indent=2) + "\n"
    assert render_json(items, user="ada", exported_at=NOW) == expected
    header = {key: document[key] for key in list(document)[:-1]}
    lines = [json_dumps_safe(line) for line in [header, *(paper_object(*item) for item in items)]]
    assert render_jsonl(items, user="ada", exported_at=NOW) == "\n".join(lines) + "\n"
    assert (
        render_json([], user="ada", exported_at=NOW)
        == json_dumps_safe({**document, "papers": []}, indent=2) + "\n"
    )


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=12,
)


@given(JSON_VALUES, st.integers(0, 3))
def test_indented_is_json_dumps_with_indent_2_at_any_depth(value: object, level: int) -> None:
    expected = json.dumps(value, ensure_ascii=False, indent=2)
    assert indented(value, level) == expected.replace("\n", "\n" + "  " * level)


def test_empty_export() -> None:
    assert json.loads(render_json([], user="ada", exported_at=NOW))["papers"] == []
    assert render_jsonl([], user="ada", exported_at=NOW).count("\n") == 1


# --- what a terminal would act on ---------------------------------------------------------

# C1 controls (CSI, NEL), DEL, bidi overrides and isolates, zero-width characters, a BOM,
# line and paragraph separators, an astral format character (a tag), a lone surrogate.
INVISIBLE = "\x9b31m\x85\x7f\u202e\u2066\u200b\u200d\ufeff\u2028\u2029\U000e0041\ud800"


def test_invisible_characters_are_escaped_and_read_back_exactly() -> None:
    paper = Paper(title=f"Title{INVISIBLE}", authors=(f"A{INVISIBLE}",), id=1)
    mark = Annotation(1, note=f"note{INVISIBLE} naïve 東京 🚀 a\u00a0b", tags=("t",))
    for text in (
        render_json([(paper, mark)], user="u\u202e", exported_at="2025-01-01T00:00:00+00:00"),
        render_jsonl([(paper, mark)], user="u\u202e", exported_at="2025-01-01T00:00:00+00:00"),
    ):
        assert all(c.isprintable() or c in "\n\u00a0" for c in text)
        assert "\\u009b31m\\u0085\\u007f\\u202e\\u2066\\u200b\\u200d\\ufeff" in text
        assert "\\u2028\\u2029\\udb40\\udc41\\ud800" in text
        assert "naïve 東京 🚀 a\u00a0b" in text  # ordinary text stays as it is
        lines = text.splitlines() if text.startswith('{"') else [text]
        objects = [json.loads(line) for line in lines]
        papers = objects[0]["papers"] if "papers" in objects[0] else objects[1:]
        assert papers[0]["title"] == f"Title{INVISIBLE}"
        assert papers[0]["annotations"]["note"] == mark.note


def test_json_dumps_safe_escapes_only_what_is_not_printable() -> None:
    assert json_dumps_safe({"a": "plain ASCII"}) == '{"a": "plain ASCII"}'
    assert json_dumps_safe(["é\u202e"], indent=2) == '[\n  "é\\u202e"\n]'
    assert json_dumps_safe("\U0001f680\U000e0001") == '"\U0001f680\\udb40\\udc01"'
    assert json_dumps_safe("\u3000\u00a0") == '"\u3000\u00a0"'  # spaces are text
    assert json.loads(json_dumps_safe(INVISIBLE)) == INVISIBLE
