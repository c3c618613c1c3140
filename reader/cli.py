"""The command line: parse, open the library, then run the app or one command.

Every failure the user can cause (a missing file, a bad file, a library that is
not ours) ends as one ``Error: ...`` line and a non-zero exit, never a traceback.
Everything printed goes through :func:`_echo` (standard output) or :func:`_say`
(standard error), which apply the terminal rule (:func:`reader.text.terminal_text`):
a title, a file name or a server's words never reach the terminal as a control.
"""

from __future__ import annotations

import errno
import io
import os
import stat
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import click

from reader import __version__
from reader.config import ConfigError, default_config_path, load_config
from reader.export.files import ExportError
from reader.export.run import FORMATS as EXPORT_FORMATS
from reader.models import papers_label
from reader.net import NetError
from reader.paths import PathError, default_db_path, default_user, expand_user
from reader.periods import days_back, parse_day, parse_month, parse_week
from reader.sources import SourceError
from reader.sources.loader import FORMATS
from reader.store import Library, LibraryError, open_library
from reader.text import terminal_text

if TYPE_CHECKING:
    from reader.models import Paper
    from reader.net.http import Http
    from reader.store import Held
    from reader.store.removal import Noted


@dataclass(frozen=True, slots=True)
class Settings:
    db_path: Path
    user: str


@contextmanager
def friendly_errors() -> Iterator[None]:
    """Turn the errors a user can cause into one clean line and exit code 1."""
    try:
        yield
    except (LibraryError, SourceError, ExportError, NetError) as error:
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


class _ReaderGroup(click.Group):
    """The ``reader`` command: click's own error handling, but every message it
    prints passes the terminal rule, and a bug ends as one line, not a traceback."""

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
            _say(shown.getvalue(), nl=False)
            sys.exit(error.exit_code)
        except click.exceptions.Abort:
            _say("Aborted!")
            sys.exit(1)
        except KeyboardInterrupt:
            _say("Interrupted.")
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
        try:
            where = terminal_text(str(default_config_path()), lines=False)
        except ConfigError as error:
            where = f"none ({error})"
        formatter.write_paragraph()
        formatter.write_text(f"Config file (theme, keys, views, read delay, sort): {where}")


def _unexpected(error: BaseException) -> None:
    """Stop on an error reader did not expect: one line, the traceback with READER_DEBUG=1."""
    if os.environ.get("READER_DEBUG"):
        raise error
    _say(
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
    ctx.obj = Settings(db_path=db_path, user=_user_name(user))
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


def _echo(text: str, *, nl: bool = True) -> None:
    """Print to standard output, under the terminal rule; a failed write (a full disk)
    is one clean error line.

    A closed pipe (``reader export | head``) is left to click, which exits quietly.
    """
    try:
        click.echo(terminal_text(text), nl=nl)
    except OSError as error:
        if error.errno == errno.EPIPE:
            raise
        raise click.ClickException(
            f"cannot write to standard output: {error.strerror or error}"
        ) from None


def _say(text: str, *, nl: bool = True) -> None:
    """Print a message (progress, a warning, an error) to standard error, under the
    terminal rule."""
    click.echo(terminal_text(text), nl=nl, err=True)


# Far above any feed or export (a million papers as HF JSON is about 2 GB), and
# what stops `reader import /dev/stdin < /dev/zero` before it fills the memory.
MAX_IMPORT_BYTES = 4 * 1024**3
# reader export: written, but some Obsidian files left as they are (conflicts).
EXIT_LEFT_AS_THEY_ARE = 3


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
    from reader.sources.loader import load

    step = _steps()
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
                _echo(f"{label}: no papers in this file ({batch.format}); nothing imported")
                continue
            count = papers_label(len(batch.papers))
            _echo(f"{label}: {count} ({batch.format}): {report.summary()}")


def _steps() -> Callable[[str], None]:
    """Where a long command says what it is doing: a line per step with the time so
    far, on a terminal's stderr only (a pipe or a test sees the result alone)."""
    if not sys.stderr.isatty():
        return lambda step: None
    began = time.monotonic()

    def say(step: str) -> None:
        _say(f"[{time.monotonic() - began:6.1f} s] {step}…")

    return say


# -- fetching over the network -------------------------------------------------


def http_options() -> dict[str, Any]:
    """How to reach the network: the real one. Tests replace this with an
    ``httpx.MockTransport`` and a ``sleep`` that only records how long it was asked to wait."""
    return {}


def _network() -> dict[str, Any]:
    """Retries and slow waits are announced on stderr, so a slow service never looks
    like a hang."""
    return {"on_retry": _say, **http_options()}


def _stopped_early(reasons: list[str]) -> None:
    """After what arrived was saved: a fetch that stopped short says why, and exits 1."""
    if reasons:
        more = f" (and {len(reasons) - 1} more like it)" if len(reasons) > 1 else ""
        raise click.ClickException(reasons[0] + more)


@contextmanager
def progress(label: str, total: int) -> Iterator[Callable[[int], None]]:
    """A progress bar on a terminal's stderr (nothing elsewhere); yields ``advance(n)``."""
    if not sys.stderr.isatty():
        yield lambda steps: None
        return
    with click.progressbar(length=total, label=label, file=sys.stderr) as bar:
        yield bar.update


def _save_fetched(settings: Settings, source: str, papers: list[Paper], skipped: int) -> None:
    """One transaction for everything fetched: all of it lands, or none of it.

    A paper fetched twice (featured on two days of a --days run) counts once, as its
    latest record.
    """
    unique = list({paper.arxiv_id or paper.title_key: paper for paper in papers}.values())
    with opened(settings) as library:
        result = replace(library.import_papers(unique), skipped=skipped)
    _echo(f"{source}: {papers_label(len(unique))}: {result.summary()}")


def _period(
    parse: Callable[[str], object],
) -> Callable[[click.Context, click.Parameter, str | None], str | None]:
    """A click callback that checks a --date/--week/--month value with ``parse``."""

    def check(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            parse(value)
        except ValueError as error:
            raise click.BadParameter(str(error)) from None
        return value

    return check


@main.group("fetch")
def fetch_group() -> None:
    """Fetch papers over the network, from Hugging Face or arXiv."""


@fetch_group.command("hf")
@click.option(
    "--date", "day", callback=_period(parse_day), metavar="YYYY-MM-DD", help="One day's papers."
)
@click.option(
    "--week", callback=_period(parse_week), metavar="YYYY-Www", help="One ISO week's papers."
)
@click.option(
    "--month", callback=_period(parse_month), metavar="YYYY-MM", help="One month's papers."
)
@click.option("--days", type=click.IntRange(1, 366), help="Each of the last N days, today too.")
@click.option(
    "--sort", type=click.Choice(["publishedAt", "trending"]), help="Order the API returns."
)
@click.option(
    "--limit", type=click.IntRange(1), help="At most this many papers (per day with --days)."
)
@click.pass_obj
def fetch_hf_command(
    settings: Settings,
    day: str | None,
    week: str | None,
    month: str | None,
    days: int | None,
    sort: str | None,
    limit: int | None,
) -> None:
    """Hugging Face Daily Papers: the latest day, or the day, week, month or days asked.

    A day without papers (a weekend) is not an error. Base URL: READER_HF_URL.
    """
    from reader.net.hf import fetch_daily, hf_base_url, hf_http
    from reader.net.http import host_label
    from reader.sources.hf_json import parse_hf_json

    chosen = [
        name
        for name, value in (("--date", day), ("--week", week), ("--month", month), ("--days", days))
        if value
    ]
    if len(chosen) > 1:
        raise click.UsageError(f"choose one of {', '.join(chosen)}")
    periods: list[tuple[str | None, str | None, str | None]]
    if days:
        periods = [(d.isoformat(), None, None) for d in days_back(days, date.today())]
    else:
        periods = [(day, week, month)]
    items: list[object] = []
    stops: list[str] = []
    with friendly_errors(), hf_http(**_network()) as http:
        with progress("Fetching Hugging Face papers", len(periods)) as advance:
            for one_day, one_week, one_month in periods:
                fetched = fetch_daily(
                    http, date=one_day, week=one_week, month=one_month, sort=sort, limit=limit
                )
                items.extend(fetched.items)
                if fetched.stopped_early:
                    stops.append(fetched.stopped_early)
                advance(1)
        batch = parse_hf_json(items, source=host_label(hf_base_url()))
    _save_fetched(settings, host_label(hf_base_url()), batch.papers, batch.skipped)
    _stopped_early(stops)


def _not_blank(_ctx: click.Context, param: click.Parameter, value: str) -> str:
    """A click callback: an option that must say something."""
    if not value.strip():
        raise click.BadParameter("is empty; give an arXiv query such as 'cat:cs.LG'")
    return value


@fetch_group.command("arxiv")
@click.option(
    "--query",
    "-q",
    required=True,
    callback=_not_blank,
    help="An arXiv search query, e.g. 'cat:cs.LG'.",
)
@click.option(
    "--max",
    "max_results",
    type=click.IntRange(1, 30000),
    default=100,
    show_default=True,
    help="At most this many papers.",
)
@click.pass_obj
def fetch_arxiv_command(settings: Settings, query: str, max_results: int) -> None:
    """Papers matching an arXiv API query, newest first (one request every 3 seconds).

    Base URL: READER_ARXIV_URL.
    """
    from reader.net.arxiv import arxiv_base_url, arxiv_http, search
    from reader.net.http import host_label

    with friendly_errors(), arxiv_http(**_network()) as http:
        with progress("Fetching from arXiv", max_results) as advance:
            shown = 0

            def fetched(total: int) -> None:
                nonlocal shown
                advance(total - shown)
                shown = total

            result = search(http, query, max_results=max_results, on_page=fetched)
        papers, skipped = _parse_atom_pages(result.items)
    if not papers and not skipped and not result.stopped_early:
        # The feed really ended at once: nothing is wrong, but nothing came either.
        _say(f"{host_label(arxiv_base_url())}: no papers match {query.strip()!r}")
        return
    _save_fetched(settings, host_label(arxiv_base_url()), papers[:max_results], skipped)
    _stopped_early([result.stopped_early] if result.stopped_early else [])


@main.command("add")
@click.argument("papers", nargs=-1, required=True, metavar="ID_OR_URL...")
@click.pass_obj
def add_command(settings: Settings, papers: tuple[str, ...]) -> None:
    """Add papers by arXiv id or URL (2409.11074, arXiv:2409.11074v2, an abs or pdf URL).

    Metadata comes from the arXiv API. All of them are added, or none. A title id
    (t-..., what reader list shows for a paper without an arXiv id) looks that
    paper up on arXiv by its title, and fills in its id when one paper has exactly
    that title.
    """
    from reader.ids import parse_arxiv_id
    from reader.lookup import is_title_id
    from reader.net.arxiv import arxiv_base_url, arxiv_http, by_ids
    from reader.net.http import host_label

    wanted = []
    titles = []
    for text in papers:
        if is_title_id(text):
            titles.append(text.strip().lower())
            continue
        parsed = parse_arxiv_id(text)
        if parsed is None:
            raise click.ClickException(f"{text}: not an arXiv id, URL or title id")
        wanted.append(parsed.id)
    wanted = list(dict.fromkeys(wanted))
    titled, held = _titles_of(settings, list(dict.fromkeys(titles)))
    found: list[Paper] = []
    skipped = 0
    with friendly_errors(), arxiv_http(**_network()) as http:
        if wanted:
            found, skipped = _parse_atom_pages(by_ids(http, wanted))
        found = [paper for paper in found if paper.arxiv_id in wanted]  # only what was asked
        missing = sorted(set(wanted) - {paper.arxiv_id for paper in found})
        if missing:
            raise click.ClickException(f"not found on arXiv: {', '.join(missing)}; nothing added")
        found.extend(_look_up_titles(http, titled, held))
    _save_fetched(settings, host_label(arxiv_base_url()), found, skipped)


def _titles_of(settings: Settings, title_ids: list[str]) -> tuple[list[tuple[str, str]], set[str]]:
    """(title id, title) of the library's papers the ``title_ids`` name, and the
    arXiv ids the library holds (a title found on arXiv as one of them is refused)."""
    if not title_ids:
        return [], set()
    from reader.lookup import papers_with_title_ids

    with opened(settings, create=False) as library:
        listing = library.listing()
        named = papers_with_title_ids(listing, title_ids)
        unknown = [text for text, ids in named.items() if not ids]
        if unknown:
            raise click.ClickException(
                f"no paper without an arXiv id has the title id {', '.join(unknown)} "
                "(reader list shows them); nothing added"
            )
        papers = library.papers_by_id([ids[0] for ids in named.values()])
    held = {paper.arxiv_id for paper in listing if paper.arxiv_id}
    return [(text, paper.title) for text, paper in zip(named, papers, strict=True)], held


def _look_up_titles(http: Http, titled: list[tuple[str, str]], held: set[str]) -> list[Paper]:
    """The arXiv paper with exactly each title; none found for one, or one the
    library holds already as another entry (``held``): an error."""
    from reader.lookup import look_up_title
    from reader.text import shorten

    found = []
    for text, title in titled:
        try:
            match = look_up_title(http, title)
        except ValueError as error:  # a title without a word to search for
            raise click.ClickException(f"{text}: {error}; nothing added") from None
        if match.paper is None:
            what = (
                f"{len(match.same_title)} arXiv papers have that title "
                f"({', '.join(str(p.arxiv_id) for p in match.same_title)}): add one by its id"
                if match.same_title
                else "arXiv has no paper with exactly that title"
            )
            raise click.ClickException(f"{text} “{shorten(title, 60)}”: {what}; nothing added")
        if match.paper.arxiv_id in held:
            raise click.ClickException(
                f"{text} “{shorten(title, 60)}” is arXiv {match.paper.arxiv_id}, which the "
                "library holds already as another entry; nothing added"
            )
        found.append(match.paper)
    return found


def _parse_atom_pages(pages: list[str]) -> tuple[list[Paper], int]:
    from reader.sources.arxiv_atom import parse_arxiv_atom

    papers: list[Paper] = []
    skipped = 0
    with friendly_errors():
        for number, page in enumerate(pages, 1):
            batch = parse_arxiv_atom(page, source=f"arXiv response page {number}")
            papers.extend(batch.papers)
            skipped += batch.skipped
    return papers, skipped


@main.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(EXPORT_FORMATS),
    default="markdown",
    show_default=True,
    help="markdown (one document), obsidian (a folder, a file per paper), json / jsonl "
    "(everything; reader import restores it), csv, bibtex.",
)
@click.option("--user", "export_user", help="Whose papers and notes (same as reader --user).")
@click.option("--starred", is_flag=True, help="Only starred papers.")
@click.option("--noted", is_flag=True, help="Only papers with a note.")
@click.option("--all", "every", is_flag=True, help="Every paper in the library.")
@click.option("--query", "query", metavar="QUERY", help="The papers this filter query finds.")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Write to this file (a folder for obsidian) instead of standard output.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Overwrite the output file if it exists. obsidian: where you and reader both "
    "changed a file, write reader's version over yours (yours is kept below the reader line).",
)
@click.option("--with-notes", is_flag=True, help="bibtex: put each note in an annote field.")
@click.pass_obj
def export_command(
    settings: Settings,
    fmt: str,
    export_user: str | None,
    starred: bool,
    noted: bool,
    every: bool,
    query: str | None,
    output: Path | None,
    force: bool,
    with_notes: bool,
) -> None:
    """Export the user's papers with their stars, read state, tags and notes.

    Default: the starred and noted papers, as Markdown, to standard output. When the
    choice selects no paper, it says so, writes nothing and exits 1 (as grep does).
    An obsidian export that leaves some files as they are (changed in the vault and in
    reader: a conflict) writes the rest, names them and exits 3.
    """
    from reader.export.run import check_request, export, nothing_selected, select

    chosen = [
        name
        for name, given in (
            ("--starred", starred),
            ("--noted", noted),
            ("--all", every),
            ("--query", query is not None),
        )
        if given
    ]
    if len(chosen) > 1:
        raise click.UsageError(
            f"give one of --starred, --noted, --all or --query, not {' and '.join(chosen)}"
        )
    if query is not None and not query.strip():
        raise click.UsageError("--query is empty; leave it out to export starred and noted papers")
    if with_notes and fmt != "bibtex":
        raise click.UsageError(
            "--with-notes is for --format bibtex (the other formats always carry notes)"
        )
    scope = "starred" if starred else "noted" if noted else "all" if every else None
    if export_user:
        settings = Settings(db_path=settings.db_path, user=export_user)
    with friendly_errors():  # before reading anything; the writer checks again
        check_request(fmt, output, force=force, library=settings.db_path)
    with opened(settings, create=False) as library:
        papers, marks = library.papers(), library.annotations(settings.user)
        words = library.words()
        try:
            items = select(
                papers, marks, scope=scope or "starred-or-noted", query=query, words=words
            )
        finally:
            words.close()
    if not items:
        # Exit 1, as grep does when nothing matches: a script's next step must not use
        # an empty export (or an old file), and with --force an empty selection (a
        # typo in the query) would have replaced a good export with nothing.
        _say(nothing_selected(scope=scope or "starred-or-noted", query=query, user=settings.user))
        click.get_current_context().exit(1)
    with friendly_errors():
        outcome = export(
            fmt,
            items,
            output,
            user=settings.user,
            now=datetime.now(UTC),
            force=force,
            with_notes=with_notes,
            library=settings.db_path,
        )
    if outcome.text is not None:
        _echo(outcome.text, nl=False)
    else:
        _say(outcome.message)
    for line in outcome.details:
        _say(line)
    if not outcome.complete:
        # Everything else is written; 3 tells a script that some files were left as
        # they are (the line above names them), as distinct from an error (1).
        click.get_current_context().exit(EXIT_LEFT_AS_THEY_ARE)


class _QueryCommand(click.Command):
    """A command whose free words are a query, so ``-is:read`` is a term, not an option.

    Only the command's own options (and help) are read as options, wherever they
    stand; any other word starting with ``--`` is still an unknown option.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        takes_value: dict[str, bool] = {}
        for param in self.get_params(ctx):
            if isinstance(param, click.Option):
                for name in (*param.opts, *param.secondary_opts):
                    takes_value[name] = not (param.is_flag or param.count)
        options: list[str] = []
        words: list[str] = []
        rest = iter(args)
        for arg in rest:
            if arg == "--":
                words.extend(rest)
                break
            name = arg.split("=", 1)[0]
            if name in takes_value or arg.startswith("--"):
                options.append(arg)
                value = next(rest, None) if takes_value.get(name) and "=" not in arg else None
                if value is not None:
                    options.append(value)
            else:
                words.append(arg)
        return super().parse_args(ctx, [*options, "--", *words])


@main.command("list", cls=_QueryCommand)
@click.argument("query", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array instead of lines.")
@click.option("--limit", type=click.IntRange(1), metavar="N", help="At most N papers.")
@click.pass_obj
def list_command(
    settings: Settings, query: tuple[str, ...], as_json: bool, limit: int | None
) -> None:
    """Print the papers matching QUERY, best first (all of them, newest first, without one).

    QUERY is the filter bar's language: fuzzy words plus terms such as author:NAME,
    author:"FULL NAME", title:WORD, year:2024, before:/after:DATE, tag:NAME,
    is:starred, is:unread, has:note, has:code, upvotes:>10, github:>100 (GitHub
    stars), comments:>5, "an exact phrase", and -TERM to leave out. Protect its
    quotes from the shell:

    \b
        reader list 'author:"Yann LeCun"'

    One paper a line: id, date, upvotes and title, separated by tabs (- when
    unknown); with --json, every field plus the user's starred, read, tags and note.
    The id is the arXiv id, or for a paper without one a title id (t-...) that
    reader add takes to look the paper up on arXiv by its title, and reader remove
    takes too.
    """
    from reader.search import Query, SearchIndex
    from reader.sources.reader_json import paper_to_json
    from reader.text import json_dumps_safe, one_line

    parsed = Query.parse(" ".join(query))
    if not parsed.is_valid:
        raise click.ClickException("; ".join(parsed.errors))
    for hint in parsed.errors:
        _say(f"warning: {hint}")
    with opened(settings, create=False) as library:
        # The order of the ids and the word indexes; the list's columns only when
        # a term needs dates or counts, and the papers found. No abstract is read.
        marks = library.annotations(settings.user)
        words = library.words()
        index = SearchIndex([], words, order=library.order(), load=library.listing)
        try:
            ids = index.search(parsed, marks)[:limit]
        except ValueError as error:
            raise click.ClickException(str(error)) from None
        finally:
            words.close()
        whole = library.papers_by_id(ids) if as_json else []
        found = library.listed_by_id(ids)
    if as_json:
        items = []
        for paper in whole:
            mark = marks.get(paper.id) if paper.id is not None else None
            item = paper_to_json(paper)
            item["starred"] = bool(mark and mark.starred)
            item["read"] = bool(mark and mark.is_read)
            item["tags"] = list(mark.tags) if mark else []
            item["note"] = mark.note if mark else ""
            items.append(item)
        # Escaped, not dropped: C1 controls and bidi overrides are data as well.
        _echo(json_dumps_safe(items, indent=2))
        return
    lines = [
        "\t".join(
            (
                paper.short_id,
                paper.published or "-",
                "-" if paper.upvotes is None else str(paper.upvotes),
                one_line(paper.title),
            )
        )
        for paper in found
    ]
    if lines:
        _echo("\n".join(lines))


# -- removing papers -------------------------------------------------------------


def _stdin_is_terminal() -> bool:
    """Whether a question can be asked (tests say yes to feed the answer)."""
    return sys.stdin.isatty()


def _confirm(lines: Sequence[str], ids: Sequence[int]) -> bool:
    """Ask the question ``lines`` end with (about removing ``ids``), on standard
    error; True for yes."""
    if not _stdin_is_terminal():
        raise click.ClickException(
            f"cannot ask before removing {papers_label(len(ids))}: standard input is not a "
            "terminal; add --yes to remove them without asking"
        )
    *before, question = lines
    for line in before:
        _say(line)
    _say(f"{question} [y/N] ", nl=False)
    answer = sys.stdin.readline()
    if not answer.endswith("\n"):
        _say("")  # end of input: the next line starts on a line of its own
    return answer.strip().lower() in ("y", "yes")


def _found_by(library: Library, text: str, user: str) -> list[int]:
    """The papers the filter query ``text`` finds (as ``reader list`` does), best first."""
    from reader.search import Query, SearchIndex

    parsed = Query.parse(text)
    if not parsed.is_valid:
        raise click.ClickException("; ".join(parsed.errors))
    for hint in parsed.errors:
        _say(f"warning: {hint}")
    words = library.words()
    try:
        index = SearchIndex([], words, order=library.order(), load=library.listing)
        return index.search(parsed, library.annotations(user))
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    finally:
        words.close()


@main.command("remove")
@click.argument("papers", nargs=-1, metavar="[ID...]")
@click.option("--query", "query", metavar="QUERY", help="The papers this filter query finds.")
@click.option("--sample", is_flag=True, help="The papers of the bundled sample.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask first (needed off a terminal).")
@click.option("--force", is_flag=True, help="Remove papers that hold notes too, notes and all.")
@click.pass_obj
def remove_command(
    settings: Settings,
    papers: tuple[str, ...],
    query: str | None,
    sample: bool,
    yes: bool,
    force: bool,
) -> None:
    """Remove papers from the library, with everyone's stars, tags and notes on them.

    ID is an arXiv id in any form (2409.11074, arXiv:2409.11074v2, an abs or pdf
    URL) or, for a paper without one, the title id (t-...) that `reader list`
    shows. It asks first; --yes does not (and is needed when
    standard input is not a terminal). Papers that hold anyone's note are refused
    unless --force. --sample removes the bundled sample's papers but those with
    notes (all of them with --force). There is no undo here (z undoes a removal
    in the app): `reader export --format json --all -o backup.json` keeps a copy.
    """
    from reader.removal import notes_of, plan, question_lines
    from reader.store import PapersNoted

    chosen = [
        name
        for name, given in (("ID", papers), ("--query", query is not None), ("--sample", sample))
        if given
    ]
    if not chosen:
        raise click.UsageError("name the papers to remove: IDs, --query QUERY or --sample")
    if len(chosen) > 1:
        raise click.UsageError(f"give one of IDs, --query or --sample, not {' and '.join(chosen)}")
    if query is not None and not query.strip():
        raise click.UsageError("--query is empty: it would remove every paper")
    what = "sample " if sample else ""
    with opened(settings, create=False) as library:
        if library.read_only:
            raise click.ClickException(f"{library.read_only}; nothing removed")
        ids = _to_remove(library, settings.user, papers, query)
        if not ids:
            _echo("No sample papers in the library; nothing removed.")
            return
        noted: Noted = "remove" if force else "keep" if sample else "refuse"
        found = plan(library, ids, noted=noted)
        if found.held.noted and not force:
            count = len(found.held.noted)
            raise click.ClickException(
                f"{count} of these papers {'holds' if count == 1 else 'hold'} notes, by "
                f"{notes_of(found.held)}; nothing removed (--force removes them, notes and all)"
            )
        if not found.ids:
            _echo(f"{_kept(found.kept, found.kept_held)}; nothing removed.")
            return
        if not yes and not _confirm(question_lines(found, what=what), found.ids):
            _say("Nothing removed.")
            sys.exit(1)
        try:
            removed = library.remove_papers(found.ids, noted=noted)
        except PapersNoted as error:  # a note written meanwhile, in another window
            raise click.ClickException(
                f"{notes_of(error.held)} wrote notes on these papers meanwhile; nothing removed"
            ) from None
        done = f"Removed {len(removed.ids)} {what}paper{'' if len(removed.ids) == 1 else 's'}"
        left = (*found.kept, *removed.kept)
        if left:
            done += f"; {_kept(left, library.held(left))}"
    _echo(f"{done}.")


def _kept(ids: Sequence[int], held: Held) -> str:
    """ "1 paper with notes stays, by bob (1 note) (--force removes it too)"."""
    from reader.removal import kept_line

    return f"{kept_line(ids, held)} (--force removes {'it' if len(ids) == 1 else 'them'} too)"


def _to_remove(library: Library, user: str, names: Sequence[str], query: str | None) -> list[int]:
    """The papers ``reader remove`` is asked to remove: named, found by ``query``, or
    (neither) the sample's."""
    from reader.removal import UnknownPaper, paper_ids

    if query is not None:
        ids = _found_by(library, query, user)
        if not ids:
            raise click.ClickException(f"no paper matches “{query}”; nothing removed")
        return ids
    if names:
        try:
            return paper_ids(library, names)
        except UnknownPaper as error:
            raise click.ClickException(str(error)) from None
    return library.sample_ids()
