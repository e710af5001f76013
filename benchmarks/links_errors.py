"""Error analysis of the finding → sub-question links, per report and per evidence source.

Run (from the repository root): ``python benchmarks/links_errors.py [CORPUS_DIR] [--gold DIR] [--loro]
[--misses]``

Gold (``links.gold.json``, default ``../shared/gold``, else ``tests/data/gold``) is used here **only to
measure**.  Predicted findings are matched to gold findings as ``link_eval.py`` does (inside report +
area + kind: the same normalised text, else the most similar with a ratio of at least 0.8).

Tables printed (markdown):

1. **source alone** — per report, for each evidence source of the linker, the share of the findings it
   covers (it says something: its log-scores over the area's sub-questions are not all equal) and, among
   those, how often its arg-max alone is the gold sub-question.  Sources: ``text`` (finding against the
   sub-question descriptions and aligned Rubriker), ``heading`` (the finding's subheading), ``narrative``
   (the report's own passages), ``corpus`` (nearest confident findings of other reports), ``order``
   (position in the list alone: the i-th of n items → the sub-question at the same relative place), and
   ``final`` (the linker's output).
2. **who pushed the misses** — for every finding the linker gets wrong, each source's weighted vote for
   the predicted against the gold sub-question (``w_s · (L_s[pred] − L_s[gold])``); the order prior's
   part is what is left of the posterior log-odds after the summed votes.  The largest positive share is
   the culprit; the table counts culprits per report.
3. with ``--loro``: the linker's weights fitted leave-one-report-out (a small grid, fitted on three
   reports, measured on the fourth), against the shipped defaults, and the accuracy per confidence band
   out of sample.
"""
from __future__ import annotations

import argparse
import difflib
import itertools
import json
import re
import sys
import warnings
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SOURCES = ["text", "heading", "narrative", "corpus"]
BANDS = [(0.9, 1.01, "≥ 0.9"), (0.7, 0.9, "0.7–0.9"), (0.0, 0.7, "< 0.7")]

_WS = re.compile(r"\s+")


def _norm(s: str) -> str:
    s = re.sub(r"<[^>]*>|[*_`]", " ", s or "")
    return _WS.sub(" ", s).strip().lower().rstrip(" .,;:!?")


def load_gold(gold_dir: Path) -> list[dict]:
    return json.loads((gold_dir / "links.gold.json").read_text(encoding="utf-8"))["links"]


def match_gold(rows: pd.DataFrame, gold: list[dict]) -> pd.DataFrame:
    """``rows`` (report_id, area, kind, text, ...) with the gold ``gold`` / ``secondary`` sub-question of the
    matched gold finding (NaN when unmatched)."""
    by = defaultdict(list)
    for g in gold:
        by[(g["file"].split(".")[0], int(g["area"]), g["kind"])].append(g)
    out_g, out_s = [None] * len(rows), [None] * len(rows)
    groups = defaultdict(list)
    for pos, r in enumerate(rows.itertuples(index=False)):
        groups[(r.report_id, int(r.area), r.kind)].append((pos, _norm(r.text)))
    for key, gs in by.items():
        avail = list(groups.get(key, []))
        for g in gs:
            t = _norm(g["text"])
            hit = next((p for p in avail if p[1] == t), None)
            if hit is None and avail:
                best = max(avail, key=lambda p: difflib.SequenceMatcher(None, p[1], t).ratio())
                hit = best if difflib.SequenceMatcher(None, best[1], t).ratio() >= 0.8 else None
            if hit is None:
                continue
            avail.remove(hit)
            out_g[hit[0]], out_s[hit[0]] = g["subquestion"], g.get("secondary")
    return rows.assign(gold=out_g, secondary=out_s)


# ------------------------------------------------------------------------------------------ evidence
def collect(corpus, weights=None, **kw):
    """Run the linker and keep its evidence: ``(linker, rows)`` where ``rows`` has one row per linked
    finding (report_id, area, kind, finding_index, text, task, i) — ``task``/``i`` index the linker's
    area tasks and the finding inside it."""
    from kompasstext.links.linker import LinkWeights, _Linker

    lk = _Linker(list(corpus.reports), use_narrative=kw.get("use_narrative", True), embedder=None,
                 use_embeddings=True, weights=weights or LinkWeights())
    lk.first_pass()
    lk.corpus_pass()
    rows = []
    for ti, t in enumerate(lk.tasks):
        for i, f in enumerate(t.area.findings):
            rows.append(dict(report_id=t.rid, area=t.area.number, kind=f.kind, finding_index=i, text=f.text,
                             task=ti, i=i))
    return lk, pd.DataFrame(rows)


def _order_alone(t, i: int) -> np.ndarray:
    fs = t.area.findings
    idx = [j for j, f in enumerate(fs) if f.kind == fs[i].kind]
    n, k = len(idx), len(t.qids)
    pos = idx.index(i) / max(n - 1, 1)
    out = np.zeros(k)
    out[int(round(pos * (k - 1)))] = 1.0
    return out


def evidence_frame(lk, rows: pd.DataFrame, weights=None) -> pd.DataFrame:
    """Per finding: each source's pick, the final pick and confidence, and each source's push towards the
    final pick against the gold one (needs ``rows.gold``)."""
    w = weights or lk.w
    saved, lk.w = lk.w, w
    try:
        P = {ti: lk._combine(t) for ti, t in enumerate(lk.tasks)}
    finally:
        lk.w = saved
    out = []
    for r in rows.itertuples(index=False):
        t = lk.tasks[r.task]
        q = t.qids
        d = dict(pred=q[int(np.argmax(P[r.task][r.i]))], conf=float(P[r.task][r.i].max()))
        for s in SOURCES:
            L = t.scores.get(s)
            v = None if L is None else L[r.i]
            d[f"{s}_pick"] = q[int(np.argmax(v))] if v is not None and np.ptp(v) > 1e-9 else None
        d["order_pick"] = q[int(np.argmax(_order_alone(t, r.i)))]
        g = getattr(r, "gold", None)
        if isinstance(g, str) and g in q and d["pred"] != g:
            a, b = q.index(d["pred"]), q.index(g)
            push = {}
            for s in SOURCES:
                L = t.scores.get(s)
                push[s] = 0.0 if L is None else float(getattr(w, s) * (L[r.i, a] - L[r.i, b]))
            lp = np.log(P[r.task][r.i] + 1e-300)
            push["order"] = float(lp[a] - lp[b] - sum(push.values()))
            d.update({f"push_{s}": v for s, v in push.items()})
            d["culprit"] = max(push, key=push.get)
        out.append(d)
    return pd.concat([rows.reset_index(drop=True), pd.DataFrame(out)], axis=1)


# ------------------------------------------------------------------------------------------ tables
def source_table(ev: pd.DataFrame) -> pd.DataFrame:
    ev = ev[ev.gold.notna()]
    recs = []
    for rid, g in list(ev.groupby("report_id")) + [("ALL", ev)]:
        rec = {"report": rid, "n": len(g)}
        for s in SOURCES + ["order"]:
            has = g[f"{s}_pick"].notna()
            rec[f"{s} cover"] = has.mean()
            rec[f"{s} acc"] = (g.loc[has, f"{s}_pick"] == g.loc[has, "gold"]).mean() if has.any() else np.nan
        rec["final acc"] = (g.pred == g.gold).mean()
        rec["final lenient"] = ((g.pred == g.gold) | (g.pred == g.secondary)).mean()
        recs.append(rec)
    return pd.DataFrame(recs)


def culprit_table(ev: pd.DataFrame) -> pd.DataFrame:
    m = ev[ev.gold.notna() & (ev.pred != ev.gold) & ev.culprit.notna()]
    t = pd.crosstab(m.report_id, m.culprit, margins=True, margins_name="ALL")
    for s in SOURCES + ["order"]:
        if s not in t.columns:
            t[s] = 0
    return t[SOURCES + ["order", "ALL"]]


def md(df: pd.DataFrame, floatfmt: str = "{:.2f}") -> str:
    cols = list(df.columns)
    lines = ["| " + " | ".join(map(str, cols)) + " |", "|" + "---|" * len(cols)]
    for r in df.itertuples(index=False):
        lines.append("| " + " | ".join(floatfmt.format(v) if isinstance(v, float) else str(v) for v in r) + " |")
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------ LORO
#: the grid of global settings the leave-one-report-out fit chooses from: weights applied to fixed
#: evidence (cheap) ...
GRID = {"narrative": [1.2, 1.6], "narrative_headless": [0.8, 1.6, 2.4, 3.2, 4.8], "corpus": [1.0, 1.5, 2.0],
        "back_penalty": [0.5, 1.0]}
#: ... and settings that change the evidence itself (one linker run per value, on the corpus and on its
#: heading-less copy)
EVIDENCE_GRID = {"headless_temperature": [0.5, 1.0], "headless_context": [0.0, 0.25]}
#: confidence temperatures the calibration chooses from (fitted after the weights, per fold)
TAUS = [1.0, 1.5, 2.0, 3.0, 4.0, 6.0]


def strip_headings(reports):
    """Copies of ``reports`` whose narrative passages lose their subheadings (a structured report made
    to look like a flattened transcript: headless narrative for the fit to learn from)."""
    import copy

    out = copy.deepcopy(list(reports))
    for r in out:
        for a in r.areas:
            for p in a.passages:
                p.heading = None
    return out


def _predictions(lk, rows: pd.DataFrame, w, calibrated: bool = False) -> pd.DataFrame:
    saved, lk.w = lk.w, w
    try:
        P = {ti: lk._combine(lk.tasks[ti], calibrated=calibrated) for ti in rows.task.unique()}
    finally:
        lk.w = saved
    pred, conf, lp = [], [], []
    for r in rows.itertuples(index=False):
        t, p = lk.tasks[r.task], P[r.task][r.i]
        pred.append(t.qids[int(np.argmax(p))])
        conf.append(float(p.max()))
        lp.append(float(np.log(p[t.qids.index(r.gold)] + 1e-9)) if r.gold in t.qids else np.log(1e-9))
    return rows.assign(pred=pred, conf=conf, gold_logp=lp)


def evidence_pools(corpus, gold: list[dict], ew: dict) -> list[tuple]:
    """``(linker, rows, tag)`` for the corpus and for its heading-less copy (only the reports that had
    headed narrative), with the evidence settings ``ew``, rows matched to gold."""
    from kompasstext.corpus import Corpus
    from kompasstext.links.linker import LinkWeights

    w = replace(LinkWeights(), **ew)
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lk, rows = collect(corpus, weights=w)
        lk2, rows2 = collect(Corpus(strip_headings(corpus.reports)), weights=w)
    rows, rows2 = match_gold(rows, gold), match_gold(rows2, gold)
    headed = {lk.tasks[ti].rid for ti in rows.task if lk.tasks[ti].shape == "headed"}
    out.append((lk, rows[rows.gold.notna()], ""))
    out.append((lk2, rows2[rows2.gold.notna() & rows2.report_id.isin(headed)], "stripped"))
    return out


def loro(pool_sets: dict, grid: dict | None = None, base=None):
    """Leave-one-report-out fit of the global settings.

    ``pool_sets``: evidence settings (a tuple of ``(name, value)``) → pools ``(linker, rows, tag)`` —
    rows with ``gold`` (unmatched rows dropped); ``tag`` "" for the real reports, "stripped" for their
    heading-less copies (training material only, never measured).  For each real report R the setting
    with the best accuracy (then mean log-probability of the gold sub-question) on every other report
    and on the stripped copies of the other reports is chosen and measured on R.  Returns
    ``(per-report table, held-out predictions, choices)``."""
    from kompasstext.links.linker import LinkWeights

    grid = grid or GRID
    base = base or LinkWeights()
    keys = list(grid)
    configs, preds = [], []
    for ew, pools in pool_sets.items():
        for v in itertools.product(*(grid[k] for k in keys)):
            w = replace(base, **dict(ew), **dict(zip(keys, v)))
            configs.append(w)
            preds.append([_predictions(lk, rows, w) for (lk, rows, _) in pools])
    keys = [k for k, _ in next(iter(pool_sets))] + keys
    pools = next(iter(pool_sets.values()))
    real = sorted({rid for (_, rows, tag) in pools if not tag for rid in rows.report_id})
    out_rows, held, choices = [], [], {}
    for R in real:
        best, best_key = None, None
        for ci, _ in enumerate(configs):
            tr = pd.concat([p[p.report_id != R] for p in preds[ci]])
            key = ((tr.pred == tr.gold).mean(), tr.gold_logp.mean())
            if best_key is None or key > best_key:
                best, best_key = ci, key
        choices[R] = {k: getattr(configs[best], k) for k in keys}
        real_pool = next(i for i, (_, rows, tag) in enumerate(pools) if not tag and R in set(rows.report_id))
        h = preds[best][real_pool]
        h = h[h.report_id == R]
        held.append(h)
        d = preds[configs.index(base)][real_pool] if base in configs else h.iloc[:0]
        d = d[d.report_id == R]
        out_rows.append({"report": R, "n": len(h), "default in-sample": (d.pred == d.gold).mean() if len(d) else np.nan,
                         "LORO": (h.pred == h.gold).mean(),
                         "LORO lenient": ((h.pred == h.gold) | (h.pred == h.secondary)).mean(),
                         **{f"fit {k}": choices[R][k] for k in keys}})
    # calibration: per fold, the confidence temperature with the best log-likelihood of "the link is
    # right" on the training reports, applied to the held-out report's predictions (the links themselves
    # stay those of the fitted setting: tempering the chain does not change them here, checked below)
    cal = []
    for R, h in zip(real, held):
        w = replace(base, **choices[R])
        best_tau, best_ll = None, -np.inf
        for tau in TAUS:
            wt = replace(w, confidence_temperature=tau)
            tr = pd.concat([_predictions(lk, rows[rows.report_id != R], wt, calibrated=True)
                            for (lk, rows, _) in pool_sets[tuple((k, choices[R][k]) for k, _ in
                                                                 next(iter(pool_sets)))]])
            ok = (tr.pred == tr.gold).to_numpy()
            ll = np.log(np.where(ok, tr.conf, 1 - tr.conf) + 1e-9).mean()
            if ll > best_ll:
                best_tau, best_ll = tau, ll
        choices[R]["confidence_temperature"] = best_tau
        real_pool = next(i for i, (_, rows, tag) in enumerate(pools) if not tag)
        lk, rows, _ = pool_sets[tuple((k, choices[R][k]) for k, _ in next(iter(pool_sets)))][real_pool]
        hc = _predictions(lk, rows[rows.report_id == R], replace(w, confidence_temperature=best_tau),
                          calibrated=True)
        cal.append(hc.assign(same_link=(hc.pred.to_numpy() == h.pred.to_numpy())))
        out_rows[real.index(R)]["fit confidence_temperature"] = best_tau
    held = pd.concat(cal)
    out_rows.append({"report": "ALL", "n": len(held), "default in-sample": np.nan,
                     "LORO": (held.pred == held.gold).mean(),
                     "LORO lenient": ((held.pred == held.gold) | (held.pred == held.secondary)).mean()})
    # the fit on all real reports (+ all stripped copies): what a global default would be
    best, best_key = None, None
    for ci, _ in enumerate(configs):
        tr = pd.concat(preds[ci])
        key = ((tr.pred == tr.gold).mean(), tr.gold_logp.mean())
        if best_key is None or key > best_key:
            best, best_key = ci, key
    choices["ALL"] = {k: getattr(configs[best], k) for k in keys}
    return pd.DataFrame(out_rows), held, choices


def band_table(pred: pd.DataFrame) -> pd.DataFrame:
    """Accuracy per confidence band (of ``pred.conf``)."""
    recs = []
    for lo, hi, name in BANDS:
        g = pred[(pred.conf >= lo) & (pred.conf < hi)]
        recs.append({"band": name, "findings": len(g), "share": len(g) / max(len(pred), 1),
                     "accuracy": (g.pred == g.gold).mean() if len(g) else np.nan,
                     "lenient": ((g.pred == g.gold) | (g.pred == g.secondary)).mean() if len(g) else np.nan})
    return pd.DataFrame(recs)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", nargs="?", default=str(ROOT / "corpora" / "kommunkompassen"))
    ap.add_argument("--gold", default=None)
    ap.add_argument("--misses", action="store_true", help="list every miss with its pushes")
    ap.add_argument("--loro", action="store_true", help="leave-one-report-out fit and confidence bands")
    a = ap.parse_args(argv)
    gold_dir = Path(a.gold) if a.gold else next(p for p in (ROOT.parent / "shared" / "gold",
                                                             ROOT / "tests" / "data" / "gold") if p.exists())
    from kompasstext import read_corpus

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        corpus = read_corpus(a.corpus)
        lk, rows = collect(corpus)
    rows = match_gold(rows, load_gold(gold_dir))
    ev = evidence_frame(lk, rows)
    print("## Each source alone (cover = share of findings it speaks for; acc = among those)\n")
    print(md(source_table(ev)))
    print("\n## Misses: the source that pushed hardest towards the wrong sub-question\n")
    print(md(culprit_table(ev).reset_index()))
    if a.loro:
        gold = load_gold(gold_dir)
        ek = list(EVIDENCE_GRID)
        pool_sets = {tuple(zip(ek, v)): evidence_pools(corpus, gold, dict(zip(ek, v)))
                     for v in itertools.product(*(EVIDENCE_GRID[k] for k in ek))}
        table, held, choices = loro(pool_sets)
        print("\n## Leave-one-report-out: fitted on the other reports (and their heading-less copies)\n")
        print(md(table, "{:.3f}"))
        print(f"\nfit on all reports: {choices['ALL']}")
        print("\n## Accuracy per confidence band, out of sample (LORO predictions, calibrated per fold)\n")
        print(md(band_table(held)))
        print(f"\n(held-out links unchanged by the calibration: {held.same_link.mean():.3f})")
        ins = _predictions(lk, rows[rows.gold.notna()], lk.w, calibrated=True)
        print("\n## Accuracy per confidence band, in sample (shipped defaults)\n")
        print(md(band_table(ins)))
    if a.misses:
        m = ev[ev.gold.notna() & (ev.pred != ev.gold)]
        cols = ["report_id", "area", "kind", "finding_index", "gold", "pred", "conf"] + \
               [c for c in m.columns if c.startswith("push_")] + ["text"]
        with pd.option_context("display.width", 250, "display.max_colwidth", 50, "display.max_rows", 500):
            print(m[cols].round(2).to_string())
    return 0


if __name__ == "__main__":
    sys.exit(main())
