"""A real terminal for tests: a program in a pseudo-terminal, and what reaches it.

Pilot and SVG screenshots see what widgets draw; a pty sees the bytes the terminal
would get, escape sequences and all. :func:`unsafe_output` reads those bytes the
way a terminal would and lists anything that text from a library could have put
there: a control character, a C1 control, a bidi override, or an escape sequence
that is not one the app's own drawing uses.
"""

from __future__ import annotations

import codecs
import fcntl
import os
import pty
import re
import signal
import struct
import subprocess
import termios
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

# How long any one wait may take before the test fails (it never sleeps this long
# when the program answers: every wait ends as soon as its condition holds).
PATIENCE = float(os.environ.get("TEST_PATIENCE", "60"))

_SEQUENCE = re.compile(
    r"\x1b\[[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]"  # CSI
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC, ended by BEL or ST
    r"|\x1bP[^\x1b]*\x1b\\"  # DCS
    r"|\x1b[\x20-\x2f]*[\x30-\x7e]"  # other escapes (ESC 7, ESC =, ESC ( B)
)


class Terminal:
    """``argv`` running in a ``columns`` x ``rows`` pseudo-terminal."""

    def __init__(
        self,
        argv: Sequence[str | Path],
        *,
        env: Mapping[str, str],
        size: tuple[int, int] = (120, 40),
        cwd: Path | None = None,
    ) -> None:
        master, slave = pty.openpty()
        columns, rows = size
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        self._master = master
        self._output = bytearray()
        self._changed = threading.Condition()
        self.process = subprocess.Popen(
            [str(arg) for arg in argv],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env={**env, "TERM": "xterm-256color", "COLUMNS": str(columns), "LINES": str(rows)},
            cwd=cwd,
            start_new_session=True,
        )
        os.close(slave)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self._master, 65536)
            except OSError:  # EIO: the program and every copy of the pty are gone
                chunk = b""
            with self._changed:
                if not chunk:
                    self._closed = True
                    self._changed.notify_all()
                    return
                self._output += chunk
                self._changed.notify_all()

    _closed = False

    @property
    def output(self) -> bytes:
        with self._changed:
            return bytes(self._output)

    def text(self, start: int = 0) -> str:
        """What was written from byte ``start`` on, as text without escape sequences."""
        return _SEQUENCE.sub("", self.output[start:].decode("utf-8", "replace"))

    def wait_for(self, needle: str, *, start: int = 0) -> int:
        """Wait until ``needle`` has been written (after byte ``start``); the output's
        length then, to wait for what comes after."""
        deadline = time.monotonic() + PATIENCE
        with self._changed:
            while True:
                shown = _SEQUENCE.sub("", bytes(self._output[start:]).decode("utf-8", "replace"))
                if needle in shown:
                    return len(self._output)
                left = deadline - time.monotonic()
                if left <= 0 or self._closed:
                    raise AssertionError(
                        f"{needle!r} never reached the terminal; it shows:\n{shown[-3000:]}"
                    )
                self._changed.wait(left)

    def wait_for_match(self, pattern: str, *, start: int = 0) -> re.Match[str]:
        """Wait until text written after byte ``start`` matches ``pattern``
        (searched anew as output arrives); the last match."""
        deadline = time.monotonic() + PATIENCE
        found = re.compile(pattern)
        with self._changed:
            while True:
                shown = _SEQUENCE.sub("", bytes(self._output[start:]).decode("utf-8", "replace"))
                matches = list(found.finditer(shown))
                if matches:
                    return matches[-1]
                left = deadline - time.monotonic()
                if left <= 0 or self._closed:
                    raise AssertionError(
                        f"nothing matching {pattern!r} reached the terminal; it shows:\n"
                        f"{shown[-3000:]}"
                    )
                self._changed.wait(left)

    def style_of(self, needle: str) -> str:
        """The escape sequence that last styled ``needle`` (written whole, in one style):
        to tell the screen drawn as it is from the same screen dimmed under a dialog."""
        text = self.output.decode("utf-8", "replace")
        at = text.rindex(needle)
        return text[text.rindex("\x1b[", 0, at) : at]

    def wait_for_raw(self, needle: str, *, start: int = 0) -> int:
        """:meth:`wait_for`, for text and escape sequences together."""
        deadline = time.monotonic() + PATIENCE
        with self._changed:
            while True:
                if needle in bytes(self._output[start:]).decode("utf-8", "replace"):
                    return len(self._output)
                left = deadline - time.monotonic()
                if left <= 0 or self._closed:
                    raise AssertionError(f"{needle!r} never reached the terminal")
                self._changed.wait(left)

    def mark(self) -> int:
        """The output's length now, for :meth:`wait_for`."""
        with self._changed:
            return len(self._output)

    def send(self, data: str) -> None:
        os.write(self._master, data.encode("utf-8"))

    def wait_exit(self) -> int:
        """The program's exit status, once it has ended and its output is all read."""
        try:
            code = self.process.wait(timeout=PATIENCE)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError("the program did not exit") from None
        self._reader.join(PATIENCE)
        return code

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def close(self) -> None:
        self.kill()
        self._reader.join(PATIENCE)
        os.close(self._master)


def sequences(output: bytes) -> list[str]:
    """Every escape sequence in ``output``, in order."""
    return _SEQUENCE.findall(codecs.decode(output, "utf-8", "replace"))


# Characters no text may bring to a terminal: C0 controls but the line breaks the
# program itself writes (\r, \n; \t in command-line output), DEL, C1 controls,
# bidi controls and zero-width characters.
_UNSAFE_TEXT = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064"
    "\u2066-\u2069\ufeff]"
)


def unsafe_output(output: bytes, allowed: re.Pattern[str]) -> list[str]:
    """What in ``output`` text could have put there: characters that are not text,
    and escape sequences ``allowed`` does not match in full. Empty when it is clean.

    ``output`` must be UTF-8: a stray byte (a raw C1 0x9b, say) is reported too.
    """
    problems: list[str] = []
    try:
        text = output.decode("utf-8")
    except UnicodeDecodeError as error:
        problems.append(
            f"not UTF-8 at byte {error.start}: {output[error.start : error.start + 8]!r}"
        )
        text = output.decode("utf-8", "replace")
    position = 0
    for match in _SEQUENCE.finditer(text):
        _check_text(text[position : match.start()], problems)
        if not allowed.fullmatch(match.group()):
            problems.append(f"sequence {match.group()!r}")
        position = match.end()
    _check_text(text[position:], problems)
    return problems


def _check_text(text: str, problems: list[str]) -> None:
    for match in _UNSAFE_TEXT.finditer(text):
        around = text[max(0, match.start() - 20) : match.end() + 20]
        problems.append(f"character {match.group()!r} in {around!r}")
