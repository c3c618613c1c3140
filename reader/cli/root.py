"""The ``reader`` command itself: its own options, its error handling, and the app.

Every failure the user can cause (a missing file, a bad file, a library that is
not ours) ends as one ``Error: ...`` line and a non-zero exit, never a traceback;
a bug, as one line too (the traceback with READER_DEBUG=1).
"""

from __future__ import annotations

import errno
import gc
import importlib
import io
import os
import sys
import threading
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path
from typing import Any

import click

from reader import __version__
from reader.cli.common import Settings, opened, say
from reader.paths import PathError, default_db_path, default_user, expand_user
from reader.text import terminal_text

# Each command, and where it is defined: a command's module is imported when that
# command runs (or help lists them all), so `reader list` loads no exporter, no
# fetcher, and `reader --version` none of them.
COMMANDS = {
    "add": "reader.cli.network:add_command",
    "digest": "reader.cli.digest:digest_command",
    "export": "reader.cli.export:export_command",
    "fetch": "reader.cli.network:fetch_group",
    "import": "reader.cli.files:import_command",
    "list": "reader.cli.listing:list_command",
    "remove": "reader.cli.remove:remove_command",
    "rules": "reader.cli.rules:rules_command",
    "stats": "reader.cli.stats:stats_command",
}


class _ReaderGroup(click.Group):
    """The ``reader`` command: click's own error handling, but every message it
    prints passes the terminal rule, and a bug ends as one line, not a traceback.
    Its commands are the :data:`COMMANDS`, each imported when it is asked for."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """The ``reader`` process itself: the console script and ``python -m reader``
        (click's test runner calls :meth:`main`)."""
        try:
            return self.main(*args, **kwargs)
        finally:
            # The process ends next, and frees everything as it does: frozen, the
            # objects are not traced by one more collection first (about 20 ms of
            # `reader list` on the sample library). Not while another thread runs
            # (the app quit during a fetch): that exit then crashed, 3 times in 24.
            if threading.active_count() == 1:
                gc.freeze()

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        where = COMMANDS.get(cmd_name)
        if where is None:
            return super().get_command(ctx, cmd_name)
        module, name = where.split(":")
        command: click.Command = getattr(importlib.import_module(module), name)
        return command

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        try:
            return super().resolve_command(ctx, args)
        except click.exceptions.NoSuchCommand as error:
            # click suggests a near name among the commands it holds; ours are not
            # held until asked for.
            raise click.exceptions.NoSuchCommand(
                error.command_name, error.message, self.list_commands(ctx), error.ctx
            ) from None

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        try:
            result = super().main(args, prog_name, complete_var, False, **extra)
        except click.ClickException as error:
            # Usage errors quote what was typed (an option's value, a file name).
            shown = io.StringIO()
            error.show(file=shown)
            say(shown.getvalue(), nl=False)
            sys.exit(error.exit_code)
        except click.exceptions.Abort:
            say("Aborted!")
            sys.exit(1)
        except KeyboardInterrupt:
            say("Interrupted.")
            sys.exit(130)
        except OSError as error:
            if error.errno != errno.EPIPE:
                _unexpected(error)
            # The reader of a pipe went away (`reader list | head`): leave quietly,
            # with nowhere for the last flush at exit to fail again (Python's advice).
            with suppress(OSError, ValueError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(1)
        except Exception as error:  # a bug: one line, the traceback only on request
            _unexpected(error)
        sys.exit(result if isinstance(result, int) else 0)

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Read when help is asked for, so a bad READER_CONFIG cannot stop the import.
        from reader.config import ConfigError, default_config_path

        try:
            where = terminal_text(str(default_config_path()), lines=False)
        except ConfigError as error:
            where = f"none ({error})"
        formatter.write_paragraph()
        formatter.write_text(f"Config file (theme, keys, views, rules, read delay, sort): {where}")


def _unexpected(error: BaseException) -> None:
    """Stop on an error reader did not expect: one line, the traceback with READER_DEBUG=1."""
    if os.environ.get("READER_DEBUG"):
        raise error
    say(
        f"Error: unexpected {type(error).__name__}: {error} "
        "(a bug in reader; run again with READER_DEBUG=1 to see where)"
    )
    sys.exit(1)


@click.group(
    cls=_ReaderGroup,
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
    try:
        db_path = expand_user(db, source="--db") if db else default_db_path()
    except PathError as error:
        raise click.ClickException(str(error)) from None
    # A caller's obj is the network to fetch over (tests pass a mock); None: the real one.
    ctx.obj = Settings(db_path=db_path, user=_user_name(user), network=ctx.obj)
    if ctx.invoked_subcommand is None:
        run_app(ctx.obj)


def _user_name(given: str | None) -> str:
    """Whose annotations: ``--user``, else $READER_USER or the login name. A name is a
    label shown in the header and stored with every mark: one printable line."""
    name = given if given is not None else default_user()
    source = "--user" if given is not None else "READER_USER"
    if not name.strip():
        raise click.UsageError(f"{source}: a user name cannot be empty")
    if not name.isprintable():
        shown = terminal_text(name, lines=False)
        raise click.UsageError(
            f"{source}: a user name cannot hold control or invisible characters ({shown!r})"
        )
    return name


def run_app(settings: Settings) -> None:
    """Open the library (with the sample when it is empty) in the terminal UI."""
    from reader.config import ConfigError, load_config
    from reader.sample import REMOVE_HINT, load_sample_if_empty
    from reader.tui.app import ReaderApp, theme_names  # Textual: slow

    try:
        config = load_config(themes=theme_names())
    except ConfigError as error:
        raise click.ClickException(str(error)) from None
    with opened(settings) as library:
        seeded = load_sample_if_empty(library)
        notice = None
        if seeded is not None:
            notice = (
                f"Your library was empty, so it starts with {seeded.added} sample papers "
                "from the Hugging Face Daily Papers page. Add your own with `reader import FILE`; "
                f"{REMOVE_HINT}."
            )
        app = ReaderApp(library, settings.user, notice=notice, config=config)
        app.run()
    if app.failure:
        raise click.ClickException(app.failure)
    if app.return_code:
        sys.exit(app.return_code)
