"""Libraries in the states tests need: another writer holding the lock, papers made up."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from reader.models import Paper
from reader.store import Library


@contextmanager
def write_lock(db_path: Path) -> Iterator[sqlite3.Connection]:
    """Another process's write in progress: the library's write lock, held."""
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield other
    finally:
        if other.in_transaction:
            other.execute("ROLLBACK")
        other.close()


def older_library(path: Path, version: int) -> sqlite3.Connection:
    """A new library file as reader left it at schema ``version`` (its first
    ``version`` migrations, marked ours and at that version), open for rows to be
    written into it as that reader would have; close it before opening the library."""
    from reader.store.schema import APPLICATION_ID, MIGRATIONS

    conn = sqlite3.connect(path, isolation_level=None)
    for statements in MIGRATIONS[:version]:
        for statement in statements:
            conn.execute(statement)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {version}")
    return conn


def stored_id(paper: Paper) -> int:
    """``paper``'s id in its library: every paper read back from one has it."""
    assert paper.id is not None, f"{paper.title!r} has no id: it was not read from a library"
    return paper.id


def ids(papers: Iterable[Paper]) -> list[int]:
    """The library ids of ``papers``, in their order."""
    return [stored_id(paper) for paper in papers]


def stored(library: Library, paper_id: int) -> Paper:
    """The paper ``library`` holds under ``paper_id``: the test knows it is there."""
    paper = library.paper(paper_id)
    assert paper is not None, f"no paper {paper_id} in the library"
    return paper


def new_papers(count: int, start: int = 1) -> list[Paper]:
    """``count`` made-up papers on grokking, numbered from ``start``, none in the sample."""
    return [
        Paper(
            f"New paper {n} on grokking and lottery tickets",
            f"2402.{n:05d}",
            abstract="Words of an abstract. " * 20,
            authors=(f"Author {n % 97}", "Bo Li"),
            published="2024-02-01",
            upvotes=n % 13,
        )
        for n in range(start, start + count)
    ]


def schema_pages(path: Path) -> int:
    """How many pages from the file's start hold its schema: every table's and
    index's first page, and the schema's own (its last ones come after them)."""
    with closing(sqlite3.connect(f"{path.as_uri()}?immutable=1", uri=True)) as conn:
        roots = conn.execute("SELECT max(rootpage) FROM sqlite_master").fetchone()[0]
        own = conn.execute("SELECT max(pageno) FROM dbstat WHERE name = 'sqlite_schema'")
        return max(int(roots), int(own.fetchone()[0]))


def corrupt(path: Path) -> None:
    """Overwrite the second half of the file with junk, from past the last table's
    first page on: the schema, written first, stays readable; the papers' pages,
    written last, do not."""
    data = bytearray(path.read_bytes())
    half = max(len(data) // 2 // 4096, schema_pages(path)) * 4096
    assert half < len(data), "the papers' pages come after the schema's"
    data[half:] = b"\xa5" * (len(data) - half)
    path.write_bytes(bytes(data))


# Every field set to something other than its default.
FULL = Paper(
    title="Universal Image Restoration Pre-training via Degradation Classification",
    arxiv_id="2501.15510",
    abstract="This paper proposes the Degradation Classification Pre-Training (DCPT).",
    authors=("JiaKui Hu", "Lujia Jin", "Zhengjian Yao", "Yanye Lu"),
    author_count=4,
    published="2025-01-26",
    upvotes=2,
    github_url="https://github.com/MILab-PKU/dcpt",
    id=17,
    arxiv_version=3,
    updated="2025-02-03",
    featured="2025-01-28",
    categories=("cs.CV", "cs.AI"),
    primary_category="cs.CV",
    comment="Accepted by ICLR 2025",
    doi="10.48550/arXiv.2501.15510",
    journal_ref="ICLR 2025",
    url="https://milab-pku.github.io/dcpt/",
    num_comments=1,
    github_stars=58,
    ai_summary="Pre-training by classifying degradations helps image restoration.",
    ai_keywords=("degradation classification", "pre-training"),
)
