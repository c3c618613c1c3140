"""``reader export --all`` as a whole process, one format at a time.

Each format is written to standard output, thrown away (the command a user pipes into a
file), then with ``-o FILE`` into a temporary folder (no terminal rule on the way, an
atomic write). Obsidian writes a file per paper and is left out: a folder of 100,000
notes measures the file system more than the export.
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from bench.library import BenchError, say
from bench.process import USER, bench_environment, reader_command
from bench.stats import Row, Table, seconds

# In the order they are measured: the two the issue names first.
FORMATS = ("bibtex", "json", "jsonl", "csv", "markdown")
# Written with -o as well: the formats a user keeps as a file.
TO_FILE = ("bibtex", "json")


def export_measures(
    table: Table, size: int, db: Path, runs: int, timeout: float
) -> list[Callable[[], None]]:
    """One measure per format and target: each is its own row, so a format that does not
    finish in ``timeout`` seconds fails alone."""
    measures: list[Callable[[], None]] = []
    for fmt in FORMATS:
        measures.append(partial(measure_export, table, size, db, fmt, runs, timeout))
        if fmt in TO_FILE:
            measures.append(
                partial(measure_export, table, size, db, fmt, runs, timeout, to_file=True)
            )
    return measures


def measure_export(
    table: Table,
    size: int,
    db: Path,
    fmt: str,
    runs: int,
    timeout: float,
    *,
    to_file: bool = False,
) -> None:
    """``reader export --all --format FMT``, ``runs`` times, to stdout or to a file."""
    with bench_environment() as env, tempfile.TemporaryDirectory(prefix="reader-export-") as out:
        argv = [*reader_command(), "--db", str(db), "--user", USER, "export", "--all"]
        argv += ["--format", fmt]
        if to_file:
            argv += ["-o", str(Path(out) / f"export.{fmt}"), "--force"]
        took: list[float] = []
        cpu: list[float] = []
        written = 0
        for run in range(runs):
            try:
                wall, used = timed_export(argv, env, timeout)
            except BenchError as error:
                raise BenchError(f"{fmt}{' -o' if to_file else ''}: {error}") from None
            took.append(wall)
            cpu.append(used)
            written = sum(path.stat().st_size for path in Path(out).iterdir())
            say(
                f"  export {fmt}{' -o' if to_file else ''}, run {run + 1}: "
                f"{seconds(wall)} ({seconds(used)} CPU)"
            )
    target = "-o FILE" if to_file else "> /dev/null"
    # CPU time says more than the wall on a busy machine: it hardly grows with the load.
    note = f"CPU {seconds(statistics.median(cpu))}"
    if to_file:
        note += f"; {written / 1e6:,.0f} MB written"
    table.add(Row("export", size, f"export --all --format {fmt} {target}", tuple(took), note=note))


def timed_export(argv: list[str], env: dict[str, str], timeout: float) -> tuple[float, float]:
    """Seconds one export takes, on the wall and of CPU (user and system), its output
    thrown away; killed after ``timeout``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    try:
        done = subprocess.run(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        raise BenchError(f"did not finish in {timeout:.0f} s") from None
    took = time.perf_counter() - began
    if done.returncode != 0:
        raise BenchError(f"export failed ({done.returncode}): {done.stderr.decode()[-400:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    used = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return took, used
