"""Where the tests' files are, and the fixed time the sample's dates resolve against."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

# The project's root, its README, the recorded inputs and the bundled sample.
ROOT = Path(__file__).resolve().parent.parent.parent
README = ROOT / "README.md"
DATA = ROOT / "tests" / "data"
SAMPLE_PAGE = ROOT / "reader" / "data" / "sample-papers.txt"

# The sample's year-less dates resolve against this, so tests and snapshots are stable.
FIXED_NOW = datetime(2026, 11, 26, 12, 0)
