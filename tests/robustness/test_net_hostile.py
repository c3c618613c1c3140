"""`reader fetch` and `reader add` against a hostile server on 127.0.0.1, as real processes.

The server (in this test process) drips its answer a byte at a time, sends a gzip
bomb or a 200 MB body, pages for ever with new papers, or redirects elsewhere. Each
command runs as a child process, pointed at it with READER_HF_URL / READER_ARXIV_URL:
what a user sees (one line on stderr, no traceback, the exit code), what reached the
library, and how much memory the child took at its peak (its own VmHWM).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import threading
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from reader.store import open_library
from tests.support.data import DATA, ROOT

pytestmark = pytest.mark.slow

ATOM = (DATA / "arxiv-query-testing.xml").read_text(encoding="utf-8")
MiB = 1024 * 1024
# What a child may take at its peak: the interpreter and its imports take ~50 MiB,
# an answer at most 32 MiB. Without the cap the bomb took 2 GiB and the big body 430 MiB.
PEAK_LIMIT = 160 * MiB
# Only a guard against a hang: every test here ends in a second or two.
HANG_GUARD = 120.0


def gzip_bomb(mebibytes: int) -> bytes:
    """About a megabyte of gzip that expands to ``mebibytes`` MiB of zeros.

    Made from one compressed megabyte repeated (each block starts afresh after a full
    flush), since compressing a gigabyte would take seconds; the trailer's checksum
    is wrong, which a bomb need not care about.
    """
    compress = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(MiB)
    first = compress.compress(block) + compress.flush(zlib.Z_FULL_FLUSH)
    again = compress.compress(block) + compress.flush(zlib.Z_FULL_FLUSH)
    return first + again * (mebibytes - 1) + compress.flush()


BOMB = gzip_bomb(1024)


class Hostile(BaseHTTPRequestHandler):
    """Answers by the first segment of the path: /drip-body/api/..., /bomb/api/..."""

    protocol_version = "HTTP/1.1"
    stop: threading.Event  # set on the class by the fixture: the server is closing

    def do_GET(self) -> None:
        mode, _, rest = self.path.lstrip("/").partition("/")
        # The client stopped reading, or hung up: that is the point.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            getattr(self, "answer_" + mode.replace("-", "_"))("/" + rest)

    def log_message(self, format: str, *args: object) -> None:
        pass

    def drip(self, byte: bytes) -> None:
        while not self.stop.wait(0.1):  # a byte every 0.1 s, for ever
            self.wfile.write(byte)
            self.wfile.flush()

    def answer_drip_body(self, path: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(10**9))
        self.end_headers()
        self.drip(b" ")

    def answer_drip_head(self, path: str) -> None:
        self.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
        self.drip(b"z")

    def answer_bomb(self, path: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(BOMB)))
        self.end_headers()
        self.wfile.write(BOMB)

    def answer_big(self, path: str) -> None:
        size, chunk = 200 * 1000 * 1000, b" " * (64 * 1024)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(size))
        self.end_headers()
        for _ in range(size // len(chunk)):  # streamed: never built in memory
            self.wfile.write(chunk)
        self.wfile.write(b" " * (size % len(chunk)))

    def answer_pages(self, path: str) -> None:
        """Hugging Face with a page of 100 papers never sent before, on every page."""
        params = dict(pair.split("=") for pair in path.partition("?")[2].split("&"))
        page, size = int(params["p"]), int(params["limit"])
        papers = [
            {"paper": {"id": f"2501.{10000 + page * size + n}", "title": f"Paper {page}.{n}"}}
            for n in range(size)
        ]
        self.send_body(json.dumps(papers).encode(), "application/json")

    def answer_one_entry(self, path: str) -> None:
        """arXiv promising 10,000 results and sending one a page."""
        start = int(re.search(r"start=(\d+)", path).group(1))  # type: ignore[union-attr]
        entries = re.findall(r"<entry>.*?</entry>", ATOM, re.DOTALL)
        head = ATOM[: ATOM.index("<entry>")]
        head = re.sub(r"<opensearch:totalResults>\d+<", "<opensearch:totalResults>10000<", head)
        page = head + entries[start % len(entries)] + "</feed>"
        self.send_body(page.encode(), "application/atom+xml")

    def answer_elsewhere(self, path: str) -> None:
        assert isinstance(self.server, ThreadingHTTPServer)
        port = self.server.server_port
        self.redirect(f"http://localhost:{port}/pages{path}")

    def answer_to_file(self, path: str) -> None:
        self.redirect("file:///etc/passwd")

    def redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def send_body(self, body: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client hanging up mid-answer is what these tests make happen


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """The hostile server's address, ``http://127.0.0.1:PORT``."""
    Hostile.stop = threading.Event()
    httpd = QuietServer(("127.0.0.1", 0), Hostile)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        Hostile.stop.set()
        httpd.shutdown()
        httpd.server_close()


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str
    peak: int  # the child's peak resident memory in bytes, from its own VmHWM


# The command line as ``python -m reader`` runs it, plus a note of the process's peak
# memory as it exits. Not from rusage: a child forked from this (large) test process
# inherits its high-water mark, which exec does not reset; VmHWM is the new image's.
LAUNCH = """
import atexit, os, sys

def note_peak():
    with open("/proc/self/status") as status, open(os.environ["PEAK_FILE"], "w") as out:
        out.write(next(line for line in status if line.startswith("VmHWM:")))

atexit.register(note_peak)
import reader.cli as cli
from reader.fetching import Network
cli.main(sys.argv[1:], prog_name="reader", obj={network})
"""


def reader(tmp_path: Path, *args: str, env: dict[str, str], options: str = "") -> Run:
    """Run ``reader ARGS`` as a child process and wait for it.

    ``options`` is Python for the keyword arguments of the child's
    :class:`~reader.fetching.Network` (a short deadline, no real waits); without
    it, the network settings are the real ones.
    """
    network = f"Network(**{options})" if options else "None"
    peak_file = tmp_path / "peak"
    child = subprocess.run(
        [sys.executable, "-c", LAUNCH.format(network=network), *args],
        cwd=ROOT,
        env={**os.environ, **env, "PEAK_FILE": str(peak_file)},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,  # a hang fails the test instead of stopping the suite
        check=False,
    )
    kib = peak_file.read_text().split()[1]  # "VmHWM:   86380 kB"
    return Run(child.returncode, child.stdout, child.stderr, peak=int(kib) * 1024)


def papers_in(db: Path) -> int:
    if not db.exists():
        return 0
    library = open_library(db)
    try:
        return library.count()
    finally:
        library.close()


def host(server: str) -> str:
    return server.removeprefix("http://")


# -- size --------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["bomb", "big"])
def test_an_answer_too_large_is_refused_with_bounded_memory(
    server: str, tmp_path: Path, mode: str
) -> None:
    db = tmp_path / "library.db"
    run = reader(
        tmp_path, "fetch", "hf", env={"READER_DB": str(db), "READER_HF_URL": f"{server}/{mode}"}
    )
    assert run.code == 1
    assert run.stderr == (
        f"Error: {host(server)}: the answer is larger than 32 MiB, more than reader accepts\n"
    )
    assert run.peak < PEAK_LIMIT, f"peak {run.peak / MiB:.0f} MiB"
    assert papers_in(db) == 0


# -- time --------------------------------------------------------------------------------------

SHORT_DEADLINE = "{'deadline': 0.5, 'notice_every': 0.1}"


@pytest.mark.parametrize(
    ("mode", "notice"),
    [("drip-body", "still receiving the answer"), ("drip-head", "still waiting for an answer")],
)
def test_a_server_that_never_finishes_is_announced_then_cut_at_the_deadline(
    server: str, tmp_path: Path, mode: str, notice: str
) -> None:
    db = tmp_path / "library.db"
    env = {"READER_DB": str(db), "READER_HF_URL": f"{server}/{mode}"}
    run = reader(tmp_path, "fetch", "hf", env=env, options=SHORT_DEADLINE)
    assert run.code == 1
    *notices, error = run.stderr.splitlines()
    assert (
        error == f"Error: {host(server)}: no complete answer within 0.5 s; the server is too slow"
    )
    assert notices, run.stderr
    assert all(line.startswith(f"{host(server)}: {notice} (0.") for line in notices), notices
    assert papers_in(db) == 0


# -- pages -------------------------------------------------------------------------------------


def test_hf_paging_for_ever_stops_saves_what_arrived_and_says_so(
    server: str, tmp_path: Path
) -> None:
    db = tmp_path / "library.db"
    run = reader(
        tmp_path, "fetch", "hf", env={"READER_DB": str(db), "READER_HF_URL": f"{server}/pages"}
    )
    assert run.code == 1
    assert run.stdout == f"{host(server)}: 1000 papers: 1000 added, 0 updated, 0 unchanged\n"
    assert run.stderr == (
        f"Error: {host(server)}: stopped after 10 pages (1,000 papers) for the latest day: "
        "more than a day can hold\n"
    )
    assert papers_in(db) == 1000


def test_arxiv_one_entry_a_page_stops_saves_what_arrived_and_says_so(
    server: str, tmp_path: Path
) -> None:
    db = tmp_path / "library.db"
    env = {"READER_DB": str(db), "READER_ARXIV_URL": f"{server}/one-entry"}
    no_waits = "{'sleep': lambda seconds: None}"  # arXiv's 3 s, asked for but not slept
    run = reader(tmp_path, "fetch", "arxiv", "-q", "x", "--max", "200", env=env, options=no_waits)
    assert run.code == 1
    assert run.stdout == f"{host(server)}: 7 papers: 7 added, 0 updated, 0 unchanged\n"
    assert run.stderr == (
        f"Error: {host(server)}: got 7 of 200 papers asked for; "
        "stopped after 7 requests: pages came back short or empty\n"
    )
    assert papers_in(db) == 7


# -- redirects ---------------------------------------------------------------------------------


def test_add_refuses_a_redirect_to_another_host(server: str, tmp_path: Path) -> None:
    db = tmp_path / "library.db"
    env = {"READER_DB": str(db), "READER_ARXIV_URL": f"{server}/elsewhere"}
    run = reader(tmp_path, "add", "2409.11074", env=env)
    assert run.code == 1
    port = server.rsplit(":", 1)[1]
    assert run.stderr == (
        f"Error: {host(server)}: refused a redirect to another host: "
        f"http://localhost:{port}/pages/api/query?id_list=2409.11074&max_results=1\n"
    )
    assert papers_in(db) == 0


def test_fetch_refuses_a_redirect_to_a_file_naming_the_file(server: str, tmp_path: Path) -> None:
    db = tmp_path / "library.db"
    env = {"READER_DB": str(db), "READER_HF_URL": f"{server}/to-file"}
    run = reader(tmp_path, "fetch", "hf", env=env)
    assert run.code == 1
    assert run.stderr == (
        f"Error: {host(server)}: refused a redirect to file:///etc/passwd: not an http(s) URL\n"
    )
    assert papers_in(db) == 0
