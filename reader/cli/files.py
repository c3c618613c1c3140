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
from reader.cli.rules import Watch, configured, watching
from reader.models import papers_label
from reader.sources import Batch
from reader.sources.loader import FORMATS
from reader.sources.streaming import open_stream

if TYPE_CHECKING:
    from reader.config import Config
    from reader.importing import ImportReport
    from reader.sources.streaming import PaperStream
    from reader.store.library import Library

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


@click.command("import")
@click.argument("files", nargs=-1, required=True)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="auto",
    show_default=True,
    help="Skip detection: hf-page (page copied as text), hf-json (Hugging Face API), "
    "arxiv (Atom XML), arxiv-snapshot (arXiv's metadata snapshot, JSON Lines), bibtex, "
    "reader-json (our own JSON or JSON Lines export).",
)
@click.option(
    "--category",
    "categories",
    multiple=True,
    metavar="CATEGORY",
    help="Only the papers in this arXiv category (cs.LG) or archive (cs); repeat for more.",
)
@click.pass_obj
def import_command(
    settings: Settings, files: tuple[str, ...], fmt: str, categories: tuple[str, ...]
) -> None:
    """Import papers from FILES; - reads standard input.

    The format of each file is told from its content: a Hugging Face papers page
    copied as text, Hugging Face API JSON, an arXiv Atom feed or metadata snapshot,
    BibTeX, or a reader JSON / JSON Lines export. A file is imported whole or not
    at all; of several files, every one is checked before any is written. JSON and
    JSON Lines files are read as they are imported, in flat memory whatever their
    size: a bad record half way undoes what came before it. Papers already in the
    library are updated, never duplicated. A reader export also brings back its
    stars, read state, tags and notes (for --user); a note already in the library
    is never replaced.
    """
    step = steps()
    config = configured()  # a mistake in the config stops the import before it starts
    if len(files) == 1:
        _import_one(settings, files[0], fmt, categories, step, config)
        return
    # Every file read and checked before any is written: a file read as it is
    # imported is read twice (checked, then imported), in flat memory either way.
    inputs = [_checked(name, fmt, categories, step) for name in files]
    from reader.importing import import_batch

    with opened(settings) as library, watching(library, settings.user, config) as watch:
        for name, batch, left_out in inputs:
            if batch is None:
                _import_streamed(settings, library, name, fmt, categories, step, watch)
                continue
            report = import_batch(library, batch, user=settings.user, on_step=step)
            _say_done(name, batch.format, report, categories, left_out, watch.apply())


def _import_one(
    settings: Settings,
    name: str,
    fmt: str,
    categories: tuple[str, ...],
    step: Callable[[str], None],
    config: Config,
) -> None:
    """Import one file: read as it is imported when its format allows (see
    :mod:`reader.sources.streaming`), else read whole first."""
    from reader.importing import import_batch
    from reader.sources.streaming import PaperStream

    step(f"reading {name}")
    with _opened_input(name) as f:
        with friendly_errors():
            stream = open_stream(_source(name), f, fmt=fmt, categories=categories)
        if isinstance(stream, PaperStream):
            with opened(settings) as library, watching(library, settings.user, config) as watch:
                _import_stream(settings, library, name, stream, categories, step, watch)
            return
        data = _read_bounded(name, f, MAX_IMPORT_BYTES, stream)
    batch, left_out = _load(name, data, fmt, categories, step)
    with opened(settings) as library, watching(library, settings.user, config) as watch:
        report = import_batch(library, batch, user=settings.user, on_step=step)
        said = watch.apply()
    _say_done(name, batch.format, report, categories, left_out, said)


def _import_streamed(
    settings: Settings,
    library: Library,
    name: str,
    fmt: str,
    categories: tuple[str, ...],
    step: Callable[[str], None],
    watch: Watch,
) -> None:
    """Import a file checked before: read again, as it is imported."""
    from reader.sources.streaming import PaperStream

    with _opened_input(name) as f, friendly_errors():
        stream = open_stream(_source(name), f, fmt=fmt, categories=categories)
        if not isinstance(stream, PaperStream):  # changed since it was checked
            raise click.ClickException(f"{name}: changed while it was imported")
        _import_stream(settings, library, name, stream, categories, step, watch)


def _import_stream(
    settings: Settings,
    library: Library,
    name: str,
    stream: PaperStream,
    categories: tuple[str, ...],
    step: Callable[[str], None],
    watch: Watch,
) -> None:
    from reader.importing import import_stream

    step(f"importing {name} as it is read")
    with friendly_errors():
        report = import_stream(library, stream, user=settings.user, on_step=step)
        said = watch.apply()
    _say_done(name, stream.format, report, categories, stream.left_out, said)


def _checked(
    name: str, fmt: str, categories: tuple[str, ...], step: Callable[[str], None]
) -> tuple[str, Batch | None, int]:
    """A file read and checked: its batch and how many papers ``categories`` left
    out; no batch for a file to stream again as it is imported (it was read through
    as a stream, and kept nothing)."""
    from reader.sources.streaming import PaperStream

    step(f"reading {name}")
    with _opened_input(name) as f:
        with friendly_errors():
            stream = open_stream(_source(name), f, fmt=fmt, categories=categories)
            if isinstance(stream, PaperStream):
                if _is_regular(name):
                    for _ in stream:
                        pass
                    return name, None, 0
                papers = list(stream)
                return name, Batch(stream.format, papers, stream.skipped), stream.left_out
        data = _read_bounded(name, f, MAX_IMPORT_BYTES, stream)
    return (name, *_load(name, data, fmt, categories, step))


def _load(
    name: str, data: bytes, fmt: str, categories: tuple[str, ...], step: Callable[[str], None]
) -> tuple[Batch, int]:
    """The papers of a file read whole, and how many ``categories`` left out."""
    from reader.sources import only_in
    from reader.sources.loader import load

    step(f"parsing {name}")
    with friendly_errors():
        batch = load(_source(name), data, fmt=fmt)
    return only_in(batch, categories) if categories else (batch, 0)


def _source(name: str) -> str:
    """How errors name an input."""
    return "<stdin>" if name == "-" else name


def _say_done(
    name: str,
    format: str,
    report: ImportReport,
    categories: tuple[str, ...],
    left_out: int,
    rules: str = "",
) -> None:
    """The line that says what importing one file did (``rules``: what the rules did
    to the papers it brought, said after)."""
    label = "stdin" if name == "-" else name
    papers = report.papers
    other = f"; {left_out} in other categories left out" if categories else ""
    if not papers.total and not papers.skipped:
        echo(f"{label}: no papers in this file ({format}); nothing imported{other}")
        return
    echo(f"{label}: {papers_label(papers.total)} ({format}): {report.summary()}{other}{rules}")
