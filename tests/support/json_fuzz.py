"""Random and mutated JSON values for the importers' "anything at all" tests."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any


def random_value(
    rng: random.Random, keys: Sequence[str], leaves: Sequence[object], depth: int = 0
) -> object:
    """A JSON value of any type, nested up to four levels, with keys drawn from ``keys``."""
    kind = rng.randrange(6 if depth < 4 else 1)
    if kind == 0:
        return rng.choice(leaves)
    if kind in (1, 2):
        return [random_value(rng, keys, leaves, depth + 1) for _ in range(rng.randrange(4))]
    return {
        rng.choice(keys): random_value(rng, keys, leaves, depth + 1)
        for _ in range(rng.randrange(6))
    }


def mutate(rng: random.Random, value: Any, keys: Sequence[str], leaves: Sequence[object]) -> Any:
    """``value`` with one random subtree replaced by a random value."""
    if isinstance(value, dict) and value and rng.random() < 0.8:
        key = rng.choice(list(value))
        value[key] = mutate(rng, value[key], keys, leaves)
        return value
    if isinstance(value, list) and value and rng.random() < 0.8:
        index = rng.randrange(len(value))
        value[index] = mutate(rng, value[index], keys, leaves)
        return value
    return random_value(rng, keys, leaves)
