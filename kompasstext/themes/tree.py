"""The merge tree behind themes: a cut that gives a fixed number of themes, and the themes' hierarchy.

Themes are the recurring clusters of an average-linkage tree cut at one similarity.  The same tree,
read at another height, gives coarser or finer themes:

* :func:`cut_for_n_themes` finds the cut at which the tree has ``n`` recurring clusters (spanning at
  least ``min_groups`` municipalities) — ``ThemeModel(n_themes=n)``;
* :func:`theme_hierarchy` agglomerates the fitted themes themselves (average linkage over their
  members' similarities) into a merge table ``child, parent, distance`` — ``ThemeModel.hierarchy_`` —
  so broader themes can be read off without refitting.

>>> import numpy as np
>>> S = np.array([[1, .9, .2, .1], [.9, 1, .1, .2], [.2, .1, 1, .8], [.1, .2, .8, 1.]])
>>> groups = np.array(["A", "B", "A", "B"])
>>> round(cut_for_n_themes(S, groups, 2), 3), round(cut_for_n_themes(S, groups, 1), 3)
(0.475, 0.85)
>>> theme_hierarchy(np.array([[1, .3], [.3, 1.]]), [0, 1]).to_dict("records")[0]
{'child': 0, 'parent': 2, 'distance': 0.7, 'similarity': 0.3}
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd


def _linkage(S: np.ndarray) -> tuple[np.ndarray, float]:
    from scipy.cluster.hierarchy import linkage
    from scipy.spatial.distance import squareform

    top = float(S.max())
    D = np.clip(top - S, 0.0, None)
    D = (D + D.T) / 2
    np.fill_diagonal(D, 0.0)
    return linkage(squareform(D, checks=False), method="average"), top


def _n_recurring(labels: np.ndarray, groups: np.ndarray, min_groups: int) -> int:
    df = pd.DataFrame({"c": labels, "g": groups})
    return int((df.groupby("c")["g"].nunique() >= min_groups).sum())


def cut_for_n_themes(S: np.ndarray, groups: np.ndarray, n_themes: int, min_groups: int = 2) -> float:
    """The similarity cut whose average-linkage tree of ``S`` has the number of recurring clusters
    closest to ``n_themes`` (ties: the finer cut, i.e. the higher similarity).  Cut halfway between
    merge heights, so the result does not sit on a tie."""
    from scipy.cluster.hierarchy import fcluster

    n = len(S)
    if n < 2:
        return float(S.max()) if n else 0.0
    Z, top = _linkage(S)
    heights = np.unique(Z[:, 2])
    # candidate cuts: just below the first merge, between consecutive merge heights, above the last
    cands = np.concatenate([[heights[0] / 2], (heights[:-1] + heights[1:]) / 2, [heights[-1] + 1e-6]])
    best, best_key = cands[0], None
    for h in cands:
        k = _n_recurring(fcluster(Z, t=h, criterion="distance"), groups, min_groups)
        key = (abs(k - n_themes), h)
        if best_key is None or key < best_key:
            best, best_key = h, key
    return float(top - best)


def theme_hierarchy(M: np.ndarray, theme_ids: Sequence[int]) -> pd.DataFrame:
    """The merge table of the themes whose mean member-to-member similarities are ``M`` (themes x themes):
    one row per child (a theme or a merged node), its ``parent`` node, the merge ``distance`` (top
    similarity minus the similarity at which they merge) and that ``similarity``.  Merged nodes are
    numbered after the largest theme id, in merge order, as in :func:`scipy.cluster.hierarchy.linkage`."""
    ids = [int(t) for t in theme_ids]
    cols = ["child", "parent", "distance", "similarity"]
    if len(ids) < 2:
        return pd.DataFrame(columns=cols)
    Z, top = _linkage(np.asarray(M, dtype=float))
    node = list(ids)
    nxt = max(ids) + 1
    rows = []
    for a, b, h, _ in Z:
        parent = nxt
        for c in (int(a), int(b)):
            rows.append((node[c], parent, round(float(h), 6), round(float(top - h), 6)))
        node.append(parent)
        nxt += 1
    return pd.DataFrame(rows, columns=cols)
