"""Granularity control: ThemeModel(n_themes=...) and the themes' merge tree (hierarchy_)."""
from __future__ import annotations

import numpy as np
import pytest

from kompasstext.themes import ThemeModel
from kompasstext.themes.tree import cut_for_n_themes, theme_hierarchy


def test_cut_for_n_themes_counts_recurring_clusters_only():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 8))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    S = X @ X.T
    groups = np.array(list("ABC") * 10)
    from kompasstext.themes.cluster import agglomerate, recurring

    for n in (2, 4, 6):
        cut = cut_for_n_themes(S, groups, n)
        labels = recurring(agglomerate(S, cut), groups)
        assert len(set(labels[labels >= 0].tolist())) == n


def test_hierarchy_table_shape():
    M = np.array([[1.0, 0.6, 0.1], [0.6, 1.0, 0.2], [0.1, 0.2, 1.0]])
    h = theme_hierarchy(M, [3, 5, 9])
    assert list(h.columns) == ["child", "parent", "distance", "similarity"]
    assert len(h) == 2 * (3 - 1) and set(h["child"]) >= {3, 5, 9}
    assert h["parent"].min() == 10 and h["distance"].is_monotonic_increasing
    assert h.iloc[0][["child", "parent"]].tolist() == [3, 10]  # the closest pair merges first


def test_n_themes_is_validated():
    with pytest.raises(ValueError, match="n_themes"):
        ThemeModel(n_themes=0).fit(__import__("pandas").DataFrame({"text": ["a"], "municipality": ["X"]}))


@pytest.mark.slow
def test_n_themes_and_hierarchy_on_the_corpus(corpus, tmp_path):
    lf = corpus.linked_findings
    for n in (15, 30):
        model = ThemeModel(n_themes=n).fit(lf)
        assert len(model.themes_) == n
    h = model.hierarchy_
    assert set(model.themes_["theme_id"]) <= set(h["child"])
    assert len(h) == 2 * (len(model.themes_) - 1)
    root = h["parent"].max()
    assert root not in set(h["child"]) and (h["similarity"] <= 1.0 + 1e-9).all()
    back = ThemeModel.load(model.save(tmp_path / "m"), embedder=model.embedder)
    assert back.get_params()["n_themes"] == 30
