"""What keeps one request bounded: a watchdog for time, a decoder that cannot be bombed.

A server is not trusted to end its answer, to keep it small, or to compress it
honestly. :class:`Watch` runs beside a request: it says every few seconds that the
request is still going (a slow service must never look like a hang) and, at the
deadline, cuts the request's connections so a read blocked on a server that sends
a byte now and then returns. :class:`Inflate` decodes gzip in steps of a bounded
size, so a megabyte that expands to a gigabyte costs no more memory than the cap.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import zlib
from collections.abc import Callable, Iterator, Mapping
from types import TracebackType
from typing import Any, Self

# What Content-Encoding we ask for and read; anything else is refused, not guessed at.
ACCEPT_ENCODING = "gzip, deflate"
_INFLATED = frozenset({"gzip", "x-gzip", "deflate"})
# Decoded in pieces this large: zlib's own buffer for a piece is as large again.
_STEP = 1024 * 1024
_TLS_OR_TCP_READY = frozenset({"connection.connect_tcp.complete", "connection.start_tls.complete"})


def size_label(size: int) -> str:
    """A byte count the way a user reads it: ``512 bytes``, ``40 KiB``, ``32 MiB``."""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size // 1024} KiB"
    return f"{size / (1024 * 1024):.3g} MiB"


class Sockets:
    """The sockets one client opened, so a request that overran its deadline can be cut.

    httpx has no overall deadline and a read blocks until a byte comes; shutting
    the socket down from another thread ends that read at once (closing it would
    not). Sockets are learnt from httpx's documented ``trace`` request extension,
    so keep-alive connections opened by earlier requests are known too.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: list[socket.socket] = []

    def trace(self, event: str, info: Mapping[str, Any]) -> None:
        """The ``trace`` extension's callback: remember each new connection's socket."""
        if event not in _TLS_OR_TCP_READY:
            return
        stream = info.get("return_value")
        sock = stream.get_extra_info("socket") if stream is not None else None
        if isinstance(sock, socket.socket):
            with self._lock:
                # A socket wrapped in TLS or closed since has no descriptor left.
                self._open = [known for known in self._open if known.fileno() != -1]
                self._open.append(sock)

    def cut(self) -> None:
        """End every read and write on this client's connections, from any thread."""
        with self._lock:
            for sock in self._open:
                # The plain socket's shutdown even for TLS: the TLS one would tear
                # down its state under the reading thread's feet. A socket closed
                # meanwhile has nothing left to cut.
                with contextlib.suppress(OSError):
                    socket.socket.shutdown(sock, socket.SHUT_RDWR)


class Watch:
    """Beside one request: a line every ``every`` seconds, and ``cut`` at ``deadline``.

    Used as a context manager around the request; leaving it stops the watch, and
    no line is said after that. ``answered`` and ``received`` are set by the
    request's thread as headers and body arrive, so the lines say which it is
    waiting for. ``expired`` tells the request why its connection was cut.
    """

    def __init__(
        self,
        host: str,
        *,
        every: float,
        deadline: float,
        say: Callable[[str], None] | None,
        cut: Callable[[], None],
    ) -> None:
        self.host = host
        self.answered = False
        self.received = 0
        self.expired = False
        self._every = every if every > 0 and say is not None else deadline
        self._deadline = deadline
        self._say = say
        self._cut = cut
        self._done = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name=f"watch {host}", daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        with self._lock:  # waits out a line being said: none comes after this
            self._done.set()
        self._thread.join()

    def _run(self) -> None:
        ticks = 0
        while True:
            waited = ticks * self._every
            if self._done.wait(min(self._every, self._deadline - waited)):
                return
            ticks += 1
            with self._lock:
                if self._done.is_set():
                    return
                if ticks * self._every >= self._deadline:
                    self.expired = True
                    self._cut()
                    return
                if self._say is not None:
                    self._say(self._notice(round(ticks * self._every, 2)))

    def _notice(self, seconds: float) -> str:
        if not self.answered:
            return f"{self.host}: still waiting for an answer ({seconds:g} s)…"
        return (
            f"{self.host}: still receiving the answer "
            f"({seconds:g} s, {size_label(self.received)} so far)…"
        )


class Inflate:
    """gzip or deflate decoding that never makes more than it is asked for.

    zlib expands a 64 KiB chunk of a "bomb" to 64 MiB in one call; asking for at
    most ``room`` bytes at a time keeps a huge answer as cheap as the cap on it.
    """

    def __init__(self) -> None:
        # 32 + MAX_WBITS: a gzip or a zlib header, told from the data itself.
        self._zlib = zlib.decompressobj(32 + zlib.MAX_WBITS)

    def decode(self, data: bytes, room: int) -> Iterator[bytes]:
        """At most ``room`` decoded bytes of ``data``, in pieces of at most 1 MiB;
        fewer only when ``data`` ran out.

        A ``zlib.error`` means the data is not what its Content-Encoding says.
        """
        while data and room > 0:
            piece = self._zlib.decompress(data, min(room, _STEP))
            if not piece:  # then all of data went into zlib's state
                return
            yield piece
            room -= len(piece)
            data = self._zlib.unconsumed_tail


class Identity:
    """The decoder for an answer sent as it is."""

    def decode(self, data: bytes, room: int) -> Iterator[bytes]:
        """``data`` unchanged: its length already counts against the cap."""
        yield data


def decoder_for(content_encoding: str) -> Inflate | Identity | None:
    """How to decode a body sent with this ``Content-Encoding``; ``None``: we cannot.

    One layer of gzip or deflate is what we ask for; stacked layers ("gzip, gzip",
    each multiplying a bomb) and encodings we did not ask for are refused.
    """
    codings = [coding.strip().lower() for coding in content_encoding.split(",")]
    codings = [coding for coding in codings if coding and coding != "identity"]
    if not codings:
        return Identity()
    if len(codings) == 1 and codings[0] in _INFLATED:
        return Inflate()
    return None
