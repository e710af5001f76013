"""``ThemeModel``: recurring themes across municipalities' findings (scikit-learn style).

>>> import pandas as pd
>>> from kompasstext.themes import ThemeModel
>>> model = ThemeModel(cut_quantile=0.2)                   # stores parameters only
>>> model
ThemeModel(cut_quantile=0.2)
>>> model.set_params(fence=2.0).get_params()["fence"]      # a scikit-learn estimator
2.0
>>> model.fit(corpus.findings)                             # doctest: +SKIP
>>> model.themes_[["theme_id", "label", "n_municipalities"]].head()   # doctest: +SKIP
>>> model.predict(new_findings)                            # doctest: +SKIP

Rule (see :mod:`kompasstext.themes.cluster`): average-linkage clusters of a combined similarity
(centred sentence embedding of the directive-stripped text without the corpus' dominant common
directions, character n-gram TF-IDF of its lemmas, and the framework context: the linked sub-question
concept when the findings carry links (``corpus.linked_findings``), else the area title) cut at
a data-driven threshold; clusters spanning >= 2 municipalities are the themes' prototypes; every
finding (fitted or new) goes to the theme whose prototypes it resembles most on average, unless that
similarity is below a Tukey fence of the fitted findings' scores, in which case it is unthemed
(label -1, with a ``reason``).  Seeds (``{"label": [phrases]}``) are guided themes whose phrases are
prototypes from the start.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.utils.validation import check_is_fitted

from ..model import FINDING_KEY
from . import cluster as C
from .ctfidf import keyphrases as ctfidf_keyphrases
from .keyphrases import surface_keyphrases
from .labels import noun_phrase, rank_labels, unique_labels
from .text import core_text, lemma_tokens

_SORT = ["report_id", "municipality", "year", "area", "kind", "finding_index", "text"]
UNTHEMED = -1
#: findings sampled (at most) for the clustering cut of the large-n path: the cut is a quantile of their
#: best cross-municipality similarities, each computed against all findings (cost: sample x n)
CUT_SAMPLE = 1000
#: ``fit`` shows a progress bar (on a terminal: :func:`kompasstext.progress.enabled`) from this many findings on
PROGRESS_MIN = 2000
_FIT_STEPS = ["embedding", "features", "cut", "clustering", "assigning", "describing"]


def _findings_frame(findings: Any) -> pd.DataFrame:
    df = getattr(findings, "findings", findings)
    if not isinstance(df, pd.DataFrame):
        raise TypeError("expected a findings DataFrame or an object with a .findings DataFrame")
    missing = {"municipality", "text"} - set(df.columns)
    if missing:
        raise ValueError(f"findings lack columns {sorted(missing)}")
    df = df.copy()
    for col in _SORT:
        if col not in df.columns:
            df[col] = "" if col in ("report_id", "kind", "text") else 0
    if (df["report_id"].astype(str) == "").all():
        df["report_id"] = df["municipality"].astype(str) + "_" + df["year"].astype(str)
    if "area_title" not in df.columns:
        df["area_title"] = ""
    return df


class ThemeModel(ClusterMixin, BaseEstimator):
    """Discover recurring themes in findings (a scikit-learn estimator: ``get_params``/``set_params``,
    ``clone``, ``NotFittedError`` before :meth:`fit`; its input is a findings DataFrame, not an array).

    Parameters
    ----------
    embedder: object with ``encode(list[str]) -> np.ndarray`` (L2-normalised); default
        :func:`kompasstext.themes.embed.default_embedder`.
    weights: ``(text, lexical, area, concept)`` weights of the combined similarity; the concept view is
        used when the fitted findings carry sub-question links (columns ``framework``, ``subquestion``,
        ``link_confidence``, optionally ``subquestion_2``; see :attr:`kompasstext.Corpus.linked_findings`)
        and then replaces the area view.
    cut_quantile: quantile of the findings' best cross-municipality similarity used as the cut of the
        agglomerative tree (lower = coarser themes).
    fence: Tukey fence multiplier; a finding whose best theme score is below ``Q1 - fence * IQR`` of the
        fitted findings' scores is unthemed.
    min_municipalities: a theme must span this many municipalities to recur.
    n_themes: a fixed number of inductive themes instead of the data-driven cut: the agglomerative tree
        is cut where it has this many recurring clusters (closest count; on the large-n path, read on the
        sample the cut is estimated from).  ``None`` (default): the ``cut_quantile`` rule.
    seeds: ``{label: [phrase, ...]}`` guided themes.
    n_keyphrases: keyphrases kept per theme; n_representatives: medoid findings shown per theme.
    large_n: above this many findings ``fit`` never builds an n x n matrix: the cut is estimated from
        the best cross-municipality similarities of a sample of ``min(n_micro, CUT_SAMPLE)`` findings
        (computed a block at a time), the findings are grouped into ``n_micro`` micro-clusters (mini-batch
        k-means) whose means are agglomerated by the same rule, and assignment goes through theme centroids.
    n_micro: micro-clusters of the large-n path; with ``n <= min(n_micro, CUT_SAMPLE)`` the
        large-n path gives exactly the small-n themes.
    """

    def __init__(self, embedder: Any = None, *, weights: tuple[float, ...] = (0.7, 0.3, 0.1, 0.15),
                 cut_quantile: float = 0.1, fence: float = 1.5, min_municipalities: int = 2,
                 n_themes: int | None = None, seeds: Mapping[str, Sequence[str]] | None = None,
                 n_keyphrases: int = 8,
                 n_representatives: int = 3, large_n: int = 5000, n_micro: int = 2000) -> None:
        self.embedder = embedder
        self.weights = weights
        self.cut_quantile = cut_quantile
        self.fence = fence
        self.min_municipalities = min_municipalities
        self.n_themes = n_themes
        self.seeds = seeds
        self.n_keyphrases = n_keyphrases
        self.n_representatives = n_representatives
        self.large_n = large_n
        self.n_micro = n_micro

    def __sklearn_tags__(self):  # noqa: D105 - scikit-learn's estimator tags
        tags = super().__sklearn_tags__()
        # input: a DataFrame of findings (text columns), not a numeric 2-D array
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.target_tags.required = False
        return tags

    # ------------------------------------------------------------------ helpers
    def _embedder(self) -> Any:
        """``embedder``, or the default one (made once, kept privately: ``fit`` leaves parameters as given)."""
        if self.embedder is not None:
            return self.embedder
        if self.__dict__.get("_default_embedder") is None:
            from .embed import default_embedder

            self._default_embedder = default_embedder()
        return self._default_embedder

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        uniq = sorted(set(texts))
        if not uniq:
            return np.zeros((0, 1), np.float32)
        E = np.asarray(self._embedder().encode(uniq), dtype=np.float32)
        pos = {t: i for i, t in enumerate(uniq)}
        return E[[pos[t] for t in texts]]

    def _raw(self, df: pd.DataFrame, need_area: bool | None = None) -> tuple[
            list[str], np.ndarray, np.ndarray | None, list[list[str]], list[dict[str, float]] | None]:
        """Core texts, their embeddings, area-title embeddings (only when ``need_area``; default: when the
        findings carry no links, whose concepts replace the area view), lemma tokens and linked concepts."""
        cores = [core_text(str(t)) for t in df["text"]]
        concepts = _concepts(df)
        need_area = concepts is None if need_area is None else need_area
        A = self._encode([str(a or "") for a in df["area_title"]]) if need_area else None
        return cores, self._encode(cores), A, [lemma_tokens(c, heads=False) for c in cores], concepts

    def _new_features(self, df: pd.DataFrame) -> C.Features:
        """The features of findings that were not fitted; W151 when the model compares linked concepts
        and these findings carry no links (they are then compared by text and lemmas only)."""
        _, E, A, toks, concepts = self._raw(df, need_area=not self.space_.concepts)
        if self.space_.concepts and concepts is None and len(df):
            import warnings

            from ..errors import MESSAGES, KompassWarning

            warnings.warn(f"[W151] {MESSAGES['W151']}: pass corpus.linked_findings (or the columns framework, "
                          "subquestion, link_confidence)", KompassWarning, stacklevel=3)
        return self.space_.transform(E, A, toks, concepts)

    # ---------------------------------------------------------------------- fit
    def fit(self, findings: Any, y: Any = None) -> ThemeModel:
        """Find the themes of ``findings`` (a DataFrame, or an object with ``.findings``)."""
        self._check_params()
        df = _findings_frame(findings)
        order = np.lexsort([df[c].astype(str).to_numpy() for c in reversed(_SORT)])
        df = df.iloc[order].reset_index(drop=True)
        from ..progress import bar, enabled

        steps = bar(len(_FIT_STEPS), "themes", show=enabled() and len(df) >= PROGRESS_MIN, unit="step", leave=False)

        def step() -> None:
            steps.update(1)
            if steps.n < len(_FIT_STEPS):
                steps.set_postfix_str(_FIT_STEPS[steps.n])

        steps.set_postfix_str(_FIT_STEPS[0])
        cores, E, A, toks, concepts = self._raw(df)
        step()
        self.space_, F = C.Space.fit_transform(E, A, toks, concepts)
        step()
        mun = df["municipality"].astype(str).to_numpy()
        X = C.Stacked.of(F, self.weights)  # X.dot(X) is the similarity matrix
        large = len(df) > self.large_n
        if large:  # the cut from a sample of rows, a block at a time
            rows = np.arange(len(df))
            n_sample = min(self.n_micro, CUT_SAMPLE)
            if len(rows) > n_sample:
                rows = np.sort(np.random.default_rng(0).choice(len(rows), n_sample, replace=False))
            best = C.best_cross_similarity_blocks(X, mun, rows)
        else:
            S = X.dot(X)
            best = C.best_cross_similarity(S, mun)
        finite = best[np.isfinite(best)]
        cut = float(np.quantile(finite, self.cut_quantile)) if len(finite) else np.inf
        if self.n_themes is not None and len(finite):
            from .tree import cut_for_n_themes

            S_cut, mun_cut = (X.take(rows).dot(X.take(rows)), mun[rows]) if large else (S, mun)
            cut = cut_for_n_themes(S_cut, mun_cut, self.n_themes, self.min_municipalities)
        step()

        # seeds (deductive codes): guided themes 0..k-1; their phrases, and the findings that contain a
        # phrase's lemmas or resemble a phrase at least as much as the clustering cut, are their prototypes
        seed_items = list((self.seeds or {}).items())
        seed_texts = [p for _, phrases in seed_items for p in phrases]
        seed_theme = np.array([k for k, (_, ps) in enumerate(seed_items) for _ in ps], int)
        seeded = np.full(len(df), -1, int)
        if seed_texts:
            seed_toks = [lemma_tokens(core_text(p), heads=False) for p in seed_texts]
            Fs = self.space_.transform(self._encode([core_text(p) for p in seed_texts]),
                                       np.tile(self.space_.area_mean, (len(seed_texts), 1)),
                                       [lemma_tokens(core_text(p), heads=False) for p in seed_texts])
            Fs.area[:] = 0.0  # a seed phrase has no area or concept context
            w_text, w_lex, w_area, w_con = C.weights4(self.weights)
            w_context = w_con if self.space_.concepts else w_area
            Sp = C.similarity(F, Fs, (w_text, w_lex, 0.0, 0.0))
            Sp = Sp * ((w_text + w_lex + w_context) / max(w_text + w_lex, 1e-12))  # same scale as S
            for i, toks in enumerate([lemma_tokens(c, heads=False) for c in cores]):
                hits = [j for j, st in enumerate(seed_toks) if st and set(st) <= set(toks)]
                j = hits[0] if hits else int(Sp[i].argmax())
                if hits or Sp[i, j] >= cut:
                    seeded[i] = seed_theme[j]
        rest = np.where(seeded < 0)[0]
        proto = np.full(len(df), -1, int)
        if len(rest):
            clusters = C.agglomerate_large(X.take(rest), cut, self.n_micro) if large else \
                C.agglomerate(S[np.ix_(rest, rest)], cut)
            proto[rest] = C.recurring(clusters, mun[rest], self.min_municipalities)
        step()
        # inductive prototypes, numbered after the seeds in canonical order of first member
        ids = [c for c in dict.fromkeys(proto.tolist()) if c >= 0]
        remap = {c: len(seed_items) + k for k, c in enumerate(ids)}
        member_idx = np.where((proto >= 0) | (seeded >= 0))[0]
        member_theme = np.array([seeded[i] if seeded[i] >= 0 else remap[proto[i]] for i in member_idx], int)
        parts = [F.take(member_idx)]
        if seed_texts:
            parts.insert(0, Fs)
            member_theme = np.concatenate([seed_theme, member_theme])
        self.prototypes_ = C.Features.concat(parts)
        self.prototype_theme_ = member_theme
        texts = df["text"].astype(str).tolist()
        self.prototype_text_ = seed_texts + [texts[i] for i in member_idx]
        self.theme_ids_ = sorted(set(member_theme.tolist()) | set(range(len(seed_items))))
        self.labels_overrides_ = {k: lab for k, (lab, _) in enumerate(seed_items)}
        self.threshold_ = -np.inf
        best, score = self._assign_features(F)  # every finding's best theme, before the fence
        finite = score[np.isfinite(score)]  # -inf everywhere when no theme recurs (e.g. one municipality)
        if len(finite):
            q1, q3 = np.quantile(finite, [0.25, 0.75])
            self.threshold_ = float(q1 - self.fence * (q3 - q1))
        self.cut_ = cut
        step()
        self._finish(df, cores, F, E, assigned=(np.where(score >= self.threshold_, best, UNTHEMED), score))
        step()
        steps.close()
        return self

    @property
    def hierarchy_(self) -> pd.DataFrame:
        """The merge tree of the fitted themes (average linkage over their members' similarities):
        ``child, parent, distance, similarity``, one row per child; merged nodes are numbered after the
        largest theme id.  Read broader themes off it without refitting (see :mod:`.tree`)."""
        check_is_fitted(self)
        from .tree import theme_hierarchy

        if len(self.prototype_theme_) == 0:
            return theme_hierarchy(np.zeros((0, 0)), [])
        ids, cent = C.theme_centroids(C.Stacked.of(self.prototypes_, self.weights), self.prototype_theme_)
        return theme_hierarchy(cent.dot(cent), ids)

    def _assign_features(self, F: C.Features) -> tuple[np.ndarray, np.ndarray]:
        if len(self.prototype_theme_) == 0:
            return np.full(len(F.text), -1, int), np.full(len(F.text), -np.inf)
        ids, cent = C.theme_centroids(C.Stacked.of(self.prototypes_, self.weights), self.prototype_theme_)
        return C.assign_centroids(C.Stacked.of(F, self.weights), ids, cent, self.threshold_)

    def _finish(self, df: pd.DataFrame, cores: list[str], F: C.Features, E: np.ndarray,
                assigned: tuple[np.ndarray, np.ndarray] | None = None) -> None:
        labels, score = assigned if assigned is not None else self._assign_features(F)
        self.findings_ = df.assign(core=cores, theme=labels, score=score,
                                   reason=[self._reason(lab, s) for lab, s in zip(labels, score)])
        self.labels_ = labels
        self._features = F
        self._emb = E
        self.themes_ = self._theme_table()

    def _reason(self, label: int, score: float) -> str | None:
        if label >= 0:
            return None
        if not np.isfinite(score):
            return "no recurring theme was found in the corpus"
        return (f"closest theme similarity {score:.3f} is below the threshold {self.threshold_:.3f} "
                f"(Tukey fence of the fitted findings' scores)")

    # ----------------------------------------------------------------- describe
    def _theme_table(self) -> pd.DataFrame:
        df = self.findings_
        theme = df["theme"].to_numpy(dtype=int)
        groups = {int(t): np.asarray(ix) for t, ix in pd.Series(theme).groupby(theme, sort=False).indices.items()}
        none = np.zeros(0, int)
        cores = list(df["core"])
        protos: dict[int, list[str]] = {}
        for p, pt in zip(self.prototype_text_, self.prototype_theme_.tolist()):
            protos.setdefault(int(pt), []).append(p)
        # a theme is described by its findings, or by its prototypes when no finding is assigned to it
        docs = {t: [lemma_tokens(cores[i]) for i in groups.get(t, none)] or
                [lemma_tokens(p) for p in protos.get(t, [])] for t in self.theme_ids_}
        ranked_terms = ctfidf_keyphrases(docs, top=self.n_keyphrases + 8)
        names = sorted(set(df["municipality"].astype(str)))
        kps = {t: surface_keyphrases(ranked_terms.get(t, []), [df["text"].iloc[i] for i in groups.get(t, none)]
                                     or protos.get(t, []), municipalities=names, top=self.n_keyphrases)
               for t in self.theme_ids_}
        per_theme = {t: sorted({noun_phrase(cores[i]) for i in groups.get(t, none)} - {""}) for t in self.theme_ids_}
        cand_all = sorted({c for cands in per_theme.values() for c in cands})
        cand_emb = dict(zip(cand_all, self._encode(cand_all))) if cand_all else {}
        ranked = {t: rank_labels([cores[i] for i in groups.get(t, none)], self._emb[groups.get(t, none)],
                                 np.stack([cand_emb[c] for c in per_theme[t]]), per_theme[t], kps.get(t, []),
                                 exclude_names=names) if per_theme[t] and len(groups.get(t, none)) else []
                  for t in self.theme_ids_ if t not in self.labels_overrides_}
        chosen = unique_labels(ranked, kps)
        rows = []
        for t in self.theme_ids_:
            idx = groups.get(t, none)
            members = df.iloc[idx]
            if t in self.labels_overrides_:
                label = self.labels_overrides_[t]
            else:
                label = chosen.get(t, "")
            reps = []
            if len(idx):
                # medoids: members by mean similarity to the theme (= product with the members' mean)
                Xm = C.Stacked.of(self._features.take(idx), self.weights)
                cent = Xm.dot(Xm.means(np.zeros(len(idx), int), 1))[:, 0]
                for k in np.argsort(-np.round(cent, 9), kind="stable")[: self.n_representatives]:
                    r = members.iloc[int(k)]
                    reps.append({"municipality": r["municipality"], "year": _py(r["year"]), "text": r["text"]})
            kinds = members["kind"].astype(str)
            rows.append(dict(theme_id=int(t), label=label, keyphrases=kps.get(t, []), n_findings=int(len(idx)),
                             n_municipalities=int(members["municipality"].nunique()),
                             n_strengths=int((kinds == "strength").sum()), n_improvements=int((kinds == "improvement").sum()),
                             representatives=reps))
        return pd.DataFrame(rows, columns=["theme_id", "label", "keyphrases", "n_findings", "n_municipalities",
                                           "n_strengths", "n_improvements", "representatives"])

    # ------------------------------------------------------------------ predict
    def predict(self, findings: Any) -> np.ndarray:
        """Theme ids of ``findings`` by the rule ``fit`` uses (-1 = unthemed), in the input's row order."""
        check_is_fitted(self)
        df = _findings_frame(findings)
        labels, _ = self._assign_features(self._new_features(df))
        return labels

    def assignment(self, findings: Any) -> tuple[np.ndarray, np.ndarray]:
        """``(theme ids, scores)`` of ``findings`` in their row order: read from the fitted assignment when
        they are findings this model was fitted on (same keys), else computed by :meth:`predict`'s rule —
        the same result either way, without re-embedding a fitted corpus.  Scores are each finding's
        similarity to its best theme."""
        check_is_fitted(self)
        df = _findings_frame(findings)
        keys = FINDING_KEY
        given = getattr(findings, "findings", findings).columns  # keys the caller gave (not defaults)
        fitted = getattr(self, "findings_", None)
        if fitted is not None and set(keys) <= set(given):
            lookup = fitted.set_index(keys)[["theme", "score"]]
            if lookup.index.is_unique:
                idx = pd.MultiIndex.from_frame(df[keys])
                if idx.isin(lookup.index).all():
                    got = lookup.loc[idx]
                    return got["theme"].to_numpy(dtype=int), got["score"].to_numpy(dtype=float)
        return self._assign_features(self._new_features(df))

    def fit_predict(self, findings: Any, y: Any = None) -> np.ndarray:
        """``fit`` then the labels in the input's row order."""
        df = _findings_frame(findings)
        self.fit(df)
        return self.assignment(df)[0]

    def transform_frame(self) -> pd.DataFrame:
        """The fitted findings with ``theme``, ``theme_label``, ``score`` and ``reason`` columns."""
        check_is_fitted(self)
        labels = dict(zip(self.themes_["theme_id"], self.themes_["label"]))
        return self.findings_.assign(theme_label=[labels.get(t) for t in self.findings_["theme"]])

    # ----------------------------------------------------------------- steering
    def _refresh(self) -> None:
        self.theme_ids_ = sorted(set(self.prototype_theme_.tolist()) | set(self.labels_overrides_))
        self._finish(self.findings_.drop(columns=["core", "theme", "score", "reason"]),
                     list(self.findings_["core"]), self._features, self._emb)

    def merge(self, ids: Sequence[int], label: str | None = None) -> int:
        """Merge themes ``ids`` into the lowest of them (its id is kept; the others retire)."""
        check_is_fitted(self)
        ids = sorted(set(int(i) for i in ids))
        keep = ids[0]
        self.prototype_theme_ = np.where(np.isin(self.prototype_theme_, ids), keep, self.prototype_theme_)
        for i in ids[1:]:
            self.labels_overrides_.pop(i, None)
        if label is not None:
            self.labels_overrides_[keep] = label
        self._refresh()
        return keep

    def split(self, theme_id: int, n: int = 2) -> list[int]:
        """Split a theme's prototypes into ``n`` by average linkage; the first part keeps ``theme_id``."""
        check_is_fitted(self)
        idx = np.where(self.prototype_theme_ == theme_id)[0]
        if len(idx) < n:
            raise ValueError(f"theme {theme_id} has fewer than {n} prototypes")
        from sklearn.cluster import AgglomerativeClustering

        P = self.prototypes_.take(idx)
        S = C.similarity(P, P, self.weights)
        D = np.clip(S.max() - S, 0, None)
        np.fill_diagonal(D, 0)
        parts = AgglomerativeClustering(n_clusters=n, metric="precomputed", linkage="average").fit_predict(D)
        order = list(dict.fromkeys(parts.tolist()))  # part of the first prototype keeps the id
        nxt = max(self.theme_ids_) + 1
        new_ids = [theme_id] + list(range(nxt, nxt + n - 1))
        for p, tid in zip(order, new_ids):
            self.prototype_theme_[idx[parts == p]] = tid
        self._refresh()
        return new_ids

    def rename(self, theme_id: int, label: str) -> None:
        """Set a theme's label (kept through save/load)."""
        check_is_fitted(self)
        if theme_id not in self.theme_ids_:
            raise KeyError(theme_id)
        self.labels_overrides_[int(theme_id)] = label
        self.themes_.loc[self.themes_["theme_id"] == theme_id, "label"] = label

    # ------------------------------------------------------- BERTopic-style views (kompasstext.themes.visualize)
    def themes_over_time(self, by: str = "year") -> pd.DataFrame:
        """Findings per theme and ``"year"`` or ``"framework"`` revision (see :func:`.visualize.themes_over_time`)."""
        from .visualize import themes_over_time

        return themes_over_time(self, by=by)

    def reduce_outliers(self, threshold: float | None = None) -> pd.DataFrame:
        """The fitted findings with ``new_theme``: unthemed ones moved to their best theme (the model is
        not changed; see :func:`.visualize.reduce_outliers`)."""
        from .visualize import reduce_outliers

        return reduce_outliers(self, threshold=threshold)

    def theme_similarity(self) -> pd.DataFrame:
        """Theme × theme similarity of the theme centroids."""
        from .visualize import theme_similarity

        return theme_similarity(self)

    def visualize_barchart(self, top_n_themes: int = 8, n_words: int = 5):
        """matplotlib figure: the keyphrases of the largest themes with their c-TF-IDF weights."""
        from .visualize import barchart

        return barchart(self, top_n_themes=top_n_themes, n_words=n_words)

    def visualize_themes(self, top_n_labels: int = 12):
        """matplotlib figure: the theme map (2-D classical MDS of the theme centroids)."""
        from .visualize import theme_map

        return theme_map(self, top_n_labels=top_n_labels)

    def visualize_hierarchy(self):
        """matplotlib figure: the dendrogram of the themes."""
        from .visualize import hierarchy

        return hierarchy(self)

    def visualize_over_time(self, by: str = "year", top_n_themes: int = 8):
        """matplotlib figure: the largest themes' share of the findings per year or framework revision."""
        from .visualize import over_time

        return over_time(self, by=by, top_n_themes=top_n_themes)

    # ------------------------------------------------------------------ display
    def __repr__(self, N_CHAR_MAX: int = 700) -> str:
        """scikit-learn's parameter repr; once fitted, followed by the counts (never the tables)."""
        base = super().__repr__(N_CHAR_MAX=N_CHAR_MAX)
        if not hasattr(self, "themes_"):
            return base
        return f"{base}  # fitted: {self._summary()}"

    def _summary(self) -> str:
        fr = self.findings_
        unthemed = int((fr["theme"] < 0).sum())
        return (f"{len(self.themes_)} themes, {len(fr)} findings ({unthemed} unthemed), "
                f"{fr['municipality'].nunique()} municipalities, "
                f"{'concept' if self.space_.concepts else 'area'} view")

    def _html_repr(self) -> str:
        """The estimator diagram; once fitted, followed by a summary table of the themes (largest first)."""
        from sklearn.utils import estimator_html_repr

        from ..display import MAX_ROWS, html_table

        html = estimator_html_repr(self)
        if not hasattr(self, "themes_"):
            return html
        t = self.themes_.sort_values(["n_municipalities", "n_findings", "theme_id"], ascending=[False, False, True])
        rows = [(r.theme_id, r.label, r.n_findings, r.n_municipalities, r.n_strengths, r.n_improvements,
                 ", ".join(list(r.keyphrases)[:4])) for r in t.itertuples()]
        return html + html_table(["theme", "label", "findings", "municipalities", "strengths", "improvements",
                                  "keyphrases"], rows, caption=f"ThemeModel: {self._summary()}", max_rows=MAX_ROWS)

    def _check_params(self) -> None:
        """Parameter ranges (``ValueError`` naming the parameter), checked at ``fit`` as scikit-learn does."""
        if not 0.0 <= float(self.cut_quantile) <= 1.0:
            raise ValueError(f"cut_quantile must be in [0, 1], not {self.cut_quantile!r}")
        if float(self.fence) < 0:
            raise ValueError(f"fence must be >= 0, not {self.fence!r}")
        if not 1 <= len(tuple(self.weights)) <= 4 or any(float(w) < 0 for w in self.weights):
            raise ValueError(f"weights must be 1 to 4 non-negative numbers, not {self.weights!r}")
        if self.n_themes is not None and (isinstance(self.n_themes, bool) or not isinstance(
                self.n_themes, (int, np.integer)) or self.n_themes < 1):
            raise ValueError(f"n_themes must be None or an int >= 1, not {self.n_themes!r}")
        for name, low in (("min_municipalities", 1), ("n_keyphrases", 1), ("n_representatives", 0),
                          ("large_n", 0), ("n_micro", 1)):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < low:
                raise ValueError(f"{name} must be an int >= {low}, not {v!r}")

    # ------------------------------------------------------------------ storage
    def save(self, path: str | Path) -> Path:
        """Write the fitted model to directory ``path`` (JSON + .npy, no pickle)."""
        check_is_fitted(self)
        from .store import save

        return save(self, Path(path))

    @classmethod
    def load(cls, path: str | Path, embedder: Any = None) -> ThemeModel:
        """Read a model written by :meth:`save`."""
        from .store import load

        return load(cls, Path(path), embedder)


def _concepts(df: pd.DataFrame) -> list[dict[str, float]] | None:
    """Each finding's linked cross-revision concepts with their link confidence (the best sub-question
    and, if given, the runner-up with ``link_confidence_2``, else the rest of the mass), or None when the
    findings carry no links."""
    if not {"framework", "subquestion", "link_confidence"} <= set(df.columns):
        return None
    from ..links import concept_of

    def ok(v: Any) -> bool:
        return v is not None and not (isinstance(v, float) and np.isnan(v)) and str(v) != ""

    out = []
    second = df["subquestion_2"] if "subquestion_2" in df.columns else [None] * len(df)
    conf2 = df["link_confidence_2"] if "link_confidence_2" in df.columns else [None] * len(df)
    for fw, q, p, q2, p2 in zip(df["framework"], df["subquestion"], df["link_confidence"], second, conf2):
        d: dict[str, float] = {}
        p = float(p) if ok(p) else 1.0
        c = concept_of(str(fw), str(q)) if ok(q) else None
        if c:
            d[c] = d.get(c, 0.0) + p
        c2 = concept_of(str(fw), str(q2)) if ok(q2) else None
        if c2:
            d[c2] = d.get(c2, 0.0) + (float(p2) if ok(p2) else max(0.0, 1.0 - p))
        out.append(d)
    return out if any(out) else None


def _py(v: Any) -> Any:
    return v.item() if hasattr(v, "item") else v
