"""Exporting again into an Obsidian vault the user has edited: nothing of theirs is lost."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.cli import main
from reader.export import files
from reader.export.obsidian import ObsidianResult, write_obsidian
from reader.export.obsidian_merge import MARKER_LINE, entry_value, read_vault_file
from reader.models import Annotation, Paper
from reader.store import open_library
from tests.support.data import SAMPLE_PAGE

AT = ["2025-01-31T12:00:00+00:00", "2025-02-01T12:00:00+00:00", "2025-02-02T12:00:00+00:00"]
PAPER = Paper(
    title="Attention Is All You Need",
    arxiv_id="1706.03762",
    authors=("Ashish Vaswani", "Noam Shazeer"),
    published="2017-06-12",
    upvotes=5,
    id=1,
)
MARK = Annotation(1, starred=True, note="First thoughts.\n\n- a point", tags=("nlp",))


def export(
    folder: Path, paper: Paper, mark: Annotation, at: str = AT[0], *, force: bool = False
) -> ObsidianResult:
    return write_obsidian(folder, [(paper, mark)], user="ada", exported_at=at, force=force)


def the_file(folder: Path) -> Path:
    (path,) = folder.glob("*.md")
    return path


def front(path: Path) -> dict[str, object]:
    data = yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])
    assert isinstance(data, dict)
    return data


def reader_note(path: Path) -> str:
    file = read_vault_file(path.read_text(encoding="utf-8"))
    assert file is not None
    return file.note.strip("\n")


def below(path: Path) -> str:
    file = read_vault_file(path.read_text(encoding="utf-8"))
    assert file is not None and file.below is not None
    return file.below


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_new_file_ends_with_the_line_below_which_it_is_the_users(tmp_path: Path) -> None:
    export(tmp_path, PAPER, MARK)
    text = the_file(tmp_path).read_text(encoding="utf-8")
    assert text.endswith("\n---\nFirst thoughts.\n\n- a point\n\n" + MARKER_LINE + "\n")
    assert re.search(
        r'^reader_hash: "details:\w+ tags:\w+ starred:\w+ read:\w+ note:\w+"$', text, re.M
    )


def test_the_same_export_again_touches_nothing(tmp_path: Path) -> None:
    export(tmp_path, PAPER, MARK)
    path = the_file(tmp_path)
    path.write_text(path.read_text(encoding="utf-8") + "My line.\n", encoding="utf-8")
    before = path.read_bytes()
    result = export(tmp_path, PAPER, MARK, at=AT[1])
    assert (result.updated, result.unchanged, result.edited, result.conflicts) == (0, 1, (), ())
    assert path.read_bytes() == before


def test_the_users_part_and_own_properties_are_kept_while_readers_part_updates(
    tmp_path: Path,
) -> None:
    export(tmp_path, PAPER, MARK)
    path = the_file(tmp_path)
    edit(path, "reader_id:", "rating: 5\naliases:\n  - Transformer paper\nreader_id:")
    path.write_text(path.read_text(encoding="utf-8") + "\nMy own text.\n# My heading\n")
    newer = replace(PAPER, title="Attention Is All You Need (v7)", upvotes=99)
    result = export(tmp_path, newer, replace(MARK, note="Second thoughts.", tags=("nlp", "x")))
    assert (result.updated, result.edited, result.conflicts) == (1, (), ())
    data = front(path)
    assert data["title"] == "Attention Is All You Need (v7)" and data["upvotes"] == 99
    assert data["tags"] == ["nlp", "x"]
    assert data["rating"] == 5 and data["aliases"] == ["Transformer paper"]
    assert reader_note(path) == "Second thoughts."
    assert below(path) == "\nMy own text.\n# My heading\n"
    assert "(1 conflict" not in result.summary() and "your edits" not in result.summary()


def test_an_edited_property_stays_when_reader_has_nothing_new_for_it(tmp_path: Path) -> None:
    export(tmp_path, PAPER, MARK)
    path = the_file(tmp_path)
    edit(path, 'tags:\n  - "nlp"', "tags:\n  - nlp\n  - to-cite")
    edit(path, "starred: true", "starred: false")
    # reader has news for other parts only: the upvotes and the note.
    result = export(tmp_path, replace(PAPER, upvotes=6), replace(MARK, note="Changed."))
    assert result.edited == (path,) and result.conflicts == ()
    assert "your edits kept as they are in 1 file" in result.summary()
    data = front(path)
    assert data["tags"] == ["nlp", "to-cite"] and data["starred"] is False
    assert data["upvotes"] == 6 and reader_note(path) == "Changed."
    assert below(path) == ""
    # And again: still the user's, still no conflict.
    again = export(tmp_path, replace(PAPER, upvotes=7), replace(MARK, note="Changed."), at=AT[1])
    assert again.conflicts == () and front(path)["tags"] == ["nlp", "to-cite"]


def test_a_property_both_changed_is_a_conflict_left_as_it_is_until_forced(
    tmp_path: Path,
) -> None:
    export(tmp_path, PAPER, MARK)
    path = the_file(tmp_path)
    edit(path, 'tags:\n  - "nlp"', "tags:\n  - mine")
    edit(path, MARKER_LINE + "\n", MARKER_LINE + "\nMy line.\n")
    users = path.read_bytes()
    newer = replace(MARK, tags=("nlp", "theirs"))
    result = export(tmp_path, PAPER, newer, at=AT[1])
    assert result.conflicts == (path,) and (result.updated, result.unchanged) == (0, 0)
    assert not result.complete
    assert path.read_bytes() == users  # nothing of it changed, not even reader's part
    assert (
        f"1 conflict, left as it is (changed in the file and in reader): {path.name};"
        " make both agree, or export again with --force (Overwrite) to write reader's"
        " version and keep yours below the reader line"
    ) in result.summary()
    # Again: still a conflict, still untouched.
    assert export(tmp_path, PAPER, newer, at=AT[1]).conflicts == (path,)
    assert path.read_bytes() == users
    # --force: reader's version written, the user's kept below, after their own text.
    forced = export(tmp_path, PAPER, newer, at=AT[2], force=True)
    assert forced.overwritten == (path,) and forced.conflicts == () and forced.updated == 1
    assert forced.complete
    assert "reader's version written over your edits (--force) in 1 file" in forced.summary()
    assert front(path)["tags"] == ["nlp", "theirs"]
    kept = below(path)
    assert kept.startswith(f"My line.\n\n## Your edits, kept by reader ({AT[2]})\n")
    assert "```yaml\ntags:\n  - mine\n```" in kept
    # Settled.
    assert export(tmp_path, PAPER, newer, at=AT[2]).unchanged == 1


def test_a_conflict_made_to_agree_in_reader_is_settled(tmp_path: Path) -> None:
    export(tmp_path, PAPER, MARK)
    path = the_file(tmp_path)
    edit(path, 'tags:\n  - "nlp"', "tags:\n  - mine")
    assert export(tmp_path, PAPER, replace(MARK, tags=("other",)), at=AT[1]).conflicts
    # The user gives the paper the file's tags in reader: both agree, nothing is lost.
    result = export(tmp_path, PAPER, replace(MARK, tags=("mine",)), at=AT[2])
    assert result.conflicts == () and result.updated == 1
    assert front(path)["tags"] == ["mine"] and below(path) == ""


def test_an_edited_note_stays_until_reader_changes_it_too_then_it_is_a_conflict(
    tmp_path: Path,
) -> None:
    export(tmp_path, PAPER, MARK)
    path = the_file(tmp_path)
    edit(path, "- a point\n", "- a point\n- my second point, written in Obsidian\n")
    # The library's note has not changed: the user's version stands.
    kept = export(tmp_path, PAPER, MARK, at=AT[1])
    assert kept.edited == (path,) and kept.conflicts == () and kept.unchanged == 1
    assert reader_note(path).endswith("- my second point, written in Obsidian")
    # Now it changes in reader too: a conflict, the file left as it is.
    users = path.read_bytes()
    rewritten = replace(MARK, note="Rewritten in reader.")
    changed = export(tmp_path, PAPER, rewritten, at=AT[2])
    assert changed.conflicts == (path,) and path.read_bytes() == users
    # Forced: reader's is written, the user's goes below, whole.
    forced = export(tmp_path, PAPER, rewritten, at=AT[2], force=True)
    assert forced.overwritten == (path,)
    assert reader_note(path) == "Rewritten in reader."
    assert (
        "```markdown\nFirst thoughts.\n\n- a point\n- my second point, written in Obsidian\n```"
        in below(path)
    )
    # Settled: the next export finds nothing to merge.
    settled = export(tmp_path, PAPER, replace(MARK, note="Rewritten in reader."), at=AT[2])
    assert settled.conflicts == () and settled.edited == () and settled.unchanged == 1


def test_obsidian_rewriting_the_front_matter_its_way_is_not_an_edit(tmp_path: Path) -> None:
    export(tmp_path, replace(PAPER, github_url=None), replace(MARK, tags=()))
    path = the_file(tmp_path)
    text = path.read_text(encoding="utf-8")
    head, body = text[4:].split("\n---\n", 1)
    # As Obsidian's property editor writes it: plain where it can, nothing for null.
    restyled = []
    for line in head.split("\n"):
        key, _, value = line.partition(": ")
        if value.startswith('"') and "details:" not in value and ":" not in value[1:-1]:
            value = value[1:-1]
        restyled.append(f"{key}:" if value == "null" else f"{key}: {value}" if value else line)
    restyled_text = "---\n" + "\n".join(restyled) + "\n---\n" + body
    assert restyled_text != text
    path.write_text(restyled_text, encoding="utf-8")
    result = export(tmp_path, replace(PAPER, github_url=None, upvotes=8), replace(MARK, tags=()))
    assert (result.updated, result.edited, result.conflicts) == (1, (), ())
    assert front(path)["upvotes"] == 8


def test_without_the_marker_line_the_users_text_is_still_kept(tmp_path: Path) -> None:
    export(tmp_path, PAPER, MARK)
    path = the_file(tmp_path)
    edit(path, MARKER_LINE + "\n", "A line of mine where the marker was.\n")
    users = path.read_bytes()
    result = export(tmp_path, PAPER, replace(MARK, note="New note."), at=AT[1])
    assert result.conflicts == (path,) and path.read_bytes() == users
    forced = export(tmp_path, PAPER, replace(MARK, note="New note."), at=AT[1], force=True)
    assert forced.overwritten == (path,)
    assert "A line of mine where the marker was." in below(path)
    assert reader_note(path) == "New note."


def test_a_file_from_an_older_export_is_left_as_it_is_where_it_differs(tmp_path: Path) -> None:
    """Files written before fingerprints: nothing says what the user changed in them."""
    old = (
        "---\n"
        'title: "Attention Is All You Need"\nauthors:\n  - "Ashish Vaswani"\n'
        'arxiv_id: "1706.03762"\nurls:\n  abs: null\ntags:\n  - "nlp"\nstarred: true\n'
        'read: false\nupvotes: 1\nreader_id: "arxiv:1706.03762"\nreader_user: "ada"\n'
        'reader_exported_at: "2024-01-01T00:00:00+00:00"\n'
        "---\n"
        "First thoughts.\n\n- a point\n\nA paragraph I added in Obsidian.\n"
    )
    path = tmp_path / "Attention.md"
    path.write_text(old, encoding="utf-8")
    result = export(tmp_path, PAPER, MARK)
    assert result.conflicts == (path,) and result.written == 0
    assert path.read_text(encoding="utf-8") == old
    forced = export(tmp_path, PAPER, MARK, force=True)
    assert forced.overwritten == (path,)
    data = front(path)
    assert data["upvotes"] == 5 and data["authors"] == ["Ashish Vaswani", "Noam Shazeer"]
    assert reader_note(path) == MARK.note
    kept = below(path)
    assert "A paragraph I added in Obsidian." in kept
    assert "upvotes: 1" in kept and '  - "Ashish Vaswani"' in kept  # what it replaced


def test_a_file_from_an_older_export_that_reader_would_write_the_same_is_updated(
    tmp_path: Path,
) -> None:
    mark = replace(MARK, note="")
    paper = replace(PAPER, authors=(), upvotes=None)
    path = tmp_path / "Attention.md"
    path.write_text(
        "---\ntitle: Attention Is All You Need\narxiv_id: 1706.03762\n"
        "urls:\n  abs: https://arxiv.org/abs/1706.03762\n  pdf: https://arxiv.org/pdf/1706.03762\n"
        "  github: null\n  hf: null\n  doi: null\n"
        "tags:\n  - nlp\nstarred: true\nread: false\npublished: 2017-06-12\n"
        "reader_id: arxiv:1706.03762\n---\n",
        encoding="utf-8",
    )
    result = export(tmp_path, paper, mark)
    assert (result.updated, result.conflicts) == (1, ())
    assert below(path) == "" and "reader_hash" in path.read_text(encoding="utf-8")


def test_a_garbled_fingerprint_counts_every_part_as_edited(tmp_path: Path) -> None:
    export(tmp_path, PAPER, MARK)
    path = the_file(tmp_path)
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"reader_hash: .*", "reader_hash: [oops]", text), encoding="utf-8")
    result = export(tmp_path, PAPER, replace(MARK, note="New."), at=AT[1])
    assert result.conflicts == (path,)
    export(tmp_path, PAPER, replace(MARK, note="New."), at=AT[1], force=True)
    assert "```markdown\nFirst thoughts.\n\n- a point\n```" in below(path)


def test_a_note_line_that_reads_as_the_marker_does_not_split_the_file(tmp_path: Path) -> None:
    mark = replace(MARK, note=f"before\n{MARKER_LINE}\nafter")
    export(tmp_path, PAPER, mark)
    path = the_file(tmp_path)
    assert reader_note(path) == f"before\n\\{MARKER_LINE}\nafter"
    assert export(tmp_path, PAPER, mark, at=AT[1]).unchanged == 1


def test_a_file_saved_while_the_export_runs_is_left_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    export(tmp_path, PAPER, MARK)
    path = the_file(tmp_path)
    real = files._refuse_changed

    def saved_meanwhile(target: Path, expected: bytes) -> None:
        target.write_text(target.read_text(encoding="utf-8") + "Typed just now.\n")
        real(target, expected)

    monkeypatch.setattr(files, "_refuse_changed", saved_meanwhile)
    result = export(tmp_path, PAPER, replace(MARK, note="New."), at=AT[1])
    assert result.skipped == ((path, "changed while exporting; export again"),)
    assert path.read_text(encoding="utf-8").endswith("Typed just now.\n")
    assert reader_note(path) == MARK.note
    assert "left alone:" in result.summary() and [p.name for p in tmp_path.iterdir()] == [path.name]


def test_a_file_of_ours_that_is_not_utf8_is_left_alone(tmp_path: Path) -> None:
    export(tmp_path, PAPER, MARK)
    path = the_file(tmp_path)
    data = path.read_bytes() + b"caf\xe9\n"
    path.write_bytes(data)
    result = export(tmp_path, PAPER, replace(MARK, note="New."), at=AT[1])
    assert result.skipped == ((path, "not UTF-8 text"),)
    assert path.read_bytes() == data


def test_values_are_read_as_yaml_reads_them() -> None:
    cases = {
        'k: "a \\"b\\" \\u00e9 \\U0001F680 \\x41"': 'a "b" é 🚀 A',
        "k: 'it''s'": "it's",
        "k: plain text # a comment": "plain text",
        "k: 42": 42,
        "k: true": True,
        "k: null": None,
        "k:": None,
        "k: []": None,
        "k: [a, 'b c', \"d\"]": ["a", "b c", "d"],
    }
    for line, value in cases.items():
        assert entry_value([line]) == value, line
        assert yaml.safe_load(line)["k"] in (value, [], None)
    assert entry_value(['k: "\\ud83d\\ude80"']) == "🚀"  # JSON's way, one character
    assert entry_value(["k:", "  - a", "  - 'b'"]) == ["a", "b"]
    assert entry_value(["k:", "- a"]) == ["a"]
    assert entry_value(["k:", "  x: 1", "  y:"]) == {"x": 1, "y": None}
    assert entry_value(["k: a long title", "  folded by Obsidian"]) == (
        "a long title folded by Obsidian"
    )
    # Not read here: compared as written.
    for lines in (["k: |", "  text"], ["k: &anchor x"], ['k: "open'], ["k: {a: 1}"]):
        value = entry_value(lines)
        assert isinstance(value, list) and value[0] == "\x00as written"


# --- the case, through `reader export` -----------------------------------------


def run(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.stderr


def test_reexport_after_editing_in_obsidian_loses_nothing_and_says_what_happened(
    db_path: Path, tmp_path: Path
) -> None:
    assert run("--db", db_path, "import", SAMPLE_PAGE)[0] == 0
    library = open_library(db_path)
    first, second = (p.id or 0 for p in library.papers()[:2])
    library.set_note("ana", first, "My note from reader.")
    library.change_tags("ana", [first], add=["survey"])
    library.toggle_star("ana", second)
    library.close()
    vault = tmp_path / "vault"
    code, said = run(
        "--db", db_path, "--user", "ana", "export", "--format", "obsidian", "-o", vault
    )
    assert code == 0 and "2 written" in said
    noted = next(p for p in vault.glob("*.md") if "My note from reader." in p.read_text())

    # In Obsidian: a line below the note, an edit of the note, a property of one's own,
    # a tag changed in the property editor.
    edit(noted, "My note from reader.", "My note from reader, edited in Obsidian.")
    edit(noted, MARKER_LINE + "\n", MARKER_LINE + "\nA line below the note.\n")
    edit(noted, "reader_id:", "status: reading\nreader_id:")
    edit(noted, 'tags:\n  - "survey"', "tags:\n  - survey\n  - mine")

    # In reader: the note changes, a tag is added, the other paper is starred no more.
    library = open_library(db_path)
    library.set_note("ana", first, "My note, changed in reader.")
    library.change_tags("ana", [first], add=["more"])
    library.toggle_star("ana", second)
    library.set_note("ana", second, "A note now.")
    library.close()
    users = noted.read_bytes()
    code, said = run(
        "--db", db_path, "--user", "ana", "export", "--format", "obsidian", "-o", vault
    )
    assert code == 3  # written, but a file left as it is
    assert said == (
        f"{vault}: 0 written, 1 updated, 0 unchanged; 1 conflict, left as it is (changed in"
        f" the file and in reader): {noted.name}; make both agree, or export again with"
        " --force (Overwrite) to write reader's version and keep yours below the reader"
        " line\n"
    )
    assert noted.read_bytes() == users
    other = next(p for p in vault.glob("*.md") if p != noted)
    assert front(other)["starred"] is False and reader_note(other) == "A note now."

    code, said = run(
        "--db", db_path, "--user", "ana", "export", "--format", "obsidian", "-o", vault, "--force"
    )
    assert code == 0
    assert said == (
        f"{vault}: 0 written, 1 updated, 1 unchanged; reader's version written over your"
        " edits (--force) in 1 file, yours kept below the reader line:"
        f" {noted.name}\n"
    )
    text = noted.read_text(encoding="utf-8")
    for kept in (
        "My note from reader, edited in Obsidian.",
        "A line below the note.",
        "status: reading",
        "  - mine",
    ):
        assert kept in text, kept
    data = front(noted)
    assert data["status"] == "reading" and data["tags"] == ["survey", "more"]
    assert reader_note(noted) == "My note, changed in reader."
    assert below(noted).startswith("A line below the note.\n\n## Your edits, kept by reader")


def test_a_file_moved_into_a_folder_is_updated_there_and_a_deleted_one_written_anew(
    tmp_path: Path,
) -> None:
    export(tmp_path, PAPER, MARK)
    path = the_file(tmp_path)
    (tmp_path / "Read" / "2017").mkdir(parents=True)
    moved = path.rename(tmp_path / "Read" / "2017" / "Transformer.md")
    result = export(tmp_path, replace(PAPER, upvotes=50), MARK, at=AT[1])
    assert (result.written, result.updated, result.paths) == (0, 1, (moved,))
    assert list(tmp_path.glob("*.md")) == [] and front(moved)["upvotes"] == 50
    # Deleted (Obsidian moves it to the vault's hidden .trash): written anew, once.
    (tmp_path / ".trash").mkdir()
    moved.rename(tmp_path / ".trash" / moved.name)
    again = export(tmp_path, replace(PAPER, upvotes=50), MARK, at=AT[2])
    assert again.written == 1 and again.paths == (tmp_path / f"{PAPER.title}.md",)
    assert reader_note(again.paths[0]) == MARK.note


# --- whatever the user writes where, none of it is lost ----------------------------------

LINE = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30).filter(
    lambda s: s.strip() and MARKER_LINE not in s and "---" not in s
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    in_note=st.lists(LINE, max_size=3),
    below_marker=st.lists(LINE, max_size=3),
    new_note=st.sampled_from(["", MARK.note, "Another note.", "# Heading\n\ntext"]),
    new_tags=st.sampled_from([("nlp",), ("nlp", "x"), ()]),
    force=st.booleans(),
)
def test_no_line_the_user_adds_is_ever_lost(
    tmp_path_factory: pytest.TempPathFactory,
    in_note: list[str],
    below_marker: list[str],
    new_note: str,
    new_tags: tuple[str, ...],
    force: bool,
) -> None:
    folder = tmp_path_factory.mktemp("vault")
    export(folder, PAPER, MARK)
    path = the_file(folder)
    added = [line.strip() for line in [*in_note, *below_marker]]
    text = path.read_text(encoding="utf-8")
    text = text.replace("- a point\n", "- a point\n" + "".join(f"{s.strip()}\n" for s in in_note))
    text += "".join(f"{line.strip()}\n" for line in below_marker)
    path.write_text(text, encoding="utf-8")
    export(folder, PAPER, replace(MARK, note=new_note, tags=new_tags), at=AT[1], force=force)
    export(folder, replace(PAPER, upvotes=9), replace(MARK, note="Third."), at=AT[2], force=force)
    final = path.read_text(encoding="utf-8")
    for line in added:
        assert line in final


def test_every_conflict_is_named_when_there_are_more_than_the_summary_names(
    db_path: Path, tmp_path: Path
) -> None:
    assert run("--db", db_path, "import", SAMPLE_PAGE)[0] == 0
    vault = tmp_path / "vault"
    assert (
        run(
            "--db", db_path, "--user", "ana", "export", "--all", "--format", "obsidian", "-o", vault
        )[0]
        == 0
    )
    edited = sorted(vault.glob("*.md"))[:5]
    for path in edited:
        edit(path, "tags: []", "tags:\n  - mine")
    library = open_library(db_path)
    library.change_tags("ana", [p.id or 0 for p in library.papers()], add=["theirs"])
    library.close()
    code, said = run(
        "--db", db_path, "--user", "ana", "export", "--all", "--format", "obsidian", "-o", vault
    )
    assert code == 3
    summary, *lines = said.splitlines()
    assert "5 conflicts, left as they are" in summary and "and 2 more" in summary
    assert sorted(lines) == sorted(f"conflict, left as it is: {path}" for path in edited)
