"""A command loads only what it uses (issue 17): ``reader --version``, ``--help`` and
``list`` start as a shell tool does.

Each runs as a real process through the entry point a user's shell reaches
(:func:`~tests.support.processes.run_process`). A ``sitecustomize`` put first on
its PYTHONPATH, and nothing else, writes down at exit (the last ``atexit``
handler to run) the modules the process imported, and whether it froze its
objects so that no last collection traced them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from reader.store import Library
from tests.support.data import ROOT
from tests.support.processes import run_process

pytestmark = pytest.mark.slow

# What no command loads unless it needs it: the app's toolkit, the network client,
# parsers and writers of one format, the filter's numbers and fuzzy matching, and
# sqlite-utils (with numpy, dateutil and pluggy behind it).
HEAVY = frozenset(
    {
        "bibtexparser",
        "dateutil",
        "httpx",
        "markdown_it",
        "numpy",
        "pluggy",
        "pylatexenc",
        "rapidfuzz",
        "rich",
        "scipy",
        "sklearn",
        "sqlite_utils",
        "textual",
        "tomlkit",
        "yaml",
    }
)

_HOOK = """\
import atexit, gc, json, os, sys


def _write_down():
    with open(os.environ["READER_TEST_EXIT"], "w") as f:
        json.dump({"modules": sorted(sys.modules), "frozen": gc.get_freeze_count()}, f)


atexit.register(_write_down)
"""


@pytest.fixture
def at_exit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, library: Library) -> Path:
    """Where a ``reader`` process started now writes what it held at exit; the
    library (``READER_DB``) is the sample."""
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(_HOOK)
    monkeypatch.setenv("PYTHONPATH", str(hook))
    monkeypatch.setenv("READER_TEST_EXIT", str(tmp_path / "exit.json"))
    assert library.path is not None
    monkeypatch.setenv("READER_DB", str(library.path))
    return tmp_path / "exit.json"


def _run(at_exit: Path, *args: str) -> dict[str, Any]:
    """Run ``reader ARGS`` to its end; what it held at exit."""
    at_exit.unlink(missing_ok=True)
    proc = run_process(*args)
    assert proc.returncode == 0, proc.stderr
    found: dict[str, Any] = json.loads(at_exit.read_text())
    return found


def _heavy(modules: list[str]) -> set[str]:
    """The heavy packages among ``modules``."""
    return {name.split(".")[0] for name in modules} & HEAVY


@pytest.mark.parametrize(
    "args",
    [
        ("--version",),
        ("--help",),
        ("list",),
        ("list", "--limit", "3"),
        ("rules",),
        *(
            (name, "--help")
            for name in (
                "add",
                "digest",
                "export",
                "fetch",
                "import",
                "list",
                "remove",
                "rules",
                "stats",
            )
        ),
        ("fetch", "hf", "--help"),
        ("fetch", "arxiv", "--help"),
    ],
)
def test_a_command_that_reads_nothing_heavy_loads_nothing_heavy(
    at_exit: Path, args: tuple[str, ...]
) -> None:
    assert _heavy(_run(at_exit, *args)["modules"]) == set()


def test_version_loads_neither_the_store_nor_a_command(at_exit: Path) -> None:
    modules = _run(at_exit, "--version")["modules"]
    reader = {name for name in modules if name.split(".")[0] == "reader"}
    # The command line itself, and what its own options need: where files live, and
    # the terminal rule its messages pass.
    assert reader == {
        "reader",
        "reader.cli",
        "reader.cli.common",
        "reader.cli.root",
        "reader.paths",
        "reader.text",
    }


@pytest.mark.parametrize(
    "args",
    [
        ("list", "diffusion"),
        ("list", "--json", "difusion", "model"),
        ("list", "--limit", "5", "-is:read", '"flow matching"', 'author:"Yann LeCun"'),
    ],
)
def test_a_search_loads_at_most_the_fuzzy_matcher(at_exit: Path, args: tuple[str, ...]) -> None:
    # Answered from the word indexes (reader.search.direct): fuzzy words are
    # rapidfuzz's, and nothing needs the filter's numpy arrays.
    assert _heavy(_run(at_exit, *args)["modules"]) <= {"rapidfuzz"}


def test_a_search_on_dates_or_counts_loads_only_the_filter_s_own(at_exit: Path) -> None:
    # Dates and counts are the filter's index's to answer: numpy arrays.
    args = ("list", "upvotes:>2", "-diffusion", 'author:"Yann LeCun"')
    assert _heavy(_run(at_exit, *args)["modules"]) <= {"numpy", "rapidfuzz"}


def test_the_others_load_what_their_job_needs_only(at_exit: Path) -> None:
    # An import of JSON parses no BibTeX; an export to JSON renders no Markdown;
    # removing a paper by its title id looks nothing up on the network.
    data = ROOT / "tests" / "data" / "hf-daily-papers.json"
    assert _heavy(_run(at_exit, "import", str(data))["modules"]) == set()
    assert _heavy(_run(at_exit, "export", "--all", "--format", "json")["modules"]) == set()
    listed = run_process("list", "--limit", "1").stdout.split("\t")[0]
    assert _heavy(_run(at_exit, "remove", "--yes", listed)["modules"]) == set()


def test_the_process_skips_the_last_collection(at_exit: Path) -> None:
    # Its objects are freed as it exits; frozen, no collection traces them first.
    assert _run(at_exit, "list", "diffusion")["frozen"] > 0


def test_warming_the_index_loads_the_filter_s_modules() -> None:
    # The app warms its index in a worker while the first screen shows: what the
    # first key typed would otherwise import (rapidfuzz, numpy) is loaded there.
    code = (
        "import json, sys; from reader.search import SearchIndex; "
        "held = lambda: sorted({'numpy', 'rapidfuzz'} & set(sys.modules)); "
        "before = held(); SearchIndex([]).warm(); print(json.dumps([before, held()]))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert json.loads(proc.stdout) == [[], ["numpy", "rapidfuzz"]]
