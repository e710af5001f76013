"""Similarity of findings and the clustering rule behind themes.

Three views of a finding are combined into one cosine similarity:

* ``E``: the sentence embedding of its core text (directive stripped), mean-centred over the corpus
  and re-normalised (e5 embeddings crowd in a narrow cone; centring spreads them);
* ``T``: TF-IDF over its lemmas with compound heads (lexical overlap: "chefskontrakt" ~ "resultatkontrakt");
* ``A``: the embedding of its area title (the framework area it was written under), a context prior.

``S = w_text * E·E' + w_lex * T·T' + w_area * A·A'``.

Themes come from average-linkage agglomerative clustering of ``1 - S`` cut at a data-driven
threshold: the ``cut_quantile`` quantile of each finding's best similarity to a finding of another
municipality (so the cut follows the corpus' own scale of "this recurs elsewhere").  Clusters that
span at least two municipalities are the recurring themes; every finding is then assigned by one rule
(:func:`assign`): to the theme whose members it is most similar to on average, if that mean similarity
reaches ``assign_threshold`` (the ``assign_quantile`` quantile of the same distribution), else to none.

>>> import numpy as np
>>> S = np.array([[1, .9, .1], [.9, 1, .1], [.1, .1, 1.]])
>>> agglomerate(S, threshold=0.5).tolist()
[0, 0, 1]
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
from sklearn.cluster import AgglomerativeClustering
from sklearn.feature_extraction.text import TfidfVectorizer


def normalize_rows(X: np.ndarray) -> np.ndarray:
    X = np.asarray(X, dtype=np.float32)
    return X / np.clip(np.linalg.norm(X, axis=1, keepdims=True), 1e-12, None)


@dataclass
class Features:
    """The three views of a set of findings (rows L2-normalised)."""

    text: np.ndarray
    lex: np.ndarray
    area: np.ndarray

    def take(self, idx: Sequence[int] | np.ndarray) -> Features:
        idx = np.asarray(idx, dtype=int)
        return Features(self.text[idx], self.lex[idx], self.area[idx])

    @staticmethod
    def concat(parts: Sequence[Features]) -> Features:
        return Features(*(np.concatenate([getattr(p, f) for p in parts]) for f in ("text", "lex", "area")))


@dataclass
class Space:
    """What turns raw embeddings and tokens into :class:`Features`: fitted on the corpus, stored with the model."""

    text_mean: np.ndarray
    area_mean: np.ndarray
    vocabulary: dict[str, int]
    idf: np.ndarray

    @classmethod
    def fit(cls, text_emb: np.ndarray, area_emb: np.ndarray, tokens: Sequence[Sequence[str]]) -> Space:
        vec = TfidfVectorizer(analyzer=_identity, sublinear_tf=True).fit(tokens)
        vocab = {t: int(i) for t, i in sorted(vec.vocabulary_.items())}
        return cls(text_emb.mean(0).astype(np.float32), area_emb.mean(0).astype(np.float32), vocab,
                   vec.idf_.astype(np.float32))

    def transform(self, text_emb: np.ndarray, area_emb: np.ndarray, tokens: Sequence[Sequence[str]]) -> Features:
        lex = np.zeros((len(tokens), len(self.vocabulary)), np.float32)
        for r, toks in enumerate(tokens):
            for t in toks:
                j = self.vocabulary.get(t)
                if j is not None:
                    lex[r, j] += 1.0
        np.log1p(lex, out=lex, where=lex > 0)  # sublinear tf: 1 + log(tf) == log1p-ish, monotone
        lex *= self.idf
        return Features(normalize_rows(text_emb - self.text_mean), normalize_rows(lex),
                        normalize_rows(area_emb - self.area_mean))


def _identity(tokens):
    return tokens


def similarity(a: Features, b: Features, weights: tuple[float, float, float]) -> np.ndarray:
    """The combined similarity matrix between the rows of ``a`` and ``b``."""
    w_text, w_lex, w_area = weights
    return (w_text * (a.text @ b.text.T) + w_lex * (a.lex @ b.lex.T) + w_area * (a.area @ b.area.T)).astype(np.float64)


def best_cross_similarity(S: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Each row's highest similarity to a column of another group (-inf where there is none)."""
    S2 = np.where(groups[:, None] == groups[None, :], -np.inf, S)
    return S2.max(1)


def agglomerate(S: np.ndarray, threshold: float) -> np.ndarray:
    """Average-linkage clusters of the similarity matrix ``S`` cut at similarity ``threshold``."""
    n = len(S)
    if n < 2:
        return np.zeros(n, int)
    top = float(S.max())
    D = np.clip(top - S, 0.0, None)
    np.fill_diagonal(D, 0.0)
    model = AgglomerativeClustering(n_clusters=None, distance_threshold=max(top - threshold, 1e-9),
                                    metric="precomputed", linkage="average")
    return model.fit_predict(D)


def recurring(labels: np.ndarray, groups: np.ndarray, min_groups: int = 2) -> np.ndarray:
    """``labels`` with clusters spanning fewer than ``min_groups`` groups (municipalities) set to -1."""
    out = labels.copy()
    for c in np.unique(labels):
        if c < 0:
            continue
        m = labels == c
        if len(np.unique(groups[m])) < min_groups:
            out[m] = -1
    return out


def assign(S_to_members: np.ndarray, member_theme: np.ndarray, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """The assignment rule shared by ``fit`` and ``predict``.

    ``S_to_members``: similarity of each finding (rows) to each theme member (columns);
    ``member_theme``: the theme id of each member.  A finding goes to the theme with the highest mean
    similarity to its members (ties: lowest id) when that reaches ``threshold``; else -1.
    Returns ``(labels, score)`` with ``score`` the winning mean similarity.
    """
    n = S_to_members.shape[0]
    ids = np.unique(member_theme)
    if len(ids) == 0:
        return np.full(n, -1, int), np.full(n, -np.inf)
    M = np.stack([S_to_members[:, member_theme == t].mean(1) for t in ids], 1)
    k = M.argmax(1)
    score = M[np.arange(n), k]
    labels = np.where(score >= threshold, ids[k], -1)
    return labels.astype(int), score


# ------------------------------------------------------------------ scale (no n x n matrix)
def stacked(F: Features, weights: tuple[float, float, float]) -> np.ndarray:
    """One float64 row per finding whose dot products are :func:`similarity`:
    ``[sqrt(w_text) * text, sqrt(w_lex) * lex, sqrt(w_area) * area]``."""
    w = np.sqrt(np.clip(np.asarray(weights, dtype=np.float64), 0.0, None))
    return np.hstack([w[0] * F.text.astype(np.float64), w[1] * F.lex.astype(np.float64),
                      w[2] * F.area.astype(np.float64)])


def best_cross_similarity_blocks(X: np.ndarray, groups: np.ndarray, rows: np.ndarray | None = None,
                                 block: int = 1024) -> np.ndarray:
    """:func:`best_cross_similarity` of ``X @ X.T`` for ``rows`` (default all), a block of rows at a time."""
    rows = np.arange(len(X)) if rows is None else np.asarray(rows, dtype=int)
    out = np.full(len(rows), -np.inf)
    for s in range(0, len(rows), block):
        r = rows[s:s + block]
        S = X[r] @ X.T
        S[groups[r][:, None] == groups[None, :]] = -np.inf
        out[s:s + block] = S.max(1)
    return out


def micro_clusters(X: np.ndarray, n_micro: int, seed: int = 0) -> np.ndarray:
    """Atom id of each row: each row its own atom when ``len(X) <= n_micro``, else mini-batch k-means
    into ``n_micro`` micro-clusters (deterministic for a given row order)."""
    n = len(X)
    if n <= n_micro:
        return np.arange(n)
    from sklearn.cluster import MiniBatchKMeans

    # k-means on a seeded Gaussian random projection (distances kept up to ~10 %, Johnson-Lindenstrauss);
    # the atoms' means are then taken in the full space
    rng = np.random.default_rng(seed)
    R = rng.standard_normal((X.shape[1], min(128, X.shape[1]))).astype(np.float32) / np.sqrt(min(128, X.shape[1]))
    km = MiniBatchKMeans(n_clusters=n_micro, random_state=seed, n_init=1, max_iter=10,
                         batch_size=max(4096, 3 * n_micro))
    atoms = km.fit_predict(X.astype(np.float32) @ R)
    _, atoms = np.unique(atoms, return_inverse=True)  # drop empty micro-clusters
    return atoms


def agglomerate_large(X: np.ndarray, threshold: float, n_micro: int) -> np.ndarray:
    """Average-linkage clusters of ``X @ X.T`` cut at ``threshold`` without an n x n matrix: the rows
    are grouped into at most ``n_micro`` micro-clusters whose mean vectors are agglomerated (for a
    bilinear similarity, the mean similarity between two groups is the dot product of their means).
    With ``len(X) <= n_micro`` every row is its own atom and the result is :func:`agglomerate`'s."""
    atoms = micro_clusters(X, n_micro)
    k = int(atoms.max()) + 1 if len(atoms) else 0
    if k == len(X):
        M = X[np.argsort(atoms, kind="stable")]
    else:
        M = np.zeros((k, X.shape[1]))
        np.add.at(M, atoms, X)
        M /= np.bincount(atoms, minlength=k)[:, None]
    return agglomerate(M @ M.T, threshold)[atoms]


def theme_centroids(P: np.ndarray, member_theme: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(ids, centroids)``: the mean stacked vector of each theme's prototypes."""
    ids = np.unique(member_theme)
    return ids, np.stack([P[member_theme == t].mean(0) for t in ids]) if len(ids) else np.zeros((0, P.shape[1]))


def assign_centroids(X: np.ndarray, ids: np.ndarray, centroids: np.ndarray, threshold: float,
                     block: int = 65536) -> tuple[np.ndarray, np.ndarray]:
    """:func:`assign` through theme centroids (same result: a finding's mean similarity to a theme's
    members is its dot product with their mean), in blocks of rows: O(n * themes) memory."""
    n = len(X)
    if len(ids) == 0:
        return np.full(n, -1, int), np.full(n, -np.inf)
    labels = np.empty(n, int)
    score = np.empty(n)
    for s in range(0, n, block):
        M = X[s:s + block] @ centroids.T
        k = M.argmax(1)
        score[s:s + block] = M[np.arange(len(k)), k]
        labels[s:s + block] = ids[k]
    return np.where(score >= threshold, labels, -1).astype(int), score
