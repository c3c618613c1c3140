"""CSV: one row per paper, for spreadsheets.

Columns: arxiv_id, title, authors, published, updated, featured, upvotes, starred,
read, tags, note, abs_url, pdf_url, github_url, doi. Every list (authors, tags) is
joined with one separator, :data:`LIST_SEPARATOR` (``"; "``): a comma is in many
names ("Vaswani, Ashish") and a space in none of the ways people split a cell.
Every text cell is quoted (rows end in CRLF, as RFC 4180 has it). Text from papers and
notes is data, so a cell a spreadsheet would run as a formula (starting ``=``, ``+``,
``-``, ``@`` or a tab, also after spaces) gets a leading ``'``, as OWASP advises. So
does every such character after a ``,``, ``;`` or tab inside a cell (spaces between
too): a spreadsheet that splits on another separator than ours (Excel's ``;`` in many
locales) would start a cell there. Terminal controls are removed. Counts are written
as plain numbers and are never prefixed; ``starred`` and ``read`` are
``true``/``false``; nothing is empty.
A file starts with a UTF-8 byte order mark (``bom``): without one, Excel opening the
file by a double click reads it in the locale's legacy code page and shows "naÃ¯ve"
for "naïve". Standard output gets none: it goes through the terminal rule, and a
pipe's reader (``csv``, pandas, ``head``) would take it as part of the first name.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence

from reader.models import Annotation, Paper
from reader.text import safe_url, strip_controls

COLUMNS = (
    "arxiv_id",
    "title",
    "authors",
    "published",
    "updated",
    "featured",
    "upvotes",
    "starred",
    "read",
    "tags",
    "note",
    "abs_url",
    "pdf_url",
    "github_url",
    "doi",
)
# A formula character at the start of a cell (after spaces too), or a tab there.
_FORMULA_START = re.compile(r"\s*[=+\-@]|\t")
# One after a separator, spaces between: the start of a cell for a spreadsheet that
# splits there. The spaces exclude tabs, each a separator of its own: so a run of tabs
# is not scanned again from each of them (which would be quadratic).
# It starts at the separator, not behind it: a pattern that starts with a class of
# characters is scanned for fast, a lookbehind is tried at every position.
_FORMULA_INSIDE = re.compile(r"[,;\t][^\S\t]*(?=[=+\-@])")
# Between the items of every list cell.
LIST_SEPARATOR = "; "
# What Excel needs to read the file as UTF-8 (see the module docstring).
BOM = "\ufeff"


def safe_cell(text: str | None) -> str:
    """``text`` as a cell no spreadsheet runs as a formula, even one that splits cells
    at ``;`` or tabs ("" for None)."""
    if text is None:
        return ""
    text = _FORMULA_INSIDE.sub(_quote_after, strip_controls(text))
    return "'" + text if _FORMULA_START.match(text) else text


def _quote_after(match: re.Match[str]) -> str:
    # A function, not a template: one call per match, none per cell.
    return match[0] + "'"


def _row(paper: Paper, annotation: Annotation) -> list[str | int]:
    texts = {
        "arxiv_id": paper.arxiv_id,
        "title": paper.title,
        "authors": LIST_SEPARATOR.join(paper.authors),
        "published": paper.published,
        "updated": paper.updated,
        "featured": paper.featured,
        "tags": LIST_SEPARATOR.join(annotation.tags),
        "note": annotation.note,
        "abs_url": paper.abs_url,
        "pdf_url": paper.pdf_url,
        "github_url": safe_url(paper.github_url),
        "doi": paper.doi,
    }
    row: list[str | int] = []
    for column in COLUMNS:
        if column == "upvotes":
            row.append("" if paper.upvotes is None else paper.upvotes)
        elif column == "starred":
            row.append("true" if annotation.starred else "false")
        elif column == "read":
            row.append("true" if annotation.is_read else "false")
        else:
            row.append(safe_cell(texts[column]))
    return row


def render_csv(items: Sequence[tuple[Paper, Annotation]], *, bom: bool = False) -> str:
    """``items`` as CSV text: a header row, then one row per paper; with ``bom`` (for a
    file), a UTF-8 byte order mark first."""
    out = io.StringIO()
    if bom:
        out.write(BOM)
    # Excel's dialect (CRLF rows), every text cell quoted: a separator inside one is text
    # for a spreadsheet that splits on another; counts stay numbers.
    writer = csv.writer(out, quoting=csv.QUOTE_NONNUMERIC)
    writer.writerow(COLUMNS)
    writer.writerows(_row(paper, annotation) for paper, annotation in items)
    return out.getvalue()
