"""How well the ranking has worked for one user, measured on their own history.

A time split: the model is trained on the labels given before a moment, and asked
to rank every paper not yet labelled then; the stars given after it are the
answers. Precision@10 is the share of its first 10 that the user went on to star,
recall@50 the share of those later stars in its first 50. "Newest first" and
"most upvoted", over the same papers, are the figures to beat. With too few stars
on either side of the split, there is no figure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reader.ranking.features import Vectors
from reader.ranking.model import MIN_POSITIVES, Labels, Paper, train

# Stars after the split needed for a figure.
MIN_TEST = 3
# The share of the stars, oldest first, that the model learns from.
TRAIN_SHARE = 0.7
TOP_PRECISION = 10
TOP_RECALL = 50


@dataclass(frozen=True, slots=True)
class Marked:
    """When one user marked one paper (ISO timestamps, None: not so marked now)."""

    paper_id: int
    starred_at: str | None = None
    noted_at: str | None = None
    read_at: str | None = None
    dismissed_at: str | None = None


@dataclass(frozen=True, slots=True)
class Scores:
    precision: float  # at TOP_PRECISION
    recall: float  # at TOP_RECALL


@dataclass(frozen=True, slots=True)
class Evaluation:
    split: str  # the moment: labels before it trained, stars from it tested
    trained: int  # positives before the split
    tested: int  # stars from the split on
    for_you: Scores
    newest: Scores
    upvoted: Scores


def _scores(order: Sequence[int], answers: set[int]) -> Scores:
    top = order[:TOP_PRECISION]
    found = sum(1 for paper_id in top if paper_id in answers)
    recalled = sum(1 for paper_id in order[:TOP_RECALL] if paper_id in answers)
    return Scores(found / TOP_PRECISION, recalled / len(answers))


def evaluate(
    vectors: Vectors, marked: Sequence[Marked], papers: Sequence[Paper]
) -> Evaluation | None:
    """The time-split figures for one user's ``marked`` papers, or None when there
    are too few stars to measure."""
    stars = sorted((m.starred_at, m.paper_id) for m in marked if m.starred_at)
    if len(stars) < MIN_POSITIVES + MIN_TEST:
        return None
    cut = min(max(MIN_POSITIVES, int(len(stars) * TRAIN_SHARE)), len(stars) - MIN_TEST)
    split = stars[cut][0]
    answers = {paper_id for at, paper_id in stars if at >= split}
    positive, negative, weak = set(), set(), set()
    for m in marked:
        first = min((at for at in (m.starred_at, m.noted_at) if at), default=None)
        if first is not None and first < split:
            positive.add(m.paper_id)
        elif m.dismissed_at is not None and m.dismissed_at < split:
            negative.add(m.paper_id)
        elif m.read_at is not None and m.read_at < split:
            weak.add(m.paper_id)
    answers -= positive  # noted before the split, starred after: already known
    if len(positive) < MIN_POSITIVES or len(answers) < MIN_TEST:
        return None
    labels = Labels(frozenset(positive), frozenset(negative), frozenset(weak))
    model = train(vectors, labels)
    if model is None:
        return None
    known = labels.labelled
    pool = [p for p in papers if p.id not in known and vectors.position(p.id) >= 0]
    decision = model.decision(vectors)
    score = {p.id: float(decision[vectors.position(p.id)]) for p in pool}
    by_model = sorted(score, key=lambda i: -score[i])
    # Newest first as the list shows it (dates as the source gave them), then the
    # most upvoted; ties keep the library's order.
    newest = [p.id for p in sorted(pool, key=lambda p: p.published or "", reverse=True)]
    upvoted = [p.id for p in sorted(pool, key=lambda p: -(p.upvotes or 0))]
    return Evaluation(
        split,
        len(positive),
        len(answers),
        _scores(by_model, answers),
        _scores(newest, answers),
        _scores(upvoted, answers),
    )
