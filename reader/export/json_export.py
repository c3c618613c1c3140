"""The reader's own JSON and JSON Lines export: everything needed to restore a library.

A JSON document (``indent=2``)::

    {"format": "reader", "version": 1, "exported_at": "...", "user": "ana",
     "papers": [{...paper fields..., "annotations": {"starred": true,
                 "read_at": "2026-11-26T12:00:00+00:00", "tags": ["a"], "note": "..."}}]}

JSON Lines: the same header without ``papers`` on the first line, then one paper object
per line. Paper objects come from :func:`~reader.sources.reader_json.paper_to_json`, so
:mod:`reader.sources.reader_json` reads them back. Keys keep a fixed order and
non-ASCII text is written as UTF-8, so two exports of the same library diff cleanly.
The note is written exactly as stored: JSON escapes whatever needs it, and what a
terminal would act on (C1 controls, bidi and zero-width characters, U+2028/9) is
written as ``\\uXXXX`` too, so printing an export shows it as it is.
"""

from __future__ import annotations

from collections.abc import Sequence

from reader.models import Annotation, Paper
from reader.sources.reader_json import FORMAT_NAME, VERSION, paper_to_json
from reader.text import json_dumps_safe


def _header(user: str, exported_at: str) -> dict[str, object]:
    return {"format": FORMAT_NAME, "version": VERSION, "exported_at": exported_at, "user": user}


def paper_object(paper: Paper, annotation: Annotation) -> dict[str, object]:
    """One paper's export object: its fields, then the user's ``annotations``."""
    return {
        **paper_to_json(paper),
        "annotations": {
            "starred": annotation.starred,
            "read_at": annotation.read_at,
            "tags": list(annotation.tags),
            "note": annotation.note,
        },
    }


def render_json(items: Sequence[tuple[Paper, Annotation]], *, user: str, exported_at: str) -> str:
    """``items`` as one versioned JSON document, ending in a newline."""
    document = {**_header(user, exported_at), "papers": [paper_object(*i) for i in items]}
    return json_dumps_safe(document, indent=2) + "\n"


def render_jsonl(items: Sequence[tuple[Paper, Annotation]], *, user: str, exported_at: str) -> str:
    """``items`` as JSON Lines: a header line, then one paper object per line."""
    lines = [_header(user, exported_at), *(paper_object(*i) for i in items)]
    # JSON escapes \n and \r inside strings, so each object stays on its line.
    return "".join(json_dumps_safe(line) + "\n" for line in lines)
