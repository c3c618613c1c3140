"""The shape of the code: the core never needs Textual, only the store speaks SQL."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent / "reader"


def test_core_and_cli_import_without_textual() -> None:
    code = (
        "import sys\n"
        "import reader.cli, reader.search, reader.sample, reader.store, reader.sources.loader\n"
        "import reader.export.markdown, reader.export.files, reader.ids\n"
        "import reader.sources.arxiv_atom, reader.sources.bibtex, reader.sources.hf_json\n"
        "import reader.sources.reader_json, reader.config, reader.export.bibtex, reader.stats\n"
        "import reader.writes, reader.note_links, reader.triage\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
        "print(bad)\n"
        "sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def imported_modules(path: Path) -> set[str]:
    """Every top-level module ``path`` imports, at any depth of its code."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_only_the_store_speaks_sql() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in ROOT.rglob("*.py")
        if "store" not in path.relative_to(ROOT).parts
        and imported_modules(path) & {"sqlite3", "sqlite_utils"}
    ]
    assert offenders == []


def test_the_import_check_sees_every_form(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from sqlite3 import connect\n    import sqlite_utils.db\n")
    assert imported_modules(sample) == {"sqlite3", "sqlite_utils"}


def test_no_code_outside_the_tui_imports_textual_or_rich() -> None:
    # reader.net is checked here, not above: httpx itself loads rich for its own CLI.
    offenders = [
        str(path.relative_to(ROOT))
        for path in ROOT.rglob("*.py")
        if "tui" not in path.relative_to(ROOT).parts
        and imported_modules(path) & {"textual", "rich"}
    ]
    assert offenders == []


def test_the_command_line_prints_only_through_its_two_writers() -> None:
    """The terminal rule is applied in one place per stream: every print of the
    command line goes through ``_echo`` (stdout) or ``_say`` (stderr)."""
    tree = ast.parse((ROOT / "cli.py").read_text(encoding="utf-8"))
    writers = {"_echo", "_say"}
    offenders = []
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef) or function.name in writers:
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.Call):
                name = ast.unparse(node.func)
                if name in ("click.echo", "click.secho", "print", "sys.stdout.write") or (
                    name.endswith(".write") and "std" in name
                ):
                    offenders.append(f"{function.name}: {name}")
    assert offenders == []
