"""The papers a search found, as the list shows them and in the list's order, read
for only those papers: what ``reader list`` prints (see :mod:`reader.search.direct`),
without reading the order of the whole library first.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Iterator, Sequence

from reader.models import ListedPaper
from reader.store import typed
from reader.store.rows import IDS_IN_JSON, LISTED_COLUMNS, LISTED_DATES, LISTING_ORDER, id_list

# The list's order to the last tie, as a scan of the papers_listing index meets the
# rows (Library.order): its columns in turn, then the row id.
LISTING_KEY = (
    f"{LISTING_ORDER}, arxiv_id, title, published, upvotes, github_url, featured, "
    "github_stars, num_comments, id"
)

# Found papers are read by a scan of the list's index from this many on, when they
# are at least one in SCAN_SHARE of the library (its largest id, near enough).
SCAN_FROM = 1000
SCAN_SHARE = 8


def listed_among(
    conn: sqlite3.Connection, paper_ids: Collection[int], limit: int | None = None
) -> list[ListedPaper]:
    """The list's rows of these papers (unknown ids left out), in the list's order;
    the first ``limit`` of them."""
    if not paper_ids or limit == 0:
        return []
    if _many(conn, len(paper_ids)):
        # A scan of the list's index, in its order, stopping at ``limit``.
        sql = (
            f"SELECT {LISTED_COLUMNS} FROM papers INDEXED BY papers_listing "
            f"WHERE id IN {IDS_IN_JSON} ORDER BY {LISTING_ORDER} LIMIT ?"
        )
    else:
        # One lookup per paper, then a sort of those alone.
        sql = (
            f"SELECT {LISTED_COLUMNS} FROM papers WHERE id IN {IDS_IN_JSON} "
            f"ORDER BY {LISTING_KEY} LIMIT ?"
        )
    return _listed(conn, sql, (id_list(paper_ids), -1 if limit is None else limit))


def listed_ranked(
    conn: sqlite3.Connection, groups: Sequence[Collection[int]], limit: int | None = None
) -> Iterator[list[ListedPaper]]:
    """The list's rows of each group of papers in turn, each in the list's order; the
    first ``limit`` rows in all. A group at a time, read as it is needed, unless
    the groups hold so many papers that one scan of the list's index is cheaper."""
    scanned: list[list[ListedPaper]] | None = None
    # Unless the best group alone fills the limit, or is all there is.
    needs_all = len(groups) > 1 and (limit is None or len(groups[0]) < limit)
    if needs_all and _many(conn, sum(map(len, groups))):
        rank = {paper_id: at for at, group in enumerate(groups) for paper_id in group}
        scanned = [[] for _ in groups]
        for paper in listed_among(conn, rank.keys()):
            scanned[rank[paper.id]].append(paper)
    left = limit
    for at, group in enumerate(groups):
        rows = listed_among(conn, group, left) if scanned is None else scanned[at]
        if left is not None:
            rows = rows[:left]
            left -= len(rows)
        yield rows
        if left is not None and left <= 0:
            return


def _many(conn: sqlite3.Connection, count: int) -> bool:
    """Whether ``count`` papers are enough of the library that a scan of the list's
    index (a few tenths of a microsecond a paper) beats a lookup each (a few
    microseconds)."""
    if count < SCAN_FROM:
        return False
    row = typed.fetch_one(conn, "SELECT max(id) FROM papers")
    largest = row[0] if row and isinstance(row[0], int) else 0
    return count * SCAN_SHARE >= largest


def _listed(conn: sqlite3.Connection, sql: str, params: tuple[object, ...]) -> list[ListedPaper]:
    rows = typed.fetch_all(conn, sql, params)
    return list(map(ListedPaper._make, typed.dated(rows, LISTED_DATES)))


def listed_except(
    conn: sqlite3.Connection, paper_ids: Collection[int], limit: int | None = None
) -> list[ListedPaper]:
    """The list's rows of every paper but these, in the list's order; the first
    ``limit`` of them (read from the list's index, which stops there)."""
    if limit == 0:
        return []
    where = f"WHERE id NOT IN {IDS_IN_JSON} " if paper_ids else ""
    params: tuple[object, ...] = (id_list(paper_ids),) if paper_ids else ()
    sql = (
        f"SELECT {LISTED_COLUMNS} FROM papers INDEXED BY papers_listing {where}"
        f"ORDER BY {LISTING_ORDER} LIMIT ?"
    )
    return _listed(conn, sql, (*params, -1 if limit is None else limit))
