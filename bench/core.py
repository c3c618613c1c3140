"""The measures that need no terminal: import speed and the search index itself."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from bench.library import adopt, alive, import_into, remove_db, say, scratch_db, source_json
from bench.stats import Row, Table, seconds

# Real queries as the filter sees them while they are typed, one keystroke at a time.
# The author is the generator's commonest first and last name together: the most
# papers whose names a full name is checked against.
TYPED = ("diffusion model", "smith", "attention is:unread year:>2022", 'author:"Ana Smith"')


def keystrokes(text: str) -> list[str]:
    """Every prefix of ``text``: the filter's text after each key."""
    return [text[:end] for end in range(1, len(text) + 1)]


def measure_import(table: Table, size: int, runs: int) -> None:
    """Import the generated file into an empty library, ``runs`` times, each into a
    fresh file. The first one becomes the cached library when there is none yet."""
    source = source_json(size)
    took: list[float] = []
    parsing: list[float] = []
    for run in range(runs):
        db = scratch_db(size)
        try:
            with alive(f"import of {size:,} papers, run {run + 1} of {runs}"):
                imported = import_into(db, source)
            if imported.papers != size:
                say(f"  note: the file gave {imported.papers:,} papers, not {size:,}")
            took.append(imported.seconds)
            parsing.append(imported.parse_seconds)
            if adopt(db, size):
                say("  kept as the cached library")
        finally:
            remove_db(db)
    rate = size / statistics.median(took)
    parse = seconds(statistics.median(parsing))
    note = f"{rate:,.0f} papers/s; parsing the JSON {parse}"
    peak = peak_rss_mb()
    if peak is not None:
        # The import is the first part a run does: the bench's own peak is the import's.
        note += f"; this process's peak RSS so far {peak:,} MB"
    table.add(Row("import", size, "HF JSON into an empty library", tuple(took), note=note))


def peak_rss_mb() -> int | None:
    """This process's peak resident memory (Linux's VmHWM), in MB; None elsewhere."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        return None
    return None


def measure_index_filter(table: Table, size: int, db: Path) -> None:
    """The search index alone, built as ``reader list`` builds it, each query typed key
    by key (no app, no thread)."""
    from reader.search import Query, SearchIndex
    from reader.store import open_library

    library = open_library(db, create=False)
    words = library.words()
    try:
        began = time.perf_counter()
        index = SearchIndex(library.listing(), words)
        marks = library.annotations("bench")
        loaded = time.perf_counter()
        index.warm()
        warmed = time.perf_counter()
        table.add(Row("filter", size, "index: read the list columns", (loaded - began,)))
        table.add(
            Row(
                "filter",
                size,
                "index: warm",
                (warmed - loaded,),
                note="the app does this in a worker",
            )
        )
        for text in TYPED:
            costs = []
            for typed in keystrokes(text):
                query = Query.parse(typed)
                began = time.perf_counter()
                index.search(query, marks)
                costs.append(time.perf_counter() - began)
            worst = max(range(len(costs)), key=costs.__getitem__)
            table.add(
                Row(
                    "filter",
                    size,
                    f"index: {text!r} per key",
                    tuple(costs),
                    note=f"worst {seconds(costs[worst])} at {keystrokes(text)[worst]!r}",
                )
            )
    finally:
        words.close()
        library.close()
