"""A fast **stand-in** embedder for scale benchmarks only: NOT multilingual-e5, never for evaluation.

``HashingEmbedder().encode(texts)`` gives deterministic, L2-normalised float32 vectors of dimension 384
(the e5-small width) from the texts' character 3–5-grams (within words) and words, feature-hashed into
2^15 buckets and projected by a fixed seeded Gaussian matrix.  Texts sharing wording get similar vectors,
and a fixed common component (``offset``) puts most pairs of findings at cosine ~0.8–0.9, as e5's
vectors do (on the bundled findings: median 0.85, 1st–99th percentile 0.80–0.90 for e5; 0.85 and
0.81–0.89 here; correlation of the two ~0.35), so themes, links and examples have neighbourhoods to
work on, at ~5,000 texts/s (2 cores) instead of e5's
~10^2 — which lets ``benchmarks/run.py --distinct`` time the N = 3,000 distinct-wording pipeline
(~1M distinct texts) in minutes.  Its timings exclude embedding, as for the real model; what the
pipeline finds with these vectors (themes, links, examples) says nothing about quality.

It has the part of :class:`kompasstext.embedding.Embedder`'s interface the pipeline uses (``encode``,
``stats_``, ``last_n_computed_``, ``dim``, ``prompt``).  Nothing is kept between calls (``memo=True``
keeps every vector in memory, which would add ~1.5 GB to the peak at N = 3,000; the real Embedder keeps
them on disk): each call computes its texts again, and that time counts as embedding.  The projection
matrix is 2^15 x 384 float32 = 50 MB of the stage's peak memory.
"""
from __future__ import annotations

import numpy as np

DIM = 384
MODEL_ID = "standin:hashing-char3-5+word-2^15-gauss384"


class HashingEmbedder:
    """Feature hashing + a fixed random projection (see the module doc)."""

    def __init__(self, dim: int = DIM, n_features: int = 2 ** 15, seed: int = 0, prompt: str = "query: ",
                 memo: bool = False, offset: float = 2.2):
        from sklearn.feature_extraction.text import HashingVectorizer

        self.dim, self.prompt, self.model_id = dim, prompt, MODEL_ID
        self.cache_model_id = MODEL_ID
        self.backend_ = "standin"
        kw = dict(n_features=n_features, alternate_sign=False, norm="l2", lowercase=True, dtype=np.float32)
        self._chars = HashingVectorizer(analyzer="char_wb", ngram_range=(3, 5), **kw)
        self._words = HashingVectorizer(analyzer="word", **kw)
        rng = np.random.default_rng(seed)
        self._proj = (rng.standard_normal((n_features, dim), dtype=np.float32) / np.sqrt(dim)).astype(np.float32)
        self._common = rng.standard_normal(dim).astype(np.float32)
        self._common *= offset / np.linalg.norm(self._common)
        self._memo: dict[str, np.ndarray] | None = {} if memo else None
        self.stats_ = {"texts": 0, "unique": 0, "cached": 0, "computed": 0, "corrupt": 0}
        self.last_n_computed_ = 0

    def _compute(self, texts: list[str]) -> np.ndarray:
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for s in range(0, len(texts), 20000):
            chunk = texts[s:s + 20000]
            X = self._chars.transform(chunk) + 0.5 * self._words.transform(chunk)
            V = np.asarray(X @ self._proj, dtype=np.float32)
            V /= np.clip(np.linalg.norm(V, axis=1, keepdims=True), 1e-12, None)
            V += self._common  # e5's anisotropy: unrelated texts at cosine ~0.85, not ~0.1
            V /= np.linalg.norm(V, axis=1, keepdims=True)
            out[s:s + len(chunk)] = V
        return out

    def encode(self, texts) -> np.ndarray:
        texts = [texts] if isinstance(texts, str) else list(texts)
        unique = list(dict.fromkeys(texts))
        memo = self._memo
        todo = unique if memo is None else [t for t in unique if t not in memo]
        vecs = self._compute(todo) if todo else np.zeros((0, self.dim), np.float32)
        self.stats_ = {"texts": len(texts), "unique": len(unique), "cached": len(unique) - len(todo),
                       "computed": len(todo), "corrupt": 0}
        self.last_n_computed_ = len(todo)
        if memo is None:
            row = {t: i for i, t in enumerate(unique)}
            return np.ascontiguousarray(vecs[[row[t] for t in texts]])
        memo.update(zip(todo, vecs))
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([memo[t] for t in texts])
