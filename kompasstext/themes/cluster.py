"""The clustering rule behind themes.

Up to four views of a finding (:mod:`.features`) are combined into one cosine similarity
(:func:`~.scale.similarity`):

* ``E``: the sentence embedding of its core text (directive stripped), mean-centred over the corpus,
  with the corpus' few dominant common directions removed ("all-but-the-top", Mu & Viswanath 2018:
  about ``dim / 100`` principal components, which carry style shared by all findings rather than
  topic) and re-normalised;
* ``T``: TF-IDF over character 3-5-grams of its lemmas, sparse (lexical overlap that survives Swedish
  compounding and derivation: "chefskontrakt" ~ "resultatkontrakt", "populärversion" ~ "popularisera");
* ``A``: the embedding of its area title (the framework area it was written under), a context prior;
* ``K``: when the findings are linked to sub-questions (:mod:`kompasstext.links`), the distribution
  over the linked cross-revision concepts (link confidence of the best and the runner-up
  sub-question); it is a finer version of the same context, so it replaces ``A``.

``S = w_text * E·E' + w_lex * T·T' + w_area * A·A' + w_concept * K·K'``.

Themes come from average-linkage agglomerative clustering of ``1 - S`` cut at a data-driven
threshold: the ``cut_quantile`` quantile of each finding's best similarity to a finding of another
municipality (so the cut follows the corpus' own scale of "this recurs elsewhere").  Clusters that
span at least two municipalities are the recurring themes; every finding is then assigned by one rule
(:func:`assign`): to the theme whose members it is most similar to on average, if that mean similarity
reaches the model's threshold, else to none.  At large n the same rule runs without an n x n matrix
(:mod:`.scale`).

>>> import numpy as np
>>> S = np.array([[1, .9, .1], [.9, 1, .1], [.1, .1, 1.]])
>>> agglomerate(S, threshold=0.5).tolist()
[0, 0, 1]
"""
from __future__ import annotations

import numpy as np
from sklearn.cluster import AgglomerativeClustering

from .features import Features, Space, char_ngrams, normalize_rows, top_components, weights4  # noqa: F401
from .scale import (Stacked, agglomerate_large, assign_centroids, best_cross_similarity_blocks,  # noqa: F401
                    micro_clusters, similarity, theme_centroids)


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
