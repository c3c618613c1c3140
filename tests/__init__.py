"""The test suite.

It starts some two hundred Python processes (``reader`` run as a user runs it, and the
writers and importers of the robustness tests) and three pytest workers. A machine
that sets ``PYTHONDONTWRITEBYTECODE`` makes every one of them compile reader, and
pytest rewrite the tests, from source again: a fifth of those processes' time. So the
suite writes bytecode caches (``__pycache__``, ignored by git) as Python does by
default; this runs before any test module or conftest is imported.
"""

import os
import sys

sys.dont_write_bytecode = False
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
