"""A generated library of papers on a few topics, for the ranking's tests: each
paper's words come mostly from its topic, partly from words every topic shares."""

from __future__ import annotations

import random

from reader.models import Paper


def _words(text: str) -> list[str]:
    return text.split()


TOPICS: dict[str, list[str]] = {
    "vision": _words(
        "image pixel segmentation convolution detection camera depth video frame "
        "object scene rendering texture stereo optical photograph"
    ),
    "language": _words(
        "token sentence translation grammar parsing lexicon dialogue corpus "
        "syntax semantic pragmatics summarisation question answering prompt"
    ),
    "biology": _words(
        "protein enzyme genome cell molecule receptor folding antibody sequence "
        "membrane pathway expression mutation tissue neuron"
    ),
}
SHARED = _words(
    "model method results data training learning approach performance network "
    "evaluate propose show large scale benchmark analysis framework study"
)
AUTHORS: dict[str, list[str]] = {
    "vision": ["Ana Pixel", "Bo Lens", "Cy Frame"],
    "language": ["Hao Li", "Haoran Liu", "Dee Word"],
    "biology": ["Xiaohao Li", "Eve Cell", "Fay Gene"],
}
CATEGORY = {"vision": "cs.CV", "language": "cs.CL", "biology": "q-bio.BM"}


def topic_papers(per_topic: int, seed: int = 3) -> list[tuple[str, Paper]]:
    """(topic, paper) pairs, ``per_topic`` papers of each topic, interleaved,
    published one day apart, newest last."""
    rng = random.Random(seed)
    found: list[tuple[str, Paper]] = []
    for _ in range(per_topic):
        for topic, words in TOPICS.items():

            def text(count: int, words: list[str] = words) -> str:
                return " ".join(
                    rng.choice(words) if rng.random() < 0.6 else rng.choice(SHARED)
                    for _ in range(count)
                )

            index = len(found)
            day = 1 + index % 28
            month = 1 + (index // 28) % 12
            found.append(
                (
                    topic,
                    Paper(
                        title=f"{text(6).capitalize()} {index}",
                        arxiv_id=f"24{month:02d}.{index:05d}",
                        abstract=text(60),
                        authors=(rng.choice(AUTHORS[topic]), f"Someone {index}"),
                        published=f"2024-{month:02d}-{day:02d}",
                        upvotes=rng.randrange(50),
                        categories=(CATEGORY[topic],),
                    ),
                )
            )
    return found
