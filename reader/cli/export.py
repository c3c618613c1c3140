"""``reader export``: one user's papers and notes out, as a file or on standard output."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import click

from reader.cli.common import Settings, echo, friendly_errors, opened, say
from reader.export.run import FORMATS as EXPORT_FORMATS

# reader export: written, but some Obsidian files left as they are (conflicts).
EXIT_LEFT_AS_THEY_ARE = 3


@click.command("export")
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
    from reader.export.run import check_request, export, export_json, nothing_selected
    from reader.export.scope import ids_to_export, papers_to_export
    from reader.store.rows import uncollected

    flags = [
        name
        for name, given in (
            ("--starred", starred),
            ("--noted", noted),
            ("--all", every),
            ("--query", query is not None),
        )
        if given
    ]
    if len(flags) > 1:
        raise click.UsageError(
            f"give one of --starred, --noted, --all or --query, not {' and '.join(flags)}"
        )
    if query is not None and not query.strip():
        raise click.UsageError("--query is empty; leave it out to export starred and noted papers")
    if with_notes and fmt != "bibtex":
        raise click.UsageError(
            "--with-notes is for --format bibtex (the other formats always carry notes)"
        )
    scope = "starred" if starred else "noted" if noted else "all" if every else "starred-or-noted"
    if export_user:
        settings = replace(settings, user=export_user)
    with friendly_errors():  # before reading anything; the writer checks again
        check_request(fmt, output, force=force, library=settings.db_path)
    # Hundreds of thousands of objects made and none in a cycle: the collector would
    # walk them again and again for nothing (a fifth of a whole library's export).
    # JSON is read as it is written (no Paper made of each row: a third of the time),
    # so the library stays open, in one read transaction, till it is written.
    with uncollected(), opened(settings, create=False) as library, library.reading():
        if fmt == "json" and query is None:
            chosen, marks = ids_to_export(library, settings.user, scope=scope)
            count = len(chosen)
        else:
            items = papers_to_export(library, settings.user, scope=scope, query=query)
            count = len(items)
        if not count:
            # Exit 1, as grep does when nothing matches: a script's next step must not use
            # an empty export (or an old file), and with --force an empty selection (a
            # typo in the query) would have replaced a good export with nothing.
            say(nothing_selected(scope=scope, query=query, user=settings.user))
            click.get_current_context().exit(1)
        with friendly_errors():
            if fmt == "json" and query is None:
                outcome = export_json(
                    library,
                    chosen,
                    marks,
                    output,
                    user=settings.user,
                    now=datetime.now(UTC),
                    force=force,
                    library_file=settings.db_path,
                    write=lambda piece: echo(piece, nl=False),
                )
            else:
                outcome = export(
                    fmt,
                    items,
                    output,
                    user=settings.user,
                    now=datetime.now(UTC),
                    force=force,
                    with_notes=with_notes,
                    library=settings.db_path,
                    write=lambda piece: echo(piece, nl=False),
                )
    if outcome.message:
        say(outcome.message)
    for line in outcome.details:
        say(line)
    if not outcome.complete:
        # Everything else is written; 3 tells a script that some files were left as
        # they are (the line above names them), as distinct from an error (1).
        click.get_current_context().exit(EXIT_LEFT_AS_THEY_ARE)
