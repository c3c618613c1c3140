"""Values as read from a library file that may be damaged, shared or hostile.

SQLite keeps whatever a file holds: a BLOB title, a text ``upvotes``, NULL where
the schema says NOT NULL (in a file written by something else), bytes that are not
UTF-8, bad or endlessly deep JSON in a list column, escape sequences in a date.
Every read of the store goes through these, so the models get the types they
promise whatever the file holds, at a cost the list of a million papers hardly
feels: the cheap coercions run in SQL (a CAST of a text is nearly free, a ``CASE
typeof`` is not), and dates, few distinct values among many rows, are checked in
Python (see :func:`dated`).
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable, Sequence
from operator import itemgetter
from typing import Any

from reader.models import normalise_tags

# A date as the store writes one: "YYYY", "YYYY-MM" or "YYYY-MM-DD".
_DATE = re.compile(r"[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?")
# A moment as the store writes one ("2026-11-26T12:00:00+00:00"), or near it: a
# date, then a time with seconds, a fraction and a zone optional.
_TIMESTAMP = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,9})?)?"
    r"(?:Z|[+-][0-9]{2}:?[0-9]{2})?)?"
)


def text(column: str) -> str:
    """SQL for ``column`` as text, '' for NULL: a number becomes its digits, a BLOB
    its bytes (decoded with replacement, see :func:`fetch_all`)."""
    return f"ifnull(CAST({column} AS TEXT), '')"


def optional_text(column: str) -> str:
    """SQL for ``column`` as text or NULL."""
    return f"CAST({column} AS TEXT)"


def integer(column: str) -> str:
    """SQL for ``column`` as an integer or NULL: text, a real or a BLOB is no count."""
    return f"CASE typeof({column}) WHEN 'integer' THEN {column} END"


def flag(column: str) -> str:
    """SQL for ``column`` as 0 or 1: set when it is a non-zero number."""
    return f"(typeof({column}) IN ('integer', 'real') AND {column} != 0)"


def is_integer(column: str) -> str:
    """SQL: true where ``column`` holds an integer (a row id a row can refer to)."""
    return f"typeof({column}) = 'integer'"


def date(value: str | None) -> str | None:
    """``value`` if it is a date as the store writes one, else None (unknown)."""
    return value if value is not None and _DATE.fullmatch(value) else None


def timestamp(value: str | None) -> str | None:
    """``value`` if it is a date, with a time or without, else None (unknown)."""
    return value if value is not None and _TIMESTAMP.fullmatch(value) else None


def strings(value: str | None) -> tuple[str, ...]:
    """A stored JSON array of strings: its strings (a number as its digits); empty
    for NULL, bad JSON, JSON nested too deep to read, or anything but an array."""
    if value is None or value == "[]":
        return ()
    try:
        items = json.loads(value)
    except (ValueError, RecursionError):
        return ()
    if type(items) is not list:
        return ()
    if not all(type(item) is str for item in items):
        items = [
            item if type(item) is str else str(item)
            for item in items
            if type(item) in (str, int, float)
        ]
    if "\\u" in value:
        # An escape can make a lone surrogate, which no terminal or file can take.
        items = [_without_surrogates(item) for item in items]
    return tuple(items)


def tags(value: str | None) -> tuple[str, ...]:
    """Stored tags, as :func:`normalise_tags` makes them (controls removed)."""
    found = strings(value)
    return normalise_tags(found) if found else ()


def _without_surrogates(item: str) -> str:
    return item.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _lenient(data: bytes) -> str:
    return data.decode("utf-8", "replace")


def _undecodable(error: sqlite3.Error) -> bool:
    return str(error).startswith("Could not decode to UTF-8")


def fetch_all(
    conn: sqlite3.Connection, sql: str, params: Sequence[Any] = ()
) -> list[tuple[Any, ...]]:
    """The rows of a query. Text that is not UTF-8 (a file written by something
    else) is decoded with replacement: the connection decodes so from then on,
    slower, rather than failing."""
    try:
        return conn.execute(sql, params).fetchall()
    except sqlite3.OperationalError as error:
        if not _undecodable(error) or conn.text_factory is _lenient:
            raise
    conn.text_factory = _lenient
    return conn.execute(sql, params).fetchall()


def fetch_one(
    conn: sqlite3.Connection, sql: str, params: Sequence[Any] = ()
) -> tuple[Any, ...] | None:
    """The first row of a query, as :func:`fetch_all` reads it."""
    try:
        row: tuple[Any, ...] | None = conn.execute(sql, params).fetchone()
        return row
    except sqlite3.OperationalError as error:
        if not _undecodable(error) or conn.text_factory is _lenient:
            raise
    conn.text_factory = _lenient
    row = conn.execute(sql, params).fetchone()
    return row


# Where a query that reads a JSON column through ``json_each`` names the column.
JSON = "{json}"


def json_rows(
    conn: sqlite3.Connection, sql: str, column: str, params: Sequence[Any] = ()
) -> list[tuple[Any, ...]]:
    """The rows of ``sql``, whose :data:`JSON` reads ``column``. Bad JSON in one row
    (bad, or nested too deep for SQLite) fails the whole query: then it runs again
    with such rows read as an empty array. The check costs a second parse of each
    row's JSON, so it is made only then."""
    try:
        return fetch_all(conn, sql.replace(JSON, column), params)
    except sqlite3.OperationalError as error:
        if "JSON" not in str(error):
            raise
    checked = f"CASE WHEN json_valid({column}) THEN {column} ELSE '[]' END"
    return fetch_all(conn, sql.replace(JSON, checked), params)


def dated(rows: list[tuple[Any, ...]], columns: Iterable[int]) -> list[tuple[Any, ...]]:
    """``rows`` with the date in each of ``columns`` checked, a bad one made None.

    A library's papers share a few thousand days: the distinct values are checked,
    and the rows rebuilt only when one is bad."""
    for index in columns:
        bad = {value for value in set(map(itemgetter(index), rows)) if date(value) != value}
        if bad:
            rows = [
                (*row[:index], None, *row[index + 1 :]) if row[index] in bad else row
                for row in rows
            ]
    return rows
