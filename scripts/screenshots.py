"""Write an SVG screenshot of each scenario into ``screenshots/``.

    python -m scripts.screenshots            # every scenario
    python -m scripts.screenshots help wide  # just these

Each runs the real app with Pilot on a fresh library in a temporary folder, as the
snapshot tests do (see scripts/scenarios.py); the user's own library and config are
never read.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

from reader.store import open_library
from scripts.scenarios import SCENARIOS, Scenario

OUT = Path(__file__).resolve().parent.parent / "screenshots"


async def shoot(scenario: Scenario, folder: Path) -> str:
    """The SVG of ``scenario``, run on a new library in ``folder``."""
    library = open_library(folder / f"{scenario.name}.db")
    try:
        scenario.prepare(library)
        app = scenario.app(library)
        async with app.run_test(size=scenario.size) as pilot:
            await pilot.pause()
            await scenario.steps(pilot)
            await pilot.wait_for_scheduled_animations()
            await pilot.pause()
            return app.export_screenshot(title=f"reader: {scenario.caption}")
    finally:
        library.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.screenshots")
    parser.add_argument("names", nargs="*", help="scenarios to shoot (default: all)")
    parser.add_argument("--out", type=Path, default=OUT, help="folder (default: screenshots/)")
    args = parser.parse_args(argv)
    known = {scenario.name: scenario for scenario in SCENARIOS}
    unknown = [name for name in args.names if name not in known]
    if unknown:
        parser.error(f"no scenario {', '.join(unknown)} (known: {', '.join(known)})")
    chosen = [known[name] for name in args.names] or list(SCENARIOS)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="reader-shots-") as tmp:
        folder = Path(tmp)
        # Away from the user's config, name and data, and in UTC, as the tests are:
        # the stats screen counts weeks in local time.
        os.environ.update(
            READER_CONFIG=str(folder / "config.toml"),
            XDG_CONFIG_HOME=str(folder / "config"),
            XDG_DATA_HOME=str(folder / "data"),
            TZ="UTC",
        )
        time.tzset()
        for scenario in chosen:
            svg = asyncio.run(shoot(scenario, folder))
            target = args.out / f"{scenario.name}.svg"
            target.write_text(svg, encoding="utf-8")
            print(f"{target}  {scenario.caption}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
