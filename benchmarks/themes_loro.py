"""Themes out of sample: each bundled report themed by a model fitted without it.

Run (repository root): ``python benchmarks/themes_loro.py [--gold DIR] [--plain]``

The findings are the gold findings of the four reports (their texts, so that every finding has a gold
theme), with the sub-question links the library computes for the parsed corpus (``Corpus.links``, as the
CLI fits on ``linked_findings``; ``--plain``: without links, no concept view).  The gold
(``themes.gold.json``) is used **only to measure**.

For each report R:

* **in sample** — one :class:`~kompasstext.themes.ThemeModel` fitted on all four reports; scored on the
  cross-municipality pairs that involve a finding of R;
* **leave-one-report-out** — a model fitted on the other three; R's findings themed by its ``predict``
  (the rule a new report gets); scored on the same kind of pairs (R × the other three, themes of the
  others from the fit).

With ``--tune``, the other out-of-sample twin, for the way ``kompasstext themes`` is used (one fit on the
whole corpus, the new report included): for each report R, the parameters ``cut_quantile`` × ``fence``
(a small grid) are chosen by the pair F1 of the pairs that do **not** involve R (fits on all four: the
clustering is unsupervised, R's gold is never read), and that choice is scored on the pairs that involve R.

Printed (markdown): pair precision / recall / F1 and the unthemed share of R, per report and pooled over
the four folds' pairs.  Embeddings come from the default :class:`kompasstext.embedding.Embedder` (cached).
"""
from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

KEYS = ["report_id", "area", "kind", "finding_index"]


def pair_counts(mun: np.ndarray, gold: np.ndarray, pred: np.ndarray, in_r: np.ndarray) -> np.ndarray:
    """``[tp, predicted positive, gold positive]`` over the cross-municipality pairs with at least one
    member in ``in_r`` (a boolean mask)."""
    i, j = np.triu_indices(len(gold), 1)
    keep = (mun[i] != mun[j]) & (in_r[i] | in_r[j])
    i, j = i[keep], j[keep]
    gpos = (gold[i] == gold[j]) & (gold[i] >= 0)
    ppos = (pred[i] == pred[j]) & (pred[i] >= 0)
    return np.array([(gpos & ppos).sum(), ppos.sum(), gpos.sum()], dtype=float)


def prf(c: np.ndarray) -> tuple[float, float, float]:
    p = c[0] / c[1] if c[1] else 0.0
    r = c[0] / c[2] if c[2] else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def findings_frame(gold_dir: Path, plain: bool) -> pd.DataFrame:
    from tests.helpers.theme_gold import gold_findings_frame

    from kompasstext import read_corpus

    df = gold_findings_frame(gold_dir)
    if plain:
        return df
    corpus = read_corpus(ROOT / "corpora" / "kommunkompassen", warn=False)
    links = corpus.links[KEYS + ["framework", "subquestion", "link_confidence", "subquestion_2",
                                 "link_confidence_2"]]
    df = df.drop(columns=[c for c in links.columns if c not in KEYS and c in df.columns])
    return df.merge(links, on=KEYS, how="left", validate="one_to_one")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gold", default=None, help="gold folder (default: tests/data/gold)")
    ap.add_argument("--plain", action="store_true", help="without sub-question links (no concept view)")
    ap.add_argument("--tune", action="store_true", help="also: parameters tuned without each report")
    a = ap.parse_args(argv)
    from tests.helpers.theme_gold import GOLD_DIR, gold_labels

    from kompasstext.embedding import Embedder
    from kompasstext.themes import ThemeModel

    gold_dir = Path(a.gold) if a.gold else GOLD_DIR
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        df = findings_frame(gold_dir, a.plain)
        emb = Embedder()
        full = ThemeModel(emb).fit(df).transform_frame()
        gold_full, _ = gold_labels(full, gold_dir)
        mun_full = full["municipality"].to_numpy(dtype=str)
        pred_full = full["theme"].to_numpy()
        rows, tot_in, tot_out = [], np.zeros(3), np.zeros(3)
        for rid in sorted(df["report_id"].unique()):
            c_in = pair_counts(mun_full, gold_full, pred_full, full["report_id"].to_numpy() == rid)
            train = df[df.report_id != rid]
            test = df[df.report_id == rid]
            model = ThemeModel(emb).fit(train)
            tr = model.transform_frame()
            pr = model.predict(test)
            both = pd.concat([tr.drop(columns=["theme"]).assign(theme=tr["theme"].to_numpy()),
                              test.assign(theme=pr)], ignore_index=True)
            g, _ = gold_labels(both, gold_dir)
            c_out = pair_counts(both["municipality"].to_numpy(dtype=str), g, both["theme"].to_numpy(),
                                both["report_id"].to_numpy() == rid)
            tot_in += c_in
            tot_out += c_out
            rows.append((rid, len(test), prf(c_in), prf(c_out), float((pr < 0).mean())))
    if a.tune:
        tune_table(df, emb, gold_dir)
    view = "without links (no concept view)" if a.plain else "with the library's links (concept view)"
    print(f"Themes, {view}: pairs involving each report's findings\n")
    print("| report | findings | in-sample P / R / F1 | LORO P / R / F1 | LORO unthemed |")
    print("|---|---|---|---|---|")
    fmt = "{:.3f} / {:.3f} / **{:.3f}**"
    for rid, n, i, o, u in rows:
        print(f"| {rid} | {n} | {fmt.format(*i)} | {fmt.format(*o)} | {u:.1%} |")
    print(f"| ALL (pooled pairs) | {len(df)} | {fmt.format(*prf(tot_in))} | {fmt.format(*prf(tot_out))} | |")
    return 0


GRID = {"cut_quantile": [0.05, 0.1, 0.15, 0.2, 0.3], "fence": [1.0, 1.5, 2.0]}


def tune_table(df: pd.DataFrame, emb, gold_dir: Path) -> None:
    """Print, per report R, the grid point chosen on the pairs without R and its F1 on the pairs with R."""
    import itertools

    from tests.helpers.theme_gold import gold_labels

    from kompasstext.themes import ThemeModel

    fits = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for q, f in itertools.product(GRID["cut_quantile"], GRID["fence"]):
            fr = ThemeModel(emb, cut_quantile=q, fence=f).fit(df).transform_frame()
            g, _ = gold_labels(fr, gold_dir)
            fits[(q, f)] = (fr["municipality"].to_numpy(dtype=str), g, fr["theme"].to_numpy(),
                            fr["report_id"].to_numpy())
    rids = sorted(df["report_id"].unique())
    default = (0.1, 1.5)
    print("Parameters tuned without each report (grid cut_quantile x fence, fit on all four)\n")
    print("| report | chosen (cut_quantile, fence) | F1 with R, chosen | F1 with R, shipped default |")
    print("|---|---|---|---|")
    tot, tot_d = np.zeros(3), np.zeros(3)
    for rid in rids:
        def f1_without(key):
            m, g, p, r = fits[key]
            keep = r != rid
            return prf(pair_counts(m[keep], g[keep], p[keep], np.ones(keep.sum(), bool)))[2]
        best = max(sorted(fits), key=f1_without)
        m, g, p, r = fits[best]
        c = pair_counts(m, g, p, r == rid)
        m, g, p, r = fits[default]
        c_d = pair_counts(m, g, p, r == rid)
        tot += c
        tot_d += c_d
        print(f"| {rid} | {best} | {prf(c)[2]:.3f} | {prf(c_d)[2]:.3f} |")
    print(f"| ALL (pooled pairs) | | {prf(tot)[2]:.3f} | {prf(tot_d)[2]:.3f} |\n")


if __name__ == "__main__":
    raise SystemExit(main())
