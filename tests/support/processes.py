"""Running reader as a real process, as a user's shell would, and what its errors look like."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run_process(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """``python -m reader ARGS`` as a real process, in the test's environment."""
    return subprocess.run(
        [sys.executable, "-m", "reader", *map(str, args)],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        stdin=subprocess.DEVNULL,
        timeout=60,
    )


def assert_one_clean_error(proc: subprocess.CompletedProcess[str], *names: str) -> str:
    """Exit 1, no traceback, one ``Error:`` line on stderr naming every one of ``names``."""
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("Error: ")
    for name in names:
        assert name in lines[0]
    return lines[0]
