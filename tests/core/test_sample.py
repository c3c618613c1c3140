"""The bundled sample: an empty library starts with it, once, and says so."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader import cli
from reader.store import Library, open_library
from tests.support.data import FIXED_NOW


def test_an_empty_library_is_filled_once(empty_library: Library) -> None:
    from reader.sample import load_sample_if_empty

    first = load_sample_if_empty(empty_library, now=FIXED_NOW)
    assert first is not None and first.added == 39
    assert load_sample_if_empty(empty_library, now=FIXED_NOW) is None
    assert empty_library.count() == 39


def test_opening_reader_on_a_new_library_loads_the_sample_with_a_notice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reader.tui.app import ReaderApp

    launched: list[tuple[str, str | None]] = []
    monkeypatch.setattr(ReaderApp, "run", lambda self: launched.append((self.user, self._notice)))
    db = tmp_path / "fresh" / "library.db"
    cli.run_app(cli.Settings(db_path=db, user="ana"))
    [(user, notice)] = launched
    assert user == "ana"
    assert notice is not None and "39 sample papers" in notice and "reader import" in notice
    with_papers = open_library(db)
    assert with_papers.count() == 39
    with_papers.close()

    cli.run_app(cli.Settings(db_path=db, user="ana"))
    assert launched[1] == ("ana", None)
