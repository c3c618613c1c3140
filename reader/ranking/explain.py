"""Why a paper ranks where it does: the terms of its own text that pushed its score
up or down most, and the positive papers it is closest to."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from reader.ranking.features import (
    AUTHOR_PREFIX,
    CATEGORY_PREFIX,
    PaperText,
    Vectors,
    analyse,
    buckets,
    document,
    slug,
)
from reader.ranking.model import Model

# Terms shown each way, and papers it is like.
TERMS = 4
CLOSEST = 3


@dataclass(frozen=True, slots=True)
class Reason:
    """A term of the paper and how much it moved the score (its weight times its
    TF-IDF in this paper: positive pushed up)."""

    kind: str  # "word", "author" or "category"
    text: str
    weight: float


@dataclass(frozen=True, slots=True)
class Why:
    up: tuple[Reason, ...]
    down: tuple[Reason, ...]
    # Ids of the user's positive papers most like this one, closest first.
    like: tuple[int, ...]


def _shown(token: str, paper: PaperText) -> tuple[str, str]:
    """What ``token`` of ``paper``'s document is, in the paper's own words."""
    if token.startswith(AUTHOR_PREFIX):
        name = next((n for n in paper.authors if AUTHOR_PREFIX + slug(n) == token), None)
        if name is not None:
            return "author", name
    if token.startswith(CATEGORY_PREFIX):
        category = next((c for c in paper.categories if CATEGORY_PREFIX + slug(c) == token), None)
        if category is not None:
            return "category", category
    return "word", token


def explain(
    paper: PaperText, model: Model, vectors: Vectors, positives: Collection[int]
) -> Why | None:
    """Why ``paper`` scores as it does under ``model``; None when ``vectors`` do not
    hold it (added since they were counted)."""
    import numpy as np

    row = vectors.position(paper.id)
    if row < 0:
        return None
    weighted = vectors.weighted[row]
    value = dict(zip(weighted.indices.tolist(), weighted.data.tolist(), strict=True))
    reasons: dict[int, Reason] = {}
    tokens = list(dict.fromkeys(analyse(document(paper))))
    for token, column in zip(tokens, buckets(tokens), strict=True):
        if column in reasons or column not in value:
            continue
        effect = value[column] * float(model.weights[column])
        if effect:
            kind, text = _shown(token, paper)
            reasons[column] = Reason(kind, text, effect)
    ordered = sorted(reasons.values(), key=lambda reason: reason.weight)
    up = tuple(r for r in reversed(ordered) if r.weight > 0)[:TERMS]
    down = tuple(r for r in ordered if r.weight < 0)[:TERMS]
    others = [i for i in sorted(positives) if i != paper.id]
    rows = vectors.positions(others)
    like: tuple[int, ...] = ()
    if len(rows):
        similarity = (vectors.weighted[rows] @ weighted.T).toarray().ravel()
        best = np.argsort(-similarity, kind="stable")[:CLOSEST]
        like = tuple(int(vectors.ids[rows[i]]) for i in best if similarity[i] > 0)
    return Why(up, down, like)
