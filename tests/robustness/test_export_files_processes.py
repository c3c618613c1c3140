"""Exports and real processes: a killed export's temporary file is cleaned by the next,
and a live export finishes while another cleans the folder."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from reader.atomic import STALE_AFTER, clean_stale_temporaries
from reader.export.files import write_atomic

# --- the library and its files ---------------------------------------------------------


# --- anything but a regular file ---------------------------------------------------------


# --- temporary files -----------------------------------------------------------------------


# A writer that stops, its temporary file written and locked, until the test says go.
BLOCKED_WRITER = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    from reader.export import files

    real_fsync = os.fsync
    waited = []

    def wait_then_fsync(fd):
        if not waited:  # the temporary file's (the folder's comes later)
            waited.append(fd)
            print("written", flush=True)
            sys.stdin.readline()  # until the test writes a line, or kills us
        real_fsync(fd)

    files.os.fsync = wait_then_fsync
    files.write_atomic(Path(sys.argv[1]), "note " * 1_000_000)
    print("done", flush=True)
    """
)


def blocked_writer(target: Path) -> subprocess.Popen[str]:
    writer = subprocess.Popen(
        [sys.executable, "-c", BLOCKED_WRITER, str(target)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert writer.stdout is not None
    assert writer.stdout.readline() == "written\n"
    return writer


def temporaries(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.name.startswith(".reader-"))


def age(path: Path, seconds: float) -> None:
    """Make ``path`` look ``seconds`` old (its writer may be dead that long)."""
    st = path.stat()
    os.utime(path, (st.st_atime - seconds, st.st_mtime - seconds))


@pytest.mark.slow
def test_a_killed_export_leaves_a_temporary_file_the_next_one_removes(tmp_path: Path) -> None:
    writer = blocked_writer(tmp_path / "notes.md")
    (tmp,) = temporaries(tmp_path)
    assert len(tmp.name) == len(".reader-12345678.tmp")
    assert tmp.stat().st_size == 5_000_000
    age(tmp, STALE_AFTER * 2)
    # Old, but its writer is alive and holds the lock: not removed.
    assert clean_stale_temporaries(tmp_path) == 0
    writer.kill()
    assert writer.wait() == -9
    assert temporaries(tmp_path) == [tmp]
    ours = [tmp_path / ".reader-0123abcd.tmp", tmp_path / ".reader-fedcba98.tmp"]
    others = [tmp_path / ".reader-notours.tmp", tmp_path / "x.tmp", tmp_path / ".notes.md.x1"]
    for path in ours + others:
        path.write_text("left")
        age(path, STALE_AFTER * 2)
    young = tmp_path / ".reader-00000000.tmp"
    young.write_text("just created by a writer about to lock it")

    write_atomic(tmp_path / "other.md", "# next export\n")
    assert temporaries(tmp_path) == [young, tmp_path / ".reader-notours.tmp"]
    assert all(path.exists() for path in others)
    assert (tmp_path / "other.md").read_text() == "# next export\n"
    assert not (tmp_path / "notes.md").exists()


@pytest.mark.slow
def test_a_live_export_finishes_while_another_cleans_the_folder(tmp_path: Path) -> None:
    writer = blocked_writer(tmp_path / "notes.md")
    (tmp,) = temporaries(tmp_path)
    age(tmp, STALE_AFTER * 2)
    write_atomic(tmp_path / "other.md", "other\n")  # cleans the folder first
    assert temporaries(tmp_path) == [tmp]
    out, _ = writer.communicate("go\n", timeout=60)
    assert out == "done\n" and writer.returncode == 0
    assert (tmp_path / "notes.md").read_text() == "note " * 1_000_000
    assert temporaries(tmp_path) == []
