"""A 50 MB title is imported cut to size (issue 14): the bound holds on a real file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reader.limits import (
    TITLE_CHARS,
)
from tests.support.imports import import_file, stored, words


@pytest.mark.slow
def test_a_50_mb_title_is_imported_cut_to_size(tmp_path: Path, db_path: Path) -> None:
    # Once a library froze for minutes on such a title; now it is cut on the way in.
    title = words(50_000_000)
    path = tmp_path / "hf.json"
    path.write_text(json.dumps([{"paper": {"id": "2501.04519", "title": title}}]))
    out = import_file(db_path, path)
    assert out.endswith(": title, 49,999,999 characters to 1,000)\n")
    ((paper,), _) = stored(db_path)
    assert len(paper.title) <= TITLE_CHARS
