"""Themes against scores: do municipalities where a theme is a strength score higher on the sub-question
concept it bears on than those where it is an improvement?

The unit is the report (one municipality's evaluation).  For each theme × concept, reports with a score
for the concept fall into four groups by how the theme appears in their findings: only as a strength
("S"), only as an improvement ("I"), as both ("S+I") or not at all ("none").  Scores are percent of the
sub-question's maximum, so reports evaluated with different framework revisions compare through the
concept map.  ``difference`` = mean(S) − mean(I); a bootstrap percentile interval (groups resampled
separately) and a two-sided permutation p-value (exact when the relabellings are few, else ``n_perm``
seeded draws) qualify it, and the p-values are Benjamini–Hochberg adjusted over the table.  With a
handful of reports these are descriptive figures: ``note`` says when n is too small to conclude.

>>> import pandas as pd
>>> f = pd.DataFrame({"report_id": ["a", "b", "c", "d"], "kind": ["strength", "strength", "improvement",
...                   "improvement"], "theme": [1, 1, 1, 1], "concept": ["demokrati.resultat"] * 4})
>>> s = pd.DataFrame({"report_id": list("abcd"), "framework": ["2015"] * 4, "subquestion": ["1.3"] * 4,
...                   "achieved": [20, 15, 5, 10], "max": [25] * 4})
>>> r = score_links(f, s, n_boot=200).iloc[0]
>>> [float(r[c]) for c in ("mean_strength", "mean_improvement", "difference", "n_strength", "n_improvement")]
[70.0, 30.0, 40.0, 2.0, 2.0]
>>> round(float(r["p_value"]), 3)          # exact: 2 of the 6 relabellings are as extreme
0.333
"""
from __future__ import annotations

from functools import lru_cache
from itertools import chain, combinations
from math import comb

import numpy as np
import pandas as pd

from .concepts import concept_labels, concept_of

#: fewer reports than this in the strength or the improvement group: too few to conclude anything
MIN_GROUP = 3
STAT_COLUMNS = ["theme", "theme_label", "concept", "concept_label", "n_strength", "n_improvement", "n_both",
                "n_none", "mean_strength", "mean_improvement", "mean_both", "mean_none", "difference", "ci_low",
                "ci_high", "p_value", "p_adjusted", "note"]


def bh_adjust(p: "np.ndarray | list[float]") -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (:func:`scipy.stats.false_discovery_control`); NaNs stay NaN
    and are not counted.

    >>> bh_adjust([0.01, 0.04, 0.03, float("nan")]).round(3).tolist()[:3]
    [0.03, 0.04, 0.04]
    """
    from scipy.stats import false_discovery_control

    p = np.asarray(p, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    if ok.any():
        out[ok] = np.clip(false_discovery_control(p[ok], method="bh"), 0, 1)
    return out


def _mean_difference(x: np.ndarray, y: np.ndarray, axis: int = -1) -> np.ndarray:
    return np.mean(x, axis=axis) - np.mean(y, axis=axis)


@lru_cache(maxsize=256)
def _splits(n: int, k: int) -> np.ndarray:
    """Every way to choose the ``k`` members of the first group among ``n`` (``(comb(n, k), k)``)."""
    return np.fromiter(chain.from_iterable(combinations(range(n), k)), dtype=np.intp,
                       count=comb(n, k) * k).reshape(-1, k)


def permutation_pvalue(a: np.ndarray, b: np.ndarray, *, n_perm: int = 10000, seed: int = 0) -> float:
    """Two-sided p-value of mean(a) − mean(b) under relabelling: exact — every relabelling enumerated —
    when there are at most ``n_perm`` of them, else ``n_perm`` seeded random relabellings with the +1
    correction (as :func:`scipy.stats.permutation_test` computes it).  One test of
    :func:`permutation_pvalues`.

    >>> permutation_pvalue(np.array([70.0, 60, 80]), np.array([30.0, 40, 35]))
    0.1
    """
    return float(permutation_pvalues([(a, b)], n_perm=n_perm, seed=seed)[0])


def _relabellings(n: int, k: int, n_perm: int, seed: int) -> tuple[np.ndarray, bool]:
    """``(membership, exact)``: a float ``(relabellings, n)`` 0/1 matrix whose rows mark the ``k`` members
    of the first group — every relabelling when there are at most ``n_perm``, else ``n_perm`` drawn with
    ``seed`` (the same draws for every test of these group sizes)."""
    if comb(n, k) <= n_perm:
        idx = _splits(n, k)
    else:
        rng = np.random.default_rng(seed)
        block = max(1, 2_000_000 // n)  # relabellings per block: memory O(2M draws)
        idx = np.concatenate([np.argpartition(rng.random((min(block, n_perm - s), n)), k - 1, axis=1)[:, :k]
                              for s in range(0, n_perm, block)])  # k < n: the second group is not empty
    member = np.zeros((len(idx), n))
    np.put_along_axis(member, idx, 1.0, axis=1)
    return member, comb(n, k) <= n_perm


def _by_size(pairs: "list[tuple[np.ndarray, np.ndarray]]") -> tuple[list[tuple[np.ndarray, np.ndarray]],
                                                                     dict[tuple[int, int], list[int]]]:
    """The pairs as float arrays, and the positions of those with both groups non-empty by group sizes
    (the tests that share relabellings and resamples)."""
    arrays = [(np.asarray(a, float), np.asarray(b, float)) for a, b in pairs]
    by_size: dict[tuple[int, int], list[int]] = {}
    for t, (a, b) in enumerate(arrays):
        if len(a) and len(b):
            by_size.setdefault((len(a), len(b)), []).append(t)
    return arrays, by_size


def permutation_pvalues(pairs: "list[tuple[np.ndarray, np.ndarray]]", *, n_perm: int = 10000,
                        seed: int = 0) -> np.ndarray:
    """:func:`permutation_pvalue` of each ``(a, b)`` (NaN where a group is empty).

    Tests of the same group sizes share their relabellings (enumerated, or drawn with the same seed), so
    each size is set up once and its tests are one matrix product: the first group's sums under every
    relabelling, for all of them at once.  scipy's ``permutation_test`` builds each partition or
    resample in Python, ~0.1 s a test — minutes for the thousands of tests of a 300-report corpus; the
    exact p-values are the same.

    >>> permutation_pvalues([(np.array([70.0, 60, 80]), np.array([30.0, 40, 35])), (np.array([1.0]), np.array([]))])
    array([0.1, nan])
    """
    out = np.full(len(pairs), np.nan)
    arrays, by_size = _by_size(pairs)
    for (k, m), tests in sorted(by_size.items()):
        n = k + m
        member, exact = _relabellings(n, k, n_perm, seed)
        pooled = np.stack([np.concatenate(arrays[t]) for t in tests], axis=1)   # (n, tests)
        total = pooled.sum(axis=0)
        obs = np.abs(pooled[:k].mean(axis=0) - pooled[k:].mean(axis=0))
        tol = 1e-9 * np.maximum(1.0, obs)
        for s in range(0, len(tests), 256):  # memory O(relabellings x 256 tests)
            sa = member @ pooled[:, s:s + 256]
            hits = (np.abs(sa / k - (total[s:s + 256] - sa) / m) >= obs[s:s + 256] - tol[s:s + 256]).sum(axis=0)
            out[np.asarray(tests[s:s + 256])] = hits / len(member) if exact else (hits + 1) / (len(member) + 1)
    return out


def bootstrap_ci(a: np.ndarray, b: np.ndarray, *, n_boot: int = 2000, seed: int = 0,
                 level: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap interval of mean(a) − mean(b), each group resampled on its own
    (:func:`scipy.stats.bootstrap`, seeded).  One interval of :func:`bootstrap_cis`."""
    lo, hi = bootstrap_cis([(a, b)], n_boot=n_boot, seed=seed, level=level)[0]
    return float(lo), float(hi)


def bootstrap_cis(pairs: "list[tuple[np.ndarray, np.ndarray]]", *, n_boot: int = 2000, seed: int = 0,
                  level: float = 0.95) -> np.ndarray:
    """``(len(pairs), 2)``: :func:`bootstrap_ci` of each ``(a, b)`` (NaN where a group is empty; the
    observed difference where neither group has two scores to resample).

    Intervals of the same group sizes are one :func:`scipy.stats.bootstrap` call over a batch axis: scipy
    draws the resamples once for the batch, the same draws a call per interval makes with the same seed,
    so the intervals are those of one call each.

    >>> bootstrap_cis([(np.array([3.0, 4.0]), np.array([1.0]))], n_boot=200).tolist()
    [[2.0, 3.0]]
    """
    import warnings

    from scipy.stats import DegenerateDataWarning, bootstrap

    out = np.full((len(pairs), 2), np.nan)
    arrays, by_size = _by_size(pairs)
    for (k, m), tests in sorted(by_size.items()):
        for s in range(0, len(tests), 64):  # memory O(64 x n_boot x (k + m))
            idx = np.asarray(tests[s:s + 64])
            A = np.stack([arrays[t][0] for t in idx])
            B = np.stack([arrays[t][1] for t in idx])
            d = A.mean(axis=1) - B.mean(axis=1)
            if k < 2 and m < 2:  # nothing to resample: the interval is the observed difference
                out[idx] = d[:, None]
                continue
            kw = dict(n_resamples=n_boot, confidence_level=level, method="percentile", vectorized=True,
                      axis=-1, rng=np.random.default_rng(seed))
            with warnings.catch_warnings():  # all resamples equal (identical scores): the interval is a point
                warnings.filterwarnings("ignore", category=DegenerateDataWarning)
                if k >= 2 and m >= 2:
                    lo, hi = bootstrap((A, B), _mean_difference, paired=False, **kw).confidence_interval
                elif k >= 2:  # b is a single score: its resampled mean is that score
                    lo, hi = np.asarray(bootstrap((A,), np.mean, **kw).confidence_interval) - B[:, 0]
                else:
                    lo, hi = A[:, 0] - np.asarray(bootstrap((B,), np.mean, **kw).confidence_interval)[::-1]
            lo, hi = np.asarray(lo, float), np.asarray(hi, float)
            out[idx, 0] = np.where(np.isfinite(lo), lo, d)
            out[idx, 1] = np.where(np.isfinite(hi), hi, d)
    return out


def _concept_scores(scores: pd.DataFrame) -> pd.DataFrame:
    """report × concept percent-of-max scores from a ``Corpus.scores``-like frame."""
    s = scores.copy()
    if "concept" not in s.columns:
        s["concept"] = [concept_of(str(fw) if fw is not None else None, q)
                        for fw, q in zip(s["framework"], s["subquestion"])]
    ach = pd.to_numeric(s.get("achieved"), errors="coerce") if "achieved" in s else np.nan
    mx = pd.to_numeric(s.get("max"), errors="coerce") if "max" in s else np.nan
    pct = 100.0 * ach / mx
    if "percent" in s.columns:
        pct = pct.fillna(pd.to_numeric(s["percent"], errors="coerce"))
    s["pct"] = pct
    s = s.dropna(subset=["concept", "pct"])
    return s.groupby(["report_id", "concept"], as_index=False)["pct"].mean()


def _note(n_s: int, n_i: int, p_adj: float, diff: float) -> str:
    if min(n_s, n_i) < MIN_GROUP:
        return (f"n too small to conclude (strength {n_s}, improvement {n_i} reports; "
                f"need at least {MIN_GROUP} each)")
    if np.isnan(p_adj) or p_adj >= 0.05:
        return "no evidence of a difference (BH-adjusted p ≥ 0.05); small corpus, descriptive only"
    direction = "higher" if diff > 0 else "lower"
    return (f"strength group scores {direction} (BH-adjusted p < 0.05); small corpus: exploratory, "
            "not causal")


def score_links(findings_with_themes: pd.DataFrame, scores: pd.DataFrame, *, pairs: str = "linked",
                n_boot: int = 2000, n_perm: int = 10000, seed: int = 0) -> pd.DataFrame:
    """Per theme × concept: mean percent score of reports where the theme is a strength / an
    improvement / both / absent, ``difference`` (strength − improvement) with a bootstrap CI, a permutation
    p-value, the BH-adjusted p-value, the n of every group and a ``note`` (see the module docstring).

    ``findings_with_themes`` needs ``report_id`` (or ``municipality``), ``kind`` and ``theme`` (negative
    = unthemed, ignored), and, for ``pairs="linked"``, ``concept`` or ``framework`` + ``subquestion``
    (as from :func:`~kompasstext.links.link_findings`): only the concepts a theme's findings are linked
    to are tested.  ``pairs="all"`` tests every theme against every scored concept.  ``scores`` is a
    ``Corpus.scores``-like frame (``report_id, framework, subquestion, achieved, max[, percent]``).
    Deterministic for a given ``seed``.
    """
    f = findings_with_themes.copy()
    key = "report_id" if "report_id" in f.columns and "report_id" in scores.columns else "municipality"
    sc = _concept_scores(scores.rename(columns={"municipality": "report_id"}) if key == "municipality"
                         and "report_id" not in scores.columns else scores)
    if key == "municipality" and "report_id" in f.columns:
        f = f.drop(columns=["report_id"])
    f = f.rename(columns={"municipality": "report_id"}) if key == "municipality" else f
    f = f[pd.to_numeric(f["theme"], errors="coerce").fillna(-1) >= 0] if f["theme"].dtype != object else f
    if "concept" not in f.columns and {"framework", "subquestion"} <= set(f.columns):
        f["concept"] = [concept_of(str(fw), q) for fw, q in zip(f["framework"], f["subquestion"])]
    labels = concept_labels()
    theme_label = (f.groupby("theme")["theme_label"].first().to_dict() if "theme_label" in f.columns else {})
    if pairs == "linked":
        todo = sorted({(t, c) for t, c in zip(f["theme"], f["concept"]) if isinstance(c, str)},
                      key=lambda x: (str(x[0]), x[1]))
    else:
        todo = [(t, c) for t in sorted(f["theme"].unique(), key=str) for c in sorted(sc["concept"].unique())]
    # each theme's group in each report, coded 0 none, 1 S, 2 I, 3 S+I (theme x report matrix)
    reports = pd.Index(pd.unique(pd.concat([f["report_id"], sc["report_id"]], ignore_index=True)))
    themes = pd.Index(pd.unique(f["theme"]))
    code = np.zeros((len(themes), len(reports)), dtype=np.int8)
    has = f.assign(_s=f["kind"].eq("strength"), _i=f["kind"].eq("improvement")).groupby(
        ["theme", "report_id"], sort=False)[["_s", "_i"]].any()
    code[themes.get_indexer(has.index.get_level_values(0)), reports.get_indexer(has.index.get_level_values(1))] = (
        has["_s"].to_numpy(np.int8) + 2 * has["_i"].to_numpy(np.int8))
    by_concept = {c: (reports.get_indexer(g["report_id"]), g["pct"].to_numpy(float))
                  for c, g in sc.groupby("concept", sort=False)}
    theme_pos = {t: i for i, t in enumerate(themes)}
    rows, tests = [], []
    for theme, concept in todo:
        if concept not in by_concept:
            continue
        rid_idx, pct = by_concept[concept]
        c = code[theme_pos[theme], rid_idx]
        groups = {g: pct[c == v] for g, v in (("S", 1), ("I", 2), ("S+I", 3), ("none", 0))}
        a, b = groups["S"], groups["I"]
        mean = {g: (float(np.mean(v)) if len(v) else float("nan")) for g, v in groups.items()}
        diff = mean["S"] - mean["I"] if len(a) and len(b) else float("nan")
        tests.append((a, b))
        rows.append(dict(theme=theme, theme_label=theme_label.get(theme), concept=concept,
                         concept_label=labels.get(concept), n_strength=len(a), n_improvement=len(b),
                         n_both=len(groups["S+I"]), n_none=len(groups["none"]), mean_strength=mean["S"],
                         mean_improvement=mean["I"], mean_both=mean["S+I"], mean_none=mean["none"],
                         difference=diff))
    out = pd.DataFrame(rows, columns=STAT_COLUMNS)
    if len(out):
        ci = bootstrap_cis(tests, n_boot=n_boot, seed=seed)
        out["ci_low"], out["ci_high"] = ci[:, 0], ci[:, 1]
        out["p_value"] = permutation_pvalues(tests, n_perm=n_perm, seed=seed)
        out["p_adjusted"] = bh_adjust(out["p_value"].to_numpy(dtype=float))
    out["note"] = [_note(r.n_strength, r.n_improvement, r.p_adjusted, r.difference) for r in out.itertuples()]
    return out
