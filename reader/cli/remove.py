"""``reader remove``: papers out of the library, asking first, never a note unasked."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

import click

from reader.cli.common import Settings, echo, opened, say
from reader.models import papers_label

if TYPE_CHECKING:
    from reader.store import Held, Library
    from reader.store.removal import Noted


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
        say(line)
    say(f"{question} [y/N] ", nl=False)
    answer = sys.stdin.readline()
    if not answer.endswith("\n"):
        say("")  # end of input: the next line starts on a line of its own
    return answer.strip().lower() in ("y", "yes")


def _found_by(library: Library, text: str, user: str) -> list[int]:
    """The papers the filter query ``text`` finds (as ``reader list`` does), best first."""
    from reader.asked import asked
    from reader.search import Query, SearchIndex

    parsed = Query.parse(text)
    if not parsed.is_valid:
        raise click.ClickException("; ".join(parsed.errors))
    for hint in parsed.errors:
        say(f"warning: {hint}")
    words = library.words()
    try:
        index = SearchIndex([], words, order=library.order(), load=library.listing)
        # is:new, is:updated and is:inbox as reader list answers them.
        needs = asked(library, user, parsed)
        marks = library.annotations(user)
        return index.search(parsed, marks, None, needs.new, needs.lab, updated=needs.updated)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    finally:
        words.close()


@click.command("remove")
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
            echo("No sample papers in the library; nothing removed.")
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
            echo(f"{_kept(found.kept, found.kept_held)}; nothing removed.")
            return
        if not yes and not _confirm(question_lines(found, what=what), found.ids):
            say("Nothing removed.")
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
    echo(f"{done}.")


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
