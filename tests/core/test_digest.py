"""``reader digest``: what is new for a user, grouped, as Markdown (read back through
markdown-it), HTML and Atom (read back with a real XML parser)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt

from reader.cli import main
from reader.digest import Digest, Entry, group, render_atom, render_html, render_markdown
from reader.models import Paper
from reader.store import Library, clock

ATOM = "{http://www.w3.org/2005/Atom}"
HOSTILE = Paper(
    'Evil [link](javascript:alert(1)) <script>x</script> & "quotes"\x1b[31m\x07',
    "2512.00666",
    abstract="**not bold** <img src=x onerror=alert(1)>",
    authors=("Hao Li", "Xiaohao Li", "Haoran Liu", "Dee Word"),
    published="2026-12-01",
    upvotes=3,
)


def entries() -> list[Entry]:
    return [
        Entry(
            Paper("Liked one", "2512.00001", published="2026-11-30"),
            "2026-12-01T08:00:00+00:00",
            0.9,
        ),
        Entry(
            Paper("Other one", "2512.00002", published="2026-12-01"),
            "2026-12-02T08:00:00+00:00",
            0.2,
        ),
        Entry(HOSTILE, "2026-12-03T08:00:00+00:00", 0.6),
    ]


def digest(ranked: bool = True) -> Digest:
    return group(
        "ana",
        entries(),
        since="2026-12-01T00:00:00+00:00",
        made_at="2026-12-04T09:00:00+00:00",
        ranked=ranked,
    )


def test_for_you_first_then_the_rest_newest_first() -> None:
    ranked = digest()
    assert [e.paper.title for e in ranked.for_you] == ["Liked one", HOSTILE.title]
    assert [e.paper.title for e in ranked.rest] == ["Other one"]
    plain = digest(ranked=False)
    assert plain.for_you == () and [e.paper.arxiv_id for e in plain.rest] == [
        "2512.00666",
        "2512.00002",
        "2512.00001",
    ]


def test_the_markdown_reads_back_as_headings_links_and_plain_text() -> None:
    text = render_markdown(digest())
    tokens = MarkdownIt().parse(text)
    headings = [
        t.content for i, t in enumerate(tokens) if i and tokens[i - 1].type == "heading_open"
    ]
    assert headings == ["New for ana since 2026-12-01: 3 papers", "For you", "The rest"]
    links = [
        child.attrs["href"]
        for token in tokens
        if token.children
        for child in token.children
        if child.type == "link_open"
    ]
    # One link a paper, to its arXiv page: nothing in a title makes another.
    assert links == [
        "https://arxiv.org/abs/2512.00001",
        "https://arxiv.org/abs/2512.00666",
        "https://arxiv.org/abs/2512.00002",
    ]
    html = MarkdownIt().render(text)
    assert "<script>" not in html and "<img" not in html and "<strong>not bold" not in html
    assert "\x1b" not in text and "\x07" not in text
    assert "Hao Li, Xiaohao Li, Haoran Liu, et al." in text


def test_the_html_escapes_every_text() -> None:
    page = render_html(digest())
    assert "<script>" not in page and "<img" not in page and "\x1b" not in page
    assert "&lt;script&gt;" in page and 'href="https://arxiv.org/abs/2512.00666"' in page


def test_the_atom_feed_parses_and_has_what_a_feed_reader_needs() -> None:
    feed = ET.fromstring(render_atom(digest()).encode("utf-8"))
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated", "author"):
        assert feed.find(f"{ATOM}{required}") is not None, required
    items = feed.findall(f"{ATOM}entry")
    assert len(items) == 3
    for item in items:
        for required in ("id", "title", "updated", "link"):
            assert item.find(f"{ATOM}{required}") is not None, required
    first = items[0]
    assert first.findtext(f"{ATOM}title") == "Liked one"
    assert first.find(f"{ATOM}category").attrib["term"] == "For you"  # type: ignore[union-attr]
    evil = items[1].findtext(f"{ATOM}title") or ""
    assert evil.startswith('Evil [link](javascript:alert(1)) <script>x</script> & "quotes"')
    assert "\x1b" not in evil and "\x07" not in evil
    # Ids stay a paper's from one digest to the next.
    assert items[1].findtext(f"{ATOM}id") == "https://arxiv.org/abs/2512.00666"


def run(db: Path, *args: str) -> str:
    result = CliRunner().invoke(main, ["--db", str(db), "--user", "ana", "digest", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_reader_digest_is_what_is_new_and_moves_the_mark_only_when_asked(
    library: Library, db_path: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert run(db_path).startswith("# New for ana so far: 39 papers")
    library.mark_looked("ana")
    assert run(db_path).startswith("# New for ana since ")
    assert "Nothing here." in run(db_path)
    monkeypatch.setattr(clock, "now", lambda: "2099-01-02T08:00:00+00:00")
    library.import_papers([Paper("Arrived overnight", "2512.00001")])
    out = tmp_path / "feed.xml"
    assert run(db_path, "--format", "atom", "-o", str(out)) == ""
    feed = ET.fromstring(out.read_bytes())
    assert [e.findtext(f"{ATOM}title") for e in feed.findall(f"{ATOM}entry")] == [
        "Arrived overnight"
    ]
    # Run again: the same, the mark never moved ...
    assert "Arrived overnight" in run(db_path)
    # ... until asked to.
    assert "Arrived overnight" in run(db_path, "--mark-seen")
    assert "Arrived overnight" not in run(db_path)
    # A date instead of the mark; a query narrows it.
    assert "Arrived overnight" in run(db_path, "--since", "2099-01-01")
    assert "Arrived overnight" not in run(db_path, "--since", "2099-01-01", "-q", "diffusion")


def test_a_bad_since_or_query_is_one_line(library: Library, db_path: Path) -> None:
    for args, said in (
        (("--since", "yesterday"), "Invalid value for --since: takes last or a date like"),
        (("-q", "autor:x"), "Invalid value for --query: unknown field 'autor:'"),
    ):
        result = CliRunner().invoke(main, ["--db", str(db_path), "digest", *args])
        assert result.exit_code == 2 and said in result.output


def test_a_digest_shows_at_most_its_limit_and_counts_the_rest(
    library: Library, db_path: Path
) -> None:
    text = run(db_path, "--limit", "5")
    assert text.startswith("# New for ana so far: 39 papers")
    assert text.count("\n- **") == 5
    assert "… and 34 more new papers: reader list is:new" in text
    feed = ET.fromstring(run(db_path, "--limit", "5", "--format", "atom").encode())
    assert len(feed.findall(f"{ATOM}entry")) == 5


def test_an_entry_whose_arrival_is_unknown_still_has_a_time() -> None:
    unknown = group(
        "ana",
        [Entry(Paper("From a hand-written file", "2512.00007"), "")],
        since=None,
        made_at="2026-12-04T09:00:00+00:00",
        ranked=False,
    )
    feed = ET.fromstring(render_atom(unknown).encode())
    entry = feed.find(f"{ATOM}entry")
    assert entry is not None and entry.findtext(f"{ATOM}updated") == "2026-12-04T09:00:00Z"
