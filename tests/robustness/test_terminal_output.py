"""No text reaches the real terminal as a control (issue 14, items 1, 4, 18).

A library file may be shared or hostile: escape sequences, C1 controls and bidi
overrides sit in every field, in the stored dates and tags (written past the
importer, as another program could), in a note and an unsaved draft, in file
names and in a server's error message. The app and every command run over it in
a pseudo-terminal, and the bytes that reach the terminal are read the way a
terminal reads them (:mod:`tests.support.terminal`): nothing but the app's own drawing
may be an escape sequence, and no text may hold a control character.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.support.data import ROOT
from tests.support.hostile import (
    CLI_SEQUENCES,
    EVIL,
    EVIL_NAME,
    TUI_SEQUENCES,
    assert_clean,
    hostile_library,
)
from tests.support.terminal import Terminal

pytestmark = pytest.mark.slow


@pytest.fixture
def hostile_env(tmp_path: Path) -> dict[str, str]:
    folder = tmp_path / EVIL_NAME
    folder.mkdir()
    db = folder / "library.db"
    hostile_library(db)
    return {
        **os.environ,
        "READER_DB": str(db),
        "READER_USER": "ana",
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "BROWSER": "true",  # a browser that runs in the terminal, and at once returns
        "PYTHONPATH": str(ROOT),
    }


def test_every_screen_of_the_app_over_a_hostile_library(hostile_env: dict[str, str]) -> None:
    terminal = Terminal([sys.executable, "-m", "reader"], env=hostile_env, size=(180, 45))
    try:
        terminal.wait_for("2 of 2 papers")
        terminal.wait_for("unsaved")  # the notice naming the paper with a draft
        # A row of the list as drawn with nothing over it: seen again, in this very
        # style, once a dialog is gone (while one is up, the list is drawn dimmed).
        undimmed = terminal.style_of("A quiet second paper") + "A quiet second paper"

        def visit(keys: str, shows: str, *, then: str = "\x1b", back: str = undimmed) -> None:
            mark = terminal.mark()
            terminal.send(keys)
            terminal.wait_for(shows, start=mark)
            if then:
                # A key sent before the Esc is read would make it alt+key: wait.
                mark = terminal.mark()
                terminal.send(then)
                terminal.wait_for_raw(back, start=mark)

        visit("j", "A quiet second paper", then="")
        visit("k", "journal", then="")  # the detail pane of the hostile paper
        visit("\r", "An abstract", then="\r")  # the larger detail pane, and back
        visit("n", "Recovered", then="\x1b", back="Discard the unsaved")  # the draft offered
        visit("y", "Your note", then="")  # ... and thrown away
        visit("t", "esc cancels")
        visit("?", "library.star")
        visit("S", "Most frequent authors")
        visit("x", "Overwrite the file")  # not "Export": the footer shows that always
        visit("\x10", "Search")  # the command palette
        visit("/", "to filter", then="")
        visit("hostile", "1 of 2 papers", then="")
        visit("\x1b", "2 of 2 papers", then="")
        visit("o", "Opened arXiv", then="")  # a terminal browser: the app steps aside
        visit("q", "", then="")
        assert terminal.wait_exit() == 0
    finally:
        terminal.close()
    text = terminal.text()
    assert "PWNED-TITLE" in text and "RTL" in text  # the hostile text was on screen
    assert_clean(terminal.output, TUI_SEQUENCES, "the app")


class _HostileServer(BaseHTTPRequestHandler):
    """Refuses every request with a hostile reason, in JSON and as an Atom error."""

    def do_GET(self) -> None:
        if "api/query" in self.path:
            body = (
                '<?xml version="1.0" encoding="UTF-8"?>'
                '<feed xmlns="http://www.w3.org/2005/Atom"><entry>'
                "<id>http://arxiv.org/api/errors#bad</id>"
                f"<summary>bad query {EVIL.replace(chr(7), '').replace(chr(8), '')}</summary>"
                "</entry></feed>"
            ).encode()
        else:
            body = json.dumps({"error": f"refused {EVIL}"}).encode()
        self.send_response(400)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def hostile_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _HostileServer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def run(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[int, bytes]:
    terminal = Terminal([sys.executable, "-m", "reader", *argv], env=env, cwd=cwd)
    try:
        code = terminal.wait_exit()
    finally:
        terminal.close()
    return code, terminal.output


def test_every_command_over_a_hostile_library(
    hostile_env: dict[str, str], hostile_server: str, tmp_path: Path
) -> None:
    env = {**hostile_env, "READER_HF_URL": hostile_server, "READER_ARXIV_URL": hostile_server}
    db = Path(env["READER_DB"])
    evil_file = tmp_path / f"{EVIL_NAME}.json"
    evil_file.write_text('{"papers": [{"title": "x\\u001b]0;T\\u0007", "bad": ')
    config = tmp_path / f"{EVIL_NAME}.toml"
    config.write_text(f"theme = {json.dumps(EVIL)}\n")  # JSON's escapes are TOML's
    commands: list[tuple[list[str], dict[str, str], bool]] = [
        (["list"], {}, True),
        (["list", "--json"], {}, True),
        (["list", "hostile"], {}, True),
        (["list", f"tag:tag{EVIL}"], {}, True),
        (["export"], {}, True),
        *[
            (["export", "--all", "--format", fmt], {}, True)
            for fmt in ("json", "jsonl", "csv", "bibtex")
        ],
        (["export", "--all", "--format", "bibtex", "--with-notes"], {}, True),
        (["export", "--all", "-o", str(tmp_path / f"{EVIL_NAME}.md")], {}, True),
        (["export", "--all", "-o", str(db)], {}, False),
        (["import", str(evil_file)], {}, False),
        (["add", f"2401.0000{EVIL}"], {}, False),
        (["add", "2401.00009"], {}, False),  # arXiv's error feed, in its own words
        (["fetch", "hf"], {}, False),  # the server's reason
        (["fetch", "arxiv", "-q", "x"], {}, False),
        (["--db", str(db.parent / "missing.db"), "list"], {}, False),
        (["--user", f"eve{EVIL}", "list"], {}, False),
        (["list", f"autor:{EVIL}"], {}, False),
        (["--help"], {"READER_CONFIG": str(config)}, True),
        ([], {"READER_CONFIG": str(config)}, False),  # the app refuses the config
    ]
    for argv, extra, succeeds in commands:
        code, output = run(argv, {**env, **extra}, tmp_path)
        shown = repr(argv)[:80]
        assert (code == 0) == succeeds, f"{shown}: exit {code}: {output[-500:]!r}"
        assert b"Traceback" not in output, f"{shown}: {output[-2000:]!r}"
        assert_clean(output, CLI_SEQUENCES, shown)


BUGGY = """
import sys
import {module} as target
def broken(*args, **kwargs):
    raise RuntimeError("broken \\x1b]0;PWNED\\x07 on purpose")
setattr(target.{owner}, "{name}", broken) if "{owner}" else setattr(target, "{name}", broken)
from reader.cli import main
main(prog_name="reader")
"""


def run_buggy(
    env: dict[str, str], cwd: Path, argv: list[str], module: str, owner: str, name: str
) -> tuple[int, str]:
    code = BUGGY.format(module=module, owner=owner, name=name)
    terminal = Terminal([sys.executable, "-c", code, *argv], env=env, cwd=cwd)
    try:
        status = terminal.wait_exit()
    finally:
        terminal.close()
    assert_clean(terminal.output, TUI_SEQUENCES, "a bug")
    return status, terminal.text()


def test_a_bug_in_the_app_ends_as_one_line_and_a_private_crash_log(
    hostile_env: dict[str, str], tmp_path: Path
) -> None:
    """Textual's own report of a crash prints the locals: paper text and notes, escape
    sequences and all, on the terminal."""
    status, text = run_buggy(
        hostile_env, tmp_path, [], "reader.tui.widgets.paper_detail", "PaperDetail", "show"
    )
    assert status == 1
    assert "Traceback" not in text and "locals" not in text.lower()
    lines = [line for line in text.splitlines() if "unexpected" in line]
    assert len(lines) == 1, text[-2000:]
    assert "RuntimeError: broken ]0;PWNED on purpose" in lines[0]
    log = tmp_path / "state" / "reader" / "crash.log"
    assert str(log) in text.replace("\n", "")
    assert "Traceback" in log.read_text() and "def show" not in log.read_text()
    assert log.stat().st_mode & 0o777 == 0o600
    assert log.parent.stat().st_mode & 0o777 == 0o700


def test_a_bug_in_a_command_ends_as_one_line(hostile_env: dict[str, str], tmp_path: Path) -> None:
    status, text = run_buggy(
        hostile_env, tmp_path, ["list"], "reader.search.direct", "DirectSearch", "search"
    )
    assert status == 1
    assert "Traceback" not in text
    assert text.strip().splitlines() == [
        "Error: unexpected RuntimeError: broken ]0;PWNED on purpose (a bug in reader; "
        "run again with READER_DEBUG=1 to see where)"
    ]
