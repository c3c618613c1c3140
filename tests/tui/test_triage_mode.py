"""Triage mode through Pilot: T over the list, one key a paper, undo, the summary."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from reader.config import Config
from reader.store import Library
from reader.tui.app import ReaderApp
from reader.tui.screens.triage_mode import Tally, TriageScreen, summary
from tests.support.pilot import settle, shown_ids, type_keys, wait_until
from tests.support.store import write_lock


def on_show(app: ReaderApp) -> str:
    return str(app.screen.query_one("#triage-title", Static).render())


def test_the_summary_counts_and_times() -> None:
    tally = Tally(began=100.0, starred=3, dismissed=5, skipped=4)
    assert summary(tally, 20, 100.0 + 90) == (
        "Triaged 12 of 20 papers in 1:30: 3 starred, 5 not interested, 4 skipped "
        "(8 papers a minute)."
    )


async def test_triage_mode_decides_one_key_a_paper(library: Library) -> None:
    library.set_starred_many("bo", library.order(), True)  # a lab mate's picks
    app = ReaderApp(library, "ana", config=Config(read_delay=0))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await type_keys(pilot, "slash", *"restoration", "enter")
        await wait_until(pilot, lambda: 3 <= len(shown_ids(app)) < 39, "a short list")
        await settle(pilot)
        listed = shown_ids(app)
        titles = [p.title for p in library.papers_by_id(listed)]
        await type_keys(pilot, "T")
        await wait_until(pilot, lambda: isinstance(app.screen, TriageScreen), "triage mode")
        screen = app.screen
        assert isinstance(screen, TriageScreen)
        assert on_show(app) == titles[0]
        assert f"1 of {len(listed)}" in (screen.sub_title or "")
        meta = str(screen.query_one("#triage-meta", Static).render())
        assert "Starred by your lab: bo" in meta
        # s stars and moves on; d marks not interested and moves on; space skips.
        await type_keys(pilot, "s", "d", "space")
        await settle(pilot)
        assert library.annotation("ana", listed[0]).starred
        assert library.annotation("ana", listed[1]).is_dismissed
        assert not library.annotation("ana", listed[2]).marks_anything
        # z: the last change undone (the skip had none), back on its paper.
        await type_keys(pilot, "z")
        await settle(pilot)
        assert on_show(app) == titles[2]
        await type_keys(pilot, "z")
        await settle(pilot)
        assert on_show(app) == titles[1]
        assert not library.annotation("ana", listed[1]).is_dismissed
        # Esc: the summary; Esc again: the list, its papers as decided.
        await type_keys(pilot, "d", "escape")
        await settle(pilot)
        said = str(app.screen.query_one("#triage-summary", Static).render())
        assert said.startswith(f"Triaged 2 of {len(listed)} papers in 0:")
        assert "1 starred, 1 not interested, 0 skipped" in said
        await type_keys(pilot, "escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, TriageScreen), "the list")
        assert listed[1] not in shown_ids(app)  # not interested: out of the list
        # The decisions that stand are logged, with the seconds each paper was on
        # show; those undone are not.
        logged = library.db.execute(
            "SELECT paper_id, action, seconds FROM decisions WHERE user = 'ana' ORDER BY rowid"
        ).fetchall()
        assert [row[:2] for row in logged] == [(listed[0], "star"), (listed[1], "dismiss")]
        assert all(seconds >= 0 for *_, seconds in logged)
        # Nothing turned read by being shown.
        assert not any(library.annotation("ana", i).is_read for i in listed)


async def test_undo_in_triage_mode_takes_back_a_tag_first(library: Library) -> None:
    app = ReaderApp(library, "ana", config=Config(read_delay=0))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        listed = shown_ids(app)
        await type_keys(pilot, "T")
        await wait_until(pilot, lambda: isinstance(app.screen, TriageScreen), "triage mode")
        await type_keys(pilot, "s")
        await settle(pilot)
        await type_keys(pilot, "t")
        await wait_until(pilot, lambda: not isinstance(app.screen, TriageScreen), "the tag editor")
        await type_keys(pilot, *"later", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, TriageScreen), "back in triage")
        await settle(pilot)
        assert library.annotation("ana", listed[1]).tags == ("later",)
        # z: the tag goes, the paper stays on show; z again: the star, and back.
        await type_keys(pilot, "z")
        await settle(pilot)
        assert library.annotation("ana", listed[1]).tags == ()
        assert on_show(app) == library.papers_by_id([listed[1]])[0].title
        await type_keys(pilot, "z")
        await settle(pilot)
        assert not library.annotation("ana", listed[0]).starred
        assert on_show(app) == library.papers_by_id([listed[0]])[0].title


async def test_s_on_a_starred_paper_keeps_its_star(library: Library) -> None:
    first = library.order()[0]
    library.set_starred_many("ana", [first], True)
    app = ReaderApp(library, "ana", config=Config(read_delay=0))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await type_keys(pilot, "T")
        await wait_until(pilot, lambda: isinstance(app.screen, TriageScreen), "triage mode")
        await type_keys(pilot, "s")
        await settle(pilot)
        assert library.annotation("ana", first).starred
        screen = app.screen
        assert isinstance(screen, TriageScreen) and screen.tally.starred == 1
        # z goes back to it, and it stays starred: there was nothing to undo.
        await type_keys(pilot, "z")
        await settle(pilot)
        assert library.annotation("ana", first).starred and screen.tally.starred == 0


async def test_triage_keys_never_wait_for_a_busy_library(library: Library, db_path: Path) -> None:
    """Another process's write holds the lock (a cron fetch): each decision goes to the
    queue of writes and the next paper shows at once; the log lands once it is free."""
    app = ReaderApp(library, "ana", config=Config(read_delay=0))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        listed = shown_ids(app)
        titles = [p.title for p in library.papers_by_id(listed[:3])]
        await type_keys(pilot, "T")
        await wait_until(pilot, lambda: isinstance(app.screen, TriageScreen), "triage mode")
        with write_lock(db_path):
            await type_keys(pilot, "space", "space")
            await settle(pilot)
            assert on_show(app) == titles[2]
            screen = app.screen
            assert isinstance(screen, TriageScreen)
            assert screen._library._writes.labels() == ["Triage decision"] * 2
        await wait_until(
            pilot,
            lambda: library.decisions("ana") and len(library.decisions("ana")) == 2,
            "the decisions written",
        )
