"""The command line: parse, open the library, then run the app or one command.

``main`` (the ``reader`` command, :mod:`reader.cli.root`) and its commands,
grouped by job: :mod:`~reader.cli.files` (import), :mod:`~reader.cli.network`
(fetch, add), :mod:`~reader.cli.export`, :mod:`~reader.cli.listing` (list) and
:mod:`~reader.cli.remove`. Each parses, calls the core, and prints through
:func:`~reader.cli.common.echo` or :func:`~reader.cli.common.say`, which apply
the terminal rule. A command's module is imported only when that command runs
(:data:`reader.cli.root.COMMANDS`), and what a command needs beyond click, in
the command itself: ``reader list`` loads no Textual, httpx or exporter, and
numpy and rapidfuzz only to rank words (tests/robustness/test_lean_startup.py).
"""

from __future__ import annotations

from reader.cli.common import Settings
from reader.cli.root import main, run_app

__all__ = ["Settings", "main", "run_app"]
