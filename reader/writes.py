"""The app's writes to the library: never blocking the screen, never lost to a busy lock.

A write waits for another process's write lock (a ``reader import`` from cron, a
second window). Made on the UI thread with SQLite's usual patience, it froze the
screen for seconds and then failed ("database is locked"). Here each write waits
only a moment; when the library is busy it joins a queue, the caller shows that it
is saving, and :meth:`PendingWrites.retry` (on a timer) writes the queue in order
as soon as the lock is free. Writes keep their order: a write made while others
wait goes behind them. No Textual here; the screen owns the timer and the display.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from reader.store import Library, LibraryBusy, LibraryError

T = TypeVar("T")

# How long one attempt waits for the write lock (ms): short enough that a key press
# never feels it, long enough for a short write by another process to finish.
ATTEMPT_WAIT_MS = 100
# How long saving what is left may take when the app quits (s).
FLUSH_PATIENCE = 60.0


@dataclass(slots=True)
class _Write(Generic[T]):
    label: str
    write: Callable[[], T]
    done: Callable[[T], None]
    failed: Callable[[LibraryError], None]


class PendingWrites:
    """Writes to ``library``, each done at once or, while it is busy, queued in order."""

    def __init__(self, library: Library, *, wait_ms: int = ATTEMPT_WAIT_MS) -> None:
        self.library = library
        self.wait_ms = wait_ms
        self._queue: deque[_Write[Any]] = deque()

    @property
    def pending(self) -> int:
        """How many writes wait for the library."""
        return len(self._queue)

    def labels(self) -> list[str]:
        """What the waiting writes are, oldest first ("Star", "Tags")."""
        return [write.label for write in self._queue]

    def submit(
        self,
        label: str,
        write: Callable[[], T],
        done: Callable[[T], None],
        failed: Callable[[LibraryError], None],
    ) -> bool:
        """Run ``write`` now, or queue it while the library is busy (or writes wait).

        ``done`` hears its result and ``failed`` any error but a busy lock (a
        read-only file, a full disk), whenever the write is finally tried. True
        when it was done (or failed) at once, False when it waits.
        """
        item = _Write(label, write, done, failed)
        if self._queue:
            self._queue.append(item)
            return False
        if self._attempt(item, self.wait_ms):
            return True
        self._queue.append(item)
        return False

    def retry(self) -> int:
        """Write what waits, in order, until the library is busy again; how many still wait."""
        while self._queue:
            if not self._attempt(self._queue[0], self.wait_ms):
                break
            self._queue.popleft()
        return len(self._queue)

    def flush(
        self, *, patience: float | None = None, clock: Callable[[], float] = time.monotonic
    ) -> list[str]:
        """Write everything that waits, waiting as long as ``patience`` allows (default
        :data:`FLUSH_PATIENCE`: the app is quitting); the labels of the writes that
        could not be made."""
        deadline = clock() + (FLUSH_PATIENCE if patience is None else patience)
        while self._queue:
            left_ms = int(max(0.0, deadline - clock()) * 1000)
            if not self._attempt(self._queue[0], max(left_ms, self.wait_ms)):
                if clock() >= deadline:
                    break
                continue
            self._queue.popleft()
        return self.labels()

    def _attempt(self, item: _Write[Any], wait_ms: int) -> bool:
        """Try ``item`` once; False if the library was busy (it is still to do)."""
        try:
            with self.library.waiting_at_most(wait_ms):
                result = item.write()
        except LibraryBusy:
            return False
        except LibraryError as error:
            item.failed(error)
            return True
        item.done(result)
        return True
