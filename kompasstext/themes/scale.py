"""Similarity without an n x n matrix: findings as weighted blocks of views, products a block at a time.

A :class:`Stacked` holds each view of :class:`~.features.Features` once (the dense views and the sparse
lexical view, no copies) with the square root of its weight, so that ``X.dot(Y)`` is the combined
similarity of :func:`similarity`.  Because the similarity is bilinear, the mean similarity of a finding
to a group is its product with the group's mean (:meth:`Stacked.means`): micro-cluster agglomeration and
centroid assignment rely on that.

>>> import numpy as np
>>> from scipy import sparse
>>> from kompasstext.themes.features import Features
>>> F = Features(np.eye(2, dtype=np.float32), sparse.csr_matrix(np.eye(2, dtype=np.float32)), np.zeros((2, 0)))
>>> Stacked.of(F, (0.7, 0.3, 0.1, 0.0)).dot(Stacked.of(F, (0.7, 0.3, 0.1, 0.0))).round(3).tolist()
[[1.0, 0.0], [0.0, 1.0]]
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
from scipy import sparse

from .features import Features, weights4

#: a view: a dense array or a CSR matrix (rows = findings)
Matrix = "np.ndarray | sparse.csr_matrix"  # a string: used in annotations only


@dataclass
class Stacked:
    """Views ``blocks`` (dense arrays or CSR matrices, same rows) with weights ``scale`` (sqrt of the
    view weights): ``X.dot(Y) = sum_k scale_k**2 * X_k @ Y_k.T``."""

    blocks: list
    scale: list[float]
    _t: dict = field(default_factory=dict, repr=False, compare=False)  # sparse blocks transposed (CSR), cached

    @classmethod
    def of(cls, F: Features, weights: Sequence[float]) -> Stacked:
        w = np.sqrt(np.clip(np.asarray(weights4(weights), dtype=np.float64), 0.0, None))
        views = [(F.text, w[0]), (F.lex, w[1]), (F.area, w[2]), (F.concept, w[3])]
        keep = [(v, float(s)) for v, s in views if v.shape[1] and s > 0]
        return cls([v for v, _ in keep], [s for _, s in keep])

    def __len__(self) -> int:
        return self.blocks[0].shape[0] if self.blocks else 0

    def take(self, idx: np.ndarray) -> Stacked:
        return Stacked([b[idx] for b in self.blocks], list(self.scale))

    def dot(self, other: Stacked) -> np.ndarray:
        """The similarity matrix between the rows of ``self`` and ``other`` (float64)."""
        out = np.zeros((len(self), len(other)))
        for k, (a, b, sa, sb) in enumerate(zip(self.blocks, other.blocks, self.scale, other.scale)):
            if sparse.issparse(b):
                if k not in other._t:  # transposing a CSR matrix gives CSC: convert once, not per product
                    other._t[k] = b.T.tocsr()
                p = (a @ other._t[k]).toarray()
            else:
                p = a @ b.T
            out += (sa * sb) * p
        return out

    def means(self, groups: np.ndarray, k: int) -> Stacked:
        """The mean row of each group ``0..k-1`` (groups given per row)."""
        counts = np.bincount(groups, minlength=k).astype(np.float64)
        G = sparse.csr_matrix(((1.0 / counts[groups]).astype(np.float32), (groups, np.arange(len(groups)))),
                              shape=(k, len(groups)))
        return Stacked([_dense_or_csr(G @ b) for b in self.blocks], list(self.scale))

    def project(self, dim: int, seed: int = 0) -> np.ndarray:
        """A seeded Gaussian random projection of the (weighted) rows to ``dim`` columns (float32)."""
        rng = np.random.default_rng(seed)
        width = sum(b.shape[1] for b in self.blocks)
        d = min(dim, width)
        out = np.zeros((len(self), d), np.float32)
        for b, s in zip(self.blocks, self.scale):
            R = (rng.standard_normal((b.shape[1], d)) * (s / np.sqrt(d))).astype(np.float32)
            p = b @ R
            out += np.asarray(p, dtype=np.float32)
        return out


def _dense_or_csr(M: Matrix) -> Matrix:
    return M.tocsr() if sparse.issparse(M) else np.asarray(M, dtype=np.float32)


def similarity(a: Features, b: Features, weights: Sequence[float]) -> np.ndarray:
    """The combined similarity matrix between the rows of ``a`` and ``b``:
    ``w_text * text + w_lex * lex + w_area * area + w_concept * concept`` (cosines; float64)."""
    return Stacked.of(a, weights).dot(Stacked.of(b, weights))


def best_cross_similarity_blocks(X: Stacked, groups: np.ndarray, rows: np.ndarray | None = None,
                                 block: int | None = None) -> np.ndarray:
    """Each of ``rows``' (default all) highest similarity to a row of another group (-inf where there is
    none), a block of rows at a time (default: ~20M similarities per block, ~160 MB)."""
    rows = np.arange(len(X)) if rows is None else np.asarray(rows, dtype=int)
    block = block or max(16, min(1024, 20_000_000 // max(len(X), 1)))
    out = np.full(len(rows), -np.inf)
    for s in range(0, len(rows), block):
        r = rows[s:s + block]
        S = X.take(r).dot(X)
        S[groups[r][:, None] == groups[None, :]] = -np.inf
        out[s:s + block] = S.max(1)
    return out


def micro_clusters(X: Stacked, n_micro: int, seed: int = 0) -> np.ndarray:
    """Atom id of each row: each row its own atom when ``len(X) <= n_micro``, else mini-batch k-means
    into ``n_micro`` micro-clusters (deterministic for a given row order)."""
    n = len(X)
    if n <= n_micro:
        return np.arange(n)
    from sklearn.cluster import MiniBatchKMeans

    # k-means on a seeded Gaussian random projection (distances kept up to ~10 %, Johnson-Lindenstrauss);
    # the atoms' means are then taken in the full space.  Random initial centres: k-means++ costs
    # n_micro passes over the initial sample (most of the time at n_micro = 2,000) and buys nothing for
    # atoms that are only averaged and agglomerated afterwards.
    km = MiniBatchKMeans(n_clusters=n_micro, random_state=seed, n_init=1, max_iter=10, init="random",
                         batch_size=max(4096, 3 * n_micro))
    atoms = km.fit_predict(X.project(128, seed))
    _, atoms = np.unique(atoms, return_inverse=True)  # drop empty micro-clusters
    return atoms


def agglomerate_large(X: Stacked, threshold: float, n_micro: int) -> np.ndarray:
    """Average-linkage clusters of ``X.dot(X)`` cut at ``threshold`` without an n x n matrix: the rows
    are grouped into at most ``n_micro`` micro-clusters whose means are agglomerated (for a bilinear
    similarity, the mean similarity between two groups is the product of their means).  With
    ``len(X) <= n_micro`` every row is its own atom and the result is :func:`~.cluster.agglomerate`'s."""
    from .cluster import agglomerate

    atoms = micro_clusters(X, n_micro)
    k = int(atoms.max()) + 1 if len(atoms) else 0
    M = X.take(np.argsort(atoms, kind="stable")) if k == len(X) else X.means(atoms, k)
    return agglomerate(M.dot(M), threshold)[atoms]


def theme_centroids(P: Stacked, member_theme: np.ndarray) -> tuple[np.ndarray, Stacked]:
    """``(ids, centroids)``: the mean of each theme's prototypes."""
    ids, inv = np.unique(member_theme, return_inverse=True)
    return ids, P.means(inv, len(ids))


def assign_centroids(X: Stacked, ids: np.ndarray, centroids: Stacked, threshold: float,
                     block: int = 4096) -> tuple[np.ndarray, np.ndarray]:
    """Each row to the theme whose members it resembles most on average (its product with the theme's
    centroid; ties: lowest id), or -1 below ``threshold``; ``(labels, score)``.  O(block x themes) memory."""
    n = len(X)
    if len(ids) == 0:
        return np.full(n, -1, int), np.full(n, -np.inf)
    labels = np.empty(n, int)
    score = np.empty(n)
    for s in range(0, n, block):
        M = X.take(np.arange(s, min(s + block, n))).dot(centroids)
        k = M.argmax(1)
        score[s:s + block] = M[np.arange(len(k)), k]
        labels[s:s + block] = ids[k]
    return np.where(score >= threshold, labels, -1).astype(int), score
