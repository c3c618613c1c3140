"""What every command shares: the settings, opening the library, clean errors, output.

Everything a command prints goes through :func:`echo` (standard output) or
:func:`say` (standard error), which apply the terminal rule
(:func:`reader.text.terminal_text`): a title, a file name or a server's words
never reach the terminal as a control.
"""

from __future__ import annotations

import errno
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

from reader.text import terminal_bytes, terminal_text

if TYPE_CHECKING:
    from reader.fetching import Network
    from reader.store import Library


@dataclass(frozen=True, slots=True)
class Settings:
    """What the ``reader`` command's own options say, for every command."""

    db_path: Path
    user: str
    # The network fetches use: None is the real one (tests pass a mock).
    network: Network | None = None

    def net(self) -> Network:
        """The network to fetch over."""
        from reader.fetching import Network  # httpx: only for commands that fetch

        return self.network or Network()


@contextmanager
def friendly_errors() -> Iterator[None]:
    """Turn the errors a user can cause into one clean line and exit code 1."""
    try:
        yield
    except Exception as error:
        if isinstance(error, _user_errors()):
            raise click.ClickException(str(error)) from None
        raise


def _user_errors() -> tuple[type[Exception], ...]:
    """The errors a user can cause: a bad file, a library that is not ours, a server
    that said no. Imported once something failed, so that a command loads only the
    modules it uses (one that never loaded the exporter cannot raise its error)."""
    from reader.export.files import ExportError
    from reader.net import FetchError, NetError
    from reader.sources import SourceError
    from reader.store import LibraryError

    return (LibraryError, SourceError, ExportError, NetError, FetchError)


@contextmanager
def opened(settings: Settings, *, create: bool = True) -> Iterator[Library]:
    """The library, open for the body; its errors, there too, end as one clean line."""
    from reader.store import open_library

    with friendly_errors():
        library = open_library(settings.db_path, create=create)
        try:
            yield library
        finally:
            library.close()


def echo(text: str | bytes, *, nl: bool = True) -> None:
    """Print to standard output, under the terminal rule; a failed write (a full disk)
    is one clean error line. Bytes (UTF-8: a JSON export's pieces) are written as they
    are when the rule leaves them so, which it checks without decoding them.

    A closed pipe (``reader export | head``) is left to click, which exits quietly.
    """
    try:
        if isinstance(text, bytes):
            data = terminal_bytes(text)
            click.echo(data + b"\n" if nl else data, nl=False)
        else:
            click.echo(terminal_text(text), nl=nl)
    except OSError as error:
        if error.errno == errno.EPIPE:
            raise
        raise click.ClickException(
            f"cannot write to standard output: {error.strerror or error}"
        ) from None


def say(text: str, *, nl: bool = True) -> None:
    """Print a message (progress, a warning, an error) to standard error, under the
    terminal rule."""
    click.echo(terminal_text(text), nl=nl, err=True)


def steps() -> Callable[[str], None]:
    """Where a long command says what it is doing: a line per step with the time so
    far, on a terminal's stderr only (a pipe or a test sees the result alone)."""
    if not sys.stderr.isatty():
        return lambda step: None
    began = time.monotonic()

    def line(step: str) -> None:
        say(f"[{time.monotonic() - began:6.1f} s] {step}…")

    return line


@contextmanager
def progress(label: str, total: int) -> Iterator[Callable[[int], None]]:
    """A progress bar on a terminal's stderr (nothing elsewhere); yields ``advance(n)``."""
    if not sys.stderr.isatty():
        yield lambda steps: None
        return
    with click.progressbar(length=total, label=label, file=sys.stderr) as bar:
        yield bar.update
