"""What a topic-model user expects after ``fit`` (BERTopic-style), as tables and matplotlib figures.

Every function takes a fitted :class:`~kompasstext.themes.ThemeModel`; the figures are returned (not
shown), so a notebook displays them and a script saves them (``fig.savefig("map.png")``).  matplotlib
is imported only here, when a figure is asked for (``pip install matplotlib`` or the ``notebook`` extra).

* :func:`keyphrase_weights` / :func:`barchart`: each theme's c-TF-IDF keyphrases with their weights;
* :func:`theme_similarity` / :func:`theme_map`: theme centroids compared by the model's own similarity,
  and a 2-D classical-MDS map of them (deterministic: no random layout);
* :func:`hierarchy`: an average-linkage dendrogram of the themes (``scipy.cluster.hierarchy``);
* :func:`themes_over_time` / :func:`over_time`: findings per theme and year or framework revision;
* :func:`reduce_outliers`: the best theme of every unthemed finding, as BERTopic's ``reduce_outliers``.

>>> import numpy as np
>>> xy = classical_mds(np.array([[1.0, 0.2, 0.1], [0.2, 1.0, 0.9], [0.1, 0.9, 1.0]]))
>>> xy.shape, bool(np.linalg.norm(xy[1] - xy[2]) < np.linalg.norm(xy[0] - xy[1]))
((3, 2), True)
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_is_fitted

from . import cluster as C
from .ctfidf import ctfidf
from .text import lemma_tokens


# ------------------------------------------------------------------------------------------ tables
def keyphrase_weights(model: Any) -> pd.DataFrame:
    """One row per (theme, keyphrase) of ``themes_["keyphrases"]``, with its c-TF-IDF weight and rank."""
    check_is_fitted(model)
    fr = model.findings_
    docs = {int(t): [lemma_tokens(c) for c in g["core"]] for t, g in fr[fr["theme"] >= 0].groupby("theme")}
    for t in model.theme_ids_:  # a theme without findings is described by its prototypes (as themes_)
        if int(t) not in docs:
            docs[int(t)] = [lemma_tokens(p) for p, pt in zip(model.prototype_text_, model.prototype_theme_)
                            if int(pt) == int(t)]
    weights = ctfidf(docs)
    rows = []
    for r in model.themes_.itertuples():
        w = weights.get(int(r.theme_id), {})
        for rank, phrase in enumerate(r.keyphrases):
            # a keyphrase is a c-TF-IDF term, or the surface form of one (then: the term of its lemmas)
            weight = w.get(phrase)
            if weight is None:
                weight = w.get(" ".join(lemma_tokens(phrase, heads=False)), 0.0)
            rows.append((int(r.theme_id), r.label, rank, phrase, float(weight)))
    return pd.DataFrame(rows, columns=["theme_id", "label", "rank", "keyphrase", "weight"])


def theme_similarity(model: Any) -> pd.DataFrame:
    """Theme × theme similarity of the theme centroids (the mean of each theme's prototypes, compared by the
    model's combined similarity: what assignment uses)."""
    check_is_fitted(model)
    ids, cent = C.theme_centroids(C.Stacked.of(model.prototypes_, model.weights), model.prototype_theme_)
    S = cent.dot(cent) if len(ids) else np.zeros((0, 0))
    return pd.DataFrame(S, index=pd.Index(ids.astype(int), name="theme_id"), columns=ids.astype(int))


def classical_mds(S: np.ndarray, dim: int = 2) -> np.ndarray:
    """Classical (Torgerson) MDS of a similarity matrix: coordinates whose distances follow ``1 - S``."""
    n = len(S)
    if n == 0:
        return np.zeros((0, dim))
    D2 = np.clip(1.0 - (S + S.T) / 2, 0.0, None) ** 2
    J = np.eye(n) - 1.0 / n
    B = -0.5 * J @ D2 @ J
    vals, vecs = np.linalg.eigh(B)
    top = np.argsort(-vals)[:dim]
    X = vecs[:, top] * np.sqrt(np.clip(vals[top], 0.0, None))
    signs = np.sign(X[np.abs(X).argmax(0), range(X.shape[1])])  # deterministic orientation
    X = X * np.where(signs == 0, 1.0, signs)
    return np.pad(X, ((0, 0), (0, dim - X.shape[1]))) if X.shape[1] < dim else X


def themes_over_time(model: Any, by: str = "year") -> pd.DataFrame:
    """Findings per theme and ``by`` (``"year"`` or ``"framework"``): counts, strengths, improvements,
    municipalities and the share of that year's (revision's) findings; unthemed findings as theme -1."""
    check_is_fitted(model)
    if by not in ("year", "framework"):
        raise ValueError(f"by must be 'year' or 'framework', not {by!r}")
    fr = model.transform_frame()
    if by not in fr.columns:
        raise ValueError(f"the fitted findings have no {by!r} column")
    fr = fr.assign(_s=(fr["kind"] == "strength").astype(int), _i=(fr["kind"] == "improvement").astype(int))
    g = fr.groupby([by, "theme"], sort=True)
    out = g.agg(n_findings=("text", "size"), n_strengths=("_s", "sum"), n_improvements=("_i", "sum"),
                n_municipalities=("municipality", "nunique")).reset_index()
    totals = fr.groupby(by)["text"].size()
    out["share"] = (out["n_findings"] / out[by].map(totals)).round(4)
    labels = dict(zip(model.themes_["theme_id"], model.themes_["label"]))
    out.insert(2, "label", [labels.get(t) for t in out["theme"]])
    return out.rename(columns={"theme": "theme_id"})


def reduce_outliers(model: Any, threshold: float | None = None) -> pd.DataFrame:
    """The fitted findings with ``new_theme``: each unthemed finding's best theme when its similarity to it
    reaches ``threshold`` (default: any, as BERTopic's ``reduce_outliers``); themed findings keep theme.
    The model itself is not changed (``model.findings_`` keeps the fence's decision)."""
    check_is_fitted(model)
    fr = model.transform_frame()
    if len(model.prototype_theme_) == 0:
        return fr.assign(new_theme=fr["theme"], new_score=fr["score"])
    ids, cent = C.theme_centroids(C.Stacked.of(model.prototypes_, model.weights), model.prototype_theme_)
    best, score = C.assign_centroids(C.Stacked.of(model._features, model.weights), ids, cent,
                                     -np.inf if threshold is None else float(threshold))
    new = np.where(fr["theme"].to_numpy() >= 0, fr["theme"].to_numpy(), best)
    return fr.assign(new_theme=new.astype(int), new_score=score)


# ----------------------------------------------------------------------------------------- figures
def _plt():
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("the theme plots need matplotlib: pip install matplotlib "
                          "(or pip install -e '.[notebook]')") from exc
    return plt


def _largest(model: Any, top: int) -> pd.DataFrame:
    t = model.themes_.sort_values(["n_municipalities", "n_findings", "theme_id"], ascending=[False, False, True])
    return t.head(top)


def _short(text: Any, n: int = 32) -> str:
    s = str(text or "")
    return s if len(s) <= n else s[: n - 1] + "…"


def barchart(model: Any, top_n_themes: int = 8, n_words: int = 5, ncols: int = 4):
    """Small multiples: the ``n_words`` keyphrases of the largest ``top_n_themes`` themes by c-TF-IDF weight."""
    plt = _plt()
    kw = keyphrase_weights(model)
    themes = _largest(model, top_n_themes)
    n = max(len(themes), 1)
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.2 * ncols, 2.2 * nrows), squeeze=False)
    for ax, t in zip(axes.flat, themes.itertuples()):
        rows = kw[(kw["theme_id"] == t.theme_id) & (kw["rank"] < n_words)].iloc[::-1]
        ax.barh(rows["keyphrase"], rows["weight"], color="#2b6cb0")
        ax.set_title(f"{t.theme_id}: {_short(t.label)}", fontsize=9)
        ax.tick_params(labelsize=8)
    for ax in list(axes.flat)[len(themes):]:
        ax.axis("off")
    fig.suptitle("Theme keyphrases (c-TF-IDF)")
    fig.tight_layout()
    return fig


def theme_map(model: Any, top_n_labels: int = 12):
    """Theme centroids in 2-D (classical MDS of :func:`theme_similarity`), bubble area = findings."""
    plt = _plt()
    S = theme_similarity(model)
    xy = classical_mds(S.to_numpy())
    t = model.themes_.set_index("theme_id").reindex(S.index)
    fig, ax = plt.subplots(figsize=(7, 5.5))
    size = 20 + 30 * t["n_findings"].fillna(0).to_numpy(dtype=float)
    ax.scatter(xy[:, 0], xy[:, 1], s=size, c=t["n_municipalities"].fillna(0).to_numpy(dtype=float), cmap="viridis",
               alpha=0.6, edgecolors="k", linewidths=0.3)
    top = set(_largest(model, top_n_labels)["theme_id"])
    for (x, y), tid, label in zip(xy, S.index, t["label"]):
        if tid in top:
            ax.annotate(f"{tid}: {_short(label, 28)}", (x, y), fontsize=7, ha="center", va="bottom")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title("Theme map (colour = municipalities, size = findings)")
    fig.tight_layout()
    return fig


def hierarchy(model: Any, orientation: str = "left"):
    """Average-linkage dendrogram of the themes on ``1 - theme_similarity``."""
    from scipy.cluster.hierarchy import dendrogram, linkage
    from scipy.spatial.distance import squareform

    plt = _plt()
    S = theme_similarity(model)
    labels = model.themes_.set_index("theme_id")["label"].reindex(S.index)
    names = [f"{tid}: {_short(lab, 40)}" for tid, lab in zip(S.index, labels)]
    fig, ax = plt.subplots(figsize=(8, max(3.0, 0.18 * len(names))))
    if len(names) >= 2:
        D = np.clip(S.to_numpy().max() - (S.to_numpy() + S.to_numpy().T) / 2, 0.0, None)
        np.fill_diagonal(D, 0.0)
        dendrogram(linkage(squareform(D, checks=False), method="average"), labels=names, orientation=orientation,
                   ax=ax, leaf_font_size=7, color_threshold=0)
    ax.set_title("Theme hierarchy (average linkage)")
    fig.tight_layout()
    return fig


def over_time(model: Any, by: str = "year", top_n_themes: int = 8):
    """Share of each year's (framework revision's) findings in the largest themes, one line per theme."""
    plt = _plt()
    table = themes_over_time(model, by=by)
    themes = _largest(model, top_n_themes)
    fig, ax = plt.subplots(figsize=(7, 4))
    for t in themes.itertuples():
        rows = table[table["theme_id"] == t.theme_id]
        ax.plot(rows[by].astype(str), rows["share"], marker="o", label=f"{t.theme_id}: {_short(t.label, 30)}")
    ax.set_xlabel(by)
    ax.set_ylabel("share of findings")
    ax.legend(fontsize=7, loc="best")
    ax.set_title(f"Themes per {by}")
    fig.tight_layout()
    return fig
