"""Copying with y and Y (issue 15, item 14): through the system's clipboard tool where
there is one, else the terminal (OSC 52), and the toast says which.

The tools are fakes: small scripts on PATH that write what they read to a file.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from textual.pilot import Pilot

from reader.config import Config
from reader.models import Paper
from reader.store import Library
from reader.tui import system
from reader.tui.app import ReaderApp
from reader.tui.screens.library import LibraryScreen

TEXT = "Überschrift “quoted” $x$ and a tab\there"


def fake_tool(folder: Path, name: str, *, status: int = 0, hang: bool = False) -> Path:
    """A script named ``name`` that saves its stdin and its arguments in ``folder``."""
    folder.mkdir(exist_ok=True)
    script = folder / name
    script.write_text(
        f"#!{sys.executable}\n"
        "import sys, time, pathlib\n"
        f"here = pathlib.Path({str(folder)!r})\n"
        f"(here / {name + '.args'!r}).write_text(repr(sys.argv[1:]))\n"
        f"(here / {name + '.in'!r}).write_bytes(sys.stdin.buffer.read())\n"
        + ("time.sleep(60)\n" if hang else "")
        + f"sys.exit({status})\n",
        encoding="utf-8",
    )
    script.chmod(0o755)
    return script


def test_wayland_uses_wl_copy_with_the_text_on_stdin(tmp_path: Path) -> None:
    bin_ = tmp_path / "bin"
    fake_tool(bin_, "wl-copy")
    fake_tool(bin_, "xclip")
    env = {"PATH": str(bin_), "WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}
    outcome = system.copy_to_system(TEXT, system.clipboard_tools(env, "linux"))
    assert outcome.tool is not None and outcome.tool.name == "wl-copy"
    assert (bin_ / "wl-copy.in").read_bytes() == TEXT.encode("utf-8")
    # Never on the command line, where any user's ps would show it.
    assert TEXT not in (bin_ / "wl-copy.args").read_text()
    assert not (bin_ / "xclip.in").exists()
    assert outcome.where() == "to the system clipboard (wl-copy)"
    assert not outcome.needs_terminal


def test_x_uses_xclip_then_xsel(tmp_path: Path) -> None:
    bin_ = tmp_path / "bin"
    fake_tool(bin_, "xsel")
    env = {"PATH": str(bin_), "DISPLAY": ":0"}
    tools = system.clipboard_tools(env, "linux")
    assert [tool.name for tool in tools] == ["xsel"]
    fake_tool(bin_, "xclip")
    tools = system.clipboard_tools(env, "linux")
    assert [tool.name for tool in tools] == ["xclip", "xsel"]
    assert "clipboard" in tools[0].command


def test_no_display_means_no_x_or_wayland_tool(tmp_path: Path) -> None:
    bin_ = tmp_path / "bin"
    for name in ("wl-copy", "xclip", "xsel", "pbcopy"):
        fake_tool(bin_, name)
    assert system.clipboard_tools({"PATH": str(bin_)}, "linux") == []


def test_macos_and_wsl_tools(tmp_path: Path) -> None:
    bin_ = tmp_path / "bin"
    fake_tool(bin_, "pbcopy")
    assert [t.name for t in system.clipboard_tools({"PATH": str(bin_)}, "darwin")] == ["pbcopy"]
    fake_tool(bin_, "clip.exe")
    (tool,) = system.clipboard_tools({"PATH": str(bin_)}, "linux")
    assert tool.name == "clip.exe"
    system.copy_to_system(TEXT, [tool])
    # UTF-16 with its byte-order mark: what clip.exe reads as Unicode.
    assert (bin_ / "clip.exe.in").read_bytes().decode("utf-16") == TEXT


def test_a_failing_or_hanging_tool_gives_way_and_is_named(tmp_path: Path) -> None:
    bin_ = tmp_path / "bin"
    fake_tool(bin_, "wl-copy", hang=True)
    fake_tool(bin_, "xclip", status=1)
    env = {"PATH": str(bin_), "WAYLAND_DISPLAY": "w", "DISPLAY": ":0"}
    outcome = system.copy_to_system(TEXT, system.clipboard_tools(env, "linux"), timeout=0.5)
    assert outcome.tool is None
    assert outcome.needs_terminal
    where = outcome.where()
    assert where.startswith("to the terminal's clipboard (OSC 52)")
    assert "wl-copy did not answer in 0.5 s" in where
    assert "xclip failed (status 1)" in where


def test_inside_tmux_the_paste_buffer_and_the_terminal(tmp_path: Path) -> None:
    bin_ = tmp_path / "bin"
    fake_tool(bin_, "tmux")
    env = {"PATH": str(bin_), "TMUX": "/tmp/tmux-0/default,1,0"}
    outcome = system.copy_to_system(TEXT, system.clipboard_tools(env, "linux"))
    assert (bin_ / "tmux.args").read_text() == "['load-buffer', '-']"
    assert (bin_ / "tmux.in").read_bytes() == TEXT.encode()
    assert outcome.needs_terminal
    assert outcome.where() == "to tmux's paste buffer and to the terminal (OSC 52)"


# -- in the app -------------------------------------------------------------------


def paper_app(library: Library) -> ReaderApp:
    library.import_papers(
        [Paper("Copy Me", arxiv_id="2409.11074", authors=("Ada Lovelace",), published="2024-09-17")]
    )
    return ReaderApp(library, "tester", config=Config(read_delay=0))


async def copy_and_wait(pilot: Pilot[None], key: str) -> str:
    """Press ``key`` and wait for the copy's toast; its text."""
    app = pilot.app
    before = len(app._notifications)
    await pilot.press(key)
    for _ in range(500):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if len(app._notifications) > before:
            break
    return list(app._notifications)[-1].message


@pytest.fixture
def no_clipboard(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No display, not in tmux, and a PATH of only ``tmp_path/bin``."""
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    monkeypatch.setattr(sys, "platform", "linux")
    for name in ("WAYLAND_DISPLAY", "DISPLAY", "TMUX"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PATH", str(bin_))
    return bin_


async def test_y_copies_through_the_system_clipboard_and_says_so(
    empty_library: Library, no_clipboard: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_tool(no_clipboard, "xclip")
    monkeypatch.setenv("DISPLAY", ":0")
    app = paper_app(empty_library)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.pause()
        message = await copy_and_wait(pilot, "y")
        assert message == "Copied the BibTeX entry to the system clipboard (xclip)."
        copied = (no_clipboard / "xclip.in").read_text()
        assert copied.startswith("@") and "Copy Me" in copied
        message = await copy_and_wait(pilot, "Y")
        assert message == "Copied 2409.11074 to the system clipboard (xclip)."
        assert (no_clipboard / "xclip.in").read_text() == "2409.11074"


async def test_without_a_tool_y_says_only_the_terminal_was_asked(
    empty_library: Library, no_clipboard: Path
) -> None:
    app = paper_app(empty_library)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.pause()
        message = await copy_and_wait(pilot, "Y")
        assert message.startswith("Copied 2409.11074 to the terminal's clipboard (OSC 52)")
        assert "ignore" in message
        notification = list(app._notifications)[-1]
        assert notification.severity == "warning"
        # The terminal was asked (OSC 52 goes through this).
        assert app.clipboard == "2409.11074"
        assert isinstance(app.screen, LibraryScreen)
