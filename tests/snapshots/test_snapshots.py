"""How the app looks in each of its main states, compared against reviewed SVG snapshots.

The scenarios (scripts/scenarios.py) are the ones ``python -m scripts.screenshots``
draws into ``screenshots/``: each fixes the data, the size and the keys pressed.
Review a changed picture, then accept it with ``pytest tests/test_snapshots.py
--snapshot-update``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from reader.store import open_library
from scripts.scenarios import SCENARIOS, Scenario
from tests.support.data import ROOT


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda scenario: scenario.name)
def test_scenario(snap_compare, scenario: Scenario, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    library = open_library(tmp_path / "library.db")
    try:
        scenario.prepare(library)

        async def steps(pilot: Pilot[None]) -> None:
            await pilot.pause()
            await scenario.steps(pilot)

        assert snap_compare(scenario.app(library), terminal_size=scenario.size, run_before=steps)
    finally:
        library.close()


def test_every_scenario_has_a_screenshot() -> None:
    """The README's pictures come from the same scenarios: none is missing or stale."""
    folder = ROOT / "screenshots"
    assert sorted(path.stem for path in folder.glob("*.svg")) == sorted(
        scenario.name for scenario in SCENARIOS
    )
