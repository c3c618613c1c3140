"""What the ranking reads of a paper: its words, as TF-IDF vectors.

A paper's document is its title (twice: a title word says more than an abstract
word), abstract, Hugging Face keywords, and one token per author name and per
category (``au_hao_li``, ``cat_cs_lg``), so "Hao Li" and "Xiaohao Li" are two
features and neither is the word "li". Words are hashed into a fixed space
(scikit-learn's ``HashingVectorizer``): there is no vocabulary to keep in step, a
new paper is vectorised alone, and the counts of the whole library are kept on
disk (:class:`Vectors`), so only papers added or changed since are read again.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    from scipy import sparse

# Hashed feature space: 2**18 buckets hold a library's vocabulary with few
# collisions, and a model's weights are one megabyte.
FEATURES = 2**18
AUTHOR_PREFIX = "au_"
CATEGORY_PREFIX = "cat_"
# Papers vectorised per batch while the library is read.
BATCH = 2000
_NOT_WORD = re.compile(r"[^\w]+")
# A cache file from another layout is read as no cache.
_CACHE_VERSION = 1


@dataclass(frozen=True, slots=True)
class PaperText:
    """The fields of one paper that the ranking reads."""

    id: int
    title: str
    abstract: str = ""
    authors: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()


# Reads papers' texts by id (a store connection's ``ranking_texts``).
ReadTexts = Callable[[Sequence[int]], list[PaperText]]


def slug(text: str) -> str:
    """``text`` as one token: lower case, accents kept, runs of anything else an ``_``."""
    folded = unicodedata.normalize("NFC", text).casefold()
    return _NOT_WORD.sub("_", folded).strip("_")


def author_token(name: str) -> str:
    return AUTHOR_PREFIX + slug(name)


def category_token(category: str) -> str:
    return CATEGORY_PREFIX + slug(category)


def document(paper: PaperText) -> str:
    """The text the vectoriser reads for ``paper``."""
    parts = [paper.title, paper.title, paper.abstract, " ".join(paper.keywords)]
    tokens = [author_token(name) for name in paper.authors]
    tokens += [category_token(category) for category in paper.categories]
    # A name of nothing but punctuation makes no token (just its prefix).
    parts.extend(token for token in tokens if not token.endswith("_"))
    return "\n".join(parts)


@cache
def _hasher() -> Any:
    import numpy as np
    from sklearn.feature_extraction.text import HashingVectorizer

    # Raw counts (TF-IDF is applied over the library, see Vectors.weighted); English
    # stop words carry nothing about a topic.
    return HashingVectorizer(
        n_features=FEATURES,
        alternate_sign=False,
        norm=None,
        stop_words="english",
        dtype=np.float32,
    )


def counts(documents: Sequence[str]) -> sparse.csr_matrix:
    """Term counts of ``documents``, one row each, in the hashed space."""
    matrix: sparse.csr_matrix = _hasher().transform(documents)
    return matrix


def analyse(text: str) -> list[str]:
    """The tokens the vectoriser makes of ``text`` (lower-cased, stop words out)."""
    tokens: list[str] = _hasher().build_analyzer()(text)
    return tokens


def bucket(token: str) -> int:
    """The feature a token is counted in (-1: none, a stop word)."""
    return buckets([token])[0]


def buckets(tokens: Sequence[str]) -> list[int]:
    """The feature each token is counted in, in one pass (-1: none)."""
    rows = counts(tokens)
    starts, ends = rows.indptr[:-1].tolist(), rows.indptr[1:].tolist()
    indices = rows.indices.tolist()
    return [indices[a] if b > a else -1 for a, b in zip(starts, ends, strict=True)]


class Vectors:
    """Term counts of every paper ranked, by paper id, and their TF-IDF weights.

    ``stamps`` say which version of each paper was counted (its ``updated_at``):
    :meth:`update` counts again only papers that are new or changed.
    """

    def __init__(
        self,
        ids: npt.NDArray[np.int64],
        stamps: list[str],
        matrix: sparse.csr_matrix,
    ) -> None:
        import numpy as np

        self.ids = ids
        self.stamps = stamps
        self.matrix = matrix
        size = int(ids.max()) + 1 if len(ids) else 0
        self._position = np.full(size, -1, dtype=np.int64)
        self._position[ids] = np.arange(len(ids))
        self._weighted: sparse.csr_matrix | None = None

    @classmethod
    def empty(cls) -> Vectors:
        import numpy as np
        from scipy import sparse

        return cls(np.zeros(0, np.int64), [], sparse.csr_matrix((0, FEATURES), dtype=np.float32))

    def __len__(self) -> int:
        return len(self.ids)

    def position(self, paper_id: int) -> int:
        """Row of ``paper_id``, or -1."""
        if 0 <= paper_id < len(self._position):
            return int(self._position[paper_id])
        return -1

    def positions(self, paper_ids: Iterable[int]) -> npt.NDArray[np.int64]:
        """Rows of the papers held, in order; ids not held are left out."""
        import numpy as np

        ids = np.fromiter(paper_ids, dtype=np.int64)
        ids = ids[(ids >= 0) & (ids < len(self._position))]
        found = self._position[ids]
        return found[found >= 0]

    @property
    def weighted(self) -> sparse.csr_matrix:
        """TF-IDF rows (sublinear counts, smoothed IDF over the papers held), each of
        length one."""
        if self._weighted is None:
            import numpy as np
            from scipy import sparse
            from sklearn.preprocessing import normalize

            rows = len(self.ids)
            held = np.bincount(self.matrix.indices, minlength=FEATURES)
            idf = (np.log((1 + rows) / (1 + held)) + 1).astype(np.float32)
            tf = self.matrix.copy()
            np.log1p(tf.data, out=tf.data)
            tf.data *= idf[tf.indices]
            self._weighted = sparse.csr_matrix(normalize(tf, copy=False))
        return self._weighted

    def update(
        self,
        current: Sequence[tuple[int, str]],
        read: ReadTexts,
        counting: Callable[[int], object] | None = None,
    ) -> Vectors:
        """These vectors for the library as it is now: ``current`` is every paper to
        rank as (id, stamp); papers new or changed since are read through ``read``
        and counted (``counting`` is told how many first), papers gone are dropped.
        Returns ``self`` when nothing changed."""
        import numpy as np
        from scipy import sparse

        now_ids = np.fromiter((paper_id for paper_id, _ in current), np.int64, len(current))
        rows = np.full(len(now_ids), -1, dtype=np.int64)
        known = (now_ids >= 0) & (now_ids < len(self._position))
        rows[known] = self._position[now_ids[known]]
        # Held, and counted as it is now: kept; the rest is counted.
        same = np.zeros(len(now_ids), dtype=bool)
        stamps = self.stamps
        for i in np.flatnonzero(rows >= 0).tolist():
            same[i] = stamps[rows[i]] == current[i][1]
        kept_rows = rows[same].tolist()
        fresh = now_ids[~same].tolist()
        if not fresh and len(kept_rows) == len(self.ids):
            return self
        if fresh and counting is not None:
            counting(len(fresh))
        blocks = [self.matrix[np.asarray(kept_rows, dtype=np.int64)]] if kept_rows else []
        ids = [int(self.ids[row]) for row in kept_rows]
        for start in range(0, len(fresh), BATCH):
            texts = read(fresh[start : start + BATCH])
            blocks.append(counts([document(text) for text in texts]))
            ids.extend(text.id for text in texts)
        stamp_of = dict(current)
        matrix = (
            sparse.csr_matrix(sparse.vstack(blocks, format="csr", dtype=np.float32))
            if blocks
            else Vectors.empty().matrix
        )
        return Vectors(np.asarray(ids, dtype=np.int64), [stamp_of[i] for i in ids], matrix)

    # -- on disk ----------------------------------------------------------------

    def save(self, path: Path) -> None:
        """Write these counts to ``path`` (atomically: a reader sees the old file or
        the new one)."""
        import io

        import numpy as np

        from reader.atomic import write_atomic

        buffer = io.BytesIO()
        np.savez(
            buffer,
            version=np.asarray([_CACHE_VERSION]),
            ids=self.ids,
            stamps=np.asarray(self.stamps, dtype=str),
            data=self.matrix.data.astype(np.uint16),
            indices=self.matrix.indices.astype(np.int32),
            indptr=self.matrix.indptr.astype(np.int64),
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, buffer.getvalue())

    @classmethod
    def load(cls, path: Path) -> Vectors:
        """Counts written by :meth:`save`; empty when the file is missing, damaged or
        of another layout (it is a cache: it is counted again)."""
        import numpy as np
        from scipy import sparse

        try:
            with np.load(path, allow_pickle=False) as saved:
                if int(saved["version"][0]) != _CACHE_VERSION:
                    return cls.empty()
                ids = saved["ids"].astype(np.int64)
                stamps = [str(stamp) for stamp in saved["stamps"]]
                matrix = sparse.csr_matrix(
                    (
                        saved["data"].astype(np.float32),
                        saved["indices"].astype(np.int32, copy=False),
                        saved["indptr"].astype(np.int64, copy=False),
                    ),
                    shape=(len(ids), FEATURES),
                )
        except (OSError, ValueError, KeyError, EOFError):
            return cls.empty()
        if len(stamps) != len(ids) or matrix.shape[0] != len(ids):
            return cls.empty()
        return cls(ids, stamps, matrix)


def cache_path(library: Path) -> Path:
    """Where the counts of the library at ``library`` are kept: the user's cache
    directory, one file per library file."""
    import platformdirs

    from reader.paths import APP_NAME

    digest = hashlib.sha256(str(library.resolve()).encode()).hexdigest()[:20]
    return platformdirs.user_cache_path(APP_NAME) / "ranking" / f"{digest}.npz"
