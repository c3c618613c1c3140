"""The "For you" ranking, without Textual: labels, the model, explanations, the
fallback, the vectors' cache, and the evaluation."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

import pytest

from reader.models import Annotation
from reader.ranking.evaluate import Marked, Scores, _scores, evaluate
from reader.ranking.features import PaperText, Vectors
from reader.ranking.model import Labels, Paper, Ranking
from reader.ranking.ranker import Ranker
from reader.store import Library, clock
from reader.store.words import Words
from tests.support.topics import topic_papers

PER_TOPIC = 60


@pytest.fixture
def topics(empty_library: Library) -> Iterator[tuple[Library, dict[int, str]]]:
    """A library of three topics' papers, and each paper's topic by id."""
    pairs = topic_papers(PER_TOPIC)
    empty_library.import_papers([paper for _, paper in pairs])
    by_arxiv = {paper.arxiv_id: topic for topic, paper in pairs}
    topic_of = {p.id: by_arxiv[p.arxiv_id] for p in empty_library.papers() if p.id is not None}
    yield empty_library, topic_of


def ids_of(topic_of: dict[int, str], topic: str) -> list[int]:
    return sorted(i for i, t in topic_of.items() if t == topic)


def ranked(library: Library, marks: dict[int, Annotation], **kwargs: object) -> Ranking:
    return Ranker().rank(library.words(), marks, **kwargs)  # type: ignore[arg-type]


def stars(ids: Sequence[int]) -> dict[int, Annotation]:
    return {i: Annotation(i, starred=True) for i in ids}


def top_unmarked(ranking: Ranking, marks: dict[int, Annotation], count: int) -> list[int]:
    return [i for i in ranking.order(ranking.scores) if i not in marks][:count]


def test_stars_on_one_topic_bring_that_topic_to_the_top(
    topics: tuple[Library, dict[int, str]],
) -> None:
    library, topic_of = topics
    marks = stars(ids_of(topic_of, "vision")[:12])
    ranking = ranked(library, marks)
    assert ranking.learned
    top = top_unmarked(ranking, marks, 10)
    assert sum(topic_of[i] == "vision" for i in top) >= 8
    # A probability each, the starred topic's well above the others'.
    assert all(0.0 <= s <= 1.0 for s in ranking.scores.values())
    vision = [ranking.scores[i] for i in ids_of(topic_of, "vision")[12:]]
    biology = [ranking.scores[i] for i in ids_of(topic_of, "biology")]
    assert min(vision) > max(biology)


def test_notes_and_tags_count_as_stars(topics: tuple[Library, dict[int, str]]) -> None:
    library, topic_of = topics
    chosen = ids_of(topic_of, "biology")[:10]
    marks = {i: Annotation(i, note="good") for i in chosen[:5]}
    marks |= {i: Annotation(i, tags=("bio",)) for i in chosen[5:]}
    top = top_unmarked(ranked(library, marks), marks, 10)
    assert sum(topic_of[i] == "biology" for i in top) >= 8


def position(ranking: Ranking, ids: Sequence[int], marks: dict[int, Annotation]) -> float:
    order = [i for i in ranking.order(ranking.scores) if i not in marks]
    where = {paper_id: n for n, paper_id in enumerate(order)}
    return sum(where[i] for i in ids if i in where) / len(ids)


def test_dismissing_papers_of_a_topic_pushes_it_down(
    topics: tuple[Library, dict[int, str]],
) -> None:
    library, topic_of = topics
    vision, language = ids_of(topic_of, "vision"), ids_of(topic_of, "language")
    liked = stars(vision[:5] + language[:5])
    before = ranked(library, liked)
    when = "2026-12-01T10:00:00+00:00"
    dismissed = {i: Annotation(i, dismissed_at=when) for i in language[5:15]}
    after = ranked(library, liked | dismissed)
    rest = language[15:]
    marks = liked | dismissed
    assert position(after, rest, marks) > position(before, rest, marks) + 5
    top = top_unmarked(after, marks, 10)
    assert sum(topic_of[i] == "vision" for i in top) >= 8


def test_read_and_left_unstarred_is_a_weak_no() -> None:
    marks = {
        1: Annotation(1, starred=True),
        2: Annotation(2, read_at="2026-01-01T00:00:00+00:00"),
        3: Annotation(3, read_at="2026-01-01T00:00:00+00:00", tags=("x",)),
        4: Annotation(4, dismissed_at="2026-01-01T00:00:00+00:00", starred=True),
        5: Annotation(5),
    }
    labels = Labels.from_marks(marks)
    assert labels == Labels(frozenset({1, 3}), frozenset({4}), frozenset({2}))


def test_users_never_share_a_model(topics: tuple[Library, dict[int, str]]) -> None:
    library, topic_of = topics
    ana = stars(ids_of(topic_of, "vision")[:10])
    bo = stars(ids_of(topic_of, "biology")[:10])
    ranker = Ranker()
    words = library.words()
    for_ana = ranker.rank(words, ana)
    for_bo = ranker.rank(words, bo)
    assert all(topic_of[i] == "vision" for i in top_unmarked(for_ana, ana, 5))
    assert all(topic_of[i] == "biology" for i in top_unmarked(for_bo, bo, 5))
    # And asking for Ana again after Bo gives Ana's ranking back, unchanged.
    assert ranker.rank(words, ana).scores == for_ana.scores


def test_the_reasons_are_terms_of_the_paper(topics: tuple[Library, dict[int, str]]) -> None:
    library, topic_of = topics
    starred = ids_of(topic_of, "language")[:10]
    marks = stars(starred)
    ranker = Ranker()
    words = library.words()
    ranking = ranker.rank(words, marks)
    for paper_id in top_unmarked(ranking, marks, 5) + ids_of(topic_of, "biology")[:3]:
        why = ranker.why(words, paper_id, ranking)
        assert why is not None
        assert why.up or why.down
        paper = library.paper(paper_id)
        assert paper is not None
        text = f"{paper.title} {paper.abstract}".lower()
        for reason in why.up + why.down:
            if reason.kind == "author":
                assert reason.text in paper.authors
            elif reason.kind == "category":
                assert reason.text in paper.categories
            else:
                assert reason.text in text.split() or reason.text in text
        assert set(why.like) <= set(starred)
    # A language paper is pushed up by the topic's words and like the starred ones.
    top = top_unmarked(ranking, marks, 1)[0]
    why = ranker.why(words, top, ranking)
    assert why is not None and why.up and why.like


def test_an_author_is_a_name_not_a_word(topics: tuple[Library, dict[int, str]]) -> None:
    # "Hao Li" writes on language, "Xiaohao Li" on biology: starring Hao Li's papers
    # must not lift Xiaohao Li's.
    library, _ = topics
    by_hao = [p.id for p in library.papers() if "Hao Li" in p.authors and p.id is not None]
    marks = stars(by_hao[:8])
    ranker = Ranker()
    words = library.words()
    ranking = ranker.rank(words, marks)
    reasons = [
        r.text
        for paper_id in top_unmarked(ranking, marks, 10)
        for why in [ranker.why(words, paper_id, ranking)]
        if why is not None
        for r in why.up
        if r.kind == "author"
    ]
    assert "Xiaohao Li" not in reasons
    xiaohao = [p.id for p in library.papers() if "Xiaohao Li" in p.authors and p.id is not None]
    assert position(ranking, xiaohao, marks) > len(ranking.scores) / 2


def test_fewer_than_five_positives_rank_by_upvotes_and_recency(
    topics: tuple[Library, dict[int, str]],
) -> None:
    library, _ = topics
    ranking = ranked(library, {})
    assert not ranking.learned and ranking.positives == 0
    papers = {p.id: p for p in library.papers()}
    best = ranking.order(ranking.scores)[0]
    # The best has both: among the most upvoted and the newest.
    upvotes = sorted((p.upvotes or 0 for p in papers.values()), reverse=True)
    assert (papers[best].upvotes or 0) >= upvotes[len(upvotes) // 4]
    dates = sorted((p.published or "" for p in papers.values()), reverse=True)
    assert (papers[best].published or "") >= dates[len(dates) // 4]


def test_followed_authors_lead_the_cold_start(topics: tuple[Library, dict[int, str]]) -> None:
    library, _ = topics
    ranking = ranked(library, {}, followed=["Eve Cell"])
    papers = {p.id: p for p in library.papers()}
    by_eve = {i for i, p in papers.items() if "Eve Cell" in p.authors and i is not None}
    first = ranking.order(ranking.scores)[: len(by_eve)]
    assert set(first) == by_eve
    # So do the authors of the papers starred so far.
    one = min(by_eve)
    ranking = ranked(library, stars([one]))
    unstarred = [i for i in ranking.order(ranking.scores) if i != one]
    assert set(unstarred[: len(by_eve) - 1]) == by_eve - {one}


def test_the_unsure_papers_are_unlabelled_and_near_half(
    topics: tuple[Library, dict[int, str]],
) -> None:
    library, topic_of = topics
    marks = stars(ids_of(topic_of, "vision")[:10])
    ranking = ranked(library, marks)
    unsure = ranking.unsure(limit=20)
    assert len(unsure) == 20 and not set(unsure) & set(marks)
    gaps = [abs(ranking.scores[i] - 0.5) for i in unsure]
    assert gaps == sorted(gaps)
    others = [abs(s - 0.5) for i, s in ranking.scores.items() if i not in unsure and i not in marks]
    assert max(gaps) <= min(others) + 1e-9


class CountingSource:
    """A store source that counts the papers whose texts were read."""

    def __init__(self, words: Words) -> None:
        self.words = words
        self.read: list[int] = []

    def ranking_papers(self) -> tuple[list[tuple[int, str]], list[Paper]]:
        return self.words.ranking_papers()

    def ranking_texts(self, paper_ids: Sequence[int]) -> list[PaperText]:
        self.read.extend(paper_ids)
        return self.words.ranking_texts(paper_ids)

    def marked(self, user: str) -> list[Marked]:
        return self.words.marked(user)


def test_the_vectors_are_kept_and_only_new_papers_counted(
    topics: tuple[Library, dict[int, str]], tmp_path: Path
) -> None:
    library, _ = topics
    cache = tmp_path / "cache" / "vectors.npz"
    first = CountingSource(library.words())
    assert Ranker(cache).sync(first)
    assert len(first.read) == 3 * PER_TOPIC and cache.exists()
    # Another run reads the cache: nothing to count.
    again = CountingSource(library.words())
    ranker = Ranker(cache)
    assert not ranker.sync(again)
    assert again.read == [] and len(ranker.vectors) == 3 * PER_TOPIC
    # A new paper and a changed one are counted; nothing else.
    (_, new_paper), *_ = topic_papers(1, seed=99)
    library.import_papers([replace(new_paper, arxiv_id="2501.00001")])
    changed = library.papers()[5]
    assert changed.id is not None
    library.import_papers([replace(changed, id=None, abstract="entirely new")])
    later = CountingSource(library.words())
    assert ranker.sync(later)
    new_id = next(p.id for p in library.papers() if p.arxiv_id == "2501.00001")
    assert new_id is not None
    assert sorted(later.read) == sorted([new_id, changed.id])
    # A damaged cache is counted afresh, not an error.
    cache.write_bytes(b"not a cache")
    fresh = CountingSource(library.words())
    assert Ranker(cache).sync(fresh) and len(fresh.read) == 3 * PER_TOPIC + 1


def test_a_removed_paper_leaves_the_ranking(
    topics: tuple[Library, dict[int, str]], tmp_path: Path
) -> None:
    library, topic_of = topics
    ranker = Ranker(tmp_path / "v.npz")
    words = library.words()
    gone = ids_of(topic_of, "vision")[0]
    assert gone in ranker.rank(words, {}).scores
    library.remove_papers([gone])
    ranker.sync(words)
    assert gone not in ranker.rank(words, {}).scores


# -- the evaluation ---------------------------------------------------------------


def test_precision_and_recall_count_the_answers_in_the_top() -> None:
    order = list(range(100))
    assert _scores(order, {0, 5, 70}) == Scores(precision=0.2, recall=2 / 3)
    assert _scores(order, {60}) == Scores(0.0, 0.0)


def at(day: int) -> str:
    return f"2026-03-{day:02d}T09:00:00+00:00"


def test_the_time_split_on_a_case_with_a_known_answer() -> None:
    # Ten vision papers starred, one a day. The first seven train; the last three
    # are the newest papers and have no upvotes, so "newest first" finds all three
    # in its first 10 and "most upvoted" none in its first 50.
    pairs = topic_papers(40)
    texts, papers = [], []
    vision = []
    for n, (topic, paper) in enumerate(pairs):
        texts.append(PaperText(n, paper.title, paper.abstract, paper.authors, paper.categories))
        papers.append(Paper(n, f"2024-01-{1 + n % 28:02d}", 10 + n))
        if topic == "vision":
            vision.append(n)
    starred = vision[:10]
    for n in starred[7:]:
        papers[n] = Paper(n, "2025-01-01", 0)
    vectors = Vectors.empty().update(
        [(t.id, "") for t in texts], lambda ids: [texts[i] for i in ids]
    )
    marked = [Marked(i, starred_at=at(1 + k)) for k, i in enumerate(starred)]
    result = evaluate(vectors, marked, papers)
    assert result is not None
    assert (result.split, result.trained, result.tested) == (at(8), 7, 3)
    assert result.newest == Scores(precision=0.3, recall=1.0)
    assert result.upvoted == Scores(precision=0.0, recall=0.0)
    assert result.for_you.recall == 1.0  # three vision papers among 50 unmarked
    assert result.for_you.precision >= 0.1


def test_where_papers_came_in_over_time_the_new_ones_are_ranked() -> None:
    # Papers arrive day by day; the user stars most of each day's vision papers.
    pairs = topic_papers(30)
    texts = [
        PaperText(n, p.title, p.abstract, p.authors, p.categories) for n, (_, p) in enumerate(pairs)
    ]
    day = [1 + n // 6 for n in range(len(pairs))]  # 15 days of 6 papers
    papers = [Paper(n, f"2026-03-{day[n]:02d}", 0, at(day[n])) for n in range(len(pairs))]
    vectors = Vectors.empty().update(
        [(t.id, "") for t in texts], lambda ids: [texts[i] for i in ids]
    )
    vision = [n for n, (topic, _) in enumerate(pairs) if topic == "vision"]
    marked = [Marked(n, starred_at=at(day[n]).replace("09:00", "18:00")) for n in vision[::2]]
    marked += [
        Marked(n, starred_at=at(day[n]).replace("09:00", "18:01")) for n in vision[1::2][:10]
    ]
    result = evaluate(vectors, marked, papers)
    assert result is not None and result.arrivals
    # Only papers that came in after the last star it learned from are ranked.
    taught = sorted(m.starred_at or "" for m in marked)[result.trained - 1]
    assert result.ranked == sum(1 for p in papers if (p.added or "") > taught)
    assert result.ranked < len(papers) - result.trained
    assert result.for_you.precision > result.newest.precision


def test_papers_starred_at_once_fall_on_one_side_of_the_split() -> None:
    pairs = topic_papers(20)
    texts = [
        PaperText(n, p.title, p.abstract, p.authors, p.categories) for n, (_, p) in enumerate(pairs)
    ]
    papers = [Paper(n, "2024-01-01", 0) for n in range(len(texts))]
    vectors = Vectors.empty().update(
        [(t.id, "") for t in texts], lambda ids: [texts[i] for i in ids]
    )
    vision = [n for n, (topic, _) in enumerate(pairs) if topic == "vision"]
    # Eight starred in one go, then four one by one.
    marked = [Marked(i, starred_at=at(1)) for i in vision[:8]]
    marked += [Marked(i, starred_at=at(2 + k)) for k, i in enumerate(vision[8:12])]
    result = evaluate(vectors, marked, papers)
    assert result is not None and (result.trained, result.tested) == (8, 4)
    # Eleven at once and one later: nothing to split.
    marked = [Marked(i, starred_at=at(1)) for i in vision[:11]] + [Marked(vision[11], at(2))]
    assert evaluate(vectors, marked, papers) is None


def test_no_figure_without_enough_stars() -> None:
    texts = [PaperText(i, f"paper {i}", "words") for i in range(20)]
    vectors = Vectors.empty().update(
        [(t.id, "") for t in texts], lambda ids: [texts[i] for i in ids]
    )
    papers = [Paper(i, "2024-01-01", 0) for i in range(20)]
    marked = [Marked(i, starred_at=at(1 + i)) for i in range(7)]
    assert evaluate(vectors, marked, papers) is None


def test_the_evaluation_reads_the_store(
    topics: tuple[Library, dict[int, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    library, topic_of = topics
    for day, paper_id in enumerate(ids_of(topic_of, "vision")[:12], start=1):
        monkeypatch.setattr(clock, "now", lambda day=day: at(day))
        library.set_starred_many("ana", [paper_id], True)
    result = Ranker().evaluate(library.words(), "ana")
    assert result is not None and result.trained == 8 and result.tested == 4
    assert Ranker().evaluate(library.words(), "bo") is None
