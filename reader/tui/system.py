"""What the app asks of the system: a browser for links, $EDITOR for notes."""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
import webbrowser
from pathlib import Path

from textual.app import App, SuspendNotSupported

from reader.text import one_line, safe_url


class EditorError(Exception):
    """The editor could not be run; the message is for the user."""


def open_in_browser(app: App[object], url: str) -> bool:
    """Open an http(s) ``url`` in the browser; False when none can be opened here.

    A graphical browser starts in the background. A browser that runs in the
    terminal (w3m or lynx, found when there is no display, or a ``$BROWSER``
    command) needs the terminal the app is drawn on: the app steps aside while it
    runs, as for ``$EDITOR``, and comes back when it quits. Where the app cannot step
    aside (no real terminal), such a browser is not started.
    """
    if safe_url(url) != url:
        return False
    try:
        browser = webbrowser.get()
    except webbrowser.Error:
        return False
    try:
        if not _runs_in_terminal(browser):
            return browser.open(url, new=2)
        with app.suspend():
            return browser.open(url, new=2)
    except SuspendNotSupported:
        return False
    except (webbrowser.Error, OSError):
        return False


def _runs_in_terminal(browser: webbrowser.BaseBrowser) -> bool:
    """Whether ``browser`` runs in the foreground, taking the terminal until it exits.

    The standard library registers text browsers (w3m, lynx, links) and ``$BROWSER``
    commands as a plain ``GenericBrowser``, which waits for its command, and elinks
    as a ``UnixBrowser`` that does not go to the background; ``xdg-open`` and the
    graphical browsers start in the background.
    """
    if isinstance(browser, webbrowser.BackgroundBrowser):
        return False
    if isinstance(browser, webbrowser.GenericBrowser):
        return True
    return isinstance(browser, webbrowser.UnixBrowser) and not browser.background


def editor_command() -> list[str]:
    """$VISUAL, else $EDITOR, else vi: the command, split as a shell would."""
    command = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    try:
        return shlex.split(command)
    except ValueError as error:
        raise EditorError(f"cannot read $EDITOR ({command!r}): {error}") from None


def edit_in_editor(app: App[object], title: str, text: str) -> str | None:
    """``text`` as the user left it in their editor, or None if the editor failed.

    The note goes to a private temporary Markdown file (the title as a comment line
    the user may delete), the app is suspended while the editor runs, and the file
    is read back and removed.
    """
    command = editor_command()
    header = f"<!-- Note on: {one_line(title)} (this line is dropped) -->\n"
    with tempfile.TemporaryDirectory(prefix="reader-note-") as folder:
        path = Path(folder) / "note.md"
        # The note is private, as the library is: 0600 whatever the umask.
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(header + text)
        try:
            with app.suspend():
                status = subprocess.run([*command, str(path)], check=False).returncode
        except SuspendNotSupported:
            # Not a real terminal (tests, a web driver): run it without stepping aside.
            status = _run_quietly([*command, str(path)])
        except OSError as error:
            raise EditorError(f"cannot run {command[0]!r}: {error.strerror}") from None
        if status != 0:
            raise EditorError(f"{command[0]} exited with status {status}; note not changed")
        edited = path.read_text(encoding="utf-8")
    return edited.removeprefix(header)


def _run_quietly(command: list[str]) -> int:
    try:
        return subprocess.run(
            command, check=False, stdin=subprocess.DEVNULL, capture_output=True
        ).returncode
    except OSError as error:
        raise EditorError(f"cannot run {command[0]!r}: {error.strerror}") from None
