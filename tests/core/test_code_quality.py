"""ruff and mypy --strict stay clean: the house style, enforced where CI runs."""

from __future__ import annotations

import subprocess
import sys

from tests.support.data import ROOT


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, check=False
    )


def test_ruff_is_clean() -> None:
    lint = run("ruff", "check", "reader", "tests", "bench", "scripts")
    assert lint.returncode == 0, lint.stdout + lint.stderr
    formatting = run("ruff", "format", "--check", "reader", "tests", "bench", "scripts")
    assert formatting.returncode == 0, formatting.stdout + formatting.stderr


def test_mypy_strict_is_clean() -> None:
    result = run("mypy")
    assert result.returncode == 0, result.stdout + result.stderr
