"""The app's writes to the library: never blocking the screen, never lost to a busy lock.

A write waits for another process's write lock (a ``reader import`` from cron, a
second window). Made on the UI thread with SQLite's usual patience, it froze the
screen for seconds and then failed ("database is locked"). Here a write is tried
at once, waiting only a moment; if the library is busy it joins a queue, and a
writer thread with a connection of its own writes the queue in order, as
patiently as it takes. Each result is handed back to the UI thread (``deliver``)
in the order the writes were made; a write made while others wait goes behind
them. No Textual here: the screen says how to deliver and shows what waits.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from reader.store import Library, LibraryBusy, LibraryError

T = TypeVar("T")

# How long the first try waits for the write lock (ms), on the UI thread: short
# enough that a key press never feels it, long enough for a short write to end.
ATTEMPT_WAIT_MS = 100
# How long saving what waits may take when the app quits (s).
FLUSH_PATIENCE = 60.0


@dataclass(slots=True)
class _Write(Generic[T]):
    label: str
    write: Callable[[Library], T]
    done: Callable[[T], None]
    failed: Callable[[LibraryError], None]


class PendingWrites:
    """Writes to ``library``: at once, or, while it is busy, by a writer thread in order.

    ``connect`` opens another connection to the same file for the writer thread
    (None for a library only this connection can reach: then a write simply waits
    for the lock, as SQLite does). ``deliver`` runs a callable on the UI thread
    later and must not block (Textual's ``post_message`` does this); every
    ``done`` and ``failed`` is called through it, or directly when the write was
    made at once.
    """

    def __init__(
        self,
        library: Library,
        *,
        connect: Callable[[], Library] | None,
        deliver: Callable[[Callable[[], None]], None],
        wait_ms: int = ATTEMPT_WAIT_MS,
    ) -> None:
        self.library = library
        self._connect = connect
        self._deliver = deliver
        self.wait_ms = wait_ms
        self._lock = threading.Lock()
        # What the writer thread has still to write, oldest first.
        self._waiting: deque[_Write[Any]] = deque()
        self._writer: threading.Thread | None = None
        # Writes queued whose outcome the UI thread has not heard yet (UI thread only).
        self._outstanding = 0
        self._labels: deque[str] = deque()

    @property
    def pending(self) -> int:
        """How many writes wait (or wait to be shown as done)."""
        return self._outstanding

    def labels(self) -> list[str]:
        """What the waiting writes are, oldest first ("Star", "Tags")."""
        return list(self._labels)

    def submit(
        self,
        label: str,
        write: Callable[[Library], T],
        done: Callable[[T], None],
        failed: Callable[[LibraryError], None],
    ) -> bool:
        """Make ``write`` (given the library to write through) now, or queue it.

        ``done`` hears its result and ``failed`` any error but a busy lock (a
        read-only file, a full disk). True when the write was made (or failed)
        at once, False when it waits.
        """
        item = _Write(label, write, done, failed)
        if not self._outstanding:
            if self._connect is None:
                self._run(item, self.library)  # nowhere else to write from: wait here
                return True
            try:
                with self.library.waiting_at_most(self.wait_ms):
                    self._run(item, self.library)
                return True
            except LibraryBusy:
                pass
        self._queue(item)
        return False

    def _run(self, item: _Write[Any], library: Library) -> None:
        """Write ``item`` and tell its outcome; LibraryBusy is for the caller."""
        try:
            result = item.write(library)
        except LibraryBusy:
            raise
        except LibraryError as error:
            item.failed(error)
            return
        item.done(result)

    def _queue(self, item: _Write[Any]) -> None:
        self._outstanding += 1
        self._labels.append(item.label)
        with self._lock:
            self._waiting.append(item)
            if self._writer is None:
                self._writer = threading.Thread(target=self._write_waiting, daemon=True)
                self._writer.start()

    def _write_waiting(self) -> None:
        """The writer thread: write what waits, in order, through a connection of its own."""
        assert self._connect is not None
        library: Library | None = None
        try:
            while True:
                with self._lock:
                    if not self._waiting:
                        self._writer = None
                        return
                    item = self._waiting[0]
                try:
                    if library is None:
                        library = self._connect()
                    result = item.write(library)
                except LibraryBusy:
                    continue  # it waited its full patience: ask again
                except LibraryError as error:
                    outcome: Callable[[], None] = _told(item.failed, error)
                except Exception as error:  # a bug: said, never a queue stuck for ever
                    outcome = _told(item.failed, LibraryError(f"{type(error).__name__}: {error}"))
                else:
                    outcome = _told(item.done, result)
                with self._lock:
                    self._waiting.popleft()
                self._deliver(self._heard(outcome))
        finally:
            if library is not None:
                library.close()

    def _heard(self, outcome: Callable[[], None]) -> Callable[[], None]:
        """``outcome``, to run on the UI thread, which then counts one write less."""

        def run() -> None:
            self._outstanding -= 1
            self._labels.popleft()
            outcome()

        return run

    def flush(self, *, patience: float | None = None) -> list[str]:
        """Wait for the writer thread to write what waits (the app is quitting), as
        long as ``patience`` allows (default :data:`FLUSH_PATIENCE`); the labels of
        the writes not made. Their outcomes are not delivered."""
        with self._lock:
            writer = self._writer
        if writer is not None:
            writer.join(FLUSH_PATIENCE if patience is None else patience)
        with self._lock:
            return [item.label for item in self._waiting]


def _told(hear: Callable[[Any], None], what: object) -> Callable[[], None]:
    return lambda: hear(what)
