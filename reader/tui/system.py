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


def open_in_browser(url: str) -> bool:
    """Open an http(s) ``url`` in the browser; False when none can be opened here."""
    if safe_url(url) is None:
        return False
    try:
        return webbrowser.open(url, new=2)
    except webbrowser.Error:
        return False


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
        path.write_text(header + text, encoding="utf-8")
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
