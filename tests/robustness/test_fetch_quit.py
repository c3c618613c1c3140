"""Quitting during a fetch does not wait for the server (a real process, a loopback
server that never answers)."""

from __future__ import annotations

import os
import socket
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.terminal import Terminal

# -- quitting during a fetch, as a real process ------------------------------------------


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A server on 127.0.0.1 that takes connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join()
    for connection in held:
        connection.close()
    listener.close()


@pytest.mark.slow
def test_quitting_during_a_fetch_does_not_wait_for_the_server(
    tmp_path: Path, silent_server: str
) -> None:
    """Textual joins its worker threads at exit: a worker blocked on a server that
    never answers would hold the quit for the whole 60 s deadline."""
    env = {
        **os.environ,
        "READER_DB": str(tmp_path / "library.db"),
        "READER_USER": "ana",
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "READER_HF_URL": silent_server,
        "PYTHONPATH": str(Path(__file__).parent.parent.parent),
    }
    terminal = Terminal([sys.executable, "-m", "reader"], env=env)
    try:
        terminal.wait_for("39 of 39 papers")
        terminal.send("f")
        terminal.wait_for("Fetching today")
        terminal.send("q")
        # Far less than the 60 s the fetch would take to give up on the server.
        assert terminal.process.wait(timeout=20) == 0
    finally:
        terminal.close()
