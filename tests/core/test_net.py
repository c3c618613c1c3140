"""The network layer on a mock network and a fake clock: retries, politeness, paging.

Nothing here touches the internet or really sleeps: requests go to an
``httpx.MockTransport`` (or, for the live code path, a server on 127.0.0.1) and
waits go to a fake clock that records them.
"""

from __future__ import annotations

import datetime as dt
import gzip
import itertools
import json
import re
import socket
import threading
import tracemalloc
import zlib
from collections.abc import Callable, Iterable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from reader import __version__
from reader.net import NetError
from reader.net.arxiv import arxiv_http, by_ids, search
from reader.net.bounds import size_label
from reader.net.hf import (
    days_back,
    fetch_daily,
    hf_http,
    parse_day,
    parse_month,
    parse_week,
)
from reader.net.http import MAX_BODY, MAX_ERROR_BODY, USER_AGENT, Http

HF = "https://huggingface.co"
Reply = Callable[[httpx.Request], httpx.Response]


@pytest.fixture(autouse=True)
def default_base_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's own READER_*_URL must not change what these tests ask."""
    monkeypatch.delenv("READER_HF_URL", raising=False)
    monkeypatch.delenv("READER_ARXIV_URL", raising=False)


class FakeTime:
    """A monotonic clock that only moves when slept on (or told to); records every sleep."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class Server:
    """A MockTransport answering from a script; the last reply repeats forever."""

    def __init__(self, *replies: Reply, most: int = 50) -> None:
        self.most = most
        self.replies = list(replies)
        self.requests: list[httpx.Request] = []
        self.closed = False
        self.transport = httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        # A paging loop that never ends fails the test instead of hanging it.
        assert len(self.requests) <= self.most, "too many requests"
        reply = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        return reply(request)

    def params(self, index: int) -> dict[str, str]:
        return dict(self.requests[index].url.params)


def never_sleep(seconds: float) -> None:
    raise AssertionError(f"slept {seconds} s where no wait was due")


def respond(status: int = 200, **kwargs: object) -> Reply:
    return lambda request: httpx.Response(status, **kwargs)  # type: ignore[arg-type]


def raise_(error: type[httpx.TransportError], message: str) -> Reply:
    def reply(request: httpx.Request) -> httpx.Response:
        raise error(message, request=request)

    return reply


def make_http(server: Server, time: FakeTime, **kwargs: object) -> Http:
    return Http(transport=server.transport, sleep=time.sleep, clock=time.clock, **kwargs)  # type: ignore[arg-type]


# --- Http: retries, backoff, Retry-After, errors -------------------------------------------


def test_429_with_retry_after_waits_that_long_then_succeeds() -> None:
    server = Server(respond(429, headers={"Retry-After": "2"}), respond(json=[1, 2]))
    time = FakeTime()
    with make_http(server, time) as http:
        assert http.get_json(f"{HF}/api/x") == [1, 2]
    assert time.sleeps == [2.0]
    assert len(server.requests) == 2


def test_retry_after_as_an_http_date_is_measured_against_the_servers_date() -> None:
    headers = {
        "Date": "Wed, 25 Nov 2026 10:00:00 GMT",
        "Retry-After": "Wed, 25 Nov 2026 10:00:30 GMT",
    }
    server = Server(respond(503, headers=headers), respond(text="fine"))
    time = FakeTime()
    with make_http(server, time) as http:
        assert http.get_text(f"{HF}/x") == "fine"
    assert time.sleeps == [30.0]


def test_a_retry_after_beyond_two_minutes_fails_at_once_with_try_later() -> None:
    server = Server(respond(429, headers={"Retry-After": "3600"}))
    time = FakeTime()
    with make_http(server, time) as http, pytest.raises(NetError) as caught:
        http.get_json(f"{HF}/x")
    assert "huggingface.co" in str(caught.value)
    assert "3600" in str(caught.value)
    assert "try again later" in str(caught.value)
    assert caught.value.status == 429
    assert len(server.requests) == 1
    assert time.sleeps == []


def test_500_is_retried_with_exponential_backoff_until_the_retries_run_out() -> None:
    server = Server(respond(500))
    time = FakeTime()
    with make_http(server, time) as http, pytest.raises(NetError) as caught:
        http.get_json(f"{HF}/api/daily_papers")
    assert str(caught.value) == "huggingface.co kept failing: HTTP 500 after 5 attempts"
    assert caught.value.status == 500
    assert len(server.requests) == 5  # the first try and 4 retries
    assert time.sleeps == [1.0, 2.0, 4.0, 8.0]


def test_the_number_of_retries_is_configurable() -> None:
    server = Server(respond(502))
    time = FakeTime()
    with make_http(server, time, retries=2) as http, pytest.raises(NetError, match="3 attempts"):
        http.get_json(f"{HF}/x")
    assert len(server.requests) == 3


def test_backoff_is_capped_at_a_minute() -> None:
    server = Server(respond(503))
    time = FakeTime()
    with make_http(server, time, backoff=20.0) as http, pytest.raises(NetError):
        http.get_json(f"{HF}/x")
    assert time.sleeps == [20.0, 40.0, 60.0, 60.0]


def test_a_transient_failure_is_invisible_to_the_caller() -> None:
    server = Server(respond(503), respond(500), respond(json={"ok": True}))
    time = FakeTime()
    messages: list[str] = []
    with make_http(server, time, on_retry=messages.append) as http:
        assert http.get_json(f"{HF}/x") == {"ok": True}
    assert time.sleeps == [1.0, 2.0]
    assert messages == [
        "huggingface.co: HTTP 503; trying again in 1 s (attempt 2 of 5)",
        "huggingface.co: HTTP 500; trying again in 2 s (attempt 3 of 5)",
    ]


def test_404_fails_at_once_with_the_servers_reason() -> None:
    server = Server(respond(404, json={"error": "Paper not found"}))
    time = FakeTime()
    with make_http(server, time) as http, pytest.raises(NetError) as caught:
        http.get_json(f"{HF}/api/papers/2409.99999")
    assert str(caught.value) == "huggingface.co: HTTP 404: Paper not found"
    assert caught.value.status == 404
    assert len(server.requests) == 1
    assert time.sleeps == []


def test_a_4xx_without_a_json_reason_uses_the_status_phrase() -> None:
    server = Server(respond(403, text="<html>nope</html>"))
    with make_http(server, FakeTime()) as http, pytest.raises(NetError) as caught:
        http.get_text(f"{HF}/x")
    assert str(caught.value) == "huggingface.co: HTTP 403: Forbidden"


def test_a_hostile_reason_cannot_reach_the_terminal() -> None:
    reason = "bad\x1b[2J\x1b]0;pwned\x07 request\n" + "x" * 1000
    server = Server(respond(400, json={"error": reason}))
    with make_http(server, FakeTime()) as http, pytest.raises(NetError) as caught:
        http.get_json(f"{HF}/x")
    message = str(caught.value)
    assert "\x1b" not in message
    assert "\x07" not in message
    assert "\n" not in message
    assert len(message) < 300


@pytest.mark.parametrize(
    ("error", "text", "expected"),
    [
        (httpx.ConnectError, "[Errno 111] Connection refused", "connection refused"),
        (httpx.ConnectTimeout, "timed out", "connection timed out"),
        (httpx.ReadTimeout, "The read operation timed out", "timed out waiting for a response"),
    ],
)
def test_transport_errors_are_retried_then_reported_as_cannot_reach(
    error: type[httpx.TransportError], text: str, expected: str
) -> None:
    server = Server(raise_(error, text))
    time = FakeTime()
    with make_http(server, time, retries=3) as http, pytest.raises(NetError) as caught:
        http.get_json(f"{HF}/api/daily_papers")
    assert str(caught.value) == f"cannot reach huggingface.co: {expected} after 4 attempts"
    assert caught.value.status is None
    assert len(server.requests) == 4
    assert time.sleeps == [1.0, 2.0, 4.0]


def test_a_dropped_connection_then_success() -> None:
    server = Server(raise_(httpx.ReadTimeout, "timed out"), respond(json=[]))
    time = FakeTime()
    with make_http(server, time) as http:
        assert http.get_json(f"{HF}/x") == []
    assert len(server.requests) == 2


@pytest.mark.parametrize(
    "body", ["<html>maintenance</html>", "[" * 100_000 + "]" * 100_000], ids=["html", "deep"]
)
def test_invalid_json_is_a_net_error_and_not_retried(body: str) -> None:
    server = Server(respond(text=body))
    with make_http(server, FakeTime()) as http, pytest.raises(NetError) as caught:
        http.get_json(f"{HF}/x")
    assert str(caught.value) == "huggingface.co sent a response that is not JSON"
    assert len(server.requests) == 1


def test_the_user_agent_names_the_tool_and_its_version() -> None:
    server = Server(respond(json=[]))
    with make_http(server, FakeTime()) as http:
        http.get_json(f"{HF}/x")
    agent = server.requests[0].headers["User-Agent"]
    assert agent == USER_AGENT
    assert agent.startswith(f"reader/{__version__} (terminal paper reader; python-httpx/")
    assert server.requests[0].headers["Accept"] == "application/json"


def test_query_parameters_are_sent() -> None:
    server = Server(respond(json=[]))
    with make_http(server, FakeTime()) as http:
        http.get_json(f"{HF}/x", {"a": "b c", "n": 3})
    assert server.params(0) == {"a": "b c", "n": "3"}


def test_spacing_is_per_host() -> None:
    server = Server(respond(text="ok"))
    time = FakeTime()
    with make_http(server, time, min_interval=5.0) as http:
        http.get_text("https://one.example/a")
        http.get_text("https://two.example/a")  # another host: no wait
        http.get_text("https://one.example/b")
    assert time.sleeps == [5.0]


def test_closing_closes_the_transport() -> None:
    closed: list[bool] = []

    class Transport(httpx.MockTransport):
        def close(self) -> None:
            closed.append(True)

    with Http(transport=Transport(respond(text="ok"))) as http:
        assert http.get_text(f"{HF}/x") == "ok"
    assert closed == [True]


def test_a_url_that_is_not_http_fails_at_once() -> None:
    time = FakeTime()
    with Http(sleep=time.sleep, clock=time.clock) as http, pytest.raises(NetError) as caught:
        http.get_text("ftp://example.invalid/papers")
    assert str(caught.value) == "not an http(s) URL: ftp://example.invalid/papers"
    assert time.sleeps == []


# --- Bounds: the size of an answer ----------------------------------------------------------


def counted(chunks: Iterable[bytes], pulled: list[int]) -> Iterator[bytes]:
    """``chunks``, noting the size of each one the client asks for."""
    for chunk in chunks:
        pulled.append(len(chunk))
        yield chunk


def streamed(
    chunks: Iterable[bytes], pulled: list[int] | None = None, status: int = 200, **kwargs: object
) -> Reply:
    """A reply whose body arrives chunk by chunk, as from a socket (not already in memory).

    ``pulled`` counts the chunks the client asked for, to see where it stopped reading.
    """
    return lambda request: httpx.Response(
        status,
        content=counted(chunks, [] if pulled is None else pulled),
        **kwargs,  # type: ignore[arg-type]
    )


def gzipped(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=9)


def pieces(data: bytes, size: int) -> list[bytes]:
    return [data[start : start + size] for start in range(0, len(data), size)]


def test_an_answer_larger_than_the_cap_stops_the_reading_and_names_host_and_cap() -> None:
    pulled: list[int] = []
    server = Server(streamed(itertools.repeat(b" " * 100, 10_000), pulled))
    with make_http(server, FakeTime(), max_body=1000) as http, pytest.raises(NetError) as caught:
        http.get_json(f"{HF}/api/daily_papers")
    assert str(caught.value) == (
        "huggingface.co: the answer is larger than 1000 bytes, more than reader accepts"
    )
    assert len(pulled) == 11  # a chunk past the cap, not the other 9,989
    assert len(server.requests) == 1  # not retried: it would be as large again


def test_the_default_cap_is_32_mib() -> None:
    assert size_label(MAX_BODY) == "32 MiB"
    with Http() as http:
        assert http.max_body == MAX_BODY


def test_a_gzip_bomb_is_stopped_while_it_expands() -> None:
    bomb = gzipped(bytes(64 * 1024 * 1024))  # 64 KiB that expand to 64 MiB
    server = Server(streamed(pieces(bomb, 16 * 1024), headers={"Content-Encoding": "gzip"}))
    tracemalloc.start()
    try:
        with (
            make_http(server, FakeTime(), max_body=1024 * 1024) as http,
            pytest.raises(NetError, match=r"^huggingface\.co: the answer is larger than 1 MiB"),
        ):
            http.get_json(f"{HF}/api/daily_papers")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # httpx alone inflates a whole chunk at once: 16 MiB from 16 KiB here.
    assert peak < 8 * 1024 * 1024


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [("gzip", gzipped), ("deflate", zlib.compress), ("identity", lambda data: data)],
)
def test_a_compressed_answer_within_the_cap_decodes_whatever_its_chunks(
    encoding: str, compress: Callable[[bytes], bytes]
) -> None:
    items = [hf_item(n) for n in range(300)]
    body = compress(json.dumps(items).encode())
    server = Server(streamed(pieces(body, 7), headers={"Content-Encoding": encoding}))
    with make_http(server, FakeTime()) as http:
        assert http.get_json(f"{HF}/api/daily_papers") == items
    assert server.requests[0].headers["Accept-Encoding"] == "gzip, deflate"


@pytest.mark.parametrize("encoding", ["gzip, gzip", "br", "zstd"])
def test_stacked_or_unasked_encodings_are_refused(encoding: str) -> None:
    server = Server(streamed([b"[]"], headers={"Content-Encoding": encoding}))
    with make_http(server, FakeTime()) as http, pytest.raises(NetError) as caught:
        http.get_json(f"{HF}/x")
    assert str(caught.value) == (
        f"huggingface.co: sent its answer in an encoding we did not ask for: {encoding}"
    )


def test_a_garbled_gzip_answer_is_one_clean_error() -> None:
    body = gzipped(b"[1, 2, 3]" * 100)
    garbled = body[:10] + bytes(len(body) - 10)
    server = Server(streamed([garbled], headers={"Content-Encoding": "gzip"}))
    with make_http(server, FakeTime()) as http, pytest.raises(NetError) as caught:
        http.get_json(f"{HF}/x")
    assert str(caught.value) == "huggingface.co: sent a compressed answer that does not decompress"
    assert len(server.requests) == 1


def test_a_huge_refusal_is_read_only_for_its_reason() -> None:
    pulled: list[int] = []
    reason = [b'{"error": "no such day"}']
    chunks = itertools.chain(reason, itertools.repeat(b" " * 1000, 1_000_000))
    server = Server(streamed(chunks, pulled, status=404))
    with make_http(server, FakeTime()) as http, pytest.raises(NetError) as caught:
        http.get_json(f"{HF}/x")
    assert str(caught.value) == "huggingface.co: HTTP 404: no such day"
    assert sum(pulled) <= MAX_ERROR_BODY + 1000  # a gigabyte of blanks left unread


# --- Bounds: time ----------------------------------------------------------------------------


def test_a_body_that_never_ends_stops_at_the_deadline_on_the_clock_given() -> None:
    time = FakeTime()

    def drip() -> Iterator[bytes]:
        for _ in range(100):  # without a deadline, all of it would arrive
            time.now += 25  # a byte every 25 s, on the fake clock: nothing really waits
            yield b" "

    server = Server(lambda request: httpx.Response(200, content=drip()))
    with make_http(server, time) as http, pytest.raises(NetError) as caught:
        http.get_text(f"{HF}/api/daily_papers")
    assert str(caught.value) == (
        "huggingface.co: no complete answer within 60 s; the server is too slow"
    )
    assert len(server.requests) == 1  # not asked again: it would be as slow again
    assert time.sleeps == []


def test_a_slow_request_says_every_few_seconds_that_it_is_still_waiting() -> None:
    said: list[str] = []
    two_lines = threading.Event()

    def hear(message: str) -> None:
        said.append(message)
        if len(said) == 2:
            two_lines.set()

    def slow(request: httpx.Request) -> httpx.Response:
        assert two_lines.wait(30), "no progress lines came"
        return httpx.Response(200, json=[])

    server = Server(slow)
    with make_http(server, FakeTime(), notice_every=0.1, on_retry=hear) as http:
        assert http.get_json(f"{HF}/api/daily_papers") == []
    assert said[:2] == [
        "huggingface.co: still waiting for an answer (0.1 s)…",
        "huggingface.co: still waiting for an answer (0.2 s)…",
    ]
    # The watchdog ended with the request: nothing more will be said.
    assert not [t for t in threading.enumerate() if t.name.startswith("watch ")]


def test_a_slow_body_says_how_much_has_arrived() -> None:
    said: list[str] = []
    receiving = threading.Event()

    def hear(message: str) -> None:
        said.append(message)
        if "receiving" in message:
            receiving.set()

    def body() -> Iterator[bytes]:
        yield b"[1, "
        assert receiving.wait(30), "no progress line came"
        yield b"2]"

    server = Server(lambda request: httpx.Response(200, content=body()))
    with make_http(server, FakeTime(), notice_every=0.1, on_retry=hear) as http:
        assert http.get_json(f"{HF}/api/daily_papers") == [1, 2]
    receiving_lines = [line for line in said if "receiving" in line]
    assert re.fullmatch(
        r"huggingface\.co: still receiving the answer \(\d+(\.\d+)? s, 4 bytes so far\)…",
        receiving_lines[0],
    )


def test_the_deadline_ends_a_body_that_drips_in_real_time() -> None:
    said: list[str] = []

    def drip() -> Iterator[bytes]:
        while True:  # a server that never finishes: only the deadline ends this
            yield b" "
            threading.Event().wait(0.02)

    server = Server(lambda request: httpx.Response(200, content=drip()))
    http = Http(transport=server.transport, deadline=0.3, notice_every=0.1, on_retry=said.append)
    with http, pytest.raises(NetError) as caught:
        http.get_text(f"{HF}/x")
    assert str(caught.value) == (
        "huggingface.co: no complete answer within 0.3 s; the server is too slow"
    )
    assert all(
        re.match(r"huggingface\.co: still receiving the answer \(0\.[12] s", line) for line in said
    )


# --- Redirects --------------------------------------------------------------------------------


def redirect(location: str, status: int = 302) -> Reply:
    return respond(status, headers={"Location": location})


def test_a_redirect_on_the_same_host_and_to_https_is_followed() -> None:
    server = Server(
        redirect("/api/new"), redirect("https://huggingface.co/api/newer"), respond(json=[])
    )
    with make_http(server, FakeTime()) as http:
        assert http.get_json("http://huggingface.co/api/old") == []
    assert [str(r.url) for r in server.requests] == [
        "http://huggingface.co/api/old",
        "http://huggingface.co/api/new",
        "https://huggingface.co/api/newer",
    ]
    assert {r.headers["Accept"] for r in server.requests} == {"application/json"}


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        (
            "https://evil.example/api/daily_papers",
            "refused a redirect to another host: https://evil.example/api/daily_papers",
        ),
        ("//evil.example/x", "refused a redirect to another host: https://evil.example/x"),
        (
            "http://huggingface.co/api/daily_papers",
            "refused a redirect from https to http: http://huggingface.co/api/daily_papers",
        ),
        ("file:///etc/passwd", "refused a redirect to file:///etc/passwd: not an http(s) URL"),
        ("javascript:alert(1)", "refused a redirect to javascript:alert(1): not an http(s) URL"),
        ("http://", "redirected to an unusable URL: http://"),
        ("http://[::1", "redirected to an unusable URL: http://[::1"),
    ],
)
def test_a_redirect_elsewhere_is_refused_naming_where_it_wanted_to_go(
    location: str, expected: str
) -> None:
    server = Server(redirect(location, 301))
    time = FakeTime()
    with make_http(server, time) as http, pytest.raises(NetError) as caught:
        http.get_json(f"{HF}/api/daily_papers")
    assert str(caught.value) == f"huggingface.co: {expected}"
    assert len(server.requests) == 1  # the other place was never asked
    assert time.sleeps == []


def test_a_long_redirect_target_is_shortened() -> None:
    server = Server(redirect("https://evil.example/" + "a" * 500))
    with make_http(server, FakeTime()) as http, pytest.raises(NetError) as caught:
        http.get_json(f"{HF}/x")
    prefix = "huggingface.co: refused a redirect to another host: "
    message = str(caught.value)
    assert message.startswith(prefix + "https://evil.example/aaa") and message.endswith("a…")
    assert len(message) == len(prefix) + 100


@pytest.mark.parametrize(
    "location",
    [
        "https://evil.example/\x1b[2J\u202ex".encode(),
        "file:///etc/\x1b]52;c;aGk=\x07passwd\u202e".encode(),
        b"http://[::1\x1b[2J/",
    ],
    ids=["other-host", "file", "unusable"],
)
def test_a_redirect_target_with_escapes_cannot_reach_the_terminal(location: bytes) -> None:
    server = Server(respond(302, headers={"Location": location}))
    with make_http(server, FakeTime()) as http, pytest.raises(NetError) as caught:
        http.get_json(f"{HF}/x")
    message = str(caught.value)
    assert message.startswith("huggingface.co: ") and "redirect" in message
    assert not {"\x1b", "\x07", "\u202e"} & set(message), message


def test_a_redirect_loop_ends_after_five_hops() -> None:
    server = Server(redirect("/again"))
    with make_http(server, FakeTime()) as http, pytest.raises(NetError) as caught:
        http.get_json(f"{HF}/x")
    assert str(caught.value) == "huggingface.co: too many redirects (more than 5)"
    assert len(server.requests) == 6


# --- The live path: a real socket on this machine ------------------------------------------


def test_a_closed_port_is_cannot_reach_connection_refused() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    time = FakeTime()
    with (
        Http(sleep=time.sleep, clock=time.clock, retries=1) as http,
        pytest.raises(NetError) as caught,
    ):
        http.get_json(f"http://127.0.0.1:{port}/api/daily_papers")
    assert str(caught.value).startswith(f"cannot reach 127.0.0.1:{port}: ")
    assert "refused" in str(caught.value).lower()
    assert time.sleeps == [1.0]


@pytest.fixture
def local_server() -> Iterator[tuple[str, list[dict[str, str]]]]:
    """A real HTTP server on 127.0.0.1: redirects /old to /api, 503s once, then answers."""
    seen: list[dict[str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append({"path": self.path, "agent": self.headers.get("User-Agent", "")})
            if self.path.startswith("/old"):
                self.send_response(301)
                self.send_header("Location", "/api" + self.path[len("/old") :])
                self.end_headers()
                return
            if len(seen) == 2:
                self.send_response(503)
                self.send_header("Retry-After", "1")
                self.end_headers()
                return
            body = json.dumps([{"paper": {"id": "2409.11074", "title": "Ünïcode"}}]).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


def test_the_real_transport_follows_redirects_and_retries(
    local_server: tuple[str, list[dict[str, str]]],
) -> None:
    base, seen = local_server
    time = FakeTime()
    with Http(sleep=time.sleep, clock=time.clock) as http:
        data = http.get_json(f"{base}/old/daily", {"p": 0})
    assert data == [{"paper": {"id": "2409.11074", "title": "Ünïcode"}}]
    # Moved, then busy (503), then moved again and answered.
    assert [request["path"] for request in seen] == ["/old/daily?p=0", "/api/daily?p=0"] * 2
    assert {request["agent"] for request in seen} == {USER_AGENT}
    assert time.sleeps == [1.0]


# --- Hugging Face Daily Papers --------------------------------------------------------------


def hf_item(number: int) -> dict[str, object]:
    return {"paper": {"id": f"2501.{10000 + number}", "title": f"Paper {number}"}}


def hf_pages(total: int) -> Reply:
    """The API over ``total`` items: pages of ``limit`` indexed by ``p``."""

    def reply(request: httpx.Request) -> httpx.Response:
        limit = int(request.url.params["limit"])
        page = int(request.url.params["p"])
        numbers = range(page * limit, min(total, (page + 1) * limit))
        return httpx.Response(200, json=[hf_item(n) for n in numbers])

    return reply


def ids(items: list[dict[str, object]]) -> list[str]:
    return [item["paper"]["id"] for item in items]  # type: ignore[index]


def test_hf_pages_until_a_short_page() -> None:
    server = Server(hf_pages(237))
    progress: list[int] = []
    with hf_http(server.transport, sleep=FakeTime().sleep) as http:
        fetched = fetch_daily(http, date="2026-11-27", on_page=progress.append)
    items = fetched.items
    assert len(items) == 237 and fetched.stopped_early is None
    assert ids(items) == ids([hf_item(n) for n in range(237)])
    assert [server.params(i)["p"] for i in range(len(server.requests))] == ["0", "1", "2"]
    assert {server.params(i)["limit"] for i in range(3)} == {"100"}
    assert progress == [100, 200, 237]


def test_hf_an_exact_multiple_of_the_page_size_ends_on_an_empty_page() -> None:
    server = Server(hf_pages(200))
    with hf_http(server.transport, sleep=never_sleep) as http:
        fetched = fetch_daily(http)
    assert len(fetched.items) == 200 and fetched.stopped_early is None
    assert len(server.requests) == 3


def test_hf_limit_stops_early_and_keeps_the_page_size_fixed() -> None:
    # p counts pages of `limit` items: asking p=1 with limit=50 would repeat items 50-99.
    server = Server(hf_pages(1000))
    with hf_http(server.transport, sleep=never_sleep) as http:
        fetched = fetch_daily(http, week="2026-W48", limit=150)
    items = fetched.items
    assert fetched.stopped_early is None  # the limit is what was asked
    assert ids(items) == ids([hf_item(n) for n in range(150)])
    assert [server.params(i) for i in range(len(server.requests))] == [
        {"week": "2026-W48", "limit": "100", "p": "0"},
        {"week": "2026-W48", "limit": "100", "p": "1"},
    ]


def test_hf_a_small_limit_is_one_small_page() -> None:
    server = Server(hf_pages(1000))
    with hf_http(server.transport, sleep=never_sleep) as http:
        items = fetch_daily(http, limit=30).items
    assert len(items) == 30
    assert server.params(0) == {"limit": "30", "p": "0"}
    assert len(server.requests) == 1


def test_hf_an_empty_day_is_an_empty_list_after_one_request() -> None:
    server = Server(respond(json=[]))
    progress: list[int] = []
    with hf_http(server.transport, sleep=never_sleep) as http:
        fetched = fetch_daily(http, date=dt.date(2026, 11, 28), on_page=progress.append)
    assert fetched.items == [] and fetched.stopped_early is None
    assert len(server.requests) == 1
    assert server.params(0)["date"] == "2026-11-28"
    assert progress == [0]


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ({}, {}),
        ({"date": "2026-11-27"}, {"date": "2026-11-27"}),
        ({"date": dt.date(2026, 1, 5)}, {"date": "2026-01-05"}),
        ({"week": "2026-w8"}, {"week": "2026-W08"}),
        ({"month": "2026-11"}, {"month": "2026-11"}),
        ({"sort": "trending"}, {"sort": "trending"}),
        ({"month": "2026-1", "sort": "publishedAt"}, {"month": "2026-01", "sort": "publishedAt"}),
    ],
)
def test_hf_query_parameters(arguments: dict[str, object], expected: dict[str, str]) -> None:
    server = Server(respond(json=[]))
    with hf_http(server.transport, sleep=never_sleep) as http:
        fetch_daily(http, **arguments)  # type: ignore[arg-type]
    request = server.requests[0]
    assert request.url.path == "/api/daily_papers"
    assert request.url.host == "huggingface.co"
    assert request.url.scheme == "https"
    assert server.params(0) == {**expected, "limit": "100", "p": "0"}


@pytest.mark.parametrize(
    "arguments",
    [
        {"date": "2026-11-27", "week": "2026-W48"},
        {"week": "2026-W48", "month": "2026-11"},
        {"sort": "newest"},
        {"limit": 0},
        {"date": "yesterday"},
    ],
)
def test_hf_bad_arguments_are_value_errors_before_any_request(
    arguments: dict[str, object],
) -> None:
    server = Server(respond(json=[]))
    with hf_http(server.transport, sleep=never_sleep) as http, pytest.raises(ValueError):
        fetch_daily(http, **arguments)  # type: ignore[arg-type]
    assert server.requests == []


def test_hf_an_answer_that_is_not_a_list_is_a_net_error() -> None:
    server = Server(respond(json={"papers": []}))
    with (
        hf_http(server.transport, sleep=never_sleep) as http,
        pytest.raises(NetError, match=r"^huggingface\.co: /api/daily_papers did not answer"),
    ):
        fetch_daily(http)


def test_hf_a_server_that_ignores_the_page_index_cannot_loop_forever() -> None:
    server = Server(respond(json=[hf_item(n) for n in range(100)]))
    with hf_http(server.transport, sleep=never_sleep) as http:
        fetched = fetch_daily(http)
    assert len(fetched.items) == 100
    assert len(server.requests) == 2
    assert fetched.stopped_early == "huggingface.co: stopped at page 2: it repeated earlier pages"


def test_hf_an_item_repeated_across_pages_is_kept_once() -> None:
    # A paper added while paging shifts the list: the last item of p=0 reappears on p=1.
    first = [hf_item(n) for n in range(100)]
    second = [hf_item(99), *(hf_item(n) for n in range(100, 110))]
    server = Server(respond(json=first), respond(json=second))
    with hf_http(server.transport, sleep=never_sleep) as http:
        fetched = fetch_daily(http)
    assert ids(fetched.items) == ids([hf_item(n) for n in range(110)])
    assert fetched.stopped_early is None


def endless_new_pages(request: httpx.Request) -> httpx.Response:
    """A server that always has another full page of papers it never sent before."""
    page, size = int(request.url.params["p"]), int(request.url.params["limit"])
    return httpx.Response(200, json=[hf_item(page * size + n) for n in range(size)])


def test_hf_a_day_that_never_ends_stops_after_ten_pages_and_keeps_them() -> None:
    server = Server(endless_new_pages)
    with hf_http(server.transport, sleep=never_sleep) as http:
        fetched = fetch_daily(http)
    assert len(server.requests) == 10
    assert ids(fetched.items) == ids([hf_item(n) for n in range(1000)])
    assert fetched.stopped_early == (
        "huggingface.co: stopped after 10 pages (1,000 papers) for the latest day: "
        "more than a day can hold"
    )


@pytest.mark.parametrize(
    ("period", "pages", "label"),
    [({"date": "2026-11-27"}, 10, "2026-11-27"), ({"week": "2026-W48"}, 50, "week 2026-W48")],
)
def test_hf_the_page_bound_follows_the_period_asked(
    period: dict[str, str], pages: int, label: str
) -> None:
    server = Server(endless_new_pages)
    with hf_http(server.transport, sleep=never_sleep) as http:
        fetched = fetch_daily(http, **period)  # type: ignore[arg-type]
    assert len(server.requests) == pages
    assert fetched.stopped_early is not None and f"for {label}: " in fetched.stopped_early


def test_hf_a_month_may_hold_more_than_a_week() -> None:
    server = Server(hf_pages(6_000), most=61)
    with hf_http(server.transport, sleep=never_sleep) as http:
        fetched = fetch_daily(http, month="2026-11")
    assert len(fetched.items) == 6_000 and fetched.stopped_early is None
    assert len(server.requests) == 61  # 60 full pages, then the short one that ends it


def test_hf_a_limit_bounds_the_pages_without_stopping_early() -> None:
    server = Server(endless_new_pages)
    with hf_http(server.transport, sleep=never_sleep) as http:
        fetched = fetch_daily(http, limit=250)
    assert len(fetched.items) == 250 and fetched.stopped_early is None
    assert len(server.requests) == 3


def test_hf_base_url_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("READER_HF_URL", "http://localhost:8123/mirror/")
    server = Server(respond(json=[]))
    with hf_http(server.transport, sleep=never_sleep) as http:
        fetch_daily(http)
    url = server.requests[0].url
    assert (url.scheme, url.host, url.port, url.path) == (
        "http",
        "localhost",
        8123,
        "/mirror/api/daily_papers",
    )


def test_hf_errors_name_the_mirror_host_and_port(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("READER_HF_URL", "http://localhost:8123")
    server = Server(respond(500))
    with (
        hf_http(server.transport, sleep=FakeTime().sleep) as http,
        pytest.raises(NetError, match=r"^localhost:8123 kept failing: HTTP 500"),
    ):
        fetch_daily(http)


def test_days_back_is_the_last_n_days_including_today_oldest_first() -> None:
    today = dt.date(2026, 3, 1)
    assert days_back(3, today) == [dt.date(2026, 2, 27), dt.date(2026, 2, 28), today]
    assert days_back(1, today) == [today]
    with pytest.raises(ValueError, match="at least 1"):
        days_back(0, today)


def test_parsers_accept_and_normalise() -> None:
    assert parse_day("2026-11-27") == dt.date(2026, 11, 27)
    assert parse_day(" 2026-1-5 ") == dt.date(2026, 1, 5)
    assert parse_week("2026-W48") == "2026-W48"
    assert parse_week("2026w5") == "2026-W05"
    assert parse_week("2026-W53") == "2026-W53"  # 2026 has 53 ISO weeks
    assert parse_month("2026-11") == "2026-11"
    assert parse_month("2026-3") == "2026-03"


@pytest.mark.parametrize(
    ("parser", "text", "message"),
    [
        (parse_day, "27/11/2026", "expected YYYY-MM-DD"),
        (parse_day, "2026-02-30", "no such day"),
        (parse_week, "2026-48", "expected YYYY-Www"),
        (parse_week, "2025-W53", "2025 has weeks 1 to 52"),
        (parse_week, "2026-W00", "no such week"),
        (parse_month, "Nov 2026", "expected YYYY-MM"),
        (parse_month, "2026-13", "no such month"),
    ],
)
def test_parsers_explain_what_is_wrong(
    parser: Callable[[str], object], text: str, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        parser(text)


# --- arXiv ----------------------------------------------------------------------------------


def atom(numbers: range, total: int | None) -> str:
    """An arXiv API page with one entry per number."""
    entries = "".join(
        f"<entry><id>http://arxiv.org/abs/2401.{10000 + n}v1</id><title>Paper {n}</title></entry>"
        for n in numbers
    )
    found = "" if total is None else f"<opensearch:totalResults>{total}</opensearch:totalResults>"
    return (
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        '<feed xmlns="http://www.w3.org/2005/Atom" '
        'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">'
        f"{found}{entries}</feed>"
    )


def arxiv_results(total: int) -> Reply:
    """The API over ``total`` results, sliced by ``start`` and ``max_results``."""

    def reply(request: httpx.Request) -> httpx.Response:
        start = int(request.url.params["start"])
        size = int(request.url.params["max_results"])
        page = atom(range(start, min(total, start + size)), total)
        return httpx.Response(200, text=page, headers={"Content-Type": "application/atom+xml"})

    return reply


# Well-formed Atom but for the entity: refused, so no entity is ever expanded.
ENTITY_FEED = (
    '<!DOCTYPE feed [<!ENTITY big "many">]><feed xmlns="http://www.w3.org/2005/Atom">'
    "<entry><id>http://arxiv.org/abs/2401.10000v1</id><title>&big;</title></entry></feed>"
)
ERROR_FEED = (
    '<feed xmlns="http://www.w3.org/2005/Atom"><entry>'
    "<id>http://arxiv.org/api/errors#incorrect_id_format_for_1234</id><title>Error</title>"
    "<summary>incorrect id format for 1234</summary></entry></feed>"
)


def test_arxiv_waits_three_seconds_between_requests_and_not_before_the_first() -> None:
    time = FakeTime()
    started: list[float] = []
    results = arxiv_results(250)

    def slow(request: httpx.Request) -> httpx.Response:
        started.append(time.now)
        time.now += 0.5  # the request itself takes half a second
        return results(request)

    server = Server(slow)
    with arxiv_http(server.transport, sleep=time.sleep, clock=time.clock) as http:
        pages = search(http, "all:testing", max_results=1000).items
    assert len(pages) == 3
    assert started[0] == 1000.0  # no wait before the first request
    assert [later - earlier for earlier, later in itertools.pairwise(started)] == [3.5, 3.5]
    assert time.sleeps == [3.0, 3.0]  # counted from the end of the previous response


def test_arxiv_a_retry_also_keeps_the_three_seconds() -> None:
    time = FakeTime()
    started: list[float] = []

    def record(reply: Reply) -> Reply:
        def recorded(request: httpx.Request) -> httpx.Response:
            started.append(time.now)
            return reply(request)

        return recorded

    busy = respond(503, headers={"Retry-After": "1"})
    server = Server(record(busy), record(arxiv_results(5)))
    with arxiv_http(server.transport, sleep=time.sleep, clock=time.clock) as http:
        search(http, "all:testing", max_results=5)
    assert started == [1000.0, 1003.0]
    assert time.sleeps == [1.0, 2.0]


def test_arxiv_search_pages_until_total_results() -> None:
    server = Server(arxiv_results(250))
    progress: list[int] = []
    with arxiv_http(server.transport, sleep=FakeTime().sleep) as http:
        result = search(http, "cat:cs.LG", max_results=1000, on_page=progress.append)
    pages = result.items
    assert result.stopped_early is None  # the total arrived
    assert [page.count("<entry>") for page in pages] == [100, 100, 50]
    assert [server.params(i) for i in range(len(server.requests))] == [
        {
            "search_query": "cat:cs.LG",
            "start": str(start),
            "max_results": "100",
            "sortBy": "submittedDate",
            "sortOrder": "descending",
        }
        for start in (0, 100, 200)
    ]
    assert progress == [100, 200, 250]
    assert server.requests[0].url.host == "export.arxiv.org"
    assert server.requests[0].url.path == "/api/query"


def test_arxiv_search_stops_at_max_results_asking_only_for_what_is_left() -> None:
    server = Server(arxiv_results(10_000))
    with arxiv_http(server.transport, sleep=FakeTime().sleep) as http:
        result = search(http, "all:x", max_results=150, page_size=100)
    pages = result.items
    assert result.stopped_early is None
    assert [page.count("<entry>") for page in pages] == [100, 50]
    assert [(server.params(i)["start"], server.params(i)["max_results"]) for i in (0, 1)] == [
        ("0", "100"),
        ("100", "50"),
    ]
    assert len(server.requests) == 2


def test_arxiv_search_with_no_results_is_one_request() -> None:
    server = Server(respond(text=atom(range(0), 0)))
    with arxiv_http(server.transport, sleep=FakeTime().sleep) as http:
        result = search(http, "all:zzzz", max_results=100)
    assert result.items == [] and result.stopped_early is None
    assert len(server.requests) == 1


def test_arxiv_stops_at_a_page_without_entries_when_the_total_is_missing() -> None:
    server = Server(respond(text=atom(range(100), None)), respond(text=atom(range(0), None)))
    with arxiv_http(server.transport, sleep=FakeTime().sleep) as http:
        result = search(http, "all:x", max_results=500)
    pages = result.items
    assert result.stopped_early is None  # without a total, an empty page is the end
    assert len(pages) == 1
    assert len(server.requests) == 2


def test_arxiv_an_unexpectedly_empty_page_is_asked_again() -> None:
    # The API sometimes answers a page inside a large result set with an empty feed.
    server = Server(
        respond(text=atom(range(0, 100), 300)),
        respond(text=atom(range(0), 0)),
        respond(text=atom(range(100, 200), 300)),
        respond(text=atom(range(0), 0)),
    )
    with arxiv_http(server.transport, sleep=FakeTime().sleep) as http:
        result = search(http, "all:x", max_results=300)
    assert [page.count("<entry>") for page in result.items] == [100, 100]
    starts = [server.params(i)["start"] for i in range(len(server.requests))]
    # 100 once empty then answered; 200 empty three times: then we stop, not loop.
    assert starts == ["0", "100", "100", "200", "200", "200"]
    assert result.stopped_early == (
        "export.arxiv.org: got 200 of 300 papers asked for; a page came back empty"
    )


def test_arxiv_one_entry_a_page_stops_after_the_pages_asked_plus_a_few() -> None:
    def one_entry(request: httpx.Request) -> httpx.Response:
        start = int(request.url.params["start"])
        return httpx.Response(200, text=atom(range(start, start + 1), 10_000))

    server = Server(one_entry)
    progress: list[int] = []
    with arxiv_http(server.transport, sleep=FakeTime().sleep) as http:
        result = search(http, "all:x", max_results=200, on_page=progress.append)
    # Two pages of 100 were needed; five more requests are the slack.
    assert len(server.requests) == 7
    assert len(result.items) == 7 and progress[-1] == 7
    assert result.stopped_early == (
        "export.arxiv.org: got 7 of 200 papers asked for; "
        "stopped after 7 requests: pages came back short or empty"
    )


def test_arxiv_an_empty_first_page_despite_a_total_says_so() -> None:
    server = Server(respond(text=atom(range(0), 50)))
    with arxiv_http(server.transport, sleep=FakeTime().sleep) as http:
        result = search(http, "all:x", max_results=200)
    assert result.items == []
    assert result.stopped_early == (
        "export.arxiv.org: got 0 of 50 papers asked for; a page came back empty"
    )


def test_arxiv_refuses_garbage_and_error_feeds() -> None:
    for reply, expected in [
        (respond(text="<html>down for maintenance</html>"), "not an Atom feed"),
        (respond(text=ENTITY_FEED), "not an Atom feed"),
        (respond(text=ERROR_FEED), "arXiv API error: incorrect id format for 1234"),
    ]:
        server = Server(reply)
        with (
            arxiv_http(server.transport, sleep=FakeTime().sleep) as http,
            pytest.raises(NetError, match=expected),
        ):
            search(http, "all:x", max_results=10)
        assert len(server.requests) == 1


def test_arxiv_400_reports_the_reason_from_its_error_feed_at_once() -> None:
    server = Server(respond(400, text=ERROR_FEED))
    time = FakeTime()
    with (
        arxiv_http(server.transport, sleep=time.sleep, clock=time.clock) as http,
        pytest.raises(NetError) as caught,
    ):
        by_ids(http, ["2409.11074"])
    assert str(caught.value) == "export.arxiv.org: HTTP 400: incorrect id format for 1234"
    assert len(server.requests) == 1
    assert time.sleeps == []


def test_arxiv_by_ids_batches_normalises_and_deduplicates() -> None:
    wanted = [f"2401.{10000 + n}" for n in range(250)]
    given = [f"arXiv:{wanted[0]}v2", *wanted, f"https://arxiv.org/abs/{wanted[1]}"]

    def reply(request: httpx.Request) -> httpx.Response:
        count = len(request.url.params["id_list"].split(","))
        return httpx.Response(200, text=atom(range(count), count))

    server = Server(reply)
    progress: list[int] = []
    with arxiv_http(server.transport, sleep=FakeTime().sleep) as http:
        pages = by_ids(http, given, on_page=progress.append)
    assert len(pages) == 3
    batches = [server.params(i)["id_list"].split(",") for i in range(len(server.requests))]
    assert [len(batch) for batch in batches] == [100, 100, 51]
    assert batches[0][0] == f"{wanted[0]}v2"  # a version asked for is kept
    assert [paper for batch in batches for paper in batch] == [f"{wanted[0]}v2", *wanted]
    assert [server.params(i)["max_results"] for i in range(3)] == ["100", "100", "51"]
    assert progress == [100, 200, 251]


def test_arxiv_by_ids_refuses_a_bad_id_before_any_request() -> None:
    server = Server(respond(text=atom(range(0), 0)))
    with arxiv_http(server.transport, sleep=never_sleep) as http:
        with pytest.raises(ValueError, match="not arXiv ids: 'nonsense'"):
            by_ids(http, ["2409.11074", "nonsense"])
        assert by_ids(http, []) == []
    assert server.requests == []


def test_arxiv_base_url_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("READER_ARXIV_URL", "http://127.0.0.1:9000")
    server = Server(respond(text=atom(range(1), 1)))
    with arxiv_http(server.transport, sleep=never_sleep) as http:
        search(http, "all:x", max_results=1)
    url = server.requests[0].url
    assert (url.host, url.port, url.path) == ("127.0.0.1", 9000, "/api/query")
    assert server.requests[0].headers["User-Agent"] == USER_AGENT
