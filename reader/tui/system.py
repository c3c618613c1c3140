"""What the app asks of the system: a browser for links, $EDITOR for notes, a clipboard."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import webbrowser
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
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


# How long a clipboard tool may take (s). They answer at once, or hang on a display
# that went away; the copy then goes to the terminal instead.
CLIPBOARD_TIMEOUT = 2.0


@dataclass(frozen=True, slots=True)
class ClipboardTool:
    """A command that takes text on its standard input and puts it on a clipboard."""

    # What the user is told: "the system clipboard (xclip)".
    name: str
    command: tuple[str, ...]
    encoding: str = "utf-8"
    # False for tmux's paste buffer: the terminal's own clipboard is asked as well.
    system: bool = True


@dataclass(frozen=True, slots=True)
class CopyOutcome:
    """Where a copy went: a tool (None: only the terminal, by OSC 52), and which
    tools were tried and failed, and why."""

    tool: ClipboardTool | None
    failures: tuple[str, ...] = ()

    @property
    def needs_terminal(self) -> bool:
        """Whether the terminal should be asked too (OSC 52)."""
        return self.tool is None or not self.tool.system

    def where(self) -> str:
        """Where the text went, for the toast: "to the system clipboard (wl-copy)"."""
        if self.tool is None:
            where = (
                "to the terminal's clipboard (OSC 52): no clipboard tool here, and some "
                "terminals (tmux by default) ignore OSC 52"
            )
        elif self.tool.system:
            where = f"to the system clipboard ({self.tool.name})"
        else:
            where = f"to {self.tool.name} and to the terminal (OSC 52)"
        if self.failures:
            where += f"; {'; '.join(self.failures)}"
        return where


def clipboard_tools(
    env: Mapping[str, str] | None = None, platform: str = sys.platform
) -> list[ClipboardTool]:
    """The clipboard tools that can work here, best first: wl-copy under Wayland,
    xclip or xsel under X, pbcopy on macOS, clip.exe under Windows (WSL), and tmux's
    paste buffer inside tmux. Found on ``env``'s PATH; none when there is no display."""
    env = os.environ if env is None else env
    search = env.get("PATH", os.defpath)

    def found(name: str) -> str | None:
        return shutil.which(name, path=search)

    candidates: list[tuple[bool, str, Sequence[str], str, bool]] = [
        (bool(env.get("WAYLAND_DISPLAY")), "wl-copy", ("--type", "text/plain"), "utf-8", True),
        (bool(env.get("DISPLAY")), "xclip", ("-selection", "clipboard", "-in"), "utf-8", True),
        (bool(env.get("DISPLAY")), "xsel", ("--clipboard", "--input"), "utf-8", True),
        (platform == "darwin", "pbcopy", (), "utf-8", True),
        # clip.exe reads UTF-16 with its byte-order mark as Unicode, else the code page.
        (True, "clip.exe", (), "utf-16", True),
        (bool(env.get("TMUX")), "tmux", ("load-buffer", "-"), "utf-8", False),
    ]
    tools = []
    for usable, name, arguments, encoding, system in candidates:
        path = found(name) if usable else None
        if path is not None:
            label = name if system else "tmux's paste buffer"
            tools.append(ClipboardTool(label, (path, *arguments), encoding, system))
    return tools


def copy_to_system(
    text: str,
    tools: Sequence[ClipboardTool] | None = None,
    *,
    timeout: float = CLIPBOARD_TIMEOUT,
) -> CopyOutcome:
    """Put ``text`` on the first clipboard tool that takes it (on its standard input,
    never its command line, where other users could read it); a tool that fails or
    takes longer than ``timeout`` seconds gives way to the next. Blocks: run it off
    the UI thread."""
    failures: list[str] = []
    for tool in clipboard_tools() if tools is None else tools:
        data = text.encode(tool.encoding, errors="replace")  # a lone surrogate
        env = {**os.environ, "LC_CTYPE": "UTF-8"} if tool.name == "pbcopy" else None
        try:
            # No pipes to read back: xclip and wl-copy stay behind to serve the
            # selection, holding any pipe open, and run() would wait on it.
            result = subprocess.run(
                tool.command,
                input=data,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=timeout,
                check=False,
                env=env,
            )
        except subprocess.TimeoutExpired:
            failures.append(f"{tool.name} did not answer in {timeout:g} s")
            continue
        except OSError as error:
            failures.append(f"{tool.name} could not run: {error.strerror or error}")
            continue
        if result.returncode != 0:
            failures.append(f"{tool.name} failed (status {result.returncode})")
            continue
        return CopyOutcome(tool, tuple(failures))
    return CopyOutcome(None, tuple(failures))
