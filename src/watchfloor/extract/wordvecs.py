"""Static word vectors for event typing: one MiniLM vector per word, shipped as int8.

A sentence-embedding model reads words in context and costs ~100x a linear model.
Encoding each *word* once with the same model (all-MiniLM-L6-v2, at build time) and
averaging the vectors of a sentence's words keeps much of what the model knows about
meaning ("pounded", "shelled" and "bombarded" land close together) at the cost of a
table lookup.  The typing model uses the average as 384 dense features beside its
sparse ones.

The average is SIF-weighted (a / (a + p(word)): frequent words count less), centred on
the mean word vector and L2-normalised; words not in the table are skipped.  Built by
``scripts/build_wordvecs.py``; see the model card (data/models/README.md).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Iterable

import numpy as np

from watchfloor.extract.classify import _TOKEN_RE
from watchfloor.lazy import shared

WORDVECS_PATH = Path(__file__).resolve().parent.parent / "data" / "models" / "wordvecs.npz"


class WordVectors:
    """The shipped word-vector table; `sentence_vectors` is all the typing model needs."""

    def __init__(self, words: list[str], vectors: np.ndarray, sif: np.ndarray) -> None:
        self.words = list(words)
        self.index = {w: i for i, w in enumerate(self.words)}
        vectors = np.asarray(vectors, dtype=np.float32)
        # centred once here; one extra zero row (weight 0) pads texts without known words
        self.centred = np.vstack([vectors - vectors.mean(axis=0), np.zeros((1, vectors.shape[1]), np.float32)])
        self.sif = np.append(np.asarray(sif, dtype=np.float32), np.float32(0.0))
        self.pad = len(self.words)
        self.dim = vectors.shape[1]
        self.fingerprint = hashlib.sha1("\n".join(self.words).encode("utf-8")).hexdigest()[:12]

    @classmethod
    def load(cls, path: str | Path = WORDVECS_PATH) -> "WordVectors":
        with np.load(path, allow_pickle=False) as z:
            words = bytes(z["words"]).decode("utf-8").split("\n")
            vectors = z["q"].astype(np.float32) * z["qscale"].astype(np.float32)[:, None]
            sif = z["sif"].astype(np.float32)
        return cls(words, vectors, sif)

    @classmethod
    def default(cls) -> "WordVectors":
        return _default_vectors()

    def sentence_vectors(self, texts: Iterable[str]) -> np.ndarray:
        """(n, dim) SIF-weighted, centred, L2-normalised mean word vectors (zero rows
        for texts with no known word)."""
        return self.pooled(texts, self.centred)

    def project(self, weights: np.ndarray) -> np.ndarray:
        """Each word's centred vector times `weights` (dim x k), pad row included: the
        table `pooled` needs to give `sentence_vectors(texts) @ weights` without a matrix
        product per call (small BLAS calls spin threads that starve parallel workers)."""
        return self.centred @ np.asarray(weights, dtype=np.float32)

    def pooled(self, texts: Iterable[str], table: np.ndarray) -> np.ndarray:
        """Per text: the SIF-weighted sum of `table` rows of its words, divided by the
        norm of the same sum of centred vectors (a `project`ed table, or `centred`)."""
        texts = list(texts)
        if not texts:
            return np.zeros((0, table.shape[1]), np.float32)
        # small chunks keep the gathered (tokens x dim) block in cache: 10x faster than one block
        return np.vstack([self._chunk(texts[k:k + 64], table) for k in range(0, len(texts), 64)])

    def _chunk(self, texts: list[str], table: np.ndarray) -> np.ndarray:
        get, pad = self.index.get, self.pad
        ids: list[int] = []
        starts: list[int] = []
        for text in texts:
            starts.append(len(ids))
            ids.append(pad)
            ids.extend(i for i in map(get, _TOKEN_RE.findall(text.lower())) if i is not None)
        idx = np.asarray(ids, dtype=np.int64)
        at = np.asarray(starts)
        w = self.sif[idx, None]
        summed_v = np.add.reduceat(self.centred[idx] * w, at, axis=0)
        norm = np.linalg.norm(summed_v, axis=1, keepdims=True)
        summed = summed_v if table is self.centred else np.add.reduceat(table[idx] * w, at, axis=0)
        return summed / np.where(norm > 0, norm, 1.0)


_default_vectors = shared(lambda: WordVectors.load(WORDVECS_PATH))


def save(path: Path, words: list[str], vectors: np.ndarray, sif: np.ndarray, meta: bytes = b"") -> None:
    """int8 per-row quantisation: a word's vector is `q * qscale` (cosine error < 1e-3)."""
    vectors = np.asarray(vectors, dtype=np.float32)
    qscale = np.abs(vectors).max(axis=1) / 127.0
    qscale[qscale == 0] = 1.0
    q = np.round(vectors / qscale[:, None]).astype(np.int8)
    np.savez_compressed(
        path, q=q, qscale=qscale.astype(np.float32), sif=np.asarray(sif, np.float16),
        words=np.frombuffer("\n".join(words).encode("utf-8"), dtype=np.uint8),
        meta=np.frombuffer(meta, dtype=np.uint8),
    )
