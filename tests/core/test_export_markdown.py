"""The Markdown export: rendering (pure) and writing the file (atomic, no clobbering)."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token

from reader.export.files import ExportError, write_atomic
from reader.export.markdown import render_markdown
from reader.models import Annotation, Paper

NOTE = (
    "First line — naïve café ∑ 🚀\n"
    "\n"
    "---\n"
    "\n"
    "Set {a, b} and `code {x}` with C:\\path\\to and \\\\ and \\*\n"
    "  indented line\n"
    "- [ ] todo"
)


def render(*items: tuple[Paper, Annotation]) -> str:
    return render_markdown(items, user="ada", today="2025-01-31")


def cannot(target: Path, reason: str) -> str:
    """A regex for exactly the one-line error about ``target``."""
    return f"^cannot write {re.escape(str(target))}: {reason}$"


def headings(doc: str) -> list[str]:
    """The text of every heading CommonMark finds in ``doc``."""
    return [text for _, text in outline(doc)]


def outline(doc: str) -> list[tuple[int, str]]:
    """(level, text) of every heading CommonMark finds in ``doc``."""
    tokens = MarkdownIt("commonmark").parse(doc)
    return [
        (int(t.tag[1]), tokens[i + 1].content)
        for i, t in enumerate(tokens)
        if t.type == "heading_open"
    ]


def test_full_paper_with_note_verbatim() -> None:
    paper = Paper(
        title="Attention Is All You Need",
        arxiv_id="1706.03762",
        authors=("A. Vaswani", "N. Shazeer"),
        published="2017-06-12",
        updated="2023-08-02",
        featured="2017-06-13",
        upvotes=5,
        github_url="https://github.com/tensorflow/tensor2tensor",
        doi="10.48550/arXiv.1706.03762",
        id=1,
    )
    annotation = Annotation(
        paper_id=1, starred=True, note=NOTE, tags=("nlp",), read_at="2025-01-30T09:00:00Z"
    )
    doc = render((paper, annotation))
    assert doc == (
        "# Reading notes of ada\n"
        "\n"
        "1 paper · exported 2025-01-31 by reader\n"
        "\n"
        "## nlp\n"
        "\n"
        "### [Attention Is All You Need](https://arxiv.org/abs/1706.03762)\n"
        "- **Authors:** A. Vaswani, N. Shazeer\n"
        "- **Published:** 2017-06-12 · **Updated:** 2023-08-02 · **Featured:** 2017-06-13"
        " · **Upvotes:** 5\n"
        "- **Tags:** nlp\n"
        "- **Starred:** yes · **Read:** 2025-01-30\n"
        "- **Links:** [arXiv](https://arxiv.org/abs/1706.03762)"
        " · [PDF](https://arxiv.org/pdf/1706.03762)"
        " · [Code](https://github.com/tensorflow/tensor2tensor)"
        " · [Hugging Face](https://huggingface.co/papers/1706.03762)"
        " · [DOI](https://doi.org/10.48550/arXiv.1706.03762)\n"
        "\n" + NOTE + "\n"
    )


def test_grouped_by_tag_alphabetically_untagged_last_each_paper_once() -> None:
    a = Paper(title="Alpha", id=1)
    b = Paper(title="Beta", id=2)
    c = Paper(title="Gamma", id=3)
    d = Paper(title="Delta", id=4)
    doc = render(
        (a, Annotation(1, note=NOTE, tags=("vision", "nlp", "rl"))),
        (b, Annotation(2, starred=True)),
        (c, Annotation(3, starred=True, tags=("nlp", "nlp"))),
        (d, Annotation(4, starred=True, tags=("rl",))),
    )
    # Each paper under its first tag; a tag with none of its own still has its section.
    assert headings(doc) == [
        "Reading notes of ada",
        "nlp",
        "Gamma",
        "rl",
        "Delta",
        "vision",
        "Alpha",
        "Untagged",
        "Beta",
    ]
    assert "4 papers ·" in doc  # as many as the paper headings
    assert doc.count("\n" + NOTE + "\n") == 1
    assert "- **Tags:** vision, nlp, rl\n" in doc
    # The other tags' sections name it, in the same label style as everything else.
    assert "\n**Also tagged nlp:** Alpha (under vision)\n" in doc
    assert "\n**Also tagged rl:** Alpha (under vision)\n" in doc
    assert doc.endswith("### Beta\n- **Starred:** yes · **Read:** no\n")


def test_a_paper_with_many_tags_is_printed_once() -> None:
    """The issue's case: the count line said 6 papers while one paper appeared 3 times."""
    items = [(Paper(title=f"P{i}", id=i), Annotation(i, starred=True)) for i in range(1, 6)]
    items.append((Paper(title="Many", id=6), Annotation(6, note="n", tags=("a", "b", "c"))))
    doc = render(*items)
    assert "6 papers ·" in doc
    assert [h for h in headings(doc) if h.startswith(("P", "Many"))] == [
        "Many", "P1", "P2", "P3", "P4", "P5"
    ]  # fmt: skip
    assert doc.count("### Many") == 1


def test_every_fact_has_one_label_style() -> None:
    paper = Paper(title="T", authors=("A",), published="2024-01-02", upvotes=3, id=1)
    doc = render((paper, Annotation(1, starred=True, tags=("x",), read_at="2025-01-30T09:00Z")))
    facts = [line for line in doc.splitlines() if line.startswith("- ")]
    assert facts == [
        "- **Authors:** A",
        "- **Published:** 2024-01-02 · **Upvotes:** 3",
        "- **Tags:** x",
        "- **Starred:** yes · **Read:** 2025-01-30",
    ]
    labels = re.findall(r"\*\*([^*]+)\*\*", "\n".join(facts))
    assert labels and all(label.endswith(":") for label in labels)


OUTLINED_NOTE = (
    "# Key idea\n\n"
    "Text.\n\n"
    "## Detail\n\n"
    "```python\n# a comment, not a heading\n```\n\n"
    "    # indented code\n\n"
    "Setext one\n===\n\n"
    "Setext *two*\nlines\n---\n\n"
    "> ### quoted\n\n"
    "- ##### in a list\n\n"
    "Ends in #\n===\n\n"
    "paragraph"
)


def test_a_notes_headings_go_below_the_papers() -> None:
    doc = render(
        (Paper(title="First", id=1), Annotation(1, note=OUTLINED_NOTE)),
        (Paper(title="Second", id=2), Annotation(2, starred=True)),
    )
    assert outline(doc) == [
        (1, "Reading notes of ada"),
        (2, "Untagged"),
        (3, "First"),
        (4, "Key idea"),
        (5, "Detail"),
        (4, "Setext one"),
        (5, "Setext *two* lines"),
        (6, "quoted"),
        (6, "in a list"),  # deeper than six is six
        (4, "Ends in #"),
        (3, "Second"),
    ]
    # Code is code: untouched.
    assert "```python\n# a comment, not a heading\n```\n\n    # indented code\n" in doc
    assert "#### Key idea\n\nText.\n\n##### Detail\n" in doc


def test_headings_inside_html_that_was_made_inert_go_below_too() -> None:
    """HTML made inert can turn its lines into Markdown: demoting comes after that."""
    note = "<div>\n# hidden in html\n</div>\n\n<!--\nHeading\n===\n-->"
    doc = render((Paper(title="T", id=1), Annotation(1, note=note)))
    assert live_parts(doc) == []
    assert outline(doc)[3:] == [(4, "hidden in html"), (4, "&lt;!-- Heading")]


def test_tag_headings_are_escaped() -> None:
    doc = render((Paper(title="T", id=1), Annotation(1, starred=True, tags=("*x*[y]",))))
    assert "## \\*x\\*\\[y\\]\n" in doc
    assert headings(doc)[1] == "\\*x\\*\\[y\\]"


def test_note_ends_with_blank_line_before_next_paper() -> None:
    a, b = Paper(title="First", id=1), Paper(title="Second", id=2)
    doc = render((a, Annotation(1, note="text\n\n\n")), (b, Annotation(2, starred=True)))
    assert (
        "### First\n- **Starred:** no · **Read:** no\n\ntext\n\n"
        "### Second\n- **Starred:** yes · **Read:** no\n"
    ) in doc
    assert doc.endswith("**Read:** no\n") and not doc.endswith("\n\n")


def test_unclosed_code_fence_in_note_does_not_swallow_next_paper() -> None:
    a, b = Paper(title="First", id=1), Paper(title="Second", id=2)
    note = "see:\n````python\nprint('{x}')"
    doc = render((a, Annotation(1, note=note)), (b, Annotation(2, starred=True)))
    assert note + "\n````\n\n### Second" in doc
    assert headings(doc) == ["Reading notes of ada", "Untagged", "First", "Second"]


def test_unclosed_html_comment_in_note_does_not_swallow_next_paper() -> None:
    a, b = Paper(title="First", id=1), Paper(title="Second", id=2)
    doc = render((a, Annotation(1, note="<!-- draft")), (b, Annotation(2, starred=True)))
    assert headings(doc) == ["Reading notes of ada", "Untagged", "First", "Second"]


def test_title_and_authors_are_escaped() -> None:
    paper = Paper(title="[x](y) is *very* good_ness #1 | <b>", authors=("A*B", "C_D"), id=1)
    doc = render((paper, Annotation(1, starred=True)))
    assert "### \\[x\\](y) is \\*very\\* good\\_ness \\#1 \\| \\<b\\>\n" in doc
    assert "- **Authors:** A\\*B, C\\_D\n" in doc
    assert headings(doc)[2] == "\\[x\\](y) is \\*very\\* good\\_ness \\#1 \\| \\<b\\>"


def test_user_is_escaped() -> None:
    doc = render_markdown([], user="*bob*\n# x", today="2025-01-31")
    assert doc.startswith("# Reading notes of \\*bob\\* \\# x\n")


def test_paper_without_arxiv_id_has_plain_title_and_no_arxiv_links() -> None:
    paper = Paper(title="Local Paper", author_count=7, github_url="https://github.com/o/r", id=1)
    doc = render((paper, Annotation(1, starred=True)))
    assert "### Local Paper\n" in doc
    assert "- **Authors:** 7 authors\n" in doc
    assert "- **Links:** [Code](https://github.com/o/r)\n" in doc
    for absent in ("arxiv.org", "huggingface.co", "[arXiv]", "[PDF]", "[Hugging Face]"):
        assert absent not in doc
    assert "Published" not in doc


def test_non_http_code_url_is_dropped_and_links_line_omitted() -> None:
    paper = Paper(title="T", github_url="javascript:alert(1)", id=1)
    doc = render((paper, Annotation(1, starred=True)))
    assert "Links" not in doc and "javascript" not in doc


def test_code_url_cannot_break_out_of_link() -> None:
    paper = Paper(title="T", github_url="https://github.com/o/r) [evil](x", id=1)
    doc = render((paper, Annotation(1, starred=True)))
    assert "Links" not in doc  # a space in a URL: not a URL
    paper = Paper(title="T", github_url="https://github.com/o/r)<x>", id=1)
    doc = render((paper, Annotation(1, starred=True)))
    assert "[Code](https://github.com/o/r%29%3Cx%3E)" in doc


def test_starred_only_paper_has_no_note_body() -> None:
    paper = Paper(title="Starred", upvotes=0, id=1)
    doc = render((paper, Annotation(1, starred=True, note="  \n\t\n")))
    assert doc.endswith("### Starred\n- **Upvotes:** 0\n- **Starred:** yes · **Read:** no\n")


def test_empty_input() -> None:
    doc = render()
    assert doc == (
        "# Reading notes of ada\n\n"
        "0 papers · exported 2025-01-31 by reader\n\n"
        "No starred or noted papers yet.\n"
    )


def test_escape_sequences_are_removed() -> None:
    paper = Paper(title="Red \x1b[31mAlert\x1b[0m\x07", authors=("Eve\x1b]0;pwn\x07",), id=1)
    doc = render((paper, Annotation(1, note="note \x1b[2J\nline two")))
    assert "\x1b" not in doc and "\x07" not in doc
    assert "### Red \\[31mAlert\\[0m\n" in doc
    assert "\nnote \\[2J\nline two\n" not in doc  # the note is not escaped ...
    assert "\nnote [2J\nline two\n" in doc  # ... only stripped of controls


def test_order_is_kept() -> None:
    papers = [Paper(title=t, id=i) for i, t in enumerate(["B", "A", "C"])]
    doc = render(*[(p, Annotation(p.id or 0, starred=True)) for p in papers])
    assert headings(doc)[1:] == ["Untagged", "B", "A", "C"]
    assert "3 papers ·" in doc


# --- write_atomic ---------------------------------------------------------------------


def test_write_creates_a_file_only_its_owner_can_read(tmp_path: Path) -> None:
    target = tmp_path / "notes.md"
    write_atomic(target, "héllo\n")
    assert target.read_bytes() == "héllo\n".encode()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert os.listdir(tmp_path) == ["notes.md"]


def test_refuses_existing_file_without_force(tmp_path: Path) -> None:
    target = tmp_path / "notes.md"
    target.write_text("old")
    with pytest.raises(ExportError) as exc:
        write_atomic(target, "new")
    assert str(exc.value) == f"{target}: file exists (use --force to overwrite)"
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["notes.md"]


def test_overwrites_with_force_keeping_mode(tmp_path: Path) -> None:
    target = tmp_path / "notes.md"
    target.write_text("old")
    target.chmod(0o640)
    write_atomic(target, "new", force=True)
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert os.listdir(tmp_path) == ["notes.md"]


def test_file_appearing_during_write_is_not_clobbered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "notes.md"
    real_fsync = os.fsync

    def fsync_then_race(fd: int) -> None:
        real_fsync(fd)
        if not target.exists():
            target.write_text("theirs")

    monkeypatch.setattr(os, "fsync", fsync_then_race)
    with pytest.raises(ExportError, match="file exists"):
        write_atomic(target, "ours")
    assert target.read_text() == "theirs"
    assert os.listdir(tmp_path) == ["notes.md"]


def test_nonexistent_directory(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "notes.md"
    with pytest.raises(ExportError) as exc:
        write_atomic(target, "x")
    assert str(exc.value) == f"cannot write {target}: No such file or directory"
    assert os.listdir(tmp_path) == []


def test_target_is_a_directory(tmp_path: Path) -> None:
    with pytest.raises(ExportError) as exc:
        write_atomic(tmp_path, "x", force=True)
    assert str(exc.value) == f"{tmp_path}: is a directory, not a regular file; not overwritten"


def test_parent_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("keep")
    target = tmp_path / "file" / "notes.md"
    with pytest.raises(ExportError, match=cannot(target, "Not a directory")):
        write_atomic(target, "x")
    assert (tmp_path / "file").read_text() == "keep"


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to read-only directories")
def test_unwritable_directory(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        target = locked / "notes.md"
        with pytest.raises(ExportError) as exc:
            write_atomic(target, "x")
        assert str(exc.value) == f"cannot write {target}: Permission denied"
        assert os.listdir(locked) == []
    finally:
        locked.chmod(0o700)


def test_permission_denied_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same as above, simulated, so it also runs as root."""

    real_open = os.open

    def deny(path: str, flags: int, *args: int, **kwargs: int) -> int:
        if flags & os.O_CREAT:
            raise PermissionError(13, "Permission denied")
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", deny)
    target = tmp_path / "notes.md"
    with pytest.raises(ExportError, match=cannot(target, "Permission denied")):
        write_atomic(target, "x")


def test_failure_while_writing_removes_temp_and_keeps_target(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "notes.md"
    target.write_text("old")

    def full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(ExportError, match=cannot(target, "No space left on device")):
        write_atomic(target, "new", force=True)
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["notes.md"]


# --- a note from someone else: what a Markdown viewer would run ----------------------------

FULL = MarkdownIt("commonmark")
FULL.validateLink = lambda url: True  # type: ignore[method-assign]  # judge every link


def live_parts(doc: str) -> list[str]:
    """What a CommonMark viewer would run or follow in ``doc``: HTML, and the targets of
    links and images that are not http(s)."""
    found: list[str] = []

    def walk(tokens: list[Token]) -> None:
        for token in tokens:
            if token.type in ("html_block", "html_inline"):
                found.append(token.content)
            target = token.attrs.get("href", token.attrs.get("src"))
            if target is not None and not str(target).lower().startswith(("http://", "https://")):
                found.append(str(target))
            walk(token.children or [])

    walk(FULL.parse(doc))
    return found


def note_of(note: str) -> str:
    """The exported note's body, between the paper's facts and the next paper."""
    doc = render(
        (Paper(title="First", id=1), Annotation(1, note=note)),
        (Paper(title="Second", id=2), Annotation(2, starred=True)),
    )
    assert headings(doc)[:3] == ["Reading notes of ada", "Untagged", "First"]
    assert headings(doc)[-1] == "Second"
    body = doc.split("- **Starred:** no · **Read:** no\n\n", 1)[1]
    return body.split("\n\n### Second", 1)[0]


HOSTILE_NOTES = {
    "script": "<script>alert(1)</script>",
    "img onerror": 'Look: <img src=x onerror="alert(1)">',
    "html block": "<div>\n<iframe src=//evil></iframe>\n</div>",
    "comment": "<!-- hidden <script>x</script> -->",
    "javascript link": "[click](javascript:alert(1))",
    "spaced target": "[click]( <javascript:alert(1)> )",
    "target on next line": "[click](\njavascript:alert(1))",
    "entity scheme": "[click](java&#115;cript:alert(1))",
    "data image": "![x](data:text/html;base64,PHNjcmlwdD4=)",
    "relative link": "[notes](../secret.md)",
    "autolink": "<javascript:alert(1)> and <mailto:a@b.c> and <a@b.c>",
    "reference": "[click][x]\n\n[x]: javascript:alert(1)",
    "reference in a quote": "> [x]: vbscript:msgbox\n\n[x]",
    "html hiding a fence": "<script>\n```\n</script>\n\n```\n<img src=x onerror=alert(1)>\n```",
    "html then code span": "<div>\n`\n</div>\n`<img src=x onerror=alert(1)>`",
    "table": "| ` | x | `<img src=x onerror=alert(1)>` |\n|---|---|---|",
    "backtick in a link target": "[a](http://x`) <img src=x onerror=alert(1)> `",
    "html, then a code span": "<script>\n`\n</script>\n`<img src=x onerror=alert(1)>`",
}


@pytest.mark.parametrize("note", HOSTILE_NOTES.values(), ids=HOSTILE_NOTES.keys())
def test_a_note_cannot_run_code_or_link_elsewhere_in_a_viewer(note: str) -> None:
    body = note_of(note)
    assert live_parts(body) == []
    assert live_parts(render((Paper(title="T", id=1), Annotation(1, note=note)))) == []


def test_ordinary_markdown_is_kept_as_written() -> None:
    note = (
        "# My notes\n\n"
        "Some *emphasis*, **strong**, `code <T>` and `a[i](x)`; a < b, x<3, <= 5.\n\n"
        "- a [link](https://example.org/a_(b)) and <https://example.org>\n"
        '- an ![image](http://example.org/i.png "title")\n'
        "  1. nested\n\n"
        "> quoted [ref][r]\n\n"
        "[r]: https://example.org/ref\n\n"
        "```html\n<script>in a fence</script>\n```\n\n"
        "    <b>indented code</b>\n"
    )
    # As written, but for the heading: below the paper's (see the outline tests).
    assert note_of(note) == "###" + note.rstrip("\n")


def test_only_the_unsafe_parts_change() -> None:
    assert note_of("<b>bold</b> [a](javascript:x) [b](https://ok) `<i>`") == (
        "&lt;b>bold&lt;/b> [a&#93;(javascript:x) [b](https://ok) `<i>`"
    )
    assert note_of("[x]: javascript:y\n\n[x]") == "&#91;x]: javascript:y\n\n[x]"
    # A GFM viewer splits a table row at "|" before it finds code spans.
    assert note_of("| ` | `<b>` |") == "| ` | `&lt;b>` |"
    assert note_of("a ` b `<b>`") == "a ` b `&lt;b>`"  # "` b `" is the code span
    assert note_of("a `` b `<b>`") == "a `` b `<b>`"  # "``" is not closed


FRAGMENTS = [
    "<img src=x onerror=alert(1)>", "<script>", "</script>", "<div>", "</div>", "<!--", "-->",
    "`", "``", "```", "~~~", "    ", "> ", "- ", "1. ", "[a]", "[a]: javascript:x",
    "[a]: http://ok", "](javascript:x)", "](http://ok)", "[", "]", "(", ")", "<http://ok>",
    "<javascript:x>", "\n", "\n\n", " ", "text", "*", "\\", "<", "|", "'", "<a href='`'>",
    "<?", "<![CDATA[", "]]>", "<pre>", "===", "---", "\t", "![i](data:x)", "[x](\njavascript:y)",
    "# ", "## ", "###### ", "#######", "#", "  ", "=", "-", " #",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=30).map("".join))
def test_no_mix_of_hostile_pieces_gets_through(note: str) -> None:
    doc = render(
        (Paper(title="First", id=1), Annotation(1, note=note)),
        (Paper(title="Second", id=2), Annotation(2, starred=True)),
    )
    assert live_parts(doc) == []
    # The outline is the document's: whatever the note holds, its headings are below.
    assert [h for h in outline(doc) if h[0] <= 3] == [
        (1, "Reading notes of ada"), (2, "Untagged"), (3, "First"), (3, "Second")
    ]  # fmt: skip
