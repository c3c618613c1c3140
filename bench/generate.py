"""A deterministic, realistic library as Hugging Face JSON, for the benchmarks.

    python -m bench.generate 100000 > /tmp/papers-100k.json

arXiv-like ids, 6-16 word titles, 150-250 word abstracts, 1-20 authors, dates over
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


def papers(count: int, seed: int = 7) -> Iterator[dict[str, object]]:
    rng = random.Random(seed)
    start = date(2020, 1, 1)
    for n in range(count):
        day = start + timedelta(days=rng.randrange(6 * 365))
        arxiv_id = f"{day:%y%m}.{n % 100000:05d}"
        title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 16))).capitalize()
        abstract = " ".join(rng.choice(WORDS) for _ in range(rng.randint(150, 250)))
        authors = [
            {"name": f"{rng.choice(FIRST)} {rng.choice(LAST)}"} for _ in range(rng.randint(1, 20))
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
