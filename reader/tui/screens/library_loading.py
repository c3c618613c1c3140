"""The library screen's papers: read in pages, read again on a change, taken out
and put back."""

from __future__ import annotations

import gc
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from textual import on, work
from textual.message import Message

from reader.models import ListedPaper
from reader.search import Query, SearchIndex
from reader.store import LibraryError
from reader.tui.screens.library_base import LibraryBase
from reader.tui.widgets.paper_list import Authors, PaperList

# From this many papers, the heap as it is once they are read is frozen (see _loaded).
FREEZE_FROM = 20_000


class LoadingPart(LibraryBase):
    """Reads the library's rows and keeps the list and the search index in step."""

    # Whether this screen froze the collector's view of the heap (once: see _loaded).
    _heap_frozen = False

    @dataclass
    class Loaded(Message, namespace="library_screen"):
        """Every paper of a large library, read off the UI thread after its first page."""

        papers: list[ListedPaper]
        generation: int

    @dataclass
    class IdsRead(Message, namespace="library_screen"):
        """Every id of a large library, in order, read before their rows: the list
        holds them all at once, and reads the rows on screen itself."""

        ids: list[int]
        generation: int

    def reload(self, *, first_page: int | None = None) -> None:
        """Read the library again and rebuild the search index (once per change).

        With ``first_page``, a larger library shows that many rows at once and
        reads the rest in a worker (:meth:`_loaded` takes them).
        """
        try:
            page = self.triage.read(first_page)
        except LibraryError as error:
            # Nothing can be shown from a library we cannot read: stop with a clear line.
            self._fail(str(error))
            return
        self._generation += 1
        self._loading = page.remaining
        self._apply(page.papers)
        if page.remaining is not None:
            self._load_rest(self._generation, ids_first=True)

    @work(thread=True, group="load", exit_on_error=False)
    def _load_rest(self, generation: int, *, ids_first: bool = False) -> None:
        try:
            if ids_first:
                self.post_message(self.IdsRead(self._words.order(), generation))
            papers = self._words.listing()
        except LibraryError as error:
            self.post_message(self.Failed(str(error)))
            return
        self.post_message(self.Loaded(papers, generation))

    @on(IdsRead)
    def _ids_read(self, event: IdsRead) -> None:
        if event.generation != self._generation or self._loading is None:
            return
        # The whole list in its order; the filter and the sorts, which need the
        # rows' dates and counts, wait for them (see _loaded).
        self._order = event.ids
        self._position = {paper_id: i for i, paper_id in enumerate(self._order)}
        self._refilter()

    def _rows_of(self, paper_ids: Sequence[int]) -> list[ListedPaper]:
        """The list's rows of these papers, for the rows on screen it holds the ids of
        alone (see IdsRead)."""
        try:
            return self.library.listed_by_id(paper_ids)
        except LibraryError:
            return []  # their rows stay blank; the detail pane says what is wrong

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        if event.generation != self._generation:
            return  # the library was read again since, by reload()
        self._loading = None
        self._apply(event.papers)
        if len(event.papers) >= FREEZE_FROM and not self._heap_frozen:
            # The rows just read live as long as the screen: leave them out of the
            # collector's full passes, which at 100,000 papers took ~170 ms each, one
            # every ten keys or so (the rows are freed as usual when dropped: they
            # hold no cycles).
            self._heap_frozen = True
            gc.freeze()

    def _authors_of(self, paper_ids: Sequence[int]) -> Mapping[int, Authors]:
        """Author names and counts for the list's authors column (the rows on screen)."""
        try:
            return self.library.authors_of(paper_ids)
        except LibraryError:
            return {}  # the column stays blank; the detail pane says what is wrong

    def on_unmount(self) -> None:
        self._words.close()
        if self._ranking_words is not None:
            self._ranking_words.close()
        if self._heap_frozen:
            gc.unfreeze()  # whatever was frozen can be collected again

    def _apply(self, papers: list[ListedPaper]) -> None:
        """Show ``papers`` with the annotations read, refiltered, and index them."""
        self._papers = {paper.id: paper for paper in papers}
        self._order = list(self._papers)
        self._position = {paper_id: i for i, paper_id in enumerate(self._order)}
        self.triage.keep_selected(self._papers)
        self._index = SearchIndex(papers, self._words)
        self._read_new()
        self._refilter()
        if self._loading is None:
            self._warm(self._index)
            self._papers_changed()

    @work(thread=True, group="warm", exit_on_error=False)
    def _warm(self, index: SearchIndex) -> None:
        """Build the index while the first screen shows, so the first key typed
        into the filter does not wait for it."""
        index.warm()

    def check_outside_changes(self) -> None:
        """Show what another process (another window, a ``reader fetch`` from cron)
        changed in the file: new or changed papers, or this user's marks. The cursor
        stays on its paper.

        Marks are shown where their rows are, as the user's own are: a view such as
        is:unread is matched again when papers arrive or the filter changes, not
        under the cursor.
        """
        change = self.triage.look_outside()
        if change is None:
            return
        if change.lab:
            self._read_lab()
        if change.papers:
            # Read off the UI thread; the list stays in use until the rows arrive.
            self._generation += 1
            self._load_rest(self._generation)
            # Papers another user (or a process without this user's rules) brought.
            self._apply_rules()
        else:
            self._remember_all(change.marks)

    def _drop_papers(self, gone: set[int] | frozenset[int]) -> None:
        """Take removed papers out of the list; the cursor goes to the next paper
        still listed (else the one before), or stays where it was."""
        self._cursor_past(gone)
        self._papers = {i: paper for i, paper in self._papers.items() if i not in gone}
        self._order = list(self._papers)
        self._position = {paper_id: i for i, paper_id in enumerate(self._order)}
        # The words read into memory still serve: papers taken out are skipped.
        self._index = SearchIndex(
            list(self._papers.values()), self._index.held_words or self._words
        )
        if self._query.text != self._query_text():
            self._refilter()  # a newer filter was still being matched
        else:
            self._show(self._query, [i for i in self._matches if i not in gone])
        self._papers_changed()

    def _put_back(self, ids: list[int]) -> None:
        """Show papers put back in the library, the cursor on the first of them."""
        try:
            order, rows = self.triage.restored_rows(ids)
        except LibraryError:
            self.reload()
            return
        listed = {paper.id: paper for paper in rows}
        # Other papers another process added meanwhile come with its change (see
        # check_outside_changes).
        self._papers = {
            i: paper for i in order if (paper := self._papers.get(i) or listed.get(i)) is not None
        }
        self._order = list(self._papers)
        self._position = {paper_id: i for i, paper_id in enumerate(self._order)}
        self._index = SearchIndex(list(self._papers.values()), self._words)
        self._warm(self._index)
        self._papers_changed()
        if self._query_text():
            self._refilter()  # matched off the UI thread; the cursor stays where it is
            return
        self._show(Query.parse(""), self._undismissed(self._order))
        self.query_one(PaperList).move_to(ids[0])
