"""The benchmarks that need generated libraries: import speed and filter latency.

    python -m bench [SIZE ...]        (default: 10000 100000)

Each size is generated once into bench/.cache (git-ignored) and imported into a fresh
library through the real importer. Prints medians and p95 of repeated runs. The
startup, cursor and UI figures on the sample library are in ``bench.sample_ui``.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.generate import papers
from reader.importing import import_batch
from reader.search import Query, SearchIndex
from reader.sources.loader import load
from reader.store import open_library

CACHE = Path(__file__).parent / ".cache"
# Typing real queries, one keystroke at a time, as the filter sees them.
TYPED = ["diffusion model", "smith", "attention is:unread year:>2022"]


def keystrokes(text: str) -> list[str]:
    return [text[:end] for end in range(1, len(text) + 1)]


def generated(size: int) -> Path:
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"hf-{size}.json"
    if not path.exists():
        path.write_text(json.dumps(list(papers(size)), ensure_ascii=False), encoding="utf-8")
    return path


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run(size: int) -> None:
    source = generated(size)
    with tempfile.TemporaryDirectory() as folder:
        library = open_library(Path(folder) / "bench.db")
        began = time.perf_counter()
        batch = load(str(source), source.read_bytes())
        parsed = time.perf_counter()
        import_batch(library, batch, user="bench")
        done = time.perf_counter()
        print(
            f"{size:>9,} papers  import {done - began:6.2f} s "
            f"({size / (done - began):,.0f} papers/s; parse {parsed - began:.2f} s)"
        )
        began = time.perf_counter()
        index = SearchIndex(library.papers())
        marks = library.annotations("bench")
        print(f"{'':>16}  load + index {time.perf_counter() - began:6.2f} s")
        for text in TYPED:
            costs = []
            for typed in keystrokes(text):
                query = Query.parse(typed)
                began = time.perf_counter()
                index.search(query, marks)
                costs.append((time.perf_counter() - began) * 1000)
            print(
                f"{'':>16}  filter {text!r:36} per keystroke: median "
                f"{statistics.median(costs):7.1f} ms, p95 {percentile(costs, 0.95):7.1f} ms"
            )
        library.close()


def main() -> None:
    sizes = [int(arg) for arg in sys.argv[1:]] or [10_000, 100_000]
    for size in sizes:
        run(size)


if __name__ == "__main__":
    main()
