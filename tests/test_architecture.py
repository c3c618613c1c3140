"""The shape of the code: the core never needs Textual, only the store speaks SQL."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent / "reader"


def test_core_and_cli_import_without_textual() -> None:
    code = (
        "import sys\n"
        "import reader.cli, reader.search, reader.sample, reader.store, reader.sources.loader\n"
        "import reader.export.markdown, reader.export.files\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
        "print(bad)\n"
        "sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_only_the_store_speaks_sql() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in ROOT.rglob("*.py")
        if "store" not in path.relative_to(ROOT).parts
        and any(
            line.startswith(("import sqlite3", "import sqlite_utils", "from sqlite_utils"))
            for line in path.read_text().splitlines()
        )
    ]
    assert offenders == []
