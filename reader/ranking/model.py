"""One user's ranking: labels from their own marks, a linear model over the papers'
TF-IDF vectors, and a score for every paper.

Labels (nothing else is inferred from a user's behaviour):

- positive: starred, noted or tagged;
- negative: marked not interested (dismissed);
- weakly negative: read and left unstarred, untagged, without a note.

A classifier also needs to know what the rest of the library looks like, or a
user with a dozen stars and nothing else has nothing to contrast them with: as
arxiv-sanity did, a fixed sample of the papers the user has not marked at all
stands for "the rest" with a small weight. It is never shown or stored as a
label.

The model is scikit-learn's logistic regression (see pyproject.toml for why): its
output is a probability, so ``fy:>0.7`` means something, the papers it is least
sure about are the ones near 0.5, and each weight is a reason that can be shown.
With fewer than :data:`MIN_POSITIVES` positives there is no model: papers are
ranked by Hugging Face upvotes and recency, with papers by followed authors first.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from reader.models import Annotation
from reader.ranking.features import Vectors, author_token, bucket

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

# Fewer positives than this and the ranking falls back to upvotes and recency.
MIN_POSITIVES = 5
# Unmarked papers that stand for the rest of the library, and their weight.
BACKGROUND = 3000
BACKGROUND_WEIGHT = 0.5
# A paper read and left unmarked counts this much against its kind.
READ_WEIGHT = 0.3
# The papers the model is least sure about, kept in a ranking (for "help it learn").
DOUBTS = 500
# Inverse regularisation strength: small libraries of labels need it gentle.
C = 1.0


def is_positive(mark: Annotation) -> bool:
    """Whether ``mark`` makes its paper a positive label."""
    return (mark.starred or mark.has_note or bool(mark.tags)) and not mark.is_dismissed


@dataclass(frozen=True, slots=True)
class Labels:
    """One user's labels, by paper id."""

    positive: frozenset[int] = frozenset()
    negative: frozenset[int] = frozenset()
    weak_negative: frozenset[int] = frozenset()

    @classmethod
    def from_marks(
        cls, marks: Mapping[int, Annotation], hidden: AbstractSet[int] = frozenset()
    ) -> Labels:
        """The labels ``marks`` (one user's annotations) give. ``hidden``: papers a
        hide rule dismissed (not the user: see reader.rules), which are no negative."""
        positive, negative, weak = set(), set(), set()
        for paper_id, mark in marks.items():
            if mark.is_dismissed and paper_id not in hidden:
                negative.add(paper_id)
            elif is_positive(mark):
                positive.add(paper_id)
            elif mark.is_read:
                weak.add(paper_id)
        return cls(frozenset(positive), frozenset(negative), frozenset(weak))

    @property
    def labelled(self) -> frozenset[int]:
        return self.positive | self.negative | self.weak_negative


@dataclass(frozen=True, slots=True)
class Model:
    """Weights over the hashed features, and a bias."""

    weights: npt.NDArray[np.float32]
    bias: float

    def decision(self, vectors: Vectors) -> npt.NDArray[np.float32]:
        """Each paper's score before the logistic (positive: more likely a star)."""
        import numpy as np

        values: npt.NDArray[np.float32] = (vectors.weighted @ self.weights).astype(np.float32)
        return values + np.float32(self.bias)


def train(
    vectors: Vectors,
    labels: Labels,
    *,
    followed: Sequence[str] = (),
    seed: int = 0,
) -> Model | None:
    """A model of ``labels`` over ``vectors``; None with fewer than MIN_POSITIVES
    positives among the papers held. ``followed`` author names count as positive
    evidence (one pseudo-paper each, holding only that name)."""
    import numpy as np
    from scipy import sparse
    from sklearn.linear_model import LogisticRegression

    positive = vectors.positions(sorted(labels.positive))
    if len(positive) < MIN_POSITIVES:
        return None
    negative = vectors.positions(sorted(labels.negative))
    weak = vectors.positions(sorted(labels.weak_negative))
    taken = np.zeros(len(vectors), dtype=bool)
    taken[positive] = taken[negative] = taken[weak] = True
    unmarked = np.flatnonzero(~taken)
    rng = np.random.default_rng(seed)
    background = (
        rng.choice(unmarked, BACKGROUND, replace=False) if len(unmarked) > BACKGROUND else unmarked
    )
    rows = np.concatenate([positive, negative, weak, background])
    matrix = vectors.weighted[rows]
    target = np.concatenate([np.ones(len(positive)), np.zeros(len(rows) - len(positive))])
    weight = np.concatenate(
        [
            np.ones(len(positive) + len(negative)),
            np.full(len(weak), READ_WEIGHT),
            np.full(len(background), BACKGROUND_WEIGHT),
        ]
    )
    names = [bucket(author_token(name)) for name in followed]
    names = [column for column in names if column >= 0]
    if names:
        extra = sparse.csr_matrix(
            (np.ones(len(names), np.float32), (np.arange(len(names)), names)),
            shape=(len(names), matrix.shape[1]),
        )
        matrix = sparse.vstack([matrix, extra], format="csr")
        target = np.concatenate([target, np.ones(len(names))])
        weight = np.concatenate([weight, np.ones(len(names))])
    # Only the features these papers hold can get a weight: fitting over them alone
    # (tens of thousands of columns, not 262,144) is what makes a new star re-rank
    # the library in a tenth of a second.
    held = np.zeros(matrix.shape[1], dtype=bool)
    held[matrix.indices] = True
    columns = np.flatnonzero(held)
    # Each class weighs as much in all as the other, however few the stars.
    balance = np.where(
        target == 1, 0.5 / weight[target == 1].sum(), 0.5 / weight[target == 0].sum()
    )
    fitted = LogisticRegression(C=C, solver="liblinear").fit(
        matrix[:, columns], target, sample_weight=weight * balance * len(target)
    )
    weights = np.zeros(matrix.shape[1], dtype=np.float32)
    weights[columns] = fitted.coef_[0]
    return Model(weights, float(fitted.intercept_[0]))


@dataclass(frozen=True, slots=True)
class Paper:
    """What the fallback ranking reads of a paper."""

    id: int
    published: str | None
    upvotes: int | None
    # When it came into the library (ISO timestamp).
    added: str | None = None


@dataclass(frozen=True)
class Ranking:
    """Every ranked paper's "for you" score, 0 to 1 (higher: more likely a star).

    ``learned``: the scores are the model's probabilities; otherwise the fallback's
    (upvotes and recency, followed authors first), which are ranks, not chances.
    """

    scores: dict[int, float]
    learned: bool
    labels: Labels
    # The papers the model is least sure of, closest to 0.5 first (learned only).
    doubt: tuple[int, ...] = ()
    model: Model | None = field(default=None, repr=False)

    @property
    def positives(self) -> int:
        return len(self.labels.positive)

    @property
    def positive_ids(self) -> frozenset[int]:
        return self.labels.positive

    def score(self, paper_id: int) -> float | None:
        return self.scores.get(paper_id)

    def order(self, paper_ids: Iterable[int]) -> list[int]:
        """``paper_ids`` best first; papers without a score last, in the order given."""
        scores = self.scores
        return sorted(paper_ids, key=lambda i: -scores.get(i, -1.0))

    def unsure(self, among: Collection[int] | None = None, limit: int = 50) -> list[int]:
        """The papers (of ``among``, when given) the model is least sure about."""
        found = [i for i in self.doubt if among is None or i in among]
        return found[:limit]


def rank(
    vectors: Vectors,
    labels: Labels,
    papers: Sequence[Paper],
    *,
    followed: Sequence[str] = (),
    starred_authors: Sequence[str] = (),
) -> Ranking:
    """One user's ranking of ``papers`` (those held in ``vectors`` get a model
    score). ``followed``: author names from the config; ``starred_authors``: the
    names on the user's positive papers, which only the fallback needs (the model
    learns them as features)."""
    import numpy as np

    model = train(vectors, labels, followed=followed)
    if model is None:
        return fallback(vectors, labels, papers, followed=[*followed, *starred_authors])
    decision = model.decision(vectors)
    chance = 1.0 / (1.0 + np.exp(-decision.astype(np.float64)))
    ids = vectors.ids.tolist()
    scores = dict(zip(ids, chance.tolist(), strict=True))
    # Unsure: unlabelled papers, nearest the boundary first.
    open_ = np.ones(len(vectors), dtype=bool)
    open_[vectors.positions(sorted(labels.labelled))] = False
    candidates = np.flatnonzero(open_)
    gaps = np.abs(decision[candidates])
    if len(candidates) > DOUBTS:
        nearest_few = np.argpartition(gaps, DOUBTS)[:DOUBTS]
        candidates, gaps = candidates[nearest_few], gaps[nearest_few]
    nearest = candidates[np.argsort(gaps, kind="stable")]
    return Ranking(
        scores,
        learned=True,
        labels=labels,
        doubt=tuple(vectors.ids[nearest].tolist()),
        model=model,
    )


def _percentiles(values: Sequence[float]) -> npt.NDArray[np.float64]:
    """Each value's rank among ``values``, 0 (lowest) to 1 (highest), ties equal."""
    import numpy as np

    array = np.asarray(values, dtype=np.float64)
    if len(array) < 2:
        return np.ones(len(array))
    order = np.argsort(array, kind="stable")
    ranks = np.empty(len(array))
    ranks[order] = np.arange(len(array))
    # Equal values share the lowest rank among them.
    _, first, inverse = np.unique(array[order], return_index=True, return_inverse=True)
    ranks[order] = first[inverse]
    return ranks / (len(array) - 1)


def fallback(
    vectors: Vectors,
    labels: Labels,
    papers: Sequence[Paper],
    *,
    followed: Sequence[str] = (),
) -> Ranking:
    """The ranking before there is a model: half upvotes, half recency (as ranks),
    and papers by a followed author (``followed``: the names in the config and on
    the user's starred papers) above the rest."""
    import numpy as np

    upvotes = _percentiles([float(p.upvotes or 0) for p in papers])
    dates = sorted({p.published or "" for p in papers})
    day_rank = {day: rank for rank, day in enumerate(dates)}
    recency = _percentiles([float(day_rank[p.published or ""]) for p in papers])
    score = 0.25 * upvotes + 0.25 * recency
    columns = {bucket(author_token(name)) for name in followed}
    columns.discard(-1)
    if columns:
        by_author = vectors.matrix[:, sorted(columns)]
        rows = np.flatnonzero(np.diff(by_author.tocsr().indptr))
        followed_ids = set(vectors.ids[rows].tolist()) - labels.positive
        score = score + 0.5 * np.asarray([p.id in followed_ids for p in papers], dtype=float)
    return Ranking(
        dict(zip((p.id for p in papers), score.tolist(), strict=True)),
        learned=False,
        labels=labels,
    )
