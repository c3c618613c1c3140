"""The digest's section "Updates to your starred papers" (issue 19, item 7): before the
new papers, in every format, only when there are updates, per user, since the mark."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from reader.digest import UPDATES, Digest, Updated, render
from reader.models import Paper, PaperUpdate
from reader.store import Library, clock
from tests.support.updates import T0, cli, pid, three_papers


@pytest.fixture
def at(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    """Set the store's clock to a time."""
    return lambda when: monkeypatch.setattr(clock, "now", lambda: when)


@pytest.fixture
def lib(empty_library: Library, at: Callable[[str], None]) -> Library:
    """Three papers at version 1, none with code, imported at T0 (the clock left there)."""
    at(T0)
    return three_papers(empty_library)


def test_the_digest_says_the_updates_first_in_every_format(
    lib: Library, db_path: Path, at: Callable[[str], None]
) -> None:
    one, two = pid(lib, "2512.00001"), pid(lib, "2512.00002")
    lib.set_starred("ana", one, True)
    lib.set_starred("ana", two, True)
    at("2026-12-02T08:00:00+00:00")
    lib.mark_looked("ana")
    at("2026-12-04T09:00:00+00:00")
    lib.import_papers(
        [
            Paper("Paper 1", "2512.00001", arxiv_version=3),
            Paper("Paper 2 <b>&", "2512.00002", github_url="https://github.com/x/y"),
            Paper("Arrived", "2512.00007"),
        ]
    )
    markdown = cli(db_path, "digest")
    assert markdown.index(f"## {UPDATES}") < markdown.index("## New papers")
    assert "Updated: arXiv v3 (was v1), 2026-12-04" in markdown
    assert "Code: github.com/x/y, appeared 2026-12-04" in markdown
    html = cli(db_path, "digest", "--format", "html")
    assert html.index(UPDATES) < html.index("New papers")
    assert "Paper 2 &lt;b&gt;&amp;" in html
    feed = ET.fromstring(cli(db_path, "digest", "--format", "atom"))
    ns = {"a": "http://www.w3.org/2005/Atom"}
    titles = [e.findtext("a:title", "", ns) for e in feed.findall("a:entry", ns)]
    assert sorted(titles[:2]) == ["Updated: Paper 1", "Updated: Paper 2 <b>&"]
    assert "Arrived" in titles
    ids = [e.findtext("a:id", namespaces=ns) for e in feed.findall("a:entry", ns)]
    assert len(set(ids)) == len(ids)
    # Bo starred nothing: no section. Marked seen: ana's is gone too.
    assert UPDATES not in cli(db_path, "digest", user="bo")
    cli(db_path, "digest", "--mark-seen")
    assert UPDATES not in cli(db_path, "digest")
    assert UPDATES in cli(db_path, "digest", "--since", "2026-12-04")


def test_a_digest_without_updates_has_no_such_section() -> None:
    digest = Digest("ana", None, T0, (), (), ranked=False)
    for fmt in ("markdown", "html", "atom"):
        assert UPDATES not in render(digest, fmt)
    paper = Paper("T", "2512.00001", id=1)
    update = PaperUpdate(1, "version", T0, "1", "2")
    with_one = replace(digest, updated=(Updated(paper, (update,)),))
    for fmt in ("markdown", "html", "atom"):
        assert UPDATES in render(with_one, fmt)
