"""A deterministic, realistic library as Hugging Face JSON, for the benchmarks.

    python -m bench.generate 100000 > /tmp/papers-100k.json

arXiv-like ids, 6-16 word titles, 150-250 word abstracts over a Zipf-distributed
vocabulary of 40,000 words, 1-20 authors from ~6,000 surnames, dates over
the last six years, upvotes with a long tail, a GitHub link on some. The same size
always gives the same bytes, so runs compare.
"""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Iterator
from datetime import date, timedelta

WORDS = [
    "diffusion",
    "model",
    "transformer",
    "attention",
    "language",
    "vision",
    "image",
    "video",
    "robust",
    "efficient",
    "scaling",
    "learning",
    "reinforcement",
    "policy",
    "reward",
    "graph",
    "neural",
    "network",
    "sparse",
    "dense",
    "retrieval",
    "generation",
    "reasoning",
    "alignment",
    "benchmark",
    "dataset",
    "evaluation",
    "training",
    "fine-tuning",
    "pretraining",
    "contrastive",
    "representation",
    "latent",
    "token",
    "embedding",
    "mixture",
    "experts",
    "quantization",
    "pruning",
    "distillation",
    "agent",
    "planning",
    "memory",
    "long",
    "context",
    "multimodal",
    "speech",
    "audio",
    "segmentation",
    "detection",
    "restoration",
    "super-resolution",
    "flow",
    "matching",
    "score",
    "consistency",
    "adversarial",
    "federated",
    "privacy",
    "causal",
    "uncertainty",
    "calibration",
    "optimization",
    "gradient",
    "convergence",
    "theory",
    "kernel",
    "bayesian",
    "inference",
    "sampling",
    "search",
    "tree",
    "code",
    "program",
    "synthesis",
    "math",
    "proof",
    "theorem",
    "chemistry",
    "protein",
    "molecule",
    "physics",
    "weather",
    "climate",
    "medical",
    "clinical",
    "robot",
    "manipulation",
    "navigation",
]
FIRST = [
    "Ana",
    "Ben",
    "Chen",
    "Dana",
    "Eli",
    "Fatima",
    "Gao",
    "Hiro",
    "Ines",
    "Jun",
    "Kofi",
    "Lena",
    "Mei",
    "Noor",
    "Omar",
    "Priya",
]
LAST = [
    "Smith",
    "Zhang",
    "Wang",
    "Li",
    "Garcia",
    "Müller",
    "Kim",
    "Nguyen",
    "Rossi",
    "Sato",
    "Okafor",
    "Ivanova",
    "Silva",
    "Cohen",
    "Patel",
    "Dubois",
    "Novak",
    "Haddad",
    "Larsen",
    "Costa",
]


# Words every abstract is made of, as in English prose; they carry no topic.
STOPWORDS = [
    "the",
    "of",
    "and",
    "a",
    "to",
    "in",
    "we",
    "is",
    "for",
    "that",
    "on",
    "with",
    "this",
    "by",
    "as",
    "are",
    "our",
    "an",
    "from",
    "be",
    "which",
    "it",
    "can",
    "these",
    "at",
    "its",
    "than",
    "not",
    "or",
    "both",
    "while",
    "such",
    "into",
    "each",
    "over",
    "show",
    "using",
]
_SYLLABLES = [
    "ka",
    "ro",
    "ti",
    "ne",
    "lu",
    "mi",
    "so",
    "ra",
    "ve",
    "qu",
    "an",
    "el",
    "or",
    "is",
    "ba",
    "de",
    "fi",
    "go",
    "hu",
    "ja",
    "ko",
    "li",
    "mo",
    "nu",
    "pa",
    "re",
    "sa",
    "to",
    "vi",
    "wa",
    "xe",
    "yo",
    "zu",
    "ch",
    "sh",
    "th",
    "tr",
    "st",
    "pr",
    "gr",
    "en",
    "al",
]
# Generated word forms beyond WORDS, so a library has a real vocabulary with a long
# tail: a few topic words are everywhere, most words are rare, as in real abstracts.
VOCABULARY_SIZE = 40_000
NAME_POOL = 6_000
POOL_SIZE = 1 << 20


def _words(rng: random.Random, count: int, syllables: tuple[int, int]) -> list[str]:
    found: dict[str, None] = {}
    while len(found) < count:
        found["".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(*syllables)))] = None
    return list(found)


def _zipf_pool(rng: random.Random, words: list[str], size: int) -> list[str]:
    """``size`` words drawn with Zipf's law: the n-th word about 1/n as often as the first."""
    weights = [1.0 / (rank + 8) ** 1.05 for rank in range(len(words))]
    return rng.choices(words, weights=weights, k=size)


def papers(count: int, seed: int = 7) -> Iterator[dict[str, object]]:
    rng = random.Random(seed)
    vocabulary = [w for w in _words(rng, VOCABULARY_SIZE, (2, 4)) if w not in WORDS]
    # The topic words among the first few hundred ranks: "model" in a good share of
    # abstracts, "diffusion" in a fifth or so, not every topic everywhere.
    topics = list(WORDS)
    rng.shuffle(topics)
    for rank, word in enumerate(topics):
        vocabulary.insert(3 + 7 * rank, word)
    # Prose: about one word in three is a stopword; content words follow Zipf's law.
    content = _zipf_pool(rng, vocabulary, POOL_SIZE)
    prose = [rng.choice(STOPWORDS) if rng.random() < 0.35 else word for word in content]
    first_names = FIRST + [w.capitalize() for w in _words(rng, 400, (2, 3))]
    last_names = LAST + [w.capitalize() for w in _words(rng, NAME_POOL, (2, 4))]
    firsts = _zipf_pool(rng, first_names, POOL_SIZE // 4)
    lasts = _zipf_pool(rng, last_names, POOL_SIZE // 4)
    start = date(2020, 1, 1)
    numbered: dict[str, int] = {}
    for n in range(count):
        day = start + timedelta(days=rng.randrange(6 * 365))
        # Unique for any size: the month plus a running number, as arXiv numbers papers.
        month = f"{day:%y%m}"
        numbered[month] = number = numbered.get(month, 0) + 1
        arxiv_id = f"{month}.{number:05d}"
        at = rng.randrange(POOL_SIZE - 16)
        title = " ".join(content[at : at + rng.randint(6, 16)]).capitalize()
        at = rng.randrange(POOL_SIZE - 250)
        abstract = " ".join(prose[at : at + rng.randint(150, 250)])
        names = len(firsts) - 20
        authors = [
            {"name": f"{firsts[rng.randrange(names)]} {lasts[rng.randrange(names)]}"}
            for _ in range(rng.randint(1, 20))
        ]
        item: dict[str, object] = {
            "id": arxiv_id,
            "title": title,
            "summary": abstract.capitalize() + ".",
            "authors": authors,
            "publishedAt": f"{day.isoformat()}T00:00:00.000Z",
            "upvotes": int(rng.paretovariate(1.2)) - 1,
        }
        if rng.random() < 0.3:
            item["githubRepo"] = f"https://github.com/{rng.choice(LAST).lower()}/repo{n}"
        yield {"paper": item, "publishedAt": item["publishedAt"]}


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    json.dump(list(papers(count)), sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
