"""Note drafts: what is typed in the editor is written down every few seconds and on
every change of focus, so a killed process loses at most those seconds; the next
time the note is opened, the draft is offered."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Label, TextArea

from reader.models import Paper
from reader.store import Library, open_library
from reader.tui.app import ReaderApp
from reader.tui.dialogs import note_editor
from reader.tui.dialogs.note_editor import ConfirmDiscard, NoteEditor
from reader.tui.screens.library import LibraryScreen
from tests.support.pilot import paper_list, settle, type_keys

# -- the store ------------------------------------------------------------------


def test_a_draft_is_kept_per_user_and_paper_until_dropped(library: Library) -> None:
    first, second = (paper.id for paper in library.papers()[:2])
    assert first is not None and second is not None
    assert library.draft("ana", first) is None
    library.save_draft("ana", first, "half a thought", "")
    library.save_draft("ana", first, "half a thought, and more", "")
    library.save_draft("ben", first, "ben's", "")
    library.save_draft("ana", second, "other", "old note")
    draft = library.draft("ana", first)
    assert draft is not None
    assert (draft.paper_id, draft.text, draft.base) == (first, "half a thought, and more", "")
    assert {d.paper_id for d in library.drafts("ana")} == {first, second}
    assert [d.text for d in library.drafts("ben")] == ["ben's"]
    library.discard_draft("ana", second)
    assert library.draft("ana", second) is None
    assert library.draft("ben", first) is not None


def test_a_draft_is_dropped_only_while_it_holds_the_text_asked(library: Library) -> None:
    paper_id = library.papers()[0].id
    assert paper_id is not None
    library.save_draft("ana", paper_id, "window B's text", "")
    # Window A drops the draft it wrote; B has written its own since: it stays.
    library.discard_draft("ana", paper_id, "window A's text")
    assert library.draft("ana", paper_id) is not None
    library.discard_draft("ana", paper_id, "window B's text")
    assert library.draft("ana", paper_id) is None


def test_only_drafts_that_differ_from_their_note_are_mentioned(library: Library) -> None:
    first, second = (paper.id for paper in library.papers()[:2])
    assert first is not None and second is not None
    library.save_draft("ana", first, "typed", "")
    library.save_draft("ana", second, "saved since", "")
    # Killed between saving the note and dropping its draft: nothing to offer.
    library.set_note("ana", second, "saved since", expected="")
    assert [draft.paper_id for draft in library.drafts("ana")] == [first]


def test_another_windows_save_leaves_this_windows_draft(library: Library) -> None:
    paper_id = library.papers()[0].id
    assert paper_id is not None
    library.save_draft("ana", paper_id, "typed in window A", "")
    library.set_note("ana", paper_id, "saved in window B", expected="")
    draft = library.draft("ana", paper_id)
    assert draft is not None and draft.text == "typed in window A"


def test_a_draft_write_waits_only_a_moment_for_another_writer(db_path: Path) -> None:
    import sqlite3

    from reader.store import LibraryBusy

    library = open_library(db_path)
    library.import_papers([Paper("A", "2401.00001")])
    (paper,) = library.papers()
    assert paper.id is not None
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # a long import in another process
    try:
        began = time.monotonic()
        with pytest.raises(LibraryBusy):
            library.save_draft("ana", paper.id, "typed", "")
        # It gave up long before another write would have (10 s): a bound no load reaches.
        assert time.monotonic() - began < 5.0
    finally:
        other.execute("ROLLBACK")
        other.close()
    # Other writes still wait the full time, and the draft goes in once it can.
    library.save_draft("ana", paper.id, "typed", "")
    assert library.draft("ana", paper.id) is not None
    assert library.db.execute("PRAGMA busy_timeout").fetchone()[0] == 10_000
    library.close()


def test_a_refused_save_keeps_the_draft(library: Library) -> None:
    from reader.store import NoteConflict

    paper_id = library.papers()[0].id
    assert paper_id is not None
    library.set_note("ana", paper_id, "theirs")
    library.save_draft("ana", paper_id, "mine", "")
    with pytest.raises(NoteConflict):
        library.set_note("ana", paper_id, "mine", expected="")
    draft = library.draft("ana", paper_id)
    assert draft is not None and draft.text == "mine"


def test_a_paper_removed_takes_its_drafts_with_it(library: Library) -> None:
    paper_id = library.papers()[0].id
    assert paper_id is not None
    library.save_draft("ana", paper_id, "typed", "")
    with library.transaction():
        library.db.execute("DELETE FROM papers WHERE id = ?", (paper_id,))
    assert library.drafts("ana") == []


# -- the editor -------------------------------------------------------------------


@pytest.fixture
def quick_drafts(monkeypatch: pytest.MonkeyPatch) -> float:
    """Drafts written down every 0.05 s instead of every few seconds."""
    monkeypatch.setattr(note_editor, "DRAFT_INTERVAL", 0.05)
    return 0.05


@asynccontextmanager
async def editing(library: Library) -> AsyncIterator[tuple[ReaderApp, Pilot[None], int]]:
    """The app on ``library``, with the note editor open on the first paper."""
    app = ReaderApp(library, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        paper_id = paper_list(app).highlighted
        assert paper_id is not None
        await open_editor(pilot)
        yield app, pilot, paper_id


async def open_editor(pilot: Pilot[None]) -> NoteEditor:
    await pilot.press("n")
    await pilot.pause()
    editor = pilot.app.screen
    assert isinstance(editor, NoteEditor)
    return editor


async def test_typing_is_written_down_every_few_seconds(
    library: Library, quick_drafts: float
) -> None:
    async with editing(library) as (app, pilot, paper_id):
        editor = app.screen
        await type_keys(pilot, *"first words")
        await pilot.pause(quick_drafts * 4)
        draft = library.draft("ana", paper_id)
        assert draft is not None and (draft.text, draft.base) == ("first words", "")
        await type_keys(pilot, *" and more")
        await pilot.pause(quick_drafts * 4)
        draft = library.draft("ana", paper_id)
        assert draft is not None and draft.text == "first words and more"
        assert isinstance(editor, NoteEditor)
        # Nothing is saved as the note until ctrl+s.
        assert library.annotation("ana", paper_id).note == ""
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert library.annotation("ana", paper_id).note == "first words and more"
        assert library.draft("ana", paper_id) is None


async def test_losing_the_focus_writes_the_draft_at_once(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An interval no test outlasts, however busy the machine: only the focus change
    # can write the draft.
    monkeypatch.setattr(note_editor, "DRAFT_INTERVAL", 3600.0)
    async with editing(library) as (app, pilot, paper_id):
        await type_keys(pilot, *"typed")
        assert library.draft("ana", paper_id) is None
        # The terminal loses the focus (the user switches windows).
        app.app_focus = False
        await pilot.pause()
        draft = library.draft("ana", paper_id)
        assert draft is not None and draft.text == "typed"
        app.app_focus = True
        await type_keys(pilot, *" more")
        # Esc: the question takes the focus from the text.
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDiscard)
        draft = library.draft("ana", paper_id)
        assert draft is not None and draft.text == "typed more"


async def test_discarding_the_text_drops_its_draft(library: Library, quick_drafts: float) -> None:
    async with editing(library) as (app, pilot, paper_id):
        await type_keys(pilot, *"not wanted")
        await pilot.pause(quick_drafts * 4)
        assert library.draft("ana", paper_id) is not None
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        assert library.draft("ana", paper_id) is None


async def test_quitting_and_discarding_drops_the_draft(
    library: Library, quick_drafts: float
) -> None:
    async with editing(library) as (_, pilot, paper_id):
        await type_keys(pilot, *"not wanted")
        await pilot.pause(quick_drafts * 4)
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
    assert library.draft("ana", paper_id) is None


async def test_quitting_with_the_text_typed_back_leaves_no_draft(
    library: Library, quick_drafts: float
) -> None:
    async with editing(library) as (app, pilot, paper_id):
        await type_keys(pilot, *"abc")
        await pilot.pause(quick_drafts * 4)
        assert library.draft("ana", paper_id) is not None
        # Deleted again, then quit at once (before the next tick): no question, no draft.
        editor = app.screen
        assert isinstance(editor, NoteEditor)
        editor.query_one(TextArea).clear()
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert library.draft("ana", paper_id) is None


async def test_typing_back_to_the_note_drops_the_draft(
    library: Library, quick_drafts: float
) -> None:
    async with editing(library) as (_, pilot, paper_id):
        await pilot.press("x")
        await pilot.pause(quick_drafts * 4)
        assert library.draft("ana", paper_id) is not None
        await pilot.press("backspace")
        await pilot.pause(quick_drafts * 4)
        assert library.draft("ana", paper_id) is None


async def test_reopening_offers_the_draft_and_ctrl_s_saves_it(library: Library) -> None:
    paper_id = library.papers()[0].id
    assert paper_id is not None
    library.set_note("ana", paper_id, "the saved note")
    library.save_draft("ana", paper_id, "the saved note, and what came after", "the saved note")
    app = ReaderApp(library, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        # Said at start, naming the paper.
        assert any("Press n on the paper" in n.message for n in app._notifications)
        assert paper_list(app).move_to(paper_id)
        await pilot.pause()
        editor = await open_editor(pilot)
        assert editor.query_one(TextArea).text == "the saved note, and what came after"
        recovered = str(editor.query_one("#note-recovered", Label).render())
        assert "unsaved text you were writing" in recovered
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
    assert library.annotation("ana", paper_id).note == "the saved note, and what came after"
    assert library.draft("ana", paper_id) is None


async def test_a_draft_over_a_note_changed_since_does_not_overwrite_it(
    library: Library,
) -> None:
    paper_id = library.papers()[0].id
    assert paper_id is not None
    library.save_draft("ana", paper_id, "my draft", "")
    library.set_note("ana", paper_id, "written in the other window")
    app = ReaderApp(library, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert paper_list(app).move_to(paper_id)
        await pilot.pause()
        editor = await open_editor(pilot)
        assert editor.query_one(TextArea).text == "my draft"
        await pilot.press("ctrl+s")
        await pilot.pause()
        # Refused with a warning; the other note stands, the draft too.
        assert isinstance(app.screen, NoteEditor)
        assert library.annotation("ana", paper_id).note == "written in the other window"
        assert library.draft("ana", paper_id) is not None


async def test_no_draft_no_mention(library: Library) -> None:
    app = ReaderApp(library, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert not any("unsaved" in (n.title or "").lower() for n in app._notifications)
        editor = await open_editor(pilot)
        assert not editor.query("#note-recovered")


# -- killed mid-edit ----------------------------------------------------------------

# The most typing (in seconds) a kill may lose: "the last few seconds".
MOST_LOST = 3.0

# Types one letter every 50 ms into the note of the first paper in the list and
# says on stdout how much it has typed, until it is killed.
_TYPIST = textwrap.dedent(
    """
    import asyncio, sys, time
    from reader.store import open_library
    from reader.tui.app import ReaderApp
    from reader.tui.widgets.paper_list import PaperList

    async def main():
        library = open_library(sys.argv[1])
        app = ReaderApp(library, "ana")
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            print("paper", app.screen.query_one(PaperList).highlighted, flush=True)
            await pilot.press("n")
            await pilot.pause()
            for n in range(100_000):
                await pilot.press("abcdefghij"[n % 10])
                print("typed", n + 1, time.monotonic(), flush=True)
                await asyncio.sleep(0.05)

    asyncio.run(main())
    """
)


def test_a_note_being_typed_survives_sigkill_but_for_the_last_seconds(
    db_path: Path, library: Library
) -> None:
    library.close()
    proc = subprocess.Popen(
        [sys.executable, "-c", _TYPIST, str(db_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    paper_id = None
    typed: list[tuple[int, float]] = []
    try:
        for line in proc.stdout:
            word, *rest = line.split()
            if word == "paper":
                paper_id = int(rest[0])
            else:
                typed.append((int(rest[0]), float(rest[1])))
            # Killed mid-word, a few seconds in.
            if typed and typed[-1][1] - typed[0][1] > 6.3:
                break
    finally:
        proc.send_signal(signal.SIGKILL)
        _, errors = proc.communicate()
    assert paper_id is not None and typed, errors
    killed_at = time.monotonic()
    library = open_library(db_path)
    try:
        draft = library.draft("ana", paper_id)
        assert draft is not None
        assert library.annotation("ana", paper_id).note == ""  # never saved as the note
        everything = "".join("abcdefghij"[n % 10] for n in range(typed[-1][0] + 50))
        kept = len(draft.text)
        assert kept > 0 and everything.startswith(draft.text)
        # What was lost was typed in the last few seconds: the letter after the
        # kept text was typed at most that long before the kill.
        next_typed = {n: t for n, t in typed}.get(kept + 1, killed_at)
        assert killed_at - next_typed <= MOST_LOST
    finally:
        library.close()


# -- saved marks survive SIGKILL at any moment --------------------------------------

# Writes stars, notes and tags in a loop, one transaction each, and says on stdout
# each one once it is committed.
_WRITER = textwrap.dedent(
    """
    import sys
    from reader.store import open_library

    library = open_library(sys.argv[1])
    ids = sorted(paper.id for paper in library.papers())
    for n in range(1_000_000):
        paper_id = ids[n % len(ids)]
        if n % 3 == 0:
            library.set_starred("ana", paper_id, n % 2 == 0)
        elif n % 3 == 1:
            library.set_note("ana", paper_id, f"note {n}")
        else:
            library.change_tags("ana", [paper_id], add=[f"tag{n}"], remove=[])
        print(n, flush=True)
    """
)


def _replay(ids: list[int], writes: int) -> dict[int, tuple[bool, str, frozenset[str]]]:
    """Each paper's star, note and tags after the writer's first ``writes`` writes."""
    state = {paper_id: (False, "", frozenset[str]()) for paper_id in ids}
    for n in range(writes):
        paper_id = ids[n % len(ids)]
        starred, note, tags = state[paper_id]
        if n % 3 == 0:
            starred = n % 2 == 0
        elif n % 3 == 1:
            note = f"note {n}"
        else:
            tags = tags | {f"tag{n}"}
        state[paper_id] = (starred, note, tags)
    return state


def test_saved_stars_notes_and_tags_survive_sigkill_at_any_moment(
    db_path: Path, library: Library
) -> None:
    ids = sorted(paper.id for paper in library.papers() if paper.id is not None)
    library.close()
    rng = random.Random(11)
    for _ in range(5):
        proc = subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(db_path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None
        # Once it writes (however long a loaded machine takes to start it), kill it
        # at a random moment of its writing.
        first = proc.stdout.readline()
        time.sleep(rng.uniform(0.0, 0.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        # Through the same buffered reader as the first line (communicate() would
        # skip what it has read ahead).
        out, errors = first + proc.stdout.read(), proc.stderr.read() if proc.stderr else ""
        proc.stdout.close()
        if proc.stderr:
            proc.stderr.close()
        # Every write said to be done, and perhaps the one under way when killed.
        said = len(out.split())
        assert said > 0, errors
        library = open_library(db_path)
        try:
            assert library.db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            marks = library.annotations("ana")
            found = {
                paper_id: (
                    marks[paper_id].starred if paper_id in marks else False,
                    marks[paper_id].note if paper_id in marks else "",
                    frozenset(marks[paper_id].tags) if paper_id in marks else frozenset(),
                )
                for paper_id in ids
            }
            assert found in (_replay(ids, said), _replay(ids, said + 1))
        finally:
            library.close()
        # The next run starts from this state: clear it, so the replay holds.
        library = open_library(db_path)
        with library.transaction():
            library.db.execute("DELETE FROM annotations")
        library.close()


async def test_the_outside_editor_takes_up_the_draft_and_saving_drops_it(
    library: Library, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    script = tmp_path / "editor.py"
    script.write_text(
        "import sys\nopen(sys.argv[1], 'a').write(' and finished in my editor')\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("VISUAL", f"{sys.executable} {script}")
    paper_id = library.papers()[0].id
    assert paper_id is not None
    library.save_draft("ana", paper_id, "begun in the app", "")
    app = ReaderApp(library, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert paper_list(app).move_to(paper_id)
        await pilot.press("E")
        await pilot.pause()
    assert library.annotation("ana", paper_id).note == "begun in the app and finished in my editor"
    assert library.draft("ana", paper_id) is None


async def test_an_outside_editor_left_unchanged_keeps_the_draft(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VISUAL", "true")  # saves nothing: the text comes back as it went
    paper_id = library.papers()[0].id
    assert paper_id is not None
    library.save_draft("ana", paper_id, "begun in the app", "")
    app = ReaderApp(library, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert paper_list(app).move_to(paper_id)
        await pilot.press("E")
        await pilot.pause()
    assert library.annotation("ana", paper_id).note == ""
    draft = library.draft("ana", paper_id)
    assert draft is not None and draft.text == "begun in the app"
