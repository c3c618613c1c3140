"""Medians, p95 and the table the benchmarks print, one row as soon as it is measured."""

from __future__ import annotations

import math
import statistics
import sys
from dataclasses import dataclass

COLUMNS = ("part", "papers", "measure", "median", "p95", "n", "note")
WIDTHS = (7, 10, 46, 10, 10, 4)


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile: of 5 runs, p95 is the slowest."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def seconds(value: float) -> str:
    """Seconds in the unit that reads best: 4.2 ms, 312 ms, 2.41 s."""
    if value < 0.01:
        return f"{value * 1000:.2f} ms"
    if value < 1:
        return f"{value * 1000:.1f} ms"
    return f"{value:.2f} s"


def megabytes(value: float) -> str:
    return f"{value:,.0f} MB"


@dataclass(frozen=True, slots=True)
class Row:
    """One measure at one library size: its samples, in ``unit`` ("s" or "MB")."""

    part: str
    size: int
    measure: str
    samples: tuple[float, ...]
    unit: str = "s"
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        return percentile(list(self.samples), 0.95)

    def cells(self) -> tuple[str, ...]:
        show = megabytes if self.unit == "MB" else seconds
        if self.samples:
            median, p95 = show(self.median), show(self.p95)
        else:
            median = p95 = "-"
        return (
            self.part,
            f"{self.size:,}",
            self.measure,
            median,
            p95,
            str(len(self.samples)),
            self.note,
        )


class Table:
    """Prints its header once, then each row the moment it is added."""

    def __init__(self) -> None:
        self.rows: list[Row] = []
        self._started = False

    def add(self, row: Row) -> Row:
        if not self._started:
            self._print(COLUMNS)
            self._print((*("-" * width for width in WIDTHS), "----"))
            self._started = True
        self.rows.append(row)
        self._print(row.cells())
        return row

    def _print(self, cells: tuple[str, ...]) -> None:
        part, size, measure, median, p95, count, note = cells
        line = (
            f"{part:<{WIDTHS[0]}} {size:>{WIDTHS[1]}}  {measure:<{WIDTHS[2]}} "
            f"{median:>{WIDTHS[3]}} {p95:>{WIDTHS[4]}} {count:>{WIDTHS[5]}}  {note}"
        )
        print(line.rstrip(), flush=True)
        sys.stderr.flush()
