"""The Obsidian export: safe unique file names, YAML front matter, and re-export rules."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import pytest
import yaml

from reader.export.files import ExportError
from reader.export.obsidian import ObsidianResult, write_obsidian
from reader.export.obsidian_merge import MARKER_LINE
from reader.export.obsidian_names import fold_name, safe_file_stem, unique_file_name
from reader.export.obsidian_note import render_obsidian_note, yaml_string
from reader.models import Annotation, Paper

NOTE = (
    "First line — naïve café ∑ 🚀 \"quoted\" and 'single'\n"
    "\n"
    "---\n"
    "\n"
    "Set {a, b} and `code {x}` with C:\\path\\to and \\\\ and }{\n"
    "key: value # not a comment\n"
    "---"
)
NOW = "2025-01-31T12:00:00+00:00"
FORBIDDEN = set('<>:"/\\|?*')
RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10))}
RESERVED |= {f"LPT{i}" for i in range(1, 10)}


def paper(title: str, pid: int = 1, **kwargs: object) -> Paper:
    return Paper(title=title, id=pid, **kwargs)  # type: ignore[arg-type]


def item(title: str, pid: int = 1, note: str = "", **kwargs: object) -> tuple[Paper, Annotation]:
    return paper(title, pid, **kwargs), Annotation(pid, starred=True, note=note)


def export(folder: Path, *items: tuple[Paper, Annotation], at: str = NOW) -> ObsidianResult:
    return write_obsidian(folder, items, user="ada", exported_at=at)


def parts(text: str) -> tuple[dict[str, object], str, str]:
    """Front matter (parsed by PyYAML), reader's part of the body (the note, with the
    blank line after it) and the user's part (below the marker line) of one file."""
    assert text.startswith("---\n")
    head, sep, body = text[4:].partition("\n---\n")
    assert sep
    data = yaml.safe_load(head)
    assert isinstance(data, dict)
    note, sep, below = body.partition(MARKER_LINE + "\n")
    assert sep
    return data, note, below


def split(text: str) -> tuple[dict[str, object], str]:
    """Front matter and the note of a file the user has not written in."""
    data, note, below = parts(text)
    assert below == ""
    return data, note.removesuffix("\n\n") + ("\n" if note else "")


def md_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# --- file names ------------------------------------------------------------------------


def assert_portable(name: str) -> None:
    assert name.endswith(".md")
    stem = name[:-3]
    assert stem and not FORBIDDEN & set(name)
    assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in name)
    assert not stem.endswith((".", " ")) and not stem.startswith((".", " ", "-"))
    assert stem.split(".")[0].upper() not in RESERVED
    assert len(name.encode("utf-8")) <= 120
    assert unicodedata.normalize("NFC", name) == name


@pytest.mark.parametrize(
    ("title", "stem"),
    [
        ("a/b", "a b"),
        ("CON", "_CON"),
        ("con.txt", "_con.txt"),
        ("Com1", "_Com1"),
        ("..", "Untitled"),
        ("", "Untitled"),
        ("...Hidden?", "Hidden"),
        ('What: "A" <b> | c*? \\ d.', "What A b c d"),
        ("Line\nbreak\x1b[31m\ttab", "Line break 31m tab"),
        ("[[Link]] #tag ^block", "Link tag block"),
        ("Cafe\u0301 東京 🚀", "Café 東京 🚀"),  # NFC
        ("---", "Untitled"),
        ("- . -", "Untitled"),
        ("-rf everything", "rf everything"),
        ("--- A study ---", "A study ---"),
        (".-.-hidden option", "hidden option"),
        ("-CON", "_CON"),
        ("\u0301\u0301", "Untitled"),
    ],
)
def test_hostile_titles_give_portable_names(title: str, stem: str) -> None:
    assert safe_file_stem(title) == stem
    assert_portable(unique_file_name(title, set()))


def test_long_title_is_cut_to_120_bytes_on_a_character_boundary() -> None:
    title = "Ünïcödé " * 40  # 300+ characters, two bytes for some
    name = unique_file_name(title, set())
    assert_portable(name)
    assert len(name.encode("utf-8")) > 110
    assert title.startswith(name[:-3])
    second = unique_file_name(title, {fold_name(name)})
    assert_portable(second)
    assert second.endswith(" (2).md") and second != name


def test_names_are_unique_ignoring_case(tmp_path: Path) -> None:
    result = export(tmp_path, item("Deep Learning", 1), item("DEEP LEARNING", 2), item("a/b", 3))
    assert result == ObsidianResult(written=3, paths=result.paths)
    names = md_files(tmp_path)
    assert names == ["DEEP LEARNING (2).md", "Deep Learning.md", "a b.md"]
    assert len({n.casefold() for n in names}) == 3
    assert [p.name for p in result.paths] == ["Deep Learning.md", "DEEP LEARNING (2).md", "a b.md"]


def test_all_hostile_titles_export_side_by_side(tmp_path: Path) -> None:
    titles = ["a/b", "CON", "..", "x" * 300, "Über", "über", "Cafe\u0301", "Café", "nul.md"]
    export(tmp_path, *(item(t, i) for i, t in enumerate(titles, start=1)))
    names = md_files(tmp_path)
    assert len(names) == len(titles)
    for name in names:
        assert_portable(name)
    assert len({fold_name(n) for n in names}) == len(titles)


# --- front matter ------------------------------------------------------------------------

HOSTILE_TITLES = [
    'He said "yes": a study',
    "Key: value # comment",
    "---",
    "Line one\nLine two\r\n",
    "#hashtag [[link]] {flow} & *alias !tag | > '",
    "Ünïcödé 東京 🚀 \u2028 sep \x85 nel \x1b[31m esc \x7f del \ufeff bom",
    "null",
    "true",
    "123",
    "- list",
    "  spaced  ",
    "\\ backslash \\n not a newline",
]


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_yaml_string_reads_back_exactly(title: str) -> None:
    assert yaml.safe_load(f"k: {yaml_string(title)}") == {"k": title}


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_front_matter_parses_to_the_data(title: str) -> None:
    p = Paper(
        title=title,
        arxiv_id="2409.11074",
        authors=(title, 'Łukasz "Ł" O\'Brien', "A: B"),
        published="2024-09-17",
        updated="2024-09-18",
        featured="2024-09-19",
        upvotes=42,
        github_url="https://github.com/o/r",
        doi="10.1000/x:y",
        id=1,
    )
    mark = Annotation(1, starred=True, note=NOTE, read_at="2025-01-02T03:04:05Z", tags=("a", "b"))
    data, body = split(render_obsidian_note(p, mark, user=title, exported_at=NOW))
    assert isinstance(data.pop("reader_hash"), str)
    assert data == {
        "title": title,
        "authors": [title, 'Łukasz "Ł" O\'Brien', "A: B"],
        "arxiv_id": "2409.11074",
        "urls": {
            "abs": "https://arxiv.org/abs/2409.11074",
            "pdf": "https://arxiv.org/pdf/2409.11074",
            "github": "https://github.com/o/r",
            "hf": "https://huggingface.co/papers/2409.11074",
            "doi": "https://doi.org/10.1000/x:y",
        },
        "tags": ["a", "b"],
        "starred": True,
        "read": True,
        "upvotes": 42,
        "published": "2024-09-17",
        "updated": "2024-09-18",
        "featured": "2024-09-19",
        "reader_id": "arxiv:2409.11074",
        "reader_user": title,
        "reader_exported_at": NOW,
    }
    assert body == NOTE + "\n"


def test_unknowns_are_null_and_lists_empty() -> None:
    p = Paper(title="Local", github_url="javascript:alert(1)")
    data, body = split(render_obsidian_note(p, Annotation(0), user="ada", exported_at=NOW))
    assert data["authors"] == [] and data["tags"] == []
    assert data["arxiv_id"] is None and data["upvotes"] is None and data["published"] is None
    assert data["urls"] == dict.fromkeys(("abs", "pdf", "github", "hf", "doi"))
    assert data["starred"] is False and data["read"] is False
    assert data["reader_id"] == "title:local"
    assert body == ""


def test_note_is_the_body_as_written(tmp_path: Path) -> None:
    export(tmp_path, item("Paper", note=NOTE + "\n\n\n"))
    text = (tmp_path / "Paper.md").read_text(encoding="utf-8")
    assert text.endswith("---\n" + NOTE + "\n\n" + MARKER_LINE + "\n")
    assert split(text)[0]["title"] == "Paper"


# --- re-export ---------------------------------------------------------------------------


def test_reexport_updates_own_files_and_leaves_foreign_ones(tmp_path: Path) -> None:
    foreign = tmp_path / "My own note.md"
    foreign_bytes = b"---\ntitle: mine\n---\nHands off.\n"
    foreign.write_bytes(foreign_bytes)
    no_front = tmp_path / "Plain.md"
    no_front.write_bytes(b"# Plain\n")
    other_marker = tmp_path / "Other tool.md"
    other_marker.write_bytes(b'---\nreader_id: "zotero:1"\n---\n')

    a = paper("Old Title", 1, arxiv_id="2409.11074")
    b = paper("Second", 2)
    first = export(tmp_path, (a, Annotation(1, note="v1")), (b, Annotation(2, starred=True)))
    assert (first.written, first.updated, first.unchanged) == (2, 0, 0)

    # Same data, later: nothing to rewrite; the files keep their bytes.
    before = (tmp_path / "Old Title.md").read_bytes()
    again = export(tmp_path, (a, Annotation(1, note="v1")), (b, Annotation(2)), at="2026-01-01")
    assert (again.written, again.updated, again.unchanged) == (0, 1, 1)
    assert (tmp_path / "Old Title.md").read_bytes() == before

    # The title and note changed: the same file is rewritten, under its old name.
    renamed = paper("New Title", 1, arxiv_id="2409.11074")
    third = export(tmp_path, (renamed, Annotation(1, note="v2")))
    assert (third.written, third.updated, third.stale) == (0, 1, 1)
    data, body = split((tmp_path / "Old Title.md").read_text(encoding="utf-8"))
    assert data["title"] == "New Title" and body == "v2\n"
    assert not (tmp_path / "New Title.md").exists()
    assert third.paths == (tmp_path / "Old Title.md",)

    assert foreign.read_bytes() == foreign_bytes
    assert no_front.read_bytes() == b"# Plain\n"
    assert other_marker.read_bytes() == b'---\nreader_id: "zotero:1"\n---\n'
    assert md_files(tmp_path) == [
        "My own note.md",
        "Old Title.md",
        "Other tool.md",
        "Plain.md",
        "Second.md",
    ]


def test_new_paper_never_takes_a_foreign_files_name(tmp_path: Path) -> None:
    foreign = tmp_path / "attention is all you need.md"
    foreign.write_bytes(b"mine\n")
    result = export(tmp_path, item("Attention Is All You Need", note="ours"))
    assert foreign.read_bytes() == b"mine\n"
    assert result.paths == (tmp_path / "Attention Is All You Need (2).md",)
    assert split(result.paths[0].read_text(encoding="utf-8"))[1] == "ours\n"


def test_file_edited_by_obsidian_is_still_ours(tmp_path: Path) -> None:
    """Obsidian's property editor rewrites front matter unquoted; the marker still counts.
    (A file of an export before fingerprints: what differs is a conflict till --force.)"""
    own = tmp_path / "Renamed by me.md"
    own.write_text("---\ntitle: X\nreader_id: arxiv:2409.11074\n---\nold\n", encoding="utf-8")
    result = export(tmp_path, item("X", arxiv_id="2409.11074", note="new"))
    assert (result.written, result.updated) == (0, 0)
    assert result.conflicts == (own,)
    forced = write_obsidian(
        tmp_path,
        [item("X", arxiv_id="2409.11074", note="new")],
        user="ada",
        exported_at=NOW,
        force=True,
    )
    assert (forced.written, forced.updated) == (0, 1)
    data, note, below = parts(own.read_text(encoding="utf-8"))
    assert note == "new\n\n" and data["title"] == "X"
    assert "```markdown\nold\n```" in below
    assert md_files(tmp_path) == ["Renamed by me.md"]


def test_paper_that_gained_an_arxiv_id_finds_its_file(tmp_path: Path) -> None:
    export(tmp_path, item("Local Paper", note="one"))
    result = export(tmp_path, item("Local Paper", arxiv_id="2409.11074", note="two"))
    assert (result.written, result.updated) == (0, 1)
    data, body = split((tmp_path / "Local Paper.md").read_text(encoding="utf-8"))
    assert data["reader_id"] == "arxiv:2409.11074" and body == "two\n"


def test_symlinked_file_is_never_ours(tmp_path: Path) -> None:
    outside = tmp_path / "outside.md"
    outside.write_text('---\nreader_id: "title:x"\n---\nsecret\n', encoding="utf-8")
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "X.md").symlink_to(outside)
    result = export(vault, item("X", note="ours"))
    assert outside.read_text(encoding="utf-8").endswith("secret\n")
    assert result.paths == (vault / "X (2).md",)


# --- errors ------------------------------------------------------------------------------


def test_missing_folder_is_created(tmp_path: Path) -> None:
    export(tmp_path / "a" / "vault", item("T"))
    assert md_files(tmp_path / "a" / "vault") == ["T.md"]
    # Private, as the notes in it: their names are the papers' titles.
    assert (tmp_path / "a").stat().st_mode & 0o777 == 0o700
    assert (tmp_path / "a" / "vault").stat().st_mode & 0o777 == 0o700


def test_an_existing_folder_keeps_its_mode(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    vault.mkdir(mode=0o755)
    vault.chmod(0o755)
    export(vault, item("T"))
    assert vault.stat().st_mode & 0o777 == 0o755


def test_folder_that_is_a_file(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("keep")
    with pytest.raises(ExportError, match=f"^cannot write to {target}: not a folder$"):
        export(target, item("T"))
    assert target.read_text() == "keep"


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to read-only directories")
def test_unwritable_folder(tmp_path: Path) -> None:
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(ExportError, match=f"^cannot write to {tmp_path}: Permission denied$"):
            export(tmp_path, item("T"))
    finally:
        tmp_path.chmod(0o700)


def test_unwritable_folder_simulated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As above, also as root: the first write fails, with a one-line error."""

    real_open = os.open

    def deny(path: str, flags: int, *args: int, **kwargs: int) -> int:
        if flags & os.O_CREAT:
            raise PermissionError(13, "Permission denied")
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", deny)
    with pytest.raises(ExportError, match=r"^cannot write .*T\.md: Permission denied$"):
        export(tmp_path, item("T"))
    assert md_files(tmp_path) == []


def test_a_title_of_a_million_characters_is_cut_in_one_step(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from reader.export import obsidian_names as obsidian

    trims: list[int] = []
    real_trim = obsidian._trim

    def counted(name: str) -> str:
        trims.append(len(name))
        return real_trim(name)

    monkeypatch.setattr(obsidian, "_trim", counted)
    for title in ("a" * 1_000_000, "e\u0301" * 500_000, "é" * 1_000_000, "- " * 500_000 + "x"):
        name = unique_file_name(title, set())
        assert_portable(name)
        # Trimmed once or twice, and only what fits: a cut a character at a time
        # (as before) trimmed the whole title again for each character cut.
        assert len(trims) <= 2 and max(trims) <= 120
        trims.clear()


def test_many_papers_with_one_title_are_numbered_without_counting_from_two_each_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from reader.export import obsidian_names as obsidian

    stems: list[str] = []
    real = obsidian.safe_file_stem

    def counted(title: str, max_bytes: int = obsidian.MAX_NAME_BYTES - 3) -> str:
        stems.append(title)
        return real(title, max_bytes)

    monkeypatch.setattr(obsidian, "safe_file_stem", counted)
    taken: set[str] = set()
    numbers: dict[str, int] = {}
    names = []
    for _ in range(300):
        name = unique_file_name("Same Title", taken, numbers)
        taken.add(fold_name(name))
        names.append(name)
    assert names[:3] == ["Same Title.md", "Same Title (2).md", "Same Title (3).md"]
    assert len(set(names)) == 300
    assert len(stems) < 2 * 300  # not 300 * 301 / 2


def test_a_note_from_elsewhere_cannot_run_code_in_obsidian(tmp_path: Path) -> None:
    note = "<img src=x onerror=alert(1)> [a](javascript:alert(1)) `<kept>`\n\n```\n<b>\n```"
    (path,) = export(tmp_path, item("T", note=note)).paths
    _, body = split(path.read_text(encoding="utf-8"))
    made_safe = "&lt;img src=x onerror=alert(1)> [a&#93;(javascript:alert(1)) `<kept>`"
    assert body == made_safe + "\n\n```\n<b>\n```\n"


def test_never_the_library_nor_a_folder_reached_through_it(tmp_path: Path) -> None:
    library = tmp_path / "library.db"
    library.write_bytes(b"SQLite format 3\x00" + bytes(84))
    with pytest.raises(ExportError, match="that is the library itself"):
        write_obsidian(library, [item("T")], user="ada", exported_at=NOW, library=library)
    assert library.read_bytes().startswith(b"SQLite format 3")
    # A note whose name would be the library's: the library is in the vault.
    vault_library = tmp_path / "T.md"
    vault_library.write_bytes(b"SQLite format 3\x00" + bytes(84))
    result = write_obsidian(
        tmp_path, [item("T")], user="ada", exported_at=NOW, library=vault_library
    )
    assert [p.name for p in result.paths] == ["T (2).md"]
    assert vault_library.read_bytes().startswith(b"SQLite format 3")


def test_a_stale_temporary_file_in_the_vault_is_removed(tmp_path: Path) -> None:
    stale = tmp_path / ".reader-0badc0de.tmp"
    stale.write_text("a note, left by a killed export")
    os.utime(stale, (1, 1))
    export(tmp_path, item("T"))
    assert md_files(tmp_path) == ["T.md"]
