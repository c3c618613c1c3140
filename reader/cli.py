"""The command line: parse, open the library, then run the app or one command.

Every failure the user can cause (a missing file, a bad file, a library that is
not ours) ends as one ``Error: ...`` line and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import click

from reader import __version__
from reader.export.files import ExportError, write_atomic
from reader.paths import default_db_path, default_user
from reader.sources import SourceError
from reader.store import Library, LibraryError, open_library


@dataclass(frozen=True, slots=True)
class Settings:
    db_path: Path
    user: str


@contextmanager
def friendly_errors() -> Iterator[None]:
    """Turn the errors a user can cause into one clean line and exit code 1."""
    try:
        yield
    except (LibraryError, SourceError, ExportError) as error:
        raise click.ClickException(str(error)) from None


@contextmanager
def opened(settings: Settings, *, create: bool = True) -> Iterator[Library]:
    """The library, open for the body; its errors, there too, end as one clean line."""
    with friendly_errors():
        library = open_library(settings.db_path, create=create)
        try:
            yield library
        finally:
            library.close()


@click.group(
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Library file [env READER_DB; default: library.db in the user data directory].",
)
@click.option("--user", help="Whose stars and notes [env READER_USER; default: login name].")
@click.version_option(__version__, "-V", "--version", prog_name="reader")
@click.pass_context
def main(ctx: click.Context, db: Path | None, user: str | None) -> None:
    """A keyboard-driven reader for research papers.

    Run without a command to open the library. Library file: see --db.
    """
    ctx.obj = Settings(db_path=db or default_db_path(), user=user or default_user())
    if ctx.invoked_subcommand is None:
        run_app(ctx.obj)


def run_app(settings: Settings) -> None:
    """Open the library (with the sample when it is empty) in the terminal UI."""
    from reader.sample import load_sample_if_empty
    from reader.tui.app import ReaderApp  # Textual is slow to import: only when needed.

    with opened(settings) as library:
        seeded = load_sample_if_empty(library)
        notice = None
        if seeded is not None:
            notice = (
                f"Your library was empty, so it starts with {seeded.added} sample papers "
                "from the Hugging Face Daily Papers page. Add your own with `reader import FILE`."
            )
        app = ReaderApp(library, settings.user, notice=notice)
        app.run()
    if app.failure:
        raise click.ClickException(app.failure)
    if app.return_code:
        sys.exit(app.return_code)


def _echo(text: str, *, nl: bool = True) -> None:
    """Print to standard output; a failed write (a full disk) is one clean error line.

    A closed pipe (``reader export | head``) is left to click, which exits quietly.
    """
    try:
        click.echo(text, nl=nl)
    except OSError as error:
        if error.errno == errno.EPIPE:
            raise
        raise click.ClickException(
            f"cannot write to standard output: {error.strerror or error}"
        ) from None


def _is_library_file(path: Path, db_path: Path) -> bool:
    """Whether ``path`` is the library file or one of SQLite's files beside it."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        library_file = db_path.with_name(db_path.name + suffix)
        try:
            if os.path.samefile(path, library_file):
                return True
        except OSError:
            if path.resolve() == library_file.resolve():
                return True
    return False


def _read_input(name: str) -> bytes:
    if name == "-":
        return sys.stdin.buffer.read()
    path = Path(name)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise click.ClickException(f"{name}: no such file") from None
    except IsADirectoryError:
        raise click.ClickException(f"{name}: is a directory, not a file") from None
    except OSError as error:
        raise click.ClickException(f"{name}: {error.strerror}") from None


@main.command("import")
@click.argument("files", nargs=-1, required=True)
@click.pass_obj
def import_command(settings: Settings, files: tuple[str, ...]) -> None:
    """Import papers from FILES (a Hugging Face papers page copied as text; - for stdin).

    Every file is read and checked before anything is written; a file is
    imported whole or not at all.
    """
    from reader.sources.loader import load_papers

    parsed = []
    for name in files:
        data = _read_input(name)
        with friendly_errors():
            parsed.append((name, load_papers("<stdin>" if name == "-" else name, data)))
    with opened(settings) as library:
        for name, papers in parsed:
            result = library.import_papers(papers)
            label = "stdin" if name == "-" else name
            _echo(f"{label}: {len(papers)} papers: {result.summary()}")


@main.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["markdown"]),
    default="markdown",
    show_default=True,
    help="Output format.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of standard output.",
)
@click.option("--force", is_flag=True, help="Overwrite the output file if it exists.")
@click.pass_obj
def export_command(settings: Settings, fmt: str, output: Path | None, force: bool) -> None:
    """Export the user's starred and noted papers, with their notes."""
    from reader.export.markdown import render_markdown

    if output is not None and _is_library_file(output, settings.db_path):
        raise click.ClickException(f"{output}: that is the library itself; choose another file")
    with opened(settings, create=False) as library:
        items = library.annotated(settings.user)
    text = render_markdown(items, user=settings.user, today=date.today().isoformat())
    if output is None:
        _echo(text, nl=False)
        return
    with friendly_errors():
        write_atomic(output, text, force=force)
    click.echo(f"Wrote {len(items)} papers to {output}", err=True)
