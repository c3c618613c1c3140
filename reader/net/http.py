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

Time is injected (``sleep``, ``clock``) so tests run the real logic on a fake clock
and never wait; the network is injected (``transport``) so tests use
``httpx.MockTransport``.
"""

from __future__ import annotations

import email.utils
import json
import re
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from types import TracebackType
from typing import Self

import httpx

from reader import __version__
from reader.net import NetError
from reader.text import one_line

# API operators ask clients to name themselves, so they can tell us apart (and tell us off).
USER_AGENT = f"reader/{__version__} (terminal paper reader; python-httpx/{httpx.__version__})"
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
MAX_BACKOFF = 60.0
MAX_RETRY_AFTER = 120.0
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
    previous response (arXiv wants 3 s). ``on_retry`` hears a one-line message
    before each wait, for progress displays. ``error_reason`` extracts the reason
    from a refused request's body for APIs that do not answer in JSON (arXiv's
    Atom error feeds). One instance is meant for one worker: it is not thread-safe.
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
        on_retry: Callable[[str], None] | None = None,
        error_reason: ErrorReason | None = None,
    ) -> None:
        if retries < 0:
            raise ValueError("retries must be 0 or more")
        self.retries = retries
        self.backoff = backoff
        self.min_interval = min_interval
        self.on_retry = on_retry
        self._sleep = sleep
        self._clock = clock
        self._error_reason = error_reason
        # When the last response from each host (host:port) arrived, on `clock`.
        self._last_response: dict[str, float] = {}
        self._client = httpx.Client(
            transport=transport,
            timeout=timeout,
            follow_redirects=True,
            headers={"User-Agent": USER_AGENT},
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
                "GET", url, params=params, headers={"Accept": accept}
            )
        except httpx.InvalidURL as error:
            raise NetError(f"not a usable URL: {url} ({one_line(str(error))})") from None
        host = host_label(request.url) or url
        attempts = self.retries + 1
        for attempt in range(attempts):
            self._wait_turn(host)
            status: int | None = None
            retry_after: float | None = None
            try:
                response = self._send(request, host)
            except httpx.UnsupportedProtocol:
                # A mistyped READER_*_URL: no point asking again.
                raise NetError(f"not an http(s) URL: {url}") from None
            except httpx.TransportError as error:
                failure = _describe_transport_error(error)
            except httpx.HTTPError as error:  # too many redirects, a garbled body
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

    def _send(self, request: httpx.Request, host: str) -> httpx.Response:
        """One attempt; the host's clock for spacing starts when it ends, however it ends."""
        try:
            return self._client.send(request)
        finally:
            self._last_response[host] = self._clock()

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
