"""The app's fetch (f) and export (x) as Textual workers, over the one fetch path:
the same de-duplication as `reader fetch`, failures as one line, rendering off
the UI thread, and a quit that never waits out a slow server."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Label

from reader.fetching import Network
from reader.store import Library
from reader.tui.app import ReaderApp
from reader.tui.dialogs.export_dialog import ExportDialog
from reader.tui.screens.library import LibraryScreen


async def until(pilot: Pilot[None], condition: Callable[[], object], what: str) -> None:
    """Wait, a frame at a time, until ``condition`` holds."""
    for _ in range(1000):
        if condition():
            return
        await pilot.pause(0.01)
    raise AssertionError(f"waited in vain for {what}")


def toasts(app: ReaderApp) -> list[tuple[str | None, str]]:
    return [(n.title, n.message) for n in app._notifications]


def fetch_done(app: ReaderApp) -> Callable[[], bool]:
    return lambda: isinstance(app.screen, LibraryScreen) and not app.screen._fetching


async def test_f_counts_a_paper_listed_under_two_forms_of_its_id_once(library: Library) -> None:
    """As `reader fetch hf` does: f imported both records and said "2 papers: 1 added,
    1 updated"."""
    daily = [
        {"paper": {"id": "2501.00663", "title": "Titans", "upvotes": 3}},
        {"paper": {"id": "2501.00663v2", "title": "Titans: Learning to Memorize", "upvotes": 5}},
    ]
    network = Network(httpx.MockTransport(lambda request: httpx.Response(200, json=daily)))
    app = ReaderApp(library, "ana", network=network)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("f")
        await until(
            pilot, lambda: any(t == "Hugging Face Daily Papers" for t, _ in toasts(app)), "f"
        )
        (said,) = [m for t, m in toasts(app) if t == "Hugging Face Daily Papers"]
        assert said == "1 paper: 1 added, 0 updated, 0 unchanged"
    assert [(p.title, p.upvotes) for p in library.papers() if p.arxiv_id == "2501.00663"] == [
        ("Titans: Learning to Memorize", 5)
    ]


async def test_a_bug_in_the_fetch_is_a_one_line_toast_and_the_app_goes_on(
    library: Library,
) -> None:
    def broken(request: httpx.Request) -> httpx.Response:
        raise RuntimeError("broken on purpose")

    app = ReaderApp(library, "ana", network=Network(httpx.MockTransport(broken)))
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("f")
        await until(pilot, fetch_done(app), "the fetch to end")
        assert ("Fetch failed", "RuntimeError: broken on purpose") in toasts(app)
        assert app.is_running
        await pilot.press("f")  # not stuck "Already fetching"
        await until(pilot, lambda: len(toasts(app)) == 2, "the second fetch")
        assert toasts(app)[-1] == ("Fetch failed", "RuntimeError: broken on purpose")


async def export_to(pilot: Pilot[None], app: ReaderApp, target: Path) -> ExportDialog:
    await pilot.press("x")
    await until(pilot, lambda: isinstance(app.screen, ExportDialog), "the dialog")
    dialog = app.screen
    assert isinstance(dialog, ExportDialog)
    dialog.query_one("#path", Input).value = str(target)
    await pilot.press("enter")
    return dialog


async def test_the_export_is_rendered_off_the_ui_thread(
    library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import reader.export.run

    threads: list[threading.Thread] = []
    real = reader.export.run.render

    def watched(*args: object, **kwargs: object) -> str:
        threads.append(threading.current_thread())
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(reader.export.run, "render", watched)
    app = ReaderApp(library, "ana")
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.pause()
        await export_to(pilot, app, tmp_path / "notes.md")
        # The dialog closes before the worker's toast comes: wait for the toast.
        await until(pilot, lambda: isinstance(app.screen, LibraryScreen), "the export")
        await until(pilot, lambda: any(t == "Exported" for t, _ in toasts(app)), "its toast")
        said = [toast for toast in toasts(app) if toast[0] == "Exported"]
        assert said == [("Exported", f"Wrote 39 papers to {tmp_path / 'notes.md'}")]
    assert len(threads) == 1 and threads[0] is not threading.main_thread()
    assert (tmp_path / "notes.md").read_text(encoding="utf-8").startswith("#")


async def test_a_bug_in_the_export_is_one_line_in_the_dialog(
    library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import reader.export.run

    def broken(*args: object, **kwargs: object) -> str:
        raise RuntimeError("broken on purpose")

    monkeypatch.setattr(reader.export.run, "render", broken)
    app = ReaderApp(library, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        dialog = await export_to(pilot, app, tmp_path / "notes.md")
        error = dialog.query_one("#export-error", Label)
        await until(pilot, lambda: error.has_class("-shown"), "the error line")
        assert str(error.render()) == "The export failed: RuntimeError: broken on purpose"
        assert app.screen is dialog and app.is_running
    assert not (tmp_path / "notes.md").exists()


# -- quitting during a fetch, as a real process ------------------------------------------
