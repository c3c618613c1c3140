"""What the app asks of the system: a browser and $EDITOR (issue 14, items 13 and 25)."""

from __future__ import annotations

import os
import sys
import webbrowser
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from textual.app import SuspendNotSupported

from reader.tui import system


class FakeApp:
    """What the system helpers use of the app: ``suspend``, recorded."""

    def __init__(self, *, can_suspend: bool = True) -> None:
        self.can_suspend = can_suspend
        self.suspended = 0

    @contextmanager
    def suspend(self) -> Iterator[None]:
        if not self.can_suspend:
            raise SuspendNotSupported("not a real terminal")
        self.suspended += 1
        yield


class Recording(webbrowser.GenericBrowser):
    """A browser that runs in the terminal (as w3m or lynx do), recording its URLs."""

    def __init__(self) -> None:
        super().__init__("recording")
        self.opened: list[str] = []
        self.suspended_while_open: list[bool] = []
        self.app: FakeApp | None = None

    def open(self, url: str, new: int = 0, autoraise: bool = True) -> bool:
        self.opened.append(url)
        self.suspended_while_open.append(bool(self.app and self.app.suspended))
        return True


class Graphical(webbrowser.BackgroundBrowser):
    def __init__(self) -> None:
        super().__init__("graphical")
        self.opened: list[str] = []

    def open(self, url: str, new: int = 0, autoraise: bool = True) -> bool:
        self.opened.append(url)
        return True


URL = "https://arxiv.org/abs/2409.11074"


def test_a_terminal_browser_runs_with_the_app_stepped_aside(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """w3m found on PATH ran inside the app's screen and froze it for 8 s."""
    browser, app = Recording(), FakeApp()
    browser.app = app
    monkeypatch.setattr(webbrowser, "get", lambda using=None: browser)
    assert system.open_in_browser(app, URL)  # type: ignore[arg-type]
    assert browser.opened == [URL] and browser.suspended_while_open == [True]


def test_a_terminal_browser_is_not_started_where_the_app_cannot_step_aside(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    browser = Recording()
    monkeypatch.setattr(webbrowser, "get", lambda using=None: browser)
    assert not system.open_in_browser(FakeApp(can_suspend=False), URL)  # type: ignore[arg-type]
    assert browser.opened == []


def test_a_graphical_browser_starts_without_the_app_stepping_aside(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    browser, app = Graphical(), FakeApp()
    monkeypatch.setattr(webbrowser, "get", lambda using=None: browser)
    assert system.open_in_browser(app, URL)  # type: ignore[arg-type]
    assert browser.opened == [URL] and app.suspended == 0


@pytest.mark.parametrize("url", ["ssh://host/x", "https://-x", "file:///etc/passwd"])
def test_only_web_urls_reach_a_browser(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    browser = Graphical()
    monkeypatch.setattr(webbrowser, "get", lambda using=None: browser)
    assert not system.open_in_browser(FakeApp(), url)  # type: ignore[arg-type]
    assert browser.opened == []


def test_the_note_handed_to_the_editor_is_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The temporary note was 0644 (readable by anyone who could enter its folder)."""
    seen = tmp_path / "seen"
    editor = tmp_path / "editor.py"
    editor.write_text(
        "import os, sys\n"
        f"open({str(seen)!r}, 'w').write(oct(os.stat(sys.argv[1]).st_mode & 0o777))\n"
        "open(sys.argv[1], 'a').write('more')\n"
    )
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")
    monkeypatch.delenv("VISUAL", raising=False)
    old = os.umask(0o022)
    try:
        edited = system.edit_in_editor(FakeApp(can_suspend=False), "A title", "a note")  # type: ignore[arg-type]
    finally:
        os.umask(old)
    assert edited == "a notemore"
    assert seen.read_text() == "0o600"
