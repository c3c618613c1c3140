"""Whole processes, as a user starts them: the app in a pseudo-terminal, ``reader list``
and ``fzf --filter`` from a shell.

The app runs as ``reader --db FILE --user bench`` in a 120x40 pty, with a config of
its own (read delay 0: the cached library is never written). Its output is read as a
terminal would get it; "drawn" means a title of the newest day appears in it.
"""

from __future__ import annotations

import codecs
import os
import re
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.library import BenchError, title_prefixes
from bench.stats import Row, Table

COLUMNS, LINES = 120, 40
USER = "bench"
CTRL_Q = b"\x11"
# What the RSS measure types once the list is drawn: the filter, then a query.
RSS_QUERY = "diffusion model"
# ``reader list`` beside ``fzf --filter``, one query of each kind: (kind, query, limit).
LIST_QUERIES: tuple[tuple[str, str, int | None], ...] = (
    ("common words", "diffusion model", None),
    ("common words, first 50", "diffusion model", 50),
    ("a rare word", "alorwave", None),  # in 5 titles of the generated 100k
    ("an author", "smith", None),
    ("a typo", "difusion", None),
)
# How long the header's count must stay the same before the screen counts as settled.
SETTLE = 1.0
# CSI and OSC sequences, and the two-byte escapes: what is left is the text drawn.
ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
FILTER_PLACEHOLDER = "to filter"
COUNT = re.compile(r"([\d,]+) of ([\d,]+) papers")


def reader_command() -> list[str]:
    """The installed ``reader`` script beside this Python, else ``python -m reader``."""
    script = Path(sys.executable).with_name("reader")
    return [str(script)] if script.exists() else [sys.executable, "-m", "reader"]


def fzf_command() -> str | None:
    """fzf from ``$FZF``, else from PATH; ``None`` when there is none."""
    named = os.environ.get("FZF")
    if named:
        return named if Path(named).exists() else shutil.which(named)
    return shutil.which("fzf")


# -- what the terminal shows: the only places that read the app's output --------------


def title_drawn(text: str, prefixes: list[str]) -> bool:
    """A title of the newest day is on the screen: the list is drawn."""
    return any(prefix in text for prefix in prefixes)


def counts(text: str) -> list[tuple[int, int]]:
    """Every "N of M papers" the header has shown, oldest first."""
    return [(int(a.replace(",", "")), int(b.replace(",", ""))) for a, b in COUNT.findall(text)]


def filter_focused(text: str) -> bool:
    """The filter bar was drawn again: after "/", that is it taking the focus."""
    return FILTER_PLACEHOLDER in text


def filter_drawn(text: str, size: int) -> bool:
    """The header shows a filtered count: fewer than all ``size`` papers."""
    return any(total == size and count < size for count, total in counts(text))


# -- a child in a pseudo-terminal ---------------------------------------------------------


@contextmanager
def bench_environment() -> Iterator[dict[str, str]]:
    """The environment the app runs in: a terminal of our size, a config of our own."""
    with tempfile.TemporaryDirectory(prefix="reader-bench-") as folder:
        config = Path(folder) / "config.toml"
        config.write_text("read_delay = 0\n", encoding="utf-8")
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("TEXTUAL", "READER_"))
        }
        env.update(
            TERM="xterm-256color",
            COLUMNS=str(COLUMNS),
            LINES=str(LINES),
            READER_CONFIG=str(config),
            XDG_CONFIG_HOME=folder,
            XDG_DATA_HOME=folder,
        )
        yield env


class Terminal:
    """A process started in a pty of COLUMNS x LINES, and the text it has drawn.

    Use it in a ``with``: leaving normally quits the app with ctrl+q, leaving on an
    error (a timeout, ctrl+c) kills it.
    """

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        import fcntl
        import termios

        self.began = time.perf_counter()
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
        try:
            self.process = subprocess.Popen(
                argv, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True
            )
        finally:
            os.close(slave)
        self.fd = master
        self.closed = False
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._pending = ""
        self._pieces: list[str] = []
        self._length = 0

    def __enter__(self) -> Terminal:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        try:
            if kind is None:
                self.quit()
            else:
                self.kill()
        finally:
            os.close(self.fd)

    @property
    def pid(self) -> int:
        return self.process.pid

    def mark(self) -> int:
        """Where the text drawn so far ends: pass it to ``wait_for`` to look only after."""
        return self._length

    def text(self, since: int = 0) -> str:
        """The text drawn since ``since``, escape sequences left out."""
        joined = "".join(self._pieces)
        self._pieces = [joined]
        return joined[since:]

    def _take(self, chunk: bytes) -> None:
        text = self._pending + self._decoder.decode(chunk)
        # An escape sequence cut in two by the read waits for its other half.
        cut = text.rfind("\x1b")
        if cut == -1 or ESCAPES.match(text, cut):
            cut = len(text)
        self._pending = text[cut:]
        drawn = ESCAPES.sub("", text[:cut])
        self._pieces.append(drawn)
        self._length += len(drawn)

    def read(self, timeout: float) -> bool:
        """Read what comes within ``timeout``; False once the child has closed the pty."""
        if self.closed:
            return False
        ready, _, _ = select.select([self.fd], [], [], max(0.0, timeout))
        if not ready:
            return True
        try:
            chunk = os.read(self.fd, 1 << 16)
        except OSError:  # EIO: every end of the pty's other side is closed
            chunk = b""
        if not chunk:
            self.closed = True
            return False
        self._take(chunk)
        return True

    def wait_for(
        self, condition: Callable[[str], bool], timeout: float, what: str, since: int = 0
    ) -> float:
        """Read until ``condition(text drawn since the mark)``; seconds since the spawn."""
        deadline = time.perf_counter() + timeout
        while not condition(self.text(since)):
            left = deadline - time.perf_counter()
            if left <= 0 or not self.read(min(left, 0.05)):
                tail = " ".join(self.text()[-800:].split())
                reason = "timed out" if left <= 0 else f"exited ({self.process.poll()})"
                raise BenchError(f"{what}: {reason}; the screen ended with: {tail}")
        return time.perf_counter() - self.began

    def wait_stable(
        self, value: Callable[[str], object], stable: float, timeout: float, since: int = 0
    ) -> None:
        """Read until ``value(text since the mark)`` has not changed for ``stable`` seconds
        (a blinking cursor keeps the output going, so silence never comes)."""
        deadline = time.perf_counter() + timeout
        last = value(self.text(since))
        changed = time.perf_counter()
        while time.perf_counter() - changed < stable:
            if time.perf_counter() > deadline or not self.read(0.05):
                return
            now = value(self.text(since))
            if now != last:
                last, changed = now, time.perf_counter()

    def write(self, data: bytes) -> None:
        os.write(self.fd, data)

    def status(self) -> dict[str, str]:
        """The process's /proc status lines, by name."""
        lines = Path(f"/proc/{self.pid}/status").read_text().splitlines()
        return {name: value.strip() for name, _, value in (line.partition(":") for line in lines)}

    def quit(self, timeout: float = 20.0) -> None:
        """ctrl+q, then wait for the exit; killed (and an error) if it does not come."""
        if self.process.poll() is not None:
            return
        self.write(CTRL_Q)
        deadline = time.perf_counter() + timeout
        while self.process.poll() is None and time.perf_counter() < deadline:
            self.read(0.05)  # keep draining: a full pty would block its last writes
        if self.process.poll() is None:
            self.kill()
            raise BenchError(f"the app did not quit within {timeout:.0f} s of ctrl+q")

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.pid, signal.SIGKILL)
        self.process.wait(10)


def kilobytes(value: str) -> int:
    """ "123456 kB" -> 123456."""
    number, _, unit = value.partition(" ")
    assert unit == "kB", value
    return int(number)


# -- the measures --------------------------------------------------------------------------


def app_command(db: Path) -> list[str]:
    return [*reader_command(), "--db", str(db), "--user", USER]


def last_count(text: str) -> tuple[int, int] | None:
    """The header's latest "N of M papers"."""
    found = counts(text)
    return found[-1] if found else None


def start_once(db: Path, size: int, prefixes: list[str], timeout: float) -> tuple[float, float]:
    """Seconds from spawning to a newest title on screen, and to the full count shown."""
    with bench_environment() as env, Terminal(app_command(db), env) as terminal:
        drawn = terminal.wait_for(
            lambda text: title_drawn(text, prefixes), timeout, "first title drawn"
        )
        full = terminal.wait_for(
            lambda text: (size, size) in counts(text), timeout, f"{size} of {size} papers"
        )
    return drawn, full


def measure_start(
    table: Table, size: int, db: Path, titles: list[str], runs: int, timeout: float
) -> None:
    """The whole process: spawn to the first screen with the list filled."""
    prefixes = title_prefixes(titles)
    results = [start_once(db, size, prefixes, timeout) for _ in range(runs)]
    table.add(
        Row(
            "start",
            size,
            "process: spawn to first title on screen",
            tuple(drawn for drawn, _ in results),
            note=f"pty {COLUMNS}x{LINES}, imports included",
        )
    )
    table.add(
        Row(
            "start",
            size,
            f'process: spawn to "{size} of {size} papers"',
            tuple(full for _, full in results),
        )
    )


def rss_once(db: Path, size: int, prefixes: list[str], timeout: float) -> tuple[int, int]:
    """Peak RSS (kB) once the list is drawn, and after a filter query has been shown."""
    with bench_environment() as env, Terminal(app_command(db), env) as terminal:
        terminal.wait_for(lambda text: title_drawn(text, prefixes), timeout, "first title")
        terminal.wait_for(lambda text: (size, size) in counts(text), timeout, "full count")
        terminal.wait_stable(last_count, SETTLE, timeout)
        drawn = kilobytes(terminal.status()["VmHWM"])
        # The filter takes the keys once "/" has focused it: typed in one burst, the
        # query's letters would reach the list's own bindings first (s stars a paper).
        since = terminal.mark()
        terminal.write(b"/")
        terminal.wait_for(filter_focused, timeout, "the filter focused", since)
        since = terminal.mark()
        terminal.write(RSS_QUERY.encode())
        terminal.wait_for(
            lambda text: filter_drawn(text, size), timeout, f"filter {RSS_QUERY!r}", since
        )
        # Earlier keys' results may still be replaced by the whole query's.
        terminal.wait_stable(last_count, SETTLE, timeout, since)
        filtered = kilobytes(terminal.status()["VmHWM"])
    return drawn, filtered


def measure_rss(
    table: Table, size: int, db: Path, titles: list[str], runs: int, timeout: float
) -> None:
    """Peak resident memory (VmHWM) of the app process at ``size`` papers."""
    prefixes = title_prefixes(titles)
    results = [rss_once(db, size, prefixes, timeout) for _ in range(runs)]
    table.add(
        Row(
            "rss",
            size,
            "peak RSS, list drawn",
            tuple(drawn / 1024 for drawn, _ in results),
            unit="MB",
            note="VmHWM",
        )
    )
    table.add(
        Row(
            "rss",
            size,
            f"peak RSS, after filtering {RSS_QUERY!r}",
            tuple(filtered / 1024 for _, filtered in results),
            unit="MB",
            note="VmHWM",
        )
    )


def timed_run(
    argv: list[str],
    *,
    stdin: Path | None = None,
    env: dict[str, str] | None = None,
    ok: tuple[int, ...] = (0,),
    lines: int | None = None,
) -> tuple[float, float]:
    """Seconds one command takes, wall and CPU (user + system), its output thrown
    away; it must exit with one of ``ok``. With ``lines``, its output is read as
    ``head -n LINES`` reads it: that many lines, then the pipe is closed."""
    with open(stdin or os.devnull, "rb") as source, tempfile.TemporaryFile() as errors:
        began = time.perf_counter()
        process = subprocess.Popen(
            argv,
            stdin=source,
            stdout=subprocess.DEVNULL if lines is None else subprocess.PIPE,
            stderr=errors,
            env=env,
        )
        if process.stdout is not None:
            for _ in range(lines or 0):
                if not process.stdout.readline():
                    break
            process.stdout.close()
        _pid, status, usage = os.wait4(process.pid, 0)
        took = time.perf_counter() - began
        process.returncode = code = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        error = errors.read().decode(errors="replace")
    # A pipe closed after ``lines`` ends the writer with SIGPIPE: the head was read.
    if code not in ok and not (lines is not None and code == -signal.SIGPIPE):
        raise BenchError(f"{argv[0]} failed ({code}): {error[-400:]}")
    return took, usage.ru_utime + usage.ru_stime


def measure_list(table: Table, size: int, db: Path, titles: Path, runs: int) -> None:
    """``reader list QUERY`` as a whole process, beside ``fzf --filter QUERY`` on the
    titles, one query of each kind (:data:`LIST_QUERIES`); each run of ours is
    followed by one of fzf's, so both meet the same machine."""
    fzf = fzf_command()
    version = ""
    if fzf is not None:
        found = subprocess.run([fzf, "--version"], capture_output=True, text=True, check=False)
        version = found.stdout.split()[0] if found.stdout else "?"
    with bench_environment() as env:
        for kind, query, limit in LIST_QUERIES:
            limited = [] if limit is None else ["--limit", str(limit)]
            argv = [*reader_command(), "--db", str(db), "--user", USER, "list", *limited]
            argv += query.split()
            ours: list[tuple[float, float]] = []
            theirs: list[tuple[float, float]] = []
            for _ in range(runs):
                ours.append(timed_run(argv, env=env))
                if fzf is not None:
                    # fzf --filter exits 1 when nothing matches: a finished search all
                    # the same. It has no limit: its first lines are read as head does.
                    fzf_argv = [fzf, "--filter", query]
                    theirs.append(timed_run(fzf_argv, stdin=titles, ok=(0, 1), lines=limit))
            name = f"reader list {' '.join([*limited, query])}"
            walls = tuple(wall for wall, _ in ours)
            cpu = statistics.median(used for _, used in ours)
            if fzf is None:
                note = f"{kind}: cpu {cpu * 1000:.0f} ms; no fzf: set FZF or put it on PATH"
                table.add(Row("list", size, name, walls, note=note))
                continue
            fzf_walls = tuple(wall for wall, _ in theirs)
            fzf_cpu = statistics.median(used for _, used in theirs)
            ratio = statistics.median(walls) / statistics.median(fzf_walls)
            note = f"{kind}: {ratio:.2f}x fzf; cpu {cpu * 1000:.0f} ms, {cpu / fzf_cpu:.2f}x fzf's"
            table.add(Row("list", size, name, walls, note=note))
            shown = f"fzf --filter {query!r}" + ("" if limit is None else f" | head -{limit}")
            note = f"fzf {version}, titles only; cpu {fzf_cpu * 1000:.0f} ms"
            table.add(Row("list", size, shown, fzf_walls, note=note))
