"""``reader import``: files (or standard input) in, papers and marks into the library."""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, BinaryIO

import click

from reader.cli.common import Settings, echo, friendly_errors, opened, steps
from reader.cli.root import main
from reader.models import papers_label
from reader.sources import Batch
from reader.sources.loader import FORMATS
from reader.sources.streaming import PaperStream, open_stream

if TYPE_CHECKING:
    from reader.importing import ImportReport

# Far above any feed or export (a million papers as HF JSON is about 2 GB), and
# what stops `reader import /dev/stdin < /dev/zero` before it fills the memory.
MAX_IMPORT_BYTES = 4 * 1024**3


@contextmanager
def _opened_input(name: str) -> Iterator[BinaryIO]:
    """An import file (``-``: standard input), open to read: a regular file or a pipe
    (``reader import <(curl ...)``); a device, a socket or a folder is refused before
    reading."""
    if name == "-":
        yield sys.stdin.buffer
        return
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
        yield f


def _is_regular(name: str) -> bool:
    """Whether ``name`` can be read twice (a file; not standard input or a pipe)."""
    return name != "-" and stat.S_ISREG(os.stat(name).st_mode)


def _check_readable_kind(name: str, mode: int) -> None:
    """Refuse anything but a regular file or a pipe, naming what it is."""
    if stat.S_ISREG(mode) or stat.S_ISFIFO(mode):
        return
    kind = (
        "a directory" if stat.S_ISDIR(mode) else "a socket" if stat.S_ISSOCK(mode) else "a device"
    )
    raise click.ClickException(f"{name}: is {kind}, not a file")


def _read_bounded(name: str, f: BinaryIO, limit: int, head: bytes = b"") -> bytes:
    """All of ``f`` (after ``head``, already read), or a clean error once it holds
    more than ``limit`` bytes."""
    try:
        data = head + f.read(limit + 1 - len(head))
    except OSError as error:
        raise click.ClickException(f"{name}: {error.strerror}") from None
    if len(data) > limit:
        raise click.ClickException(
            f"{name}: more than {limit / 1024**3:g} GB; reader imports files up to that size"
        )
    return data


@main.command("import")
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
    step = steps()
    if len(files) == 1:
        _import_one(settings, files[0], fmt, step)
        return
    # Every file read and checked before any is written: a file read as it is
    # imported is read twice (checked, then imported), in flat memory either way.
    inputs = [_checked(name, fmt, step) for name in files]
    from reader.importing import import_batch, import_stream

    with opened(settings) as library:
        for name, batch in inputs:
            if batch is not None:
                report = import_batch(library, batch, user=settings.user, on_step=step)
                _say_done(name, batch.format, report)
                continue
            with _opened_input(name) as f, friendly_errors():
                stream = open_stream(_source(name), f, fmt=fmt)
                assert isinstance(stream, PaperStream)
                report = import_stream(library, stream, user=settings.user, on_step=step)
            _say_done(name, stream.format, report)


def _import_one(settings: Settings, name: str, fmt: str, step: Callable[[str], None]) -> None:
    """Import one file: read as it is imported when its format allows (see
    :mod:`reader.sources.streaming`), else read whole first."""
    from reader.importing import import_batch, import_stream

    step(f"reading {name}")
    with _opened_input(name) as f:
        with friendly_errors():
            stream = open_stream(_source(name), f, fmt=fmt)
        if isinstance(stream, PaperStream):
            step(f"importing {name} as it is read")
            with opened(settings) as library:
                report = import_stream(library, stream, user=settings.user, on_step=step)
            _say_done(name, stream.format, report)
            return
        batch = _load(name, _read_bounded(name, f, MAX_IMPORT_BYTES, stream), fmt, step)
    with opened(settings) as library:
        report = import_batch(library, batch, user=settings.user, on_step=step)
    _say_done(name, batch.format, report)


def _checked(name: str, fmt: str, step: Callable[[str], None]) -> tuple[str, Batch | None]:
    """A file read and checked: its batch, or ``None`` for a file to stream again
    when it is imported (it was read through as a stream, and kept nothing)."""
    step(f"reading {name}")
    with _opened_input(name) as f:
        with friendly_errors():
            stream = open_stream(_source(name), f, fmt=fmt)
            if isinstance(stream, PaperStream):
                if _is_regular(name):
                    for _ in stream:
                        pass
                    return name, None
                return name, Batch(stream.format, list(stream), stream.skipped)
        return name, _load(name, _read_bounded(name, f, MAX_IMPORT_BYTES, stream), fmt, step)


def _load(name: str, data: bytes, fmt: str, step: Callable[[str], None]) -> Batch:
    from reader.sources.loader import load

    step(f"parsing {name}")
    with friendly_errors():
        return load(_source(name), data, fmt=fmt)


def _source(name: str) -> str:
    """How errors name an input."""
    return "<stdin>" if name == "-" else name


def _say_done(name: str, format: str, report: ImportReport) -> None:
    """The line that says what importing one file did."""
    label = "stdin" if name == "-" else name
    papers = report.papers
    if not papers.total and not papers.skipped:
        echo(f"{label}: no papers in this file ({format}); nothing imported")
        return
    echo(f"{label}: {papers_label(papers.total)} ({format}): {report.summary()}")
