"""A small, polite HTTP client: retries what is worth retrying, and says who is asking.

Why not plain ``httpx.get``: the APIs we call are free services with rate limits.
Hugging Face answers a burst with 429 and a ``Retry-After``; arXiv asks clients for
at most one request every three seconds and answers 503 when overloaded. A fetch
of a month of papers is dozens of requests, so one transient failure must not lose
the whole run, and a real failure must end in one readable line (:class:`NetError`),
never a traceback.

What is retried: HTTP 429 and 5xx, and transport errors (refused connections, DNS
failures, timeouts). Waits grow exponentially (``backoff * 2**n``, at most 60 s);
a ``Retry-After`` on 429/503 is obeyed instead, but a server asking for more than
two minutes gets a clear "try later" rather than a silently hanging command. Any
other 4xx is the request's fault: failing at once is kinder than asking again.

What is bounded (a server is not trusted to be reasonable): an answer's decoded
size (``max_body``, 32 MiB: far above any real page; a gzip "bomb" is stopped
while it expands), each attempt's total time, body included (``deadline``, 60 s:
a server sending a byte now and then cannot hold a fetch for ever), and
redirects (five, within the same host; a move to another host, from https to
http or to anything but http(s) is refused and named). An answer too large or
too slow is not asked for again: it would be so again. While an attempt takes
long, ``on_retry`` hears every ``notice_every`` seconds that it is still waiting.

Time is injected (``sleep``, ``clock``) so tests run the real logic on a fake clock
and never wait; the network is injected (``transport``) so tests use
``httpx.MockTransport``. The deadline is checked on ``clock`` as the body arrives;
the watchdog (its notices, and its cut of a read blocked at the deadline) runs on
real time, as a thread must, so tests give it fractions of a second.
"""

from __future__ import annotations

import email.utils
import json
import re
import time
import zlib
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from types import TracebackType
from typing import Self

import httpx

from reader import __version__
from reader.net import NetError
from reader.net.bounds import ACCEPT_ENCODING, Sockets, Watch, decoder_for, size_label
from reader.text import one_line

# API operators ask clients to name themselves, so they can tell us apart (and tell us off).
USER_AGENT = f"reader/{__version__} (terminal paper reader; python-httpx/{httpx.__version__})"
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
MAX_BACKOFF = 60.0
MAX_RETRY_AFTER = 120.0
# A day of Daily Papers is ~0.5 MB of JSON, an arXiv page of 2,000 entries ~10 MB.
MAX_BODY = 32 * 1024 * 1024
# A refusal's body is read for its reason only: the start of it is enough.
MAX_ERROR_BODY = 64 * 1024
DEADLINE = 60.0
NOTICE_EVERY = 5.0
MAX_REDIRECTS = 5
# A URL a server names (a redirect's target) is shown up to this length.
_MAX_SHOWN_URL = 100
_HELD_LOCATION = "X-Reader-Location"
# Servers may echo long HTML pages as the "reason": a message must stay one line.
_MAX_REASON = 200

Params = Mapping[str, str | int]
ErrorReason = Callable[[httpx.Response], str | None]

_ERRNO = re.compile(r"^\[Errno -?\d+\]\s*")


class Http:
    """GET JSON or text with retries, backoff, ``Retry-After`` and per-host spacing.

    ``retries`` is how many times a failed request is tried again, so a request is
    sent at most ``retries + 1`` times. ``min_interval`` spaces consecutive requests
    to one host at least that many seconds apart, counted from the end of the
    previous response (arXiv wants 3 s). ``on_retry`` hears every progress message,
    one line each, for progress displays: a retry before its wait, and a request
    still waiting or still receiving after each ``notice_every`` seconds (those come
    from a watchdog thread). ``deadline`` bounds each attempt, body included, and
    ``max_body`` the decoded size of an answer. ``error_reason`` extracts the reason
    from a refused request's body for APIs that do not answer in JSON (arXiv's Atom
    error feeds). One instance is meant for one worker: it is not thread-safe.
    """

    def __init__(
        self,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        retries: int = 4,
        backoff: float = 1.0,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        min_interval: float = 0.0,
        deadline: float = DEADLINE,
        notice_every: float = NOTICE_EVERY,
        max_body: int = MAX_BODY,
        on_retry: Callable[[str], None] | None = None,
        error_reason: ErrorReason | None = None,
    ) -> None:
        if retries < 0:
            raise ValueError("retries must be 0 or more")
        if deadline <= 0 or max_body < 1:
            raise ValueError("deadline and max_body must be positive")
        self.retries = retries
        self.backoff = backoff
        self.min_interval = min_interval
        self.deadline = deadline
        self.notice_every = notice_every
        self.max_body = max_body
        self.on_retry = on_retry
        self._sleep = sleep
        self._clock = clock
        self._error_reason = error_reason
        # When the last response from each host (host:port) arrived, on `clock`.
        self._last_response: dict[str, float] = {}
        self._sockets = Sockets()
        self._client = httpx.Client(
            transport=transport,
            timeout=timeout,
            # Followed here, one hop at a time, so each hop's target can be checked.
            follow_redirects=False,
            event_hooks={"response": [_hold_location]},
            headers={"User-Agent": USER_AGENT, "Accept-Encoding": ACCEPT_ENCODING},
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connections; the client cannot be used afterwards."""
        self._client.close()

    def get_json(self, url: str, params: Params | None = None) -> object:
        """The decoded JSON body of ``GET url?params``; anything else is a NetError."""
        response = self._get(url, params, accept="application/json")
        try:
            # Bytes, so json picks the UTF-8/16/32 encoding the way the RFC says.
            return json.loads(response.content)
        except (ValueError, RecursionError):  # bad JSON or bad UTF-8; nested thousands deep
            raise NetError(
                f"{host_label(response.request.url)} sent a response that is not JSON",
                status=response.status_code,
            ) from None

    def get_text(self, url: str, params: Params | None = None, *, accept: str = "*/*") -> str:
        """The body of ``GET url?params`` as text, decoded by its declared charset."""
        return self._get(url, params, accept=accept).text

    def _get(self, url: str, params: Params | None, *, accept: str) -> httpx.Response:
        try:
            request = self._client.build_request(
                "GET",
                url,
                params=params,
                headers={"Accept": accept},
                extensions={"trace": self._sockets.trace},
            )
        except httpx.InvalidURL as error:
            raise NetError(f"not a usable URL: {url} ({one_line(str(error))})") from None
        if request.url.scheme not in ("http", "https"):
            raise NetError(f"not an http(s) URL: {url}")
        host = host_label(request.url) or url
        attempts = self.retries + 1
        for attempt in range(attempts):
            self._wait_turn(host)
            status: int | None = None
            retry_after: float | None = None
            try:
                response = self._attempt(request, host)
            except httpx.UnsupportedProtocol:
                # A mistyped READER_*_URL: no point asking again.
                raise NetError(f"not an http(s) URL: {url}") from None
            except httpx.TransportError as error:
                failure = _describe_transport_error(error)
            except httpx.HTTPError as error:  # a garbled answer
                raise NetError(f"{host}: {_reason_text(str(error))}") from None
            else:
                status = response.status_code
                if 200 <= status < 300:
                    return response
                if status != 429 and status < 500:
                    reason = self._reason(response)
                    raise NetError(f"{host}: HTTP {status}: {reason}", status=status)
                failure = f"HTTP {status}"
                if status in (429, 503):
                    retry_after = retry_after_seconds(response)
            if attempt == attempts - 1:
                break
            delay = (
                retry_after
                if retry_after is not None
                else min(self.backoff * 2**attempt, MAX_BACKOFF)
            )
            if delay > MAX_RETRY_AFTER:
                raise NetError(
                    f"{host} is busy ({failure}) and asks to wait {delay:.0f} s: try again later",
                    status=status,
                )
            if self.on_retry is not None:
                self.on_retry(
                    f"{host}: {failure}; trying again in {delay:g} s "
                    f"(attempt {attempt + 2} of {attempts})"
                )
            if delay > 0:
                self._sleep(delay)
        tries = f" after {attempts} attempts" if attempts > 1 else ""
        if status is None:
            raise NetError(f"cannot reach {host}: {failure}{tries}")
        raise NetError(f"{host} kept failing: {failure}{tries}", status=status)

    def _attempt(self, request: httpx.Request, host: str) -> httpx.Response:
        """One try, watched: redirects followed, the answer read within the bounds.

        A 429 or 5xx comes back without its body (only its status and headers
        matter). The host's clock for spacing starts when the try ends, however it ends.
        """
        started = self._clock()
        watch = Watch(
            host,
            every=self.notice_every,
            deadline=self.deadline,
            say=self.on_retry,
            cut=self._sockets.cut,
        )
        try:
            with watch:
                response = self._follow(request, host)
                try:
                    watch.answered = True
                    status = response.status_code
                    if status == 429 or status >= 500:
                        return response
                    return self._settle(response, host, watch, started)
                finally:
                    response.close()
        except httpx.TransportError:
            if watch.expired:  # the watchdog cut the connection
                raise NetError(self._overran(host)) from None
            raise
        finally:
            self._last_response[host] = self._clock()

    def _follow(self, request: httpx.Request, host: str) -> httpx.Response:
        """The answer to ``request`` after its redirects, its body not read yet."""
        for _hop in range(MAX_REDIRECTS + 1):
            response = self._client.send(request, stream=True)
            location = response.headers.get(_HELD_LOCATION)
            if location is None:
                return response
            response.close()
            request = self._redirected(request, location, host)
        raise NetError(f"{host}: too many redirects (more than {MAX_REDIRECTS})")

    def _redirected(self, request: httpx.Request, location: str, host: str) -> httpx.Request:
        """The request a redirect asks for, if it stays on the host and on http(s).

        Another host (or https giving way to http) would receive what we send and
        answer in the original's name, unseen; so it is refused, naming the target.
        """
        try:
            target = request.url.join(location)
        except httpx.InvalidURL:
            target = None
        if target is None or (target.scheme in ("http", "https") and not target.host):
            raise NetError(f"{host}: redirected to an unusable URL: {_shown(location)}")
        if target.scheme not in ("http", "https"):  # as given: httpx writes file:/etc
            raise NetError(f"{host}: refused a redirect to {_shown(location)}: not an http(s) URL")
        shown = _shown(str(target))
        if target.host != request.url.host:
            raise NetError(f"{host}: refused a redirect to another host: {shown}")
        if request.url.scheme == "https" and target.scheme == "http":
            raise NetError(f"{host}: refused a redirect from https to http: {shown}")
        return self._client.build_request(
            "GET",
            target,
            headers={"Accept": request.headers["Accept"]},
            extensions=request.extensions,
        )

    def _settle(
        self, response: httpx.Response, host: str, watch: Watch, started: float
    ) -> httpx.Response:
        """``response`` with its body read (decoded, within the cap) into memory."""
        ok = 200 <= response.status_code < 300
        limit = self.max_body if ok else MAX_ERROR_BODY
        decoder = decoder_for(response.headers.get("Content-Encoding", ""))
        if decoder is None and ok:
            encoding = _reason_text(response.headers.get("Content-Encoding", ""))
            raise NetError(f"{host}: sent its answer in an encoding we did not ask for: {encoding}")
        body = bytearray()
        if decoder is not None:
            body = self._read(response, decoder.decode, limit, host, watch, started)
        if len(body) > limit:
            if ok:
                raise NetError(
                    f"{host}: the answer is larger than {size_label(limit)}, "
                    "more than reader accepts"
                )
            del body[limit:]  # the start of a refusal holds its reason
        headers = [
            (name, value)
            for name, value in response.headers.multi_items()
            if name.lower() not in ("content-encoding", "content-length", "transfer-encoding")
        ]
        extensions = {k: v for k, v in response.extensions.items() if k == "reason_phrase"}
        return httpx.Response(
            response.status_code,
            headers=headers,
            content=bytes(body),
            request=response.request,
            extensions=extensions,
        )

    def _read(
        self,
        response: httpx.Response,
        decode: Callable[[bytes, int], Iterable[bytes]],
        limit: int,
        host: str,
        watch: Watch,
        started: float,
    ) -> bytearray:
        """The decoded body, read until it ends or passes ``limit`` (then a byte more)."""
        if response.is_stream_consumed:
            # An in-memory transport (tests) hands over its body already decoded.
            return bytearray(response.content)
        body = bytearray()  # grown in place: a list of chunks would fragment the heap
        try:
            for chunk in response.iter_raw():
                for piece in decode(chunk, limit + 1 - len(body)):
                    body += piece
                watch.received = len(body)
                if watch.expired or self._clock() - started > self.deadline:
                    raise NetError(self._overran(host))
                if len(body) > limit:
                    break
        except zlib.error:
            raise NetError(f"{host}: sent a compressed answer that does not decompress") from None
        return body

    def _overran(self, host: str) -> str:
        return f"{host}: no complete answer within {self.deadline:g} s; the server is too slow"

    def _wait_turn(self, host: str) -> None:
        """Sleep until ``min_interval`` has passed since the host last answered."""
        last = self._last_response.get(host)
        if self.min_interval <= 0 or last is None:
            return
        wait = last + self.min_interval - self._clock()
        if wait > 0:
            self._sleep(wait)

    def _reason(self, response: httpx.Response) -> str:
        """Why the server refused: its own words when it gave any, else the status phrase."""
        reason: str | None = None
        if self._error_reason is not None:
            reason = self._error_reason(response)
        if not reason:
            reason = _json_error(response)
        return _reason_text(reason or response.reason_phrase or "request refused")


def retry_after_seconds(response: httpx.Response) -> float | None:
    """The wait a ``Retry-After`` header asks for, in seconds, or ``None``.

    The header is either a number of seconds or an HTTP date; a date is measured
    against the response's own ``Date`` header when it has one, so a wrong local
    clock does not turn "in 30 s" into hours.
    """
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    if value.isascii() and value.isdigit():
        return float(value)
    when = _http_date(value)
    if when is None:
        return None
    now = _http_date(response.headers.get("Date", "")) or datetime.now(UTC)
    return max(0.0, (when - now).total_seconds())


def _http_date(value: str) -> datetime | None:
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _json_error(response: httpx.Response) -> str | None:
    """The ``error`` (or ``message``) string of a JSON error body, if there is one."""
    try:
        body = json.loads(response.content)
    except (ValueError, RecursionError):
        return None
    if isinstance(body, dict):
        for key in ("error", "message"):
            value = body.get(key)
            if isinstance(value, str) and value.strip():
                return value
    return None


def _describe_transport_error(error: httpx.TransportError) -> str:
    """A short lower-case phrase: "connection refused", "timed out waiting for a response"."""
    if isinstance(error, httpx.ConnectTimeout):
        return "connection timed out"
    if isinstance(error, httpx.TimeoutException):
        return "timed out waiting for a response"
    text = _ERRNO.sub("", _reason_text(str(error))).rstrip(".")
    if not text:
        return type(error).__name__
    # "Connection refused" -> "connection refused"; leave "SSL: ..." alone.
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        text = text[0].lower() + text[1:]
    return text


def _hold_location(response: httpx.Response) -> None:
    """Keep a redirect's Location from httpx, which reads it even when not following:
    a malformed one would fail like the network (and be retried), and a host-less
    ``file:///etc/passwd`` would be taken as a path on the same host."""
    if response.has_redirect_location:
        response.headers[_HELD_LOCATION] = response.headers.pop("Location")


def _shown(url: str) -> str:
    """A URL a server named, safe and short enough for a one-line message."""
    url = one_line(url)
    return url if len(url) <= _MAX_SHOWN_URL else url[: _MAX_SHOWN_URL - 1] + "…"


def _reason_text(text: str) -> str:
    """Server-supplied text made safe to print: one line, no controls, not too long."""
    text = one_line(text)
    return text if len(text) <= _MAX_REASON else text[: _MAX_REASON - 1] + "…"


def host_label(url: httpx.URL | str) -> str:
    """``host`` or ``host:port`` (non-default ports only): how a user names a server."""
    url = httpx.URL(url)
    if not url.host:
        return ""
    return f"{url.host}:{url.port}" if url.port is not None else url.host
