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

from reader.models import papers_label
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
    tested: int  # stars from the split on, among the papers ranked
    ranked: int  # papers ranked
    # Whether those were the papers that came in after the split (else every paper
    # not marked before it: a library imported all at once).
    arrivals: bool
    for_you: Scores
    newest: Scores
    upvoted: Scores


def _scores(order: Sequence[int], answers: set[int]) -> Scores:
    top = order[:TOP_PRECISION]
    found = sum(1 for paper_id in top if paper_id in answers)
    recalled = sum(1 for paper_id in order[:TOP_RECALL] if paper_id in answers)
    return Scores(found / TOP_PRECISION, recalled / len(answers))


def stars_needed(marked: Sequence[Marked]) -> int:
    """How many more stars (with the time they were given) a figure needs: 0 when
    there may be enough (stars given all at once can still leave too few later)."""
    stars = sum(1 for m in marked if m.starred_at)
    return max(0, MIN_POSITIVES + MIN_TEST - stars)


def describe(evaluation: Evaluation | None, marked: Sequence[Marked]) -> list[str]:
    """The evaluation as lines of plain text, for the stats screen and ``reader stats``."""
    if evaluation is None:
        stars = sum(1 for m in marked if m.starred_at)
        need = MIN_POSITIVES + MIN_TEST
        if stars >= need:
            return [
                f"Not measured yet: your {stars} stars came too close together to split "
                f"into {MIN_POSITIVES} earlier and {MIN_TEST} later; stars given on later "
                "days will do."
            ]
        return [
            f"Not measured yet: {papers_label(stars)} starred, {need} needed "
            f"({MIN_POSITIVES} to learn from, {MIN_TEST} given later to check it against)."
        ]
    e = evaluation
    which = "that came in from then on" if e.arrivals else "you had not marked by then"
    lines = [
        f"Trained on what you marked before {e.split[:10]} ({e.trained} papers); "
        f"ranked the {e.ranked} papers {which}, of which you starred {e.tested}:",
        f"{'':14}{'precision@' + str(TOP_PRECISION):>14}{'recall@' + str(TOP_RECALL):>12}",
    ]
    for name, scores in (
        ("For you", e.for_you),
        ("Newest first", e.newest),
        ("Most upvoted", e.upvoted),
    ):
        lines.append(f"{name:14}{scores.precision:>14.2f}{scores.recall:>12.2f}")
    return lines


def as_json(evaluation: Evaluation | None, marked: Sequence[Marked]) -> dict[str, object]:
    """The evaluation as ``reader stats --json`` prints it."""
    if evaluation is None:
        return {"measured": False, "stars_needed": stars_needed(marked)}
    e = evaluation

    def figures(scores: Scores) -> dict[str, float]:
        return {
            f"precision_at_{TOP_PRECISION}": round(scores.precision, 4),
            f"recall_at_{TOP_RECALL}": round(scores.recall, 4),
        }

    return {
        "measured": True,
        "split": e.split,
        "trained_on": e.trained,
        "tested_on": e.tested,
        "ranked": e.ranked,
        "ranked_arrivals": e.arrivals,
        "for_you": figures(e.for_you),
        "newest": figures(e.newest),
        "most_upvoted": figures(e.upvoted),
    }


def evaluate(
    vectors: Vectors, marked: Sequence[Marked], papers: Sequence[Paper]
) -> Evaluation | None:
    """The time-split figures for one user's ``marked`` papers, or None when there
    are too few stars to measure."""
    stars = sorted((m.starred_at, m.paper_id) for m in marked if m.starred_at)
    if len(stars) < MIN_POSITIVES + MIN_TEST:
        return None
    cut = min(max(MIN_POSITIVES, int(len(stars) * TRAIN_SHARE)), len(stars) - MIN_TEST)
    # Papers starred at one moment (several at once) fall on one side of it.
    while cut < len(stars) and stars[cut][0] == stars[cut - 1][0]:
        cut += 1
    if len(stars) - cut < MIN_TEST:
        return None
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
    # The daily question: of the papers that came in after its last lesson, which
    # would the user star? Where the library knows when papers came (not all at
    # once), those papers are the ones ranked; else every paper not marked then.
    taught = stars[cut - 1][0]
    arrived = [p for p in pool if p.added is not None and p.added > taught]
    arrived_ids = {p.id for p in arrived}
    if len(answers & arrived_ids) >= MIN_TEST:
        pool, answers = arrived, answers & arrived_ids
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
        len(pool),
        pool is arrived,
        _scores(by_model, answers),
        _scores(newest, answers),
        _scores(upvoted, answers),
    )
