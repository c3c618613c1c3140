"""``reader import``: files (or standard input) in, papers and marks into the library."""

from __future__ import annotations

import os
import stat
import sys
from typing import BinaryIO

import click

from reader.cli.common import Settings, echo, friendly_errors, opened, steps
from reader.models import papers_label
from reader.sources.loader import FORMATS

# Far above any feed or export (a million papers as HF JSON is about 2 GB), and
# what stops `reader import /dev/stdin < /dev/zero` before it fills the memory.
MAX_IMPORT_BYTES = 4 * 1024**3


def _read_input(name: str, limit: int = MAX_IMPORT_BYTES) -> bytes:
    """The bytes of an import file (``-``: standard input), at most ``limit`` of them.

    A regular file or a pipe (``reader import <(curl ...)``) is read; a device, a
    socket or a folder is refused before reading, and a stream that goes on past
    ``limit`` is refused once it does.
    """
    if name == "-":
        return _read_bounded(name, sys.stdin.buffer, limit)
    try:
        _check_readable_kind(name, os.stat(name).st_mode)
        f = open(name, "rb")  # noqa: SIM115 (closed below, after the checks)
    except FileNotFoundError:
        raise click.ClickException(f"{name}: no such file") from None
    except IsADirectoryError:
        raise click.ClickException(f"{name}: is a directory, not a file") from None
    except OSError as error:
        raise click.ClickException(f"{name}: {error.strerror}") from None
    with f:
        # Again on what was opened: the name may have changed hands in between.
        _check_readable_kind(name, os.fstat(f.fileno()).st_mode)
        return _read_bounded(name, f, limit)


def _check_readable_kind(name: str, mode: int) -> None:
    """Refuse anything but a regular file or a pipe, naming what it is."""
    if stat.S_ISREG(mode) or stat.S_ISFIFO(mode):
        return
    kind = (
        "a directory" if stat.S_ISDIR(mode) else "a socket" if stat.S_ISSOCK(mode) else "a device"
    )
    raise click.ClickException(f"{name}: is {kind}, not a file")


def _read_bounded(name: str, f: BinaryIO, limit: int) -> bytes:
    """All of ``f``, or a clean error once it holds more than ``limit`` bytes."""
    try:
        data = f.read(limit + 1)
    except OSError as error:
        raise click.ClickException(f"{name}: {error.strerror}") from None
    if len(data) > limit:
        raise click.ClickException(
            f"{name}: more than {limit / 1024**3:g} GB; reader imports files up to that size"
        )
    return data


@click.command("import")
@click.argument("files", nargs=-1, required=True)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="auto",
    show_default=True,
    help="Skip detection: hf-page (page copied as text), hf-json (Hugging Face API), "
    "arxiv (Atom XML), bibtex, reader-json (our own JSON or JSON Lines export).",
)
@click.pass_obj
def import_command(settings: Settings, files: tuple[str, ...], fmt: str) -> None:
    """Import papers from FILES; - reads standard input.

    The format of each file is told from its content: a Hugging Face papers page
    copied as text, Hugging Face API JSON, an arXiv Atom feed, BibTeX, or a reader
    JSON / JSON Lines export. Every file is read and checked before anything is
    written; a file is imported whole or not at all. Papers already in the library
    are updated, never duplicated. A reader export also brings back its stars, read
    state, tags and notes (for --user); a note already in the library is never replaced.
    """
    from reader.sources.loader import load

    step = steps()
    batches = []
    for name in files:
        step(f"reading {name}")
        data = _read_input(name)
        step(f"parsing {name}")
        with friendly_errors():
            batches.append((name, load("<stdin>" if name == "-" else name, data, fmt=fmt)))
    from reader.importing import import_batch

    with opened(settings) as library:
        for name, batch in batches:
            report = import_batch(library, batch, user=settings.user, on_step=step)
            label = "stdin" if name == "-" else name
            if not batch.papers and not batch.skipped:
                echo(f"{label}: no papers in this file ({batch.format}); nothing imported")
                continue
            count = papers_label(len(batch.papers))
            echo(f"{label}: {count} ({batch.format}): {report.summary()}")
