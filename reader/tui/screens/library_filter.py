"""The library screen's filter, views and order: what the list shows, and how."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input, Static
from textual.worker import Worker, WorkerState, get_current_worker

from reader.config import SORTS
from reader.lab import Lab
from reader.models import Annotation
from reader.ranking.model import MIN_POSITIVES
from reader.search import Query, SearchIndex
from reader.text import one_line
from reader.tui.keys import key_said
from reader.tui.screens.library_base import LibraryBase, empty_library
from reader.tui.widgets.filter_bar import FilterBar
from reader.tui.widgets.header import ReaderHeader
from reader.tui.widgets.paper_detail import PaperDetail
from reader.tui.widgets.paper_list import PaperList

# A view that is the inbox itself: its header says no "N new", its empty list why.
INBOX_QUERIES = ("is:new", "is:inbox")
SORT_LABELS = {
    "relevance": "by relevance",
    "newest": "newest first",
    "upvotes": "most upvoted",
    "github": "most GitHub stars",
    "title": "by title",
    "for-you": "for you",
    "unsure": "least sure first",
}


class FilterPart(LibraryBase):
    """Matches the filter off the UI thread and shows the result, sorted."""

    @dataclass
    class NewCounted(Message, namespace="library_screen"):
        """How many new papers each view holds (by key), counted off the UI thread."""

        counts: dict[str, int]
        index: SearchIndex

    @dataclass
    class FilterResult(Message, namespace="library_screen"):
        """Ids matching ``text``, computed off the UI thread over ``index``."""

        text: str
        query: Query
        ids: list[int]
        index: SearchIndex

    def _query_text(self) -> str:
        """The filter as typed, inside the active view's own query."""
        view = self._preset.query if self._preset else ""
        return f"{view} {self._typed()}".strip()

    def _refilter(self) -> None:
        text = self._query_text()
        self._filter_pending = bool(text)
        if text and self._loading is not None:
            return  # matched once every paper is read (see _loaded)
        if text:
            if self._ranking is None and Query.parse(text).asks_for_you:
                self._want_ranking()  # matched again once ranked (see _ranked)
            scores = self._ranking.scores if self._ranking is not None else {}
            updated = set(self._updates)
            marks = dict(self._marks)
            self._run_filter(text, self._index, marks, scores, self._new, self._lab, updated)
        else:
            self.workers.cancel_group(self, "filter")
            self._show(Query.parse(""), self._undismissed(self._order))

    def _count_new(self) -> None:
        """Count each view's papers in the inbox (new, or starred and updated) in a
        worker (once the user has marked the inbox done: before, every paper is new,
        and the counts say nothing)."""
        if self._new is None or self._loading is not None:
            self._view_new = {}
            return
        views = [(view.key, view.query) for view in self._settings.presets]
        self._count_views(
            views, self._index, dict(self._marks), set(self._new), self._lab, set(self._updates)
        )

    @work(exclusive=True, thread=True, group="new-counts", exit_on_error=False)
    def _count_views(
        self,
        views: list[tuple[str, str]],
        index: SearchIndex,
        marks: dict[int, Annotation],
        new: set[int],
        lab: Lab,
        updated: set[int],
    ) -> None:
        counts = {}
        for key, query in views:
            if not new and not updated:
                counts[key] = 0
                continue
            inbox = Query.parse(f"{query} is:inbox")
            counts[key] = len(index.search(inbox, marks, None, new, lab, updated=updated))
        if not get_current_worker().is_cancelled:
            self.post_message(self.NewCounted(counts, index))

    @on(NewCounted)
    def _new_counted(self, event: NewCounted) -> None:
        if event.index is self._index:
            self._view_new = event.counts
            self._update_title()

    def holds_keys(self) -> bool:
        """Whether keys for the list must wait (the app asks before each key): after
        Enter in the filter, until the list shows what the filter matched, so that
        ``/grokking⏎s`` typed at once stars a paper about grokking. Keys typed into
        the filter bar never wait. Keys typed ahead before the screen has started
        wait for it too (Textual may have put the focus on the filter bar meanwhile)."""
        if not self._ready_for_keys:
            return True
        return self._filter_pending and isinstance(self.focused, PaperList)

    def _show(self, query: Query, ids: list[int]) -> None:
        self._query = query
        self._matches = ids
        typed = self._typed()
        if not self._papers:
            empty = empty_library(self.app)
        elif typed.strip():
            clear = key_said(self.app, "filter.clear")
            empty = f"No papers match “{one_line(query.text)}”. {clear} clears the filter."
        elif self._preset is not None and self._preset.query in INBOX_QUERIES:
            every = key_said(self.app, "view.1")
            done = key_said(self.app, "library.inbox_done")
            empty = (
                f"Nothing new since you last marked the inbox done ({done}). "
                f"Press {every} for every paper."
            )
        elif self._preset is not None and query.asks_lab and not self._lab.has_mates:
            every = key_said(self.app, "view.1")
            empty = (
                "No lab mate has starred a paper yet: this view shows what the library's "
                f"other users (READER_USER) star. Press {every} for every paper."
            )
        else:
            every = key_said(self.app, "view.1")
            empty = f"No papers in this view. Press {every} to see them all."
        # New words typed: the best match comes first. Anything else (a sort, a view, a
        # reload after a fetch, Esc) keeps the cursor on the paper it was on.
        keep_cursor = typed == self._shown_filter or not typed.strip()
        self._shown_filter = typed
        # The selection only ever holds papers in sight, so an action never hits hidden ones.
        self.triage.keep_selected(ids)
        self._show_hint(query)
        self.query_one(PaperList).show(
            self._sorted(ids, query),
            self._papers,
            self._marks,
            query,
            empty_message=empty,
            selected=self._selected,
            keep_cursor=keep_cursor,
        )
        self._update_title()
        if not ids:
            self._show_detail(None)
        elif self._cursor_to is not None and self._cursor_to in ids:
            self.query_one(PaperList).place(self._cursor_to)
            self._cursor_to = None

    def _show_hint(self, query: Query) -> None:
        """What is wrong with the terms typed, if anything. Drawn again only when it
        changes: a new text lays the screen out again, a frame's worth of work a key."""
        errors = "  ".join(query.errors)
        if errors:  # where to read what the terms are
            errors += f"  ({self._key_shown('library.filter_help')}: the terms)"
        if errors == self._hint:
            return
        self._hint = errors
        hint = self.query_one("#filter-hint", Static)
        hint.update(Text(errors))
        hint.set_class(bool(query.errors), "-active")

    def _sorted(self, ids: list[int], query: Query) -> list[int]:
        sort = self._effective_sort(query)
        if sort in ("for-you", "unsure"):
            self._want_ranking()
            if self._ranking is None:
                return ids  # ranked once the worker is done (see _ranked)
            return self._ranking.order(ids) if sort == "for-you" else self._unsure(ids)
        if sort == "relevance" or (sort != "newest" and self._loading is not None):
            return ids  # sorted by the rows' counts and titles once they are read
        if sort == "newest":
            if not query.is_ranked:
                return ids  # the index already gives library order: newest first
            return sorted(ids, key=self._position.__getitem__)
        if sort == "upvotes":
            return sorted(ids, key=lambda i: -(self._papers[i].upvotes or 0))
        if sort == "github":
            return sorted(ids, key=lambda i: -(self._papers[i].github_stars or 0))
        return sorted(ids, key=lambda i: self._papers[i].title_key)

    def _effective_sort(self, query: Query) -> str:
        # A view's own order, until the user picks another in it.
        if self._preset is not None and self._preset.sort and not self._sort_chosen_here:
            return self._preset.sort
        # Typed words rank best first until the user picks another order; relevance
        # means nothing without words.
        if query.is_ranked and not self._sort_chosen:
            return "relevance"
        if self._sort == "relevance" and not query.is_ranked:
            return "newest"
        return self._sort

    def _update_title(self) -> None:
        shown = len(self.query_one(PaperList).paper_ids)
        parts = [self.user]
        if self._preset:
            parts.append(self._preset.name)
        if self._loading is not None and len(self._order) < self._loading:
            parts.append(f"reading {self._loading} papers…")
        else:
            parts.append(f"{shown} of {len(self._order)} papers")
        sort = self._effective_sort(self._query)
        label = SORT_LABELS[sort]
        if sort in ("for-you", "unsure") or self._ranking_wanted:
            if self._ranking is None:
                label += " (ranking…)" if sort in ("for-you", "unsure") else ""
            elif not self._ranking.learned and sort == "for-you":
                label += f" (upvotes and recency until {MIN_POSITIVES} stars)"
        parts.append(label)
        new = self._view_new.get(self._preset.key, 0) if self._preset else 0
        if new and self._preset is not None and self._preset.query not in INBOX_QUERIES:
            parts.append(f"{new} new")
        if self._selected:
            parts.append(f"{len(self._selected)} selected")
        title = " · ".join(parts)
        if title == self.sub_title:
            return
        # Set as a screen's reactive, a new subtitle repaints the whole screen, detail
        # pane and all, at every key typed into the filter: only the header shows it.
        self.set_reactive(Screen.sub_title, title)
        self.query_one(ReaderHeader).show_title()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self._refilter()

    @work(exclusive=True, thread=True, group="filter", exit_on_error=False)
    def _run_filter(
        self,
        text: str,
        index: SearchIndex,
        marks: dict[int, Annotation],
        scores: Mapping[int, float],
        new: set[int] | None,
        lab: Lab,
        updated: set[int],
    ) -> None:
        """Match off the UI thread; a newer keystroke cancels this one's result."""
        query = Query.parse(text)
        ids = index.search(query, marks, scores, new, lab, updated=updated)
        if not get_current_worker().is_cancelled:
            self.post_message(self.FilterResult(text, query, ids, index))

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        # A bug in matching must not kill the app or pass in silence.
        if event.state != WorkerState.ERROR:
            return
        if event.worker.group == "load":
            # Without the rest of the library there is nothing right to show.
            self._fail(f"cannot read library: {event.worker.error}")
        elif event.worker.group in ("filter", "warm"):
            self._filter_pending = False  # no result is coming: the keys go on
            self.notify(
                f"The filter failed: {event.worker.error}",
                title="Filter",
                severity="error",
                markup=False,
            )

    @on(FilterResult)
    def _filter_done(self, result: FilterResult) -> None:
        # Drop a result that a newer keystroke or a library change has made stale.
        if result.index is self._index and result.text == self._query_text():
            self._filter_pending = False
            # The detail pane follows the new first row once typing pauses.
            self._detail_waits_for_typing = True
            self._show(result.query, result.ids)

    def action_preset(self, key: str) -> None:
        """Switch to the view on number key ``key``."""
        for preset in self._settings.presets:
            if preset.key == key:
                self._preset = preset
                self._sort_chosen_here = False
                self._refilter()
                return
        self.notify(f"No view on {key}.", severity="warning")

    def action_cycle_sort(self) -> None:
        orders = [o for o in SORTS if o != "relevance" or self._query.is_ranked]
        current = self._effective_sort(self._query)
        at = orders.index(current) if current in orders else -1
        self._sort = orders[(at + 1) % len(orders)]
        self._sort_chosen = self._sort_chosen_here = True
        self._show(self._query, self._matches)
        self.notify(f"Sorted by {SORT_LABELS[self._sort].removeprefix('by ')}.", timeout=2)

    @on(FilterBar.Done)
    def _filter_finished(self) -> None:
        self.query_one(PaperList).focus()

    def action_focus_filter(self) -> None:
        self.query_one(FilterBar).focus()

    def action_clear(self) -> None:
        """Esc: drop the marks if there are any, else leave the larger detail pane,
        else clear the filter."""
        if self.triage.clear_selection():
            self._redraw_marks()
        elif self.has_class("-reading"):
            self.remove_class("-reading")
        else:
            self.query_one(FilterBar).value = ""

    def find_papers(self, text: str, limit: int) -> list[tuple[int, str]]:
        """(id, title) of the papers ``text`` finds, best first: the filter's search
        (nothing until the whole library is read)."""
        if self._loading is not None:
            return []
        ids = self._index.search(Query.parse(text), dict(self._marks), lab=self._lab)[:limit]
        return [(paper_id, self._papers[paper_id].title) for paper_id in ids]

    def go_to_paper(self, paper_id: int) -> None:
        """Show ``paper_id``: in the list as it is, or with the filter and view cleared."""
        papers = self.query_one(PaperList)
        if papers.move_to(paper_id):
            papers.focus()
            return
        self._preset = self._settings.presets[0] if self._settings.presets else None
        self.query_one(FilterBar).value = ""
        self._show(Query.parse(""), self._undismissed(self._order))
        papers.move_to(paper_id)
        papers.focus()

    def action_scroll_detail(self, lines: int) -> None:
        self.query_one(PaperDetail).scroll_relative(y=lines, animate=False)

    def action_toggle_authors(self) -> None:
        if not self.query_one(PaperDetail).toggle_authors():
            self.notify("Every author is listed already.", timeout=2)

    def action_fold_summary(self) -> None:
        if not self.query_one(PaperDetail).toggle_summary():
            self.notify("This paper has no AI summary.", timeout=2)

    def action_toggle_reading(self) -> None:
        """Enter: the detail pane takes most of the screen, below a few rows of the
        list (so j and k still move through the papers); Enter again: back."""
        self.toggle_class("-reading")
