"""A mock network through the one seam the command line and the app take (a
:class:`reader.fetching.Network`), and the recorded answers tests give through it."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import httpx
from click.testing import CliRunner, Result

from reader.cli import main
from reader.fetching import Network
from tests.support.data import DATA

DAILY = json.loads((DATA / "hf-daily-papers.json").read_text(encoding="utf-8"))
ATOM = (DATA / "arxiv-query-testing.xml").read_text(encoding="utf-8")
Handler = Callable[[httpx.Request], httpx.Response]


class MockNetwork:
    """The mock network: answers with ``handler``, keeps every request and wait."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.sleeps: list[float] = []
        self.handler: Handler = lambda request: httpx.Response(404)
        # More of the client's settings (a short deadline), for a test that needs them.
        self.deadline: float | None = None
        self.notice_every: float | None = None
        self.transport = httpx.MockTransport(self._answer)

    def _answer(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.handler(request)

    def params(self, name: str) -> list[str | None]:
        return [request.url.params.get(name) for request in self.requests]

    @property
    def network(self) -> Network:
        """The one network seam, as the command line and the app take it."""
        network = Network(self.transport, sleep=self.sleeps.append)
        if self.deadline is not None:
            network = replace(network, deadline=self.deadline)
        if self.notice_every is not None:
            network = replace(network, notice_every=self.notice_every)
        return network

    def run(self, *args: str | Path) -> Result:
        """``reader ARGS`` on this network."""
        return CliRunner().invoke(
            main, [str(a) for a in args], prog_name="reader", obj=self.network
        )


def atom_feed(*ids: str) -> str:
    """A feed holding the entries of the shared arXiv response with these ids."""
    entries = re.findall(r"<entry>.*?</entry>", ATOM, re.DOTALL)
    chosen = [e for e in entries if any(f"/abs/{paper_id}v" in e for paper_id in ids)]
    head = ATOM[: ATOM.index("<entry>")]
    head = re.sub(
        r"<opensearch:totalResults>\d+<", f"<opensearch:totalResults>{len(chosen)}<", head
    )
    return head + "".join(chosen) + "</feed>"
