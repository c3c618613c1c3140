"""The command line: parse, open the library, then run the app or one command.

``main`` (the ``reader`` command, :mod:`reader.cli.root`) and its commands,
grouped by job: :mod:`~reader.cli.files` (import), :mod:`~reader.cli.network`
(fetch, add), :mod:`~reader.cli.export`, :mod:`~reader.cli.listing` (list) and
:mod:`~reader.cli.remove`. Each parses, calls the core, and prints through
:func:`~reader.cli.common.echo` or :func:`~reader.cli.common.say`, which apply
the terminal rule. Modules that need Textual or httpx are imported by the
command that uses them, so ``reader list`` starts fast.
"""

from __future__ import annotations

from reader.cli import export, files, listing, network, remove  # register the commands
from reader.cli.common import Settings
from reader.cli.root import main, run_app

__all__ = ["Settings", "export", "files", "listing", "main", "network", "remove", "run_app"]
