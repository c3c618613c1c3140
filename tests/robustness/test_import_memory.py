"""A large file is imported in flat memory: read as it is imported, a chunk of papers
at a time, never the whole file in memory (issue 17). Reading a file whole held it
three times over (its bytes, its text, its parsed items): a 1M-paper import peaked
at 9 GB."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from reader.store import open_library

# Enough papers to be imported in chunks under the journal.
PAPERS = 4_000
# What an item carries that the importer does not keep (HF items hold media URLs,
# thumbnails, organisations...): the file is large, the import itself quick.
EXTRA_CHARS = 40_000
# Well under the file's size (about 160 MB): what reading it whole would take alone.
PEAK_MB = 120

# The command line in a process of its own, which says its own peak RSS as it exits:
# VmHWM, its memory's own high-water mark (getrusage's ru_maxrss also counts the
# process it was forked from, a test worker of hundreds of MB).
MEASURED = """
import atexit, re, sys
def peak():
    with open("/proc/self/status") as status:
        print("peak", re.search(r"VmHWM:\\s*(\\d+) kB", status.read())[1], file=sys.stderr)
atexit.register(peak)
from reader.cli import main
main(sys.argv[1:], prog_name="reader")
"""


def item(n: int, extra: str) -> str:
    paper = {
        "id": f"2401.{n:05d}",
        "title": f"A streamed paper, number {n}",
        "summary": "Words of an abstract, " * 40,
        "authors": [{"name": "Ana Smith"}, {"name": "Wei Zhang"}],
    }
    return json.dumps({"paper": paper, "mediaUrls": [extra]})


def write_big_file(path: Path, *, json_lines: bool) -> None:
    extra = ("https://example.org/media " * (EXTRA_CHARS // 26 + 1))[:EXTRA_CHARS]
    with path.open("w", encoding="utf-8") as out:
        out.write("" if json_lines else "[\n")
        for n in range(1, PAPERS + 1):
            if n > 1 and not json_lines:
                out.write(",\n")
            out.write(item(n, extra))
            out.write("\n" if json_lines else "")
        out.write("" if json_lines else "\n]\n")


def peak_rss_mb(stderr: str) -> int:
    (line,) = [line for line in stderr.splitlines() if line.startswith("peak ")]
    return int(line.split()[1]) // 1024


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux's /proc")
@pytest.mark.parametrize("json_lines", [False, True], ids=["json-array", "json-lines"])
def test_a_large_file_is_imported_in_flat_memory(
    tmp_path: Path, db_path: Path, json_lines: bool
) -> None:
    path = tmp_path / ("big.jsonl" if json_lines else "big.json")
    write_big_file(path, json_lines=json_lines)
    assert_imported_in_flat_memory(path, db_path, "hf-json")


def assert_imported_in_flat_memory(path: Path, db_path: Path, fmt: str) -> None:
    """``reader import`` of ``path``, a file larger than PEAK_MB many times over, takes
    every paper in a process whose peak RSS stays under PEAK_MB."""
    assert path.stat().st_size > 150 * 1024**2
    proc = subprocess.run(
        [sys.executable, "-c", MEASURED, "--db", str(db_path), "import", str(path)],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        stdin=subprocess.DEVNULL,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert f"{PAPERS} papers ({fmt}): {PAPERS} added" in proc.stdout
    assert open_library(db_path).count() == PAPERS
    peak = peak_rss_mb(proc.stderr)
    assert peak < PEAK_MB, f"peak RSS {peak} MB"


def write_big_feed(path: Path) -> None:
    """An arXiv Atom feed of PAPERS entries, each with EXTRA_CHARS the importer drops."""
    extra = ("https://example.org/media " * (EXTRA_CHARS // 26 + 1))[:EXTRA_CHARS]
    with path.open("w", encoding="utf-8") as out:
        out.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<feed xmlns="http://www.w3.org/2005/Atom" '
            'xmlns:arxiv="http://arxiv.org/schemas/atom">\n'
        )
        for n in range(1, PAPERS + 1):
            out.write(
                f"<entry><id>http://arxiv.org/abs/2401.{n:05d}v1</id>"
                f"<title>A streamed paper, number {n}</title>"
                f"<summary>{'Words of an abstract, ' * 40}</summary>"
                "<author><name>Ana Smith</name></author>"
                f"<media>{extra}</media></entry>\n"
            )
        out.write("</feed>\n")


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux's /proc")
def test_a_large_atom_feed_is_imported_in_flat_memory(tmp_path: Path, db_path: Path) -> None:
    path = tmp_path / "big.xml"
    write_big_feed(path)
    assert_imported_in_flat_memory(path, db_path, "arxiv")
