"""The shape of the code: the core never needs Textual, only the store speaks SQL."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from tests.support.data import ROOT as PROJECT

ROOT = PROJECT / "reader"


def test_core_and_cli_import_without_textual() -> None:
    code = (
        "import sys\n"
        "import reader.cli, reader.search, reader.sample, reader.store, reader.sources.loader\n"
        "import reader.export.markdown, reader.export.files, reader.ids\n"
        "import reader.sources.arxiv_atom, reader.sources.bibtex, reader.sources.hf_json\n"
        "import reader.sources.reader_json, reader.config, reader.export.bibtex, reader.stats\n"
        "import reader.writes, reader.note_links, reader.keymap, reader.atomic, reader.triage\n"
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
    command line, in every one of its modules, goes through ``echo`` (stdout) or
    ``say`` (stderr) of reader/cli/common.py."""
    modules = sorted((ROOT / "cli").glob("*.py"))
    assert {path.name for path in modules} >= {"__init__.py", "common.py", "root.py"}
    offenders = []
    for path in modules:
        writers = {"echo", "say"} if path.name == "common.py" else set()
        for function in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(function, ast.FunctionDef) or function.name in writers:
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.Call):
                    name = ast.unparse(node.func)
                    if name in ("click.echo", "click.secho", "print", "sys.stdout.write") or (
                        name.endswith(".write") and "std" in name
                    ):
                        offenders.append(f"{path.name}: {function.name}: {name}")
    assert offenders == []


def imported_names(path: Path) -> set[str]:
    """Every module ``path`` imports, by its full name (``from a.b import c`` gives
    ``a.b`` and ``a.b.c``: c may be a module)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_the_merge_of_an_import_is_pure() -> None:
    """reader.store.merge works on plain values: no SQL, and nothing of the store
    that speaks it, so its rules are tested without a library."""
    names = imported_names(ROOT / "store" / "merge.py")
    assert {name.split(".")[0] for name in names} & {"sqlite3", "sqlite_utils"} == set()
    assert sorted(name for name in names if name.startswith("reader.store")) == []


def test_the_search_package_never_imports_textual_or_rich() -> None:
    modules = sorted((ROOT / "search").glob("*.py"))
    assert {path.stem for path in modules} >= {"query", "index", "highlight"}
    offenders = [
        str(path.relative_to(ROOT))
        for path in modules
        if imported_modules(path) & {"textual", "rich", "sqlite3", "sqlite_utils"}
    ]
    assert offenders == []


def test_reader_search_imports_numpy_only_when_a_search_runs() -> None:
    code = (
        "import sys\n"
        "from reader.search import Query, SearchIndex\n"
        "loaded = 'numpy' in sys.modules\n"
        "from reader.models import Paper\n"
        "SearchIndex([Paper('Grokking', '2401.00001', id=1)]).search(Query.parse('grokking'))\n"
        "print(loaded, 'numpy' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.split() == ["False", "True"], result.stderr


def test_the_store_s_modules_import_each_other_one_way() -> None:
    """No import cycle among reader.store's modules (words once imported library,
    which imported words)."""
    store = ROOT / "store"
    modules = {path.stem for path in store.glob("*.py")} - {"__init__"}
    uses = {
        module: {
            name.split(".")[2]
            for name in imported_names(store / f"{module}.py")
            if name.startswith("reader.store.") and name.split(".")[2] in modules
        }
        - {module}
        for module in modules
    }
    done: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> None:
        assert module not in path, " -> ".join((*path, module))
        if module in done:
            return
        for used in sorted(uses[module]):
            visit(used, (*path, module))
        done.add(module)

    for module in sorted(modules):
        visit(module, ())
    assert "library" not in uses["words"]


def test_each_kind_of_test_lives_in_its_folder() -> None:
    """tests/core runs no app (no Pilot), and only tests/robustness has slow tests or
    real pseudo-terminals: `pytest tests/core` stays fast."""
    tests = PROJECT / "tests"
    misplaced = [
        f"{path.relative_to(tests)}: {what}"
        for folder, banned in (
            ("core", ("run_test(", "pytest.mark.slow", "Terminal([")),
            ("tui", ("pytest.mark.slow", "Terminal([")),
        )
        for path in sorted((tests / folder).glob("test_*.py"))
        if path != Path(__file__)  # the words above
        for what in banned
        if what in path.read_text(encoding="utf-8")
    ]
    assert misplaced == []
