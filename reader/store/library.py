"""The library: one SQLite file of papers and each user's annotations.

With the rest of reader.store, the only code that speaks SQL. The store by job:
:mod:`~reader.store.opening` opens a file (and refuses what is not a library),
:mod:`~reader.store.migrate` brings its schema up to date,
:mod:`~reader.store.connection` reads and writes it in transactions,
:mod:`~reader.store.annotations` holds each user's marks and drafts,
:mod:`~reader.store.imports` brings papers in, as :mod:`~reader.store.merge`
(pure) works out, and :mod:`~reader.store.rows` reads rows for them all.
:class:`Library` is all of it as one object: what the rest of reader uses.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress

from reader.models import Annotation, ImportResult, ListedPaper, Paper, PaperUpdate
from reader.store import clock, decisions, found, imports, inbox, lab, removal, typed, updates
from reader.store import rules as rule_hits
from reader.store.annotations import Annotations
from reader.store.errors import LibraryError
from reader.store.inbox import Mark
from reader.store.lab import LabMark
from reader.store.merge import MarksResult
from reader.store.removal import Held, Noted, Removed
from reader.store.rows import (
    IDS_IN_JSON,
    LISTED_COLUMNS,
    LISTED_DATES,
    LISTING_ORDER,
    PAPER_COLUMNS,
    author_counts,
    column,
    id_list,
    listing,
    order,
    paper_from_row,
    papers_by_id,
    papers_json,
    uncollected,
)
from reader.store.words import Words

__all__ = ["INBOX", "LabMark", "Library", "MarksResult"]

# The view whose last look is:new counts from.
INBOX = "inbox"
# The time of the mark of an empty library: before any paper came.
_BEFORE_ALL = "0001-01-01T00:00:00+00:00"


class Library(Annotations):
    """A library file, open. Use :func:`~reader.store.opening.open_library` to get one."""

    # -- changes by others -----------------------------------------------------

    def data_version(self) -> int:
        """A number that changes whenever another connection (another reader, a
        ``reader fetch`` from cron) commits a change to the file."""
        row = self._row("PRAGMA data_version")
        return int(row[0]) if row else 0

    def papers_version(self) -> str | None:
        """A mark that changes whenever papers are added or changed."""
        return self.get_meta("papers_changed")

    # -- papers ---------------------------------------------------------------

    def is_empty(self) -> bool:
        """Whether the library holds no paper: one entry of a small index looked for,
        not every paper counted (nor a page of abstracts read)."""
        return self._row("SELECT 1 FROM papers INDEXED BY papers_published LIMIT 1") is None

    def count(self) -> int:
        row = self._row("SELECT count(*) FROM papers")
        return int(row[0]) if row else 0

    def papers(self) -> list[Paper]:
        """Every paper, newest first (papers without a date last, then by title)."""
        with uncollected():
            rows = self._rows(
                f"SELECT {PAPER_COLUMNS} FROM papers "
                "ORDER BY published IS NULL, published DESC, title COLLATE NOCASE"
            )
            return [paper_from_row(row) for row in rows]

    def paper(self, paper_id: int) -> Paper | None:
        row = self._row(f"SELECT {PAPER_COLUMNS} FROM papers WHERE id = ?", (paper_id,))
        return paper_from_row(row) if row else None

    def papers_by_id(self, paper_ids: Sequence[int]) -> list[Paper]:
        """The papers with these ids, whole, in the order given (unknown ids skipped)."""
        try:
            return papers_by_id(self._conn, paper_ids)
        except sqlite3.Error as error:
            raise LibraryError(f"cannot read library {self._where}: {error}") from None

    def papers_json(
        self,
        paper_ids: Sequence[int],
        fields: Sequence[str],
        template: str,
        lists: tuple[str, str, str],
    ) -> dict[int, bytes]:
        """The papers with these ids, by id, as JSON text SQLite writes into
        ``template`` (see :func:`reader.store.rows.papers_json`)."""
        try:
            return papers_json(self._conn, paper_ids, fields, template, lists)
        except sqlite3.Error as error:
            raise LibraryError(f"cannot read library {self._where}: {error}") from None

    @contextmanager
    def reading(self) -> Iterator[None]:
        """One read transaction: every read in the body sees the library as it was
        at the first, whatever other processes write meanwhile (an export read a few
        hundred papers at a time)."""
        if self._conn.in_transaction:
            yield  # inside a transaction already: it holds still
            return
        try:
            self._conn.execute("BEGIN")
        except sqlite3.Error as error:
            raise LibraryError(f"cannot read library {self._where}: {error}") from None
        try:
            yield
        except BaseException:
            # Ended as it may (a damaged file): why the body failed is what to say.
            with suppress(sqlite3.Error):
                self._conn.execute("ROLLBACK")
            raise
        try:
            self._conn.execute("COMMIT")
        except sqlite3.Error as error:
            raise LibraryError(f"cannot read library {self._where}: {error}") from None

    def listing(self, limit: int | None = None) -> list[ListedPaper]:
        """Every paper (or the first ``limit``) in :meth:`papers` order, as the list
        shows it: no abstract, no authors (:meth:`paper` has them). Read from an
        index that holds these columns, so a large library's abstracts are not
        read at all. :meth:`Words.listing` reads the same from another thread."""
        try:
            return listing(self._conn, limit)
        except sqlite3.Error as error:
            raise LibraryError(f"cannot read library {self._where}: {error}") from None

    def order(self) -> list[int]:
        """The ids of :meth:`listing`, alone: a search that shows a few papers
        needs no more of the others."""
        try:
            return order(self._conn)
        except sqlite3.Error as error:
            raise LibraryError(f"cannot read library {self._where}: {error}") from None

    def listed_by_id(self, paper_ids: Sequence[int]) -> list[ListedPaper]:
        """:meth:`listing`'s rows of these papers, in the order given."""
        found = {
            row[0]: ListedPaper._make(row)
            for row in typed.dated(
                self._rows(
                    f"SELECT {LISTED_COLUMNS} FROM papers WHERE id IN {IDS_IN_JSON}",
                    (id_list(paper_ids),),
                ),
                LISTED_DATES,
            )
        }
        return [found[paper_id] for paper_id in paper_ids if paper_id in found]

    def listed_among(
        self, paper_ids: Collection[int], limit: int | None = None
    ) -> list[ListedPaper]:
        """:meth:`listing`'s rows of these papers, in its order (the first ``limit``)."""
        try:
            return found.listed_among(self._conn, paper_ids, limit)
        except sqlite3.Error as error:
            raise LibraryError(f"cannot read library {self._where}: {error}") from None

    def listed_ranked(
        self, groups: Sequence[Collection[int]], limit: int | None = None
    ) -> Iterator[list[ListedPaper]]:
        """:meth:`listing`'s rows of each group of papers in turn, each in its order
        (the first ``limit`` rows in all), a group at a time."""
        try:
            yield from found.listed_ranked(self._conn, groups, limit)
        except sqlite3.Error as error:
            raise LibraryError(f"cannot read library {self._where}: {error}") from None

    def listed_except(
        self, paper_ids: Collection[int], limit: int | None = None
    ) -> list[ListedPaper]:
        """:meth:`listing` without these papers (the first ``limit`` rows)."""
        try:
            return found.listed_except(self._conn, paper_ids, limit)
        except sqlite3.Error as error:
            raise LibraryError(f"cannot read library {self._where}: {error}") from None

    def authors_of(self, paper_ids: Sequence[int]) -> dict[int, tuple[tuple[str, ...], int | None]]:
        """Each of these papers' author names and author count, in one query: what
        the list's authors column needs for the rows on screen, which
        :meth:`listing` leaves out. Names are empty when an import knew only the
        count ("7 authors"); unknown ids are left out."""
        found = self._rows(
            f"SELECT id, {column('authors')}, {column('author_count')} FROM papers "
            f"WHERE id IN {IDS_IN_JSON}",
            (id_list(paper_ids),),
        )
        return {paper_id: (typed.strings(text), count) for paper_id, text, count in found}

    # -- the inbox ----------------------------------------------------------------

    def looked(self, user: str, view: str = INBOX) -> Mark | None:
        """How far ``user`` had looked at ``view`` (the inbox) when they last marked
        it done; None: never (see :mod:`reader.store.inbox`)."""
        try:
            return inbox.looked(self._conn, user, view)
        except sqlite3.Error as error:
            raise LibraryError(f"cannot read library {self._where}: {error}") from None

    def mark_looked(self, user: str, view: str = INBOX) -> tuple[Mark | None, Mark | None]:
        """Move ``user``'s mark on ``view`` past every paper the library holds now
        and every update of one: (the mark before, the mark now). The papers that come
        in later are new, and the updates made later are unseen."""
        with self.transaction():
            before = inbox.looked(self._conn, user, view)
            now = inbox.newest(self._conn) or before
            if now is not None:
                now = now._replace(seen_at=clock.now())
            inbox.set_looked(self._conn, user, view, now)
        return before, now

    def set_looked(self, user: str, view: str, mark: Mark | None) -> None:
        """Put ``user``'s mark on ``view`` back at ``mark`` (an undo; None: never looked)."""
        with self.transaction():
            inbox.set_looked(self._conn, user, view, mark)

    def new_since(self, mark: Mark | None) -> set[int] | None:
        """The papers that came in after ``mark``; None (every paper) when ``mark`` is."""
        if mark is None:
            return None
        try:
            return inbox.since(self._conn, mark)
        except sqlite3.Error as error:
            raise LibraryError(f"cannot read library {self._where}: {error}") from None

    def updates_since(self, mark: Mark | None) -> dict[int, tuple[PaperUpdate, ...]]:
        """The paper updates made after ``mark`` (None: every one), by paper: what the
        inbox shows of the user's starred papers (see :mod:`reader.store.updates`)."""
        try:
            if mark is None:
                return updates.since(self._conn, None)
            return updates.since(self._conn, mark.last_update)
        except sqlite3.Error as error:
            raise LibraryError(f"cannot read library {self._where}: {error}") from None

    def updates_from(self, day: str) -> dict[int, tuple[PaperUpdate, ...]]:
        """The paper updates made on ``day`` (YYYY-MM-DD) or later, by paper."""
        try:
            return updates.from_day(self._conn, day)
        except sqlite3.Error as error:
            raise LibraryError(f"cannot read library {self._where}: {error}") from None

    def updates_of(self, paper_ids: Sequence[int]) -> dict[int, tuple[PaperUpdate, ...]]:
        """Every update of these papers, by paper, oldest first."""
        try:
            return updates.of_papers(self._conn, paper_ids)
        except sqlite3.Error as error:
            raise LibraryError(f"cannot read library {self._where}: {error}") from None

    def added(self, paper_ids: list[int]) -> dict[int, str]:
        """When each of these papers came into the library (ISO timestamps)."""
        try:
            return inbox.added(self._conn, paper_ids)
        except sqlite3.Error as error:
            raise LibraryError(f"cannot read library {self._where}: {error}") from None

    def added_from(self, day: str) -> set[int]:
        """The papers that came in on ``day`` (YYYY-MM-DD) or later."""
        try:
            return inbox.added_from(self._conn, day)
        except sqlite3.Error as error:
            raise LibraryError(f"cannot read library {self._where}: {error}") from None

    # -- rules ----------------------------------------------------------------------

    def newest(self) -> Mark:
        """The mark of the library as it is now: the papers that come in later are
        new to it (an empty library's: every paper is)."""
        try:
            mark = inbox.newest(self._conn) or Mark("", 0)
        except sqlite3.Error as error:
            raise LibraryError(f"cannot read library {self._where}: {error}") from None
        # Before every paper (a mark's time must read as one).
        return mark._replace(at=mark.at or _BEFORE_ALL)

    def act_on_rules(
        self,
        user: str,
        hits: Sequence[tuple[str, int, str]],
        marks: Mapping[str, Mark],
    ) -> list[tuple[str, int, str]]:
        """In one transaction: make each (rule key, paper id, action) of ``user``'s
        rules that was not made before (see :mod:`reader.store.rules`), and put
        ``user``'s mark on each view of ``marks`` (``rule:KEY``: how far that rule
        has looked). The hits that were new."""
        with self.transaction():
            made = rule_hits.act(self._conn, user, hits, clock.now()) if hits else []
            for view, mark in marks.items():
                inbox.set_looked(self._conn, user, view, mark)
        return made

    def rule_counts(self, user: str) -> dict[str, dict[str, int]]:
        """How many papers each of ``user``'s rules acted on, by rule key: per action,
        and under "" in all."""
        try:
            return rule_hits.counts(self._conn, user)
        except sqlite3.Error as error:
            raise LibraryError(f"cannot read library {self._where}: {error}") from None

    def rule_hits_of(self, user: str, paper_id: int) -> list[tuple[str, str, str]]:
        """What ``user``'s rules did to a paper: (rule key, action, when), oldest first."""
        try:
            return rule_hits.hits_of(self._conn, user, paper_id)
        except sqlite3.Error as error:
            raise LibraryError(f"cannot read library {self._where}: {error}") from None

    def rule_hidden(self, user: str) -> set[int]:
        """The papers ``user`` has not dismissed themselves, only a hide rule did."""
        try:
            return rule_hits.hidden(self._conn, user)
        except sqlite3.Error as error:
            raise LibraryError(f"cannot read library {self._where}: {error}") from None

    def words(self) -> Words:
        """The word indexes, read through a connection of their own (see :class:`Words`)."""
        if self.path is None:
            return Words(None, self._conn)
        return Words(self.path, uri=self._read_uri, writable=self.read_only is None)

    def import_papers(self, papers: Iterable[Paper], *, sample: bool = False) -> ImportResult:
        """Add new papers and update known ones, all in one transaction.

        A paper is known by its arXiv id, or by its normalised title when either
        side has no id (then the id is filled in). Incoming metadata wins where it
        is present (see :func:`~reader.store.merge.merge_paper`); annotations are
        never touched. The papers are marked as the bundled sample's with
        ``sample``; without, any sample paper among them is the user's from now on.
        """
        result, _marks = self.import_papers_with_marks(list(papers), "", {}, sample=sample)
        return result

    def import_papers_with_marks(
        self,
        papers: Sequence[Paper],
        user: str,
        marks: Mapping[int, Annotation],
        *,
        on_step: Callable[[str], None] | None = None,
        sample: bool = False,
    ) -> tuple[ImportResult, MarksResult]:
        """Import ``papers`` as :meth:`import_papers` does and merge ``user``'s marks
        on them: all of it, or (an error, the process killed) none of it.

        ``marks`` holds the marks to bring in, keyed by the position of their paper
        in ``papers`` (their ``paper_id`` is not read: the import finds the row).
        ``on_step`` hears what is being done, for a progress line on a large import.
        Where the user has no annotation of the paper, the mark is written as it
        is. Where they have one, nothing of it is lost: starred if either is,
        the first read time kept, the new tags after the old ones, and the note
        kept unless it is blank. Two different notes keep the library's and count
        a conflict. Marks already held change nothing, so a second import of the
        same file writes nothing. Fields too long are cut to size first, as the
        result says (see :mod:`reader.limits`).

        More than a thousand papers are written in chunks, each its own short
        transaction (see :mod:`reader.store.journal`): other processes write in
        between and see the papers arrive, and what the import did is undone if
        it does not finish.
        """
        return imports.import_with_marks(self, papers, user, marks, on_step=on_step, sample=sample)

    def import_stream(
        self, papers: Iterable[Paper], user: str, *, on_step: Callable[[str], None] | None = None
    ) -> ImportResult:
        """Import ``papers`` as they are read, a chunk at a time (a file streamed): as
        :meth:`import_papers_with_marks` does, without marks, all or none of them,
        and an error raised while they are read undoes what was written."""
        return imports.import_stream(self, papers, user, on_step=on_step)

    def author_counts(self, paper_ids: Sequence[int], limit: int) -> list[tuple[str, int]]:
        """The ``limit`` names found most often among the authors of ``paper_ids``,
        with how many of those papers each is on: most first, ties by name.
        (:meth:`Words.author_counts` reads the same from another thread.)"""
        try:
            return author_counts(self._conn, paper_ids, limit)
        except sqlite3.Error as error:
            raise LibraryError(f"cannot read library {self._where}: {error}") from None

    def annotated(self, user: str) -> list[tuple[Paper, Annotation]]:
        """``user``'s starred or noted papers with their annotations, newest first."""
        marks = self.annotations(user)
        return [(paper, marks[paper.id]) for paper in self.papers() if paper.id in marks]

    # -- removing papers ---------------------------------------------------------

    def held(self, paper_ids: Sequence[int]) -> Held:
        """What every user holds on these papers: notes (and drafts), stars, tags."""
        try:
            return removal.held(self._conn, paper_ids)
        except sqlite3.Error as error:
            raise LibraryError(f"cannot read library {self._where}: {error}") from None

    def remove_papers(self, paper_ids: Sequence[int], *, noted: Noted = "refuse") -> Removed:
        """Remove these papers (those still in the library) in one transaction, with
        their word-index entries, every user's annotations and drafts of them;
        what :meth:`restore_papers` needs to put them back. Papers holding anyone's
        note are refused (:class:`~reader.store.removal.PapersNoted`, nothing
        removed), left in place (``"keep"``) or removed too (``"remove"``)."""
        with self.transaction():
            return removal.remove(self._conn, paper_ids, noted=noted)

    def restore_papers(self, removed: Removed) -> None:
        """Undo :meth:`remove_papers`: the papers back under their row ids, with
        everyone's annotations and drafts as they were; refused whole
        (:class:`~reader.store.removal.NotRestored`) when an import has brought one
        of them back since."""
        with self.transaction():
            removal.restore(self._conn, removed)

    def sample_ids(self) -> list[int]:
        """The papers from the bundled sample (that no other import brought), in
        :meth:`listing` order."""
        rows = self._rows(
            "SELECT id FROM papers INDEXED BY papers_listing "
            "WHERE id IN (SELECT paper_id FROM sample_papers) "
            f"ORDER BY {LISTING_ORDER}"
        )
        return [paper_id for (paper_id,) in rows]

    def ids_of_arxiv_ids(self, arxiv_ids: Sequence[str]) -> dict[str, int]:
        """The row id of each of these arXiv ids (without version) in the library."""
        rows = self._rows(
            f"SELECT {typed.text('arxiv_id')}, id FROM papers WHERE arxiv_id IN {IDS_IN_JSON}",
            (id_list(arxiv_ids),),
        )
        return {arxiv_id: paper_id for arxiv_id, paper_id in rows}

    # -- triage mode's decisions ------------------------------------------------

    def log_decision(self, user: str, paper_id: int, action: str, seconds: float) -> None:
        """Set down a decision made in triage mode (see :mod:`reader.store.decisions`)."""
        with self.transaction():
            decisions.log(self._conn, user, paper_id, action, seconds)

    def forget_decision(self, user: str, paper_id: int) -> None:
        """Take back ``user``'s last decision on ``paper_id`` (undone in triage mode)."""
        with self.transaction():
            decisions.forget(self._conn, user, paper_id)

    def decisions(self, user: str, since: str | None = None) -> list[tuple[str, float]]:
        """``user``'s triage decisions: (when, seconds the paper was on show)."""
        try:
            return decisions.of(self._conn, user, since)
        except sqlite3.Error as error:
            raise LibraryError(f"cannot read library {self._where}: {error}") from None

    # -- the lab ------------------------------------------------------------------

    def join_lab(self, user: str, *, private: bool) -> None:
        """Keep ``user``'s marks from the lab's other users, or stop (``[lab] private``
        in their config); written only when it changes (a user never set down shares
        their marks), and not at all in a library opened read-only."""
        if self.read_only:
            return
        try:
            # A user set down nowhere shares their marks: nothing to write for them.
            if bool(lab.is_private(self._conn, user)) == private:
                return
        except sqlite3.Error as error:
            raise LibraryError(f"cannot read library {self._where}: {error}") from None
        with self.transaction():
            lab.join(self._conn, user, private)

    def lab_stars(self, user: str) -> dict[int, tuple[str, ...]]:
        """Who starred each paper, of the users ``user`` may see, ``user`` included
        (see :mod:`reader.store.lab`)."""
        try:
            return lab.stars(self._conn, user)
        except sqlite3.Error as error:
            raise LibraryError(f"cannot read library {self._where}: {error}") from None

    def lab_starred_since(self, user: str, since: str | None) -> set[int]:
        """The papers a lab mate of ``user`` starred after ``since`` (None: ever)."""
        try:
            return lab.starred_since(self._conn, user, since)
        except sqlite3.Error as error:
            raise LibraryError(f"cannot read library {self._where}: {error}") from None

    def lab_marks(self, user: str, paper_id: int) -> list[LabMark]:
        """What the others ``user`` may see marked on ``paper_id``: stars, tags and
        the notes they shared."""
        try:
            return lab.marks_on(self._conn, user, paper_id)
        except sqlite3.Error as error:
            raise LibraryError(f"cannot read library {self._where}: {error}") from None

    def share_note(self, user: str, paper_id: int, shared: bool) -> bool:
        """Share ``user``'s note on ``paper_id`` with the lab, or stop sharing it:
        whether there was a note to share."""
        with self.transaction():
            return lab.share_note(self._conn, user, paper_id, shared)

    def shared_notes(self, user: str, paper_ids: Sequence[int] | None = None) -> set[int]:
        """The papers (of ``paper_ids``, or all) whose note ``user`` shares with the lab."""
        try:
            return lab.shared_notes(self._conn, user, paper_ids)
        except sqlite3.Error as error:
            raise LibraryError(f"cannot read library {self._where}: {error}") from None

    def lab_others_marked(self, user: str) -> bool:
        """Whether another user ``user`` may see has starred, tagged or shared a note."""
        try:
            return lab.others_marked(self._conn, user)
        except sqlite3.Error as error:
            raise LibraryError(f"cannot read library {self._where}: {error}") from None

    def lab_stamp(self, user: str) -> tuple[object, ...]:
        """Changes when another user's marks or the lab's members change."""
        try:
            return lab.stamp(self._conn, user)
        except sqlite3.Error as error:
            raise LibraryError(f"cannot read library {self._where}: {error}") from None

    def lab_members(self) -> list[tuple[str, bool]]:
        """The lab's members: (name, keeps their marks private)."""
        try:
            return lab.members(self._conn)
        except sqlite3.Error as error:
            raise LibraryError(f"cannot read library {self._where}: {error}") from None
