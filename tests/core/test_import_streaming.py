"""A large file read as it is imported (reader.sources.streaming): the same papers and
the same one-line errors as reading it whole, and a bad record half way through
undoes what was written before it."""

from __future__ import annotations

import io
import json
import sqlite3
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path

import pytest

import reader.sources.streaming as streaming
from reader.models import Paper
from reader.sources import SourceError
from reader.sources.loader import load
from reader.sources.streaming import PaperStream, open_stream
from reader.store import open_library
from tests.support.data import DATA
from tests.support.imports import run
from tests.support.store import new_papers

ITEMS = json.loads((DATA / "hf-daily-papers.json").read_text(encoding="utf-8"))


def loaded(data: bytes, fmt: str = "auto") -> tuple[object, ...]:
    """What reading ``data`` whole gives: the papers and skipped count, or the error."""
    try:
        batch = load("f.json", data, fmt=fmt)
    except SourceError as error:
        return (str(error),)
    return batch.format, batch.papers, batch.skipped


def streamed(data: bytes, fmt: str = "auto") -> tuple[object, ...]:
    """What streaming ``data`` gives, in the same shape as :func:`loaded`."""
    try:
        stream = open_stream("f.json", io.BytesIO(data), fmt=fmt)
        assert isinstance(stream, PaperStream), "not streamed"
        papers = list(stream)
    except SourceError as error:
        return (str(error),)
    return stream.format, papers, stream.skipped


def lines(separator: str, tail: str = "") -> bytes:
    return (separator.join(json.dumps(item) for item in ITEMS) + tail).encode()


CASES = {
    "an array": json.dumps(ITEMS).encode(),
    "an array, indented": json.dumps(ITEMS, indent=2, ensure_ascii=False).encode(),
    "an array with a BOM": b"\xef\xbb\xbf" + json.dumps(ITEMS).encode(),
    "an empty array": b"  [ ]\n",
    "an array of no papers": b"[1, 2, 3]",
    "an array cut short": json.dumps(ITEMS, indent=2).encode()[:-40],
    "an array with garbage after it": json.dumps(ITEMS).encode() + b"\n\n x",
    "a bad value in an array": json.dumps(ITEMS, indent=2)
    .encode()
    .replace(b'"title"', b'"title" 1', 1),
    "a missing comma": json.dumps(ITEMS, indent=2).encode().replace(b"},", b"}", 1),
    "a number cut short": b"[1, 2",
    "bad UTF-8 in an array": json.dumps(ITEMS, indent=2).encode().replace(b"a", b"\xff", 1),
    "JSON Lines": lines("\n"),
    "JSON Lines, \\r": lines("\r"),
    "JSON Lines, \\r\\n, a bad line": lines("\r\n", "\r\n\r\n{bad\n"),
    "JSON Lines, bad UTF-8": lines("\n", '\n{"title": "\xff"}\n').replace(b"\xc3\xbf", b"\xff"),
}


FEED = (DATA / "arxiv-query-testing.xml").read_bytes()
ENTRY_END = b"</entry>"
# A feed's cases: what reading it whole gives, error or papers, a stream gives too.
CASES |= {
    "an Atom feed": FEED,
    "an Atom feed with a BOM": b"\xef\xbb\xbf" + FEED,
    "an Atom feed, \r\n": FEED.replace(b"\n", b"\r\n"),
    "an empty Atom feed": (DATA / "arxiv-empty-feed.xml").read_bytes(),
    "the API's error feed": (DATA / "arxiv-error-feed.xml").read_bytes(),
    "an Atom feed cut short": FEED[: len(FEED) * 2 // 3],
    "an Atom feed with a broken entry": FEED.replace(ENTRY_END, b"</entri>", 3)[
        : FEED.index(ENTRY_END) + 4000
    ]
    + FEED[FEED.index(ENTRY_END) + 4000 :],
    "an Atom feed with an entry without an id": FEED.replace(b"<id>http://arxiv", b"<id>x", 2),
    "an Atom feed whose entries are not its own": FEED.replace(
        b"<entry>", b"<entry><entry>", 1
    ).replace(ENTRY_END, ENTRY_END + ENTRY_END, 1),
    "an Atom feed with a DOCTYPE half way": FEED[:30_000]
    + b'<!DOCTYPE x [<!ENTITY a "b">]>'
    + FEED[30_000:],
    "an Atom feed with bad UTF-8": FEED[:20_000] + b"\xff" + FEED[20_000:],
    "an Atom feed with junk after it": FEED + b"\n<feed/>",
    "an Atom feed with an error id on a real entry": FEED.replace(
        b"<id>http://arxiv.org/abs/", b"<id>https://arxiv.org/api/errors#", 1
    ),
}


@pytest.mark.parametrize("window", [7, 4096, streaming.CHUNK_BYTES])
@pytest.mark.parametrize("name", list(CASES))
def test_a_stream_gives_what_reading_the_file_whole_gives(
    name: str, window: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A small window puts the end of what was read inside every kind of value.
    monkeypatch.setattr(streaming, "CHUNK_BYTES", window)
    assert streamed(CASES[name]) == loaded(CASES[name])


def test_an_atom_feed_is_streamed_and_a_lone_entry_read_whole() -> None:
    stream = open_stream("feed.xml", io.BytesIO(FEED), fmt="arxiv")
    assert isinstance(stream, PaperStream) and stream.format == "arxiv"
    assert len(list(stream)) == len(load("feed.xml", FEED).papers) > 10
    start = FEED.index(b"<entry>")
    entry = FEED[start : FEED.index(ENTRY_END) + len(ENTRY_END)]
    assert open_stream("entry.xml", io.BytesIO(entry)) == entry


def test_a_forced_format_streams_what_it_would_not_detect() -> None:
    assert streamed(b"[1, 2, 3]", "hf-json") == loaded(b"[1, 2, 3]", "hf-json")


@pytest.mark.parametrize(
    "name", ["hf-paper.json", "hf-wrapped.json", "reader-export.json", "reader-export.jsonl"]
)
def test_one_document_or_a_reader_export_is_read_whole(name: str) -> None:
    data = (DATA / name).read_bytes()
    assert open_stream(name, io.BytesIO(data)) == data


def test_a_bad_record_half_way_undoes_the_chunks_already_written(tmp_path: Path) -> None:
    db = tmp_path / "library.db"
    assert run("--db", db, "import", DATA / "hf-daily-papers.json").exit_code == 0
    before = open_library(db).count()
    items = [
        {"paper": {"id": f"2401.{n:05d}", "title": f"Paper number {n}"}} for n in range(1, 3001)
    ]
    text = "[\n" + ",\n".join(json.dumps(item) for item in items) + "\n]\n"
    path = tmp_path / "big.json"
    # Line 2502 (item 2501): past the first chunks, which are written before it is read.
    path.write_text(text.replace('"Paper number 2501"', '"Paper number 2501" oops'))
    result = run("--db", db, "import", path)
    assert result.exit_code == 1
    assert result.stderr == f"Error: {path}:2502: not valid JSON: Expecting ',' delimiter\n"
    assert open_library(db).count() == before


def test_a_large_stream_imports_every_paper_in_chunks(tmp_path: Path) -> None:
    db = tmp_path / "library.db"
    items = [{"id": f"2401.{n:05d}", "title": f"Paper {n}", "upvotes": n} for n in range(3000)]
    path = tmp_path / "big.jsonl"
    path.write_text("".join(json.dumps(item) + "\n" for item in items) + "[]\n")
    result = run("--db", db, "import", path)
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"{path}: 3000 papers (hf-json): 3000 added, 0 updated, 0 unchanged, 1 skipped\n"
    )
    library = open_library(db)
    assert library.count() == 3000
    assert {paper.upvotes for paper in library.papers()} == set(range(3000))


def merge_level(db: Path) -> dict[str, tuple[int, ...]]:
    """The word indexes' FTS5 automerge and hashsize settings, as another connection
    reads them."""
    conn = sqlite3.connect(db)
    try:
        return {
            table: tuple(
                row[0]
                for key in ("automerge", "hashsize")
                for row in conn.execute(f"SELECT v FROM {table}_config WHERE k = ?", (key,))
            )
            for table in ("paper_words", "abstract_words")
        }
    finally:
        conn.close()


@pytest.mark.parametrize("fails", [False, True], ids=["done", "undone"])
def test_the_word_indexes_merge_less_only_while_an_import_runs(db_path: Path, fails: bool) -> None:
    seen: list[dict[str, tuple[int, ...]]] = []

    def papers() -> Iterator[Paper]:
        for paper in new_papers(3_000):
            if paper.arxiv_id == "2402.02500":  # well after the first chunk
                seen.append(merge_level(db_path))
                if fails:
                    raise SourceError("big.json", 2500, "not valid JSON")
            yield paper

    library = open_library(db_path)
    try:
        with suppress(SourceError):
            library.import_stream(papers(), "ana")
        importing = (16, 8 << 20)  # FTS5's own: (4, 1 << 20)
        assert seen == [{"paper_words": importing, "abstract_words": importing}]
        idle = (4, 1 << 20)
        assert merge_level(db_path) == {"paper_words": idle, "abstract_words": idle}
        assert library.count() == (0 if fails else 3_000)
    finally:
        library.close()
