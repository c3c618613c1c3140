"""The library screen's fetches: ``f`` (today's Hugging Face papers) and ``L`` (a
paper's arXiv id, looked up by its title).

Both fetch through :mod:`reader.fetching`, as ``reader fetch`` and ``reader add``
do, over the screen's one :class:`~reader.fetching.Network`. The network work
runs in a Textual thread worker, so a failure takes the workers' error path: one
line in a toast, never a traceback. What arrives is saved on the UI thread,
through the screen's queue of writes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from textual import on, work
from textual.message import Message
from textual.worker import Worker, WorkerState, get_current_worker

from reader.net import NetError
from reader.sources import SourceError
from reader.text import one_line, shorten
from reader.tui.screens.library_base import LibraryBase

if TYPE_CHECKING:
    from reader import fetching
    from reader.lookup import TitleMatch
    from reader.models import ImportResult, Paper
    from reader.rules import Applied
    from reader.store import Library, LibraryError

T = TypeVar("T")

# How often a worker waiting on its network thread looks whether it was cancelled (s).
CANCEL_POLL = 0.05


def detached(job: Callable[[], T], *, name: str) -> T | None:
    """``job``'s result, from a daemon thread the current thread worker waits for;
    None once the worker is cancelled (the screen gone, the app quitting).

    Textual joins its worker threads at exit, so a worker blocked on a slow server
    (or a DNS look-up, which nothing can interrupt) would hold the quit for as long
    as the server likes; the daemon thread is left behind instead. Its exception is
    raised here, in the worker, whose error path reports it.
    """
    worker = get_current_worker()
    done = threading.Event()
    results: list[T] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            results.append(job())
        except BaseException as error:  # raised again in the worker, below
            errors.append(error)
        finally:
            done.set()

    threading.Thread(target=run, name=name, daemon=True).start()
    while not done.wait(CANCEL_POLL):
        if worker.is_cancelled:
            return None
    if errors:
        raise errors[0]
    return results[0]


def failure_line(error: BaseException | None) -> str:
    """What a toast says of a failed fetch: the error's own line for the network's,
    a server's or a title's; with its type for anything else (a bug)."""
    if isinstance(error, NetError | SourceError | ValueError):
        return str(error)
    return f"{type(error).__name__}: {error}"


class Fetching(LibraryBase):
    """What :class:`~reader.tui.screens.library.LibraryScreen` does to fetch (a mixin:
    it holds the library, the network, the status line and the writes)."""

    if TYPE_CHECKING:
        _network: fetching.Network | None
        _looking_up: bool

    @dataclass
    class FetchProgress(Message):
        """How a fetch is getting on, for the status line."""

        text: str

    @dataclass
    class Fetched(Message):
        """A fetch finished: its papers, to save."""

        fetch: fetching.Fetched

    @dataclass
    class LookedUp(Message):
        """A look-up of a paper's arXiv id by its title finished."""

        paper: Paper
        match: TitleMatch

    def _net(self) -> fetching.Network:
        """The network to fetch over (the real one unless the app was given another)."""
        from reader.fetching import Network  # httpx: loaded on the first fetch

        return self._network or Network()

    @on(Worker.StateChanged)
    def _fetch_failed(self, event: Worker.StateChanged) -> None:
        # A fetch that failed (or a bug in it) is a toast; the app goes on.
        if event.state != WorkerState.ERROR or event.worker.group not in ("fetch", "lookup"):
            return
        message = failure_line(event.worker.error)
        if event.worker.group == "fetch":
            self._fetching = False
            title = "Fetch failed"
        else:
            self._looking_up = False
            title = "Look-up failed"
        self._set_status(None)
        self.notify(message, title=title, severity="error", markup=False)

    # -- f: today's Hugging Face papers ------------------------------------------

    def action_fetch_hf(self) -> None:
        """Fetch the latest Hugging Face Daily Papers into the library, in the background."""
        if self._fetching:
            self.notify("Already fetching.", severity="warning")
            return
        self._fetching = True
        self._set_status("Fetching today's Hugging Face papers…")
        self._fetch_hf()

    @work(thread=True, group="fetch", exit_on_error=False)
    def _fetch_hf(self) -> None:
        # Only the network here; the library is written on the UI thread (_fetched).
        from reader.fetching import fetch_hf

        def progress(count: int) -> None:
            self.post_message(self.FetchProgress(f"Fetching today's papers… {count} so far"))

        def retrying(message: str) -> None:
            self.post_message(self.FetchProgress(message))

        network = self._net()
        fetch = detached(
            lambda: fetch_hf(network, on_page=progress, on_retry=retrying), name="fetch-hf"
        )
        if fetch is not None:
            self.post_message(self.Fetched(fetch))

    @on(FetchProgress)
    def _fetch_progress(self, event: FetchProgress) -> None:
        if self._fetching:
            self._set_status(event.text)

    @on(Fetched)
    def _fetched(self, event: Fetched) -> None:
        from reader.fetching import save
        from reader.rules import apply_rules, watch

        self._fetching = False
        self._set_status(None)
        fetch = event.fetch
        user, rules = self.user, self._settings.rules

        def run(library: Library) -> tuple[ImportResult, Applied]:
            watch(library, user, rules)  # a rule not seen before acts on these papers too
            result = save(library, fetch)
            return result, apply_rules(library, user, rules)

        def saved(done: tuple[ImportResult, Applied]) -> None:
            result, applied = done
            self.reload()
            summary = fetch.summary(result)
            if applied.hits:
                summary += f"; rules: {applied.summary()}"
            stopped = fetch.stopped_early
            self.notify(
                f"{summary}\n{stopped}" if stopped else summary,
                title="Hugging Face Daily Papers",
                severity="warning" if stopped else "information",
                markup=False,
            )

        def failed(error: LibraryError) -> None:
            self.notify(str(error), title="Fetch not saved", severity="error", markup=False)

        self._write("Fetched papers", run, saved, failed)

    # -- L: an arXiv id by title ----------------------------------------------------

    def action_look_up_id(self) -> None:
        """Find the arXiv id of a paper imported without one, by its title, in the
        background; the paper gains it (and arXiv's metadata) when exactly one
        arXiv paper has that title."""
        paper = self._current()
        if paper is None:
            return
        if paper.arxiv_id:
            self.notify(f"This paper's arXiv id is {paper.arxiv_id}.", timeout=3, markup=False)
            return
        if self._looking_up:
            self.notify("Already looking a paper up.", severity="warning", timeout=3)
            return
        self._looking_up = True
        self._set_status(f"Looking up “{shorten(one_line(paper.title), 60)}” on arXiv…")
        self._look_up(paper)

    @work(thread=True, group="lookup", exit_on_error=False)
    def _look_up(self, paper: Paper) -> None:
        from reader.fetching import look_up

        def retrying(message: str) -> None:
            self.post_message(self.FetchProgress(message))

        network = self._net()
        match = detached(lambda: look_up(network, paper.title, on_retry=retrying), name="look-up")
        if match is not None:
            self.post_message(self.LookedUp(paper, match))

    @on(LookedUp)
    def _looked_up(self, event: LookedUp) -> None:
        from reader.fetching import fetched, save

        self._looking_up = False
        self._set_status(None)
        title = f"“{shorten(one_line(event.paper.title), 60)}”"
        match = event.match
        found = match.paper
        if found is None:
            if match.same_title:
                ids = ", ".join(str(p.arxiv_id) for p in match.same_title)
                why = f"{len(match.same_title)} arXiv papers have exactly this title ({ids})."
            else:
                why = f"arXiv has no paper titled exactly {title} ({match.results} near matches)."
            self.notify(
                f"{why} reader add ID adds the right one by its id.",
                title="No arXiv id found",
                severity="warning",
                timeout=8,
                markup=False,
            )
            return
        if any(listed.arxiv_id == found.arxiv_id for listed in self._papers.values()):
            self.notify(
                f"arXiv {found.arxiv_id} has this title, and is in the library already "
                "as another entry: nothing changed.",
                severity="warning",
                markup=False,
            )
            return

        def saved(result: ImportResult) -> None:
            self.reload()
            self.notify(
                f"{title} is arXiv {found.arxiv_id}: its links and arXiv's details are filled in.",
                title="arXiv id found",
                markup=False,
            )

        found_one = fetched("arXiv", [found])
        self._write("arXiv id", lambda lib: save(lib, found_one), saved)
