"""A library with hostile text in every field, and what may reach a terminal from it."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

from reader.models import Paper
from reader.store import open_library
from tests.support.terminal import unsafe_output

# Each of these would act on a terminal: the window title, the clipboard (OSC 52
# with "echo pwned"), a hyperlink to a local file, clearing the screen, asking
# for the cursor position (its answer arrives as typed keys), the same as C1
# controls, a bidi override, a bell, a backspace and a carriage return.
EVIL = (
    "\x1b]0;PWNED-TITLE\x07"
    "\x1b]52;c;ZWNobyBwd25lZA==\x07"
    "\x1b]8;;file:///etc/passwd\x1b\\link\x1b]8;;\x1b\\"
    "\x1b[2J\x1b[6n"
    "\x9b2J\x9d0;C1-TITLE\x07"
    "\u202eRTL\u202c"
    "\x07\x08\r"
)


# In a file or folder name (no "/" or NUL there).
EVIL_NAME = "evil\x1b]0;PWNED\x07\x9b2J\u202e"


# What the app's own drawing writes (seen in a run over a benign library): colours,
# cursor moves, terminal modes and their queries, the kitty keyboard protocol, the
# mouse pointer's shape, and hyperlinks to http(s) pages.
TUI_SEQUENCES = re.compile(
    r"\x1b\[[0-9;]*m"
    r"|\x1b\[\d+;\d+H"
    r"|\x1b\[\?\d+[hl]"
    r"|\x1b\[\?\d+\$p"
    r"|\x1b\[>\d+u|\x1b\[<u"
    r"|\x1b\]22;[a-z-]+\x07"
    r"|\x1b\]8;id=[\w.-]*;https?://[\x21-\x7e]+\x1b\\|\x1b\]8;;\x1b\\"
)


# The command line writes no sequence of its own but the progress bar's cursor.
CLI_SEQUENCES = re.compile(r"\x1b\[\?25[hl]")


def hostile_library(path: Path) -> None:
    """A library with hostile text everywhere the app or a command shows text."""
    library = open_library(path)
    library.import_papers(
        [
            Paper(
                title=f"Hostile {EVIL} title",
                arxiv_id="2401.00001",
                abstract=f"An abstract {EVIL} with words.",
                authors=(f"Eve {EVIL}", "Mallory"),
                published="2024-01-02",
                categories=(f"cs.{EVIL}",),
                primary_category=f"cs.{EVIL}",
                comment=f"comment {EVIL}",
                journal_ref=f"journal {EVIL}",
                ai_summary=f"summary {EVIL}",
                ai_keywords=(f"keyword {EVIL}",),
                upvotes=7,
            ),
            Paper(title="A quiet second paper", arxiv_id="2401.00002", published="2024-01-01"),
        ]
    )
    first = library.listing()[0].id
    library.set_starred("ana", first, True)
    library.set_note("ana", first, f"# Note\n\nA note {EVIL} [x](https://example.org)\n")
    library.save_draft("ana", first, f"A draft {EVIL}", f"A note {EVIL}")
    library.close()
    # What another program could write: past the importer's checks.
    conn = sqlite3.connect(path)
    with conn:
        conn.execute(
            "UPDATE papers SET published = ?, updated = ?, featured = ? WHERE id = ?",
            (f"2024-01-02{EVIL}", f"2024-02-03{EVIL}", f"2024-01-05{EVIL}", first),
        )
        conn.execute(
            "UPDATE annotations SET tags = ? WHERE paper_id = ?",
            (json.dumps([f"tag{EVIL}", "plain"]), first),
        )
    conn.close()


def assert_clean(output: bytes, allowed: re.Pattern[str], what: str) -> None:
    problems = unsafe_output(output, allowed)
    assert not problems, f"{what}: {len(problems)} unsafe: {problems[:5]}"
    # The payload's words got through as text: the test saw the hostile fields.
    assert b"\x1b]0;PWNED" not in output and b"\x1b]52" not in output
